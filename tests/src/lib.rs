//! The harness of the browser tests: the gateway serving the built console
//! and relaying to a sandbox, a WebDriver with the browser engine
//! `NUMBERS_BROWSER` names (headless Chromium by default), and guards that
//! stop both whatever happens to the test.

use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use numbers_gateway::{Gateway, Options as GatewayOptions};
use numbers_sandbox::Config;
use tokio::sync::oneshot;

pub use fantoccini;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The built console: `$NUMBERS_DIST`, or `dist/` at the workspace root.
pub fn dist() -> PathBuf {
    let dist = std::env::var_os("NUMBERS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "no built console at {}: run `trunk build --release` first (scripts/test.sh does)",
        dist.display()
    );
    dist
}

/// The built console as a team runs it: numbers-gateway on a free loopback
/// port, serving `dist/` and relaying to a sandbox in the same process.
/// Stopped when dropped.
pub struct RunningSandbox {
    pub addr: SocketAddr,
    /// The sandbox's own address (the gateway's upstream).
    pub sandbox_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// Where the gateway keeps this test's change history.
    _history: tempfile::TempDir,
}

impl RunningSandbox {
    pub async fn start() -> Self {
        Self::start_with(Config::ephemeral()).await
    }

    /// A gateway in front of a sandbox made with `config`.
    pub async fn start_with(config: Config) -> Self {
        Self::start_with_gateway(
            config,
            numbers_gateway::Config::load(None).expect("gateway defaults"),
        )
        .await
    }

    /// A gateway with `gateway` settings in front of a sandbox made with
    /// `config`.
    pub async fn start_with_gateway(config: Config, gateway: numbers_gateway::Config) -> Self {
        Self::serve(gateway, Some(config), None, dist(), None).await
    }

    /// A gateway on `listen` (a free port when `None`) serving the console
    /// built in `dist` in front of a sandbox with demo data: a deploy is a
    /// gateway stopped and another started on the same port with a new
    /// build.
    pub async fn serving(dist: PathBuf, listen: Option<SocketAddr>) -> Self {
        Self::serve(
            numbers_gateway::Config::load(None).expect("gateway defaults"),
            Some(Config::ephemeral()),
            None,
            dist,
            listen,
        )
        .await
    }

    /// A gateway whose `sandbox` environments are the sandbox process at
    /// `upstream` (a server that can die as a real one does).
    pub async fn in_front_of(upstream: &SandboxProcess) -> Self {
        let a = upstream.addr;
        let text = format!(
            "builtin_environments = false\n\
             [ocp.sandbox]\nlabel = \"Sandbox\"\nsandbox = true\nbase_url = \"http://{a}/integrations\"\n\
             token_url = \"http://{a}/auth/realms/master/protocol/openid-connect/token\"\n"
        );
        let dir = tempfile::tempdir().expect("config dir");
        let path = dir.path().join("gateway.toml");
        std::fs::write(&path, text).expect("config");
        let config = numbers_gateway::Config::load(Some(&path)).expect("config");
        Self::serve(config, None, Some(a), dist(), None).await
    }

    async fn serve(
        mut gateway: numbers_gateway::Config,
        sandbox: Option<Config>,
        upstream: Option<SocketAddr>,
        dist: PathBuf,
        listen: Option<SocketAddr>,
    ) -> Self {
        let history = tempfile::tempdir().expect("history dir");
        if gateway.history.url.is_none() {
            gateway.history.url = Some(format!(
                "sqlite://{}",
                history.path().join("history.sqlite").display()
            ));
        }
        // RUST_LOG=info shows the gateway's access log while debugging a test.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_test_writer()
                .try_init();
        }
        let gateway = Gateway::bind(GatewayOptions {
            listen: listen.unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0))),
            config: gateway,
            dist: Some(dist),
            sandbox,
            clock: None,
        })
        .await
        .expect("gateway binds");
        let addr = gateway.addr();
        let sandbox_addr = gateway
            .sandbox_addr()
            .or(upstream)
            .expect("a sandbox behind the gateway");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = gateway
                .serve(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            addr,
            sandbox_addr,
            stop: Some(stop),
            task: Some(task),
            _history: history,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server and waits until its port is closed.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The browser engine the tests drive, chosen by `NUMBERS_BROWSER`:
/// `chromium` (the default), `firefox` (Firefox ESR with geckodriver) or
/// `webkit` (WebKitGTK's MiniBrowser with WebKitWebDriver, under Xvfb).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub fn from_env() -> Self {
        match std::env::var("NUMBERS_BROWSER").as_deref() {
            Err(_) | Ok("" | "chromium") => Self::Chromium,
            Ok("firefox") => Self::Firefox,
            Ok("webkit") => Self::WebKit,
            Ok(other) => panic!("NUMBERS_BROWSER={other}: expected chromium, firefox or webkit"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Chromium => "chromium",
            Self::Firefox => "firefox",
            Self::WebKit => "webkit",
        }
    }
}

