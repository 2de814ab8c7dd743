//! A gateway in this process on a free loopback port, a small fake provider
//! that counts and records what reaches it, and a raw HTTP client for paths
//! no URL library would send as written.

#![allow(dead_code)] // each test file uses part of this

pub mod db;
pub mod ocp;
pub mod process;
pub mod upstream;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use numbers_gateway::{Config, Gateway, Options};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{oneshot, Notify};

/// An HTTP client for the gateway on loopback (never through a proxy the
/// environment names).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// A console folder as Trunk builds one: index.html with inline scripts,
/// hashed wasm and JS, and an unhashed public file.
pub fn fake_dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dist");
    let p = dir.path();
    std::fs::write(
        p.join("index.html"),
        "<!DOCTYPE html><html><head><script>if (!window.x) { console.log('check'); }</script>\
         <script type=\"module\">import init from '/app-0123456789abcdef.js'; await init();</script>\
         </head><body></body></html>",
    )
    .expect("index");
    let wasm: Vec<u8> = (0..200_000u32)
        .flat_map(|i| (i % 251).to_le_bytes())
        .collect();
    std::fs::write(p.join("app-0123456789abcdef_bg.wasm"), wasm).expect("wasm");
    std::fs::write(
        p.join("app-0123456789abcdef.js"),
        "export default async function init() { return 1; }\n".repeat(50),
    )
    .expect("js");
    std::fs::create_dir_all(p.join("public/templates")).expect("public");
    std::fs::write(
        p.join("public/templates/update.csv"),
        "OPERATION,NUMBER\nupdate,+13035550100\n",
    )
    .expect("template");
    dir
}

/// A running gateway, stopped when dropped.
pub struct Running {
    pub addr: SocketAddr,
    pub sandbox: Option<SocketAddr>,
    stop: Option<oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Asks it to stop; in-flight requests finish.
    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

pub async fn start(config: Config, dist: Option<&Path>, sandbox: bool) -> Running {
    start_with_sandbox(
        config,
        dist,
        sandbox.then(numbers_sandbox::Config::ephemeral),
    )
    .await
}

pub async fn start_with_sandbox(
    config: Config,
    dist: Option<&Path>,
    sandbox: Option<numbers_sandbox::Config>,
) -> Running {
    serve_options(Options {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        config,
        dist: dist.map(PathBuf::from),
        sandbox,
        clock: None,
    })
    .await
}

/// A gateway started with `options`, served until dropped.
pub async fn serve_options(options: Options) -> Running {
    let gateway = Gateway::bind(options).await.expect("gateway binds");
    let addr = gateway.addr();
    let sandbox = gateway.sandbox_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = gateway
            .serve(async {
                let _ = stopped.await;
            })
            .await;
    });
    Running {
        addr,
        sandbox,
        stop: Some(stop),
        task: Some(task),
    }
}

/// A gateway config with the fake provider as `ocp.fake`, `exotel.fake` and
/// `huawei.fake`, and none of the built-in environments.
pub fn config_for(fake: &Fake, server: &str) -> Config {
    let base = format!("http://{}", fake.addr);
    let text = format!(
        "builtin_environments = false\n[server]\n{server}\n\
         [ocp.fake]\nbase_url = \"{base}/integrations\"\n\
         token_url = \"{base}/auth/realms/master/protocol/openid-connect/token\"\n\
         [exotel.fake]\nbase_url = \"{base}\"\n\
         [huawei.fake]\nbase_url = \"{base}\"\niam_url = \"{base}/v3/auth/tokens\"\n\
         project_name = \"fake-region\"\n"
    );
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("gateway.toml");
    std::fs::write(&path, text).expect("config");
    Config::load(Some(&path)).expect("config loads")
}

/// What reached the fake provider.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path_and_query: String,
    pub headers: HeaderMap,
    /// The body, or `None` if it broke off before its end.
    pub body: Option<Bytes>,
}

#[derive(Default)]
pub struct FakeState {
    pub seen: Mutex<Vec<Seen>>,
    /// Released by the test to let a held answer finish.
    pub release: Notify,
    /// Signalled when the first part of a request body has arrived.
    pub first_part: Notify,
}

