//! Through the gateway to the sandbox as upstream: the environment list,
//! signing in to OCP and Huawei, relayed calls with what sign-in gave, and
//! the console's files as a browser gets them.

mod common;

use numbers_core::dev::OWNER_TOKEN;
use std::io::Read;

use common::*;
use numbers_core::models::auth::Claims;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn with_sandbox() -> (Running, tempfile::TempDir) {
    let dist = fake_dist();
    let g = start(
        numbers_gateway::Config::load(None).expect("defaults"),
        Some(dist.path()),
        true,
    )
    .await;
    (g, dist)
}

#[tokio::test]
async fn the_environment_list_offers_the_sandbox_first_and_no_secret() {
    let (g, _dist) = with_sandbox().await;
    let v: Value = client()
        .get(g.url("/relay/environments"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let envs = v["environments"].as_array().cloned().unwrap_or_default();
    let names: Vec<String> = envs
        .iter()
        .map(|e| {
            format!(
                "{}.{}:{}",
                e["provider"].as_str().unwrap_or(""),
                e["name"].as_str().unwrap_or(""),
                e["sign_in"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        &names[..3],
        [
            "ocp.sandbox:password",
            "exotel.sandbox:basic",
            "huawei.sandbox:iam"
        ]
    );
    assert!(names.contains(&"ocp.eu1:password".to_string()), "{names:?}");
    assert!(names.contains(&"ocp.us1w:token".to_string()), "{names:?}");
    let eu1 = envs.iter().find(|e| e["name"] == "eu1").expect("eu1");
    assert_eq!(eu1["host"], "eu1-m.ocp.ai");
    assert_eq!(envs[0]["sandbox"], true);
    let text = v.to_string();
    assert!(!text.contains("https://"), "no URLs: {text}");
}

#[tokio::test]
async fn ocp_sign_in_refresh_and_sign_out_through_the_relay() {
    let (g, _dist) = with_sandbox().await;
    let c = client();
    let r = c
        .post(g.url("/relay/ocp/sandbox/sign-in"))
        .json(&json!({"username": "owner", "password": "wrong"}))
        .send()
        .await
        .expect("sign-in");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["error"], "invalid_grant");

    let t: Value = c
        .post(g.url("/relay/ocp/sandbox/sign-in"))
        .json(&json!({"username": "otp", "password": "otp-pass", "otp": "123456"}))
        .send()
        .await
        .expect("sign-in")
        .json()
        .await
        .expect("token");
    let access = t["access_token"].as_str().expect("access token");
    assert_eq!(
        Claims::of(access).and_then(|c| c.preferred_username),
        Some("otp".into())
    );
    let page = c
        .get(g.url("/relay/ocp/sandbox/api/numbers?pageSize=5"))
        .bearer_auth(access)
        .send()
        .await
        .expect("list");
    assert_eq!(page.status(), StatusCode::OK);

    let renewed: Value = c
        .post(g.url("/relay/ocp/sandbox/refresh"))
        .json(&json!({"refresh_token": t["refresh_token"]}))
        .send()
        .await
        .expect("refresh")
        .json()
        .await
        .expect("json");
    let access2 = renewed["access_token"].as_str().expect("renewed");
    assert_ne!(access, access2);

    let out = c
        .post(g.url("/relay/ocp/sandbox/sign-out"))
        .json(&json!({"refresh_token": renewed["refresh_token"]}))
        .send()
        .await
        .expect("sign-out");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = c
        .get(g.url("/relay/ocp/sandbox/api/numbers?pageSize=5"))
        .bearer_auth(access2)
        .send()
        .await
        .expect("list");
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn huawei_sign_in_gives_a_readable_token_that_diverts_traffic() {
    let (g, _dist) = with_sandbox().await;
    let c = client();
    let r = c
        .post(g.url("/relay/huawei/sandbox/sign-in"))
        .json(&json!({"domain": "sandbox-domain", "user": "cph-admin", "password": "cph-pass"}))
        .send()
        .await
        .expect("sign-in");
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = r.headers()["x-subject-token"]
        .to_str()
        .expect("token")
        .to_string();
    let body: Value = r.json().await.expect("json");
    let project = body["token"]["project"]["id"].as_str().expect("project");
    let phones: Value = c
        .get(g.url(&format!(
            "/relay/huawei/sandbox/v1/{project}/cloud-phone/phones?limit=2"
        )))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .expect("phones")
        .json()
        .await
        .expect("json");
    let id = phones["phones"][0]["phone_id"].as_str().expect("a phone");
    let r = c
        .post(g.url(&format!(
            "/relay/huawei/sandbox/v1/{project}/cloud-phone/phones-traffic"
        )))
        .header("X-Auth-Token", &token)
        .json(&json!({"traffic_type": "routing", "phone_ids": [id]}))
        .send()
        .await
        .expect("divert");
    assert_eq!(r.status(), StatusCode::OK);

    let wrong = c
        .post(g.url("/relay/huawei/sandbox/sign-in"))
        .json(&json!({"domain": "sandbox-domain", "user": "cph-admin", "password": "nope"}))
        .send()
        .await
        .expect("sign-in");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("x-subject-token").is_none());
}

#[tokio::test]
async fn exotel_and_the_dev_tokens_work_through_the_relay() {
    let (g, _dist) = with_sandbox().await;
    let c = client();
    let r = c
        .get(g.url("/relay/ocp/sandbox/api/numbers-set"))
        .bearer_auth(OWNER_TOKEN)
        .send()
        .await
        .expect("sets");
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .post(g.url("/relay/exotel/sandbox/v1/tenants/sandbox/greenvn"))
        .basic_auth("sandbox-key", Some("sandbox-token"))
        .json(&json!({"aparty_numbers": ["+919176226528"], "bparty_numbers": ["+918136966620"], "usage": "twoway", "connection_id": "relay-1"}))
        .send()
        .await
        .expect("allocate");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["data"]["state"], "active");
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

#[tokio::test]
async fn console_files_are_precompressed_cached_and_guarded() {
    let (g, dist) = with_sandbox().await;
    let c = client();
    let wasm = std::fs::read(dist.path().join("app-0123456789abcdef_bg.wasm")).expect("wasm");

    let r = c
        .get(g.url("/app-0123456789abcdef_bg.wasm"))
        .header("Accept-Encoding", "br, gzip")
        .send()
        .await
        .expect("wasm");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let br = r.bytes().await.expect("body");
    assert!(br.len() < wasm.len() / 2, "{} of {}", br.len(), wasm.len());
    let mut unbrotli = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut unbrotli)
        .expect("brotli");
    assert_eq!(unbrotli, wasm);

    let r = c
        .get(g.url("/app-0123456789abcdef_bg.wasm"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .expect("wasm");
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(gunzip(&r.bytes().await.expect("body")), wasm);

    for path in ["/", "/numbers", "/csv"] {
        let r = c.get(g.url(path)).send().await.expect("index");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_string();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(r
            .text()
            .await
            .expect("html")
            .contains("<script type=\"module\">"));
    }
    let r = c
        .get(g.url("/app-ffffffffffffffff_bg.wasm"))
        .send()
        .await
        .expect("missing");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .get(g.url("/public/templates/update.csv"))
        .send()
        .await
        .expect("template");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn relayed_answers_are_compressed_for_the_browser() {
    let (g, _dist) = with_sandbox().await;
    let r = client()
        .get(g.url("/relay/ocp/sandbox/api/numbers?pageSize=200"))
        .bearer_auth(OWNER_TOKEN)
        .header("Accept-Encoding", "br")
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(r.headers()["cache-control"], "no-store");
}
