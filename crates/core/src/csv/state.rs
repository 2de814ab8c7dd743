//! A valid file against the numbers' current state: what each row changes,
//! and rows the server would refuse (a Create of a number that exists; any
//! other operation on a number that does not).

use std::collections::HashMap;

use super::read::{CellRef, CsvTable};
use super::validate::Validation;
use super::{Column, Operation, Problem, ProblemCode};
use crate::models::ocp::NumberRecord;

/// What one row does to its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowChange {
    /// The row of the file (0-based among data rows).
    pub row: usize,
    /// The value the provider holds now.
    pub before: String,
    /// The value the row would write.
    pub after: String,
    /// Set when the server would refuse the row.
    pub problem: Option<Problem>,
}

fn show(v: Option<&str>) -> String {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => format!("\"{s}\""),
        None => "(empty)".into(),
    }
}

pub(crate) fn field(r: &NumberRecord, c: Column) -> Option<&str> {
    match c {
        Column::MiniappId => r.mini_app_id.as_deref(),
        Column::Locale => r.locale.as_deref(),
        Column::ApplicationTag => r.application_tag.as_deref(),
        Column::PhoneNumberSetId => r.set_id(),
        Column::Note => r.note.as_deref(),
        _ => None,
    }
}

/// Compares every valid row with `current` (the numbers as the server has them).
pub fn against_state(
    table: &CsvTable,
    validation: &Validation,
    current: &HashMap<String, NumberRecord>,
) -> Vec<RowChange> {
    let mut out = Vec::new();
    for (row, op, number) in validation.numbered_rows(table) {
        let line = table.line(row);
        let now = current.get(number);
        let refuse =
            |code, message: String| Some(Problem::error(line, Some(Column::Number), code, message));
        let (before, after, problem) = match (op, now) {
            (Operation::Create, Some(r)) => (
                format!("exists in group {}", r.group_id.as_deref().unwrap_or("?")),
                "refused: it exists already".into(),
                refuse(
                    ProblemCode::NumberExists,
                    format!("{number} exists already: a Create would be refused"),
                ),
            ),
            (Operation::Create, None) => (
                "(none)".into(),
                format!("new in group {}", table.text(row, Column::GroupId)),
                None,
            ),
            (_, None) => (
                "(none)".into(),
                "refused: no such number".into(),
                refuse(
                    ProblemCode::UnknownNumber,
                    format!("{number} does not exist: the {op} would be refused"),
                ),
            ),
            (Operation::Delete, Some(r)) => (
                format!("in group {}", r.group_id.as_deref().unwrap_or("?")),
                "deleted".into(),
                None,
            ),
            (Operation::Detach, Some(r)) => (
                format!("miniApp {}", show(r.mini_app_id.as_deref())),
                "miniApp (empty)".into(),
                None,
            ),
            (Operation::Attach | Operation::Update, Some(r)) => {
                let columns: Vec<Column> = Column::UPDATABLE
                    .into_iter()
                    .filter(|&c| !table.cell(row, c).is_empty())
                    .filter(|&c| {
                        op == Operation::Update
                            || matches!(
                                c,
                                Column::MiniappId | Column::Locale | Column::ApplicationTag
                            )
                    })
                    .collect();
                let mut before = Vec::new();
                let mut after = Vec::new();
                for c in columns {
                    let new = match table.cell(row, c) {
                        CellRef::Null => None,
                        cell => cell.value(),
                    };
                    before.push(format!("{}: {}", c.name(), show(field(r, c))));
                    after.push(format!("{}: {}", c.name(), show(new)));
                }
                (before.join("; "), after.join("; "), None)
            }
        };
        out.push(RowChange {
            row,
            before,
            after,
            problem,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{read, validate};

    #[test]
    fn rows_are_compared_with_the_current_state() {
        let file = "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,NOTE\n\
            create,+12010000001,ocp,twilio,,,\n\
            create,+12010000002,ocp,twilio,,,\n\
            delete,+12010000003,,,,,\n\
            update,+12010000004,,,,,new\n\
            detach,+12010000009,,,,,\n";
        let table = read(file.as_bytes()).expect("reads");
        let v = validate(&table);
        let rec = |n: &str, note: Option<&str>| NumberRecord {
            number: n.into(),
            group_id: Some("ocp".into()),
            note: note.map(Into::into),
            ..Default::default()
        };
        let current: HashMap<String, NumberRecord> = [
            rec("+12010000002", None),
            rec("+12010000003", None),
            rec("+12010000004", Some("old")),
        ]
        .into_iter()
        .map(|r| (r.number.clone(), r))
        .collect();
        let changes = against_state(&table, &v, &current);
        assert_eq!(changes.len(), 5);
        assert_eq!(changes[0].after, "new in group ocp");
        assert_eq!(
            changes[1].problem.as_ref().map(|p| p.code),
            Some(ProblemCode::NumberExists)
        );
        assert_eq!(changes[2].after, "deleted");
        assert_eq!(
            (changes[3].before.as_str(), changes[3].after.as_str()),
            ("NOTE: \"old\"", "NOTE: \"new\"")
        );
        assert_eq!(
            changes[4].problem.as_ref().map(|p| (p.code, p.line)),
            Some((ProblemCode::UnknownNumber, 6))
        );
    }
}
