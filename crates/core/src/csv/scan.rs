//! The structural scan: one pass over the file finds every field of every
//! record as a range of the input. Nothing is copied, except the few fields
//! whose quotes must be undone (`"a ""b"""`).
//!
//! The input is taken 64 bytes at a time; SIMD compares (SSE2 on x86_64,
//! simd128 in the browser) turn each block into bit masks of quotes,
//! delimiters and line endings, and the state machine below runs once per
//! set bit, not once per byte. Quotes, line endings and blank lines follow
//! the csv crate exactly (a property test and the fuzz target compare the
//! two on any input): a quote opens a field only at its start, `""` inside
//! one is a quote, `\r`, `\n` and `\r\n` each end a record, and lines that
//! hold nothing are skipped.

/// Flags on a field's end: the field is quoted (its text is between the
/// quotes), or its text had to be unquoted into [`Scan::cooked`].
const QUOTED: u32 = 1 << 31;
const COOKED: u32 = 1 << 30;
const OFFSET: u32 = COOKED - 1;

/// Every record of a file, as 4 bytes a field: where each field ends (its
/// delimiter or line end). A field starts one byte after the one before
/// it, the first of a record where the record starts.
#[derive(Debug, Clone, Default)]
pub(super) struct Scan {
    /// End of each field in the input, with [`QUOTED`] or [`COOKED`].
    ends: Vec<u32>,
    /// Index in `ends` of each record's first field; one more at the end.
    records: Vec<u32>,
    /// Where each record starts in the input.
    starts: Vec<u32>,
    /// 1-based line of the file where each record starts.
    pub lines: Vec<u32>,
    /// The unquoted text of fields with doubled quotes or text after their
    /// closing quote, and (field, start, end) of each, in field order.
    cooked: String,
    cooked_at: Vec<[u32; 3]>,
}

/// A quoted field that opens at this byte and never closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct UnterminatedQuote {
    pub at: usize,
}

impl Scan {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Number of fields of a record.
    pub fn field_count(&self, record: usize) -> usize {
        match (self.records.get(record), self.records.get(record + 1)) {
            (Some(&a), Some(&b)) => (b - a) as usize,
            _ => 0,
        }
    }

    /// The text of field `i` (of all records) that starts at `start`.
    fn text<'a>(&'a self, input: &'a str, i: usize, start: usize) -> &'a str {
        let end = self.ends.get(i).copied().unwrap_or(0);
        let at = (end & OFFSET) as usize;
        if end & COOKED != 0 {
            return self
                .cooked_at
                .binary_search_by_key(&(i as u32), |c| c[0])
                .ok()
                .and_then(|c| {
                    let [_, a, b] = self.cooked_at[c];
                    self.cooked.get(a as usize..b as usize)
                })
                .unwrap_or("");
        }
        let range = if end & QUOTED != 0 {
            start + 1..at.saturating_sub(1)
        } else {
            start..at
        };
        input.get(range).unwrap_or("")
    }

    /// Field `k` of a record.
    pub fn field<'a>(&'a self, input: &'a str, record: usize, k: usize) -> &'a str {
        if k >= self.field_count(record) {
            return "";
        }
        let i = self.records[record] as usize + k;
        let start = match k {
            0 => self.starts[record] as usize,
            _ => (self.ends[i - 1] & OFFSET) as usize + 1,
        };
        self.text(input, i, start)
    }

    /// A record's fields in order.
    pub fn fields<'a>(&'a self, input: &'a str, record: usize) -> impl Iterator<Item = &'a str> {
        let first = self.records.get(record).map_or(0, |&a| a as usize);
        let start = self.starts.get(record).map_or(0, |&s| s as usize);
        (first..first + self.field_count(record)).scan(start, move |start, i| {
            let text = self.text(input, i, *start);
            *start = (self.ends[i] & OFFSET) as usize + 1;
            Some(text)
        })
    }
}

