//! The real `numbers-gateway` binary in a process of its own (its own
//! process group, killed with everything in it when the test ends however
//! it ends), in a working folder of its own, with a configuration file.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Process {
    child: Child,
    binary: PathBuf,
    pub port: u16,
    pub dir: PathBuf,
    args: Vec<String>,
    open_files: Option<u64>,
    level: String,
}

impl Process {
    /// Starts the gateway on a free loopback port with `config` (TOML) in
    /// `dir`, and `args` after `--listen` and `--config`; waits until it listens.
    pub async fn start(dir: &Path, config: &str, args: &[&str]) -> Self {
        Self::start_with_files(dir, config, args, None).await
    }

    /// [`Self::start`] with the process's open-file limit set.
    pub async fn start_with_files(
        dir: &Path,
        config: &str,
        args: &[&str],
        open_files: Option<u64>,
    ) -> Self {
        let binary = Path::new(env!("CARGO_BIN_EXE_numbers-gateway"));
        Self::start_full(binary, dir, config, args, open_files, "info").await
    }

    /// [`Self::start`] logging at `level` (`RUST_LOG`).
    #[allow(dead_code)]
    pub async fn start_logging(dir: &Path, config: &str, args: &[&str], level: &str) -> Self {
        let binary = Path::new(env!("CARGO_BIN_EXE_numbers-gateway"));
        Self::start_full(binary, dir, config, args, None, level).await
    }

    /// [`Self::start`] of another build of the gateway.
    pub async fn start_binary(binary: &Path, dir: &Path, config: &str, args: &[&str]) -> Self {
        Self::start_full(binary, dir, config, args, None, "info").await
    }

    async fn start_full(
        binary: &Path,
        dir: &Path,
        config: &str,
        args: &[&str],
        open_files: Option<u64>,
        level: &str,
    ) -> Self {
        std::fs::write(dir.join("gateway.toml"), config).expect("config");
        let port = super::closed_port();
        let mut p = Self {
            child: spawn(binary, dir, port, args, open_files, level),
            binary: binary.to_path_buf(),
            port,
            dir: dir.to_path_buf(),
            args: args.iter().map(|a| a.to_string()).collect(),
            open_files,
            level: level.to_string(),
        };
        p.wait_listening().await;
        p
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// What it wrote to stderr (the log).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default()
    }

    async fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the gateway did not listen");
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the gateway exited: {status}: {}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The most memory it has held (VmHWM), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    }

    /// SIGTERM, and waits for a clean exit.
    pub async fn stop(&mut self) {
        // SAFETY: kill(2) on the child this test started.
        unsafe {
            libc::kill(self.pid(), libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "{status}: {}", self.log());
                return;
            }
            assert!(Instant::now() < deadline, "the gateway did not stop");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: gone at once, nothing written on the way out.
    pub fn kill(&mut self) {
        // SAFETY: kill(2) on the process group created for this child.
        unsafe {
            libc::kill(-self.pid(), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }

    /// Starts it again, as before, on the same port.
    pub async fn restart(&mut self) {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        self.child = spawn(
            &self.binary,
            &self.dir,
            self.port,
            &args,
            self.open_files,
            &self.level,
        );
        self.wait_listening().await;
    }
}

fn spawn(
    binary: &Path,
    dir: &Path,
    port: u16,
    args: &[&str],
    open_files: Option<u64>,
    level: &str,
) -> Child {
    let log = |name: &str| {
        Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join(name))
                .expect("log file"),
        )
    };
    let mut command = Command::new(binary);
    command
        .args(["--listen", &format!("127.0.0.1:{port}"), "--config"])
        .arg(dir.join("gateway.toml"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", level)
        .stdout(log("stdout.log"))
        .stderr(log("stderr.log"))
        .process_group(0);
    // SAFETY: umask and setrlimit are async-signal-safe; they run in the
    // child between fork and exec.
    unsafe {
        command.pre_exec(move || {
            // The usual umask, which leaves new files readable by all: the
            // gateway must make its own private whatever it is.
            libc::umask(0o022);
            if let Some(n) = open_files {
                let limit = libc::rlimit {
                    rlim_cur: n,
                    rlim_max: n,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    command.spawn().expect("the gateway starts")
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
