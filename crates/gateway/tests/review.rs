//! Four eyes on risky changes, enforced by the gateway binary in front of
//! the sandbox (behind a proxy counting every CSV batch OCP applied): a
//! gated change sent straight to the relay is refused; a change request is
//! approved by someone the realm's signed tokens say is another person,
//! applied once as a run, and shown in the history; an approval covers one
//! file byte for byte and goes stale when OCP moves under it.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use common::ocp::{command, gateway, notes, numbers_of, tail, token, until};
use common::process::Process;
use common::upstream::{counter, Upstream};
use common::{client, serve_options};
use numbers_core::models::review::{OpenTargets, RequestList, RequestView};
use numbers_core::models::run::{RunState, RunView};
use numbers_core::review::{Policy, RequestState};
use serde_json::{json, Value};

const BATCH_ROWS: usize = 5;

/// Any delete, CSV runs over `csv_rows_over` rows and router completion
/// need one approval from someone with the realm role OWNER.
fn config(proxy: SocketAddr, db: &str, csv_rows_over: u64, more: &str) -> String {
    format!(
        "builtin_environments = false\n\
         [schedules]\nlease_secs = 2\n\
         [history]\nurl = \"{db}\"\n\
         [ocp.sandbox]\nlabel = \"Sandbox\"\nsandbox = true\n\
         base_url = \"http://{proxy}/integrations\"\n\
         token_url = \"http://{proxy}/auth/realms/master/protocol/openid-connect/token\"\n\
         csv_limits = \"update={BATCH_ROWS},attach={BATCH_ROWS},detach={BATCH_ROWS},delete={BATCH_ROWS},create={BATCH_ROWS}\"\n{more}\
         [ocp.sandbox.review]\nchanges = [\"delete-numbers\", \"csv-run\", \"router-complete\"]\n\
         csv_rows_over = {csv_rows_over}\napprover_roles = [\"OWNER\"]\n"
    )
}

fn sqlite_in(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("history.sqlite").display())
}

async fn upstream(dir: &Path) -> Upstream {
    let mut limits = numbers_core::limits::Limits::default();
    for op in numbers_core::csv::Operation::ALL {
        limits.set(op, BATCH_ROWS);
    }
    Upstream::start_with(
        dir,
        numbers_sandbox::Config {
            limits,
            ..numbers_sandbox::Config::ephemeral()
        },
    )
    .await
}

fn deletes(numbers: &[String]) -> String {
    let mut text = String::from("OPERATION,NUMBER\n");
    for n in numbers {
        text.push_str(&format!("delete,{n}\n"));
    }
    text
}

