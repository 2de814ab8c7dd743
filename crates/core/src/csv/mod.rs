//! The OCP numbers CSV: reading, validating, planning batches, writing.
//!
//! The same code checks a file in the browser before anything is sent and in
//! the sandbox when it arrives, so the preview and the server agree.
//!
//! A file goes [`read`] → [`validate`] → [`plan`]: a table, every row's
//! problems, then batches that respect each operation's limit.
//!
//! ```
//! use numbers_core::csv::{plan, read, validate};
//! use numbers_core::limits::Limits;
//!
//! let file = b"OPERATION,NUMBER,NOTE\r\nupdate,+12015550100,moved\r\nupdate,+12015550101,moved\r\n";
//! let table = read(file).expect("a CSV table");
//! let checked = validate(&table);
//! assert_eq!((checked.valid_rows(), checked.invalid_rows()), (2, 0));
//!
//! // At most one update a request: two batches.
//! let limits = Limits { update: 1, ..Limits::default() };
//! let batches = plan(&checked, &limits).expect("a plan");
//! assert_eq!(batches.batches.len(), 2);
//! ```

mod formula;
mod plan;
mod read;
pub mod run;
mod scan;
mod state;
mod validate;
mod write;

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use formula::{becomes_formula, guard_cell, is_formula, unguard_cell};
pub use plan::{limit_problems, plan, plan_without, relabel_lines, Batch, Plan, PlanError};
pub(crate) use read::{cell_text, sniff_delimiter, BOM};
pub use read::{read, read_owned, CellRef, CsvTable, MAX_FILE_BYTES};
pub use state::{against_state, Drift, RowChange};
pub use validate::{validate, Validation};
pub use write::{
    bulk_file, errors_report, errors_report_with, export, export_cells, export_parts, failed_rows,
    revert, revert_parts, strip_formulas, BackupWriter, BulkChange, RevertWriter, EXPORT_COLUMNS,
};

/// The columns of the OCP numbers CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Column {
    /// `APPLICATION_TAG`.
    ApplicationTag,
    /// `COUNTRY`.
    Country,
    /// `GROUP_ID`.
    GroupId,
    /// `LOCALE`.
    Locale,
    /// `MINIAPP_DIAMANT_APP_NAME`.
    MiniappDiamantAppName,
    /// `MINIAPP_GROUP`.
    MiniappGroup,
    /// `MINIAPP_ID`.
    MiniappId,
    /// `MINIAPP_NAME`.
    MiniappName,
    /// `MINIAPP_TYPE`.
    MiniappType,
    /// `NUMBER`.
    Number,
    /// `PHONE_NUMBER_SET_ID`.
    PhoneNumberSetId,
    /// `NOTE`.
    Note,
    /// `OPERATION`.
    Operation,
    /// `PROVIDER`.
    Provider,
}

impl Column {
    /// How many columns there are.
    pub const COUNT: usize = 14;
    /// Every column, in the order of the enum.
    pub const ALL: [Column; Self::COUNT] = [
        Self::ApplicationTag,
        Self::Country,
        Self::GroupId,
        Self::Locale,
        Self::MiniappDiamantAppName,
        Self::MiniappGroup,
        Self::MiniappId,
        Self::MiniappName,
        Self::MiniappType,
        Self::Number,
        Self::PhoneNumberSetId,
        Self::Note,
        Self::Operation,
        Self::Provider,
    ];

    /// The header as documented.
    pub fn name(self) -> &'static str {
        match self {
            Self::ApplicationTag => "APPLICATION_TAG",
            Self::Country => "COUNTRY",
            Self::GroupId => "GROUP_ID",
            Self::Locale => "LOCALE",
            Self::MiniappDiamantAppName => "MINIAPP_DIAMANT_APP_NAME",
            Self::MiniappGroup => "MINIAPP_GROUP",
            Self::MiniappId => "MINIAPP_ID",
            Self::MiniappName => "MINIAPP_NAME",
            Self::MiniappType => "MINIAPP_TYPE",
            Self::Number => "NUMBER",
            Self::PhoneNumberSetId => "PHONE_NUMBER_SET_ID",
            Self::Note => "NOTE",
            Self::Operation => "OPERATION",
            Self::Provider => "PROVIDER",
        }
    }

    /// Matches a header case-insensitively, ignoring surrounding spaces.
    pub fn parse(header: &str) -> Option<Self> {
        let h = header.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(h))
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Columns an Update row may change (and clear with `<NULL>`).
    pub const UPDATABLE: [Column; 5] = [
        Self::MiniappId,
        Self::PhoneNumberSetId,
        Self::ApplicationTag,
        Self::Locale,
        Self::Note,
    ];
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The `OPERATION` of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// A new number (bought or added directly).
    Create,
    /// Changes the columns of `UPDATABLE` on an existing number.
    Update,
    /// Attaches a number to a miniApp.
    Attach,
    /// Detaches a number from its miniApp.
    Detach,
    /// Deletes a number.
    Delete,
}

impl Operation {
    /// Every operation, in the order rows are counted.
    pub const ALL: [Operation; 5] = [
        Self::Create,
        Self::Update,
        Self::Attach,
        Self::Detach,
        Self::Delete,
    ];

