//! The gateway tried by a member of the team with bad intentions (round
//! two), each test against the real binary in a process of its own: plans
//! nobody can crowd out or find by number, chat messages nobody can forge,
//! signatures nobody can swap, exports that run no formula, secrets and
//! files kept close, and a gateway a load balancer can ask how it is.

mod common;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::process::Process;
use common::upstream::{counter, receiver, Upstream};
use common::{client, fake_dist};
use numbers_core::dev::{EXOTEL_KEY, EXOTEL_SID, EXOTEL_TOKEN, MEMBER_TOKEN, OWNER_TOKEN};
use numbers_core::models::schedule::{PlanList, PlanView};
use serde_json::{json, Value};

/// A router id (as a target app's) written to be Slack markup: a mention
/// of everyone and a phishing link.
const HOSTILE: &str =
    "<!channel> *URGENT* <https://evil.example/login|OCP session expired - sign in again>";

/// The gateway with the sandbox in its process and `config` merged over
/// the defaults; the console folder it serves is kept beside.
async fn with_sandbox(config: &str) -> (Process, tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("work dir");
    let dist = fake_dist();
    let dist_path = dist.path().to_string_lossy().to_string();
    let g = Process::start(dir.path(), config, &["--sandbox", "--dist", &dist_path]).await;
    (g, dir, dist)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn in_a_day() -> i64 {
    now_ms() + 86_400_000
}

/// A plan that holds at 80% on the target, its first step a day away.
fn hold_at_80(router: &str) -> Value {
    json!({"router_id": router, "interval_secs": 60, "zone": "UTC",
           "end": {"kind": "hold_at", "target": 80}, "first_at_ms": in_a_day()})
}

async fn post(url: String, token: &str, body: Option<Value>) -> reqwest::Response {
    let mut r = client().post(url).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.expect("post")
}

async fn list(url: String, token: &str) -> PlanList {
    let r = client()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("plans")
}

/// The sandbox's numbers, as the owner lists them.
async fn numbers(g: &Process, env: &str) -> Vec<Value> {
    common::sandbox_numbers(&g.url(&format!("/relay/ocp/{env}/api/numbers?pageSize=300"))).await
}

/// Makes a router for each of `count` numbers of group `group` that are on
/// an app, moving them to another app; their ids.
async fn routers_in(g: &Process, env: &str, group: &str, token: &str, count: usize) -> Vec<String> {
    let all = numbers(g, env).await;
    let apps: Vec<String> = all
        .iter()
        .filter_map(|n| n["miniAppId"].as_str().map(str::to_string))
        .collect();
    let mut ids = Vec::new();
    for n in all.iter().filter(|n| {
        n["groupId"] == group && n["miniAppId"].is_string() && n["number"] != Value::Null
    }) {
        if ids.len() == count {
            break;
        }
        let number = n["number"].as_str().expect("number");
        let Some(target) = apps
            .iter()
            .find(|a| Some(a.as_str()) != n["miniAppId"].as_str())
        else {
            continue;
        };
        let r = post(
            g.url(&format!("/relay/ocp/{env}/api/numbers-routing")),
            token,
            Some(json!({"number": number, "targetAppId": target})),
        )
        .await;
        if r.status() == StatusCode::OK {
            let router: Value = r.json().await.expect("router");
            ids.push(router["id"].as_str().expect("id").to_string());
        }
    }
    assert_eq!(ids.len(), count, "routers made in {group}");
    ids
}

/// 505 plans made and cancelled by a member on their own group's router
/// push nothing of the owner's out of the owner's list; open plans come
/// first, and paging reaches every plan once. The limits hold, and a plan
/// the member may not see answers exactly as one that does not exist.
#[tokio::test]
async fn a_flood_of_plans_leaves_the_owners_plan_listed_first() {
    let (g, _dir, _dist) =
        with_sandbox("[schedules]\nmax_open_per_author = 1\ncreated_per_author_per_hour = 507\n")
            .await;
    let base = |path: &str| g.url(&format!("/relay/ocp/sandbox/schedules{path}"));
    let owners: PlanView = post(base(""), OWNER_TOKEN, Some(hold_at_80("router-demo")))
        .await
        .json()
        .await
        .expect("the owner's plan");
    let mine = routers_in(&g, "sandbox", "ocp-qa", MEMBER_TOKEN, 2).await;
    let started = Instant::now();
    for i in 0..505 {
        let r = post(base(""), MEMBER_TOKEN, Some(hold_at_80(&mine[0]))).await;
        assert_eq!(r.status(), StatusCode::CREATED, "plan {i}");
        let p: PlanView = r.json().await.expect("plan");
        let r = post(base(&format!("/{}/cancel", p.id)), MEMBER_TOKEN, None).await;
        assert_eq!(r.status(), StatusCode::OK, "cancel {i}");
    }
    eprintln!("505 plans made and cancelled in {:?}", started.elapsed());
    let first = list(base(""), OWNER_TOKEN).await;
    assert_eq!(
        first.plans[0].id, owners.id,
        "the owner's open plan is first"
    );
    assert!(first.plans[1..].iter().all(|p| !p.state.is_open()));
    // Every plan, page by page, once.
    let mut seen = std::collections::HashSet::new();
    let mut page = first;
    loop {
        for p in &page.plans {
            assert!(seen.insert(p.id), "plan {} twice", p.id);
        }
        let Some(next) = page.next.clone() else { break };
        page = list(base(&format!("?after={next}&limit=200")), OWNER_TOKEN).await;
    }
    assert_eq!(seen.len(), 506);
    // The member sees their own plans and never the owner's.
    let theirs = list(base("?limit=500"), MEMBER_TOKEN).await;
    assert!(theirs.plans.iter().all(|p| p.router_id != "router-demo"));
    // A plan of a group the member may not see answers, byte for byte, as
    // one that does not exist.
    let hidden = post(base(&format!("/{}/pause", owners.id)), MEMBER_TOKEN, None).await;
    let missing = post(base("/99999999/pause"), MEMBER_TOKEN, None).await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.status(), hidden.status());
    assert_eq!(
        hidden.bytes().await.expect("hidden"),
        missing.bytes().await.expect("missing")
    );
    // One open plan a person (as configured), then 507 made an hour.
    let a: PlanView = post(base(""), MEMBER_TOKEN, Some(hold_at_80(&mine[0])))
        .await
        .json()
        .await
        .expect("plan 506");
    let r = post(base(""), MEMBER_TOKEN, Some(hold_at_80(&mine[1]))).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let refusal: Value = r.json().await.expect("refusal");
    assert_eq!(refusal["error"], "schedule_limit");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap_or_default()
            .contains("as many as this gateway allows one person"),
        "{refusal}"
    );
    post(base(&format!("/{}/cancel", a.id)), MEMBER_TOKEN, None).await;
    let b: PlanView = post(base(""), MEMBER_TOKEN, Some(hold_at_80(&mine[1])))
        .await
        .json()
        .await
        .expect("plan 507");
    post(base(&format!("/{}/cancel", b.id)), MEMBER_TOKEN, None).await;
    // The hour's allowance is spent, but for what came back while the
    // flood ran (one plan every 3600/507 s).
    let mut more = 0;
    let refusal: Value = loop {
        let r = post(base(""), MEMBER_TOKEN, Some(hold_at_80(&mine[0]))).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            break r.json().await.expect("refusal");
        }
        let p: PlanView = r.json().await.expect("plan");
        post(base(&format!("/{}/cancel", p.id)), MEMBER_TOKEN, None).await;
        more += 1;
        let allowed = started.elapsed().as_secs_f64() * 507.0 / 3600.0 + 1.0;
        assert!(
            f64::from(more) <= allowed,
            "{more} plans past the hour's 507"
        );
    };
    assert!(
        refusal["message"]
            .as_str()
            .unwrap_or_default()
            .contains("within the hour"),
        "{refusal}"
    );
}