async fn error_of(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or_default();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

async fn ask(g: &Process, token: &str, title: &str, file: &str, text: &str) -> reqwest::Response {
    client()
        .post(g.url("/relay/ocp/sandbox/requests"))
        .bearer_auth(token)
        .json(&json!({"title": title, "reason": "the numbers are no longer used", "file_name": file, "text": text}))
        .send()
        .await
        .expect("request")
}

async fn asked(g: &Process, token: &str, title: &str, file: &str, text: &str) -> RequestView {
    let r = ask(g, token, title, file, text).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    r.json().await.expect("view")
}

async fn act(g: &Process, token: &str, id: i64, action: &str, text: &str) -> reqwest::Response {
    client()
        .post(g.url(&format!("/relay/ocp/sandbox/requests/{id}/{action}")))
        .bearer_auth(token)
        .json(&json!({"text": text}))
        .send()
        .await
        .expect("act")
}

async fn request(g: &Process, token: &str, id: i64) -> RequestView {
    client()
        .get(g.url(&format!("/relay/ocp/sandbox/requests/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("view")
}

/// Hands `text` over as the file of request `id`.
async fn apply(
    g: &Process,
    token: &str,
    id: i64,
    file: &str,
    text: &str,
    password: &str,
) -> reqwest::Response {
    client()
        .post(g.url("/relay/ocp/sandbox/runs"))
        .bearer_auth(token)
        .json(&json!({"file_name": file, "text": text, "password": password, "request": id}))
        .send()
        .await
        .expect("apply")
}

async fn targets(g: &Process, token: &str) -> OpenTargets {
    client()
        .get(g.url("/relay/ocp/sandbox/requests/targets"))
        .bearer_auth(token)
        .send()
        .await
        .expect("targets")
        .json()
        .await
        .expect("json")
}

async fn history(g: &Process, token: &str) -> Vec<Value> {
    let h: Value = client()
        .get(g.url("/relay/ocp/sandbox/history?limit=500"))
        .bearer_auth(token)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json");
    h["entries"].as_array().cloned().unwrap_or_default()
}

async fn csv_upload(g: &Process, token: &str, text: &str) -> reqwest::Response {
    let part = reqwest::multipart::Part::text(text.to_string())
        .file_name("straight.csv")
        .mime_str("text/csv")
        .expect("part");
    client()
        .put(g.url("/relay/ocp/sandbox/api/numbers/csv"))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gated_change_sent_straight_to_the_relay_is_refused_with_its_own_code() {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream(sandbox_dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let dir = tempfile::tempdir().expect("dir");
    let (g, _dist) = gateway(
        dir.path(),
        &config(proxy.addr, &sqlite_in(dir.path()), 1000, ""),
    )
    .await;
    let owner = token(&g, "owner").await;
    let numbers = numbers_of(&g, "ocp", 3).await;

    // A valid owner token, as curl would send it: refused before OCP sees it.
    let before = proxy.requests.load(Ordering::SeqCst);
    let r = client()
        .delete(g.url(&format!(
            "/relay/ocp/sandbox/api/numbers/delete/{}",
            numbers[0]
        )))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("delete");
    let (status, code, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "review_required"),
        "{message}"
    );
    assert!(
        message.starts_with("Deleting numbers needs 1 approval from the OWNER role")
            && message.contains("Request review"),
        "{message}"
    );
    assert_eq!(
        proxy.requests.load(Ordering::SeqCst),
        before,
        "OCP saw nothing"
    );
    assert!(notes(&g).await.contains_key(&numbers[0]), "still there");

    // A CSV batch with one delete among updates: refused whole.
    let mixed = format!(
        "OPERATION,NUMBER,NOTE\nupdate,{},kept\ndelete,{},\n",
        numbers[1], numbers[2]
    );
    let (status, code, message) = error_of(csv_upload(&g, &owner, &mixed).await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "review_required"),
        "{message}"
    );
    assert!(message.contains("1 DELETE row"), "{message}");
    // Updates alone are below the size rule: sent.
    let updates = format!("OPERATION,NUMBER,NOTE\nupdate,{},straight\n", numbers[1]);
    let r = csv_upload(&g, &owner, &updates).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    assert_eq!(notes(&g).await[&numbers[1]], "straight");

    // Through the runs, without a request: refused as well.
    let r = client()
        .post(g.url("/relay/ocp/sandbox/runs"))
        .bearer_auth(&owner)
        .json(&json!({"file_name": "d.csv", "text": deletes(&numbers), "password": "owner-pass"}))
        .send()
        .await
        .expect("hand over");
    let (status, code, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "review_required"),
        "{message}"
    );

    // Completing a router, whatever router.
    let r = client()
        .post(g.url("/relay/ocp/sandbox/api/numbers-routing/any-router/complete"))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("complete");
    let (status, code, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "review_required"),
        "{message}"
    );
    assert!(message.starts_with("Completing a router"), "{message}");
    for n in &numbers {
        assert!(notes(&g).await.contains_key(n), "{n} was not deleted");
    }
    // A request that cannot be is no request (not "no such run").
    let r = client()
        .get(g.url("/relay/ocp/sandbox/requests/not-a-number"))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("read");
    assert_eq!(error_of(r).await.1, "request_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_approved_by_another_owner_is_applied_once_and_its_revert_needs_review_too() {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream(sandbox_dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let (hook, hooks, _hook_stop) = common::upstream::receiver().await;
    let dir = tempfile::tempdir().expect("dir");
    let more = format!("webhook_url = \"http://{hook}/hook\"\n");
    let (g, _dist) = gateway(
        dir.path(),
        &config(proxy.addr, &sqlite_in(dir.path()), 1000, &more),
    )
    .await;
    let (owner, reviewer, member) = (
        token(&g, "owner").await,
        token(&g, "reviewer").await,
        token(&g, "member").await,
    );
    let numbers = numbers_of(&g, "ocp", 7).await;
    let file = deletes(&numbers);
    let made = asked(&g, &owner, "Clean-up <!channel>", "clean-up.csv", &file).await;
    let id = made.id;
    assert_eq!(made.state, RequestState::Open);
    assert_eq!((made.author.as_str(), made.rows), ("owner", 7));
    assert!(
        made.rule.starts_with("Deleting numbers (7 DELETE rows)"),
        "{}",
        made.rule
    );
    assert_eq!(made.groups.len(), 1);
    assert_eq!(
        (made.groups[0].group.as_str(), made.groups[0].numbers),
        ("ocp", 7)
    );
    assert_eq!(made.diff.len(), 7);
    assert!(
        made.diff[0].contains("in group ocp → deleted"),
        "{:?}",
        made.diff
    );

    // The author, with the token of their session or the sandbox's fixed
    // dev token (another "account" in the console, the same person to OCP).
    for own in [owner.as_str(), numbers_sandbox::credential::OWNER_TOKEN] {
        let (status, code, message) = error_of(act(&g, own, id, "approve", "").await).await;
        assert_eq!(
            (status, code.as_str()),
            (403, "request_refused"),
            "{message}"
        );
        assert!(message.starts_with("You made this request"), "{message}");
    }
    // A member does not see numbers of group ocp: no such request for them.
    let (status, code, _) = error_of(act(&g, &member, id, "approve", "").await).await;
    assert_eq!((status, code.as_str()), (404, "request_not_found"));
    // Not approved yet: not applied.
    let (status, code, message) =
        error_of(apply(&g, &owner, id, "clean-up.csv", &file, "owner-pass").await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    assert!(message.contains("0 of the 1 approvals"), "{message}");

    let r = act(&g, &reviewer, id, "approve", "checked with the team").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let approved: RequestView = r.json().await.expect("view");
    assert_eq!(
        (approved.state, approved.approvals),
        (RequestState::Approved, 1)
    );
    let (status, _, message) = error_of(act(&g, &reviewer, id, "approve", "").await).await;
    assert_eq!(status, 403, "{message}");

    // The approval covers this file byte for byte: other targets are refused.
    let other = deletes(&numbers[..6]);
    let (status, code, message) =
        error_of(apply(&g, &owner, id, "clean-up.csv", &other, "owner-pass").await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "review_required"),
        "{message}"
    );
    assert!(message.contains("does not cover this one"), "{message}");

    let r = apply(&g, &owner, id, "clean-up.csv", &file, "owner-pass").await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let run: RunView = r.json().await.expect("run");
    let done = until(&g, &owner, run.id, |v| v.state == RunState::Finished).await;
    assert_eq!(done.rows_applied, 7, "{}", tail(&g.log()));
    let left = notes(&g).await;
    assert!(
        numbers.iter().all(|n| !left.contains_key(n)),
        "every number deleted"
    );
    assert_eq!(proxy.csv_batches.load(Ordering::SeqCst), 2);
    let applied = request(&g, &owner, id).await;
    assert_eq!(
        (applied.state, applied.run),
        (RequestState::Applied, Some(run.id))
    );

    // Once applied, nothing more: a second application, a late approval.
    let (status, code, message) =
        error_of(apply(&g, &reviewer, id, "clean-up.csv", &file, "reviewer-pass").await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    assert!(message.contains("is applied"), "{message}");
    assert_eq!(proxy.csv_batches.load(Ordering::SeqCst), 2, "applied once");

    // History: request, approval, application, then the run's batches.
    let entries = history(&g, &owner).await;
    let at = |needle: &str| {
        entries
            .iter()
            .filter(|e| e["action"].as_str().unwrap_or_default().contains(needle))
            .map(|e| {
                e["timeMs"]
                    .as_i64()
                    .or(e["time_ms"].as_i64())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    let (made_at, approved_at, applied_at) = (
        at(&format!("change request made · request {id}")),
        at(&format!("change request approved · request {id}")),
        at(&format!("change request applied · request {id}")),
    );
    assert_eq!(
        (made_at.len(), approved_at.len(), applied_at.len()),
        (1, 1, 1),
        "{entries:#?}"
    );
    assert!(made_at[0] <= approved_at[0] && approved_at[0] <= applied_at[0]);
    let batches = common::ocp::batch_entries(&g, &owner, run.id).await;
    assert_eq!(batches.len(), 2);

    // Reverting a reviewed change is a change that needs review.
    let r = command(
        &g,
        &owner,
        run.id,
        "revert",
        json!({"password": "owner-pass"}),
    )
    .await;
    let (status, code, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "review_required"),
        "{message}"
    );
    assert!(
        message.starts_with("Reverting a reviewed change"),
        "{message}"
    );

    // No token or password in what the gateway wrote (its database, log).
    let written = common::ocp::everything_written(dir.path());
    assert!(!written.is_empty());
    for secret in [owner.as_str(), reviewer.as_str(), "eyJ", "owner-pass"] {
        assert!(!written.contains(secret), "{secret} was written");
    }

    let events = hooks.events();
    let said: Vec<&str> = events
        .iter()
        .filter(|e| e["request"] == id)
        .filter_map(|e| e["event"].as_str())
        .collect();
    assert_eq!(said, ["requested", "approved", "applied"], "{events:#?}");
    assert!(events
        .iter()
        .filter(|e| e["request"] == id)
        .all(|e| e["text"]
            .as_str()
            .unwrap_or_default()
            .contains("&lt;!channel&gt;")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_cannot_approve_and_an_approval_goes_stale_when_ocp_moves_under_it() {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream(sandbox_dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let dir = tempfile::tempdir().expect("dir");
    // Every CSV file needs review here.
    let (g, _dist) = gateway(
        dir.path(),
        &config(proxy.addr, &sqlite_in(dir.path()), 0, ""),
    )
    .await;
    let (owner, reviewer, member) = (
        token(&g, "owner").await,
        token(&g, "reviewer").await,
        token(&g, "member").await,
    );
    let numbers = numbers_of(&g, "ocp-qa", 2).await;
    let mut file = String::from("OPERATION,NUMBER,NOTE\n");
    for n in &numbers {
        file.push_str(&format!("update,{n},reviewed\n"));
    }
    let id = asked(&g, &owner, "Notes", "notes.csv", &file).await.id;
    // The member sees numbers of ocp-qa, but may not approve.
    let (status, code, message) = error_of(act(&g, &member, id, "approve", "").await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    assert!(
        message.starts_with("You may not approve requests here"),
        "{message}"
    );
    // Nor ask: OCP does not let a member make CSV changes.
    let (status, code, message) =
        error_of(ask(&g, &member, "Mine", "notes.csv", &file).await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    // Declining says why.
    let (status, _, message) = error_of(act(&g, &reviewer, id, "decline", " ").await).await;
    assert_eq!(status, 403);
    assert!(message.starts_with("Say why"), "{message}");
    let r = act(&g, &reviewer, id, "approve", "").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);

    // OCP moves under the approved request: a note is changed by hand.
    let r = client()
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(&owner)
        .json(&json!({"number": numbers[0], "note": "changed by hand"}))
        .send()
        .await
        .expect("note");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let (status, code, message) =
        error_of(apply(&g, &owner, id, "notes.csv", &file, "owner-pass").await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    assert!(
        message.contains("1 of its numbers changed") && message.contains("changed by hand"),
        "{message}"
    );
    let stale = request(&g, &reviewer, id).await;
    assert_eq!((stale.state, stale.approvals), (RequestState::Open, 0));
    assert!(stale.decisions.iter().all(|d| d.stale), "{stale:?}");
    assert_eq!(proxy.csv_batches.load(Ordering::SeqCst), 0, "nothing sent");

    // Confirmed again against what OCP holds now, it applies.
    let r = act(&g, &reviewer, id, "approve", "the hand-made note may go").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let r = apply(&g, &reviewer, id, "notes.csv", &file, "reviewer-pass").await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let run: RunView = r.json().await.expect("run");
    until(&g, &owner, run.id, |v| v.state == RunState::Finished).await;
    let now = notes(&g).await;
    assert!(numbers.iter().all(|n| now[n] == "reviewed"));
    // A declined request cannot be applied.
    let id = asked(&g, &owner, "Again", "notes.csv", &file).await.id;
    let r = act(&g, &reviewer, id, "decline", "not this week").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let (status, code, message) =
        error_of(apply(&g, &owner, id, "notes.csv", &file, "owner-pass").await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    assert!(message.contains("This request is declined"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_on_one_postgresql_apply_an_approved_request_once() {
    let Some(db) = common::db::postgres().await else {
        return;
    };
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream(sandbox_dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("a"),
        tempfile::tempdir().expect("b"),
    );
    let (a, _dist_a) = gateway(dir_a.path(), &config(proxy.addr, &db.url, 1000, "")).await;
    let (b, _dist_b) = gateway(dir_b.path(), &config(proxy.addr, &db.url, 1000, "")).await;
    let (owner, reviewer) = (token(&a, "owner").await, token(&b, "reviewer").await);
    let numbers = numbers_of(&a, "ocp", 10).await;
    let file = deletes(&numbers);
    let id = asked(&a, &owner, "Twice?", "twice.csv", &file).await.id;
    let r = act(&b, &reviewer, id, "approve", "").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let (one, two) = tokio::join!(
        apply(&a, &owner, id, "twice.csv", &file, "owner-pass"),
        apply(&b, &reviewer, id, "twice.csv", &file, "reviewer-pass"),
    );
    let mut statuses = [one.status().as_u16(), two.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 403], "exactly one gateway applies it");
    let run = request(&a, &owner, id).await.run.expect("a run");
    until(&a, &owner, run, |v| v.state == RunState::Finished).await;
    assert_eq!(
        proxy.csv_batches.load(Ordering::SeqCst),
        2,
        "each batch once"
    );
    let list: RequestList = client()
        .get(b.url("/relay/ocp/sandbox/requests"))
        .bearer_auth(&reviewer)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list.requests[0].state, RequestState::Applied);
}

/// A clock a test moves by hand.
struct Manual(AtomicI64);

impl numbers_gateway::schedule::Clock for Manual {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_not_applied_in_time_expires_and_a_plan_may_not_complete_a_router_unreviewed() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = numbers_gateway::Config::load(None).expect("defaults");
    config.history.url = Some(sqlite_in(dir.path()));
    config.sandbox_review = Some(Policy::demo());
    let clock = Arc::new(Manual(AtomicI64::new(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default(),
    )));
    let g = serve_options(numbers_gateway::Options {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        config,
        dist: None,
        sandbox: Some(numbers_sandbox::Config::ephemeral()),
        clock: Some(clock.clone()),
    })
    .await;
    let sign_in = g.url("/relay/ocp/sandbox/sign-in");
    let owner = common::sign_in(&sign_in, "owner", "owner-pass", "").await.0;
    let reviewer = common::sign_in(&sign_in, "reviewer", "reviewer-pass", "")
        .await
        .0;
    let numbers: Vec<String> =
        common::sandbox_numbers(&g.url("/relay/ocp/sandbox/api/numbers?pageSize=100"))
            .await
            .iter()
            .filter_map(|r| r["number"].as_str().map(str::to_string))
            .take(2)
            .collect();
    let file = deletes(&numbers);
    let base = g.url("/relay/ocp/sandbox");
    // Nor may a plan complete a router at its end with nobody's review.
    let r = client()
        .post(format!("{base}/schedules"))
        .bearer_auth(&owner)
        .json(&json!({"router_id": "router-demo", "interval_secs": 60, "zone": "Europe/Athens", "end": {"kind": "complete"}}))
        .send()
        .await
        .expect("plan");
    let (status, code, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "review_required"),
        "{message}"
    );
    assert!(
        message.contains("a plan may not end by completing it"),
        "{message}"
    );
    let r = client()
        .post(format!("{base}/requests"))
        .bearer_auth(&owner)
        .json(&json!({"title": "Later", "reason": "", "file_name": "later.csv", "text": file}))
        .send()
        .await
        .expect("ask");
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let id = r.json::<RequestView>().await.expect("view").id;
    let r = client()
        .post(format!("{base}/requests/{id}/approve"))
        .bearer_auth(&reviewer)
        .json(&json!({}))
        .send()
        .await
        .expect("approve");
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    // Three days and a minute later.
    clock.0.fetch_add(72 * 3_600_000 + 60_000, Ordering::SeqCst);
    let r = client()
        .post(format!("{base}/runs"))
        .bearer_auth(&owner)
        .json(&json!({"file_name": "later.csv", "text": file, "password": "owner-pass", "request": id}))
        .send()
        .await
        .expect("apply");
    let (status, code, message) = error_of(r).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    assert!(message.contains("is expired"), "{message}");
    let list: RequestList = client()
        .get(format!("{base}/requests"))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list.requests[0].state, RequestState::Expired);
    assert!(list.requests[0]
        .note
        .clone()
        .unwrap_or_default()
        .contains("not applied within 72 hours"));
    let r = client()
        .post(format!("{base}/requests/{id}/approve"))
        .bearer_auth(&reviewer)
        .json(&json!({}))
        .send()
        .await
        .expect("approve");
    assert_eq!(error_of(r).await.1, "request_refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completing_a_router_is_requested_as_one_call_sent_by_the_gateway_once_approved() {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream(sandbox_dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let dir = tempfile::tempdir().expect("dir");
    let (g, _dist) = gateway(
        dir.path(),
        &config(proxy.addr, &sqlite_in(dir.path()), 1000, ""),
    )
    .await;
    let (owner, reviewer, member) = (
        token(&g, "owner").await,
        token(&g, "reviewer").await,
        token(&g, "member").await,
    );
    let complete =
        json!({"method": "POST", "path": "/api/numbers-routing/router-demo/complete", "body": ""});
    let new = |title: &str| json!({"title": title, "reason": "the rollout reached 100%", "call": complete});
    let post = |token: &str, body: Value| {
        client()
            .post(g.url("/relay/ocp/sandbox/requests"))
            .bearer_auth(token.to_string())
            .json(&body)
            .send()
    };
    // The member may not see the router's group: no request of theirs.
    let (status, code, message) = error_of(post(&member, new("mine")).await.expect("ask")).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    let r = post(&owner, new("Finish the rollout")).await.expect("ask");
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let made: RequestView = r.json().await.expect("view");
    let id = made.id;
    assert!(
        made.rule
            .starts_with("Completing a router needs 1 approval"),
        "{}",
        made.rule
    );
    assert_eq!(
        made.call.as_ref().map(|c| c.path.as_str()),
        Some("/api/numbers-routing/router-demo/complete")
    );
    let r = act(&g, &reviewer, id, "approve", "").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    assert_eq!(
        targets(&g, &owner).await.routers.get("router-demo"),
        Some(&id)
    );

    // The split moved by hand after the approval: the approval is stale.
    let moved = client()
        .put(g.url("/relay/ocp/sandbox/api/numbers-routing"))
        .bearer_auth(&owner)
        .json(&json!({"id": "router-demo", "weight": 45}))
        .send()
        .await
        .expect("move");
    assert!(moved.status().is_success(), "{:?}", moved.text().await);
    let (status, code, message) = error_of(act(&g, &owner, id, "apply", "").await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "request_refused"),
        "{message}"
    );
    assert!(message.contains("router-demo changed since"), "{message}");
    assert_eq!(request(&g, &owner, id).await.state, RequestState::Open);

    let r = act(&g, &reviewer, id, "approve", "45% is fine too").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let before = proxy.requests.load(Ordering::SeqCst);
    let r = act(&g, &owner, id, "apply", "").await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let applied: RequestView = r.json().await.expect("view");
    assert_eq!(applied.state, RequestState::Applied);
    let (status, _, _) = error_of(act(&g, &reviewer, id, "apply", "").await).await;
    assert_eq!(status, 403, "applied once");
    let read = client()
        .get(g.url("/relay/ocp/sandbox/api/numbers-routing/router-demo"))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("read");
    assert_eq!(
        read.status(),
        404,
        "the router was completed (and so removed)"
    );
    assert!(proxy.requests.load(Ordering::SeqCst) > before);
    let entries = history(&g, &owner).await;
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.iter().any(|a| a.starts_with("Complete router"))
            || actions
                .iter()
                .any(|a| a.to_lowercase().contains("complete")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&format!("change request applied · request {id}").as_str()),
        "{actions:?}"
    );
}
