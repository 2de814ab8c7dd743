//! A valid file against the numbers' current state: what each row changes,
//! and rows the server would refuse (a Create of a number that exists; any
//! other operation on a number that does not).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::read::{CellRef, CsvTable};
use super::validate::Validation;
use super::write::{export_cells, EXPORT_COLUMNS};
use super::{Column, Operation, Problem, ProblemCode};
use crate::models::ocp::NumberRecord;
use crate::models::run::NumberDrift;

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

/// The `remaining` numbers (those a run has still to change) whose state on
/// the provider is no longer as the run's `backup` (an export taken when it
/// was handed over) holds it: each changed column, or that the number was
/// deleted or created since. The provider's numbers are compared as they
/// arrive, a page at a time ([`Drift::arrived`]), never all held at once.
pub struct Drift<'a> {
    backup: &'a CsvTable,
    remaining: &'a HashSet<&'a str>,
    /// The backup's row of each remaining number it holds, until it arrives.
    waiting: HashMap<&'a str, usize>,
    found: BTreeMap<String, String>,
}

impl<'a> Drift<'a> {
    /// A comparison of the `remaining` numbers with `backup`.
    pub fn new(backup: &'a CsvTable, remaining: &'a HashSet<&'a str>) -> Self {
        let waiting = (0..backup.len())
            .map(|row| (backup.text(row, Column::Number), row))
            .filter(|(number, _)| remaining.contains(number))
            .collect();
        Self {
            backup,
            remaining,
            waiting,
            found: BTreeMap::new(),
        }
    }

    /// Compares one number as the provider holds it now (others, and a
    /// number listed again, are passed over).
    pub fn arrived(&mut self, now: &NumberRecord) {
        let number = now.number.as_str();
        if !self.remaining.contains(number) || self.found.contains_key(number) {
            return;
        }
        let what = match self.waiting.remove(number) {
            None => format!("created since, in group {}", show(now.group_id.as_deref())),
            Some(row) => {
                let backup = self.backup;
                EXPORT_COLUMNS
                    .iter()
                    .zip(export_cells(now))
                    .filter(|(c, _)| **c != Column::Number)
                    .filter(|(c, now)| backup.text(row, **c) != now.trim())
                    .map(|(c, now)| {
                        format!(
                            "{} {} → {}",
                            c.name(),
                            show(Some(backup.text(row, *c))),
                            show(Some(now.trim()))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        };
        if !what.is_empty() {
            self.found.insert(number.to_string(), what);
        }
    }

    /// What changed, by number; numbers of the backup that never arrived
    /// were deleted since.
    pub fn finish(mut self) -> Vec<NumberDrift> {
        for number in self.waiting.into_keys() {
            self.found
                .insert(number.to_string(), "deleted since".into());
        }
        self.found
            .into_iter()
            .map(|(number, what)| NumberDrift { number, what })
            .collect()
    }
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

    #[test]
    fn drift_names_the_numbers_changed_since_the_backup_among_those_left() {
        let rec = |n: &str, group: &str, note: Option<&str>| NumberRecord {
            number: n.into(),
            group_id: Some(group.into()),
            note: note.map(Into::into),
            ..Default::default()
        };
        let at_hand_over = [
            rec("+12010000001", "ocp", Some("same")),
            rec("+12010000002", "ocp", Some("before")),
            rec("+12010000003", "ocp", None),
            rec("+12010000004", "ocp", Some("applied already")),
            rec("+12010000005", "ocp", Some("=1+1")),
        ];
        let backup = read(crate::csv::export(&at_hand_over).as_bytes()).expect("reads");
        let current: HashMap<String, NumberRecord> = [
            rec("+12010000001", "ocp", Some("same")),
            rec("+12010000002", "ocp-qa", Some("after")),
            rec("+12010000004", "ocp", Some("the run's own change")),
            rec("+12010000005", "ocp", Some("=1+1")),
            rec("+12010000006", "ocp", None),
        ]
        .into_iter()
        .map(|r| (r.number.clone(), r))
        .collect();
        // Number 4's batch was applied: it is no longer "remaining".
        let remaining: HashSet<&str> = [
            "+12010000001",
            "+12010000002",
            "+12010000003",
            "+12010000005",
            "+12010000006",
            "+12010000007",
        ]
        .into_iter()
        .collect();
        let mut drift = Drift::new(&backup, &remaining);
        // As the provider lists them, one of them twice.
        let mut listed: Vec<&NumberRecord> = current.values().collect();
        listed.sort_by(|a, b| b.number.cmp(&a.number));
        listed.push(listed[0]);
        for now in listed {
            drift.arrived(now);
        }
        let found = drift.finish();
        let said: Vec<(&str, &str)> = found
            .iter()
            .map(|d| (d.number.as_str(), d.what.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                (
                    "+12010000002",
                    "GROUP_ID \"ocp\" → \"ocp-qa\"; NOTE \"before\" → \"after\""
                ),
                ("+12010000003", "deleted since"),
                ("+12010000006", "created since, in group \"ocp\""),
            ]
        );
    }
}
