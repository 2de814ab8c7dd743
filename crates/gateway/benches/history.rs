//! What the history costs, printed as figures (`cargo bench -p
//! numbers-gateway --bench history`, also run by scripts/bench.sh):
//! - reading: 10^5 entries in SQLite (and in PostgreSQL when
//!   NUMBERS_TEST_POSTGRES names a server), the History page's first 50
//!   entries of one number, measured at the store the gateway reads, as
//!   an owner (every scope) and as a member (a third of them, group
//!   ocp-qa);
//! - relaying: 10^4 relayed changes to the sandbox with history on and
//!   off, each call's latency on loopback, median and p99.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use numbers_core::history::{
    Coverage, Entry, Filter, Outcome, Scope, Target, TargetKind, DEFAULT_PAGE,
};
use numbers_gateway::history::{Record, Store};
use numbers_gateway::{Config, Gateway, Options};

const ENTRIES: usize = 100_000;
const NUMBERS: usize = 10_000;
const QUERIES: usize = 500;
const CALLS: usize = 10_000;
const WARM_UP: usize = 200;

fn number(i: usize) -> String {
    format!("+1201555{i:04}")
}

/// Entry `i`: one of 10^4 numbers, a tenth of them also the hotline's; a
/// third of them in group ocp-qa, the rest in ocp.
fn record(i: usize) -> Record {
    let group = if i.is_multiple_of(3) { "ocp-qa" } else { "ocp" };
    Record {
        entry: entry(i),
        scope: Scope::groups([group]).key(),
    }
}

