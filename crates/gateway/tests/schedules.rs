//! Rollouts that run themselves: plans kept and run by the gateway under
//! the sandbox's automation account, with tokens living a few seconds and
//! steps a second or two apart. Between the gateway and the sandbox a
//! counting proxy tells how many next steps OCP really received; a
//! webhook receiver collects what the gateway told it. What touches the
//! database runs on SQLite and on PostgreSQL.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::db::{sqlite, Database};
use common::upstream::{counter, receiver, Upstream};
use common::{client, Running};
use numbers_core::history::EntryPage;
use numbers_core::models::schedule::{PlanList, PlanState, PlanView};
use numbers_gateway::{Config, Options};
use serde_json::{json, Value};

const OWNER: &str = numbers_core::dev::OWNER_TOKEN;
const ROUTER: &str = "router-demo";

/// The gateway's configuration: the sandbox behind `proxy`, its automation
/// account's password in a file, steps as short as a second, leases of
/// two seconds.
fn config_text(db: &Database, proxy: SocketAddr, dir: &Path, hook: Option<SocketAddr>) -> String {
    let password = dir.join("automation.password");
    std::fs::write(
        &password,
        format!("{}\n", numbers_sandbox::sign_in::AUTOMATION_PASSWORD),
    )
    .expect("password file");
    let webhook = hook
        .map(|h| format!("webhook_url = \"http://{h}/hook\"\n"))
        .unwrap_or_default();
    format!(
        "builtin_environments = false\n\
         [schedules]\nmin_interval_secs = 1\nlease_secs = 2\ntick_ms = 200\n\
         [history]\nurl = \"{}\"\n\
         [ocp.sandbox]\nlabel = \"Sandbox\"\nsandbox = true\n\
         base_url = \"http://{proxy}/integrations\"\n\
         token_url = \"http://{proxy}/auth/realms/master/protocol/openid-connect/token\"\n\
         automation_user = \"automation\"\nautomation_password_file = \"{}\"\n{webhook}",
        db.url,
        password.display()
    )
}

fn config(text: &str, dir: &Path) -> Config {
    let path = dir.join("gateway.toml");
    std::fs::write(&path, text).expect("config");
    Config::load(Some(&path)).expect("config loads")
}

async fn gateway(
    text: &str,
    dir: &Path,
    clock: Option<Arc<dyn numbers_gateway::schedule::Clock>>,
) -> Running {
    common::serve_options(Options {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        config: config(text, dir),
        dist: None,
        sandbox: None,
        clock,
    })
    .await
}

