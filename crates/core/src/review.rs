//! Four eyes on risky changes: which changes an environment's review
//! policy gates, who may approve them, and how a change request moves from
//! open to applied. The gateway enforces these rules; the console shows
//! them before anything is sent. Pure: the caller says who is asking and
//! what time it is.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::csv::{Column, OpCounts, Operation};
use crate::endpoints::EndpointId;

/// A kind of change a policy may gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Deleting numbers (OCP releases a bought number to its carrier).
    DeleteNumbers,
    /// Detaching numbers (or a set) from their miniApp.
    Detach,
    /// Moving numbers to another group.
    MoveGroup,
    /// Completing a router (its traffic goes to the target for good).
    RouterComplete,
    /// Deleting a router.
    RouterDelete,
    /// Deleting the bought numbers of a set.
    SetPurge,
    /// Deleting a set.
    SetDelete,
    /// Ending an Exotel number-masking allocation.
    ExotelDeallocate,
    /// Diverting a Huawei cloud phone's traffic.
    HuaweiDiversion,
    /// A CSV file run in batches.
    CsvRun,
}

impl Kind {
    /// Every kind, in the order a policy lists them.
    pub const ALL: [Self; 10] = [
        Self::DeleteNumbers,
        Self::Detach,
        Self::MoveGroup,
        Self::RouterComplete,
        Self::RouterDelete,
        Self::SetPurge,
        Self::SetDelete,
        Self::ExotelDeallocate,
        Self::HuaweiDiversion,
        Self::CsvRun,
    ];

    /// As written in a policy (`delete-numbers`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeleteNumbers => "delete-numbers",
            Self::Detach => "detach",
            Self::MoveGroup => "move-group",
            Self::RouterComplete => "router-complete",
            Self::RouterDelete => "router-delete",
            Self::SetPurge => "set-purge",
            Self::SetDelete => "set-delete",
            Self::ExotelDeallocate => "exotel-deallocate",
            Self::HuaweiDiversion => "huawei-diversion",
            Self::CsvRun => "csv-run",
        }
    }

    /// A kind as written in a policy.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// What it is, as a sentence's subject ("deleting numbers").
    pub fn describe(self) -> &'static str {
        match self {
            Self::DeleteNumbers => "deleting numbers",
            Self::Detach => "detaching numbers",
            Self::MoveGroup => "moving numbers to another group",
            Self::RouterComplete => "completing a router",
            Self::RouterDelete => "deleting a router",
            Self::SetPurge => "deleting a set's bought numbers",
            Self::SetDelete => "deleting a set",
            Self::ExotelDeallocate => "ending an allocation",
            Self::HuaweiDiversion => "diverting a cloud phone's traffic",
            Self::CsvRun => "a CSV run",
        }
    }

    /// The kind of change a call to `endpoint` makes, if a policy may gate it.
    pub fn of_endpoint(endpoint: EndpointId) -> Option<Self> {
        Some(match endpoint {
            EndpointId::DeleteNumber => Self::DeleteNumbers,
            EndpointId::Detach | EndpointId::DetachSet => Self::Detach,
            EndpointId::MoveToGroup => Self::MoveGroup,
            EndpointId::CompleteRouter => Self::RouterComplete,
            EndpointId::DeleteRouter => Self::RouterDelete,
            EndpointId::DeletePurchasedInSet => Self::SetPurge,
            EndpointId::DeleteSet => Self::SetDelete,
            EndpointId::Deallocate => Self::ExotelDeallocate,
            EndpointId::DivertTraffic => Self::HuaweiDiversion,
            EndpointId::CsvBatch => Self::CsvRun,
            _ => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may approve: anyone named, or holding one of the roles or groups
/// (read from a token whose signature the gateway verified). All empty:
/// anyone the provider accepts, the author apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approvers {
    /// User names (`preferred_username`).
    #[serde(default)]
    pub users: Vec<String>,
    /// Realm roles (`realm_access.roles`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Groups (`groups`).
    #[serde(default)]
    pub groups: Vec<String>,
}

impl Approvers {
    /// Whether anyone may approve (no list is given).
    pub fn anyone(&self) -> bool {
        self.users.is_empty() && self.roles.is_empty() && self.groups.is_empty()
    }

    /// Whether `who` is one of them.
    pub fn admit(&self, who: &Person) -> bool {
        self.anyone()
            || self.users.contains(&who.name)
            || who.roles.iter().any(|r| self.roles.contains(r))
            || who.groups.iter().any(|g| self.groups.contains(g))
    }

    /// Who they are, for a sentence ("owner role, or alice").
    pub fn describe(&self) -> String {
        if self.anyone() {
            return "anyone else who may sign in here".into();
        }
        let mut parts = Vec::new();
        for r in &self.roles {
            parts.push(format!("the {r} role"));
        }
        for g in &self.groups {
            parts.push(format!("group {g}"));
        }
        parts.extend(self.users.iter().cloned());
        parts.join(", or ")
    }
}

/// A person, as the provider says: their user id (never their display
/// name) and what a verified token says they hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The provider's id of the user (`sub`).
    pub id: String,
    /// Their user name.
    pub name: String,
    /// Realm roles a verified token gives them.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Groups a verified token gives them.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// An environment's review policy. Nothing listed: nothing is gated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The kinds of change that need review.
    pub kinds: BTreeSet<Kind>,
    /// A CSV run needs review when it has more rows than this.
    pub csv_rows_over: u64,
    /// A detach or move names more numbers than this before it needs review.
    pub numbers_over: u64,
    /// Approvals a request needs, from as many people (never its author).
    pub approvals: u32,
    /// Who may approve.
    pub approvers: Approvers,
    /// Whether reverting a reviewed change needs review too.
    pub reverts: bool,
    /// Hours a request stays open, and an approval valid.
    pub valid_hours: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            kinds: BTreeSet::new(),
            csv_rows_over: 0,
            numbers_over: 0,
            approvals: 1,
            approvers: Approvers::default(),
            reverts: true,
            valid_hours: 72,
        }
    }
}

