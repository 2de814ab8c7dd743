//! Signing in as OCP's Keycloak and Huawei IAM answer it, and the APIs
//! taking (and refusing) what they issued.

mod common;

use std::time::Duration;

use common::*;
use numbers_core::models::auth::Claims;
use numbers_sandbox::Config;
use reqwest::Method;
use serde_json::{json, Value};

const TOKEN: &str = "/auth/realms/master/protocol/openid-connect/token";
const LOGOUT: &str = "/auth/realms/master/protocol/openid-connect/logout";

async fn token(s: &Srv, form: &[(&str, &str)]) -> (u16, Value) {
    send(s.client.post(format!("{}{TOKEN}", s.base)).form(form)).await
}

async fn password(s: &Srv, user: &str, pass: &str) -> (u16, Value) {
    token(
        s,
        &[
            ("client_id", "ocp"),
            ("grant_type", "password"),
            ("username", user),
            ("password", pass),
        ],
    )
    .await
}

async fn list_status(s: &Srv, access: &str) -> (u16, Value) {
    send(s.ocp_as(access, Method::GET, "/api/numbers?pageSize=1")).await
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

#[tokio::test]
async fn owner_signs_in_and_the_token_works_until_it_expires() {
    let s = start_with(Config {
        token_ttl: 1,
        ..Config::ephemeral()
    })
    .await;
    let (status, t) = password(&s, "owner", "owner-pass").await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(
        (t["expires_in"].as_u64(), t["refresh_expires_in"].as_u64()),
        (Some(1), Some(1800))
    );
    assert_eq!(t["token_type"], "Bearer");
    let access = text(&t, "access_token");
    assert_eq!(
        Claims::of(access).and_then(|c| c.preferred_username),
        Some("owner".into())
    );
    let (status, page) = list_status(&s, access).await;
    assert_eq!(status, 200, "{page}");
    assert!(page["allNumbers"].as_u64() > Some(0));

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (status, body) = list_status(&s, access).await;
    assert_eq!(status, 401);
    assert!(text(&body, "message").contains("expired"), "{body}");

    // The refresh token renews it.
    let (status, renewed) = token(
        &s,
        &[
            ("client_id", "ocp"),
            ("grant_type", "refresh_token"),
            ("refresh_token", text(&t, "refresh_token")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{renewed}");
    assert_ne!(text(&renewed, "access_token"), access);
    assert_eq!(list_status(&s, text(&renewed, "access_token")).await.0, 200);
}

#[tokio::test]
async fn wrong_credentials_and_clients_are_refused_as_keycloak_does() {
    let s = start().await;
    let (status, body) = password(&s, "owner", "nope").await;
    assert_eq!((status, text(&body, "error")), (401, "invalid_grant"));
    assert_eq!(text(&body, "error_description"), "Invalid user credentials");
    assert_eq!(password(&s, "nobody", "owner-pass").await.0, 401);

    let (status, body) = token(
        &s,
        &[
            ("client_id", "other"),
            ("grant_type", "password"),
            ("username", "owner"),
            ("password", "owner-pass"),
        ],
    )
    .await;
    assert_eq!((status, text(&body, "error")), (401, "invalid_client"));
    let (status, body) = token(
        &s,
        &[("client_id", "ocp"), ("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(
        (status, text(&body, "error")),
        (400, "unsupported_grant_type")
    );
    let (status, body) = send(
        s.client
            .post(format!("{}{TOKEN}", s.base))
            .json(&json!({"client_id": "ocp"})),
    )
    .await;
    assert_eq!((status, text(&body, "error")), (400, "invalid_request"));
    let (status, body) = token(
        &s,
        &[
            ("client_id", "ocp"),
            ("grant_type", "refresh_token"),
            ("refresh_token", "x.y.z"),
        ],
    )
    .await;
    assert_eq!((status, text(&body, "error")), (400, "invalid_grant"));
}

#[tokio::test]
async fn a_two_factor_account_needs_its_code() {
    let s = start().await;
    let base = [
        ("client_id", "ocp"),
        ("grant_type", "password"),
        ("username", "otp"),
        ("password", "otp-pass"),
    ];
    let (status, body) = token(&s, &base).await;
    assert_eq!((status, text(&body, "error")), (401, "invalid_grant"));
    let mut wrong = base.to_vec();
    wrong.push(("otp", "000000"));
    assert_eq!(token(&s, &wrong).await.0, 401);
    let mut right = base.to_vec();
    right.push(("otp", "123456"));
    let (status, t) = token(&s, &right).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(list_status(&s, text(&t, "access_token")).await.0, 200);
}

#[tokio::test]
async fn a_member_signed_in_sees_only_the_members_group() {
    let s = start().await;
    let (_, t) = password(&s, "member", "member-pass").await;
    let (status, page) = send(s.ocp_as(
        text(&t, "access_token"),
        Method::GET,
        "/api/numbers?pageSize=10000",
    ))
    .await;
    assert_eq!(status, 200, "{page}");
    let numbers = page["numbers"].as_array().cloned().unwrap_or_default();
    assert!(!numbers.is_empty());
    assert!(numbers.iter().all(|n| n["groupId"] == "ocp-qa"));
}

#[tokio::test]
async fn the_reviewer_is_another_person_with_the_owners_rights() {
    let s = start().await;
    let (_, owner) = password(&s, "owner", "owner-pass").await;
    let (status, reviewer) = password(&s, "reviewer", "reviewer-pass").await;
    assert_eq!(status, 200, "{reviewer}");
    let who = |t: &Value| {
        let request = s
            .client
            .get(format!(
                "{}/auth/realms/master/protocol/openid-connect/userinfo",
                s.base
            ))
            .bearer_auth(text(t, "access_token"));
        async move { send(request).await.1 }
    };
    let (o, r) = (who(&owner).await, who(&reviewer).await);
    assert_eq!(r["preferred_username"], "reviewer", "{r}");
    assert_eq!(r["realm_access"], o["realm_access"], "the owner's role");
    assert_ne!(r["sub"], o["sub"], "another user id");
    let (_, mine) = list_status(&s, text(&owner, "access_token")).await;
    let (status, theirs) = list_status(&s, text(&reviewer, "access_token")).await;
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(theirs["allNumbers"], mine["allNumbers"], "both groups");
}

#[tokio::test]
async fn the_session_ends_at_its_maximum_however_often_it_is_refreshed() {
    let s = start_with(Config {
        token_ttl: 1,
        session_ttl: 2,
        ..Config::ephemeral()
    })
    .await;
    let (_, mut t) = password(&s, "owner", "owner-pass").await;
    assert!(t["refresh_expires_in"].as_u64() <= Some(2), "{t}");
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let (status, renewed) = token(
            &s,
            &[
                ("client_id", "ocp"),
                ("grant_type", "refresh_token"),
                ("refresh_token", text(&t, "refresh_token")),
            ],
        )
        .await;
        assert_eq!(status, 200, "{renewed}");
        t = renewed;
    }
    tokio::time::sleep(Duration::from_millis(900)).await;
    let (status, body) = token(
        &s,
        &[
            ("client_id", "ocp"),
            ("grant_type", "refresh_token"),
            ("refresh_token", text(&t, "refresh_token")),
        ],
    )
    .await;
    assert_eq!(
        (status, text(&body, "error")),
        (400, "invalid_grant"),
        "{body}"
    );
    assert_eq!(text(&body, "error_description"), "Session not active");
}

async fn refresh(s: &Srv, refresh_token: &str) -> (u16, Value) {
    token(
        s,
        &[
            ("client_id", "ocp"),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

#[tokio::test]
async fn a_refresh_token_works_as_often_as_the_realm_says() {
    // OCP's realm as the sandbox starts it: a refresh token may be used again.
    let s = start_with(Config::ephemeral()).await;
    let (_, t) = password(&s, "owner", "owner-pass").await;
    let first = text(&t, "refresh_token");
    assert_eq!(refresh(&s, first).await.0, 200);
    assert_eq!(refresh(&s, first).await.0, 200);

    // A realm that revokes refresh tokens: each works once, and the one a
    // refresh answers works next; the session goes on.
    let s = start_with(Config {
        revoke_refresh_tokens: true,
        ..Config::ephemeral()
    })
    .await;
    let (_, t) = password(&s, "owner", "owner-pass").await;
    let first = text(&t, "refresh_token");
    let (status, renewed) = refresh(&s, first).await;
    assert_eq!(status, 200, "{renewed}");
    let second = text(&renewed, "refresh_token");
    assert_ne!(second, first);
    let (status, body) = refresh(&s, first).await;
    assert_eq!(
        (
            status,
            text(&body, "error"),
            text(&body, "error_description")
        ),
        (
            400,
            "invalid_grant",
            "Maximum allowed refresh token reuse exceeded"
        ),
        "{body}"
    );
    let (status, again) = refresh(&s, second).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(list_status(&s, text(&again, "access_token")).await.0, 200);
}

#[tokio::test]
async fn logout_ends_every_token_of_the_session() {
    let s = start().await;
    let (_, t) = password(&s, "owner", "owner-pass").await;
    let response = s
        .client
        .post(format!("{}{LOGOUT}", s.base))
        .form(&[
            ("client_id", "ocp"),
            ("refresh_token", text(&t, "refresh_token")),
        ])
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(list_status(&s, text(&t, "access_token")).await.0, 401);
    let (status, _) = token(
        &s,
        &[
            ("client_id", "ocp"),
            ("grant_type", "refresh_token"),
            ("refresh_token", text(&t, "refresh_token")),
        ],
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_dev_tokens_keep_working() {
    let s = start().await;
    assert_eq!(
        list_status(&s, numbers_sandbox::credential::OWNER_TOKEN)
            .await
            .0,
        200
    );
    assert_eq!(list_status(&s, "sandbox-member").await.0, 200);
    assert_eq!(send(s.huawei(Method::GET, "/phones?limit=1")).await.0, 200);
}

fn iam_body(password: &str, project: Value) -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {"name": "cph-admin", "password": password, "domain": {"name": "sandbox-domain"}}}},
        "scope": {"project": project}
    }})
}

#[tokio::test]
async fn huawei_iam_issues_a_token_in_the_subject_header() {
    let s = start().await;
    let url = format!("{}/v3/auth/tokens?nocatalog=true", s.base);
    let r = s
        .client
        .post(&url)
        .json(&iam_body("cph-pass", json!({"name": "sandbox-region"})))
        .send()
        .await
        .expect("iam");
    assert_eq!(r.status().as_u16(), 201);
    let token = r
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .expect("X-Subject-Token")
        .to_string();
    let body: Value = r.json().await.expect("body");
    assert_eq!(body["token"]["project"]["id"], "sandbox-project");
    assert_eq!(body["token"]["user"]["name"], "cph-admin");
    assert!(text(&body["token"], "expires_at").ends_with('Z'));

    let phones = |project: &str, token: &str| {
        s.client
            .get(format!(
                "{}/v1/{project}/cloud-phone/phones?limit=1",
                s.base
            ))
            .header("X-Auth-Token", token)
    };
    assert_eq!(send(phones("sandbox-project", &token)).await.0, 200);
    assert_eq!(send(phones("other-project", &token)).await.0, 403);
    assert_eq!(send(phones("sandbox-project", "MIIforged")).await.0, 401);

    let (status, body) = send(
        s.client
            .post(&url)
            .json(&iam_body("wrong", json!({"id": "sandbox-project"}))),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        body["error"]["message"],
        "The username or password is wrong."
    );
    let (status, _) = send(
        s.client
            .post(&url)
            .json(&iam_body("cph-pass", json!({"name": "cn-north-4"}))),
    )
    .await;
    assert_eq!(status, 400);
}
