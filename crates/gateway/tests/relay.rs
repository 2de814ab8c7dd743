//! The relay's refusals, each proven by a fake provider that counts what
//! reaches it, and what it does forward (headers each way, streaming).

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn unknown_providers_and_environments_are_404_and_nothing_is_sent() {
    let fake = fake().await;
    let g = start(config_for(&fake, ""), None, false).await;
    for path in [
        "/relay/ocp/eu9/api/numbers",
        "/relay/ocp/FAKE/api/numbers",
        "/relay/twilio/fake/api/numbers",
        "/relay/ocp/http:%2f%2fevil.example/api/numbers",
        "/relay/ocp",
    ] {
        let (status, answer) = raw(g.addr, "GET", path, &[]).await;
        assert_eq!(status, 404, "{path}: {answer}");
    }
    let (_, answer) = raw(g.addr, "GET", "/relay/ocp/eu9/api/numbers", &[]).await;
    assert!(answer.contains("unknown_environment"), "{answer}");
    assert_eq!(fake.count(), 0);
}

#[tokio::test]
async fn traversal_and_undocumented_paths_are_refused_before_any_upstream_call() {
    let fake = fake().await;
    let g = start(config_for(&fake, ""), None, false).await;
    for (method, path) in [
        ("GET", "/relay/ocp/fake/api/numbers/../../admin"),
        ("GET", "/relay/ocp/fake/api/%2e%2e/%2e%2e/admin"),
        ("GET", "/relay/ocp/fake/api/%2E%2E/admin"),
        ("DELETE", "/relay/ocp/fake/api/numbers/delete/%2e%2e"),
        (
            "DELETE",
            "/relay/ocp/fake/api/numbers/delete/..%2f..%2fadmin",
        ),
        (
            "DELETE",
            "/relay/ocp/fake/api/numbers/delete/a%5c..%5cadmin",
        ),
        ("DELETE", "/relay/ocp/fake/api/numbers/delete/a\\b"),
        ("GET", "/relay/ocp/fake//evil.example/api/numbers"),
        ("GET", "/relay/ocp/fake/api//numbers"),
        (
            "GET",
            "/relay/ocp/fake/api/numbers-set/user@evil.example/numbers",
        ),
        (
            "GET",
            "/relay/ocp/fake/api/numbers-set/a%40evil.example/numbers",
        ),
        ("GET", "/relay/exotel/fake/v1/tenants/%2e%2e/greenvn/x"),
        ("GET", "/relay/huawei/fake/v1/p/cloud-phone/jobs/..;/x"),
        ("GET", "/relay/ocp/fake/admin/users"),
        ("POST", "/relay/ocp/fake/api/numbers/attach"),
        ("GET", "/relay/exotel/fake/v1/tenants/acme/greenvn"),
        ("DELETE", "/relay/huawei/fake/v1/p/cloud-phone/phones"),
        (
            "GET",
            "/relay/ocp/fake/auth/realms/master/protocol/openid-connect/token",
        ),
    ] {
        let (status, answer) = raw(g.addr, method, path, &[]).await;
        assert!(
            status == 400 || status == 404,
            "{method} {path} gave {status}: {answer}"
        );
    }
    assert_eq!(fake.count(), 0, "{:?}", fake.seen());
}

#[tokio::test]
async fn documented_paths_reach_the_provider_with_parameters_encoded() {
    let fake = fake().await;
    let g = start(config_for(&fake, ""), None, false).await;
    let c = client();
    let r = c
        .delete(g.url("/relay/ocp/fake/api/numbers/delete/%2B13035550100"))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(g.url("/relay/ocp/fake/api/numbers?page=2&searchTerm=hotline"))
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(g.url("/relay/huawei/fake/v1/p1/cloud-phone/jobs?request_id=r1"))
        .send()
        .await
        .expect("jobs");
    assert_eq!(r.status(), StatusCode::OK);
    let seen: Vec<String> = fake
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path_and_query))
        .collect();
    assert_eq!(
        seen,
        [
            "DELETE /integrations/api/numbers/delete/%2B13035550100",
            "GET /integrations/api/numbers?page=2&searchTerm=hotline",
            "GET /v1/p1/cloud-phone/jobs?request_id=r1",
        ]
    );
}