/// A change, as far as a policy looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// One call to a provider's endpoint, naming `numbers` numbers (1 for
    /// a call about one thing).
    Call {
        /// The endpoint called.
        endpoint: EndpointId,
        /// How many numbers it names.
        numbers: u64,
    },
    /// A CSV file (or one batch of it): its rows by operation.
    Csv(OpCounts),
    /// Reverting a change that review gated.
    Revert,
}

/// What a CSV file (or one batch of it) asks, counted by each row's
/// `OPERATION` whether or not the row is otherwise valid (a provider may
/// apply the valid rows of a file with invalid ones); `None` when it
/// cannot be read as CSV at all.
pub fn file_change(bytes: &[u8]) -> Option<Change> {
    let table = crate::csv::read(bytes).ok()?;
    let mut counts = OpCounts::default();
    for row in 0..table.len() {
        if let Some(op) = Operation::parse(table.text(row, Column::Operation)) {
            counts.add(op);
        }
    }
    Some(Change::Csv(counts))
}

/// Why a change needs review, as the gateway and the console say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    /// The kind of change the rule is about (none for a revert).
    pub kind: Option<Kind>,
    /// The rule, as a sentence ("Deleting numbers needs 1 approval …").
    pub rule: String,
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Policy {
    /// The demo policy of a gateway run with the sandbox: any delete, CSV
    /// runs over 1,000 rows and completing a router need one approval from
    /// someone with the realm role `OWNER`.
    pub fn demo() -> Self {
        Self {
            kinds: [
                Kind::DeleteNumbers,
                Kind::RouterComplete,
                Kind::RouterDelete,
                Kind::SetPurge,
                Kind::SetDelete,
                Kind::CsvRun,
            ]
            .into_iter()
            .collect(),
            csv_rows_over: 1_000,
            approvers: Approvers {
                roles: vec!["OWNER".into()],
                ..Approvers::default()
            },
            ..Self::default()
        }
    }

    /// Whether the policy gates anything.
    pub fn is_on(&self) -> bool {
        !self.kinds.is_empty()
    }

    fn needs(&self) -> String {
        let n = self.approvals.max(1);
        format!(
            "needs {n} approval{} from {}",
            if n == 1 { "" } else { "s" },
            self.approvers.describe()
        )
    }

    fn gate_for(&self, kind: Kind, size: Option<String>) -> Gate {
        Gate {
            kind: Some(kind),
            rule: format!(
                "{}{} {} before it is sent",
                upper_first(kind.describe()),
                size.map(|s| format!(" ({s})")).unwrap_or_default(),
                self.needs()
            ),
        }
    }

    /// Whether `change` needs review, and by which rule (the first that
    /// applies; deletes before size).
    pub fn gate(&self, change: &Change) -> Option<Gate> {
        let on = |k: Kind| self.kinds.contains(&k);
        match *change {
            Change::Revert => self.reverts.then(|| Gate {
                kind: None,
                rule: format!("Reverting a reviewed change {}", self.needs()),
            }),
            Change::Csv(counts) => {
                let deletes = counts.get(Operation::Delete);
                let detaches = counts.get(Operation::Detach) as u64;
                let rows = counts.total() as u64;
                if on(Kind::DeleteNumbers) && deletes > 0 {
                    Some(self.gate_for(
                        Kind::DeleteNumbers,
                        Some(format!("{deletes} DELETE row{}", plural(deletes))),
                    ))
                } else if on(Kind::Detach) && detaches > self.numbers_over {
                    Some(self.gate_for(
                        Kind::Detach,
                        Some(format!(
                            "{detaches} DETACH rows, more than {}",
                            self.numbers_over
                        )),
                    ))
                } else if on(Kind::CsvRun) && rows > self.csv_rows_over {
                    Some(self.gate_for(
                        Kind::CsvRun,
                        Some(format!("{rows} rows, more than {}", self.csv_rows_over)),
                    ))
                } else {
                    None
                }
            }
            Change::Call { endpoint, numbers } => {
                let kind = Kind::of_endpoint(endpoint).filter(|k| on(*k))?;
                match kind {
                    // A CSV batch is looked at by its rows (`Change::Csv`).
                    Kind::CsvRun => None,
                    // However many numbers the set holds.
                    Kind::Detach if endpoint == EndpointId::DetachSet => {
                        Some(self.gate_for(kind, Some("a whole set".into())))
                    }
                    Kind::Detach | Kind::MoveGroup if numbers <= self.numbers_over => None,
                    Kind::Detach | Kind::MoveGroup => Some(self.gate_for(
                        kind,
                        Some(format!(
                            "{numbers} numbers, more than {}",
                            self.numbers_over
                        )),
                    )),
                    _ => Some(self.gate_for(kind, None)),
                }
            }
        }
    }

    /// How long a request stays open, and an approval valid.
    pub fn valid_ms(&self) -> i64 {
        i64::from(self.valid_hours.max(1)) * 3_600_000
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The hash an approval is bound to: of a CSV file's text and the rows
/// left out, so any edit is another request.
pub fn csv_content_hash(text: &str, left_out: &[usize]) -> String {
    let mut left: Vec<usize> = left_out.to_vec();
    left.sort_unstable();
    left.dedup();
    let mut h = Sha256::new();
    h.update(b"csv\n");
    h.update(Sha256::digest(text.as_bytes()));
    for r in left {
        h.update(r.to_le_bytes());
    }
    hex::encode(h.finalize())
}

/// The hash of one call: its method, path and body, byte for byte.
pub fn call_content_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"call\n");
    h.update(method.as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestState {
    /// Waiting for approvals.
    Open,
    /// Approved by as many as the policy asks; may be applied.
    Approved,
    /// Declined by a reviewer (final).
    Declined,
    /// Applied (final); its run or call is linked.
    Applied,
    /// Not approved, or not applied, in time (final).
    Expired,
    /// Withdrawn by its author (final).
    Withdrawn,
}

impl RequestState {
    /// Every state.
    pub const ALL: [Self; 6] = [
        Self::Open,
        Self::Approved,
        Self::Declined,
        Self::Applied,
        Self::Expired,
        Self::Withdrawn,
    ];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Applied => "applied",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// A state as stored.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether nothing more can happen to it.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Open | Self::Approved)
    }
}

/// A reviewer's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The reviewer's user id.
    pub by_id: String,
    /// Their user name.
    pub by: String,
    /// Approved, or declined.
    pub approve: bool,
    /// Why (a decline must say).
    pub reason: String,
    /// When.
    pub at_ms: i64,
    /// Whether the change on the provider moved after it (it no longer counts).
    #[serde(default)]
    pub stale: bool,
}