/// A program the tests start, in its own process group: the group is
/// killed (with every browser it started) when dropped.
struct Group(Child);

impl Group {
    fn spawn(command: &mut Command, what: &str) -> Self {
        let child = command
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {what}: {e} (scripts/setup-tests.sh installs it)")
            });
        Self(child)
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: kill(2) with a negative pid signals the process group we
        // created; it has no memory-safety preconditions.
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

/// An X server of its own for WebKitGTK, which draws even when driven:
/// Xvfb picks a free display and says which.
fn start_xvfb() -> (Group, String) {
    let mut xvfb = Group::spawn(
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1920x1200x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped()),
        "Xvfb",
    );
    let mut line = String::new();
    if let Some(out) = xvfb.0.stdout.take() {
        use std::io::BufRead;
        let _ = std::io::BufReader::new(out).read_line(&mut line);
    }
    let display = line.trim();
    assert!(
        !display.is_empty(),
        "Xvfb did not say which display it took"
    );
    (xvfb, format!(":{display}"))
}

/// A WebDriver server for the engine `NUMBERS_BROWSER` names (see
/// [`Engine`]), with everything it starts stopped when dropped and its
/// profile folder removed.
pub struct Browser {
    pub engine: Engine,
    port: u16,
    profile: PathBuf,
    // Dropped in this order: the driver (and its browsers), then the display.
    _driver: Group,
    _display: Option<Group>,
}

