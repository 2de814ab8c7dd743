//! What the tests of bulk changes and change requests share: the gateway
//! binary in front of the sandbox, its users' tokens, its numbers and notes,
//! files handed over and runs followed.

use std::path::Path;
use std::time::{Duration, Instant};

use numbers_core::models::run::RunView;
use serde_json::{json, Value};

use super::client;
use super::process::Process;

/// `n` numbers of `group`, as the owner lists them.
pub async fn numbers_of(g: &Process, group: &str, n: usize) -> Vec<String> {
    super::sandbox_numbers(&g.url("/relay/ocp/sandbox/api/numbers?pageSize=10000"))
        .await
        .iter()
        .filter(|r| r["groupId"] == group)
        .filter_map(|r| r["number"].as_str().map(str::to_string))
        .take(n)
        .collect()
}

pub fn notes_file(numbers: &[String], note: &str) -> String {
    let mut text = String::from("OPERATION,NUMBER,NOTE\n");
    for n in numbers {
        text.push_str(&format!("update,{n},{note} {n}\n"));
    }
    text
}

pub async fn token(g: &Process, user: &str) -> String {
    super::sign_in(
        &g.url("/relay/ocp/sandbox/sign-in"),
        user,
        &format!("{user}-pass"),
        "",
    )
    .await
    .0
}

pub async fn hand_over(
    g: &Process,
    token: &str,
    name: &str,
    text: &str,
    password: &str,
) -> reqwest::Response {
    client()
        .post(g.url("/relay/ocp/sandbox/runs"))
        .bearer_auth(token)
        .json(&json!({"file_name": name, "text": text, "password": password}))
        .send()
        .await
        .expect("hand over")
}

/// Hands a file over and takes the run's number, once it was accepted.
pub async fn started(g: &Process, token: &str, name: &str, text: &str, password: &str) -> i64 {
    let r = hand_over(g, token, name, text, password).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    r.json::<RunView>().await.expect("view").id
}

pub async fn run(g: &Process, token: &str, id: i64) -> reqwest::Response {
    client()
        .get(g.url(&format!("/relay/ocp/sandbox/runs/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("run")
}

pub async fn command(
    g: &Process,
    token: &str,
    id: i64,
    what: &str,
    body: Value,
) -> reqwest::Response {
    client()
        .post(g.url(&format!("/relay/ocp/sandbox/runs/{id}/{what}")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("command")
}

/// Polls run `id` until `done` says so (or a minute passes).
pub async fn until(g: &Process, token: &str, id: i64, done: impl Fn(&RunView) -> bool) -> RunView {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = run(g, token, id).await;
        if r.status().is_success() {
            let v: RunView = r.json().await.expect("view");
            if done(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "run {id} stayed {v:?}");
        } else {
            assert!(
                Instant::now() < deadline,
                "run {id}: {}; the gateway's log ends: {}",
                r.status(),
                tail(&g.log())
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn tail(log: &str) -> &str {
    let mut at = log.len().saturating_sub(3000);
    while !log.is_char_boundary(at) {
        at += 1;
    }
    &log[at..]
}

pub async fn notes(g: &Process) -> std::collections::HashMap<String, String> {
    super::sandbox_numbers(&g.url("/relay/ocp/sandbox/api/numbers?pageSize=10000"))
        .await
        .iter()
        .filter_map(|r| {
            Some((
                r["number"].as_str()?.to_string(),
                r["note"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// The history's entries of run `id`'s batches, as `token` reads them.
pub async fn batch_entries(g: &Process, token: &str, id: i64) -> Vec<Value> {
    let history: Value = client()
        .get(g.url(&format!("/relay/ocp/sandbox/history?run=gateway-run-{id}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json");
    let entries = history["entries"].as_array().cloned().unwrap_or_default();
    entries
        .into_iter()
        .filter(|e| {
            e["action"]
                .as_str()
                .unwrap_or_default()
                .contains("CSV batch")
        })
        .collect()
}

/// The gateway binary in `dir` with `config`, serving a stand-in console.
pub async fn gateway(dir: &Path, config: &str) -> (Process, tempfile::TempDir) {
    let dist = super::fake_dist();
    let dist_path = dist.path().to_string_lossy().to_string();
    let g = Process::start(dir, config, &["--dist", &dist_path]).await;
    (g, dist)
}

/// Every file under `dir`, as bytes read leniently.
pub fn everything_written(dir: &Path) -> String {
    let mut out = String::new();
    for entry in walk(dir) {
        if let Ok(bytes) = std::fs::read(&entry) {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

pub fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