/// What the rules look at in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts<'a> {
    /// The author's user id.
    pub author_id: &'a str,
    /// Where it stands as stored.
    pub state: RequestState,
    /// When it was made.
    pub created_ms: i64,
    /// Its decisions so far.
    pub decisions: &'a [Decision],
}

/// Why a reviewer's or an applier's action is refused, as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    /// The author asked to approve their own request.
    #[error("You made this request, so you cannot approve it: someone else must (a second account of yours is still you to the provider).")]
    OwnRequest,
    /// The person is not among the policy's approvers.
    #[error("You may not approve requests here: the policy asks for {0}.")]
    NotApprover(String),
    /// The person decided already.
    #[error("You have approved this request already; it needs someone else's approval.")]
    AlreadyApproved,
    /// Open or approved for too long.
    #[error(
        "This request expired: approvals last {0} hours. Make a new request from the same change."
    )]
    Expired(u32),
    /// Final already.
    #[error("This request is {0}: nothing more can be done with it. Make a new request if the change is still wanted.")]
    Closed(&'static str),
    /// Applying before enough approvals.
    #[error("This request has {have} of the {need} approvals it needs; it can be applied once approved.")]
    NotApproved {
        /// Approvals that count.
        have: u32,
        /// Approvals the policy asks.
        need: u32,
    },
    /// A decline without a reason.
    #[error("Say why you decline it: the author reads the reason.")]
    NoReason,
}