impl Browser {
    pub fn start() -> Self {
        let engine = Engine::from_env();
        let port = free_port();
        let profile =
            std::env::temp_dir().join(format!("numbers-e2e-{}-{port}", std::process::id()));
        let (driver, display) = match engine {
            Engine::Chromium => {
                let binary = std::env::var("CHROMEDRIVER")
                    .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
                let driver = Group::spawn(
                    Command::new(&binary)
                        .arg(format!("--port={port}"))
                        .arg("--allowed-ips=127.0.0.1")
                        .stdout(Stdio::null()),
                    &binary,
                );
                (driver, None)
            }
            Engine::Firefox => {
                let binary = std::env::var("GECKODRIVER").unwrap_or_else(|_| "geckodriver".into());
                let driver = Group::spawn(
                    Command::new(&binary)
                        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                        .stdout(Stdio::null()),
                    &binary,
                );
                (driver, None)
            }
            Engine::WebKit => {
                let (xvfb, display) = start_xvfb();
                let driver = Group::spawn(
                    Command::new("WebKitWebDriver")
                        .arg(format!("--port={port}"))
                        .arg("--host=127.0.0.1")
                        .env("DISPLAY", display)
                        .stdout(Stdio::null()),
                    "WebKitWebDriver",
                );
                (driver, Some(xvfb))
            }
        };
        let browser = Self {
            engine,
            port,
            profile,
            _driver: driver,
            _display: display,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the {} driver did not start on port {port}",
                engine.name()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        browser
    }

    /// A new session whose page area is `width` x `height` CSS pixels
    /// (Chromium: whose window is).
    pub async fn session(&self, width: u32, height: u32) -> Client {
        match self.engine {
            Engine::Chromium => self.chromium_session(width, height, false, None).await,
            Engine::Firefox => {
                let caps = serde_json::json!({
                    "browserName": "firefox",
                    "moz:firefoxOptions": {
                        "binary": std::env::var("FIREFOX").unwrap_or_else(|_| "/usr/bin/firefox-esr".into()),
                        "args": ["-headless"],
                    }
                });
                self.sized(self.connect(caps).await, width, height).await
            }
            Engine::WebKit => {
                let caps = serde_json::json!({
                    "browserName": "MiniBrowser",
                    "webkitgtk:browserOptions": {
                        "binary": std::env::var("MINIBROWSER").unwrap_or_else(|_| "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser".into()),
                        "args": ["--automation"],
                    }
                });
                self.sized(self.connect(caps).await, width, height).await
            }
        }
    }

    /// A new headless Chromium session whose page area is exactly the
    /// viewport's (emulated, as a desktop window cannot be narrower than 500
    /// pixels and its size includes the browser's frame): a desktop or a
    /// phone, in the light or the dark colour scheme. Chromium only.
    pub async fn session_for(&self, viewport: Viewport) -> Client {
        assert_eq!(
            self.engine,
            Engine::Chromium,
            "phone emulation and a forced colour scheme need Chromium"
        );
        let Viewport {
            width,
            height,
            dark,
            phone,
        } = viewport;
        let metrics = serde_json::json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": phone, "mobile": phone }
        });
        self.chromium_session(1400, 1000, dark, Some(metrics)).await
    }

    async fn chromium_session(
        &self,
        width: u32,
        height: u32,
        dark: bool,
        mobile_emulation: Option<serde_json::Value>,
    ) -> Client {
        let chromium =
            std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/lib/chromium/chromium".into());
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", self.profile.display()),
        ];
        if dark {
            // Makes `prefers-color-scheme: dark` match, as a dark system theme would.
            args.push("--force-dark-mode".into());
        }
        args.push(format!("--window-size={width},{height}"));
        let mut options = serde_json::json!({ "binary": chromium, "args": args });
        if let Some(emulation) = mobile_emulation {
            options["mobileEmulation"] = emulation;
        }
        self.connect(serde_json::json!({ "goog:chromeOptions": options }))
            .await
    }

    async fn connect(&self, caps: serde_json::Value) -> Client {
        let serde_json::Value::Object(caps) = caps else {
            unreachable!("capabilities are an object")
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("a {} session: {e}", self.engine.name()))
    }

    /// Sizes the window so that the page area is `width` x `height`: the
    /// window's frame differs by engine, so it is measured.
    async fn sized(&self, client: Client, width: u32, height: u32) -> Client {
        client
            .set_window_size(width, height)
            .await
            .expect("window size");
        let inner = js(&client, "[window.innerWidth, window.innerHeight]").await;
        let frame = |i: usize, asked: u32| {
            let got = inner[i].as_u64().unwrap_or(u64::from(asked)) as u32;
            (asked + asked).saturating_sub(got)
        };
        client
            .set_window_size(frame(0, width), frame(1, height))
            .await
            .expect("window size");
        client
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// What a browser session shows: its size in CSS pixels, its colour scheme,
/// and whether it is a phone.
#[derive(Clone, Copy, Debug)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    pub dark: bool,
    pub phone: bool,
}

/// A file of an npm package that `scripts/setup.sh` installs for the tests
/// and benchmarks into `target/npm` (never committed).
pub fn npm_file(package_file: &str) -> String {
    let path = workspace()
        .join("target/npm/node_modules")
        .join(package_file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (scripts/setup.sh installs the npm packages the tests use)",
            path.display()
        )
    })
}

