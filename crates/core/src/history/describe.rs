//! How a relayed request is described: its action's name, and which
//! numbers, sets, routers, allocations or phones it touched (pins masked).

use super::{Described, Target, TargetKind, MAX_TARGETS};
use crate::endpoints::{Endpoint, EndpointId as Id};
use crate::models::exotel::{AllocationRequest, CallPartyUpdate, Envelope};
use crate::models::huawei::TrafficRequest;
use crate::models::ocp::{
    AttachRequest, BuyRequest, CreateRouterRequest, CreateSetRequest, DirectAddRequest,
    NoteRequest, NumberList, NumberSet, RouterRecord, UpdateGroupRequest, UpdateRouterRequest,
    UpdateSetRequest,
};

/// The action's name: the endpoint's, with a CSV batch's place in its run
/// when the console said it (`X-Numbers-Csv-Batch: 3/12`).
pub fn action_name(endpoint: &Endpoint, csv_batch: Option<&str>) -> String {
    let place = csv_batch.and_then(|b| {
        let (i, n) = b.trim().split_once('/')?;
        let (i, n): (u32, u32) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (1..=n).contains(&i).then_some((i, n))
    });
    match place {
        Some((i, n)) if endpoint.id == Id::CsvBatch => {
            format!("{} {i} of {n}", endpoint.action)
        }
        _ => endpoint.action.to_string(),
    }
}

