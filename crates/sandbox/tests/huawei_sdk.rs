//! Huawei access keys: the sandbox checks `SDK-HMAC-SHA256` signatures as
//! Huawei's API gateway does, and Huawei's official Python SDK, unmodified,
//! works against it (`tests/python/huawei_sdk.py`, run in the virtual
//! environment scripts/test.sh makes from PyPI).

mod common;

use std::process::Command;

use numbers_core::huawei::signing;
use numbers_sandbox::credential::{HUAWEI_AK, HUAWEI_PROJECT, HUAWEI_SK};
use serde_json::Value;

/// A signed `GET …/phones?limit=1` at `date`, its signed headers as given.
async fn list(addr: std::net::SocketAddr, date: &str, sk: &str, sign_host: bool) -> (u16, Value) {
    let path = format!("/v1/{HUAWEI_PROJECT}/cloud-phone/phones");
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("X-Sdk-Date".to_string(), date.to_string()),
        ("X-Project-Id".to_string(), HUAWEI_PROJECT.to_string()),
    ];
    if sign_host {
        headers.push(("Host".to_string(), addr.to_string()));
    }
    let query = vec![("limit".to_string(), "1".to_string())];
    let r = signing::Request {
        method: "GET",
        path: &path,
        query: &query,
        headers: &headers,
        body: b"",
    };
    let auth = signing::authorization(&r, HUAWEI_AK, sk);
    let mut rb = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("http://{addr}{path}?limit=1"))
        .header("Authorization", auth);
    for (k, v) in headers.iter().filter(|(k, _)| k != "Host") {
        rb = rb.header(k, v);
    }
    let answer = rb.send().await.expect("answer");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or_default())
}

#[tokio::test]
async fn signatures_are_checked_as_huaweis_api_gateway_checks_them() {
    let srv = common::start().await;
    let addr = srv.addr;
    let now = signing::format_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64),
    );
    let (status, body) = list(addr, &now, HUAWEI_SK, true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["phones"].as_array().map(Vec::len), Some(1));
    for (what, date, sk, host, says) in [
        (
            "a wrong secret key",
            now.as_str(),
            "wrong",
            true,
            "verify aksk signature fail",
        ),
        (
            "a stale X-Sdk-Date",
            "20200101T000000Z",
            HUAWEI_SK,
            true,
            "more than 15 minutes",
        ),
        (
            "Host not signed",
            now.as_str(),
            HUAWEI_SK,
            false,
            "must include host",
        ),
    ] {
        let (status, body) = list(addr, date, sk, host).await;
        assert_eq!(status, 401, "{what}: {body}");
        assert_eq!(body["error_code"], "APIGW.0301", "{what}");
        assert!(
            body["error_msg"]
                .as_str()
                .unwrap_or_default()
                .contains(says),
            "{what}: {body}"
        );
    }
}

#[tokio::test]
async fn the_official_python_sdk_works_against_the_sandbox() {
    let Ok(python) = std::env::var("NUMBERS_HUAWEI_SDK_PYTHON") else {
        assert!(
            std::env::var("NUMBERS_REQUIRE_HUAWEI_SDK").is_err(),
            "NUMBERS_REQUIRE_HUAWEI_SDK is set but NUMBERS_HUAWEI_SDK_PYTHON is not"
        );
        eprintln!("skipped: set NUMBERS_HUAWEI_SDK_PYTHON to a python with huaweicloudsdk* (scripts/test.sh does)");
        return;
    };
    let srv = common::start().await;
    let addr = srv.addr;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/huawei_sdk.py");
    let url = format!("http://{addr}");
    // The SDK is synchronous: it runs on a thread of its own while the
    // sandbox answers on this runtime.
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args([script, &url, HUAWEI_AK, HUAWEI_SK, HUAWEI_PROJECT])
            .env("NO_PROXY", "127.0.0.1")
            .output()
            .expect("python runs")
    })
    .await
    .expect("thread");
    let text = String::from_utf8_lossy(&output.stdout);
    println!("{text}");
    assert!(
        output.status.success() && text.contains("every check passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