/// Saves a PNG screenshot under `tests/artifacts/` and returns its path.
pub async fn screenshot(client: &Client, name: &str) -> PathBuf {
    // What the page shows once painted: WebKitGTK's screenshots lag the
    // page by a frame or two.
    let _ = client
        .execute_async(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
            vec![],
        )
        .await;
    if Engine::from_env() == Engine::WebKit {
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let png = client.screenshot().await.expect("screenshot");
    let path = workspace().join(format!("tests/artifacts/{name}.png"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("artifacts folder");
    }
    std::fs::write(&path, png).expect("screenshot written");
    path
}

/// Waits for an element matching `css`, up to ten seconds.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no element {css:?} appeared: {e}"))
}

/// Polls a JavaScript expression until it is truthy, up to ten seconds.
pub async fn eventually(client: &Client, what: &str, js_expression: &str) {
    eventually_within(client, what, js_expression, Duration::from_secs(10)).await;
}

/// Polls a JavaScript expression until it is truthy, up to `within`.
pub async fn eventually_within(client: &Client, what: &str, js_expression: &str, within: Duration) {
    let script = format!("return !!({js_expression});");
    let deadline = Instant::now() + within;
    loop {
        match client.execute(&script, vec![]).await {
            Ok(serde_json::Value::Bool(true)) => return,
            Ok(_) => {}
            Err(e) => panic!("{what}: the check failed to run: {e}"),
        }
        if Instant::now() >= deadline {
            // What the page showed, for whoever reads the failure.
            let name: String = what
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let shot = screenshot(client, &format!("failed-{name}")).await;
            let text = js(
                client,
                "['.toasts', '[role=dialog]', '[aria-label=Plan]', '[aria-label=Run]', '.halt', 'main']
                   .map(s => document.querySelector(s)).filter(e => e)
                   .map(e => e.innerText.slice(0, 800)).join('\\n---\\n')",
            )
            .await;
            panic!(
                "{what}: not true after {within:?}: {js_expression}\nscreenshot: {}\npage: {text}",
                shot.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The value of a JavaScript expression.
pub async fn js(client: &Client, js_expression: &str) -> serde_json::Value {
    client
        .execute(&format!("return ({js_expression});"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{js_expression}: {e}"))
}

/// Types into the element matching `css` (after clearing it).
pub async fn fill(client: &Client, css: &str, text: &str) {
    let el = wait_for(client, css).await;
    el.clear()
        .await
        .unwrap_or_else(|e| panic!("clear {css}: {e}"));
    el.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Chooses `value` in the select matching `css`, waiting up to ten seconds
/// for that option to be there (pickers fill as their data arrives).
pub async fn choose(client: &Client, css: &str, value: &str) {
    eventually(
        client,
        &format!("option {value} in {css}"),
        &format!("[...(document.querySelector({css:?})?.options || [])].some(o => o.value === {value:?})"),
    )
    .await;
    js(
        client,
        &format!("(() => {{ const s = document.querySelector({css:?}); s.value = {value:?}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"),
    )
    .await;
}

/// Clicks the button whose text is `label` (exactly, trimmed), waiting up
/// to ten seconds for it to be there and enabled (the console mounts once
/// its wasm has started, which can be after the page's load event).
pub async fn click_button(client: &Client, label: &str) {
    let script = format!(
        "(() => {{ const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === {label:?} && !b.disabled); if (b) {{ b.click(); return true; }} return false; }})()"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while js(client, &script).await != serde_json::Value::Bool(true) {
        assert!(Instant::now() < deadline, "no enabled button {label:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Lets the session's scripts run for `secs` seconds (benchmarks time long
/// ones; WebDriver stops a script after 30 s by default).
pub async fn long_scripts(client: &Client, secs: u64) {
    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(secs)),
            Some(Duration::from_secs(60)),
            None,
        ))
        .await
        .expect("script timeout");
}

/// The median of `xs` (NaN for none).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.is_empty() {
        f64::NAN
    } else if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

/// Clicks the link whose text is `label`.
pub async fn follow_link(client: &Client, label: &str) {
    client
        .find(Locator::LinkText(label))
        .await
        .unwrap_or_else(|e| panic!("no link {label}: {e}"))
        .click()
        .await
        .expect("click");
}

/// Signs in on the Settings page as `user` and waits for it to say so.
pub async fn sign_in(client: &Client, sandbox: &RunningSandbox, user: &str, password: &str) {
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    fill(client, "#ocp-user", user).await;
    fill(client, "#ocp-password", password).await;
    click_button(client, "Sign in").await;
    eventually(
        client,
        "signed in",
        &format!(
            "document.querySelector('.signed-in')?.textContent.startsWith('Signed in as {user}.')"
        ),
    )
    .await;
}

/// WebDriver's codes of the keys the tests press.
pub mod keys {
    pub const TAB: &str = "\u{E004}";
    pub const SHIFT_TAB: &str = "\u{E008}\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const ARROW_RIGHT: &str = "\u{E014}";
}

/// Presses `keys` on whatever has the focus, as a person would.
pub async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .unwrap_or_else(|e| panic!("press {keys:?}: {e}"));
}

/// Drops a file with `text` on the drop zone, as a person dragging it would.
pub async fn drop_file(client: &Client, name: &str, text: &str) {
    wait_for(client, ".drop-zone").await;
    client
        .execute(
            "const [name, text] = arguments; const dt = new DataTransfer(); dt.items.add(new File([text], name, {type: 'text/csv'}));
             const zone = document.querySelector('.drop-zone');
             for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));",
            vec![serde_json::json!(name), serde_json::json!(text)],
        )
        .await
        .expect("drop");
}

/// Captures downloads so the test can read what the console offered.
pub async fn capture_downloads(client: &Client) {
    client
        .execute(
            "window.__files = {}; const make = URL.createObjectURL.bind(URL);
             URL.createObjectURL = b => { const u = make(b); b.text().then(t => window.__files[u] = t); return u; };
             HTMLAnchorElement.prototype.click = function () { window.__files['last:' + this.download] = this.href; };",
            vec![],
        )
        .await
        .expect("capture");
}

/// The text of the last download named `name`.
pub async fn downloaded(client: &Client, name: &str) -> String {
    eventually(client, "download captured", &format!("window.__files['last:{name}'] && window.__files[window.__files['last:{name}']] !== undefined")).await;
    js(
        client,
        &format!("window.__files[window.__files['last:{name}']]"),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// The numbers shown in the table, in order.
pub async fn shown_numbers(client: &Client) -> Vec<String> {
    let v = js(
        client,
        "[...document.querySelectorAll('tbody tr[data-number]')].map(r => r.dataset.number)",
    )
    .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The sandbox binary as its own process (in its own process group), for
/// tests that need the server to die as a real one does: `kill` is SIGKILL,
/// and the OS resets every open connection. Killed when dropped.
pub struct SandboxProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl SandboxProcess {
    /// Starts `target/debug/numbers-sandbox` (scripts/test.sh builds it),
    /// serving the APIs only (a gateway serves the console in front of it).
    pub fn start(listen: SocketAddr, db: &Path, extra: &[&str]) -> Self {
        let binary = workspace().join("target/debug/numbers-sandbox");
        assert!(binary.is_file(), "no sandbox binary at {}: run `cargo build -p numbers-sandbox` first (scripts/test.sh does)", binary.display());
        let mut child = Command::new(&binary)
            .arg("--listen")
            .arg(listen.to_string())
            .arg("--db")
            .arg(db)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("sandbox starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(listen).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the sandbox exited: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the sandbox did not listen on {listen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            addr: listen,
        }
    }

    /// A free loopback address to start on.
    pub fn free_addr() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], free_port()))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn kill(&mut self) {
        // SAFETY: kill(2) on the process group created for this child.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A chromedriver extension command of the session (`POST
/// /session/{id}/{path}`).
#[derive(Debug)]
struct ChromiumCommand {
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for ChromiumCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Runs a Chrome DevTools Protocol command in the session (Chromium only).
pub async fn devtools(
    client: &Client,
    command: &str,
    params: serde_json::Value,
) -> serde_json::Value {
    client
        .issue_cmd(ChromiumCommand {
            path: "goog/cdp/execute",
            body: serde_json::json!({ "cmd": command, "params": params }),
        })
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
}

/// From the next navigation on, every document of the session notes in
/// `window.__rowsAt` when the numbers table first holds a number
/// (milliseconds since its navigation started). Chromium only.
pub async fn note_first_row(client: &Client) {
    devtools(
        client,
        "Page.addScriptToEvaluateOnNewDocument",
        serde_json::json!({ "source": "new MutationObserver(() => {
            if (window.__rowsAt === undefined && document.querySelector('tbody tr[data-number]')) window.__rowsAt = performance.now();
        }).observe(document, {childList: true, subtree: true});" }),
    )
    .await;
}

/// Throttles the session's network as DevTools does: every request waits
/// `rtt_ms` and the bytes flow at `bits_per_second` (Chromium only).
pub async fn throttle(client: &Client, bits_per_second: u64, rtt_ms: u64) {
    client
        .issue_cmd(ChromiumCommand {
            path: "chromium/network_conditions",
            body: serde_json::json!({ "network_conditions": {
                "offline": false,
                "latency": rtt_ms,
                "download_throughput": bits_per_second / 8,
                "upload_throughput": bits_per_second / 8,
            }}),
        })
        .await
        .expect("network conditions");
}

/// Copies a built console (without the compressed siblings the gateway
/// writes), for tests that change the files a gateway serves.
pub fn copy_dist(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dist copy");
    for entry in std::fs::read_dir(from).expect("dist") {
        let path = entry.expect("dist entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_dist(&path, &target);
        } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz")) {
            std::fs::copy(&path, &target).expect("copy a dist file");
        }
    }
}
