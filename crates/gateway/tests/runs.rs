//! Bulk changes the gateway runs: a file handed over by one owner, its
//! batches sent by the gateway binary itself against the sandbox (behind a
//! proxy that counts every batch OCP applied), through a SIGKILL and a
//! restart, resumed by another owner. Tokens live seconds, so sessions
//! renew (and end) while the run goes on.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::client;
use common::ocp::{
    batch_entries, command, everything_written, gateway, hand_over, notes, notes_file, numbers_of,
    run, started, tail, token, until,
};
use common::process::Process;
use common::upstream::{counter, Upstream};
use numbers_core::models::run::{RunDrift, RunList, RunState, RunView, WAITING};
use serde_json::{json, Value};

const BATCH_ROWS: usize = 5;

/// The gateway's configuration: the sandbox behind `proxy`, batches of
/// [`BATCH_ROWS`], leases of two seconds.
fn config(proxy: SocketAddr, db: &str) -> String {
    config_with(proxy, db, "")
}

/// [`config`] with more lines for the environment.
fn config_with(proxy: SocketAddr, db: &str, more: &str) -> String {
    format!(
        "builtin_environments = false\n\
         [schedules]\nlease_secs = 2\n\
         [history]\nurl = \"{db}\"\n\
         [ocp.sandbox]\nlabel = \"Sandbox\"\nsandbox = true\n\
         base_url = \"http://{proxy}/integrations\"\n\
         token_url = \"http://{proxy}/auth/realms/master/protocol/openid-connect/token\"\n\
         csv_limits = \"update={BATCH_ROWS},attach={BATCH_ROWS},detach={BATCH_ROWS},delete={BATCH_ROWS},create={BATCH_ROWS}\"\n{more}"
    )
}

/// The database in the gateway's folder: every file it writes is grepped.
fn sqlite_in(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("history.sqlite").display())
}

/// The sandbox: slow enough that a run of tens of batches is under way
/// for seconds, with batches as small as the gateway's, tokens that live
/// two seconds and refresh tokens revoked as they are used.
async fn upstream(dir: &Path) -> Upstream {
    upstream_slow(dir, 40).await
}

/// [`upstream`] answering after `latency_ms`.
async fn upstream_slow(dir: &Path, latency_ms: u64) -> Upstream {
    let mut limits = numbers_core::limits::Limits::default();
    for op in numbers_core::csv::Operation::ALL {
        limits.set(op, BATCH_ROWS);
    }
    Upstream::start_with(
        dir,
        numbers_sandbox::Config {
            token_ttl: 2,
            refresh_ttl: 30,
            latency_ms,
            revoke_refresh_tokens: true,
            limits,
            ..numbers_sandbox::Config::ephemeral()
        },
    )
    .await
}

