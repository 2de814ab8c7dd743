//! Change requests on numbers-gateway (`/relay/ocp/{env}/requests`): what
//! the console sends to ask for review, decide and apply, and what it is
//! shown.

use serde::{Deserialize, Serialize};

use crate::csv::OpCounts;
use crate::review::{Decision, Policy, RequestState};

use super::run::RunDrift;

/// `POST …/requests`: a change frozen for review — a CSV file (applied,
/// once approved, as a run on the gateway) or one call to OCP (sent, once
/// approved, by the gateway with the applier's credential).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    pub title: String,
    pub reason: String,
    /// A file's name, as dropped.
    #[serde(default)]
    pub file_name: String,
    /// The file as dropped.
    #[serde(default)]
    pub text: String,
    /// Rows (0-based) the author left out.
    #[serde(default)]
    pub left_out: Vec<usize>,
    /// Or one call, instead of a file.
    #[serde(default)]
    pub call: Option<Call>,
}

/// One call to OCP, as it will be sent: its method, its path under the
/// environment (from `/`) and its JSON body (empty for none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub body: String,
}

/// A comment on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub by: String,
    pub text: String,
    pub at_ms: i64,
}

/// Numbers a request touches in one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCount {
    pub group: String,
    pub numbers: u64,
}

/// A request as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub title: String,
    pub reason: String,
    pub author: String,
    pub state: RequestState,
    /// The rule that asked for review.
    pub rule: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// When it expires if nothing happens (open or approved only).
    #[serde(default)]
    pub expires_ms: Option<i64>,
    /// The hash of its exact content, which approvals are bound to.
    pub content_hash: String,
    /// A call request's call (none for a file).
    #[serde(default)]
    pub call: Option<Call>,
    /// The file's name, its rows by operation, and the rows left out (a
    /// call: what it names, and how many).
    pub file_name: String,
    pub operations: OpCounts,
    pub rows: u64,
    #[serde(default)]
    pub left_out: Vec<usize>,
    /// Numbers it touches, by group.
    #[serde(default)]
    pub groups: Vec<GroupCount>,
    /// The numbers it changes: `NUMBER: NOTE "a" → "b"` (at most 50).
    #[serde(default)]
    pub diff: Vec<String>,
    pub decisions: Vec<Decision>,
    pub comments: Vec<Comment>,
    pub approvals: u32,
    pub needed: u32,
    /// The run that applied it, and who applied it.
    #[serde(default)]
    pub run: Option<i64>,
    #[serde(default)]
    pub applied_by: Option<String>,
    /// A declined request's reason, an expired one's, a stale approval's.
    #[serde(default)]
    pub note: Option<String>,
}

/// `GET …/requests`: the environment's requests the reader may see, and its policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestList {
    pub requests: Vec<RequestView>,
    /// None: nothing needs review here.
    pub policy: Option<Policy>,
    /// Why requests cannot be made here, if they cannot.
    #[serde(default)]
    pub why: Option<String>,
}

/// `GET …/requests/targets`: what the open and approved requests a reader
/// may see would change, each with the request's number, so the numbers,
/// sets and routers pages can say so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenTargets {
    pub numbers: std::collections::BTreeMap<String, i64>,
    pub routers: std::collections::BTreeMap<String, i64>,
    pub sets: std::collections::BTreeMap<String, i64>,
}

/// `POST …/requests/{id}/approve`, `decline` or `comment`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    #[serde(default)]
    pub text: String,
}

/// `GET …/requests/{id}/drift`: what changed on the provider since the
/// request was made, among the numbers it changes.
pub type RequestDrift = RunDrift;