    /// The operation as written in the `OPERATION` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Attach => "attach",
            Self::Detach => "detach",
            Self::Delete => "delete",
        }
    }

    /// Case-insensitive, surrounding spaces ignored.
    pub fn parse(s: &str) -> Option<Self> {
        // Every name has six letters: six bytes need no trimming, and most
        // other cells are told apart by their length.
        let t = if s.len() == 6 { s } else { s.trim() };
        let b = t.as_bytes();
        if b.len() != 6 {
            return None;
        }
        let op = match (b[0].to_ascii_lowercase(), b[2].to_ascii_lowercase()) {
            (b'c', _) => Self::Create,
            (b'u', _) => Self::Update,
            (b'a', _) => Self::Attach,
            (b'd', b't') => Self::Detach,
            (b'd', _) => Self::Delete,
            _ => return None,
        };
        op.as_str().eq_ignore_ascii_case(t).then_some(op)
    }

    /// The columns a row of this operation must fill.
    pub fn required(self) -> &'static [Column] {
        match self {
            Self::Create => &[Column::GroupId, Column::Number, Column::Provider],
            Self::Attach => &[Column::Number, Column::MiniappId, Column::Locale],
            Self::Update | Self::Detach | Self::Delete => &[Column::Number],
        }
    }

    /// Whether the operation changes or removes state a backup should keep.
    pub fn is_destructive(self) -> bool {
        matches!(self, Self::Update | Self::Detach | Self::Delete)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.as_str();
        let mut chars = s.chars();
        if let Some(first) = chars.next() {
            write!(f, "{}{}", first.to_ascii_uppercase(), chars.as_str())?;
        }
        Ok(())
    }
}

/// Rows per operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpCounts(pub [usize; 5]);

impl OpCounts {
    /// How many rows of `op`.
    pub fn get(&self, op: Operation) -> usize {
        self.0[op.index()]
    }

    /// Counts one more row of `op`.
    pub fn add(&mut self, op: Operation) {
        self.0[op.index()] += 1;
    }

    /// How many rows of every operation.
    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }

    /// Each operation with its count, zeros included.
    pub fn iter(&self) -> impl Iterator<Item = (Operation, usize)> + '_ {
        Operation::ALL.into_iter().map(|op| (op, self.get(op)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// Whether a problem blocks the row (error) or only asks a look (warning).
pub enum Severity {
    /// Nothing is sent while any row has one.
    Error,
    /// Shown; does not block.
    Warning,
}

/// What is wrong, as a value the UI can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemCode {
    /// The file holds nothing.
    EmptyFile,
    /// The file is larger than OCP takes.
    TooLarge,
    /// The file is not UTF-8 text.
    InvalidUtf8,
    /// A quoted cell never ends.
    UnterminatedQuote,
    /// A header but no row.
    NoRows,
    /// A column the rows' operations need is not in the header.
    MissingColumns,
    /// A column named twice in the header.
    DuplicateColumn,
    /// A header that is none of the documented columns.
    UnknownColumn,
    /// A row with more or fewer cells than the header.
    RaggedRow,
    /// A row without an `OPERATION`.
    MissingOperation,
    /// An `OPERATION` that is none of the five.
    UnknownOperation,
    /// A value the operation needs is empty.
    MissingValue,
    /// A `NUMBER` that is not E.164.
    InvalidNumber,
    /// A `LOCALE` that is not a language tag.
    InvalidLocale,
    /// `<NULL>` where a value cannot be cleared.
    NullNotAllowed,
    /// The same number in two rows.
    DuplicateNumber,
    /// An update that changes nothing.
    NoChange,
    /// More rows of an operation than one request may carry.
    OverLimit,
    /// Found by the server against its state: Create of a number it has.
    NumberExists,
    /// Found by the server: a number it does not have.
    UnknownNumber,
    /// Found by the server: a group the user may not touch.
    NoPermission,
    /// Found by the server: a set of another group, or no such set.
    WrongSet,
    /// A cell a spreadsheet would run as a formula (OWASP CSV injection).
    FormulaCell,
    /// Found by the server: no miniApp has the ID.
    UnknownMiniApp,
    /// A MINIAPP_ID not of the documented shape.
    MiniAppIdShape,
}

/// One problem of a file: where, what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// The column, as documented, or the file's own header for unknown ones.
    /// (Borrowed for known columns: a file can have a warning a row.)
    pub column: Option<Cow<'static, str>>,
    /// What kind of problem it is.
    pub code: ProblemCode,
    /// Whether it blocks the row.
    pub severity: Severity,
    /// (Static where it can be: a file can have a warning a row.)
    pub message: Cow<'static, str>,
}

impl Problem {
    /// An error (it blocks the row) of `code` at `line`, in `column` if one.
    pub fn error(
        line: u64,
        column: Option<Column>,
        code: ProblemCode,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            line,
            column: column.map(|c| Cow::Borrowed(c.name())),
            code,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub(crate) fn warning(
        line: u64,
        column: Option<Cow<'static, str>>,
        code: ProblemCode,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            line,
            column,
            code,
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    /// Whether it blocks the row.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A problem of the file as a whole (its header, its size, its limits),
    /// not of one row: shown as such, never counted as an invalid row.
    pub fn is_file_level(&self) -> bool {
        matches!(
            self.code,
            ProblemCode::EmptyFile
                | ProblemCode::TooLarge
                | ProblemCode::NoRows
                | ProblemCode::MissingColumns
                | ProblemCode::DuplicateColumn
                | ProblemCode::UnknownColumn
                | ProblemCode::OverLimit
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, {}: {}", self.line, c, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// The marker that clears a field in an Update row.
pub const NULL_MARKER: &str = "<NULL>";

#[cfg(test)]
mod tests;
