//! What a change touched, kept within bounds: at most [`MAX_TARGETS`] of
//! them with the true count beside, and a CSV batch's rows read as its
//! upload streams past, so no copy of the file is ever held.

use std::collections::BTreeSet;

use super::{Target, TargetKind};
use crate::csv::{cell_text, sniff_delimiter, Column, BOM};

/// The most targets one entry keeps; the rest are counted ("and N more").
pub const MAX_TARGETS: usize = 1000;

/// The targets of one change: the first [`MAX_TARGETS`], and how many there
/// were in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Described {
    /// The targets kept (at most the cap).
    pub targets: Vec<Target>,
    /// How many targets the request named in all.
    pub total: u64,
}

impl Described {
    /// Keeps `target` (counted always, kept while under the cap).
    pub fn push(&mut self, target: Target) {
        self.total += 1;
        if self.targets.len() < MAX_TARGETS {
            self.targets.push(target);
        }
    }
}

impl Described {
    /// `other`'s targets after these, within the bound; the counts add up.
    pub fn append(&mut self, other: Described) {
        let room = MAX_TARGETS.saturating_sub(self.targets.len());
        self.targets.extend(other.targets.into_iter().take(room));
        self.total += other.total;
    }
}

impl FromIterator<Target> for Described {
    fn from_iter<I: IntoIterator<Item = Target>>(iter: I) -> Self {
        let mut d = Self::default();
        for t in iter {
            d.push(t);
        }
        d
    }
}

impl Extend<Target> for Described {
    fn extend<I: IntoIterator<Item = Target>>(&mut self, iter: I) {
        for t in iter {
            self.push(t);
        }
    }
}

/// The longest header line looked at to choose the delimiter; a longer
/// one is sniffed from its start (no header is that long).
const SNIFF_LIMIT: usize = 64 * 1024;
/// The longest cell kept while reading (a number or an operation is
/// short; longer cells are only skipped over).
const CELL_LIMIT: usize = 256;

/// A CSV file read as it streams past, a part at a time, giving each row's
/// cells of the `wanted` columns (trimmed, with an export's formula guard
/// removed) exactly as [`crate::csv::read`] reads them from the whole file
/// (a property test holds the two together), holding one cell at a time.
struct Rows {
    wanted: Vec<Column>,
    /// The file's start, until its first line is whole (to sniff the delimiter).
    head: Option<Vec<u8>>,
    reader: csv_core::Reader,
    scratch: Vec<u8>,
    /// The cell being read (up to [`CELL_LIMIT`] bytes) and whether it was longer.
    cell: Vec<u8>,
    cell_too_long: bool,
    field: usize,
    /// For each field of the header, which wanted column it is.
    header: Option<Vec<Option<usize>>>,
    header_cells: Vec<Option<Column>>,
    row: Vec<String>,
}

impl Rows {
    fn new(wanted: Vec<Column>) -> Self {
        let row = vec![String::new(); wanted.len()];
        Self {
            wanted,
            head: Some(Vec::new()),
            reader: csv_core::Reader::new(),
            scratch: vec![0; 4096],
            cell: Vec::new(),
            cell_too_long: false,
            field: 0,
            header: None,
            header_cells: Vec::new(),
            row,
        }
    }

    fn push(&mut self, bytes: &[u8], on_row: &mut impl FnMut(&[String])) {
        // An empty part is no part (csv_core would read it as the end).
        if bytes.is_empty() {
            return;
        }
        if let Some(head) = &mut self.head {
            head.extend_from_slice(bytes);
            if head.len() < SNIFF_LIMIT && !head.contains(&b'\n') {
                return;
            }
            self.start(on_row);
            return;
        }
        self.feed(bytes, false, on_row);
    }

    fn finish(&mut self, on_row: &mut impl FnMut(&[String])) {
        if self.head.is_some() {
            self.start(on_row);
        }
        self.feed(&[], true, on_row);
    }

    /// Chooses the delimiter from the first line and reads what came so far.
    fn start(&mut self, on_row: &mut impl FnMut(&[String])) {
        let Some(head) = self.head.take() else { return };
        let mut body = 0;
        // A BOM is skipped, and a second one right after it, as `read` does.
        for _ in 0..2 {
            if head[body..].starts_with(BOM) {
                body += BOM.len();
            }
        }
        let delimiter = sniff_delimiter(&head[body..]);
        self.reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        self.feed(&head[body..], false, on_row);
    }