/// `n` numbers of group `ocp`, as the owner lists them.
async fn numbers_of_ocp(g: &Process, n: usize) -> Vec<String> {
    numbers_of(g, "ocp", n).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_outlives_a_killed_gateway_and_another_owner_finishes_it_with_each_batch_applied_once(
) {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream(sandbox_dir.path()).await;
    let proxy = counter(upstream.addr).await;
    let dir = tempfile::tempdir().expect("dir");
    let dist = common::fake_dist();
    let dist_path = dist.path().to_string_lossy().to_string();
    let mut g = Process::start_logging(
        dir.path(),
        &config(proxy.addr, &sqlite_in(dir.path())),
        &["--dist", &dist_path],
        "debug",
    )
    .await;
    let numbers = numbers_of_ocp(&g, 100).await;
    let original = notes(&g).await;
    assert_eq!(numbers.len(), 100, "the sandbox has 100 numbers of ocp");
    let batches = numbers.len() / BATCH_ROWS;
    // People read with the owner's dev token (it does not expire); the
    // signed-in tokens below are used at once, within their two seconds.
    let owner = numbers_sandbox::credential::OWNER_TOKEN;
    let signed_in_owner = token(&g, "owner").await;

    // A wrong password starts nothing.
    let text = notes_file(&numbers, "cleaned");
    let wrong = hand_over(&g, &signed_in_owner, "clean-up.csv", &text, "not-it").await;
    assert_eq!(wrong.status(), 403);
    let said: Value = wrong.json().await.expect("json");
    assert_eq!(said["error"], "run_refused");
    assert!(
        said["message"]
            .as_str()
            .unwrap_or_default()
            .contains("password"),
        "{said}"
    );

    let started = hand_over(&g, &signed_in_owner, "clean-up.csv", &text, "owner-pass").await;
    assert_eq!(started.status(), 201, "{:?}", started.text().await);
    let view: RunView = started.json().await.expect("view");
    assert_eq!(view.batches, batches as u64);
    assert_eq!(view.author, "owner");
    let id = view.id;

    // A member of ocp-qa neither sees nor steers a run touching ocp.
    let member = numbers_sandbox::credential::MEMBER_TOKEN;
    let list: RunList = client()
        .get(g.url("/relay/ocp/sandbox/runs"))
        .bearer_auth(member)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("runs");
    assert!(list.runs.is_empty(), "{list:?}");
    assert_eq!(run(&g, member, id).await.status(), 404);
    assert_eq!(
        command(&g, member, id, "pause", json!({})).await.status(),
        404
    );

    // Killed mid-run: nothing written on the way out.
    let partway = until(&g, owner, id, |v| v.batches_applied >= 3).await;
    assert!(partway.batches_applied < batches as u64, "{partway:?}");
    g.kill();
    g.restart().await;
    let paused = until(&g, owner, id, |v| v.state == RunState::Paused).await;
    let reason = paused.reason.clone().unwrap_or_default();
    assert!(reason.contains(WAITING), "{reason}");
    let applied_before = paused.batches_applied;

    // Another owner resumes it with their own credential.
    let reviewer = token(&g, "reviewer").await;
    let resumed = command(
        &g,
        &reviewer,
        id,
        "resume",
        json!({"password": "reviewer-pass"}),
    )
    .await;
    assert_eq!(resumed.status(), 200, "{:?}", resumed.text().await);
    let done = until(&g, owner, id, |v| v.state == RunState::Finished).await;
    assert_eq!(done.batches_applied, batches as u64, "{done:?}");
    assert_eq!(done.rows_applied, numbers.len() as u64);
    assert_eq!(done.runner, "reviewer");
    assert_eq!(
        proxy.csv_batches.load(Ordering::SeqCst),
        batches,
        "every batch applied once: none twice, none missing"
    );
    let now = notes(&g).await;
    for n in &numbers {
        assert_eq!(
            now.get(n).map(String::as_str),
            Some(format!("cleaned {n}").as_str())
        );
    }

    // The history credits each batch to whoever's session sent it.
    let batch_entries = batch_entries(&g, owner, id).await;
    assert_eq!(batch_entries.len(), batches, "{batch_entries:?}");
    let by = |who: &str| batch_entries.iter().filter(|e| e["who"] == who).count() as u64;
    assert!(by("owner") >= applied_before, "{batch_entries:?}");
    assert!(by("reviewer") > 0, "{batch_entries:?}");
    assert_eq!(by("owner") + by("reviewer"), batches as u64);

    // Revert, from the other owner: every note as it was.
    let reviewer = token(&g, "reviewer").await;
    let reverted = command(
        &g,
        &reviewer,
        id,
        "revert",
        json!({"password": "reviewer-pass"}),
    )
    .await;
    assert_eq!(reverted.status(), 201, "{:?}", reverted.text().await);
    let revert: RunView = reverted.json().await.expect("view");
    assert_eq!(revert.reverts, Some(id));
    until(&g, owner, revert.id, |v| v.state == RunState::Finished).await;
    let after = notes(&g).await;
    for n in &numbers {
        assert_eq!(after.get(n), original.get(n), "{n} restored");
    }

    // No token, refresh token or password in the database, spool or the
    // debug log: the sandbox's tokens are JWTs ("eyJ…").
    g.stop().await;
    let written = everything_written(dir.path());
    assert!(!written.is_empty());
    for secret in [
        signed_in_owner.as_str(),
        reviewer.as_str(),
        "eyJ",
        "owner-pass",
        "reviewer-pass",
    ] {
        assert!(!written.contains(secret), "{secret} was written");
    }
}

/// A gateway in front of the sandbox answering after `latency_ms`, behind
/// the proxy that counts its batches, and what keeps them alive.
struct Behind {
    g: Process,
    proxy: common::upstream::Counter,
    _upstream: Upstream,
    _dirs: [tempfile::TempDir; 3],
}

/// [`Behind`], its history in `db` (or SQLite in the gateway's folder).
async fn behind_the_sandbox(latency_ms: u64, db: Option<&str>) -> Behind {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream_slow(sandbox_dir.path(), latency_ms).await;
    let proxy = counter(upstream.addr).await;
    let dir = tempfile::tempdir().expect("dir");
    let db = db.map_or_else(|| sqlite_in(dir.path()), str::to_string);
    let (g, dist) = gateway(dir.path(), &config(proxy.addr, &db)).await;
    Behind {
        g,
        proxy,
        _upstream: upstream,
        _dirs: [sandbox_dir, dir, dist],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_rows_come_back_as_a_file_that_fixed_and_dropped_again_applies_them() {
    let sandbox_dir = tempfile::tempdir().expect("dir");
    let upstream = upstream_slow(sandbox_dir.path(), 0).await;
    let proxy = counter(upstream.addr).await;
    let (hook, hooks, _hook_stop) = common::upstream::receiver().await;
    let dir = tempfile::tempdir().expect("dir");
    let more = format!("webhook_url = \"http://{hook}/hook\"\n");
    let (g, _dist) = gateway(
        dir.path(),
        &config_with(proxy.addr, &sqlite_in(dir.path()), &more),
    )
    .await;
    let owner = numbers_sandbox::credential::OWNER_TOKEN;
    let numbers = numbers_of_ocp(&g, 8).await;
    // Rows 6 to 8 carry mistyped numbers: their batch is refused whole.
    let typo = |i: usize| format!("+1999555{i:04}");
    let mut text = String::from("OPERATION,NUMBER,NOTE\n");
    for (i, n) in numbers.iter().enumerate() {
        let number = if i < BATCH_ROWS { n.clone() } else { typo(i) };
        text.push_str(&format!("update,{number},fixed {n}\n"));
    }
    let name = "<!channel> notes.csv";
    let id = started(&g, owner, name, &text, "owner-pass").await;
    let done = until(&g, owner, id, |v| v.state == RunState::Finished).await;
    assert_eq!(
        (done.batches_applied, done.batches_failed),
        (1, 1),
        "{done:?}"
    );
    assert_eq!((done.rows_applied, done.rows_failed), (5, 3));
    assert!(done
        .last_error
        .unwrap_or_default()
        .contains("does not exist"));

    let failed = client()
        .get(g.url(&format!("/relay/ocp/sandbox/runs/{id}/failed.csv")))
        .bearer_auth(owner)
        .send()
        .await
        .expect("failed rows");
    assert_eq!(failed.status(), 200);
    assert!(failed.headers()["content-disposition"]
        .to_str()
        .unwrap_or_default()
        .contains("failed-rows.csv"));
    let failed = failed.text().await.expect("csv");
    let lines: Vec<&str> = failed.lines().collect();
    assert_eq!(lines.len(), 4, "{failed}");
    assert!(
        lines[0].starts_with("OPERATION,NUMBER,NOTE,ERROR"),
        "{failed}"
    );
    assert!(
        lines[1..].iter().all(|l| l.contains("does not exist")),
        "{failed}"
    );

    // Fixed (the right numbers typed in) and dropped again: applied.
    let mut fixed = failed.clone();
    for (i, n) in numbers.iter().enumerate().skip(BATCH_ROWS) {
        fixed = fixed.replace(&typo(i), n);
    }
    let again = started(&g, owner, "notes-fixed.csv", &fixed, "owner-pass").await;
    let done = until(&g, owner, again, |v| v.state == RunState::Finished).await;
    assert_eq!((done.rows_applied, done.rows_failed), (3, 0), "{done:?}");
    let now = notes(&g).await;
    for n in &numbers {
        assert_eq!(
            now.get(n).map(String::as_str),
            Some(format!("fixed {n}").as_str())
        );
    }
    assert_eq!(proxy.csv_batches.load(Ordering::SeqCst), 2);

    // The chat was told, the file's name quoted as data.
    let deadline = Instant::now() + Duration::from_secs(20);
    let events = loop {
        let events = hooks.events();
        let mine: Vec<Value> = events.into_iter().filter(|e| e["run"] == id).collect();
        if mine.iter().any(|e| e["event"] == "failed") || Instant::now() > deadline {
            break mine;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(kinds, ["started", "failed"], "{events:?}");
    for e in &events {
        let text = e["text"].as_str().unwrap_or_default();
        assert!(
            !text.contains("<!channel>") && text.contains("&lt;!channel&gt;"),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_stopped_with_sigterm_finishes_the_batch_in_flight_and_pauses_the_run() {
    let Behind {
        mut g,
        proxy,
        _upstream,
        _dirs,
    } = behind_the_sandbox(150, None).await;
    let owner = numbers_sandbox::credential::OWNER_TOKEN;
    let numbers = numbers_of_ocp(&g, 100).await;
    let batches = numbers.len() / BATCH_ROWS;
    let text = notes_file(&numbers, "stopped");
    let id = started(&g, owner, "stop.csv", &text, "owner-pass").await;
    until(&g, owner, id, |v| v.batches_applied >= 2).await;
    g.stop().await;
    let sent_before_stop = proxy.csv_batches.load(Ordering::SeqCst);
    // Every batch's entry was made before it stopped: none left waiting.
    assert!(
        !g.log().contains("entries were still being made"),
        "{}",
        tail(&g.log())
    );
    g.restart().await;
    let paused = until(&g, owner, id, |v| v.state == RunState::Paused).await;
    assert!(
        paused
            .reason
            .clone()
            .unwrap_or_default()
            .starts_with("The gateway was stopped"),
        "{paused:?}"
    );
    // The batch in flight was finished and written: none left unknown.
    assert_eq!(
        paused.batches_applied as usize, sent_before_stop,
        "{paused:?}"
    );
    let resumed = command(&g, owner, id, "resume", json!({"password": "owner-pass"})).await;
    assert_eq!(resumed.status(), 200, "{:?}", resumed.text().await);
    until(&g, owner, id, |v| v.state == RunState::Finished).await;
    assert_eq!(proxy.csv_batches.load(Ordering::SeqCst), batches);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_on_one_postgresql_one_sends_and_the_other_takes_over_when_it_dies() {
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
    let (mut a, _dist_a) = gateway(dir_a.path(), &config(proxy.addr, &db.url)).await;
    let (b, _dist_b) = gateway(dir_b.path(), &config(proxy.addr, &db.url)).await;
    let owner = numbers_sandbox::credential::OWNER_TOKEN;
    let numbers = numbers_of_ocp(&a, 100).await;
    let batches = numbers.len() / BATCH_ROWS;
    let id = started(
        &a,
        owner,
        "two.csv",
        &notes_file(&numbers, "two"),
        "owner-pass",
    )
    .await;
    // B sees the run A sends, and leaves it to A.
    let seen = until(&b, owner, id, |v| v.batches_applied >= 3).await;
    assert_eq!(seen.state, RunState::Running);
    a.kill();
    let paused = until(&b, owner, id, |v| v.state == RunState::Paused).await;
    assert!(
        paused.reason.clone().unwrap_or_default().contains(WAITING),
        "{paused:?}"
    );
    let reviewer = token(&b, "reviewer").await;
    let resumed = command(
        &b,
        &reviewer,
        id,
        "resume",
        json!({"password": "reviewer-pass"}),
    )
    .await;
    assert_eq!(resumed.status(), 200, "{:?}", resumed.text().await);
    let done = until(&b, owner, id, |v| v.state == RunState::Finished).await;
    assert_eq!(done.rows_applied, numbers.len() as u64);
    assert_eq!(
        proxy.csv_batches.load(Ordering::SeqCst),
        batches,
        "every batch applied once across the two gateways"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_who_may_see_but_not_change_the_numbers_cannot_take_a_run_over() {
    let Behind {
        g,
        proxy,
        _upstream,
        _dirs,
    } = behind_the_sandbox(100, None).await;
    let owner = numbers_sandbox::credential::OWNER_TOKEN;
    let member = numbers_sandbox::credential::MEMBER_TOKEN;
    // Numbers of ocp-qa: the member sees them, but only an owner changes them.
    let numbers = numbers_of(&g, "ocp-qa", 50).await;
    let batches = numbers.len() / BATCH_ROWS;
    let text = notes_file(&numbers, "qa");
    let id = started(&g, owner, "qa.csv", &text, "owner-pass").await;
    let paused = command(&g, member, id, "pause", json!({})).await;
    assert_eq!(paused.status(), 200, "{:?}", paused.text().await);
    until(&g, member, id, |v| v.state == RunState::Paused).await;
    let resumed = command(&g, member, id, "resume", json!({"password": "member-pass"})).await;
    assert_eq!(resumed.status(), 200, "{:?}", resumed.text().await);
    let refused = until(&g, member, id, |v| {
        v.state == RunState::Paused && v.runner == "member"
    })
    .await;
    let reason = refused.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("does not let member") && reason.contains(WAITING),
        "{reason}"
    );
    assert_eq!(
        refused.rows_failed, 0,
        "nothing was taken for refused rows: {refused:?}"
    );
    let resumed = command(&g, owner, id, "resume", json!({"password": "owner-pass"})).await;
    assert_eq!(resumed.status(), 200, "{:?}", resumed.text().await);
    let done = until(&g, owner, id, |v| v.state == RunState::Finished).await;
    assert_eq!(done.rows_applied as usize, numbers.len());
    assert_eq!(proxy.csv_batches.load(Ordering::SeqCst), batches);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_holds_a_run_back_and_loses_nothing_it_applied_on_sqlite() {
    a_database_outage_holds_a_run_back_and_loses_nothing_it_applied(common::db::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_holds_a_run_back_and_loses_nothing_it_applied_on_postgresql() {
    if let Some(db) = common::db::postgres().await {
        a_database_outage_holds_a_run_back_and_loses_nothing_it_applied(db).await;
    }
}

/// The database stops taking writes mid-run: no batch goes while a batch's
/// state cannot be written first; the one in flight is kept in memory and
/// its history entry spooled; once the database is back the run goes on
/// and each batch is applied, recorded and counted once.
async fn a_database_outage_holds_a_run_back_and_loses_nothing_it_applied(db: common::db::Database) {
    let Behind {
        g,
        proxy,
        _upstream,
        _dirs,
    } = behind_the_sandbox(100, Some(&db.url)).await;
    let owner = numbers_sandbox::credential::OWNER_TOKEN;
    let numbers = numbers_of_ocp(&g, 100).await;
    let batches = numbers.len() / BATCH_ROWS;
    let text = notes_file(&numbers, "outage");
    let id = started(&g, owner, "outage.csv", &text, "owner-pass").await;
    until(&g, owner, id, |v| v.batches_applied >= 3).await;

    let outage = common::db::Outage::begin(&db).await;
    let at_outage = proxy.csv_batches.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let during = proxy.csv_batches.load(Ordering::SeqCst) - at_outage;
    assert!(
        during <= 1,
        "{during} batches were sent while the database could not be written (the one in flight may finish)"
    );
    outage.end().await;

    let done = until(&g, owner, id, |v| v.state == RunState::Finished).await;
    assert_eq!(done.batches_applied, batches as u64, "{done:?}");
    assert_eq!(
        proxy.csv_batches.load(Ordering::SeqCst),
        batches,
        "every batch applied once"
    );
    let said = done.last_error.clone().unwrap_or_default();
    assert!(
        said.contains("database could not be written") && said.contains("nothing applied was lost"),
        "{said}"
    );
    let now = notes(&g).await;
    for n in &numbers {
        assert_eq!(
            now.get(n).map(String::as_str),
            Some(format!("outage {n}").as_str())
        );
    }
    // Each batch's history entry, the spooled ones written once the
    // database was back.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let recorded = batch_entries(&g, owner, id).await.len();
        if recorded == batches {
            break;
        }
        assert!(
            recorded < batches && Instant::now() < deadline,
            "{recorded} batch entries for {batches} batches"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_run_shows_what_changed_on_ocp_since_it_was_handed_over_before_it_is_resumed() {
    let Behind {
        g,
        proxy: _proxy,
        _upstream,
        _dirs,
    } = behind_the_sandbox(100, None).await;
    let owner = numbers_sandbox::credential::OWNER_TOKEN;
    let numbers = numbers_of_ocp(&g, 100).await;
    let id = started(
        &g,
        owner,
        "slow.csv",
        &notes_file(&numbers, "slow"),
        "owner-pass",
    )
    .await;
    until(&g, owner, id, |v| v.batches_applied >= 2).await;
    let paused = command(&g, owner, id, "pause", json!({})).await;
    assert_eq!(paused.status(), 200, "{:?}", paused.text().await);
    // The batch in flight when it paused is written before the run lets go.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let paused = until(&g, owner, id, |v| v.state == RunState::Paused).await;

    // Meanwhile another run changes a number applied already and one the
    // paused run has still to change.
    let (first, last) = (numbers[0].clone(), numbers[numbers.len() - 1].clone());
    let other = started(
        &g,
        owner,
        "overtake.csv",
        &notes_file(&[first.clone(), last.clone()], "overtaken"),
        "owner-pass",
    )
    .await;
    until(&g, owner, other, |v| v.state == RunState::Finished).await;

    let drift: RunDrift = client()
        .get(g.url(&format!("/relay/ocp/sandbox/runs/{id}/drift")))
        .bearer_auth(owner)
        .send()
        .await
        .expect("drift")
        .json()
        .await
        .expect("json");
    let left = numbers.len() as u64 - paused.rows_applied;
    assert_eq!(drift.checked, left, "{drift:?}");
    assert_eq!(
        drift.changed, 1,
        "only the number still to change: {drift:?}"
    );
    assert_eq!(drift.numbers[0].number, last);
    assert!(
        drift.numbers[0]
            .what
            .contains(&format!("→ \"overtaken {last}\"")),
        "{drift:?}"
    );
    assert!(
        drift.summary().starts_with("1 of the "),
        "{}",
        drift.summary()
    );
    // A member of ocp-qa does not see the run, nor what changed.
    let member = numbers_sandbox::credential::MEMBER_TOKEN;
    let hidden = client()
        .get(g.url(&format!("/relay/ocp/sandbox/runs/{id}/drift")))
        .bearer_auth(member)
        .send()
        .await
        .expect("drift");
    assert_eq!(hidden.status(), 404);

    // Resumed, the file's value is written over the change, as it said.
    let resumed = command(&g, owner, id, "resume", json!({"password": "owner-pass"})).await;
    assert_eq!(resumed.status(), 200, "{:?}", resumed.text().await);
    until(&g, owner, id, |v| v.state == RunState::Finished).await;
    let now = notes(&g).await;
    assert_eq!(now.get(&last), Some(&format!("slow {last}")));
    assert_eq!(now.get(&first), Some(&format!("overtaken {first}")));
}
