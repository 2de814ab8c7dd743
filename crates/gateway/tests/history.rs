//! The team's change history, through the gateway with the sandbox as
//! upstream: each change writes one entry with who, what and the outcome;
//! a refused credential is recorded as refused; reading takes a credential
//! the provider accepts; nothing secret reaches the database; a relay still
//! answers when the database cannot be written. Every test runs on SQLite
//! and on PostgreSQL (`NUMBERS_TEST_POSTGRES`, set by scripts/test.sh in a
//! throw-away cluster).

mod common;

use numbers_core::dev::OWNER_TOKEN;
use std::time::Duration;

use common::db::{sqlite, Database};
use common::*;
use numbers_core::history::allocations::{allocations_made, ImportedAllocations};
use numbers_core::history::{Entry, EntryPage, Outcome, TargetKind};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn gateway(db: &Database) -> Running {
    let mut config = numbers_gateway::Config::load(None).expect("defaults");
    config.history.url = Some(db.url.clone());
    start(config, None, true).await
}

/// The entries `auth` may read of `provider`'s sandbox, once `count` of
/// them are written (entries are written just after the answer).
async fn entries(
    g: &Running,
    path: &str,
    auth: &dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    count: usize,
) -> Vec<Entry> {
    let c = client();
    for _ in 0..100 {
        let r = auth(c.get(g.url(path))).send().await.expect("history");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let page: EntryPage = r.json().await.expect("page");
        if page.entries.len() >= count {
            return page.entries;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}: fewer than {count} entries");
}

fn owner(rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    rb.bearer_auth(OWNER_TOKEN)
}

/// One page of the sandbox's OCP history as the owner reads it.
async fn owner_page(g: &Running, query: &str) -> EntryPage {
    owner(client().get(g.url(&format!("/relay/ocp/sandbox/history?{query}"))))
        .send()
        .await
        .expect("page")
        .json()
        .await
        .expect("json")
}

/// Numbers of the owner's group `ocp` with a miniApp, and that miniApp.
async fn numbers_with_app(g: &Running) -> (Vec<String>, String) {
    let rows = sandbox_numbers(&g.url("/relay/ocp/sandbox/api/numbers?pageSize=200")).await;
    let app = rows
        .iter()
        .find_map(|r| r["miniAppId"].as_str())
        .expect("an attached number")
        .to_string();
    let numbers = rows
        .iter()
        .filter(|r| r["groupId"] == "ocp")
        .filter_map(|r| r["number"].as_str().map(str::to_string))
        .take(6)
        .collect();
    (numbers, app)
}

on_both!(each_change_writes_one_entry);
on_both!(refused_credentials_are_recorded_as_refused);
on_both!(reading_takes_a_credential_the_provider_accepts);
on_both!(a_relay_answers_when_the_history_cannot_be_written);
on_both!(filters_and_pages_find_one_numbers_entries);
on_both!(a_stopping_gateway_writes_what_was_answered);
on_both!(a_huawei_access_key_is_credited_and_reads_its_project);
on_both!(a_browsers_allocations_are_imported_into_the_team_register_once);

/// `rb` (`method path`) signed as the console signs it, with the sandbox's
/// access key and the secret key `sk`, for the sandbox's host.
fn signed(
    g: &Running,
    rb: reqwest::RequestBuilder,
    method: &str,
    path: &str,
    body: &str,
    sk: &str,
) -> reqwest::RequestBuilder {
    use numbers_core::huawei::signing;
    let key = signing::Key {
        access: "SANDBOXACCESSKEY0001",
        secret: sk,
        project: "sandbox-project",
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let host = g.sandbox.expect("sandbox").to_string();
    let mut rb = rb;
    for (name, value) in signing::sign(&key, method, &host, path, body, now) {
        rb = rb.header(name, value);
    }
    if !body.is_empty() {
        rb = rb
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    rb
}

/// A diversion signed with an access key (the secret key never reaches the
/// gateway) is credited to the key, and the key reads its project's
/// history; a wrong secret key is refused by the provider, recorded as
/// refused, and reads nothing.
async fn a_huawei_access_key_is_credited_and_reads_its_project(db: Database) {
    const SK: &str = "sandbox-secret-key";
    let g = gateway(&db).await;
    let c = client();
    let divert = "/v1/sandbox-project/cloud-phone/phones-traffic";
    let body = r#"{"traffic_type":"routing","phone_ids":["phone-0002"]}"#;
    let r = signed(
        &g,
        c.post(g.url(&format!("/relay/huawei/sandbox{divert}"))),
        "POST",
        divert,
        body,
        SK,
    )
    .send()
    .await
    .expect("divert");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let history = "/v1/sandbox-project/cloud-phone/phones?limit=1";
    let read = |rb: reqwest::RequestBuilder| signed(&g, rb, "GET", history, "", SK);
    let found = entries(&g, "/relay/huawei/sandbox/history", &read, 1).await;
    assert_eq!(found[0].who, "SANDBOXACCESSKEY0001");
    assert_eq!(found[0].targets[0].id, "phone-0002");
    assert_eq!(found[0].outcome, Outcome::Ok);

    let wrong = signed(
        &g,
        c.post(g.url(&format!("/relay/huawei/sandbox{divert}"))),
        "POST",
        divert,
        body,
        "not-the-secret",
    )
    .send()
    .await
    .expect("wrong key");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let text = wrong.text().await.expect("text");
    assert!(text.contains("APIGW.0301"), "{text}");
    let unread = signed(
        &g,
        c.get(g.url("/relay/huawei/sandbox/history")),
        "GET",
        history,
        "",
        "not-the-secret",
    )
    .send()
    .await
    .expect("history");
    assert_eq!(unread.status(), StatusCode::UNAUTHORIZED);
    let all = entries(&g, "/relay/huawei/sandbox/history", &read, 2).await;
    assert_eq!(all[0].outcome, Outcome::Refused, "{:?}", all[0]);
    let text = serde_json::to_string(&all).expect("json");
    assert!(!text.contains(SK) && !text.contains("not-the-secret"));
}

async fn a_stopping_gateway_writes_what_was_answered(db: Database) {
    let mut g = gateway(&db).await;
    let (numbers, _) = numbers_with_app(&g).await;
    let r = client()
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(OWNER_TOKEN)
        .json(&json!({"number": numbers[0], "note": "just before stopping"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.status(), StatusCode::OK);
    g.stop();
    if let Some(task) = g.task.take() {
        task.await.expect("stopped");
    }
    let store = numbers_gateway::history::Store::open(&db.url)
        .await
        .expect("store");
    let every_scope = store.scopes("ocp", "sandbox").await.expect("scopes");
    let page = store
        .page(
            "ocp",
            "sandbox",
            &every_scope,
            &numbers_core::history::Filter::default(),
            None,
            10,
        )
        .await
        .expect("page");
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].action, "note");
    store.close().await;
}

async fn each_change_writes_one_entry(db: Database) {
    let g = gateway(&db).await;
    let c = client();
    let (numbers, app) = numbers_with_app(&g).await;
    let (access, _) = sign_in(
        &g.url("/relay/ocp/sandbox/sign-in"),
        "owner",
        "owner-pass",
        "",
    )
    .await;
    let ocp = |rb: reqwest::RequestBuilder| rb.bearer_auth(&access);
    let base = |p: &str| g.url(&format!("/relay/ocp/sandbox{p}"));

    // Reads and read-only POSTs are not changes.
    c.post(base("/api/numbers/search"))
        .bearer_auth(&access)
        .json(&json!({"page": 1}))
        .send()
        .await
        .expect("search");
    c.get(base("/api/numbers-set"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("sets");

    let attach = ocp(c.put(base("/api/numbers/attach")))
        .json(&json!({"numbers": &numbers[..3], "miniAppId": app, "locale": "en-US"}))
        .send()
        .await
        .expect("attach");
    assert_eq!(attach.status(), StatusCode::OK);
    let request_id = attach.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_string();
    let note = ocp(c.put(base("/api/number/note")))
        .json(&json!({"number": numbers[3], "note": "hotline"}))
        .send()
        .await
        .expect("note");
    assert_eq!(note.status(), StatusCode::OK);
    let set: Value = ocp(c.post(base("/api/numbers-set")))
        .json(&json!({"name": "History test", "groupId": "ocp"}))
        .send()
        .await
        .expect("create set")
        .json()
        .await
        .expect("set");
    let set_id = set["id"].as_str().expect("set id");
    let added = ocp(c.post(base(&format!("/api/numbers-set/{set_id}/numbers"))))
        .json(&json!({"numbers": [numbers[4]]}))
        .send()
        .await
        .expect("add to set");
    assert_eq!(added.status(), StatusCode::OK);
    let complete = ocp(c.post(base("/api/numbers-routing/router-demo/complete")))
        .send()
        .await
        .expect("complete");
    assert_eq!(complete.status(), StatusCode::OK);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(
            format!("OPERATION,NUMBER,NOTE\nupdate,{},from csv\n", numbers[5]).into_bytes(),
        )
        .file_name("change.csv"),
    );
    let csv = ocp(c.put(base("/api/numbers/csv")))
        .header("X-Numbers-Csv-Run", "run-1")
        .header("X-Numbers-Csv-Batch", "2/2")
        .multipart(form)
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), StatusCode::OK);

    let all = entries(&g, "/relay/ocp/sandbox/history", &ocp, 6).await;
    assert_eq!(all.len(), 6, "{all:#?}");
    assert!(
        all.iter()
            .all(|e| e.who == "owner" && e.outcome == Outcome::Ok),
        "{all:#?}"
    );
    let actions: Vec<&str> = all.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "attach",
            "note",
            "create set",
            "add to set",
            "complete router",
            "CSV batch 2 of 2"
        ]
    );
    let first = all.last().expect("attach");
    assert_eq!(first.id, request_id);
    let touched: Vec<&str> = first.targets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        touched,
        numbers[..3].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(all[1]
        .targets
        .iter()
        .any(|t| t.kind == TargetKind::Router && t.id == "router-demo"));
    let batch = &all[0];
    assert_eq!(batch.csv_run.as_deref(), Some("run-1"));
    assert_eq!(batch.targets[0].id, numbers[5]);
    assert_eq!(batch.targets[0].detail.as_deref(), Some("update"));
    assert!(all[3]
        .targets
        .iter()
        .any(|t| t.kind == TargetKind::Set && t.id == set_id));

    // Exotel: the API key id is who; pins are masked.
    let ex = |rb: reqwest::RequestBuilder| rb.basic_auth("sandbox-key", Some("sandbox-token"));
    let r = ex(c.post(g.url("/relay/exotel/sandbox/v1/tenants/sandbox/greenvn")))
        .json(&json!({"aparty_numbers": ["+919176226528"], "bparty_numbers": ["+918136966620"], "aparty_pins": [8675309], "usage": "twoway", "connection_id": "history-1"}))
        .send()
        .await
        .expect("allocate");
    assert_eq!(r.status(), StatusCode::OK);
    let ex_entries = entries(&g, "/relay/exotel/sandbox/history?sid=sandbox", &ex, 1).await;
    assert_eq!(ex_entries[0].who, "sandbox-key");
    assert_eq!(ex_entries[0].action, "allocate");
    let text = serde_json::to_string(&ex_entries).expect("json");
    assert!(
        text.contains("+919176226528") && !text.contains("8675309"),
        "{text}"
    );

    // Huawei: the IAM user's name.
    let signed: reqwest::Response = c
        .post(g.url("/relay/huawei/sandbox/sign-in"))
        .json(&json!({"domain": "sandbox-domain", "user": "cph-admin", "password": "cph-pass"}))
        .send()
        .await
        .expect("iam");
    let token = signed.headers()["x-subject-token"]
        .to_str()
        .expect("token")
        .to_string();
    let hw = |rb: reqwest::RequestBuilder| rb.header("X-Auth-Token", &token);
    let r =
        hw(c.post(g.url("/relay/huawei/sandbox/v1/sandbox-project/cloud-phone/phones-traffic")))
            .json(&json!({"traffic_type": "routing", "phone_ids": ["phone-0001"]}))
            .send()
            .await
            .expect("divert");
    let status = r.status();
    let hw_entries = entries(&g, "/relay/huawei/sandbox/history", &hw, 1).await;
    assert_eq!(hw_entries[0].who, "cph-admin");
    assert_eq!(hw_entries[0].status, status.as_u16());
    assert_eq!(hw_entries[0].targets[0].id, "phone-0001");

    // Exactly one entry per change: nothing more arrives later.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        entries(&g, "/relay/ocp/sandbox/history", &ocp, 6)
            .await
            .len(),
        6
    );
}