fn entry(i: usize) -> Entry {
    let mut targets = vec![Target {
        kind: TargetKind::Number,
        id: number(i.wrapping_mul(7919) % NUMBERS),
        detail: Some("to app-1 (en-US)".into()),
    }];
    if i.is_multiple_of(10) {
        targets.push(Target {
            kind: TargetKind::Number,
            id: "+18005550100".into(),
            detail: None,
        });
    }
    Entry {
        id: format!("{i:032x}"),
        time_ms: 1_700_000_000_000 + i as i64 * 1000,
        provider: "ocp".into(),
        environment: "eu1".into(),
        action: ["attach", "detach", "note", "CSV batch 3 of 12"][i % 4].into(),
        who: ["owner", "member", "ops-lead"][i % 3].into(),
        targets,
        status: 200,
        outcome: Outcome::Ok,
        code: None,
        message: Some("Done.".into()),
        duration_ms: 40,
        csv_run: None,
        target_count: 1,
        client: None,
        requests: 1,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let k = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// Entries the gateway's writer puts in one transaction at most.
const BATCH: usize = 256;

async fn fill(store: &Store) {
    let started = Instant::now();
    for chunk in (0..ENTRIES).collect::<Vec<_>>().chunks(BATCH) {
        let batch: Vec<Record> = chunk.iter().map(|&i| record(i)).collect();
        store.insert_batch(&batch).await.expect("insert");
    }
    println!(
        "  {ENTRIES} entries written in {:.1} s (batches of {BATCH}, one transaction each, as the writer does)",
        started.elapsed().as_secs_f64()
    );
}

async fn reads(label: &str, url: &str) {
    println!("history reads, {label}:");
    let store = Store::open(url).await.expect("store");
    fill(&store).await;
    let cases = [
        (
            "first 50 of one number",
            Filter {
                number: Some(number(4242)),
                ..Filter::default()
            },
        ),
        (
            "first 50 of the hotline (10^4 entries)",
            Filter {
                number: Some("+18005550100".into()),
                ..Filter::default()
            },
        ),
        ("first 50, no filter", Filter::default()),
        (
            "first 50 of one user and action",
            Filter {
                user: Some("ops-lead".into()),
                action: Some("CSV".into()),
                ..Filter::default()
            },
        ),
    ];
    let scopes = store.scopes("ocp", "eu1").await.expect("scopes");
    let member = Coverage {
        groups: ["ocp-qa".to_string()].into_iter().collect(),
        ..Coverage::default()
    }
    .visible(scopes.iter().map(String::as_str));
    let member_cases = [
        ("member: first 50, no filter (scoped)", Filter::default()),
        (
            "member: first 50 of one number (scoped)",
            Filter {
                number: Some(number(4242)),
                ..Filter::default()
            },
        ),
    ];
    let cases = cases
        .into_iter()
        .map(|(what, f)| (what, f, &scopes))
        .chain(member_cases.into_iter().map(|(what, f)| (what, f, &member)));
    for (what, filter, visible) in cases {
        let mut times = Vec::with_capacity(QUERIES);
        let mut found = 0;
        for _ in 0..QUERIES {
            let t = Instant::now();
            let page = store
                .page("ocp", "eu1", visible, &filter, None, DEFAULT_PAGE)
                .await
                .expect("page");
            times.push(t.elapsed());
            found = page.entries.len();
        }
        times.sort();
        println!(
            "  {what:<42} {found:>3} entries  median {}  p99 {}",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
    }
    // Each read also asks which scopes the environment has (a handful).
    let mut times = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        let t = Instant::now();
        let n = store.scopes("ocp", "eu1").await.expect("scopes").len();
        times.push(t.elapsed());
        assert_eq!(n, 2);
    }
    times.sort();
    println!(
        "  {:<42} {:>3} scopes   median {}  p99 {}",
        "the environment's scopes (each read)",
        2,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
    store.close().await;
}

async fn relay(history: Option<String>) -> Vec<Duration> {
    let mut config = Config::load(None).expect("defaults");
    config.history.url = history;
    let gateway = Gateway::bind(Options {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        config,
        dist: None,
        sandbox: Some(numbers_sandbox::Config::ephemeral()),
        clock: None,
    })
    .await
    .expect("gateway");
    let url = format!("{}relay/ocp/sandbox/api/number/note", gateway.url());
    let server = tokio::spawn(gateway.serve(std::future::pending()));
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let numbers: serde_json::Value = client
        .get(url.replace("/api/number/note", "/api/numbers?pageSize=100"))
        .bearer_auth("sandbox-owner")
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let n = numbers["numbers"][0]["number"]
        .as_str()
        .expect("a number")
        .to_string();
    let mut times = Vec::with_capacity(CALLS);
    for i in 0..CALLS + WARM_UP {
        let body = serde_json::json!({"number": n, "note": format!("note {i}")});
        let t = Instant::now();
        let r = client
            .put(&url)
            .bearer_auth("sandbox-owner")
            .json(&body)
            .send()
            .await
            .expect("relay");
        assert!(r.status().is_success());
        r.bytes().await.expect("answer");
        if i >= WARM_UP {
            times.push(t.elapsed());
        }
    }
    server.abort();
    times.sort();
    times
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("dir");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.sqlite").display());
    reads("SQLite", &sqlite).await;
    if let Ok(base) = std::env::var("NUMBERS_TEST_POSTGRES") {
        sqlx::any::install_default_drivers();
        let admin = sqlx::AnyPool::connect(&format!("{base}/postgres"))
            .await
            .expect("postgres");
        let _ = sqlx::query("DROP DATABASE IF EXISTS history_bench")
            .execute(&admin)
            .await;
        sqlx::query("CREATE DATABASE history_bench")
            .execute(&admin)
            .await
            .expect("create");
        admin.close().await;
        reads("PostgreSQL", &format!("{base}/history_bench")).await;
    } else {
        println!(
            "history reads, PostgreSQL: skipped (set NUMBERS_TEST_POSTGRES; scripts/bench.sh does)"
        );
    }
    println!("relay latency, {CALLS} changes (PUT note) on loopback:");
    let off = relay(None).await;
    let on = relay(Some(format!(
        "sqlite://{}",
        dir.path().join("relay.sqlite").display()
    )))
    .await;
    for (label, t) in [("history off", &off), ("history on (SQLite)", &on)] {
        println!(
            "  {label:<22} median {}  p99 {}",
            ms(percentile(t, 0.5)),
            ms(percentile(t, 0.99))
        );
    }
    println!(
        "  added by history       median {}  p99 {}",
        ms(percentile(&on, 0.5).saturating_sub(percentile(&off, 0.5))),
        ms(percentile(&on, 0.99).saturating_sub(percentile(&off, 0.99)))
    );
}