/// The approvals that count: not stale, each from a different person who
/// is not the author.
pub fn approvals(facts: &Facts<'_>) -> u32 {
    let people: BTreeSet<&str> = facts
        .decisions
        .iter()
        .filter(|d| d.approve && !d.stale && d.by_id != facts.author_id)
        .map(|d| d.by_id.as_str())
        .collect();
    people.len() as u32
}

/// Whether the request has been open, or approved, for longer than the
/// policy allows at `now_ms`: approvals last `valid_hours` from the last
/// approval; an open request as long from its making.
pub fn expired(policy: &Policy, facts: &Facts<'_>, now_ms: i64) -> bool {
    let since = match facts.state {
        RequestState::Approved => facts
            .decisions
            .iter()
            .filter(|d| d.approve && !d.stale)
            .map(|d| d.at_ms)
            .max()
            .unwrap_or(facts.created_ms),
        RequestState::Open => facts
            .decisions
            .iter()
            .map(|d| d.at_ms)
            .max()
            .unwrap_or(facts.created_ms)
            .max(facts.created_ms),
        _ => return false,
    };
    now_ms - since > policy.valid_ms()
}

fn usable(policy: &Policy, facts: &Facts<'_>, now_ms: i64) -> Result<(), ReviewError> {
    if facts.state.is_final() {
        return Err(ReviewError::Closed(facts.state.as_str()));
    }
    if expired(policy, facts, now_ms) {
        return Err(ReviewError::Expired(policy.valid_hours.max(1)));
    }
    Ok(())
}

/// `who` approves (or declines, with `reason`) the request at `now_ms`:
/// the state it moves to, or why not.
pub fn decide(
    policy: &Policy,
    facts: &Facts<'_>,
    who: &Person,
    approve: bool,
    reason: &str,
    now_ms: i64,
) -> Result<RequestState, ReviewError> {
    usable(policy, facts, now_ms)?;
    if who.id == facts.author_id {
        return Err(ReviewError::OwnRequest);
    }
    if !policy.approvers.admit(who) {
        return Err(ReviewError::NotApprover(policy.approvers.describe()));
    }
    if !approve {
        if reason.trim().is_empty() {
            return Err(ReviewError::NoReason);
        }
        return Ok(RequestState::Declined);
    }
    if facts
        .decisions
        .iter()
        .any(|d| d.approve && !d.stale && d.by_id == who.id)
    {
        return Err(ReviewError::AlreadyApproved);
    }
    let mut after = facts.decisions.to_vec();
    after.push(Decision {
        by_id: who.id.clone(),
        by: who.name.clone(),
        approve: true,
        reason: reason.to_string(),
        at_ms: now_ms,
        stale: false,
    });
    let have = approvals(&Facts {
        decisions: &after,
        ..facts.clone()
    });
    Ok(if have >= policy.approvals.max(1) {
        RequestState::Approved
    } else {
        RequestState::Open
    })
}

