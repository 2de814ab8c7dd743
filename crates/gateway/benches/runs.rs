//! What a run on the gateway costs, printed as figures (`cargo bench -p
//! numbers-gateway --bench runs`, also run by scripts/bench.sh): an update
//! of every number's note handed to the gateway binary (a process of its
//! own, so its memory is its own) in front of the sandbox, for 10^5 and
//! 10^6 rows:
//! - rows per second from the hand-over to the run's end, and as the run
//!   counts its own sending time;
//! - the gateway's peak resident memory while the batches are sent (read
//!   from /proc every 50 ms after the hand-over answered), and its peak
//!   over its whole life (the hand-over reads and plans the whole file).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use numbers_core::models::run::{RunState, RunView};

const SIZES: [usize; 2] = [100_000, 1_000_000];

fn kb(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn memory(pid: u32) -> (u64, u64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    (kb(&s, "VmRSS:") * 1024, kb(&s, "VmHWM:") * 1024)
}

/// Kills the gateway however the bench ends.
struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_gateway(dir: &Path, sandbox: SocketAddr) -> (Gateway, String) {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>bench</title>",
    )
    .expect("index");
    let config = format!(
        "builtin_environments = false\n[history]\nurl = \"sqlite://{}\"\n\
         [ocp.sandbox]\nlabel = \"Sandbox\"\nsandbox = true\nbase_url = \"http://{sandbox}/integrations\"\n\
         token_url = \"http://{sandbox}/auth/realms/master/protocol/openid-connect/token\"\n",
        dir.join("history.sqlite").display()
    );
    std::fs::write(dir.join("gateway.toml"), config).expect("config");
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_numbers-gateway"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--config"])
        .arg(dir.join("gateway.toml"))
        .arg("--dist")
        .arg(&dist)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the gateway starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the gateway did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Gateway(child), format!("http://127.0.0.1:{port}"))
}

async fn numbers(client: &reqwest::Client, base: &str) -> Vec<String> {
    let mut all = Vec::new();
    for page in 1.. {
        let p: serde_json::Value = client
            .get(format!(
                "{base}/relay/ocp/sandbox/api/numbers?page={page}&pageSize=10000"
            ))
            .bearer_auth(numbers_core::dev::OWNER_TOKEN)
            .send()
            .await
            .expect("numbers")
            .json()
            .await
            .expect("json");
        let list = p["numbers"].as_array().cloned().unwrap_or_default();
        all.extend(
            list.iter()
                .filter_map(|n| n["number"].as_str().map(str::to_string)),
        );
        if page >= p["numberOfPages"].as_u64().unwrap_or(1) {
            break;
        }
    }
    all
}

async fn one(size: usize) {
    let dir = tempfile::tempdir().expect("dir");
    let sandbox = numbers_sandbox::Sandbox::bind(numbers_sandbox::Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        db: dir.path().join("sandbox.sqlite").display().to_string(),
        demo_numbers: size,
        ..numbers_sandbox::Config::ephemeral()
    })
    .await
    .expect("sandbox");
    let addr = sandbox.addr();
    tokio::spawn(async move {
        let _ = sandbox.serve(std::future::pending()).await;
    });
    let (gateway, base) = start_gateway(dir.path(), addr);
    let pid = gateway.0.id();
    let client = reqwest::Client::new();
    let all = numbers(&client, &base).await;
    let mut text = String::from("OPERATION,NUMBER,NOTE\n");
    for n in &all {
        text.push_str(&format!("update,{n},bench {n}\n"));
    }
    let started = Instant::now();
    let handed: RunView = client
        .post(format!("{base}/relay/ocp/sandbox/runs"))
        .bearer_auth(numbers_core::dev::OWNER_TOKEN)
        .json(
            &serde_json::json!({"file_name": "bench.csv", "text": text, "password": "owner-pass"}),
        )
        .send()
        .await
        .expect("hand over")
        .json()
        .await
        .expect("run");
    drop(text);
    let handed_after = started.elapsed();
    let mut running_peak = 0;
    let done = loop {
        running_peak = running_peak.max(memory(pid).0);
        let v: RunView = client
            .get(format!("{base}/relay/ocp/sandbox/runs/{}", handed.id))
            .bearer_auth(numbers_core::dev::OWNER_TOKEN)
            .send()
            .await
            .expect("run")
            .json()
            .await
            .expect("view");
        if v.state != RunState::Running {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = started.elapsed();
    let (_, lifetime_peak) = memory(pid);
    assert_eq!(done.state, RunState::Finished, "{done:?}");
    assert_eq!(done.rows_applied as usize, all.len());
    println!(
        "run of {} rows in {} batches: handed over in {:.1} s, finished after {:.1} s: {:.0} rows/s end to end, {:.0} rows/s sending",
        all.len(),
        done.batches,
        handed_after.as_secs_f64(),
        took.as_secs_f64(),
        all.len() as f64 / took.as_secs_f64(),
        done.rows_per_second().unwrap_or_default()
    );
    println!(
        "  gateway memory: peak {:.0} MB resident while the batches were sent, {:.0} MB over its life (the hand-over reads the whole file)",
        running_peak as f64 / 1e6,
        lifetime_peak as f64 / 1e6
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for size in SIZES {
        runtime.block_on(one(size));
    }
}
