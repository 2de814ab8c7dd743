//! The gateway attacked as someone on the same network would (loopback,
//! bounded loops), each test against the real binary in a process of its
//! own, with the sandbox or a fake provider behind it; those that touch
//! the history run on SQLite and on PostgreSQL. What must hold: no applied
//! change goes unrecorded however the history is flooded or its database
//! fails; memory and disk stay bounded; a reader sees only what the
//! provider shows them; idle and slow sockets cannot starve a client.

mod common;

use numbers_core::dev::OWNER_TOKEN;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use base64::Engine;
use common::db::{size, sqlite, Database, Outage};
use common::process::Process;
use common::{client, fake_dist, sign_in};
use numbers_core::history::{Entry, EntryPage, Filter, Outcome, MAX_TARGETS};
use numbers_gateway::history::Store;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The gateway with the sandbox behind it, history in `db`.
async fn with_sandbox(
    db: &Database,
    server: &str,
) -> (Process, tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("work dir");
    let dist = fake_dist();
    let config = format!("[server]\n{server}\n[history]\nurl = \"{}\"\n", db.url);
    let dist_path = dist.path().to_string_lossy().to_string();
    let g = Process::start(dir.path(), &config, &["--sandbox", "--dist", &dist_path]).await;
    (g, dir, dist)
}

/// Numbers of the sandbox's group `group`.
async fn numbers_of(g: &Process, group: &str) -> Vec<String> {
    common::sandbox_numbers(&g.url("/relay/ocp/sandbox/api/numbers?pageSize=300"))
        .await
        .iter()
        .filter(|r| r["groupId"] == group)
        .filter_map(|r| r["number"].as_str().map(str::to_string))
        .collect()
}

async fn note(g: &Process, token: &str, number: &str, text: &str) -> reqwest::Response {
    client()
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(token)
        .json(&json!({"number": number, "note": text}))
        .send()
        .await
        .expect("note")
}

