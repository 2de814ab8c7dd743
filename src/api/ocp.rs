//! Omilia OCP: numbers, sets, CSV and routers (seeds 000, 001, 002).

use gloo_net::http::{Request, RequestBuilder, Response};
use numbers_core::miniapp::MiniApp;
use numbers_core::models::ocp::*;
use numbers_core::models::review::{NewRequest, OpenTargets, RequestList, RequestView, Verdict};
use numbers_core::models::run::{Handover, NewRun, RunCommand, RunDrift, RunList, RunView};
use numbers_core::models::schedule::{NewPlan, PlanCommand, PlanList, PlanView};
use serde::Serialize;

use numbers_core::endpoints::{EndpointId as Id, Route};

use super::renewal::SignedIn;
use super::{build_with, endpoint, json, send, ApiError, Payload};

/// How an OCP client proves who it is.
#[derive(Clone, PartialEq)]
pub enum Credential {
    /// A bearer token pasted in Settings (or the sandbox's dev token).
    Token(String),
    /// The signed-in session of a relayed environment: renewed as needed.
    Session { signed_in: SignedIn, env: String },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Token([secret])"),
            Self::Session { env, .. } => write!(f, "Session({env})"),
        }
    }
}

/// A client of one OCP environment.
#[derive(Debug, Clone, PartialEq)]
pub struct OcpClient {
    pub base: String,
    pub credential: Credential,
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

impl OcpClient {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base.trim_end_matches('/'), path)
    }

    /// Sends one request with the current credential. With a session, a
    /// 401 renews it (or asks for a new sign-in) and sends once more: the
    /// provider refused the first, so nothing of it was applied.
    async fn request(
        &self,
        method: fn(&str) -> RequestBuilder,
        path: &str,
        extra: &[(&str, String)],
        payload: Payload,
    ) -> Result<Response, ApiError> {
        let url = self.url(path);
        let attempt = |token: &str| {
            let bearer = format!("Bearer {}", token.trim());
            build_with(method, &url, ("Authorization", &bearer), extra, &payload)
        };
        match &self.credential {
            Credential::Token(token) => send(attempt(token), &url).await,
            Credential::Session { signed_in, env } => {
                let token = signed_in.ocp_token(env).await?;
                match send(attempt(&token), &url).await {
                    Err(ApiError::Unauthorized { .. }) => {
                        signed_in.renew_ocp(env).await?;
                        let token = signed_in.ocp_token(env).await?;
                        send(attempt(&token), &url).await
                    }
                    other => other,
                }
            }
        }
    }

    /// Sends a documented endpoint's request (its `route`), its path with `params`
    /// (and `query`, without its `?`), from the endpoint registry.
    async fn call(
        &self,
        route: Route,
        params: &[&str],
        query: &str,
        payload: Payload,
    ) -> Result<Response, ApiError> {
        let (method, path) = endpoint(route, params, query);
        self.request(method, &path, &[], payload).await
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        route: Route,
        params: &[&str],
        query: &str,
    ) -> Result<T, ApiError> {
        json(self.call(route, params, query, Payload::Empty).await?).await
    }

    async fn with_body<B: Serialize, T: serde::de::DeserializeOwned>(
        &self,
        route: Route,
        params: &[&str],
        body: &B,
    ) -> Result<T, ApiError> {
        json(self.call(route, params, "", Payload::json(body)?).await?).await
    }

    async fn without_body<T: serde::de::DeserializeOwned>(
        &self,
        route: Route,
        params: &[&str],
    ) -> Result<T, ApiError> {
        json(self.call(route, params, "", Payload::Empty).await?).await
    }

    pub async fn list_numbers(&self, q: &ListNumbersQuery) -> Result<NumbersPage, ApiError> {
        let mut params = Vec::new();
        if let Some(p) = q.page {
            params.push(format!("page={p}"));
        }
        if let Some(p) = q.page_size {
            params.push(format!("pageSize={p}"));
        }
        if let Some(t) = q.search_term.as_deref().filter(|t| !t.is_empty()) {
            params.push(format!("searchTerm={}", encode(t)));
        }
        if let Some(o) = q.order_by {
            params.push(format!("orderBy={}", o.as_str()));
        }
        if let Some(d) = q.direction {
            params.push(format!("direction={}", d.as_str()));
        }
        self.get(Id::ListNumbers.route(), &[], &params.join("&"))
            .await
    }

    pub async fn search(&self, s: &AdvancedSearch) -> Result<NumbersPage, ApiError> {
        self.with_body(Id::SearchNumbers.route(), &[], s).await
    }

    pub async fn available(
        &self,
        r: &AvailableNumbersRequest,
    ) -> Result<Vec<AvailableNumber>, ApiError> {
        self.with_body(Id::FindNumbersToBuy.route(), &[], r).await
    }

    pub async fn buy(&self, r: &BuyRequest) -> Result<BuyResponse, ApiError> {
        self.with_body(Id::BuyNumbers.route(), &[], r).await
    }

    pub async fn update_group(&self, r: &UpdateGroupRequest) -> Result<StatusResponse, ApiError> {
        self.with_body(Id::MoveToGroup.route(), &[], r).await
    }

    pub async fn detach(&self, numbers: &[String]) -> Result<StatusResponse, ApiError> {
        self.with_body(
            Id::Detach.route(),
            &[],
            &NumberList {
                numbers: numbers.to_vec(),
            },
        )
        .await
    }

    pub async fn attach(&self, r: &AttachRequest) -> Result<StatusResponse, ApiError> {
        self.with_body(Id::Attach.route(), &[], r).await
    }

    pub async fn note(&self, r: &NoteRequest) -> Result<StatusResponse, ApiError> {
        self.with_body(Id::Note.route(), &[], r).await
    }

    pub async fn add_direct(&self, r: &DirectAddRequest) -> Result<StatusResponse, ApiError> {
        self.with_body(Id::AddDirectly.route(), &[], r).await
    }

    pub async fn delete_number(&self, number: &str) -> Result<StatusResponse, ApiError> {
        self.without_body(Id::DeleteNumber.route(), &[number]).await
    }

    /// `POST /api/numbers/csv`: CSV text (a JSON-encoded string is unwrapped).
    pub async fn export_csv(&self, s: &AdvancedSearch) -> Result<String, ApiError> {
        let response = self
            .call(Id::CsvExport.route(), &[], "", Payload::json(s)?)
            .await?;
        let text = response
            .text()
            .await
            .map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok(serde_json::from_str::<String>(&text).unwrap_or(text))
    }

    pub async fn sets(&self) -> Result<Vec<NumberSet>, ApiError> {
        self.get(Id::ListSets.route(), &[], "").await
    }

    pub async fn sets_of_group(&self, group: &str) -> Result<Vec<NumberSet>, ApiError> {
        self.get(Id::ListSetsOfGroup.route(), &[group], "").await
    }

    pub async fn set(&self, id: &str) -> Result<NumberSet, ApiError> {
        self.get(Id::ReadSet.route(), &[id], "").await
    }

    pub async fn create_set(&self, r: &CreateSetRequest) -> Result<NumberSet, ApiError> {
        self.with_body(Id::CreateSet.route(), &[], r).await
    }

    pub async fn update_set(
        &self,
        id: &str,
        r: &UpdateSetRequest,
    ) -> Result<StatusResponse, ApiError> {
        self.with_body(Id::UpdateSet.route(), &[id], r).await
    }

    pub async fn delete_set(&self, id: &str) -> Result<StatusResponse, ApiError> {
        self.without_body(Id::DeleteSet.route(), &[id]).await
    }

    pub async fn set_numbers(&self, id: &str) -> Result<Vec<NumberRecord>, ApiError> {
        self.get(Id::ListSetNumbers.route(), &[id], "").await
    }

    pub async fn add_to_set(
        &self,
        id: &str,
        numbers: &[String],
    ) -> Result<StatusResponse, ApiError> {
        self.set_membership(Id::AddToSet.route(), id, numbers).await
    }

    pub async fn remove_from_set(
        &self,
        id: &str,
        numbers: &[String],
    ) -> Result<StatusResponse, ApiError> {
        self.set_membership(Id::RemoveFromSet.route(), id, numbers)
            .await
    }

    /// `POST` (add) or `DELETE` (remove) `/api/numbers-set/{id}/numbers`.
    async fn set_membership(
        &self,
        endpoint: Route,
        id: &str,
        numbers: &[String],
    ) -> Result<StatusResponse, ApiError> {
        let body = NumberList {
            numbers: numbers.to_vec(),
        };
        self.with_body(endpoint, &[id], &body).await
    }

    pub async fn attach_set(
        &self,
        id: &str,
        r: &AttachRequest,
    ) -> Result<StatusResponse, ApiError> {
        self.with_body(Id::AttachSet.route(), &[id], r).await
    }

    pub async fn detach_set(&self, id: &str) -> Result<StatusResponse, ApiError> {
        self.without_body(Id::DetachSet.route(), &[id]).await
    }

    pub async fn delete_purchased_in_set(&self, id: &str) -> Result<StatusResponse, ApiError> {
        self.without_body(Id::DeletePurchasedInSet.route(), &[id])
            .await
    }

    pub async fn routers(&self, in_progress: bool) -> Result<Vec<RouterRecord>, ApiError> {
        self.get(
            Id::ListRouters.route(),
            &[],
            &format!("isInProgress={in_progress}"),
        )
        .await
    }

    pub async fn router(&self, id: &str) -> Result<RouterRecord, ApiError> {
        self.get(Id::ReadRouter.route(), &[id], "").await
    }

    pub async fn router_of_number(&self, number: &str) -> Result<RouterRecord, ApiError> {
        self.get(Id::ReadRouterOfNumber.route(), &[number], "")
            .await
    }

    pub async fn create_router(&self, r: &CreateRouterRequest) -> Result<RouterRecord, ApiError> {
        self.with_body(Id::CreateRouter.route(), &[], r).await
    }

    pub async fn update_router(&self, r: &UpdateRouterRequest) -> Result<StatusResponse, ApiError> {
        self.with_body(Id::UpdateRouter.route(), &[], r).await
    }

    pub async fn next_step(&self, number: &str) -> Result<StatusResponse, ApiError> {
        self.without_body(Id::NextStep.route(), &[number]).await
    }

    pub async fn complete_router(&self, id: &str) -> Result<StatusResponse, ApiError> {
        self.without_body(Id::CompleteRouter.route(), &[id]).await
    }

    pub async fn delete_router(&self, id: &str) -> Result<StatusResponse, ApiError> {
        self.without_body(Id::DeleteRouter.route(), &[id]).await
    }

    /// `PUT /api/numbers/csv`: one CSV file as multipart/form-data. `place`
    /// (run id, batch, batches) tells the gateway's history which run and
    /// batch this is; the provider never sees it.
    pub async fn apply_csv(
        &self,
        file_name: &str,
        csv: &str,
        place: Option<(&str, usize, usize)>,
    ) -> Result<StatusResponse, ApiError> {
        let form = web_sys::FormData::new()
            .map_err(|_| ApiError::Invalid("The upload could not be prepared.".into()))?;
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(csv));
        let bag = web_sys::BlobPropertyBag::new();
        bag.set_type("text/csv");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag)
            .map_err(|_| ApiError::Invalid("The upload could not be prepared.".into()))?;
        form.append_with_blob_and_filename("file", &blob, file_name)
            .map_err(|_| ApiError::Invalid("The upload could not be prepared.".into()))?;
        let (method, path) = endpoint(Id::CsvBatch.route(), &[], "");
        let extra: Vec<(&str, String)> = place
            .filter(|(run, _, _)| !run.is_empty())
            .map(|(run, k, n)| {
                vec![
                    ("X-Numbers-Csv-Run", run.to_string()),
                    ("X-Numbers-Csv-Batch", format!("{}/{n}", k + 1)),
                ]
            })
            .unwrap_or_default();
        json(
            self.request(method, &path, &extra, Payload::Form(form))
                .await?,
        )
        .await
    }

    /// `GET {relay}/history{suffix}?{query}`: this environment's change
    /// history, read with this credential.
    pub async fn history(&self, suffix: &str, query: &str) -> Result<Response, ApiError> {
        self.request(
            Request::get,
            &format!("/history{suffix}?{query}"),
            &[],
            Payload::Empty,
        )
        .await
    }

    /// `GET {relay}/schedules`: the environment's rollout plans this
    /// credential may see, and whether the gateway runs plans here.
    pub async fn schedules(&self) -> Result<PlanList, ApiError> {
        json(
            self.request(Request::get, "/schedules", &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// `POST {relay}/schedules`: a plan the gateway runs itself.
    pub async fn create_schedule(&self, plan: &NewPlan) -> Result<PlanView, ApiError> {
        json(
            self.request(Request::post, "/schedules", &[], Payload::json(plan)?)
                .await?,
        )
        .await
    }

    /// `POST {relay}/schedules/{id}/{command}`: pause, resume, cancel, step now.
    pub async fn steer_schedule(
        &self,
        id: i64,
        command: PlanCommand,
    ) -> Result<PlanView, ApiError> {
        let path = format!("/schedules/{id}/{}", command.as_str());
        json(
            self.request(Request::post, &path, &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// `GET {relay}/runs`: the environment's runs on the gateway that this
    /// credential may see, open ones first.
    pub async fn runs(&self) -> Result<RunList, ApiError> {
        json(
            self.request(Request::get, "/runs", &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// `POST {relay}/runs`: a file handed to the gateway, which runs it.
    pub async fn hand_over_run(&self, run: &NewRun) -> Result<RunView, ApiError> {
        json(
            self.request(Request::post, "/runs", &[], Payload::json(run)?)
                .await?,
        )
        .await
    }

    /// `GET {relay}/runs/{id}`: one run as it stands.
    pub async fn run(&self, id: i64) -> Result<RunView, ApiError> {
        json(
            self.request(Request::get, &format!("/runs/{id}"), &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// `POST {relay}/runs/{id}/{command}`: pause, cancel, or (with the
    /// person's password) resume or revert; the run as it now stands (a
    /// revert: the new run).
    pub async fn steer_run(
        &self,
        id: i64,
        command: RunCommand,
        handover: &Handover,
    ) -> Result<RunView, ApiError> {
        let path = format!("/runs/{id}/{}", command.as_str());
        json(
            self.request(Request::post, &path, &[], Payload::json(handover)?)
                .await?,
        )
        .await
    }

    /// `GET {relay}/runs/{id}/drift`: what changed on OCP, since the run was
    /// handed over, among the numbers it has still to change.
    pub async fn run_drift(&self, id: i64) -> Result<RunDrift, ApiError> {
        let path = format!("/runs/{id}/drift");
        json(
            self.request(Request::get, &path, &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// `GET {relay}/runs/{id}/{file}`: `failed.csv`, `backup.csv` or `revert.csv`.
    pub async fn run_file(&self, id: i64, file: &str) -> Result<String, ApiError> {
        self.request(
            Request::get,
            &format!("/runs/{id}/{file}"),
            &[],
            Payload::Empty,
        )
        .await?
        .text()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// `GET {relay}/requests`: the environment's change requests this
    /// credential may see, and its review policy.
    pub async fn change_requests(&self) -> Result<RequestList, ApiError> {
        json(
            self.request(Request::get, "/requests", &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// `GET {relay}/requests/targets`: what open requests would change.
    pub async fn request_targets(&self) -> Result<OpenTargets, ApiError> {
        json(
            self.request(Request::get, "/requests/targets", &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// The numbers of [`Self::request_targets`] alone (the numbers page's).
    pub async fn numbers_in_requests(
        &self,
    ) -> Result<std::collections::BTreeMap<String, i64>, ApiError> {
        #[derive(serde::Deserialize)]
        struct Numbers {
            numbers: std::collections::BTreeMap<String, i64>,
        }
        let found: Numbers = json(
            self.request(Request::get, "/requests/targets", &[], Payload::Empty)
                .await?,
        )
        .await?;
        Ok(found.numbers)
    }

    /// `POST {relay}/requests`: a checked file put up for review.
    /// The request's number: the numbers page asks for review too, and its
    /// code stays small without reading the whole request here.
    pub async fn request_review(&self, new: &NewRequest) -> Result<i64, ApiError> {
        #[derive(serde::Deserialize)]
        struct Made {
            id: i64,
        }
        let made: Made = json(
            self.request(Request::post, "/requests", &[], Payload::json(new)?)
                .await?,
        )
        .await?;
        Ok(made.id)
    }

    /// `POST {relay}/requests/{id}/{action}`: approve, decline, comment or
    /// withdraw; the request as it now stands.
    pub async fn review_action(
        &self,
        id: i64,
        action: &str,
        text: &str,
    ) -> Result<RequestView, ApiError> {
        let verdict = Verdict {
            text: text.to_string(),
        };
        json(
            self.request(
                Request::post,
                &format!("/requests/{id}/{action}"),
                &[],
                Payload::json(&verdict)?,
            )
            .await?,
        )
        .await
    }

    /// `GET {relay}/requests/{id}/drift`: what changed on OCP since the
    /// request was made, among its numbers.
    pub async fn request_drift(&self, id: i64) -> Result<RunDrift, ApiError> {
        let path = format!("/requests/{id}/drift");
        json(
            self.request(Request::get, &path, &[], Payload::Empty)
                .await?,
        )
        .await
    }

    /// `GET {relay}/requests/{id}/file.csv`: the file as it was frozen.
    pub async fn request_file(&self, id: i64) -> Result<String, ApiError> {
        self.request(
            Request::get,
            &format!("/requests/{id}/file.csv"),
            &[],
            Payload::Empty,
        )
        .await?
        .text()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// The miniApps the account's numbers are attached to.
    pub async fn mini_apps(&self) -> Result<Vec<MiniApp>, ApiError> {
        Ok(MiniApp::used_by(&self.all_numbers().await?))
    }

    /// Every number the token sees, page by page (for previews against state).
    pub async fn all_numbers(&self) -> Result<Vec<NumberRecord>, ApiError> {
        let mut all = Vec::new();
        for page in 1..=50 {
            let q = ListNumbersQuery {
                page: Some(page),
                page_size: Some(10_000),
                ..Default::default()
            };
            let p = self.list_numbers(&q).await?;
            all.extend(p.numbers);
            if page >= p.number_of_pages {
                break;
            }
        }
        Ok(all)
    }
}
