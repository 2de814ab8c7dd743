//! Huawei Cloud Phone (seed 004 and the CPH endpoints DESIGN.md adds).

use gloo_net::http::{Request, RequestBuilder, Response};
use numbers_core::models::huawei::{JobList, PhoneList, TrafficRequest, TrafficResponse};

use super::auth::Auth;
use super::{build, json, send, ApiError, Payload};

/// How a Huawei client proves who it is, and for which project.
#[derive(Clone, PartialEq)]
pub enum HuaweiCredential {
    /// A pasted X-Auth-Token (or the sandbox's dev token) and project ID.
    Token { token: String, project: String },
    /// The IAM sign-in of a relayed environment (its token names the project).
    Session { auth: Auth, env: String },
}

impl std::fmt::Debug for HuaweiCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token { project, .. } => write!(f, "Token([secret], {project})"),
            Self::Session { env, .. } => write!(f, "Session({env})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HuaweiClient {
    pub endpoint: String,
    pub credential: HuaweiCredential,
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

impl HuaweiClient {
    fn url(&self, project: &str, path: &str) -> String {
        format!(
            "{}/v1/{}/cloud-phone{path}",
            self.endpoint.trim_end_matches('/'),
            encode(project.trim())
        )
    }

    /// Sends one request. With a session, a 401 (the token was revoked or
    /// has run out) asks for a new sign-in and sends once more.
    async fn call(
        &self,
        method: fn(&str) -> RequestBuilder,
        path: &str,
        payload: Payload,
    ) -> Result<Response, ApiError> {
        self.call_at(method, &|project| self.url(project, path), payload)
            .await
    }

    /// [`Self::call`] to the URL `at` makes of the project.
    async fn call_at(
        &self,
        method: fn(&str) -> RequestBuilder,
        at: &dyn Fn(&str) -> String,
        payload: Payload,
    ) -> Result<Response, ApiError> {
        match &self.credential {
            HuaweiCredential::Token { token, project } => {
                let url = at(project);
                send(
                    build(method, &url, ("X-Auth-Token", token.trim()), &payload),
                    &url,
                )
                .await
            }
            HuaweiCredential::Session { auth, env } => {
                let session = auth.huawei_token(env).await?;
                let url = at(&session.project_id);
                let first = build(method, &url, ("X-Auth-Token", &session.token), &payload);
                match send(first, &url).await {
                    Err(ApiError::Unauthorized { .. }) => {
                        auth.huawei_refused(env);
                        let session = auth.huawei_token(env).await?;
                        let url = at(&session.project_id);
                        let again = build(method, &url, ("X-Auth-Token", &session.token), &payload);
                        send(again, &url).await
                    }
                    other => other,
                }
            }
        }
    }

    /// `GET .../phones?offset=&limit=`
    pub async fn phones(&self, offset: u32, limit: u32) -> Result<PhoneList, ApiError> {
        let path = format!("/phones?offset={offset}&limit={limit}");
        json(self.call(Request::get, &path, Payload::Empty).await?).await
    }

    /// `POST .../phones-traffic` (at most 100 phone ids).
    pub async fn divert(&self, r: &TrafficRequest) -> Result<TrafficResponse, ApiError> {
        json(
            self.call(Request::post, "/phones-traffic", Payload::json(r)?)
                .await?,
        )
        .await
    }

    /// `GET {relay}/history{suffix}?{query}`: the environment's change
    /// history, read with this token.
    pub async fn history(&self, suffix: &str, query: &str) -> Result<Response, ApiError> {
        let url = format!(
            "{}/history{suffix}?{query}",
            self.endpoint.trim_end_matches('/')
        );
        self.call_at(Request::get, &|_| url.clone(), Payload::Empty)
            .await
    }

    /// `GET .../jobs?request_id=`
    pub async fn jobs(&self, request_id: &str) -> Result<JobList, ApiError> {
        let path = format!("/jobs?request_id={}&limit=1000", encode(request_id));
        json(self.call(Request::get, &path, Payload::Empty).await?).await
    }
}