    /// Reads `input`; `at_end` once the file has ended (then `input` is
    /// empty: csv_core reads an empty input as the end, so no other call
    /// may give it one).
    fn feed(&mut self, mut input: &[u8], at_end: bool, on_row: &mut impl FnMut(&[String])) {
        use csv_core::ReadFieldResult::{End, Field, InputEmpty, OutputFull};
        loop {
            if input.is_empty() && !at_end {
                return;
            }
            let (result, read, written) = self.reader.read_field(input, &mut self.scratch);
            input = &input[read..];
            self.keep(written);
            match result {
                InputEmpty => return,
                OutputFull => {}
                Field { record_end } => {
                    self.end_field();
                    if record_end {
                        self.end_record(on_row);
                    }
                }
                End => return,
            }
        }
    }

    fn keep(&mut self, written: usize) {
        let room = CELL_LIMIT.saturating_sub(self.cell.len());
        if written > room {
            self.cell_too_long = true;
        }
        self.cell
            .extend_from_slice(&self.scratch[..written.min(room)]);
    }

    fn end_field(&mut self) {
        let text = if self.cell_too_long {
            None
        } else {
            std::str::from_utf8(&self.cell).ok()
        };
        match &self.header {
            None => self.header_cells.push(text.and_then(Column::parse)),
            Some(columns) => {
                if let Some(i) = columns.get(self.field).copied().flatten() {
                    self.row[i] = text.map(|t| cell_text(t).into_owned()).unwrap_or_default();
                }
            }
        }
        self.cell.clear();
        self.cell_too_long = false;
        self.field += 1;
    }

    fn end_record(&mut self, on_row: &mut impl FnMut(&[String])) {
        self.field = 0;
        if self.header.is_none() {
            let cells = std::mem::take(&mut self.header_cells);
            // A repeated column is read from its first place, as a person would.
            let header = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    c.filter(|c| !cells[..i].contains(&Some(*c)))
                        .and_then(|c| self.wanted.iter().position(|w| *w == c))
                })
                .collect();
            self.header = Some(header);
            return;
        }
        on_row(&self.row);
        for cell in &mut self.row {
            cell.clear();
        }
    }
}

/// A CSV batch's rows as its upload streams past: each row's NUMBER (with
/// its OPERATION) becomes a target.
pub struct CsvTargets {
    rows: Rows,
    described: Described,
}

impl Default for CsvTargets {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvTargets {
    /// Nothing read yet.
    pub fn new() -> Self {
        Self {
            rows: Rows::new(vec![Column::Number, Column::Operation]),
            described: Described::default(),
        }
    }

    /// Reads the next part of the file.
    pub fn push(&mut self, bytes: &[u8]) {
        let described = &mut self.described;
        self.rows.push(bytes, &mut |row| Self::row(described, row));
    }

    /// The file has ended: what it touched.
    pub fn finish(mut self) -> Described {
        let described = &mut self.described;
        self.rows.finish(&mut |row| Self::row(described, row));
        self.described
    }

    fn row(described: &mut Described, row: &[String]) {
        let (number, operation) = (&row[0], row[1].to_lowercase());
        if !number.is_empty() {
            described.push(Target::new(
                TargetKind::Number,
                number.clone(),
                (!operation.is_empty()).then_some(operation),
            ));
        }
    }
}

/// The distinct values of one column of a CSV file, as it streams past
/// (the groups of an OCP export's numbers).
pub struct CsvColumn {
    rows: Rows,
    values: BTreeSet<String>,
}

impl CsvColumn {
    /// Reads the values of `column` as the file streams in.
    pub fn new(column: Column) -> Self {
        Self {
            rows: Rows::new(vec![column]),
            values: BTreeSet::new(),
        }
    }

    /// Reads the next bytes of the file.
    pub fn push(&mut self, bytes: &[u8]) {
        let values = &mut self.values;
        self.rows.push(bytes, &mut |row| Self::row(values, row));
    }

    /// The values read, once the file has ended.
    pub fn finish(mut self) -> BTreeSet<String> {
        let values = &mut self.values;
        self.rows.finish(&mut |row| Self::row(values, row));
        self.values
    }

