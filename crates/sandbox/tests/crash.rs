//! kill -9 during a large CSV apply leaves the database before or after the
//! file, never between: the apply is one SQLite transaction, and WAL keeps
//! the last committed state.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::multipart::{Form, Part};

const ROWS: usize = 40_000;
const MARK: &str = "rewritten by the crash test";

/// The sandbox binary in its own process group, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_numbers-sandbox"))
            .args(["--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .args([
                "--demo-numbers",
                &ROWS.to_string(),
                "--limits",
                "update=1000000",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("sandbox starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let base = lines
            .find_map(|line| {
                line.strip_prefix("OCP base URL:")
                    .map(|u| u.trim().to_string())
            })
            .expect("the sandbox prints its OCP base URL");
        // Keep reading, so the server never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, base }
    }

    fn kill(&mut self) {
        // SAFETY: kill(2) on the process group created for this child.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn marked(client: &reqwest::Client, base: &str) -> usize {
    let page: serde_json::Value = client
        .get(format!(
            "{base}/api/numbers?searchTerm={}&pageSize=1",
            MARK.replace(' ', "%20")
        ))
        .bearer_auth(numbers_sandbox::credential::OWNER_TOKEN)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    page["allNumbers"].as_u64().expect("count") as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_apply_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("sandbox.sqlite");
    let client = reqwest::Client::new();
    let mut server = Server::start(&db);
    let all: serde_json::Value = client
        .get(format!("{}/api/numbers?pageSize=10000&page=1", server.base))
        .bearer_auth(numbers_sandbox::credential::OWNER_TOKEN)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(all["allNumbers"], ROWS);
    // Every number, paged, to build the file.
    let mut numbers = Vec::with_capacity(ROWS);
    for page in 1..=ROWS.div_ceil(10_000) {
        let p: serde_json::Value = client
            .get(format!(
                "{}/api/numbers?pageSize=10000&page={page}",
                server.base
            ))
            .bearer_auth(numbers_sandbox::credential::OWNER_TOKEN)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        numbers.extend(
            p["numbers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n["number"].as_str().map(str::to_string)),
        );
    }
    let mut csv = String::from("OPERATION,NUMBER,NOTE\n");
    for n in &numbers {
        csv.push_str(&format!("update,{n},{MARK}\n"));
    }

    let mut outcomes = Vec::new();
    // Kill ever later, 100 ms apart, until a run completes: the kills just
    // before completion land while the transaction is being written.
    for delay_ms in (50u64..5_000).step_by(100) {
        let form = Form::new().part("file", Part::text(csv.clone()).file_name("big.csv"));
        let request = client
            .put(format!("{}/api/numbers/csv", server.base))
            .bearer_auth(numbers_sandbox::credential::OWNER_TOKEN)
            .multipart(form)
            .send();
        let _ = tokio::time::timeout(Duration::from_millis(delay_ms), request).await;
        server.kill();
        server = Server::start(&db);
        let n = marked(&client, &server.base).await;
        assert!(
            n == 0 || n == ROWS,
            "killed after {delay_ms} ms: {n} of {ROWS} rows applied"
        );
        outcomes.push(n);
        if n == ROWS {
            break;
        }
    }
    eprintln!("rows applied after each kill, 100 ms apart: {outcomes:?}");
    assert_eq!(
        outcomes.last(),
        Some(&ROWS),
        "the file applied once given time"
    );
}