/// Bit `i` of each mask stands for byte `i` of a 64-byte block.
#[derive(Debug, Clone, Copy, Default)]
struct Masks {
    quote: u64,
    delimiter: u64,
    lf: u64,
    cr: u64,
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn masks(block: &[u8; 64], delimiter: u8) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut m = Masks::default();
    // SAFETY: SSE2 is part of every x86_64 CPU; each load reads 16 of the
    // block's 64 bytes (unaligned loads are allowed).
    unsafe {
        let [q, d, lf, cr] =
            [b'"', delimiter, b'\n', b'\r'].map(|c| _mm_set1_epi8(i8::from_ne_bytes([c])));
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
            let bits = |c| u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, c)) as u16) << (16 * k);
            m.quote |= bits(q);
            m.delimiter |= bits(d);
            m.lf |= bits(lf);
            m.cr |= bits(cr);
        }
    }
    m
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn masks(block: &[u8; 64], delimiter: u8) -> Masks {
    use std::arch::wasm32::{i8x16_bitmask, i8x16_eq, u8x16_splat, v128, v128_load};
    let mut m = Masks::default();
    let [q, d, lf, cr] = [b'"', delimiter, b'\n', b'\r'].map(|c| u8x16_splat(c));
    for k in 0..4 {
        // SAFETY: reads 16 of the block's 64 bytes; v128_load takes any
        // alignment.
        let v = unsafe { v128_load(block.as_ptr().add(16 * k).cast::<v128>()) };
        let bits = |c| u64::from(i8x16_bitmask(i8x16_eq(v, c))) << (16 * k);
        m.quote |= bits(q);
        m.delimiter |= bits(d);
        m.lf |= bits(lf);
        m.cr |= bits(cr);
    }
    m
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
#[inline]
fn masks(block: &[u8; 64], delimiter: u8) -> Masks {
    let mut m = Masks::default();
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match b {
            b'"' => m.quote |= bit,
            b'\n' => m.lf |= bit,
            b'\r' => m.cr |= bit,
            _ if b == delimiter => m.delimiter |= bit,
            _ => {}
        }
    }
    m
}

/// Bits from `i` up (none when `i` is past the block).
fn from_bit(i: usize) -> u64 {
    if i >= 64 {
        0
    } else {
        u64::MAX << i
    }
}

/// Where a field is: in its unquoted part (also after a closing quote), or
/// between its quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Unquoted,
    Quoted,
}

struct Builder<'a> {
    input: &'a str,
    scan: Scan,
    /// Where the current field starts (its opening quote, if any).
    field_start: usize,
    /// The field opened with a quote.
    quoted: bool,
    /// The field has doubled quotes or text after its closing quote.
    cook: bool,
    /// A record has started and not yet ended.
    in_record: bool,
}

impl Builder<'_> {
    #[inline(always)]
    fn end_field(&mut self, end: usize) {
        let end = if self.cook {
            self.cook_field(end)
        } else if self.quoted {
            end as u32 | QUOTED
        } else {
            end as u32
        };
        self.scan.ends.push(end);
        self.quoted = false;
        self.cook = false;
    }

    /// Undoes a field's quoting as the csv crate does: `""` between the
    /// quotes is one quote, and text after the closing quote is kept as it is.
    #[cold]
    #[inline(never)]
    fn cook_field(&mut self, end: usize) -> u32 {
        // Quotes are ASCII, so every cut below is at a character boundary.
        let mut rest = self.input.get(self.field_start + 1..end).unwrap_or("");
        let cooked = &mut self.scan.cooked;
        let start = cooked.len();
        while let Some(q) = rest.find('"') {
            cooked.push_str(&rest[..q]);
            if rest[q + 1..].starts_with('"') {
                cooked.push('"');
                rest = &rest[q + 2..];
            } else {
                rest = &rest[q + 1..];
                break;
            }
        }
        cooked.push_str(rest);
        let field = self.scan.ends.len() as u32;
        self.scan
            .cooked_at
            .push([field, start as u32, cooked.len() as u32]);
        end as u32 | COOKED
    }

    /// Ends the record whose last field ends at `end`; a record whose every
    /// field is blank is dropped, as spreadsheets leave such rows.
    fn end_record(&mut self, end: usize, line: u32) {
        self.end_field(end);
        self.in_record = false;
        let scan = &mut self.scan;
        let first = scan.records.last().copied().unwrap_or(0);
        scan.records.push(scan.ends.len() as u32);
        let record = scan.starts.len() - 1;
        let blank = scan
            .fields(self.input, record)
            .all(|f| f.trim_ascii().is_empty());
        if blank {
            scan.records.pop();
            scan.starts.pop();
            scan.ends.truncate(first as usize);
            while scan.cooked_at.last().is_some_and(|c| c[0] >= first) {
                scan.cooked_at.pop();
            }
        } else {
            scan.lines.push(line);
        }
    }

    /// Steps over line endings from `at`; returns where the next record
    /// starts and its line, given the line of `at`.
    fn next_record(&mut self, mut at: usize, mut line: u32) -> (usize, u32) {
        let bytes = self.input.as_bytes();
        while let Some(&b) = bytes.get(at) {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
            at += 1;
        }
        if at < bytes.len() {
            self.in_record = true;
            self.field_start = at;
            self.scan.starts.push(at as u32);
        }
        (at, line)
    }
}

