//! The browser a test drives: a WebDriver server for the engine
//! `NUMBERS_BROWSER` names, its sessions, and what only Chromium offers
//! (DevTools commands); every process stopped when dropped.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

use crate::find::js;
use crate::servers::free_port;

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