/// A provider stand-in on a free loopback port that records every request.
/// Paths it knows (others answer 200 with `{"success": true}`):
/// - `.../api/numbers-routing/slow`: answers after 3 seconds;
/// - `.../api/numbers-routing/held`: sends a first chunk, then the rest when
///   the test releases it;
/// - `.../api/numbers/csv` (PUT): signals its first body part, then reads on;
/// - everything answers with a Set-Cookie and an unknown header too.
pub struct Fake {
    pub addr: SocketAddr,
    pub state: Arc<FakeState>,
    _stop: oneshot::Sender<()>,
}

impl Fake {
    pub fn count(&self) -> usize {
        self.state.seen.lock().map(|s| s.len()).unwrap_or(0)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state
            .seen
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }
}

async fn fake_handler(State(state): State<Arc<FakeState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let mut body = body.into_data_stream();
    let mut collected = Vec::new();
    let mut complete = true;
    let mut first = true;
    loop {
        match futures_next(&mut body).await {
            Some(Ok(chunk)) => {
                collected.extend_from_slice(&chunk);
                if first {
                    state.first_part.notify_one();
                    first = false;
                }
            }
            Some(Err(_)) => {
                complete = false;
                break;
            }
            None => break,
        }
    }
    if let Ok(mut seen) = state.seen.lock() {
        seen.push(Seen {
            method: parts.method.to_string(),
            path_and_query: path.clone(),
            headers: parts.headers.clone(),
            body: complete.then(|| Bytes::from(collected)),
        });
    }
    if path.ends_with("/numbers-routing/slow") {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    if path.ends_with("/numbers-routing/held") {
        let state = state.clone();
        let stream = async_stream(state);
        return Response::builder()
            .header("content-type", "text/plain")
            .body(Body::from_stream(stream))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    (
        StatusCode::OK,
        [
            ("content-type", "application/json"),
            ("set-cookie", "session=upstream-secret; HttpOnly"),
            ("x-internal-host", "db-7.provider.internal"),
        ],
        r#"{"success":true}"#,
    )
        .into_response()
}

fn async_stream(
    state: Arc<FakeState>,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold(0u8, move |step| {
        let state = state.clone();
        async move {
            match step {
                0 => Some((Ok(Bytes::from_static(b"first part\n")), 1)),
                1 => {
                    state.release.notified().await;
                    Some((Ok(Bytes::from_static(b"second part\n")), 2))
                }
                _ => None,
            }
        }
    })
}

async fn futures_next<S: futures_util::Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    futures_util::StreamExt::next(s).await
}

pub async fn fake() -> Fake {
    let state = Arc::new(FakeState::default());
    let app = Router::new()
        .fallback(any(fake_handler))
        .with_state(state.clone());
    let (addr, stop) = serve_on_loopback(app).await;
    Fake {
        addr,
        state,
        _stop: stop,
    }
}

/// Serves `app` on a free loopback port until the sender is dropped.
pub async fn serve_on_loopback(app: Router) -> (SocketAddr, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    (addr, stop)
}

/// The sandbox's numbers (as the owner lists them) at the relay `url`
/// (…/relay/ocp/sandbox/api/numbers?pageSize=…).
pub async fn sandbox_numbers(url: &str) -> Vec<serde_json::Value> {
    let page: serde_json::Value = client()
        .get(url)
        .bearer_auth(numbers_sandbox::credential::OWNER_TOKEN)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    page["numbers"].as_array().cloned().expect("numbers")
}

/// Signs in at a gateway's OCP sign-in `url`
/// (…/relay/ocp/sandbox/sign-in): the access and refresh tokens.
pub async fn sign_in(url: &str, user: &str, password: &str, otp: &str) -> (String, String) {
    let t: serde_json::Value = client()
        .post(url)
        .json(&serde_json::json!({"username": user, "password": password, "otp": otp}))
        .send()
        .await
        .expect("sign-in")
        .json()
        .await
        .expect("tokens");
    (
        t["access_token"].as_str().expect("access").to_string(),
        t["refresh_token"].as_str().expect("refresh").to_string(),
    )
}

/// Sends `method target` as written (no normalisation) with `headers`, and
/// returns the status and the raw answer.
pub async fn raw(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}