/// The history `token` reads of the sandbox's OCP environment.
async fn read(g: &Process, token: &str, query: &str) -> (StatusCode, Vec<Entry>) {
    let r = client()
        .get(g.url(&format!("/relay/ocp/sandbox/history?limit=500&{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("history");
    let status = r.status();
    if status != StatusCode::OK {
        return (status, Vec::new());
    }
    let page: EntryPage = r.json().await.expect("page");
    (status, page.entries)
}

/// Waits until `token` reads at least `n` entries for `query`.
async fn read_at_least(g: &Process, token: &str, query: &str, n: usize) -> Vec<Entry> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (status, entries) = read(g, token, query).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        if entries.len() >= n || Instant::now() > deadline {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn request_id(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("a request id")
        .to_string()
}

/// A value of the gateway's `/metrics`.
async fn metric(g: &Process, name: &str) -> u64 {
    let text = client()
        .get(g.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Every entry of an environment that passes `filter`, read from the
/// database itself (the gateway stopped), whatever its scope.
async fn stored(db: &Database, provider: &str, env: &str, filter: &Filter) -> Vec<Entry> {
    let store = Store::open(&db.url).await.expect("store");
    let scopes = store.scopes(provider, env).await.expect("scopes");
    let page = store
        .page(provider, env, &scopes, filter, None, 100_000)
        .await
        .expect("page");
    store.close().await;
    page.entries
}

/// The SQLite file's size with its log folded in (what it keeps).
async fn settled_size(db: &Database) -> u64 {
    if db.url.starts_with("sqlite:") {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("sqlite");
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await
            .expect("checkpoint");
        pool.close().await;
    }
    size(db).await
}

on_both!(a_flood_of_refused_changes_loses_no_applied_change);
on_both!(a_burst_of_refused_changes_makes_a_bounded_number_of_entries);
on_both!(a_reader_sees_only_what_ocp_shows_them);
on_both!(entries_answered_while_the_database_cannot_be_written_are_written_later);
on_both!(a_killed_gateway_writes_its_spool_at_the_next_start);

async fn a_flood_of_refused_changes_loses_no_applied_change(db: Database) {
    let (mut g, _dir, _dist) = with_sandbox(&db, "").await;
    let numbers = numbers_of(&g, "ocp").await;
    assert_eq!(
        note(&g, OWNER_TOKEN, &numbers[0], "before").await.status(),
        200
    );
    read_at_least(&g, OWNER_TOKEN, "", 1).await;
    g.stop().await;
    let before = settled_size(&db).await;
    g.restart().await;

    // Eight clients send 2 MB detaches (135,000 numbers) with no
    // credential, over and over, while the owner makes 100 changes.
    let body = Bytes::from(
        json!({"numbers": (0..135_000).map(|i| format!("+1201{i:07}")).collect::<Vec<_>>()})
            .to_string(),
    );
    assert!(body.len() > 2_000_000);
    let done = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let flood: Vec<_> = (0..8)
        .map(|_| {
            let (done, sent, body, url) = (
                done.clone(),
                sent.clone(),
                body.clone(),
                g.url("/relay/ocp/sandbox/api/numbers/detach"),
            );
            tokio::spawn(async move {
                let c = client();
                while !done.load(Ordering::Relaxed) {
                    let r = c
                        .put(&url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("detach");
                    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut ids = HashSet::new();
    for i in 0..100 {
        let r = note(&g, OWNER_TOKEN, &numbers[i % 20], &format!("change {i}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        ids.insert(request_id(&r));
        if i == 0 {
            // The flood is under way before most changes.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    done.store(true, Ordering::Relaxed);
    for f in flood {
        f.await.expect("flood");
    }
    let flooded = sent.load(Ordering::Relaxed);
    let recorded = read_at_least(&g, OWNER_TOKEN, "action=note&user=owner", 101).await;
    let found: HashSet<String> = recorded.iter().map(|e| e.id.clone()).collect();
    let missing = ids.difference(&found).count();
    g.stop().await;
    let growth = settled_size(&db).await.saturating_sub(before);
    println!(
        "flood ({}): {flooded} refused 2 MB detaches in {:.1} s beside 100 owner changes; {} of 100 recorded; the database grew {growth} bytes",
        if db.url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" },
        started.elapsed().as_secs_f64(),
        100 - missing,
    );
    assert!(flooded >= 16, "the flood sent only {flooded}");
    assert_eq!(missing, 0, "owner changes not recorded");
    assert!(growth <= 1024 * 1024, "the database grew {growth} bytes");
    let refused = stored(
        &db,
        "ocp",
        "sandbox",
        &Filter {
            outcome: Some(Outcome::Refused),
            ..Filter::default()
        },
    )
    .await;
    assert_eq!(
        refused.iter().map(|e| e.requests).sum::<u64>(),
        flooded as u64,
        "every refused request is recorded or counted"
    );
    assert!(refused.iter().all(|e| e.targets.is_empty()));
    assert!(refused
        .iter()
        .filter(|e| e.requests == 1)
        .all(|e| e.target_count == 135_000 && e.client.as_deref() == Some("127.0.0.1")));
}

async fn a_burst_of_refused_changes_makes_a_bounded_number_of_entries(db: Database) {
    let (mut g, _dir, _dist) = with_sandbox(&db, "").await;
    let numbers = numbers_of(&g, "ocp").await;
    let started = Instant::now();
    let burst: Vec<_> = (0..20)
        .map(|t| {
            let (url, number) = (
                g.url("/relay/ocp/sandbox/api/number/note"),
                numbers[t].clone(),
            );
            tokio::spawn(async move {
                let c = client();
                for i in 0..25 {
                    let r = c
                        .put(&url)
                        .bearer_auth("forged")
                        .json(&json!({"number": number, "note": format!("{i}")}))
                        .send()
                        .await
                        .expect("note");
                    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
                }
            })
        })
        .collect();
    for b in burst {
        b.await.expect("burst");
    }
    let took = started.elapsed();
    g.stop().await;
    let refused = stored(&db, "ocp", "sandbox", &Filter::default()).await;
    println!(
        "500 refused PUTs in {:.2} s: {} entries ({} of them counting {} requests)",
        took.as_secs_f64(),
        refused.len(),
        refused.iter().filter(|e| e.requests > 1).count(),
        refused
            .iter()
            .filter(|e| e.requests > 1)
            .map(|e| e.requests)
            .sum::<u64>()
    );
    assert!(took < Duration::from_secs(30));
    assert_eq!(refused.iter().map(|e| e.requests).sum::<u64>(), 500);
    assert!(refused.len() <= 12, "{} entries", refused.len());
    let counted = refused
        .iter()
        .find(|e| e.requests > 1)
        .expect("a counted entry");
    assert_eq!(counted.outcome, Outcome::Refused);
    assert!(counted
        .message
        .as_deref()
        .unwrap_or_default()
        .contains("more refused requests from 127.0.0.1"));
}

async fn a_reader_sees_only_what_ocp_shows_them(db: Database) {
    let (g, _dir, _dist) = with_sandbox(&db, "").await;
    let ocp = numbers_of(&g, "ocp").await;
    let qa = numbers_of(&g, "ocp-qa").await;
    // The member is told "no permission" for a number of group ocp.
    let refused = note(&g, "sandbox-member", &ocp[0], "not mine").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let owner_ocp = note(&g, OWNER_TOKEN, &ocp[0], "owner secret plan").await;
    assert_eq!(owner_ocp.status(), StatusCode::OK);
    let owner_qa = note(&g, OWNER_TOKEN, &qa[0], "owner on qa").await;
    let mut member_ids = HashSet::new();
    for n in &qa[1..4] {
        let r = note(&g, "sandbox-member", n, "member on qa").await;
        assert_eq!(r.status(), StatusCode::OK);
        member_ids.insert(request_id(&r));
    }
    let all = read_at_least(&g, OWNER_TOKEN, "", 6).await;
    assert_eq!(all.len(), 6, "the owner sees every entry");

    let (status, member) = read(&g, "sandbox-member", "").await;
    assert_eq!(status, StatusCode::OK);
    let seen: HashSet<String> = member.iter().map(|e| e.id.clone()).collect();
    assert!(
        member_ids.is_subset(&seen),
        "the member sees its own changes"
    );
    assert!(
        seen.contains(&request_id(&owner_qa)),
        "and the owner's on ocp-qa"
    );
    assert!(
        !seen.contains(&request_id(&owner_ocp)),
        "never the owner's on ocp"
    );
    let text = serde_json::to_string(&member).expect("json");
    assert!(
        !text.contains("owner secret plan") && !text.contains(&ocp[0]),
        "{text}"
    );
    // Asking for the number by name shows nothing either.
    let (_, by_number) = read(
        &g,
        "sandbox-member",
        &format!("number={}", ocp[0].replace('+', "%2B")),
    )
    .await;
    assert!(
        by_number.iter().all(|e| e.targets.is_empty()),
        "{by_number:?}"
    );
    // The refused attempt is there compactly: no number, no note.
    assert!(member
        .iter()
        .any(|e| e.status == 403 && e.targets.is_empty()));

    // A token signed out through the gateway reads nothing at once.
    let (access, refresh) = sign_in(
        &g.url("/relay/ocp/sandbox/sign-in"),
        "owner",
        "owner-pass",
        "",
    )
    .await;
    let (access, refresh) = (access.as_str(), refresh.as_str());
    assert_eq!(read(&g, access, "").await.0, StatusCode::OK);
    let out = client()
        .post(g.url("/relay/ocp/sandbox/sign-out"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .expect("sign-out");
    assert!(out.status().is_success(), "{}", out.status());
    assert_eq!(read(&g, access, "").await.0, StatusCode::UNAUTHORIZED);
}

/// Waits until `/metrics` says at least `n` entries wait in the spool.
async fn spooled(g: &Process, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while metric(g, "numbers_gateway_history_spooled").await < n {
        assert!(
            Instant::now() < deadline,
            "entries did not reach the spool:\n{}",
            g.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn entries_answered_while_the_database_cannot_be_written_are_written_later(db: Database) {
    let (mut g, _dir, _dist) = with_sandbox(&db, "").await;
    let numbers = numbers_of(&g, "ocp").await;
    let outage = Outage::begin(&db).await;
    let mut ids = HashSet::new();
    for (i, n) in numbers.iter().take(20).enumerate() {
        let started = Instant::now();
        let r = note(&g, OWNER_TOKEN, n, &format!("during the outage {i}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the relay waited on the database"
        );
        ids.insert(request_id(&r));
    }
    spooled(&g, 20).await;
    outage.end().await;
    let deadline = Instant::now() + Duration::from_secs(90);
    while metric(&g, "numbers_gateway_history_spooled").await > 0 {
        assert!(
            Instant::now() < deadline,
            "the spool was not written:\n{}",
            g.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let replayed = metric(&g, "numbers_gateway_history_replayed_total").await;
    g.stop().await;
    let entries = stored(&db, "ocp", "sandbox", &Filter::default()).await;
    let found: Vec<&String> = entries
        .iter()
        .map(|e| &e.id)
        .filter(|id| ids.contains(*id))
        .collect();
    println!(
        "outage: 20 changes answered, {replayed} replayed from the spool, {} in the history",
        found.len()
    );
    assert_eq!(found.len(), 20, "every change is there, none twice");
    assert_eq!(entries.len(), 20);
    assert_eq!(replayed, 20);
}

async fn a_killed_gateway_writes_its_spool_at_the_next_start(db: Database) {
    let (mut g, _dir, _dist) = with_sandbox(&db, "").await;
    let numbers = numbers_of(&g, "ocp").await;
    let outage = Outage::begin(&db).await;
    let mut ids = HashSet::new();
    for n in numbers.iter().take(5) {
        let r = note(&g, OWNER_TOKEN, n, "before the kill").await;
        assert_eq!(r.status(), StatusCode::OK);
        ids.insert(request_id(&r));
    }
    spooled(&g, 5).await;
    g.kill();
    outage.end().await;
    g.restart().await;
    let entries = read_at_least(&g, OWNER_TOKEN, "", 5).await;
    let found: HashSet<String> = entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(found, ids, "the spooled entries, once each");
    assert_eq!(entries.len(), 5);
    assert!(
        g.log().contains("5 entries wait in the spool from before"),
        "{}",
        g.log()
    );
}

/// A fake provider for what the sandbox cannot show: two Exotel tenants,
/// OCP answers of any status and type, and CSV uploads read whole.
struct Fake {
    addr: SocketAddr,
    /// Every request that reached it.
    seen: Arc<AtomicUsize>,
    /// CSV uploads it read.
    uploads: Arc<AtomicUsize>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

fn basic_key(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|b| b.split_once(':').map(|(k, _)| k.to_string()))
        .unwrap_or_default()
}

async fn fake() -> Fake {
    let seen = Arc::new(AtomicUsize::new(0));
    let uploads = Arc::new(AtomicUsize::new(0));
    let counted = uploads.clone();
    let exotel = |sid: &str, headers: &HeaderMap, ok: (StatusCode, Value)| -> Response {
        if basic_key(headers) == format!("{sid}-key") {
            (ok.0, axum::Json(ok.1)).into_response()
        } else {
            (
                StatusCode::FORBIDDEN,
                axum::Json(json!([{"code": 8, "message": "Not permitted to do this operation."}])),
            )
                .into_response()
        }
    };
    let app = Router::new()
        .route(
            "/v1/tenants/{sid}/greenvn",
            post(move |Path(sid): Path<String>, headers: HeaderMap| async move {
                exotel(&sid, &headers, (StatusCode::OK, json!({"success": true, "tenant": sid})))
            }),
        )
        .route(
            "/v1/tenants/{sid}/greenvn/{id}",
            get(move |Path((sid, _)): Path<(String, String)>, headers: HeaderMap| async move {
                exotel(&sid, &headers, (StatusCode::NOT_FOUND, json!([{"code": 3, "message": "Not found"}])))
            }),
        )
        .route(
            "/integrations/api/number/note",
            put(|body: String| async move {
                let v: Value = serde_json::from_str(&body).unwrap_or_default();
                match v["note"].as_str().unwrap_or_default() {
                    "forbidden" => (StatusCode::FORBIDDEN, "{\"success\":false,\"message\":\"You have no permission for that group.\"}").into_response(),
                    "broken" => (StatusCode::INTERNAL_SERVER_ERROR, "{\"message\":\"boom\"}").into_response(),
                    // HTML that names no type: a browser would sniff it as a page.
                    "untyped" => {
                        let mut r = Response::new(axum::body::Body::from("<script>document.title='owned'</script>"));
                        r.headers_mut().remove("content-type");
                        r
                    }
                    _ => (
                        StatusCode::OK,
                        [("content-type", "text/html")],
                        "<script>document.title='owned'</script>",
                    )
                        .into_response(),
                }
            }),
        )
        .route(
            "/integrations/api/numbers-set",
            get(|| async { (StatusCode::UNAUTHORIZED, "{\"message\":\"unknown token\"}") }),
        )
        .route(
            "/integrations/api/numbers/csv",
            put(move |body: Bytes| async move {
                counted.fetch_add(1, Ordering::Relaxed);
                (StatusCode::OK, axum::Json(json!({"success": true, "message": format!("read {} bytes", body.len())})))
            })
            .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .fallback(|| async { (StatusCode::UNAUTHORIZED, "{\"message\":\"no\"}") })
        .layer(axum::middleware::from_fn_with_state(
            seen.clone(),
            |State(seen): State<Arc<AtomicUsize>>, req: axum::extract::Request, next: axum::middleware::Next| async move {
                seen.fetch_add(1, Ordering::Relaxed);
                next.run(req).await
            },
        ));
    let (addr, stop) = common::serve_on_loopback(app).await;
    Fake {
        addr,
        seen,
        uploads,
        _stop: stop,
    }
}

/// A count once it has not changed for half a second (the entries of
/// earlier changes are made, and their lookups sent, after the answer).
async fn settled(count: &AtomicUsize) -> usize {
    loop {
        let before = count.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(500)).await;
        if count.load(Ordering::Relaxed) == before {
            return before;
        }
    }
}

/// The gateway with `fake` as the provider of each kind (`*.fake`).
async fn with_fake(
    fake: &Fake,
    db: &Database,
    server: &str,
    open_files: Option<u64>,
) -> (Process, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("work dir");
    let base = format!("http://{}", fake.addr);
    let config = format!(
        "builtin_environments = false\n[server]\n{server}\n[history]\nurl = \"{}\"\n\
         [ocp.fake]\nbase_url = \"{base}/integrations\"\n\
         [exotel.fake]\nbase_url = \"{base}\"\n",
        db.url
    );
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<!DOCTYPE html><title>t</title>").expect("index");
    let dist = dist.to_string_lossy().to_string();
    let g = Process::start_with_files(dir.path(), &config, &["--dist", &dist], open_files).await;
    (g, dir)
}

fn exotel_auth(key: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{key}:{key}-token"))
    )
}

#[tokio::test]
async fn an_exotel_key_reads_only_its_own_tenants_entries() {
    let fake = fake().await;
    let db = sqlite();
    let (g, _dir) = with_fake(&fake, &db, "", None).await;
    let c = client();
    for tenant in ["tenant-a", "tenant-b"] {
        let r = c
            .post(g.url(&format!("/relay/exotel/fake/v1/tenants/{tenant}/greenvn")))
            .header("authorization", exotel_auth(&format!("{tenant}-key")))
            .json(
                &json!({"aparty_numbers": ["+919000000001"], "bparty_numbers": ["+919000000002"]}),
            )
            .send()
            .await
            .expect("allocate");
        assert_eq!(r.status(), StatusCode::OK);
    }
    let history = |sid: &str, key: &str| {
        c.get(g.url(&format!("/relay/exotel/fake/history?sid={sid}")))
            .header("authorization", exotel_auth(key))
            .send()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let own: EntryPage = loop {
        let page: EntryPage = history("tenant-a", "tenant-a-key")
            .await
            .expect("history")
            .json()
            .await
            .expect("page");
        if !page.entries.is_empty() || Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(own.entries.len(), 1, "tenant A reads its one allocation");
    assert_eq!(own.entries[0].who, "tenant-a-key");
    let other = history("tenant-b", "tenant-a-key").await.expect("history");
    assert_eq!(
        other.status(),
        StatusCode::UNAUTHORIZED,
        "A's key names B's tenant"
    );
    let b: EntryPage = history("tenant-b", "tenant-b-key")
        .await
        .expect("history")
        .json()
        .await
        .expect("page");
    assert_eq!(b.entries.len(), 1);
    assert_ne!(b.entries[0].id, own.entries[0].id);
}

#[tokio::test]
async fn a_forged_token_is_credited_only_when_the_provider_accepts_it() {
    let fake = fake().await;
    let db = sqlite();
    let (mut g, _dir) = with_fake(&fake, &db, "", None).await;
    // Unsigned, naming "mallory": nothing but OCP's acceptance proves a name.
    let forged = "eyJhbGciOiJub25lIn0.eyJwcmVmZXJyZWRfdXNlcm5hbWUiOiJtYWxsb3J5In0.x";
    for (text, status) in [("forbidden", 403), ("broken", 500)] {
        let r = client()
            .put(g.url("/relay/ocp/fake/api/number/note"))
            .bearer_auth(forged)
            .json(&json!({"number": "+12015550100", "note": text}))
            .send()
            .await
            .expect("note");
        assert_eq!(r.status().as_u16(), status);
    }
    g.stop().await;
    let entries = stored(&db, "ocp", "fake", &Filter::default()).await;
    assert_eq!(entries.len(), 2);
    for e in &entries {
        assert_eq!(e.who, numbers_core::history::UNVERIFIED, "{e:?}");
    }
}

#[tokio::test]
async fn only_documented_answers_render_and_only_own_hosts_are_answered() {
    let fake = fake().await;
    let db = sqlite();
    let (g, _dir) = with_fake(&fake, &db, "", None).await;
    // An answer of a type the seeds do not document comes back as a
    // download, sandboxed, never as a page of the console's origin.
    let r = client()
        .put(g.url("/relay/ocp/fake/api/number/note"))
        .bearer_auth("good")
        .json(&json!({"number": "+12015550100", "note": "html"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(r.headers()["content-disposition"], "attachment");
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    // So does one that names no type at all.
    let r = client()
        .put(g.url("/relay/ocp/fake/api/number/note"))
        .bearer_auth("good")
        .json(&json!({"number": "+12015550100", "note": "untyped"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(r.headers()["content-disposition"], "attachment");
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    // A page on another name (DNS rebinding) is refused before anything is sent.
    let before = settled(&fake.seen).await;
    let addr: SocketAddr = format!("127.0.0.1:{}", g.port).parse().expect("addr");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"PUT /relay/ocp/fake/api/number/note HTTP/1.1\r\nHost: rebind.attacker.example:8080\r\nAuthorization: Bearer good\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).to_string();
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    assert_eq!(status, 421, "{text}");
    assert!(text.contains("unknown_host"), "{text}");
    assert_eq!(settled(&fake.seen).await, before);
    // A long made-up path (a token in it) is never written to the log.
    let secret = format!("tok-{}", "s".repeat(100_000));
    let (status, _) = common::raw(addr, "GET", &format!("/{secret}"), &[]).await;
    assert!(status == 404 || status == 431 || status == 414, "{status}");
    let log = g.log();
    assert!(!log.contains("tok-sss"), "a made-up path reached the log");
    assert!(log.lines().all(|l| l.len() < 400), "a log line is too long");
}

#[tokio::test]
async fn slow_and_idle_sockets_do_not_starve_a_normal_client() {
    let fake = fake().await;
    let db = sqlite();
    let (g, _dir) = with_fake(&fake, &db, "header_timeout_secs = 3", Some(1024)).await;
    let addr: SocketAddr = format!("127.0.0.1:{}", g.port).parse().expect("addr");
    // 300 sockets: half send their headers a byte every half second, half
    // say nothing at all.
    let slow: Vec<_> = (0..300)
        .map(|i| {
            tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                let opened = Instant::now();
                let request = b"GET /relay/environments HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
                let mut buf = [0u8; 512];
                let mut sent = 0;
                loop {
                    if i % 2 == 0 && sent < request.len() {
                        if s.write_all(&request[sent..sent + 1]).await.is_err() {
                            return opened.elapsed();
                        }
                        sent += 1;
                    }
                    match tokio::time::timeout(Duration::from_millis(500), s.read(&mut buf)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => return opened.elapsed(),
                        Ok(Ok(_)) => {}
                        Err(_) if opened.elapsed() > Duration::from_secs(30) => return opened.elapsed(),
                        Err(_) => {}
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let c = client();
    let mut times = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let r = c
            .get(g.url("/relay/environments"))
            .send()
            .await
            .expect("environments");
        assert_eq!(r.status(), StatusCode::OK);
        r.bytes().await.expect("body");
        times.push(t.elapsed());
    }
    times.sort();
    let p99 = times[times.len() * 99 / 100 - 1];
    let median = times[times.len() / 2];
    let mut closed = Vec::new();
    for s in slow {
        closed.push(s.await.expect("socket"));
    }
    let latest = closed.iter().max().copied().unwrap_or_default();
    println!(
        "300 slow or idle sockets: a normal client's 200 answers median {:.1} ms, p99 {:.1} ms; the slow ones closed after {:.1} s at most",
        median.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        latest.as_secs_f64()
    );
    assert!(p99 < Duration::from_millis(100), "p99 {p99:?}");
    assert!(
        latest < Duration::from_secs(6),
        "a slow socket stayed open {latest:?}"
    );
}

#[tokio::test]
async fn csv_uploads_are_read_as_they_stream_and_bounded_in_number() {
    let fake = fake().await;
    let db = sqlite();
    // A 50 MB batch file: 1.1 million rows.
    let mut file = String::from("OPERATION,NUMBER,NOTE\n");
    let mut rows = 0u64;
    while file.len() < 50 * 1000 * 1000 {
        file.push_str(&format!("update,+1303{rows:07},bulk note for row {rows}\n"));
        rows += 1;
    }
    let file = Bytes::from(file);
    let upload = |g: &Process| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::stream_with_length(
                reqwest::Body::from(file.clone()),
                file.len() as u64,
            )
            .file_name("batch.csv")
            .mime_str("text/csv")
            .expect("mime"),
        );
        client()
            .put(g.url("/relay/ocp/fake/api/numbers/csv"))
            .bearer_auth("good")
            .multipart(form)
            .send()
    };
    let mut peaks = Vec::new();
    for at_once in [1usize, 4] {
        let (mut g, _dir) = with_fake(&fake, &db, "", None).await;
        let baseline = g.peak_rss();
        let started = Instant::now();
        let answers = futures_util::future::join_all((0..at_once).map(|_| upload(&g))).await;
        for a in answers {
            assert_eq!(a.expect("upload").status(), StatusCode::OK);
        }
        let took = started.elapsed();
        let peak = g.peak_rss();
        if at_once == 4 {
            // A fifth beside four under way: 503 before anything is sent.
            let seen = fake.uploads.load(Ordering::Relaxed);
            let five: Vec<_> = futures_util::future::join_all((0..5).map(|_| upload(&g))).await;
            let busy: Vec<_> = five
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
                .collect();
            assert!(!busy.is_empty(), "five at once: none was turned away");
            assert!(busy.iter().all(|r| r.headers().contains_key("retry-after")));
            assert_eq!(fake.uploads.load(Ordering::Relaxed) - seen, 5 - busy.len());
        }
        g.stop().await;
        println!(
            "{at_once} × 50 MB CSV uploads in {:.1} s: gateway peak RSS {:.0} MB (at start {:.0} MB)",
            took.as_secs_f64(),
            peak as f64 / 1e6,
            baseline as f64 / 1e6
        );
        peaks.push(peak);
    }
    let batches = stored(&db, "ocp", "fake", &Filter::default()).await;
    assert!(batches.len() >= 5, "{} entries", batches.len());
    for e in &batches {
        assert_eq!(e.target_count, rows);
        assert_eq!(e.targets.len(), MAX_TARGETS);
        assert_eq!(e.targets[0].id, "+13030000000");
    }
    assert!(
        peaks[1] < 150 * 1024 * 1024,
        "four uploads: peak RSS {} bytes",
        peaks[1]
    );
}