/// A gateway process in front of a sandbox of the test's (through a
/// counting proxy) as the `ocp.lab` environment, with an automation
/// account and a webhook; and what keeps them all alive.
struct Lab {
    gateway: Process,
    proxy: common::upstream::Counter,
    hooks: common::upstream::Hooks,
    _hook: tokio::sync::oneshot::Sender<()>,
    _upstream: Upstream,
    _dirs: [tempfile::TempDir; 3],
}

impl Lab {
    /// With the automation password in a file, or (`false`) a file that
    /// is not there (`secret-place/automation.password`).
    async fn start(with_password: bool) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let upstream = Upstream::start(dir.path()).await;
        let proxy = counter(upstream.addr).await;
        let (hook, hooks, stop_hook) = receiver().await;
        let password = if with_password {
            let p = dir.path().join("automation.password");
            std::fs::write(&p, numbers_sandbox::sign_in::AUTOMATION_PASSWORD).expect("password");
            p
        } else {
            dir.path().join("secret-place/automation.password")
        };
        let config = format!(
            "builtin_environments = false\n\
             [schedules]\nmin_interval_secs = 1\ntick_ms = 200\n\
             [ocp.lab]\nlabel = \"Lab\"\nsandbox = true\n\
             base_url = \"http://{p}/integrations\"\n\
             token_url = \"http://{p}/auth/realms/master/protocol/openid-connect/token\"\n\
             automation_user = \"automation\"\nautomation_password_file = \"{}\"\n\
             webhook_url = \"http://{hook}/hook\"\n",
            password.display(),
            p = proxy.addr,
        );
        let work = tempfile::tempdir().expect("work");
        let dist = fake_dist();
        let dist_path = dist.path().to_string_lossy().to_string();
        let gateway = Process::start(work.path(), &config, &["--dist", &dist_path]).await;
        Self {
            gateway,
            proxy,
            hooks,
            _hook: stop_hook,
            _upstream: upstream,
            _dirs: [dir, work, dist],
        }
    }
}

