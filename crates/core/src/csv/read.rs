//! Reading: bytes in, a table of rows or the reasons it cannot be read out.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::formula::unguard_cell;
use super::scan::{self, Scan};
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
    /// A value as written (unquoted).
    Value(&'a str),
}

impl<'a> CellRef<'a> {
    /// The value, unless the column is absent.
    pub fn value(self) -> Option<&'a str> {
        match self {
            Self::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the cell is absent or empty.
    pub fn is_empty(self) -> bool {
        self == Self::Empty
    }
}

/// A parsed CSV file: its header and rows, kept as the file had them.
///
/// The table owns the file's text and keeps every field as a range of it,
/// so reading copies nothing a row.
#[derive(Debug, Clone)]
pub struct CsvTable {
    delimiter: u8,
    header_line: u64,
    headers: Vec<String>,
    index: [Option<usize>; Column::COUNT],
    text: String,
    /// Record 0 is the header; data row `r` is record `r + 1`.
    scan: Scan,
    problems: Vec<Problem>,
    /// The text of the few cells an export guarded inside (`x;'=1`), by
    /// (row, position): the rest are ranges of the file.
    unguarded: FxHashMap<(usize, usize), Box<str>>,
}

impl CsvTable {
    /// Number of data rows (the header not counted).
    pub fn len(&self) -> usize {
        self.scan.len().saturating_sub(1)
    }

    /// Whether the file has no data rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The delimiter the file uses (`,` or `;`).
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The line of the file the header is on (1-based).
    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// The whole file as it was read (BOM included, if it had one).
    pub fn source(&self) -> &str {
        &self.text
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

    /// Whether the header names `column`.
    pub fn has_column(&self, column: Column) -> bool {
        self.index[column.index()].is_some()
    }

    /// Where each known column is in the file's header.
    pub(super) fn column_positions(&self) -> &[Option<usize>; Column::COUNT] {
        &self.index
    }

    /// 1-based line of the file where `row` starts.
    pub fn line(&self, row: usize) -> u64 {
        self.scan.lines.get(row + 1).map_or(0, |&l| u64::from(l))
    }

    /// The row's fields as the file had them (for reports).
    pub fn fields(&self, row: usize) -> impl Iterator<Item = &str> + '_ {
        self.scan.fields(&self.text, row + 1)
    }

    /// Whether the row has as many fields as the header.
    pub fn is_ragged(&self, row: usize) -> bool {
        row < self.len() && self.scan.field_count(row + 1) != self.headers.len()
    }

    /// The field at `position` of the row, untouched.
    pub(super) fn raw(&self, row: usize, position: usize) -> Option<&str> {
        (position < self.scan.field_count(row + 1))
            .then(|| self.scan.field(&self.text, row + 1, position))
    }

    /// The cell's text: trimmed, with a formula guard added by an export removed.
    pub fn text(&self, row: usize, column: Column) -> &str {
        let Some(i) = self.index[column.index()] else {
            return "";
        };
        if let Some(t) = self.unguarded.get(&(row, i)) {
            return t;
        }
        match self.raw(row, i).map(cell_text) {
            Some(Cow::Borrowed(t)) => t,
            _ => "",
        }
    }

    /// The cell of `row` in `column` (absent when the header lacks it).
    pub fn cell(&self, row: usize, column: Column) -> CellRef<'_> {
        CellRef::of(self.text(row, column))
    }

    /// Problems found while reading: unknown columns, ragged rows.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

/// A field as the rules read it: trimmed, with a formula guard added by an
/// export removed (borrowed unless the guard sat inside the cell).
pub(crate) fn cell_text(field: &str) -> Cow<'_, str> {
    // Most fields start and end with a visible ASCII character: no
    // whitespace to look for (`trim` would decode both ends as Unicode).
    let b = field.as_bytes();
    let trimmed = match (b.first(), b.last()) {
        (Some(f), Some(l)) if !(f.is_ascii_graphic() && l.is_ascii_graphic()) => field.trim(),
        _ => field,
    };
    unguard_cell(trimmed)
}

impl<'a> CellRef<'a> {
    /// A cell's trimmed text as the rules see it.
    pub(super) fn of(text: &'a str) -> Self {
        if text.is_empty() {
            CellRef::Empty
        } else if text.eq_ignore_ascii_case(NULL_MARKER) {
            CellRef::Null
        } else {
            CellRef::Value(text)
        }
    }
}

/// Reads a CSV file: UTF-8 with or without BOM, CRLF or LF, quoted fields,
/// delimiter `,` `;` or tab (sniffed from the header). Rows whose every cell
/// is blank (spreadsheets leave them) are skipped.
///
/// A file that cannot be read at all gives `Err` with the reason; problems
/// of single rows are kept in [`CsvTable::problems`].
pub fn read(bytes: &[u8]) -> Result<CsvTable, Vec<Problem>> {
    check_size(bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|e| invalid_utf8(bytes, e))?;
    read_text(text.to_owned())
}

