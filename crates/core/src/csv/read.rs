//! Reading: bytes in, a table of rows or the reasons it cannot be read out.

use csv::ByteRecord;

use super::write::unguard_cell;
use super::{Column, Problem, ProblemCode, NULL_MARKER};

/// The largest file the console accepts.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// How many unknown header names one warning lists before "and N more".
const LISTED_UNKNOWN: usize = 10;

/// A cell as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellRef<'a> {
    /// Missing column or blank cell: "leave unchanged".
    Empty,
    /// `<NULL>`: "clear this field".
    Null,
    Value(&'a str),
}

impl<'a> CellRef<'a> {
    pub fn value(self) -> Option<&'a str> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_empty(self) -> bool {
        self == Self::Empty
    }
}

/// A parsed CSV file: its header and rows, kept as the file had them.
#[derive(Debug, Clone)]
pub struct CsvTable {
    delimiter: u8,
    header_line: u64,
    headers: Vec<String>,
    index: [Option<usize>; Column::COUNT],
    /// Every field of every row, back to back; one allocation, not one a row.
    data: String,
    /// End offset in `data` of each field.
    ends: Vec<u32>,
    /// Index in `ends` of each row's first field; one more entry at the end.
    row_starts: Vec<u32>,
    lines: Vec<u64>,
    problems: Vec<Problem>,
}

impl CsvTable {
    /// Number of data rows (the header not counted).
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// The header as the file wrote it.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The known columns, in the file's order.
    pub fn columns(&self) -> Vec<Column> {
        self.headers
            .iter()
            .filter_map(|h| Column::parse(h))
            .collect()
    }

    pub fn has_column(&self, column: Column) -> bool {
        self.index[column.index()].is_some()
    }

    /// 1-based line of the file where `row` starts.
    pub fn line(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    fn field_range(&self, row: usize) -> std::ops::Range<usize> {
        match (self.row_starts.get(row), self.row_starts.get(row + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.data.get(start..self.ends[i] as usize).unwrap_or("")
    }

    /// The row's fields as the file had them (for reports).
    pub fn fields(&self, row: usize) -> impl Iterator<Item = &str> + '_ {
        self.field_range(row).map(move |i| self.field(i))
    }

    /// Whether the row has as many fields as the header.
    pub fn is_ragged(&self, row: usize) -> bool {
        row < self.len() && self.field_range(row).len() != self.headers.len()
    }

    /// The field at `position` of the row, untouched.
    fn raw(&self, row: usize, position: usize) -> Option<&str> {
        let range = self.field_range(row);
        (position < range.len()).then(|| self.field(range.start + position))
    }

    /// The cell's text: trimmed, with a formula guard added by an export removed.
    pub fn text(&self, row: usize, column: Column) -> &str {
        self.index[column.index()]
            .and_then(|i| self.raw(row, i))
            .map(|s| unguard_cell(s.trim()))
            .unwrap_or("")
    }

    pub fn cell(&self, row: usize, column: Column) -> CellRef<'_> {
        let t = self.text(row, column);
        if t.is_empty() {
            CellRef::Empty
        } else if t.eq_ignore_ascii_case(NULL_MARKER) {
            CellRef::Null
        } else {
            CellRef::Value(t)
        }
    }

    /// Problems found while reading: unknown columns, ragged rows.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

/// Reads a CSV file: UTF-8 with or without BOM, CRLF or LF, quoted fields,
/// delimiter `,` `;` or tab (sniffed from the header). Rows whose every cell
/// is blank (spreadsheets leave them) are skipped.
///
/// A file that cannot be read at all gives `Err` with the reason; problems
/// of single rows are kept in [`CsvTable::problems`].
pub fn read(bytes: &[u8]) -> Result<CsvTable, Vec<Problem>> {
    let fatal = |line, code, msg: String| Err(vec![Problem::error(line, None, code, msg)]);
    if bytes.len() > MAX_FILE_BYTES {
        return fatal(
            1,
            ProblemCode::TooLarge,
            format!(
                "the file has {} MB; the console takes files up to {} MB: split it into smaller files",
                bytes.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        );
    }
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return fatal(
            1,
            ProblemCode::EmptyFile,
            "the file is empty: export numbers or download a template to start from".into(),
        );
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = line_of(bytes, e.valid_up_to());
        return fatal(
            line,
            ProblemCode::InvalidUtf8,
            "this line is not UTF-8 text: save the file as \"CSV UTF-8\" and try again".into(),
        );
    }
    let delimiter = sniff_delimiter(bytes);
    if let Some(line) = unterminated_quote(bytes, delimiter) {
        return fatal(
            line,
            ProblemCode::UnterminatedQuote,
            "a quoted field opens here and never closes: add the closing \" (write \"\" for a quote inside a field)".into(),
        );
    }

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = ByteRecord::new();
    let mut header: Option<(u64, Vec<String>)> = None;
    let mut data: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut ends: Vec<u32> = Vec::new();
    let mut row_starts: Vec<u32> = vec![0];
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut lines_to = LineCounter::new(bytes);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return fatal(
                    line,
                    ProblemCode::RaggedRow,
                    format!("this line cannot be read as CSV: {e}"),
                );
            }
        }
        if record.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let line = lines_to.line_at(record.position().map_or(0, |p| p.byte() as usize));
        if header.is_none() {
            let names = record
                .iter()
                .map(|h| String::from_utf8_lossy(h).trim().to_string())
                .collect();
            header = Some((line, names));
            continue;
        }
        for field in record.iter() {
            data.extend_from_slice(field);
            ends.push(u32::try_from(data.len()).unwrap_or(u32::MAX));
        }
        row_starts.push(u32::try_from(ends.len()).unwrap_or(u32::MAX));
        lines.push(line);
    }
    let Some((header_line, headers)) = header else {
        return fatal(
            1,
            ProblemCode::EmptyFile,
            "the file is empty: export numbers or download a template to start from".into(),
        );
    };

    // The input was checked to be UTF-8 and fields split at ASCII
    // delimiters, so this cannot fail; the lossy fallback keeps it panic-free.
    let data = String::from_utf8(data)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let mut index = [None; Column::COUNT];
    let mut unknown = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match Column::parse(h) {
            Some(c) if index[c.index()].is_some() => {
                return fatal(
                    header_line,
                    ProblemCode::DuplicateColumn,
                    format!("the column {c} appears twice in the header: keep one"),
                );
            }
            Some(c) => index[c.index()] = Some(i),
            None => unknown.push(h.as_str()),
        }
    }
    if !unknown.is_empty() {
        let mut names: Vec<String> = unknown
            .iter()
            .take(LISTED_UNKNOWN)
            .map(|h| shorten(h))
            .collect();
        if unknown.len() > LISTED_UNKNOWN {
            names.push(format!("and {} more", unknown.len() - LISTED_UNKNOWN));
        }
        problems.push(Problem::warning(
            header_line,
            None,
            ProblemCode::UnknownColumn,
            format!(
                "these columns are not OCP columns and will be ignored: {}",
                names.join(", ")
            ),
        ));
    }
    if lines.is_empty() {
        return fatal(
            header_line,
            ProblemCode::NoRows,
            "the file has a header but no rows: add one row per number".into(),
        );
    }
    for (row, w) in row_starts.windows(2).enumerate() {
        let fields = (w[1] - w[0]) as usize;
        if fields != headers.len() {
            problems.push(Problem::error(
                lines[row],
                None,
                ProblemCode::RaggedRow,
                format!(
                    "this row has {fields} fields but the header has {}: check for a missing or extra delimiter",
                    headers.len()
                ),
            ));
        }
    }
    Ok(CsvTable {
        delimiter,
        header_line,
        headers,
        index,
        data,
        ends,
        row_starts,
        lines,
        problems,
    })
}

fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        format!("\"{s}\"")
    } else {
        format!("\"{}…\"", s.chars().take(MAX).collect::<String>())
    }
}

/// Line numbers from byte offsets, counted forward once over the file.
/// (The csv reader's own line count is one short for CRLF files.)
struct LineCounter<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line of the record starting at `offset` (offsets only grow).
    fn line_at(&mut self, offset: usize) -> u64 {
        let mut start = offset.min(self.bytes.len());
        // A record never starts with a line ending: step over one the
        // reader's offset may point at.
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.at {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.at..start]).count() as u64;
            self.at = start;
        }
        self.line
    }
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// The delimiter the header line uses most among `,` `;` and tab.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(bytes);
    let count = |d: u8| first_line.iter().filter(|&&b| b == d).count();
    let (comma, semicolon, tab) = (count(b','), count(b';'), count(b'\t'));
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma && tab > semicolon {
        b'\t'
    } else {
        b','
    }
}

/// The line where a quoted field opens and never closes, if one does.
///
/// Jumps from quote to quote (memchr), so a file pays for its quotes, not
/// its length. A quote opens a field only at a field's start; elsewhere it
/// is literal text, as the csv reader treats it.
fn unterminated_quote(bytes: &[u8], delimiter: u8) -> Option<u64> {
    let mut quotes = memchr::memchr_iter(b'"', bytes);
    while let Some(open) = quotes.next() {
        let at_field_start =
            open == 0 || matches!(bytes[open - 1], b'\n' | b'\r') || bytes[open - 1] == delimiter;
        if !at_field_start {
            continue;
        }
        loop {
            let Some(q) = quotes.next() else {
                return Some(line_of(bytes, open));
            };
            if bytes.get(q + 1) == Some(&b'"') {
                quotes.next(); // an escaped quote: skip its pair
            } else {
                break;
            }
        }
    }
    None
}
