//! The sandbox's Keycloak as a standard OpenID Connect client library sees
//! it (openidconnect, unmodified): discovery, the password grant with and
//! without a one-time code, refresh, ID and access tokens whose RS256
//! signatures verify with the published keys, userinfo; and the answers
//! Keycloak gives to what clients get wrong.

mod common;

use base64::Engine;
use openidconnect::core::{
    CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    ClientId, IssuerUrl, JsonWebKey, Nonce, OAuth2TokenResponse, ResourceOwnerPassword,
    ResourceOwnerUsername, Scope,
};
use serde_json::Value;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64");
    serde_json::from_slice(&bytes).expect("claims")
}

#[tokio::test]
async fn an_oidc_client_discovers_signs_in_verifies_refreshes_and_reads_userinfo() {
    let srv = common::start().await;
    let addr = srv.addr;
    let http = http();
    let issuer = IssuerUrl::new(format!("http://{addr}/auth/realms/master")).expect("url");
    let metadata = CoreProviderMetadata::discover_async(issuer.clone(), &http)
        .await
        .expect("discovery");
    assert_eq!(metadata.issuer(), &issuer);
    let jwks = metadata.jwks().clone();
    let client = CoreClient::from_provider_metadata(metadata, ClientId::new("ocp".into()), None);

    let owner = ResourceOwnerUsername::new("owner".into());
    let password = ResourceOwnerPassword::new("owner-pass".into());
    let token = client
        .exchange_password(&owner, &password)
        .expect("a token endpoint")
        .add_scope(Scope::new("openid".into()))
        .request_async(&http)
        .await
        .expect("password grant");
    // The ID token: signature, issuer, audience and times verified.
    let id_token = token
        .extra_fields()
        .id_token()
        .expect("an ID token for openid");
    let id = id_token
        .claims(&client.id_token_verifier(), |_: Option<&Nonce>| Ok(()))
        .expect("the ID token verifies");
    assert_eq!(id.preferred_username().map(|u| u.as_str()), Some("owner"));
    // The access token is a JWT the same keys verify, with Keycloak's claims.
    let access = token.access_token().secret().clone();
    let (message, signature) = access.rsplit_once('.').expect("a JWT");
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(message.split('.').next().expect("header"))
            .expect("base64"),
    )
    .expect("header");
    let key = jwks
        .keys()
        .iter()
        .find(|k| k.key_id().map(|id| id.as_str()) == header["kid"].as_str())
        .expect("the token's key is published");
    key.verify_signature(
        &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        message.as_bytes(),
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .expect("signature"),
    )
    .expect("the access token verifies");
    let c = claims(&access);
    assert_eq!(c["iss"], issuer.as_str());
    assert_eq!(c["preferred_username"], "owner");
    assert_eq!(c["sub"], id.subject().as_str());
    assert_eq!(c["aud"], "account");
    assert_eq!(c["scope"], "openid profile email");
    assert!(c["realm_access"]["roles"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r == "OWNER")));
    let refresh = token.refresh_token().expect("a refresh token");
    assert_ne!(
        claims(refresh.secret())["jti"],
        c["jti"],
        "each token its own jti"
    );

    let info: CoreUserInfoClaims = client
        .user_info(token.access_token().clone(), Some(id.subject().clone()))
        .expect("a userinfo endpoint")
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.preferred_username().map(|u| u.as_str()), Some("owner"));

    let renewed = client
        .exchange_refresh_token(refresh)
        .expect("a token endpoint")
        .request_async(&http)
        .await
        .expect("refresh");
    assert_ne!(renewed.access_token().secret(), &access);
    assert!(
        renewed.extra_fields().id_token().is_some(),
        "the openid scope is kept"
    );

    // Two-factor: the one-time code as `totp`, as Keycloak reads it.
    let otp = ResourceOwnerUsername::new("otp".into());
    let otp_password = ResourceOwnerPassword::new("otp-pass".into());
    let without = client
        .exchange_password(&otp, &otp_password)
        .expect("a token endpoint")
        .request_async(&http)
        .await;
    assert!(without.is_err(), "no code, no token");
    let with = client
        .exchange_password(&otp, &otp_password)
        .expect("a token endpoint")
        .add_extra_param("totp", "123456")
        .request_async(&http)
        .await
        .expect("with its code");
    assert!(
        with.extra_fields().id_token().is_none(),
        "no openid, no ID token"
    );
}

#[tokio::test]
async fn mistakes_are_answered_as_keycloak_answers_them() {
    let srv = common::start().await;
    let addr = srv.addr;
    let c = http();
    let url = format!("http://{addr}/auth/realms/master/protocol/openid-connect/token");
    let post = |form: Vec<(&'static str, &'static str)>, basic: bool| {
        let rb = c.post(&url).form(&form);
        if basic {
            rb.basic_auth("ocp", Some(""))
        } else {
            rb
        }
    };
    for (form, basic, status, error, description) in [
        (
            vec![
                ("grant_type", "password"),
                ("username", "owner"),
                ("password", "owner-pass"),
            ],
            false,
            400,
            "invalid_client",
            "Missing client_id parameter",
        ),
        (
            vec![
                ("client_id", "ocp"),
                ("grant_type", "password"),
                ("password", "x"),
            ],
            false,
            400,
            "invalid_request",
            "Missing parameter: username",
        ),
        (
            vec![
                ("client_id", "other"),
                ("grant_type", "password"),
                ("username", "owner"),
                ("password", "owner-pass"),
            ],
            false,
            401,
            "invalid_client",
            "Invalid client or Invalid client credentials",
        ),
        (
            vec![
                ("client_id", "ocp"),
                ("grant_type", "password"),
                ("username", "owner"),
                ("password", "wrong"),
            ],
            false,
            401,
            "invalid_grant",
            "Invalid user credentials",
        ),
    ] {
        let r = post(form.clone(), basic).send().await.expect("token");
        assert_eq!(r.status().as_u16(), status, "{form:?}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"], error, "{form:?}");
        assert_eq!(body["error_description"], description, "{form:?}");
    }
    // A public client's id in HTTP Basic, as Keycloak takes it; the answer
    // is never cached.
    let r = post(
        vec![
            ("grant_type", "password"),
            ("username", "owner"),
            ("password", "owner-pass"),
        ],
        true,
    )
    .send()
    .await
    .expect("token");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["pragma"], "no-cache");
    let t: Value = r.json().await.expect("json");
    let refresh = t["refresh_token"].as_str().expect("refresh").to_string();
    // After logout, the refresh token's session is not active.
    let out = c
        .post(format!(
            "http://{addr}/auth/realms/master/protocol/openid-connect/logout"
        ))
        .form(&[("client_id", "ocp"), ("refresh_token", refresh.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status().as_u16(), 204);
    let r = c
        .post(&url)
        .form(&[
            ("client_id", "ocp"),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
        ])
        .send()
        .await
        .expect("refresh");
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error_description"], "Session not active");
}
