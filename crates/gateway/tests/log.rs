//! The real binary with `--sandbox`: what it logs while people sign in and
//! work holds no secret, and SIGTERM stops it cleanly.

mod common;

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

/// The gateway process in its own process group, killed if the test fails.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group created for this child.
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGKILL);
        }
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_log_has_one_line_a_request_and_no_secret() {
    let work = tempfile::tempdir().expect("work dir");
    let dist = common::fake_dist();
    let port = common::closed_port();
    let out = work.path().join("stdout.log");
    let err = work.path().join("stderr.log");
    let child = Command::new(env!("CARGO_BIN_EXE_numbers-gateway"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--sandbox",
            "--dist",
        ])
        .arg(dist.path())
        .current_dir(work.path())
        // Debug: whatever the libraries log at that level must be clean too.
        .env("RUST_LOG", "debug")
        .stdout(Stdio::from(std::fs::File::create(&out).expect("stdout")))
        .stderr(Stdio::from(std::fs::File::create(&err).expect("stderr")))
        .process_group(0)
        .spawn()
        .expect("the gateway starts");
    let mut process = Process(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the gateway did not listen");
        if let Ok(Some(status)) = process.0.try_wait() {
            panic!(
                "the gateway exited: {status}: {}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let base = format!("http://127.0.0.1:{port}");
    let c = common::client();

    let t: Value = c
        .post(format!("{base}/relay/ocp/sandbox/sign-in"))
        .json(&json!({"username": "otp", "password": "otp-pass", "otp": "123456"}))
        .send()
        .await
        .expect("sign-in")
        .json()
        .await
        .expect("token");
    let access = t["access_token"].as_str().expect("access").to_string();
    let refresh = t["refresh_token"].as_str().expect("refresh").to_string();
    let wrong = c
        .post(format!("{base}/relay/ocp/sandbox/sign-in"))
        .json(&json!({"username": "owner", "password": "Tr0ub4dor&3"}))
        .send()
        .await
        .expect("sign-in");
    assert_eq!(wrong.status().as_u16(), 401);
    let r = c
        .get(format!(
            "{base}/relay/ocp/sandbox/api/numbers?searchTerm=query-secret-42&pageSize=3"
        ))
        .bearer_auth(&access)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status().as_u16(), 200);
    let renewed: Value = c
        .post(format!("{base}/relay/ocp/sandbox/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .expect("refresh")
        .json()
        .await
        .expect("json");
    let r = c
        .delete(format!(
            "{base}/relay/ocp/sandbox/api/numbers/delete/%2B10000000000"
        ))
        .bearer_auth(renewed["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .expect("delete");
    // --sandbox's demo review policy gates every delete: refused unsent.
    assert_eq!(r.status().as_u16(), 403);
    let hw = c
        .post(format!("{base}/relay/huawei/sandbox/sign-in"))
        .json(&json!({"domain": "sandbox-domain", "user": "cph-admin", "password": "cph-pass"}))
        .send()
        .await
        .expect("iam");
    let subject = hw.headers()["x-subject-token"]
        .to_str()
        .expect("token")
        .to_string();
    let r = c
        .get(format!(
            "{base}/relay/huawei/sandbox/v1/sandbox-project/cloud-phone/phones?limit=1"
        ))
        .header("X-Auth-Token", &subject)
        .send()
        .await
        .expect("phones");
    assert_eq!(r.status().as_u16(), 200);
    let r = c
        .get(format!(
            "{base}/relay/exotel/sandbox/v1/tenants/sandbox/greenvn/none"
        ))
        .basic_auth("sandbox-key", Some("sandbox-token"))
        .header("Cookie", "console=cookie-secret-7")
        .send()
        .await
        .expect("exotel");
    assert_eq!(r.status().as_u16(), 404);

    // SIGTERM: a clean stop.
    // SAFETY: kill(2) sends SIGTERM to the child we started.
    unsafe {
        libc::kill(process.0.id() as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Ok(Some(status)) = process.0.try_wait() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");

    let log = std::fs::read_to_string(&err).expect("log");
    let banner = std::fs::read_to_string(&out).expect("banner");
    let basic = base64::engine::general_purpose::STANDARD.encode("sandbox-key:sandbox-token");
    for secret in [
        access.as_str(),
        refresh.as_str(),
        renewed["access_token"].as_str().unwrap_or("missing"),
        renewed["refresh_token"].as_str().unwrap_or("missing"),
        subject.as_str(),
        basic.as_str(),
        "query-secret-42",
        "cookie-secret-7",
        "Tr0ub4dor&3",
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
        assert!(!banner.contains(secret), "stdout holds {secret:?}");
    }
    // What people typed at sign-in never reaches the log (the banner lists
    // the sandbox's documented dev passwords on purpose).
    for typed in ["otp-pass", "123456", "cph-pass", "sandbox-token"] {
        assert!(!log.contains(typed), "the log holds {typed:?}:\n{log}");
    }
    for line in [
        "POST /relay/ocp/sandbox/sign-in 200",
        "POST /relay/ocp/sandbox/sign-in 401",
        "GET /relay/ocp/sandbox/api/numbers 200",
        "POST /relay/ocp/sandbox/refresh 200",
        "DELETE /relay/ocp/sandbox/api/numbers/delete/{number} 403",
        "POST /relay/huawei/sandbox/sign-in 201",
        "GET /relay/huawei/sandbox/v1/{projectId}/cloud-phone/phones 200",
        "GET /relay/exotel/sandbox/v1/tenants/{sid}/greenvn/{greenvnId} 404",
    ] {
        assert!(log.contains(line), "no line {line:?} in:\n{log}");
    }
    assert!(
        !log.contains("+10000000000"),
        "a phone number in the log:\n{log}"
    );
    assert!(
        banner.contains(&format!("Numbers Console: http://127.0.0.1:{port}/")),
        "{banner}"
    );
}