/// Waits (at most 30 s) for a webhook event of `kind`.
async fn hook_event(hooks: &common::upstream::Hooks, kind: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(e) = hooks.events().into_iter().find(|e| e["event"] == kind) {
            return e;
        }
        assert!(
            Instant::now() < deadline,
            "no {kind} event: {:?}",
            hooks.events()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A target app id written as Slack markup reaches the team's channel as
/// the characters it is: escaped, in a code span, mentioning nobody. A plan
/// that is not valid costs the provider nothing, and the permission check
/// of a plan that is is in the history as what it is.
#[tokio::test]
async fn a_hostile_target_id_reaches_the_webhook_escaped() {
    let lab = Lab::start(true).await;
    let (g, proxy, hooks) = (&lab.gateway, &lab.proxy, &lab.hooks);
    let base = |path: &str| g.url(&format!("/relay/ocp/lab/schedules{path}"));
    let before = proxy.requests.load(Ordering::SeqCst);
    let mut bad = hold_at_80("router-demo");
    bad["zone"] = json!("Mars/Olympus");
    let r = post(base(""), OWNER_TOKEN, Some(bad)).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        proxy.requests.load(Ordering::SeqCst),
        before,
        "a plan that is not valid reached the provider"
    );
    let plan: PlanView = post(base(""), OWNER_TOKEN, Some(hold_at_80("router-demo")))
        .await
        .json()
        .await
        .expect("plan");
    // Someone makes the router's target app id Slack markup.
    let r = client()
        .put(g.url("/relay/ocp/lab/api/numbers-routing"))
        .bearer_auth(OWNER_TOKEN)
        .json(&json!({"id": "router-demo", "targetAppId": HOSTILE}))
        .send()
        .await
        .expect("update");
    assert_eq!(r.status(), StatusCode::OK);
    let r = post(base(&format!("/{}/step-now", plan.id)), OWNER_TOKEN, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let event = hook_event(hooks, "pause").await;
    let text = event["text"].as_str().expect("text");
    assert!(
        text.contains("`&lt;!channel&gt; *URGENT* &lt;https://evil.example/login|OCP session expired - sign in again&gt;`"),
        "{text}"
    );
    assert!(
        !text.contains("<!channel>") && !text.contains("<https://"),
        "{text}"
    );
    // The plan's reason, shown by the console as text, says it as it is.
    let listed = list(base(""), OWNER_TOKEN).await;
    let reason = listed.plans[0].reason.clone().unwrap_or_default();
    assert!(reason.contains(HOSTILE), "{reason}");
    // The permission check that made the plan, in the history.
    let page: numbers_core::history::EntryPage = client()
        .get(g.url("/relay/ocp/lab/history?action=permission%20check"))
        .bearer_auth(OWNER_TOKEN)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("page");
    assert!(
        page.entries.iter().any(|e| e.who == "owner"
            && e.action.contains("router step set to")
            && e.action.contains("a new schedule")),
        "{:?}",
        page.entries
    );
}

/// An automation account whose password file cannot be read: plans' readers
/// and the webhook learn it failed and to look in the log, never where the
/// password is kept; the log says where.
#[tokio::test]
async fn where_the_automation_password_is_kept_is_only_in_the_log() {
    let lab = Lab::start(false).await;
    let (g, hooks) = (&lab.gateway, &lab.hooks);
    let base = |path: &str| g.url(&format!("/relay/ocp/lab/schedules{path}"));
    let plan: PlanView = post(base(""), OWNER_TOKEN, Some(hold_at_80("router-demo")))
        .await
        .json()
        .await
        .expect("plan");
    post(base(&format!("/{}/step-now", plan.id)), OWNER_TOKEN, None).await;
    let event = hook_event(hooks, "failure").await;
    let listed = client()
        .get(base(""))
        .bearer_auth(OWNER_TOKEN)
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("text");
    for said in [event.to_string(), listed.clone()] {
        assert!(!said.contains("secret-place"), "{said}");
    }
    assert!(
        listed.contains("the automation account could not sign in: see the gateway's log"),
        "{listed}"
    );
    assert!(g.log().contains("secret-place"), "{}", g.log());
    // Not ready either, and says nothing more to whoever asks.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = client().get(g.url("/readyz")).send().await.expect("readyz");
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(r.text().await.expect("text"), "not ready\n");
            break;
        }
        assert!(Instant::now() < deadline, "still ready");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The swap: a diversion signed for `routing` of one phone, sent as
/// `direct` of three with an unsigned X-Sdk-Content-Sha256 of the signed
/// body. Refused as Huawei refuses it; the honest request goes through.
#[tokio::test]
async fn a_huawei_body_swapped_under_its_signature_is_refused() {
    use numbers_core::dev::{HUAWEI_AK, HUAWEI_PROJECT, HUAWEI_SK, HUAWEI_TOKEN};
    use numbers_core::huawei::signing;
    use sha2::Digest;
    let (g, _dir, _dist) = with_sandbox("").await;
    let environments: Value = client()
        .get(g.url("/relay/environments"))
        .send()
        .await
        .expect("environments")
        .json()
        .await
        .expect("json");
    let host = environments["environments"]
        .as_array()
        .and_then(|e| {
            e.iter()
                .find(|e| e["provider"] == "huawei" && e["name"] == "sandbox")
        })
        .and_then(|e| e["host"].as_str())
        .expect("the sandbox's Huawei host")
        .to_string();
    let phones: Value = client()
        .get(g.url(&format!(
            "/relay/huawei/sandbox/v1/{HUAWEI_PROJECT}/cloud-phone/phones?offset=0&limit=3"
        )))
        .header("x-auth-token", HUAWEI_TOKEN)
        .send()
        .await
        .expect("phones")
        .json()
        .await
        .expect("json");
    let ids: Vec<String> = phones["phones"]
        .as_array()
        .expect("phones")
        .iter()
        .filter_map(|p| p["phone_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 3);
    let path = format!("/v1/{HUAWEI_PROJECT}/cloud-phone/phones-traffic");
    let signed = json!({"traffic_type": "routing", "phone_ids": [ids[0]]}).to_string();
    let swapped = json!({"traffic_type": "direct", "phone_ids": ids}).to_string();
    let key = signing::Key {
        access: HUAWEI_AK,
        secret: HUAWEI_SK,
        project: HUAWEI_PROJECT,
    };
    let send = |body: String, content_hash: Option<String>| {
        let headers = signing::sign(&key, "POST", &host, &path, &signed, now_ms());
        let mut r = client()
            .post(g.url(&format!("/relay/huawei/sandbox{path}")))
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        if let Some(h) = content_hash {
            r = r.header(signing::CONTENT_HASH_HEADER, h);
        }
        r.send()
    };
    let hash = hex_string(&sha2::Sha256::digest(signed.as_bytes()));
    let r = send(swapped, Some(hash)).await.expect("swapped");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let text = r.text().await.expect("text");
    assert!(text.contains("APIGW.0301"), "{text}");
    let r = send(signed.clone(), None).await.expect("honest");
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "{}",
        r.text().await.unwrap_or_default()
    );
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A note with a formula behind a `;` is guarded where the formula starts
/// in the gateway's history export and in the console's numbers export
/// (numbers-core's one rule, which the console runs).
#[tokio::test]
async fn a_formula_after_a_semicolon_is_guarded_in_both_exports() {
    let (g, _dir, _dist) = with_sandbox("").await;
    let all = numbers(&g, "sandbox").await;
    let number = all[0]["number"].as_str().expect("number").to_string();
    let r = client()
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(OWNER_TOKEN)
        .json(&json!({"number": number, "note": "x;=1+1;y"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(30);
    let history = loop {
        let text = client()
            .get(g.url("/relay/ocp/sandbox/history.csv"))
            .bearer_auth(OWNER_TOKEN)
            .send()
            .await
            .expect("export")
            .text()
            .await
            .expect("csv");
        if text.contains("x;") {
            break text;
        }
        assert!(Instant::now() < deadline, "no entry: {text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(history.contains("x;'=1+1;y"), "{history}");
    assert!(!history.contains(";=1+1"), "{history}");
    let records: Vec<numbers_core::models::ocp::NumberRecord> =
        serde_json::from_value(Value::Array(numbers(&g, "sandbox").await)).expect("records");
    let export = numbers_core::csv::export(&records);
    assert!(export.contains("x;'=1+1;y"), "{export}");
    assert!(!export.contains(";=1+1"));
}

/// A history URL mistyped so it does not parse, with a password in it:
/// nobody is shown the password, not a reader without a credential, not
/// one with, not the log; and the gateway says it is not ready.
#[tokio::test]
async fn a_mistyped_history_url_shows_its_password_to_nobody() {
    let (g, _dir, _dist) =
        with_sandbox("[history]\nurl = \"postgres//numbers:S3cretPW@db.invalid/numbers\"\n").await;
    let r = client()
        .get(g.url("/relay/exotel/sandbox/history"))
        .send()
        .await
        .expect("history");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let anonymous = r.text().await.expect("text");
    let r = client()
        .get(g.url(&format!("/relay/exotel/sandbox/history?sid={EXOTEL_SID}")))
        .basic_auth(EXOTEL_KEY, Some(EXOTEL_TOKEN))
        .send()
        .await
        .expect("history");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let signed_in = r.text().await.expect("text");
    assert!(signed_in.contains("history_unavailable"), "{signed_in}");
    let ready = client().get(g.url("/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let readiness = ready.text().await.expect("text");
    for said in [anonymous, signed_in, readiness, g.log()] {
        assert!(!said.contains("S3cretPW"), "{said}");
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Under umask 022, what the gateway writes is its own user's only: the
/// history database and its -wal and -shm, the folders it makes for them,
/// the spool, and the console's compressed copies.
#[tokio::test]
async fn the_gateways_files_are_its_own_whatever_the_umask() {
    let state = tempfile::tempdir().expect("state");
    let db = state.path().join("var/numbers/history.sqlite");
    let (g, _dir, dist) =
        with_sandbox(&format!("[history]\nurl = \"sqlite://{}\"\n", db.display())).await;
    let number = numbers(&g, "sandbox").await[0]["number"]
        .as_str()
        .expect("number")
        .to_string();
    let r = client()
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(OWNER_TOKEN)
        .json(&json!({"number": number, "note": "kept close"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.status(), StatusCode::OK);
    let mut wal = db.clone().into_os_string();
    wal.push("-wal");
    let mut shm = db.clone().into_os_string();
    shm.push("-shm");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !Path::new(&wal).exists() {
        assert!(Instant::now() < deadline, "no -wal");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for file in [db.as_path(), Path::new(&wal), Path::new(&shm)] {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    assert_eq!(mode(&state.path().join("var/numbers")), 0o700);
    assert_eq!(mode(&state.path().join("var")), 0o700);
    let compressed: Vec<_> = std::fs::read_dir(dist.path())
        .expect("dist")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "br" || e == "gz"))
        .collect();
    assert!(!compressed.is_empty());
    for file in &compressed {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    drop(g);
    // A database that cannot be reached: the entry waits in the spool.
    let spool = state.path().join("spool/history.spool");
    let (g, _dir, _dist) = with_sandbox(&format!(
        "[history]\nurl = \"postgres://numbers@127.0.0.1:{}/numbers\"\nspool = \"{}\"\n",
        common::closed_port(),
        spool.display()
    ))
    .await;
    let r = client()
        .put(g.url("/relay/ocp/sandbox/api/number/note"))
        .bearer_auth(OWNER_TOKEN)
        .json(&json!({"number": number, "note": "spooled"}))
        .send()
        .await
        .expect("note");
    assert_eq!(r.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !spool.exists() {
        assert!(Instant::now() < deadline, "no spool");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mode(&spool), 0o600);
    assert_eq!(mode(&state.path().join("spool")), 0o700);
}

/// Links in the console's folder are not followed: not served, nothing
/// written beside their targets, and a link to `/` does not make the start
/// walk the machine. A folder is never redirected to a protocol-relative
/// address.
#[tokio::test]
async fn a_link_in_the_console_folder_is_not_served() {
    let secrets = tempfile::tempdir().expect("secrets");
    let secret = secrets.path().join("secret.txt");
    std::fs::write(&secret, "TOPSECRET ".repeat(200)).expect("secret");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let dist = fake_dist();
    std::os::unix::fs::symlink(secrets.path(), dist.path().join("linked")).expect("link");
    std::os::unix::fs::symlink(&secret, dist.path().join("leak.txt")).expect("link");
    std::os::unix::fs::symlink("/", dist.path().join("root")).expect("link");
    let dir = tempfile::tempdir().expect("work");
    let dist_path = dist.path().to_string_lossy().to_string();
    let g = Process::start(
        dir.path(),
        "builtin_environments = false\n",
        &["--dist", &dist_path],
    )
    .await;
    for path in ["/linked/secret.txt", "/leak.txt", "/root/etc/hosts.allow"] {
        let r = client().get(g.url(path)).send().await.expect("get");
        let status = r.status();
        let body = r.text().await.expect("text");
        assert!(!body.contains("TOPSECRET"), "{path} served the secret");
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let beside: Vec<_> = std::fs::read_dir(secrets.path())
        .expect("secrets")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside.len(), 1, "written beside the secret: {beside:?}");
    assert!(g.log().contains("is a link"), "{}", g.log());
    // What a deploy puts there later is served; a link put there is not.
    std::fs::write(dist.path().join("late.txt"), "arrived later").expect("late");
    std::os::unix::fs::symlink(&secret, dist.path().join("late-link.txt")).expect("link");
    let r = client().get(g.url("/late.txt")).send().await.expect("late");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.expect("text"), "arrived later");
    let r = client()
        .get(g.url("/late-link.txt"))
        .send()
        .await
        .expect("late link");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let addr: SocketAddr = format!("127.0.0.1:{}", g.port).parse().expect("addr");
    for target in ["//public", "/public", "//public/templates"] {
        let (status, text) = common::raw(addr, "GET", target, &[]).await;
        assert_eq!(status, 200, "{target}: {text}");
        assert!(
            !text.to_ascii_lowercase().contains("\r\nlocation:"),
            "{target}: {text}"
        );
    }
    let r = client()
        .get(g.url("/public/templates/update.csv"))
        .send()
        .await
        .expect("file");
    assert_eq!(r.status(), StatusCode::OK);
}

/// `/healthz` and `/readyz` answer without a credential and say nothing
/// else; the sandbox's automation account signs in, so the gateway is ready.
#[tokio::test]
async fn a_load_balancer_asks_how_the_gateway_is() {
    let (g, _dir, _dist) = with_sandbox("").await;
    let r = client()
        .get(g.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.expect("text"), "ok\n");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = client().get(g.url("/readyz")).send().await.expect("readyz");
        if r.status() == StatusCode::OK {
            assert_eq!(r.text().await.expect("text"), "ready\n");
            break;
        }
        assert!(Instant::now() < deadline, "not ready: {}", g.log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
