//! The gateway as it is deployed. README's build (the server profile,
//! without the sandbox) carries none of the sandbox's dev credentials or
//! its signing key; a build in the same profile answers a handler's panic
//! with a 500 and goes on serving. Both binaries are built here, as README
//! and scripts/run.sh build them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use axum::http::StatusCode;
use common::client;
use common::process::Process;

/// One build at a time: both write target/server/numbers-gateway.
static BUILDING: Mutex<()> = Mutex::new(());

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `cargo build --profile server -p numbers-gateway` with `features`,
/// copied aside as `name` (the next build overwrites the original).
fn server_build(features: &[&str], name: &str) -> PathBuf {
    let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--profile",
            "server",
            "-p",
            "numbers-gateway",
            "--locked",
        ])
        .args(features)
        .current_dir(workspace())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the server build failed");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace().join("target"));
    let built = target.join("server/numbers-gateway");
    let aside = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&aside).expect("folder");
    let copy = aside.join("numbers-gateway");
    std::fs::copy(&built, &copy).expect("copy");
    copy
}

/// Whether `needle` occurs in `haystack`.
fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// What the sandbox knows that no deployed gateway may: its dev accounts'
/// passwords, its dev tokens and keys, and a part of its signing key.
fn dev_secrets() -> Vec<(String, Vec<u8>)> {
    let mut secrets: Vec<(String, Vec<u8>)> = numbers_sandbox::sign_in::OCP_USERS
        .iter()
        .map(|u| (u.username.to_string(), u.password.as_bytes().to_vec()))
        .collect();
    for (name, value) in [
        ("IAM password", numbers_sandbox::sign_in::IAM_PASSWORD),
        ("OCP owner token", numbers_core::dev::OWNER_TOKEN),
        ("OCP member token", numbers_core::dev::MEMBER_TOKEN),
        ("Exotel token", numbers_core::dev::EXOTEL_TOKEN),
        ("Huawei secret key", numbers_core::dev::HUAWEI_SK),
        ("Huawei token", numbers_core::dev::HUAWEI_TOKEN),
    ] {
        secrets.push((name.into(), value.as_bytes().to_vec()));
    }
    let key = std::fs::read(workspace().join("crates/sandbox/src/dev-signing-key.pk8"))
        .expect("the sandbox's signing key");
    let middle = key.len() / 2;
    secrets.push(("signing key".into(), key[middle - 16..middle + 16].to_vec()));
    secrets
}

/// `strings` on README's deployed build finds none of the sandbox's
/// secrets, where a build with the sandbox shows them (so the check can
/// see them), and the deployed build refuses `--sandbox` with a reason.
#[tokio::test]
async fn the_deployed_gateway_carries_no_dev_credential_or_key() {
    let deployed = std::fs::read(server_build(&[], "deployed")).expect("deployed binary");
    let with_sandbox =
        std::fs::read(server_build(&["--features", "sandbox"], "with-sandbox")).expect("binary");
    let mut seen = Vec::new();
    for (name, secret) in dev_secrets() {
        assert!(
            !holds(&deployed, &secret),
            "the deployed gateway holds {name}"
        );
        if holds(&with_sandbox, &secret) {
            seen.push(name);
        }
    }
    // The scan sees them where they are (a short token compared in code
    // may be folded into instructions, but the passwords and the key are
    // data): every dev password and the key are in the build with it.
    for name in [
        "owner",
        "member",
        "otp",
        "automation",
        "reviewer",
        "IAM password",
        "signing key",
    ] {
        assert!(
            seen.iter().any(|s| s == name),
            "the check cannot see {name}: {seen:?}"
        );
    }
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("deployed/numbers-gateway"))
        .args(["--sandbox", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("built without the sandbox"), "{said}");
}

/// In the server profile (which unwinds), a handler's panic is one
/// answer's 500: the gateway goes on serving.
#[tokio::test]
async fn a_panicking_handler_answers_500_and_the_gateway_goes_on() {
    let binary = server_build(&["--features", "sandbox"], "panics");
    let dir = tempfile::tempdir().expect("dir");
    let dist = common::fake_dist();
    let dist_path = dist.path().to_string_lossy().to_string();
    let g = Process::start_binary(
        &binary,
        dir.path(),
        "",
        &["--sandbox", "--dist", &dist_path],
    )
    .await;
    for _ in 0..3 {
        let r = client()
            .get(g.url("/sandbox/panic"))
            .send()
            .await
            .expect("panic");
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    let r = client()
        .get(g.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), StatusCode::OK);
    let r = client()
        .get(g.url("/relay/ocp/sandbox/api/numbers?pageSize=1"))
        .bearer_auth(numbers_core::dev::OWNER_TOKEN)
        .send()
        .await
        .expect("numbers");
    assert_eq!(r.status(), StatusCode::OK);
}