/// Whether the request may be applied at `now_ms`.
pub fn may_apply(policy: &Policy, facts: &Facts<'_>, now_ms: i64) -> Result<(), ReviewError> {
    usable(policy, facts, now_ms)?;
    let need = policy.approvals.max(1);
    let have = approvals(facts);
    if facts.state != RequestState::Approved || have < need {
        return Err(ReviewError::NotApproved { have, need });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(id: &str, roles: &[&str]) -> Person {
        Person {
            id: id.into(),
            name: format!("name-{id}"),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            groups: Vec::new(),
        }
    }

    fn counts(create: usize, delete: usize) -> OpCounts {
        let mut c = OpCounts::default();
        c.0[Operation::Create.index()] = create;
        c.0[Operation::Delete.index()] = delete;
        c
    }

    #[test]
    fn the_demo_policy_gates_any_delete_and_large_files_only() {
        let p = Policy::demo();
        let g = p
            .gate(&Change::Csv(counts(0, 1)))
            .expect("a delete is gated");
        assert_eq!(g.kind, Some(Kind::DeleteNumbers));
        assert!(g
            .rule
            .starts_with("Deleting numbers (1 DELETE row) needs 1 approval from the OWNER role"));
        assert_eq!(p.gate(&Change::Csv(counts(1000, 0))), None);
        assert_eq!(
            p.gate(&Change::Csv(counts(1001, 0))).and_then(|g| g.kind),
            Some(Kind::CsvRun)
        );
        let call = |endpoint| Change::Call {
            endpoint,
            numbers: 1,
        };
        assert!(p.gate(&call(EndpointId::DeleteNumber)).is_some());
        assert!(p.gate(&call(EndpointId::CompleteRouter)).is_some());
        assert_eq!(p.gate(&call(EndpointId::Note)), None);
        assert_eq!(p.gate(&call(EndpointId::Detach)), None);
        // A batch is judged by its rows, never by its endpoint alone.
        assert_eq!(p.gate(&call(EndpointId::CsvBatch)), None);
        assert!(p.gate(&Change::Revert).is_some());
        assert!(!Policy::default().is_on());
        assert_eq!(Policy::default().gate(&Change::Csv(counts(5, 5))), None);
    }

    #[test]
    fn bulk_moves_are_gated_above_their_size() {
        let p = Policy {
            kinds: [Kind::Detach, Kind::MoveGroup].into_iter().collect(),
            numbers_over: 10,
            ..Policy::default()
        };
        let call = |numbers| Change::Call {
            endpoint: EndpointId::MoveToGroup,
            numbers,
        };
        assert_eq!(p.gate(&call(10)), None);
        assert!(p
            .gate(&call(11))
            .is_some_and(|g| g.rule.contains("11 numbers")));
    }

    fn facts<'a>(decisions: &'a [Decision], state: RequestState) -> Facts<'a> {
        Facts {
            author_id: "author",
            state,
            created_ms: 0,
            decisions,
        }
    }

    #[test]
    fn the_author_never_approves_and_a_member_cannot() {
        let p = Policy::demo();
        let f = facts(&[], RequestState::Open);
        assert_eq!(
            decide(&p, &f, &person("author", &["OWNER"]), true, "", 1),
            Err(ReviewError::OwnRequest)
        );
        assert!(matches!(
            decide(&p, &f, &person("m", &["MEMBER"]), true, "", 1),
            Err(ReviewError::NotApprover(_))
        ));
        assert_eq!(
            decide(&p, &f, &person("r", &["OWNER"]), true, "", 1),
            Ok(RequestState::Approved)
        );
        assert_eq!(
            decide(&p, &f, &person("r", &["OWNER"]), false, " ", 1),
            Err(ReviewError::NoReason)
        );
    }

    #[test]
    fn approving_twice_after_expiry_or_once_closed_is_refused() {
        let p = Policy {
            approvals: 2,
            ..Policy::demo()
        };
        let once = [Decision {
            by_id: "r".into(),
            by: "r".into(),
            approve: true,
            reason: String::new(),
            at_ms: 5,
            stale: false,
        }];
        let f = facts(&once, RequestState::Open);
        assert_eq!(
            decide(&p, &f, &person("r", &["OWNER"]), true, "", 6),
            Err(ReviewError::AlreadyApproved)
        );
        assert_eq!(
            may_apply(&p, &f, 6),
            Err(ReviewError::NotApproved { have: 1, need: 2 })
        );
        assert_eq!(
            decide(&p, &f, &person("s", &["OWNER"]), true, "", 7),
            Ok(RequestState::Approved)
        );
        let late = 5 + p.valid_ms() + 1;
        assert_eq!(
            decide(&p, &f, &person("s", &["OWNER"]), true, "", late),
            Err(ReviewError::Expired(72))
        );
        let declined = facts(&once, RequestState::Declined);
        assert_eq!(
            may_apply(&p, &declined, 6),
            Err(ReviewError::Closed("declined"))
        );
    }

    #[test]
    fn stale_approvals_do_not_count() {
        let p = Policy::demo();
        let stale = [Decision {
            by_id: "r".into(),
            by: "r".into(),
            approve: true,
            reason: String::new(),
            at_ms: 5,
            stale: true,
        }];
        let f = facts(&stale, RequestState::Open);
        assert_eq!(approvals(&f), 0);
        // The reviewer confirms again once they have seen what moved.
        assert_eq!(
            decide(&p, &f, &person("r", &["OWNER"]), true, "", 6),
            Ok(RequestState::Approved)
        );
    }

    #[test]
    fn a_file_is_judged_by_every_row_it_asks() {
        let text = "OPERATION,NUMBER,GROUP_ID\ndelete,+14155550100,\nDELETE,not a number,\nupdate,+14155550101,ocp\n";
        let Some(Change::Csv(c)) = file_change(text.as_bytes()) else {
            panic!("a file is read");
        };
        assert_eq!((c.get(Operation::Delete), c.get(Operation::Update)), (2, 1));
        assert_eq!(file_change(b"\xff\xfe"), None);
    }

    proptest! {
        /// Whatever decisions came before, a request is approved only with
        /// as many approvals from people other than its author as the policy asks.
        #[test]
        fn approval_needs_as_many_other_people(
            need in 1u32..4,
            ids in proptest::collection::vec(0u8..5, 0..8),
        ) {
            let p = Policy { approvals: need, ..Policy::demo() };
            let mut decisions: Vec<Decision> = Vec::new();
            let mut state = RequestState::Open;
            for id in ids {
                let who = person(&format!("p{id}"), &["OWNER"]);
                let f = Facts { author_id: "p0", state, created_ms: 0, decisions: &decisions };
                if let Ok(next) = decide(&p, &f, &who, true, "", 1) {
                    decisions.push(Decision { by_id: who.id.clone(), by: who.name, approve: true, reason: String::new(), at_ms: 1, stale: false });
                    state = next;
                }
            }
            let people: BTreeSet<&str> = decisions.iter().map(|d| d.by_id.as_str()).collect();
            prop_assert!(!people.contains("p0"));
            prop_assert_eq!(people.len(), decisions.len());
            prop_assert_eq!(state == RequestState::Approved, people.len() as u32 >= need);
        }

        /// Any edit of a file, or of the rows left out, is another hash.
        #[test]
        fn an_edit_is_another_request(text in ".{0,200}", other in ".{0,200}", left in proptest::collection::vec(0usize..50, 0..5)) {
            prop_assume!(text != other);
            prop_assert_ne!(csv_content_hash(&text, &left), csv_content_hash(&other, &left));
            let mut more = left.clone();
            more.push(60);
            prop_assert_ne!(csv_content_hash(&text, &left), csv_content_hash(&text, &more));
            prop_assert_ne!(call_content_hash("DELETE", &text, b""), call_content_hash("DELETE", &other, b""));
            prop_assert_ne!(call_content_hash("PUT", "/p", text.as_bytes()), call_content_hash("PUT", "/p", other.as_bytes()));
        }
    }
}