    fn row(values: &mut BTreeSet<String>, row: &[String]) {
        if !row[0].is_empty() && !values.contains(&row[0]) {
            values.insert(row[0].clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the whole-file reader finds in `text`: each row's number and operation.
    fn read_whole(text: &str) -> Option<Vec<Target>> {
        let table = crate::csv::read(text.as_bytes()).ok()?;
        Some(
            (0..table.len())
                .map(|row| {
                    let op = table.text(row, Column::Operation).trim().to_lowercase();
                    Target::new(
                        TargetKind::Number,
                        table.text(row, Column::Number).trim(),
                        (!op.is_empty()).then_some(op),
                    )
                })
                .filter(|t| !t.id.is_empty())
                .collect(),
        )
    }

    fn streamed(text: &[u8], cuts: &[usize]) -> Described {
        let mut reader = CsvTargets::new();
        let mut at = 0;
        for &cut in cuts {
            let cut = cut.min(text.len()).max(at);
            reader.push(&text[at..cut]);
            at = cut;
        }
        reader.push(&text[at..]);
        reader.finish()
    }

    #[test]
    fn rows_become_numbers_with_their_operation() {
        let text = "\u{feff}Operation;NUMBER;NOTE\r\nUpdate;+13035550100;\"a;b\"\r\n;;\r\ndelete; +13035550101 ;x\r\n";
        let d = streamed(text.as_bytes(), &[1, 2, 5, 30]);
        assert_eq!(d.total, 2);
        assert_eq!(d.targets[0].id, "+13035550100");
        assert_eq!(d.targets[0].detail.as_deref(), Some("update"));
        assert_eq!(d.targets[1].id, "+13035550101");
        assert_eq!(d.targets[1].detail.as_deref(), Some("delete"));
    }

    #[test]
    fn a_large_batch_keeps_the_first_thousand_and_counts_all() {
        let mut text = String::from("OPERATION,NUMBER\n");
        for i in 0..5000 {
            text.push_str(&format!("detach,+1303555{i:04}\n"));
        }
        let d = streamed(text.as_bytes(), &[7, 8192, 20_000]);
        assert_eq!(d.total, 5000);
        assert_eq!(d.targets.len(), MAX_TARGETS);
        assert_eq!(d.targets[999].id, "+13035550999");
    }

    #[test]
    fn an_export_gives_the_groups_of_its_numbers() {
        let mut c = CsvColumn::new(Column::GroupId);
        c.push(b"NUMBER,GROUP_ID\r\n+1,ocp\r\n+2, ocp-qa \r");
        c.push(b"\n+3,ocp\r\n+4,\r\n");
        let groups: Vec<String> = c.finish().into_iter().collect();
        assert_eq!(groups, ["ocp", "ocp-qa"]);
    }

    #[test]
    fn a_file_without_a_number_column_touches_nothing() {
        let d = streamed(b"OPERATION,NOTE\nupdate,x\n", &[]);
        assert_eq!(d, Described::default());
        assert_eq!(streamed(b"", &[]), Described::default());
    }

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\+1303555[0-9]{4}",
            "(update|Delete|ATTACH| detach )",
            "[ a-z,;\t\"=\r\n]{0,6}",
            Just(String::new()),
            Just("'=1+1".to_string()),
        ]
    }

    fn quoted(c: &str, delimiter: char) -> String {
        if c.contains([delimiter, '"', '\r', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_string()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn streaming_reads_what_the_whole_file_reader_reads(
            rows in prop::collection::vec(prop::collection::vec(cell(), 3), 1..40),
            delimiter in prop::sample::select(vec![',', ';', '\t']),
            bom in any::<bool>(),
            crlf in any::<bool>(),
            cuts in prop::collection::vec(0usize..4000, 0..12),
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let d = delimiter.to_string();
            let mut text = String::new();
            if bom { text.push('\u{feff}'); }
            text.push_str(&["OPERATION", "NUMBER", "NOTE"].join(&d));
            text.push_str(end);
            for row in &rows {
                let cells: Vec<String> = row.iter().map(|c| quoted(c, delimiter)).collect();
                text.push_str(&cells.join(&d));
                text.push_str(end);
            }
            let mut cuts = cuts;
            cuts.sort_unstable();
            if let Some(whole) = read_whole(&text) {
                let d = streamed(text.as_bytes(), &cuts);
                prop_assert_eq!(d.total as usize, whole.len());
                prop_assert_eq!(d.targets, whole);
            }
        }
    }
}