/// What a change touched, read from its request (and, where the provider
/// names what it created, its answer), at most [`MAX_TARGETS`] of them with
/// the true count. `params` are the path's parameters. A CSV batch's rows
/// are read as its upload streams ([`CsvTargets`](super::CsvTargets)), not here. A body that
/// does not parse still leaves the path's targets.
pub fn describe(
    endpoint: &Endpoint,
    params: &[(&str, String)],
    body: &[u8],
    answer: &[u8],
) -> Described {
    use TargetKind::{Allocation, Number, Phone, Router, Set};
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    fn parsed<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
        serde_json::from_slice(bytes).ok()
    }
    let numbers = |list: &[String], detail: Option<String>| -> Described {
        let mut d = Described::default();
        for n in list {
            if d.targets.len() < MAX_TARGETS {
                d.push(Target::new(Number, n.trim(), detail.clone()));
            } else {
                d.total += 1;
            }
        }
        d
    };
    let mut out = Described::default();
    match endpoint.id {
        Id::BuyNumbers => {
            if let Some(r) = parsed::<BuyRequest>(body) {
                out = numbers(&r.numbers, Some(format!("group {}", r.group)));
            }
        }
        Id::MoveToGroup => {
            if let Some(r) = parsed::<UpdateGroupRequest>(body) {
                out = numbers(&r.numbers, Some(format!("to group {}", r.group)));
            }
        }
        Id::Detach => {
            if let Some(r) = parsed::<NumberList>(body) {
                out = numbers(&r.numbers, None);
            }
        }
        Id::Attach => {
            if let Some(r) = parsed::<AttachRequest>(body) {
                let detail = format!("to {} ({})", r.mini_app_id, r.locale);
                out = numbers(&r.numbers.unwrap_or_default(), Some(detail));
            }
        }
        Id::Note => {
            if let Some(r) = parsed::<NoteRequest>(body) {
                out = numbers(&[r.number], Some(format!("note: {}", r.note)));
            }
        }
        Id::AddDirectly => {
            if let Some(r) = parsed::<DirectAddRequest>(body) {
                out = numbers(&r.numbers, Some(format!("group {}", r.group)));
            }
        }
        Id::DeleteNumber => {
            out = param("number")
                .map(|n| numbers(&[n], None))
                .unwrap_or_default();
        }
        Id::CreateSet => {
            let name =
                parsed::<CreateSetRequest>(body).map(|r| format!("{} in {}", r.name, r.group_id));
            if let Some(set) = parsed::<NumberSet>(answer) {
                out.push(Target::new(Set, set.id, name));
            }
        }
        Id::UpdateSet => {
            let change = parsed::<UpdateSetRequest>(body).map(|r| {
                [
                    r.name.map(|n| format!("name {n}")),
                    r.group_id.map(|g| format!("group {g}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
            });
            out.extend(
                param("setId").map(|s| Target::new(Set, s, change.filter(|c| !c.is_empty()))),
            );
        }
        Id::ListSetNumbers | Id::AddToSet | Id::RemoveFromSet => {
            out.extend(param("setId").map(|s| Target::new(Set, s, None)));
            if let Some(r) = parsed::<NumberList>(body) {
                out.append(numbers(&r.numbers, None));
            }
        }
        Id::AttachSet => {
            let detail = parsed::<AttachRequest>(body)
                .map(|r| format!("to {} ({})", r.mini_app_id, r.locale));
            out.extend(param("setId").map(|s| Target::new(Set, s, detail)));
        }
        Id::ReadSet | Id::DeleteSet | Id::DetachSet | Id::DeletePurchasedInSet => {
            out.extend(param("setId").map(|s| Target::new(Set, s, None)));
        }
        Id::CreateRouter => {
            if let Some(r) = parsed::<CreateRouterRequest>(body) {
                out.push(Target::new(
                    Number,
                    r.number.trim(),
                    Some(format!("to {}", r.target_app_id)),
                ));
            }
            if let Some(router) = parsed::<RouterRecord>(answer) {
                out.push(Target::new(Router, router.id, None));
            }
        }
        Id::UpdateRouter => {
            if let Some(r) = parsed::<UpdateRouterRequest>(body) {
                let detail = [
                    r.target_app_id.map(|a| format!("to {a}")),
                    r.weight.map(|w| format!("weight {w}")),
                    r.step.map(|s| format!("step {s}")),
                    r.is_enabled.map(|e| {
                        if e {
                            "enabled".into()
                        } else {
                            "disabled".into()
                        }
                    }),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                out.push(Target::new(
                    Router,
                    r.id,
                    (!detail.is_empty()).then_some(detail),
                ));
            }
        }
        Id::NextStep => {
            out.extend(param("number").map(|n| Target::new(Number, n, None)));
        }
        Id::ReadRouter | Id::DeleteRouter | Id::CompleteRouter => {
            out.extend(param("id").map(|r| Target::new(Router, r, None)));
        }
        Id::Allocate => {
            if let Some(r) = parsed::<AllocationRequest>(body) {
                out.extend(parties(
                    &r.aparty_numbers,
                    r.aparty_pins.as_deref(),
                    "A party",
                ));
                out.extend(parties(
                    &r.bparty_numbers,
                    r.bparty_pins.as_deref(),
                    "B party",
                ));
            }
            if let Some(a) = parsed::<Envelope>(answer).and_then(|e| e.data) {
                let parties = std::mem::take(&mut out);
                out.push(Target::new(
                    Allocation,
                    a.greenvn_id,
                    Some(format!("connection {}", a.connection_id)),
                ));
                out.push(Target::new(
                    Number,
                    a.green_vn,
                    Some("virtual number".into()),
                ));
                out.append(parties);
            }
        }
        Id::ReadAllocation | Id::Deallocate | Id::UpdateParties | Id::ChangeVn => {
            out.extend(param("greenvnId").map(|a| Target::new(Allocation, a, None)));
            if endpoint.id == Id::UpdateParties {
                if let Some(r) = parsed::<CallPartyUpdate>(body) {
                    let a = r.aparty_numbers.unwrap_or_default();
                    let b = r.bparty_numbers.unwrap_or_default();
                    out.extend(parties(&a, r.aparty_pins.as_deref(), "A party"));
                    out.extend(parties(&b, r.bparty_pins.as_deref(), "B party"));
                }
            }
        }
        Id::DivertTraffic | Id::ListPhones | Id::ListJobs | Id::ReadJob => {
            if let Some(r) = parsed::<TrafficRequest>(body) {
                let detail = r.traffic_type.as_str().to_string();
                out = r
                    .phone_ids
                    .iter()
                    .map(|p| Target::new(Phone, p.trim(), Some(detail.clone())))
                    .collect();
            }
        }
        _ => {}
    }
    out
}

/// A party's numbers; a pin is never kept, only that there was one.
fn parties(numbers: &[String], pins: Option<&[i64]>, side: &str) -> Vec<Target> {
    numbers
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let pinned = pins.is_some_and(|p| p.get(i).is_some());
            let detail = if pinned {
                format!("{side}, pin ••••")
            } else {
                side.to_string()
            };
            Target::new(TargetKind::Number, n.trim(), Some(detail))
        })
        .collect()
}
