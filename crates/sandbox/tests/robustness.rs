//! Bad input never panics the server: malformed bodies, wrong types, huge
//! bodies, unknown routes; and CORS admits only loopback origins.

mod common;

use common::*;
use reqwest::Method;

#[tokio::test]
async fn bad_bodies_get_clear_errors() {
    let s = start().await;
    for body in [
        "{",
        "[]",
        "{\"numbers\": \"+12015550000\"}",
        "\u{0}\u{1}",
        "",
    ] {
        let (status, json) = send(
            s.ocp(Method::PUT, "/api/numbers/detach")
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
        assert_eq!(status, 400, "{body:?}");
        assert_eq!(json["success"], false);
    }
    let (status, body) = send(s.exotel(Method::POST, "").body("{not json")).await;
    assert_eq!((status, body[0]["code"].as_u64()), (400, Some(5)));
    let huge = vec![b'x'; 3 * 1024 * 1024];
    let r = s
        .ocp(Method::PUT, "/api/numbers/detach")
        .body(huge)
        .send()
        .await
        .expect("response");
    assert_eq!(r.status(), 413);
    let (status, _) = send(s.ocp(Method::GET, "/api/nothing-here")).await;
    assert_eq!(status, 404);
    let (status, _) = send(s.client.get(format!("{}/v1/elsewhere", s.base))).await;
    assert_eq!(status, 404);
    let (status, health) = send(s.client.get(format!("{}/healthz", s.base))).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
}

#[tokio::test]
async fn cors_admits_loopback_origins_only() {
    let s = start().await;
    let preflight = |origin: &'static str| {
        s.client
            .request(
                Method::OPTIONS,
                format!("{}/integrations/api/numbers", s.base),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let ok = preflight("http://127.0.0.1:8081").await.expect("preflight");
    assert_eq!(
        ok.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://127.0.0.1:8081")
    );
    let evil = preflight("http://127.0.0.1.evil.example")
        .await
        .expect("preflight");
    assert!(evil.headers().get("access-control-allow-origin").is_none());
}