async fn refused_credentials_are_recorded_as_refused(db: Database) {
    let g = gateway(&db).await;
    let c = client();
    let (numbers, _) = numbers_with_app(&g).await;
    let r = c
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth("eyJhbGciOiJub25lIn0.eyJwcmVmZXJyZWRfdXNlcm5hbWUiOiJtYWxsb3J5In0.x")
        .json(&json!({"number": numbers[0], "note": "not me"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(
            format!("OPERATION,NUMBER\ndelete,{}\n", numbers[1]).into_bytes(),
        )
        .file_name("x.csv"),
    );
    let member = c
        .put(g.url("/relay/ocp/sandbox/api/numbers/csv"))
        .bearer_auth("sandbox-member")
        .multipart(form)
        .send()
        .await
        .expect("csv");
    assert_eq!(member.status(), StatusCode::FORBIDDEN);
    let all = entries(&g, "/relay/ocp/sandbox/history", &owner, 2).await;
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|e| e.outcome == Outcome::Refused));
    let forged = all.iter().find(|e| e.status == 401).expect("the 401");
    assert_eq!(forged.who, "", "a refused token proves no name");
    assert_ne!(forged.who, "mallory");
    let forbidden = all.iter().find(|e| e.status == 403).expect("the 403");
    assert_eq!(forbidden.who, "member");
    // Compact: the provider's message may name what was refused.
    assert_eq!(forbidden.message, None);
    assert_eq!(forbidden.target_count, 1);
    assert!(forbidden.targets.is_empty());
}