/// [`read`] of a file the caller hands over (a dropped file's bytes): the
/// table keeps them, so nothing is copied.
pub fn read_owned(bytes: Vec<u8>) -> Result<CsvTable, Vec<Problem>> {
    check_size(&bytes)?;
    let text = String::from_utf8(bytes).map_err(|e| invalid_utf8(e.as_bytes(), e.utf8_error()))?;
    read_text(text)
}

fn fatal(line: u64, code: ProblemCode, message: String) -> Vec<Problem> {
    vec![Problem::error(line, None, code, message)]
}

fn check_size(bytes: &[u8]) -> Result<(), Vec<Problem>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(fatal(
            1,
            ProblemCode::TooLarge,
            format!(
                "the file has {} MB; the console takes files up to {} MB: split it into smaller files",
                bytes.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(empty_file(1));
    }
    Ok(())
}

pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

fn empty_file(line: u64) -> Vec<Problem> {
    fatal(
        line,
        ProblemCode::EmptyFile,
        "the file is empty: export numbers or download a template to start from".into(),
    )
}

fn invalid_utf8(bytes: &[u8], e: std::str::Utf8Error) -> Vec<Problem> {
    fatal(
        line_of(bytes, e.valid_up_to()),
        ProblemCode::InvalidUtf8,
        "this line is not UTF-8 text: save the file as \"CSV UTF-8\" and try again".into(),
    )
}

fn read_text(text: String) -> Result<CsvTable, Vec<Problem>> {
    // A BOM is skipped; so is a second one right after it, as the csv
    // crate's reader (which read files before the scan) did.
    let mut body = 0;
    for _ in 0..2 {
        if text.as_bytes()[body..].starts_with(BOM) {
            body += BOM.len();
        }
    }
    let delimiter = sniff_delimiter(&text.as_bytes()[body..]);
    let scan = scan::scan(&text, body, delimiter).map_err(|open| {
        fatal(
            line_of(text.as_bytes(), open.at),
            ProblemCode::UnterminatedQuote,
            "a quoted field opens here and never closes: add the closing \" (write \"\" for a quote inside a field)".into(),
        )
    })?;
    let Some(&header_line) = scan.lines.first() else {
        return Err(empty_file(1));
    };
    let header_line = u64::from(header_line);
    let headers: Vec<String> = scan
        .fields(&text, 0)
        .map(|h| h.trim().to_string())
        .collect();

    let mut index = [None; Column::COUNT];
    let mut unknown = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match Column::parse(h) {
            Some(c) if index[c.index()].is_some() => {
                return Err(fatal(
                    header_line,
                    ProblemCode::DuplicateColumn,
                    format!("the column {c} appears twice in the header: keep one"),
                ));
            }
            Some(c) => index[c.index()] = Some(i),
            None => unknown.push(h.as_str()),
        }
    }
    let mut problems = Vec::new();
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
    if scan.lines.len() < 2 {
        return Err(fatal(
            header_line,
            ProblemCode::NoRows,
            "the file has a header but no rows: add one row per number".into(),
        ));
    }
    for (record, &line) in scan.lines.iter().enumerate().skip(1) {
        let fields = scan.field_count(record);
        if fields != headers.len() {
            problems.push(Problem::error(
                u64::from(line),
                None,
                ProblemCode::RaggedRow,
                format!(
                    "this row has {fields} fields but the header has {}: check for a missing or extra delimiter",
                    headers.len()
                ),
            ));
        }
    }
    let unguarded = inner_guards(&text, &scan);
    Ok(CsvTable {
        delimiter,
        header_line,
        headers,
        index,
        text,
        scan,
        problems,
        unguarded,
    })
}

/// The cells whose text had a guard inside it taken off. Only a file
/// with a quote right after a split character can have one: most files
/// are not looked at field by field.
fn inner_guards(text: &str, scan: &Scan) -> FxHashMap<(usize, usize), Box<str>> {
    let mut out = FxHashMap::default();
    let maybe = memchr::memchr_iter(b'\'', text.as_bytes())
        .any(|i| i > 0 && matches!(text.as_bytes()[i - 1], b';' | b',' | b'\t' | b'\r' | b'\n'));
    if !maybe {
        return out;
    }
    for record in 1..scan.len() {
        for (i, field) in scan.fields(text, record).enumerate() {
            if let Cow::Owned(t) = cell_text(field) {
                out.insert((record - 1, i), t.into_boxed_str());
            }
        }
    }
    out
}

fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        format!("\"{s}\"")
    } else {
        format!("\"{}…\"", s.chars().take(MAX).collect::<String>())
    }
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// The delimiter the header line uses most among `,` `;` and tab.
pub(crate) fn sniff_delimiter(bytes: &[u8]) -> u8 {
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
