//! The allocations a team made, read from its history. Exotel has no list
//! of allocations; the gateway's history names each allocation an
//! `allocate` made (its id, virtual number and connection), for everyone
//! whose key may read that tenant. Allocations made before the gateway kept
//! a history, held in one browser's register, are imported into it once:
//! each read from Exotel with the importer's key and recorded as
//! [`IMPORTED`].

use serde::{Deserialize, Serialize};

use super::{Entry, Filter, Outcome, TargetKind};
use crate::endpoints::Provider;

/// The history's action name of a new allocation.
const ALLOCATE: &str = "allocate";

/// The history's action name of an allocation imported from a browser's
/// register (found by the same filter as an `allocate`).
pub const IMPORTED: &str = "allocate (imported from a browser's register)";

/// The most allocations one import reads from Exotel.
pub const IMPORT_MOST: usize = 500;

/// `POST /relay/exotel/{env}/history/allocations?sid=…`: the allocations
/// of a browser's register to import into the team's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationImport {
    /// Exotel's ids of the allocations (at most [`IMPORT_MOST`]).
    pub greenvn_ids: Vec<String>,
}

/// What an import did with each allocation it was given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedAllocations {
    /// Read from Exotel and recorded: now listed for the team.
    pub imported: Vec<String>,
    /// The history listed them already.
    pub listed_already: Vec<String>,
    /// Exotel has them no more (deallocated, or never in this tenant).
    pub gone: Vec<String>,
    /// Could not be read now, with why: try again later.
    pub failed: Vec<(String, String)>,
}

impl ImportedAllocations {
    /// What the import did, in a sentence.
    pub fn summary(&self) -> String {
        let n = |v: usize, one: &str, many: &str| crate::text::count(v, one, many);
        let mut parts = vec![format!(
            "{} shared with the team",
            n(self.imported.len(), "allocation", "allocations")
        )];
        if !self.listed_already.is_empty() {
            parts.push(format!("{} listed already", self.listed_already.len()));
        }
        if !self.gone.is_empty() {
            parts.push(format!("{} no longer on Exotel", self.gone.len()));
        }
        if !self.failed.is_empty() {
            parts.push(format!(
                "{} could not be read now (try again later: {})",
                self.failed.len(),
                self.failed[0].1
            ));
        }
        format!("{}.", parts.join("; "))
    }
}

/// The history filter that finds the allocations made.
pub fn allocations_filter() -> Filter {
    Filter {
        action: Some(ALLOCATE.into()),
        outcome: Some(Outcome::Ok),
        provider: Some(Provider::Exotel),
        ..Filter::default()
    }
}

/// An allocation the history says someone made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeAllocation {
    /// Exotel's id of it.
    pub greenvn_id: String,
    /// The virtual number it was given.
    pub green_vn: String,
    /// The connection id it was made for.
    pub connection_id: String,
    /// Who made it, as Exotel knows their key.
    pub made_by: String,
    /// When, in milliseconds since 1970 (UTC); for one imported, when it
    /// was imported.
    pub made_ms: i64,
    /// Imported from a browser's register (made before the history kept it).
    pub imported: bool,
}