async fn reading_takes_a_credential_the_provider_accepts(db: Database) {
    let g = gateway(&db).await;
    let c = client();
    let (numbers, _) = numbers_with_app(&g).await;
    c.put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(OWNER_TOKEN)
        .json(&json!({"number": numbers[0], "note": "seen"}))
        .send()
        .await
        .expect("note");
    entries(&g, "/relay/ocp/sandbox/history", &owner, 1).await;
    for (what, rb) in [
        ("no credential", c.get(g.url("/relay/ocp/sandbox/history"))),
        (
            "a made-up token",
            c.get(g.url("/relay/ocp/sandbox/history"))
                .bearer_auth("made-up"),
        ),
        (
            "Exotel with a wrong token",
            c.get(g.url("/relay/exotel/sandbox/history?sid=sandbox"))
                .basic_auth("sandbox-key", Some("wrong")),
        ),
        (
            "Huawei with a made-up token",
            c.get(g.url("/relay/huawei/sandbox/history"))
                .header("X-Auth-Token", "MIInope"),
        ),
    ] {
        let r = rb.send().await.expect(what);
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{what}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"], "history_refused", "{what}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .contains("Sign in"),
            "{what}"
        );
    }
    // A signed-out token is refused even right after it was accepted
    // (the verdict is cached by hash for a minute, so sign-out is checked
    // with a token never used to read).
    let (access, refresh) = sign_in(
        &g.url("/relay/ocp/sandbox/sign-in"),
        "member",
        "member-pass",
        "",
    )
    .await;
    c.post(g.url("/relay/ocp/sandbox/sign-out"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .expect("sign-out");
    let r = c
        .get(g.url("/relay/ocp/sandbox/history"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("read");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Another environment's credential sees nothing of this one.
    let mut other_config = numbers_gateway::Config::load(None).expect("defaults");
    other_config.history.url = Some(db.url.clone());
    let other = start(other_config, None, true).await;
    let (other_access, _) = sign_in(
        &other.url("/relay/ocp/sandbox/sign-in"),
        "member",
        "member-pass",
        "",
    )
    .await;
    let r = c
        .get(g.url("/relay/ocp/sandbox/history"))
        .bearer_auth(&other_access)
        .send()
        .await
        .expect("read");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn a_relay_answers_when_the_history_cannot_be_written(db: Database) {
    let g = if db.url.starts_with("sqlite:") {
        // The file exists and is migrated, but is opened read-only.
        let store = numbers_gateway::history::Store::open(&db.url)
            .await
            .expect("store");
        store.close().await;
        let mut config = numbers_gateway::Config::load(None).expect("defaults");
        config.history.url = Some(format!("{}?mode=ro", db.url));
        start(config, None, true).await
    } else {
        // The gateway starts on a writable database that then turns
        // read-only under it, its connections cut.
        let g = gateway(&db).await;
        let pool = sqlx::AnyPool::connect(&db.url).await.expect("postgres");
        let name = db.url.rsplit('/').next().expect("db name");
        for sql in [
            format!("ALTER DATABASE {name} SET default_transaction_read_only = on"),
            format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await.expect("read-only");
        }
        pool.close().await;
        g
    };
    let c = client();
    let (numbers, _) = numbers_with_app(&g).await;
    let r = c
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(OWNER_TOKEN)
        .json(&json!({"number": numbers[0], "note": "still relayed"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.expect("the provider's answer");
    assert_eq!(body["success"], true);
    let mut failures = String::new();
    for _ in 0..100 {
        let metrics = c
            .get(g.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        failures = metrics
            .lines()
            .find(|l| l.starts_with("numbers_gateway_history_write_failures_total "))
            .unwrap_or_default()
            .to_string();
        if failures.ends_with(" 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(failures, "numbers_gateway_history_write_failures_total 1");
}

async fn filters_and_pages_find_one_numbers_entries(db: Database) {
    let g = gateway(&db).await;
    let c = client();
    let (numbers, _) = numbers_with_app(&g).await;
    for i in 0..5 {
        let n = &numbers[i % 2];
        let r = c
            .put(g.url("/relay/ocp/sandbox/api/number/note"))
            .bearer_auth(OWNER_TOKEN)
            .json(&json!({"number": n, "note": format!("note {i}")}))
            .send()
            .await
            .expect("note");
        assert_eq!(r.status(), StatusCode::OK);
    }
    entries(&g, "/relay/ocp/sandbox/history", &owner, 5).await;
    let enc = |s: &str| s.replace('+', "%2B");
    let first = owner_page(&g, &format!("number={}&limit=2", enc(&numbers[0]))).await;
    assert_eq!(first.entries.len(), 2);
    let next = first.next.expect("a second page");
    let second = owner_page(
        &g,
        &format!("number={}&limit=2&after={next}", enc(&numbers[0])),
    )
    .await;
    assert_eq!(second.entries.len(), 1);
    assert!(second.next.is_none());
    let notes: Vec<String> = first
        .entries
        .iter()
        .chain(&second.entries)
        .map(|e| e.targets[0].detail.clone().unwrap_or_default())
        .collect();
    assert_eq!(notes, ["note: note 4", "note: note 2", "note: note 0"]);
    let none = owner_page(&g, "user=member").await;
    assert!(none.entries.is_empty());
    assert!(owner_page(&g, "run=run-9").await.entries.is_empty());
    let bad = owner(c.get(g.url("/relay/ocp/sandbox/history?from=yesterday")))
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let csv = owner(c.get(g.url(&format!(
        "/relay/ocp/sandbox/history.csv?number={}",
        enc(&numbers[1])
    ))))
    .send()
    .await
    .expect("csv");
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap_or_default()
        .contains("history-ocp-sandbox.csv"));
    let text = csv.text().await.expect("text");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.starts_with("TIME_UTC,PROVIDER"));
}

/// Only SQLite leaves a file to search: every byte of it (and its WAL) is
/// searched for the credentials, passwords, one-time code and pin used.
#[tokio::test]
async fn no_secret_reaches_the_database() {
    let db = sqlite();
    let g = gateway(&db).await;
    let c = client();
    let (numbers, app) = numbers_with_app(&g).await;
    let (access, refresh) = sign_in(
        &g.url("/relay/ocp/sandbox/sign-in"),
        "otp",
        "otp-pass",
        "123456",
    )
    .await;
    c.put(g.url("/relay/ocp/sandbox/api/numbers/attach"))
        .bearer_auth(&access)
        .json(&json!({"numbers": [numbers[0]], "miniAppId": app, "locale": "en-US"}))
        .send()
        .await
        .expect("attach");
    c.put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth("sandbox-member")
        .json(&json!({"number": numbers[1], "note": "member"}))
        .send()
        .await
        .expect("note");
    c.post(g.url("/relay/exotel/sandbox/v1/tenants/sandbox/greenvn"))
        .basic_auth("sandbox-key", Some("sandbox-token"))
        .json(&json!({"aparty_numbers": ["+919176226528"], "bparty_numbers": ["+918136966620"], "aparty_pins": [8675309], "bparty_pins": [5551212], "usage": "twoway", "connection_id": "secret-test"}))
        .send()
        .await
        .expect("allocate");
    let signed = c
        .post(g.url("/relay/huawei/sandbox/sign-in"))
        .json(&json!({"domain": "sandbox-domain", "user": "cph-admin", "password": "cph-pass"}))
        .send()
        .await
        .expect("iam");
    let iam = signed.headers()["x-subject-token"]
        .to_str()
        .expect("token")
        .to_string();
    c.post(g.url("/relay/huawei/sandbox/v1/sandbox-project/cloud-phone/phones-traffic"))
        .header("X-Auth-Token", &iam)
        .json(&json!({"traffic_type": "direct", "phone_ids": ["phone-0001"]}))
        .send()
        .await
        .expect("divert");
    let otp_user = |rb: reqwest::RequestBuilder| rb.bearer_auth(&access);
    let written = entries(&g, "/relay/ocp/sandbox/history", &otp_user, 2).await;
    assert!(written.iter().any(|e| e.who == "otp"));
    let hw = |rb: reqwest::RequestBuilder| rb.header("X-Auth-Token", &iam);
    entries(&g, "/relay/huawei/sandbox/history", &hw, 1).await;
    let ex = |rb: reqwest::RequestBuilder| rb.basic_auth("sandbox-key", Some("sandbox-token"));
    entries(&g, "/relay/exotel/sandbox/history?sid=sandbox", &ex, 1).await;
    drop(g);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let path = db.url.trim_start_matches("sqlite://").to_string();
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(b) = std::fs::read(format!("{path}{suffix}")) {
            bytes.extend(b);
        }
    }
    assert!(bytes.len() > 4096, "the database was written");
    let basic = base64_of("sandbox-key:sandbox-token");
    let mut secrets = vec![
        access.as_str(),
        refresh.as_str(),
        iam.as_str(),
        "otp-pass",
        "owner-pass",
        "cph-pass",
        "sandbox-token",
        OWNER_TOKEN,
        "sandbox-member",
        "sandbox-huawei",
        basic.as_str(),
        "8675309",
        "5551212",
        "Bearer",
        "Basic ",
    ];
    // The one-time code is searched for unless a touched number happens to
    // hold the same digits.
    if !numbers[..2].iter().any(|n| n.contains("123456")) {
        secrets.push("123456");
    }
    for secret in secrets {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "{secret:?} is in the history database");
    }
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// An allocation made before the gateway kept a history (straight at
/// Exotel), held in one browser's register, is imported once: read from
/// Exotel with the importer's key, recorded as imported, listed for the
/// team; one the history knows is left as it is, one Exotel has no more is
/// said to be gone, and a key Exotel refuses imports nothing.
async fn a_browsers_allocations_are_imported_into_the_team_register_once(db: Database) {
    let g = gateway(&db).await;
    let c = client();
    let ex = |rb: reqwest::RequestBuilder| rb.basic_auth("sandbox-key", Some("sandbox-token"));
    let allocate = |url: String, connection: &'static str| {
        ex(c.post(url))
            .json(&json!({"aparty_numbers": ["+919176226528"], "bparty_numbers": ["+918136966620"], "usage": "twoway", "connection_id": connection}))
            .send()
    };
    let sandbox = g.sandbox.expect("the gateway's sandbox");
    let direct: Value = allocate(
        format!("http://{sandbox}/v1/tenants/sandbox/greenvn"),
        "before-the-gateway",
    )
    .await
    .expect("allocate")
    .json()
    .await
    .expect("json");
    let direct = direct["data"]["greenvn_id"]
        .as_str()
        .expect("id")
        .to_string();
    let relayed: Value = allocate(
        g.url("/relay/exotel/sandbox/v1/tenants/sandbox/greenvn"),
        "through-the-gateway",
    )
    .await
    .expect("allocate")
    .json()
    .await
    .expect("json");
    let relayed = relayed["data"]["greenvn_id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = "/relay/exotel/sandbox/history?sid=sandbox&action=allocate";
    entries(&g, path, &ex, 1).await;

    let import = |key: &'static str, ids: Vec<String>| {
        c.post(g.url("/relay/exotel/sandbox/history/allocations?sid=sandbox"))
            .basic_auth(key, Some("sandbox-token"))
            .json(&json!({ "greenvn_ids": ids }))
            .send()
    };
    let ids = vec![direct.clone(), relayed.clone(), "g-no-such".to_string()];
    let refused = import("someone-else", ids.clone()).await.expect("import");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let bad = import("sandbox-key", vec!["../numbers".into()])
        .await
        .expect("import");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let said: Value = bad.json().await.expect("json");
    assert_eq!(said["error"], "import_invalid");

    let done: ImportedAllocations = import("sandbox-key", ids.clone())
        .await
        .expect("import")
        .json()
        .await
        .expect("json");
    assert_eq!(done.imported, std::slice::from_ref(&direct), "{done:?}");
    assert_eq!(done.listed_already, std::slice::from_ref(&relayed));
    assert_eq!(done.gone, ["g-no-such"]);
    let all = entries(&g, path, &ex, 2).await;
    let made = allocations_made(&all);
    assert_eq!(made.len(), 2, "{made:?}");
    let imported = made
        .iter()
        .find(|m| m.greenvn_id == direct)
        .expect("the imported one is listed");
    assert!(imported.imported);
    assert_eq!(imported.connection_id, "before-the-gateway");
    assert_eq!(imported.made_by, "sandbox-key");
    assert!(!imported.green_vn.is_empty());
    assert!(!made.iter().any(|m| m.greenvn_id == relayed && m.imported));

    // A second import of the same register changes nothing.
    let again: ImportedAllocations = import("sandbox-key", ids)
        .await
        .expect("import")
        .json()
        .await
        .expect("json");
    assert!(again.imported.is_empty(), "{again:?}");
    assert_eq!(again.listed_already.len(), 2);
    assert_eq!(entries(&g, path, &ex, 2).await.len(), 2);
}