/// How many fields and records the file has, guessed from its first 64 KiB
/// (a little over, so that the vectors rarely grow and copy on a file like
/// its start). Capped so that what is reserved stays below the input's own
/// size whatever the sample: a start of blank lines must not reserve
/// gigabytes.
fn estimate(bytes: &[u8], delimiter: u8) -> (usize, usize) {
    const SAMPLE: usize = 64 * 1024;
    let (mut separators, mut lines) = (0usize, 0usize);
    for block in bytes[..bytes.len().min(SAMPLE)].chunks_exact(64) {
        let block: &[u8; 64] = block.try_into().unwrap_or(&[0; 64]);
        let m = masks(block, delimiter);
        separators += (m.delimiter | m.lf | m.cr).count_ones() as usize;
        lines += m.lf.count_ones() as usize;
    }
    let sampled = (bytes.len().min(SAMPLE) / 64 * 64).max(64) as u64;
    let scale = |n: usize| (n as u64 * bytes.len() as u64 / sampled) as usize * 17 / 16 + 16;
    // 4 bytes a field end, 12 a record: half and 3/8 of the input at most.
    (
        scale(separators).min(bytes.len() / 8 + 16),
        scale(lines).min(bytes.len() / 32 + 16),
    )
}

/// Scans `input` from byte `start` (after a BOM) with `delimiter`, which
/// must be ASCII and not a quote or line end. The input is at most
/// [`super::MAX_FILE_BYTES`], so offsets fit below the flag bits.
pub(super) fn scan(input: &str, start: usize, delimiter: u8) -> Result<Scan, UnterminatedQuote> {
    let bytes = input.as_bytes();
    let len = bytes.len();
    let (fields, records) = estimate(bytes, delimiter);
    let mut records_at = Vec::with_capacity(records + 1);
    records_at.push(0);
    let mut b = Builder {
        input,
        scan: Scan {
            ends: Vec::with_capacity(fields),
            records: records_at,
            starts: Vec::with_capacity(records),
            lines: Vec::with_capacity(records),
            ..Scan::default()
        },
        field_start: 0,
        quoted: false,
        cook: false,
        in_record: false,
    };
    let (mut resume, mut line) = b.next_record(start, 1);
    // The line of each record is 1 + the `\n`s before it: those of earlier
    // blocks plus those below its bit.
    let mut lf_before: u32 = 0;
    let mut at = At::Unquoted;
    let mut base = 0;
    while base < len {
        let mut tail = [0u8; 64];
        let block: &[u8; 64] = match bytes.get(base..base + 64) {
            Some(full) => full.try_into().unwrap_or(&tail),
            None => {
                tail[..len - base].copy_from_slice(&bytes[base..]);
                &tail
            }
        };
        let m = masks(block, delimiter);
        let unquoted = m.quote | m.delimiter | m.lf | m.cr;
        let mut bits = match at {
            At::Unquoted => unquoted,
            At::Quoted => m.quote,
        } & from_bit(resume.saturating_sub(base));
        while bits != 0 {
            let p = base + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            match (at, bytes[p]) {
                (At::Quoted, _) => {
                    if bytes.get(p + 1) == Some(&b'"') {
                        b.cook = true;
                        resume = p + 2;
                    } else {
                        at = At::Unquoted;
                        resume = p + 1;
                        if bytes
                            .get(p + 1)
                            .is_some_and(|&c| c != delimiter && c != b'\n' && c != b'\r')
                        {
                            b.cook = true;
                        }
                    }
                }
                (At::Unquoted, b'"') => {
                    if p == b.field_start && !b.quoted {
                        b.quoted = true;
                        at = At::Quoted;
                        resume = p + 1;
                    } else {
                        // A quote inside an unquoted field is text.
                        continue;
                    }
                }
                (At::Unquoted, b'\n' | b'\r') => {
                    let here = 1 + lf_before + (m.lf & !from_bit(p - base)).count_ones();
                    b.end_record(p, line);
                    (resume, line) = b.next_record(p, here);
                }
                (At::Unquoted, _) => {
                    b.end_field(p);
                    b.field_start = p + 1;
                    continue;
                }
            }
            bits = match at {
                At::Unquoted => unquoted,
                At::Quoted => m.quote,
            } & from_bit(resume.saturating_sub(base));
        }
        lf_before += m.lf.count_ones();
        base += 64;
    }
    if at == At::Quoted {
        return Err(UnterminatedQuote { at: b.field_start });
    }
    if b.in_record {
        b.end_record(len, line);
    }
    Ok(b.scan)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What the csv crate reads: each non-blank record's fields and the line
    /// it starts on (1 + the `\n`s before its first byte).
    fn reference(input: &str, start: usize, delimiter: u8) -> Vec<(u32, Vec<String>)> {
        let bytes = &input.as_bytes()[start..];
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut out = Vec::new();
        for record in reader.byte_records() {
            let record = record.expect("the csv crate reads any bytes");
            if record.iter().all(|f| f.trim_ascii().is_empty()) {
                continue;
            }
            let mut at = record.position().map_or(0, |p| p.byte() as usize);
            while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
                at += 1;
            }
            let line = 1 + input.as_bytes()[..start + at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32;
            let fields = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((line, fields));
        }
        out
    }

    /// The quoted field that never closes, found the way the reader did
    /// before this scan: from quote to quote, a quote opening a field only at
    /// a field's start.
    fn unterminated(bytes: &[u8], start: usize, delimiter: u8) -> Option<usize> {
        let mut quotes = (start..bytes.len()).filter(|&i| bytes[i] == b'"');
        while let Some(open) = quotes.next() {
            let at_field_start = open == start
                || matches!(bytes[open - 1], b'\n' | b'\r')
                || bytes[open - 1] == delimiter;
            if !at_field_start {
                continue;
            }
            loop {
                let Some(q) = quotes.next() else {
                    return Some(open);
                };
                if bytes.get(q + 1) == Some(&b'"') {
                    quotes.next();
                } else {
                    break;
                }
            }
        }
        None
    }

    fn records(input: &str, scan: &Scan) -> Vec<(u32, Vec<String>)> {
        (0..scan.len())
            .map(|r| {
                let fields: Vec<String> = scan.fields(input, r).map(str::to_string).collect();
                let one_by_one: Vec<String> = (0..scan.field_count(r))
                    .map(|k| scan.field(input, r, k).to_string())
                    .collect();
                assert_eq!(fields, one_by_one);
                (scan.lines[r], fields)
            })
            .collect()
    }

    fn check(input: &str, start: usize, delimiter: u8) -> Result<(), TestCaseError> {
        let scanned = scan(input, start, delimiter);
        prop_assert_eq!(
            scanned.as_ref().err().map(|e| e.at),
            unterminated(input.as_bytes(), start, delimiter)
        );
        if let Ok(s) = scanned {
            prop_assert_eq!(records(input, &s), reference(input, start, delimiter));
        }
        Ok(())
    }

    fn delimiter() -> impl Strategy<Value = u8> {
        prop_oneof![Just(b','), Just(b';'), Just(b'\t')]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn reads_what_the_csv_crate_reads(s in "[a ,;\"\n\r\t\u{e9}]{0,300}", d in delimiter()) {
            check(&s, 0, d)?;
        }

        #[test]
        fn reads_long_fields_across_blocks(
            parts in proptest::collection::vec("[a\"]{0,150}", 1..8),
            seps in proptest::collection::vec(prop_oneof![Just(","), Just("\n"), Just("\r\n"), Just("\"")], 8),
        ) {
            let mut s = String::new();
            for (p, sep) in parts.iter().zip(seps.iter().cycle()) {
                s.push_str(p);
                s.push_str(sep);
            }
            check(&s, 0, b',')?;
        }

        #[test]
        fn reads_after_a_bom(s in "[a,\"\n\r]{0,100}") {
            check(&format!("\u{feff}{s}"), 3, b',')?;
        }
    }

    fn fields(input: &str) -> Vec<(u32, Vec<String>)> {
        let s = scan(input, 0, b',').expect("scans");
        records(input, &s)
    }

    fn row(line: u32, fields: &[&str]) -> (u32, Vec<String>) {
        (line, fields.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn quotes_are_undone_and_text_after_them_kept() {
        assert_eq!(
            fields("\"a \"\"b\"\"\",\"c,d\",\"e\"f\"g,h\"i\n"),
            vec![row(1, &["a \"b\"", "c,d", "ef\"g", "h\"i"])]
        );
    }

    #[test]
    fn lines_count_blank_lines_and_line_breaks_in_quotes() {
        assert_eq!(
            fields("a,b\r\n\r\n\n\"x\ny\",z\n ,\t\nlast"),
            vec![
                row(1, &["a", "b"]),
                row(4, &["x\ny", "z"]),
                row(7, &["last"])
            ]
        );
    }

    #[test]
    fn a_lone_carriage_return_ends_a_record() {
        assert_eq!(fields("a\rb\r"), vec![row(1, &["a"]), row(1, &["b"])]);
    }

    #[test]
    fn a_quote_that_never_closes_is_found_where_it_opens() {
        let text = format!("{}\n\"open,\"\"\n", "x,".repeat(40));
        assert_eq!(
            scan(&text, 0, b',').err(),
            Some(UnterminatedQuote { at: 81 })
        );
    }

    #[test]
    fn a_doubled_quote_across_a_block_edge_is_one_quote() {
        let text = format!("\"{}\"\"{}\",b\n", "a".repeat(62), "c".repeat(70));
        let s = scan(&text, 0, b',').expect("scans");
        assert_eq!(
            records(&text, &s),
            vec![row(
                1,
                &[&format!("{}\"{}", "a".repeat(62), "c".repeat(70)), "b"]
            )]
        );
    }
}
