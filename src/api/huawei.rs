//! Huawei Cloud Phone (seed 004 and the CPH endpoints DESIGN.md adds).

use gloo_net::http::{Request, RequestBuilder, Response};
use numbers_core::huawei::signing;
use numbers_core::models::huawei::{JobList, PhoneList, TrafficRequest, TrafficResponse};

use super::credential::HuaweiKeys;
use super::renewal::SignedIn;
use numbers_core::endpoints::{EndpointId, Route};

use super::{build, build_with, endpoint, json, send, ApiError, Payload};

/// How a Huawei client proves who it is, and for which project.
#[derive(Clone, PartialEq)]
pub enum HuaweiCredential {
    /// A pasted X-Auth-Token (or the sandbox's dev token) and project ID.
    Token { token: String, project: String },
    /// The IAM sign-in of a relayed environment (its token names the project).
    Session { signed_in: SignedIn, env: String },
    /// An access key pair of a relayed environment whose own host is `host`:
    /// every request is signed here for that host.
    Keys { keys: HuaweiKeys, host: String },
}

impl std::fmt::Debug for HuaweiCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token { project, .. } => write!(f, "Token([secret], {project})"),
            Self::Session { env, .. } => write!(f, "Session({env})"),
            Self::Keys { keys, .. } => write!(f, "Keys({keys:?})"),
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
    /// Sends a documented endpoint's request (its `route`, with `query`) for
    /// the project. With a
    /// session, a 401 (the token was revoked or has run out) asks for a
    /// new sign-in and sends once more.
    async fn call(
        &self,
        route: Route,
        query: &str,
        payload: Payload,
    ) -> Result<Response, ApiError> {
        let base = self.endpoint.trim_end_matches('/');
        let verb = Verb::of(route);
        self.call_at(
            verb,
            &|project| format!("{base}{}", endpoint(route, &[project.trim()], query).1),
            payload,
        )
        .await
    }

    /// [`Self::call`] to the URL `at` makes of the project.
    async fn call_at(
        &self,
        verb: Verb,
        at: &dyn Fn(&str) -> String,
        payload: Payload,
    ) -> Result<Response, ApiError> {
        let method = verb.builder();
        match &self.credential {
            HuaweiCredential::Keys { keys, host } => {
                let url = at(&keys.project_id);
                // What Huawei receives: the path and query after the relay's prefix.
                let provider_url = url
                    .strip_prefix(self.endpoint.trim_end_matches('/'))
                    .unwrap_or(&url);
                let body = match &payload {
                    Payload::Json(text) => text.as_str(),
                    _ => "",
                };
                let [auth, extra @ ..] =
                    signed_headers(keys, host, verb.as_str(), provider_url, body).await?;
                send(
                    build_with(method, &url, (auth.0, &auth.1), &extra, &payload),
                    &url,
                )
                .await
            }
            HuaweiCredential::Token { token, project } => {
                let url = at(project);
                send(
                    build(method, &url, ("X-Auth-Token", token.trim()), &payload),
                    &url,
                )
                .await
            }
            HuaweiCredential::Session { signed_in, env } => {
                let session = signed_in.huawei_token(env).await?;
                let url = at(&session.project_id);
                let first = build(method, &url, ("X-Auth-Token", &session.token), &payload);
                match send(first, &url).await {
                    Err(ApiError::Unauthorized { .. }) => {
                        signed_in.huawei_refused(env);
                        let session = signed_in.huawei_token(env).await?;
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
        let query = format!("offset={offset}&limit={limit}");
        json(
            self.call(EndpointId::ListPhones.route(), &query, Payload::Empty)
                .await?,
        )
        .await
    }

    /// `POST .../phones-traffic` (at most 100 phone ids).
    pub async fn divert(&self, r: &TrafficRequest) -> Result<TrafficResponse, ApiError> {
        json(
            self.call(EndpointId::DivertTraffic.route(), "", Payload::json(r)?)
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
        if let HuaweiCredential::Keys { keys, host } = &self.credential {
            // A signature proves one request: the gateway asks Huawei with
            // this one (the project's first phone) whether the key is good.
            let probe = endpoint(
                EndpointId::ListPhones.route(),
                &[&keys.project_id],
                "limit=1",
            )
            .1;
            let [auth, extra @ ..] = signed_headers(keys, host, "GET", &probe, "").await?;
            return send(
                build_with(
                    Request::get,
                    &url,
                    (auth.0, &auth.1),
                    &extra,
                    &Payload::Empty,
                ),
                &url,
            )
            .await;
        }
        self.call_at(Verb::Get, &|_| url.clone(), Payload::Empty)
            .await
    }

    /// `GET .../jobs?request_id=`
    pub async fn jobs(&self, request_id: &str) -> Result<JobList, ApiError> {
        let query = format!("request_id={}&limit=1000", encode(request_id));
        json(
            self.call(EndpointId::ListJobs.route(), &query, Payload::Empty)
                .await?,
        )
        .await
    }
}

/// The methods the Huawei client sends.
#[derive(Debug, Clone, Copy)]
enum Verb {
    Get,
    Post,
}

impl Verb {
    /// The method a route takes (CPH's are reads and one change).
    fn of(route: Route) -> Self {
        if route.method == numbers_core::endpoints::Method::Post {
            Self::Post
        } else {
            Self::Get
        }
    }

    fn builder(self) -> fn(&str) -> RequestBuilder {
        match self {
            Self::Get => Request::get,
            Self::Post => Request::post,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// The headers that sign `method provider_url` with `keys` for `host`
/// (Authorization first): what the browser sends besides Host, which the
/// gateway sets to `host` when it relays, and the `Content-Type:
/// application/json` the request builder sets for a JSON body. The HMAC is
/// the browser's (WebCrypto), with a key that cannot be exported.
async fn signed_headers(
    keys: &HuaweiKeys,
    host: &str,
    method: &str,
    provider_url: &str,
    body: &str,
) -> Result<[(&'static str, String); 3], ApiError> {
    let unsigned = signing::prepare(
        &keys.project_id,
        method,
        host,
        provider_url,
        body,
        js_sys::Date::now() as i64,
    );
    let signature = keys
        .secret
        .sign_hex(&unsigned.string_to_sign)
        .await
        .map_err(|e| ApiError::Signing(e.to_string()))?;
    Ok(unsigned.signed_with(&keys.access_key, &signature))
}