/// Each allocation made in `entries`, once, in their order (the history
/// reads newest first). Entries of anything else are passed over.
pub fn allocations_made(entries: &[Entry]) -> Vec<MadeAllocation> {
    let mut out: Vec<MadeAllocation> = Vec::new();
    for e in entries {
        if e.provider != Provider::Exotel.as_str()
            || !(e.action == ALLOCATE || e.action == IMPORTED)
            || e.outcome != Outcome::Ok
        {
            continue;
        }
        let Some(allocation) = e.targets.iter().find(|t| t.kind == TargetKind::Allocation) else {
            continue;
        };
        if out.iter().any(|m| m.greenvn_id == allocation.id) {
            continue;
        }
        let connection_id = allocation
            .detail
            .as_deref()
            .and_then(|d| d.strip_prefix("connection "))
            .unwrap_or_default();
        let green_vn = e
            .targets
            .iter()
            .find(|t| t.kind == TargetKind::Number && t.detail.as_deref() == Some("virtual number"))
            .map(|t| t.id.as_str())
            .unwrap_or_default();
        out.push(MadeAllocation {
            greenvn_id: allocation.id.clone(),
            green_vn: green_vn.into(),
            connection_id: connection_id.into(),
            made_by: e.who.clone(),
            made_ms: e.time_ms,
            imported: e.action == IMPORTED,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::find;
    use crate::history::describe;

    /// An entry as the gateway records it: described from the request and
    /// the answer, as the relay does.
    fn entry(
        method: &str,
        path: &str,
        body: &str,
        answer: &str,
        outcome: Outcome,
        t: i64,
    ) -> Entry {
        let m = find(Provider::Exotel, method, path).expect("documented");
        let d = describe(m.endpoint, &m.params, body.as_bytes(), answer.as_bytes());
        Entry {
            id: format!("r{t}"),
            time_ms: t,
            provider: "exotel".into(),
            environment: "sandbox".into(),
            action: super::super::action_name(m.endpoint, None),
            who: "sandbox-key".into(),
            targets: d.targets,
            target_count: d.total,
            status: if outcome == Outcome::Ok { 200 } else { 400 },
            outcome,
            code: None,
            message: None,
            duration_ms: 1,
            csv_run: None,
            client: None,
            requests: 1,
        }
    }

    fn allocate(id: &str, vn: &str, connection: &str, outcome: Outcome, t: i64) -> Entry {
        let body = format!(
            r#"{{"connection_id":"{connection}","aparty_numbers":["+919800000001"],"bparty_numbers":["+919800000002"],"usage":"twoway"}}"#
        );
        let answer = format!(
            r#"{{"success":true,"status":200,"data":{{"connection_id":"{connection}","aparty_numbers":["+919800000001"],"bparty_numbers":["+919800000002"],"usage":"twoway","state":"active","green_vn":"{vn}","greenvn_id":"{id}"}}}}"#
        );
        entry(
            "POST",
            "/v1/tenants/sandbox/greenvn",
            &body,
            &answer,
            outcome,
            t,
        )
    }

    #[test]
    fn each_allocation_made_is_listed_once_with_its_number_and_connection() {
        let entries = vec![
            entry(
                "DELETE",
                "/v1/tenants/sandbox/greenvn/g-1",
                "",
                "{}",
                Outcome::Ok,
                40,
            ),
            allocate("g-2", "+918000000002", "order-2", Outcome::Ok, 30),
            allocate("g-x", "", "order-x", Outcome::Failed, 25),
            allocate("g-1", "+918000000001", "order-1", Outcome::Ok, 20),
            allocate("g-1", "+918000000001", "order-1", Outcome::Ok, 10),
        ];
        let made = allocations_made(&entries);
        assert_eq!(
            made,
            vec![
                MadeAllocation {
                    greenvn_id: "g-2".into(),
                    green_vn: "+918000000002".into(),
                    connection_id: "order-2".into(),
                    made_by: "sandbox-key".into(),
                    made_ms: 30,
                    imported: false,
                },
                MadeAllocation {
                    greenvn_id: "g-1".into(),
                    green_vn: "+918000000001".into(),
                    connection_id: "order-1".into(),
                    made_by: "sandbox-key".into(),
                    made_ms: 20,
                    imported: false,
                },
            ]
        );
    }

    #[test]
    fn the_filter_finds_what_the_list_reads() {
        let f = allocations_filter();
        let made = allocate("g-1", "+918000000001", "order-1", Outcome::Ok, 1);
        assert!(f.matches(&made), "{f:?}");
        let failed = allocate("g-2", "", "order-2", Outcome::Failed, 2);
        assert!(!f.matches(&failed));
    }

    #[test]
    fn an_imported_allocation_is_listed_and_said_to_be_imported() {
        let mut imported = allocate("g-3", "+918000000003", "order-3", Outcome::Ok, 50);
        imported.action = IMPORTED.into();
        assert!(allocations_filter().matches(&imported));
        let made = allocations_made(&[imported]);
        assert_eq!(made.len(), 1);
        assert!(made[0].imported);
        assert_eq!(made[0].connection_id, "order-3");
    }

    #[test]
    fn an_import_says_what_became_of_each_allocation() {
        let r = ImportedAllocations {
            imported: vec!["g-1".into(), "g-2".into()],
            listed_already: vec!["g-3".into()],
            gone: vec!["g-4".into()],
            failed: Vec::new(),
        };
        assert_eq!(
            r.summary(),
            "2 allocations shared with the team; 1 listed already; 1 no longer on Exotel."
        );
    }
}