async fn plan(base: &str, token: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!("{base}/relay/ocp/sandbox/schedules"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("plan")
}

async fn plans(base: &str, token: &str) -> PlanList {
    client()
        .get(format!("{base}/relay/ocp/sandbox/schedules"))
        .bearer_auth(token)
        .send()
        .await
        .expect("plans")
        .json()
        .await
        .expect("list")
}

async fn command(base: &str, id: i64, what: &str) -> reqwest::Response {
    client()
        .post(format!("{base}/relay/ocp/sandbox/schedules/{id}/{what}"))
        .bearer_auth(OWNER)
        .send()
        .await
        .expect("command")
}

/// Waits (at most `secs`) until plan `id` is in `state`.
async fn until_state(base: &str, id: i64, state: PlanState, secs: u64) -> PlanView {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let list = plans(base, OWNER).await;
        let p = list
            .plans
            .into_iter()
            .find(|p| p.id == id)
            .expect("the plan");
        if p.state == state {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "plan {id} is {:?}, not {state:?}: {p:?}",
            p.state
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The router as the sandbox has it: (source weight, target weight).
async fn split(upstream: SocketAddr) -> (i64, i64) {
    let r: Value = client()
        .get(format!(
            "http://{upstream}/integrations/api/numbers-routing/{ROUTER}"
        ))
        .bearer_auth(OWNER)
        .send()
        .await
        .expect("router")
        .json()
        .await
        .expect("json");
    let weight = |order: i64| {
        r["appRoutes"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["order"] == order))
            .and_then(|x| x["weight"].as_i64())
            .unwrap_or(-1)
    };
    (weight(0), weight(1))
}

/// The history's entries of next steps, as the owner reads them.
async fn step_entries(base: &str) -> Vec<numbers_core::history::Entry> {
    let page: EntryPage = client()
        .get(format!(
            "{base}/relay/ocp/sandbox/history?action=next%20step&limit=500"
        ))
        .bearer_auth(OWNER)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("page");
    page.entries
}

fn hold_at(target: u8, interval_secs: u32) -> Value {
    json!({"router_id": ROUTER, "interval_secs": interval_secs, "zone": "Europe/Athens",
           "end": {"kind": "hold_at", "target": target}})
}

on_both!(a_plan_runs_to_its_end_with_no_browser_open);
on_both!(a_router_changed_by_hand_pauses_the_plan);
on_both!(a_provider_down_pauses_the_plan_until_a_person_resumes_it);
on_both!(a_gateway_restarted_mid_plan_goes_on_without_repeating_a_step);

async fn a_plan_runs_to_its_end_with_no_browser_open(db: Database) {
    let dir = tempfile::tempdir().expect("dir");
    let upstream = Upstream::start(dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let (hook, hooks, _h) = receiver().await;
    let text = config_text(&db, proxy.addr, dir.path(), Some(hook));
    let g = gateway(&text, dir.path(), None).await;
    let base = g.url("").trim_end_matches('/').to_string();
    assert_eq!(split(upstream.addr).await, (70, 30));
    // Five steps of 10 points, a second apart, to hold at 80% on the target.
    let r = plan(&base, OWNER, hold_at(80, 1)).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
    let created: PlanView = r.json().await.expect("plan");
    assert_eq!(created.author, "owner");
    let done = until_state(&base, created.id, PlanState::Finished, 60).await;
    assert_eq!(done.steps_done, 5);
    assert_eq!(split(upstream.addr).await, (20, 80));
    assert_eq!(
        proxy.next_steps.load(Ordering::SeqCst),
        5,
        "OCP got each step once"
    );
    let entries = step_entries(&base).await;
    assert_eq!(entries.len(), 5, "{entries:?}");
    for e in &entries {
        assert_eq!(e.who, "automation");
        assert_eq!(
            e.action,
            format!("next step · schedule {} by owner", created.id)
        );
    }
    // The webhook heard each step and the finish, once.
    let deadline = Instant::now() + Duration::from_secs(20);
    while hooks.events().len() < 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events = hooks.events();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "step").count(),
        5,
        "{events:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "finish").count(),
        1,
        "{events:?}"
    );
    assert_eq!(events.len(), 6, "{events:?}");
    assert!(events
        .iter()
        .all(|e| e["text"].as_str().is_some_and(|t| t.contains("schedule"))));
    // The automation account's password is nowhere but its file.
    let password = numbers_sandbox::sign_in::AUTOMATION_PASSWORD;
    let seen =
        serde_json::to_string(&(plans(&base, OWNER).await, &events, &entries)).expect("json");
    assert!(!seen.contains(password));
    if let Some(file) = db.url.strip_prefix("sqlite://") {
        for f in [file.to_string(), format!("{file}-wal")] {
            let bytes = std::fs::read(&f).unwrap_or_default();
            assert!(!String::from_utf8_lossy(&bytes).contains(password), "{f}");
        }
    }
}

async fn a_router_changed_by_hand_pauses_the_plan(db: Database) {
    let dir = tempfile::tempdir().expect("dir");
    let upstream = Upstream::start(dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let g = gateway(
        &config_text(&db, proxy.addr, dir.path(), None),
        dir.path(),
        None,
    )
    .await;
    let base = g.url("").trim_end_matches('/').to_string();
    let created: PlanView = plan(&base, OWNER, hold_at(100, 2))
        .await
        .json()
        .await
        .expect("plan");
    let deadline = Instant::now() + Duration::from_secs(30);
    while proxy.next_steps.load(Ordering::SeqCst) < 1 {
        assert!(Instant::now() < deadline, "no first step");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Someone sets the split by hand.
    let r = client()
        .put(format!("{base}/relay/ocp/sandbox/api/numbers-routing"))
        .bearer_auth(OWNER)
        .json(&json!({"id": ROUTER, "weight": 45}))
        .send()
        .await
        .expect("by hand");
    assert!(r.status().is_success());
    let paused = until_state(&base, created.id, PlanState::Paused, 30).await;
    let why = paused.reason.expect("a reason");
    assert!(
        why.contains("45/55") && why.contains("Someone changed the router"),
        "{why}"
    );
    let steps = proxy.next_steps.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        proxy.next_steps.load(Ordering::SeqCst),
        steps,
        "no step after the pause"
    );
    assert_eq!(split(upstream.addr).await, (45, 55));
}

async fn a_provider_down_pauses_the_plan_until_a_person_resumes_it(db: Database) {
    let dir = tempfile::tempdir().expect("dir");
    let mut upstream = Upstream::start(dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let g = gateway(
        &config_text(&db, proxy.addr, dir.path(), None),
        dir.path(),
        None,
    )
    .await;
    let base = g.url("").trim_end_matches('/').to_string();
    let created: PlanView = plan(&base, OWNER, hold_at(60, 1))
        .await
        .json()
        .await
        .expect("plan");
    let deadline = Instant::now() + Duration::from_secs(30);
    while proxy.next_steps.load(Ordering::SeqCst) < 1 {
        assert!(Instant::now() < deadline, "no first step");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Read once while OCP answers: what it says of the owner's credential
    // is believed for a minute, so the plans can be read while it is down.
    until_state(&base, created.id, PlanState::Running, 30).await;
    upstream.down().await;
    let paused = until_state(&base, created.id, PlanState::Paused, 50).await;
    let why = paused.reason.expect("a reason");
    assert!(why.contains("failed 3 times"), "{why}");
    upstream.up().await;
    // Nothing moves until a person resumes it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = proxy.next_steps.load(Ordering::SeqCst);
    assert_eq!(
        until_state(&base, created.id, PlanState::Paused, 5)
            .await
            .state,
        PlanState::Paused
    );
    assert_eq!(proxy.next_steps.load(Ordering::SeqCst), before);
    let r = command(&base, created.id, "resume").await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let done = until_state(&base, created.id, PlanState::Finished, 60).await;
    assert!(done.steps_done >= 3);
    assert_eq!(split(upstream.addr).await, (40, 60));
}

async fn a_gateway_restarted_mid_plan_goes_on_without_repeating_a_step(db: Database) {
    let dir = tempfile::tempdir().expect("dir");
    let upstream = Upstream::start(dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let text = config_text(&db, proxy.addr, dir.path(), None);
    let mut first = gateway(&text, dir.path(), None).await;
    let base = first.url("").trim_end_matches('/').to_string();
    let created: PlanView = plan(&base, OWNER, hold_at(90, 1))
        .await
        .json()
        .await
        .expect("plan");
    let deadline = Instant::now() + Duration::from_secs(30);
    while proxy.next_steps.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline, "no steps");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.stop();
    if let Some(t) = first.task.take() {
        let _ = t.await;
    }
    let second = gateway(&text, dir.path(), None).await;
    let base = second.url("").trim_end_matches('/').to_string();
    let done = until_state(&base, created.id, PlanState::Finished, 60).await;
    assert_eq!(split(upstream.addr).await, (10, 90));
    assert_eq!(proxy.next_steps.load(Ordering::SeqCst), 6, "no step twice");
    assert_eq!(done.steps_done, 6);
    assert_eq!(step_entries(&base).await.len(), 6);
}

/// A clock a test moves by hand.
struct Manual(AtomicI64);

impl numbers_gateway::schedule::Clock for Manual {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_window_that_excludes_now_holds_the_first_step_until_it_opens() {
    let db = sqlite();
    let dir = tempfile::tempdir().expect("dir");
    let upstream = Upstream::start(dir.path()).await;
    let proxy = counter(upstream.addr).await;
    // Monday 2027-01-04, 08:59:50 in Athens (UTC+2).
    let monday_0900 = 1_799_046_000_000;
    let clock = Arc::new(Manual(AtomicI64::new(monday_0900 - 10_000)));
    let g = gateway(
        &config_text(&db, proxy.addr, dir.path(), None),
        dir.path(),
        Some(clock.clone()),
    )
    .await;
    let base = g.url("").trim_end_matches('/').to_string();
    let mut body = hold_at(40, 1);
    body["window"] = json!({"days": 31, "start_min": 540, "end_min": 1020});
    let created: PlanView = plan(&base, OWNER, body).await.json().await.expect("plan");
    assert_eq!(created.next_at_ms, Some(monday_0900));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        proxy.next_steps.load(Ordering::SeqCst),
        0,
        "a step outside the window"
    );
    clock.0.store(monday_0900 + 500, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(10);
    while proxy.next_steps.load(Ordering::SeqCst) < 1 {
        assert!(Instant::now() < deadline, "no step once the window opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn only_someone_who_may_change_the_router_makes_or_steers_a_plan() {
    let db = sqlite();
    let dir = tempfile::tempdir().expect("dir");
    let upstream = Upstream::start(dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let g = gateway(
        &config_text(&db, proxy.addr, dir.path(), None),
        dir.path(),
        None,
    )
    .await;
    let base = g.url("").trim_end_matches('/').to_string();
    // The member's groups do not include the router's (ocp).
    let r = plan(&base, "sandbox-member", hold_at(80, 60)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "schedule_refused");
    assert!(plans(&base, "sandbox-member").await.plans.is_empty());
    let r = plan(&base, "not-a-token", hold_at(80, 60)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Too short an interval, an unknown zone: said before anything is saved.
    for (field, value, says) in [
        ("interval_secs", json!(0), "at least 1 seconds"),
        ("zone", json!("Mars/Olympus"), "not a time zone"),
    ] {
        let mut body = hold_at(80, 60);
        body[field] = value;
        let r = plan(&base, OWNER, body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let text = r.text().await.expect("text");
        assert!(text.contains(says), "{text}");
    }
    let created: PlanView = plan(&base, OWNER, hold_at(80, 60))
        .await
        .json()
        .await
        .expect("plan");
    // One open plan a router.
    assert_eq!(
        plan(&base, OWNER, hold_at(80, 60)).await.status(),
        StatusCode::CONFLICT
    );
    let r = client()
        .post(format!(
            "{base}/relay/ocp/sandbox/schedules/{}/cancel",
            created.id
        ))
        .bearer_auth("sandbox-member")
        .send()
        .await
        .expect("cancel");
    // The member may not see the router's group: to them there is no such plan.
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        command(&base, created.id, "pause").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        command(&base, created.id, "pause").await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        command(&base, created.id, "cancel").await.status(),
        StatusCode::OK
    );
    let all = plans(&base, OWNER).await;
    assert!(all.available);
    assert_eq!(all.plans[0].state, PlanState::Cancelled);
    assert_eq!(all.plans[0].reason.as_deref(), Some("Cancelled by owner."));
    assert_eq!(proxy.next_steps.load(Ordering::SeqCst), 0);
    // Each was recorded, by whom.
    let page: EntryPage = client()
        .get(format!("{base}/relay/ocp/sandbox/history?action=schedule"))
        .bearer_auth(OWNER)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("page");
    let actions: Vec<String> = page.entries.iter().map(|e| e.action.clone()).collect();
    assert_eq!(
        actions,
        [
            format!("schedule cancelled · schedule {}", created.id),
            format!("schedule paused · schedule {}", created.id),
            format!("schedule created · schedule {}", created.id),
        ]
    );
    // Without an automation account there are no plans, and the list says why.
    let none = config_text(&db, proxy.addr, dir.path(), None)
        .replace("automation_user = \"automation\"\n", "")
        .replace("automation_password_file", "# automation_password_file");
    let other = gateway(&none, dir.path(), None).await;
    let base = other.url("").trim_end_matches('/').to_string();
    let list = plans(&base, OWNER).await;
    assert!(!list.available);
    assert!(list
        .why
        .unwrap_or_default()
        .contains("no automation account"));
    assert_eq!(
        plan(&base, OWNER, hold_at(80, 60)).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

/// Two gateway processes on one PostgreSQL run one plan: each step reaches
/// OCP once; one killed mid-plan, the other finishes it. Their logs and the
/// database hold no automation password.
#[tokio::test]
async fn two_gateways_on_one_postgres_run_each_step_once() {
    let Some(db) = common::db::postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let upstream = Upstream::start(dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let text = config_text(&db, proxy.addr, dir.path(), None);
    let (a_dir, b_dir) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a_dir).expect("a");
    std::fs::create_dir_all(&b_dir).expect("b");
    let dist = a_dir.join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<!DOCTYPE html><title>t</title>").expect("index");
    let dist = dist.display().to_string();
    let mut a = common::process::Process::start(&a_dir, &text, &["--dist", &dist]).await;
    let b = common::process::Process::start(&b_dir, &text, &["--dist", &dist]).await;
    let base = a.url("").trim_end_matches('/').to_string();
    let created: PlanView = plan(&base, OWNER, hold_at(100, 1))
        .await
        .json()
        .await
        .expect("plan");
    let deadline = Instant::now() + Duration::from_secs(30);
    while proxy.next_steps.load(Ordering::SeqCst) < 3 {
        assert!(Instant::now() < deadline, "no steps");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill();
    let b_base = b.url("").trim_end_matches('/').to_string();
    let done = until_state(&b_base, created.id, PlanState::Finished, 90).await;
    assert_eq!(split(upstream.addr).await, (0, 100));
    assert_eq!(proxy.next_steps.load(Ordering::SeqCst), 7, "each step once");
    assert_eq!(done.steps_done, 7);
    assert_eq!(step_entries(&b_base).await.len(), 7);
    let password = numbers_sandbox::sign_in::AUTOMATION_PASSWORD;
    for log in [a.log(), b.log()] {
        assert!(!log.contains(password));
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.expect("postgres");
    for table in ["schedules", "history_entries"] {
        let n: i64 = sqlx::Row::get(
            &sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table} t WHERE CAST(t AS TEXT) LIKE '%{password}%'"
            )))
            .fetch_one(&pool)
            .await
            .expect("count"),
            "n",
        );
        assert_eq!(n, 0, "{table}");
    }
    pool.close().await;
}
