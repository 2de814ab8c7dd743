//! The servers a browser test talks to: numbers-gateway serving the built
//! console and relaying to a sandbox in the same process, or the sandbox as
//! a process of its own; each stopped when dropped.

use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use numbers_gateway::{Gateway, Options as GatewayOptions};
use numbers_sandbox::Config;
use tokio::sync::oneshot;

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

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
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
