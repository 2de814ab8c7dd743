//! The history's CSV export.

use super::{format_time, Entry, Target};
use crate::csv as numbers_csv;

/// The columns of the history export.
pub const EXPORT_COLUMNS: [&str; 12] = [
    "TIME_UTC",
    "PROVIDER",
    "ENVIRONMENT",
    "ACTION",
    "WHO",
    "TOUCHED",
    "OUTCOME",
    "STATUS",
    "CODE",
    "MESSAGE",
    "DURATION_MS",
    "REQUEST_ID",
];

/// What an entry touched, in one line ("+15550100 (attach); set s-1"),
/// with the count of what was not kept ("and 129000 more") and, for a
/// refused change, how much it named and where it came from.
pub fn touched(entry: &Entry) -> String {
    let mut parts: Vec<String> = entry.targets.iter().map(Target::to_string).collect();
    let more = entry.touched_count() - entry.targets.len() as u64;
    if entry.targets.is_empty() && more > 0 {
        parts.push(format!(
            "{more} {}",
            if more == 1 { "target" } else { "targets" }
        ));
    } else if more > 0 {
        parts.push(format!("and {more} more"));
    }
    if let Some(client) = &entry.client {
        parts.push(format!("from {client}"));
    }
    parts.join("; ")
}

/// The history export: one row per entry, every cell guarded so that a
/// spreadsheet never runs a cell as a formula.
pub fn export(entries: &[Entry]) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut write = |cells: &[&str]| {
        let guarded: Vec<_> = cells.iter().map(|c| numbers_csv::guard_cell(c)).collect();
        // Writing to memory cannot fail.
        let _ = w.write_record(guarded.iter().map(|c| c.as_bytes()));
    };
    write(&EXPORT_COLUMNS);
    for e in entries {
        let status = e.status.to_string();
        let duration = e.duration_ms.to_string();
        write(&[
            &format_time(e.time_ms),
            &e.provider,
            &e.environment,
            &e.action,
            &e.who,
            &touched(e),
            e.outcome.as_str(),
            &status,
            e.code.as_deref().unwrap_or_default(),
            e.message.as_deref().unwrap_or_default(),
            &duration,
            &e.id,
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