#[tokio::test]
async fn cross_site_requests_get_403_and_same_origin_ones_pass() {
    let fake = fake().await;
    let g = start(config_for(&fake, ""), None, false).await;
    let own = format!("http://{}", g.addr);
    for headers in [
        vec![("Origin", "http://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![("Sec-Fetch-Site", "same-site"), ("Origin", own.as_str())],
        vec![("Origin", "null")],
    ] {
        for path in [
            "/relay/ocp/fake/api/numbers",
            "/relay/ocp/fake/sign-in",
            "/relay/environments",
        ] {
            let (status, answer) = raw(g.addr, "GET", path, &headers).await;
            assert_eq!(status, 403, "{headers:?} {path}: {answer}");
            assert!(
                !answer.to_ascii_lowercase().contains("access-control-allow"),
                "{answer}"
            );
        }
    }
    assert_eq!(fake.count(), 0);
    let (status, answer) = raw(
        g.addr,
        "GET",
        "/relay/ocp/fake/api/numbers",
        &[("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("access-control-allow"),
        "{answer}"
    );
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn only_allowlisted_headers_travel_each_way() {
    let fake = fake().await;
    let g = start(config_for(&fake, ""), None, false).await;
    let r = client()
        .put(g.url("/relay/ocp/fake/api/numbers/attach"))
        .header("Authorization", "Bearer the-users-token")
        .header("Cookie", "console=session-cookie")
        .header("X-Forwarded-For", "203.0.113.50")
        .header("X-Auth-Token", "huawei-token")
        .header("Proxy-Authorization", "Basic cHJveHk6cHc=")
        .header("X-Custom", "1")
        .header("Content-Type", "application/json")
        .body(r#"{"numbers":["+13035550100"],"miniAppId":"a"}"#)
        .send()
        .await
        .expect("attach");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("set-cookie").is_none(), "{:?}", r.headers());
    assert!(r.headers().get("x-internal-host").is_none());
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let seen = fake.seen();
    let h = &seen[0].headers;
    assert_eq!(h["authorization"], "Bearer the-users-token");
    assert_eq!(h["x-auth-token"], "huawei-token");
    assert_eq!(h["content-type"], "application/json");
    for absent in [
        "cookie",
        "x-forwarded-for",
        "proxy-authorization",
        "x-custom",
    ] {
        assert!(h.get(absent).is_none(), "{absent} was forwarded: {h:?}");
    }
    assert_eq!(
        seen[0].body.as_deref(),
        Some(&br#"{"numbers":["+13035550100"],"miniAppId":"a"}"#[..])
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_before_anything_is_sent() {
    let fake = fake().await;
    let g = start(
        config_for(&fake, "csv_body_limit = 1000\njson_body_limit = 100"),
        None,
        false,
    )
    .await;
    let c = client();
    let r = c
        .put(g.url("/relay/ocp/fake/api/numbers/csv"))
        .header("Content-Type", "multipart/form-data; boundary=x")
        .body(vec![b'a'; 1001])
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let r = c
        .put(g.url("/relay/ocp/fake/api/numbers/attach"))
        .header("Content-Type", "application/json")
        .body(vec![b' '; 101])
        .send()
        .await
        .expect("json");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(fake.count(), 0);
    // Within the limits, both pass.
    let r = c
        .put(g.url("/relay/ocp/fake/api/numbers/csv"))
        .body(vec![b'a'; 1000])
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn a_streamed_body_that_grows_past_the_limit_never_arrives_whole() {
    let fake = fake().await;
    let g = start(config_for(&fake, "csv_body_limit = 1000"), None, false).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b'a'; 100])).collect();
    let r = client()
        .put(g.url("/relay/ocp/fake/api/numbers/csv"))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("csv");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // The provider saw, at most, a request that broke off: never a whole one.
    assert!(
        fake.seen().iter().all(|s| s.body.is_none()),
        "{:?}",
        fake.seen()
    );
}

#[tokio::test]
async fn a_slow_provider_is_504_and_a_down_one_502_each_named() {
    let fake = fake().await;
    let g = start(config_for(&fake, "response_timeout_secs = 1"), None, false).await;
    let r = client()
        .get(g.url("/relay/ocp/fake/api/numbers-routing/slow"))
        .send()
        .await
        .expect("slow");
    assert_eq!(r.status(), StatusCode::GATEWAY_TIMEOUT);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "upstream_timeout");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Omilia OCP FAKE") && message.contains("1 seconds"),
        "{message}"
    );

    let port = closed_port();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("g.toml");
    std::fs::write(
        &path,
        format!("builtin_environments = false\n[ocp.gone]\nlabel = \"Gone\"\nbase_url = \"http://127.0.0.1:{port}/integrations\"\n"),
    )
    .expect("config");
    let g = start(
        numbers_gateway::Config::load(Some(&path)).expect("config"),
        None,
        false,
    )
    .await;
    let r = client()
        .get(g.url("/relay/ocp/gone/api/numbers"))
        .send()
        .await
        .expect("down");
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"], "upstream_down");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("Omilia OCP Gone (127.0.0.1:{port})")),
        "{message}"
    );
    assert!(message.contains("Nothing was sent"), "{message}");
}

#[tokio::test]
async fn answers_and_uploads_are_streamed_not_held_whole() {
    let fake = fake().await;
    let g = start(config_for(&fake, ""), None, false).await;
    // The provider sends a first part and holds the rest until released:
    // the browser must get the first part before that.
    let mut r = client()
        .get(g.url("/relay/ocp/fake/api/numbers-routing/held"))
        .header("Accept-Encoding", "identity")
        .send()
        .await
        .expect("held");
    let first = tokio::time::timeout(Duration::from_secs(10), r.chunk())
        .await
        .expect("the first part arrives while the rest is held")
        .expect("chunk");
    assert_eq!(first.as_deref(), Some(&b"first part\n"[..]));
    fake.state.release.notify_one();
    let rest = r.text().await.expect("rest");
    assert_eq!(rest, "second part\n");

    // An upload's first part reaches the provider before the rest is sent.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let url = g.url("/relay/ocp/fake/api/numbers/csv");
    let upload = tokio::spawn(async move {
        client()
            .put(url)
            .body(reqwest::Body::wrap_stream(tokio_stream(rx)))
            .send()
            .await
            .map(|r| r.status())
    });
    tx.send(Ok(b"OPERATION,NUMBER\r\n".to_vec()))
        .await
        .expect("send");
    tokio::time::timeout(Duration::from_secs(10), fake.state.first_part.notified())
        .await
        .expect("the provider got the first part while the rest was unsent");
    tx.send(Ok(b"delete,+13035550100\r\n".to_vec()))
        .await
        .expect("send");
    drop(tx);
    let status = upload.await.expect("task").expect("upload");
    assert_eq!(status, StatusCode::OK);
    let seen = fake.seen();
    assert_eq!(
        seen.last().and_then(|s| s.body.clone()).as_deref(),
        Some(&b"OPERATION,NUMBER\r\ndelete,+13035550100\r\n"[..])
    );
}

fn tokio_stream(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[tokio::test]
async fn sign_ins_are_rate_limited_per_client_address() {
    let fake = fake().await;
    let g = start(config_for(&fake, "sign_ins_per_minute = 3"), None, false).await;
    let c = client();
    let sign_in = |xff: Option<&'static str>| {
        let mut rb = c
            .post(g.url("/relay/ocp/fake/sign-in"))
            .json(&serde_json::json!({"username": "owner", "password": "pw"}));
        if let Some(x) = xff {
            rb = rb.header("X-Forwarded-For", x);
        }
        rb.send()
    };
    for _ in 0..3 {
        assert_eq!(
            sign_in(None).await.expect("sign-in").status(),
            StatusCode::OK
        );
    }
    let r = sign_in(None).await.expect("sign-in");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=20).contains(&retry), "{retry}");
    // A forged X-Forwarded-For from an untrusted peer changes nothing.
    assert_eq!(
        sign_in(Some("198.51.100.1"))
            .await
            .expect("sign-in")
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(fake.count(), 3);
    // Refresh is not a password attempt: not counted.
    let r = c
        .post(g.url("/relay/ocp/fake/refresh"))
        .json(&serde_json::json!({"refresh_token": "r"}))
        .send()
        .await
        .expect("refresh");
    assert_eq!(r.status(), StatusCode::OK);
    // The form sent to the token endpoint is the documented password grant.
    let form = String::from_utf8(fake.seen()[0].body.clone().unwrap_or_default().to_vec())
        .unwrap_or_default();
    assert_eq!(
        form,
        "client_id=ocp&grant_type=password&username=owner&password=pw"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_count() {
    let fake = fake().await;
    let g = start(
        config_for(
            &fake,
            "sign_ins_per_minute = 1\ntrusted_proxies = [\"127.0.0.1\"]",
        ),
        None,
        false,
    )
    .await;
    let c = client();
    for (client_addr, expected) in [
        ("198.51.100.1", StatusCode::OK),
        ("198.51.100.1", StatusCode::TOO_MANY_REQUESTS),
        ("198.51.100.2", StatusCode::OK),
    ] {
        let r = c
            .post(g.url("/relay/ocp/fake/sign-in"))
            .header("X-Forwarded-For", client_addr)
            .json(&serde_json::json!({"username": "u", "password": "p"}))
            .send()
            .await
            .expect("sign-in");
        assert_eq!(r.status(), expected, "{client_addr}");
    }
}

#[tokio::test]
async fn in_flight_requests_finish_when_the_gateway_stops() {
    let fake = fake().await;
    let mut g = start(config_for(&fake, ""), None, false).await;
    let url = g.url("/relay/ocp/fake/api/numbers-routing/slow");
    let slow = tokio::spawn(async move { client().get(url).send().await.map(|r| r.status()) });
    while fake.count() == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    g.stop();
    let status = slow.await.expect("task").expect("answered");
    assert_eq!(status, StatusCode::OK);
    if let Some(task) = g.task.take() {
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the gateway stopped")
            .expect("cleanly");
    }
    assert!(
        std::net::TcpStream::connect(g.addr).is_err(),
        "still listening"
    );
}
