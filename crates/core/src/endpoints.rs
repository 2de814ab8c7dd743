//! Every documented endpoint of the three providers, as (method, path
//! template): what a relay may forward, and nothing else. A path is matched
//! segment by segment on its raw (percent-encoded) form; a parameter is
//! decoded once and must be a plain identifier, so no accepted path can
//! climb out of the provider's API (`..`, `%2e%2e`, `%2f`, `//host`, `@`,
//! backslashes are all refused).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// Who provides an API.
pub enum Provider {
    /// Omilia OCP (numbers, sets, routers, CSV).
    Ocp,
    /// Exotel number masking.
    Exotel,
    /// Huawei cloud phones.
    Huawei,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Provider; 3] = [Self::Ocp, Self::Exotel, Self::Huawei];

    /// The name in relay paths and settings (`ocp`, `exotel`, `huawei`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ocp => "ocp",
            Self::Exotel => "exotel",
            Self::Huawei => "huawei",
        }
    }

    /// The provider a name names.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ocp => "Omilia OCP",
            Self::Exotel => "Exotel",
            Self::Huawei => "Huawei Cloud Phone",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// An HTTP method a documented endpoint takes.
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as HTTP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// The method an HTTP method name names (case-sensitive, as HTTP is).
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Get, Self::Post, Self::Put, Self::Patch, Self::Delete]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// What a request to the endpoint carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// Nothing, or a small JSON document.
    Json,
    /// A CSV file as multipart/form-data (up to the CSV size limit).
    CsvUpload,
}

/// Every documented endpoint by name: what the console asks for, the
/// history describes and the sandbox serves, each the one row of
/// [`ENDPOINTS`] it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointId {
    /// `GET /api/numbers` (list numbers).
    ListNumbers,
    /// `POST /api/numbers` (find numbers to buy).
    FindNumbersToBuy,
    /// `PUT /api/numbers` (buy numbers).
    BuyNumbers,
    /// `POST /api/numbers/search` (search numbers).
    SearchNumbers,
    /// `PUT /api/numbers/group` (move to group).
    MoveToGroup,
    /// `PUT /api/numbers/detach` (detach).
    Detach,
    /// `PUT /api/numbers/attach` (attach).
    Attach,
    /// `PUT /api/number/note` (note).
    Note,
    /// `POST /api/numbers/direct` (add directly).
    AddDirectly,
    /// `DELETE /api/numbers/delete/{number}` (delete).
    DeleteNumber,
    /// `POST /api/numbers/csv` (CSV export).
    CsvExport,
    /// `PUT /api/numbers/csv` (CSV batch).
    CsvBatch,
    /// `GET /api/numbers-set` (list sets).
    ListSets,
    /// `POST /api/numbers-set` (create set).
    CreateSet,
    /// `GET /api/numbers-set/group/{groupId}` (list sets of group).
    ListSetsOfGroup,
    /// `GET /api/numbers-set/{setId}` (read set).
    ReadSet,
    /// `PATCH /api/numbers-set/{setId}` (update set).
    UpdateSet,
    /// `DELETE /api/numbers-set/{setId}` (delete set).
    DeleteSet,
    /// `GET /api/numbers-set/{setId}/numbers` (list set numbers).
    ListSetNumbers,
    /// `POST /api/numbers-set/{setId}/numbers` (add to set).
    AddToSet,
    /// `DELETE /api/numbers-set/{setId}/numbers` (remove from set).
    RemoveFromSet,
    /// `PUT /api/numbers-set/{setId}/attach` (attach set).
    AttachSet,
    /// `PUT /api/numbers-set/{setId}/detach` (detach set).
    DetachSet,
    /// `DELETE /api/numbers-set/{setId}/delete` (delete purchased in set).
    DeletePurchasedInSet,
    /// `GET /api/numbers-routing` (list routers).
    ListRouters,
    /// `POST /api/numbers-routing` (create router).
    CreateRouter,
    /// `PUT /api/numbers-routing` (update router).
    UpdateRouter,
    /// `GET /api/numbers-routing/number/{number}` (read router of number).
    ReadRouterOfNumber,
    /// `POST /api/numbers-routing/number/{number}/next-step` (next step).
    NextStep,
    /// `GET /api/numbers-routing/{id}` (read router).
    ReadRouter,
    /// `DELETE /api/numbers-routing/{id}` (delete router).
    DeleteRouter,
    /// `POST /api/numbers-routing/{id}/complete` (complete router).
    CompleteRouter,
    /// `POST /v1/tenants/{sid}/greenvn` (allocate).
    Allocate,
    /// `GET /v1/tenants/{sid}/greenvn/{greenvnId}` (read allocation).
    ReadAllocation,
    /// `DELETE /v1/tenants/{sid}/greenvn/{greenvnId}` (deallocate).
    Deallocate,
    /// `PUT /v1/tenants/{sid}/greenvn/{greenvnId}/call-party` (update parties).
    UpdateParties,
    /// `PUT /v1/tenants/{sid}/greenvn/{greenvnId}/vn` (change VN).
    ChangeVn,
    /// `POST /v1/{projectId}/cloud-phone/phones-traffic` (divert traffic).
    DivertTraffic,
    /// `GET /v1/{projectId}/cloud-phone/phones` (list phones).
    ListPhones,
    /// `GET /v1/{projectId}/cloud-phone/jobs` (list jobs).
    ListJobs,
    /// `GET /v1/{projectId}/cloud-phone/jobs/{jobId}` (read job).
    ReadJob,
}

impl EndpointId {
    /// Every endpoint, in [`ENDPOINTS`]' order.
    pub const ALL: [Self; 41] = [
        Self::ListNumbers,
        Self::FindNumbersToBuy,
        Self::BuyNumbers,
        Self::SearchNumbers,
        Self::MoveToGroup,
        Self::Detach,
        Self::Attach,
        Self::Note,
        Self::AddDirectly,
        Self::DeleteNumber,
        Self::CsvExport,
        Self::CsvBatch,
        Self::ListSets,
        Self::CreateSet,
        Self::ListSetsOfGroup,
        Self::ReadSet,
        Self::UpdateSet,
        Self::DeleteSet,
        Self::ListSetNumbers,
        Self::AddToSet,
        Self::RemoveFromSet,
        Self::AttachSet,
        Self::DetachSet,
        Self::DeletePurchasedInSet,
        Self::ListRouters,
        Self::CreateRouter,
        Self::UpdateRouter,
        Self::ReadRouterOfNumber,
        Self::NextStep,
        Self::ReadRouter,
        Self::DeleteRouter,
        Self::CompleteRouter,
        Self::Allocate,
        Self::ReadAllocation,
        Self::Deallocate,
        Self::UpdateParties,
        Self::ChangeVn,
        Self::DivertTraffic,
        Self::ListPhones,
        Self::ListJobs,
        Self::ReadJob,
    ];

    /// The row of [`ENDPOINTS`] this names.
    pub fn endpoint(self) -> &'static Endpoint {
        // The table lists the ids in this order (a test checks it).
        &ENDPOINTS[self as usize]
    }

    /// [`Endpoint::path`] of this endpoint.
    pub fn path(self, params: &[&str]) -> String {
        self.endpoint().path(params)
    }

    /// Its method and path template alone. A caller that names a fixed id
    /// gets them as constants, and a program that asks nothing more (the
    /// console) is built without the rest of the table.
    #[inline(always)]
    pub const fn route(self) -> Route {
        let e = &ENDPOINTS[self as usize];
        Route {
            method: e.method,
            template: e.template,
        }
    }
}

/// An endpoint's method and path template ([`EndpointId::route`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Its HTTP method.
    pub method: Method,
    /// Its path template (`{name}` is one segment).
    pub template: &'static str,
}

impl Route {
    /// [`Endpoint::path`] for this route.
    pub fn path(&self, params: &[&str]) -> String {
        fill(self.template, params)
    }
}

/// `template` with `params` in its `{…}` segments, in order, each
/// percent-encoded as the relay forwards it (a missing one is empty).
fn fill(template: &str, params: &[&str]) -> String {
    let mut values = params.iter();
    let mut out = String::with_capacity(template.len() + 32);
    for segment in template.split('/').skip(1) {
        out.push('/');
        if is_param(segment) {
            encode_into(values.next().copied().unwrap_or_default(), &mut out);
        } else {
            out.push_str(segment);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// One documented endpoint of a provider.
pub struct Endpoint {
    /// Its name.
    pub id: EndpointId,
    /// Whose API it is.
    pub provider: Provider,
    /// Its HTTP method.
    pub method: Method,
    /// Relative to the provider's base URL; `{name}` is one path segment.
    pub template: &'static str,
    /// What it does, as a person would say it.
    pub action: &'static str,
    /// Whether it changes anything at the provider.
    pub changes: bool,
    /// What its request body is.
    pub body: Body,
}

impl Endpoint {
    /// Its path with `params` in its `{…}` segments, in order, each
    /// percent-encoded as the relay forwards it (a missing one is empty).
    ///
    /// ```
    /// use numbers_core::endpoints::{find, EndpointId, Provider};
    ///
    /// let path = EndpointId::DeleteNumber.path(&["+12015550100"]);
    /// assert_eq!(path, "/api/numbers/delete/%2B12015550100");
    /// let m = find(Provider::Ocp, "DELETE", &path).expect("documented");
    /// assert_eq!(m.endpoint.id, EndpointId::DeleteNumber);
    /// ```
    pub fn path(&self, params: &[&str]) -> String {
        fill(self.template, params)
    }
}

const fn ep(
    id: EndpointId,
    provider: Provider,
    method: Method,
    template: &'static str,
    action: &'static str,
    changes: bool,
) -> Endpoint {
    Endpoint {
        id,
        provider,
        method,
        template,
        action,
        changes,
        body: Body::Json,
    }
}

use EndpointId::*;
use Method::{Delete, Get, Patch, Post, Put};
use Provider::{Exotel, Huawei, Ocp};

/// The seeds' endpoints (and the Huawei list and job reads DESIGN.md adds).
/// Literal segments are listed before parameters where both could match.
pub const ENDPOINTS: &[Endpoint] = &[
    // OCP numbers (seed 001)
    ep(ListNumbers, Ocp, Get, "/api/numbers", "list numbers", false),
    ep(
        FindNumbersToBuy,
        Ocp,
        Post,
        "/api/numbers",
        "find numbers to buy",
        false,
    ),
    ep(BuyNumbers, Ocp, Put, "/api/numbers", "buy numbers", true),
    ep(
        SearchNumbers,
        Ocp,
        Post,
        "/api/numbers/search",
        "search numbers",
        false,
    ),
    ep(
        MoveToGroup,
        Ocp,
        Put,
        "/api/numbers/group",
        "move to group",
        true,
    ),
    ep(Detach, Ocp, Put, "/api/numbers/detach", "detach", true),
    ep(Attach, Ocp, Put, "/api/numbers/attach", "attach", true),
    ep(Note, Ocp, Put, "/api/number/note", "note", true),
    ep(
        AddDirectly,
        Ocp,
        Post,
        "/api/numbers/direct",
        "add directly",
        true,
    ),
    ep(
        DeleteNumber,
        Ocp,
        Delete,
        "/api/numbers/delete/{number}",
        "delete",
        true,
    ),
    // OCP CSV (seed 002)
    ep(
        CsvExport,
        Ocp,
        Post,
        "/api/numbers/csv",
        "CSV export",
        false,
    ),
    Endpoint {
        body: Body::CsvUpload,
        ..ep(CsvBatch, Ocp, Put, "/api/numbers/csv", "CSV batch", true)
    },
    // OCP phone-number sets (seed 001)
    ep(ListSets, Ocp, Get, "/api/numbers-set", "list sets", false),
    ep(CreateSet, Ocp, Post, "/api/numbers-set", "create set", true),
    ep(
        ListSetsOfGroup,
        Ocp,
        Get,
        "/api/numbers-set/group/{groupId}",
        "list sets of group",
        false,
    ),
    ep(
        ReadSet,
        Ocp,
        Get,
        "/api/numbers-set/{setId}",
        "read set",
        false,
    ),
    ep(
        UpdateSet,
        Ocp,
        Patch,
        "/api/numbers-set/{setId}",
        "update set",
        true,
    ),
    ep(
        DeleteSet,
        Ocp,
        Delete,
        "/api/numbers-set/{setId}",
        "delete set",
        true,
    ),
    ep(
        ListSetNumbers,
        Ocp,
        Get,
        "/api/numbers-set/{setId}/numbers",
        "list set numbers",
        false,
    ),
    ep(
        AddToSet,
        Ocp,
        Post,
        "/api/numbers-set/{setId}/numbers",
        "add to set",
        true,
    ),
    ep(
        RemoveFromSet,
        Ocp,
        Delete,
        "/api/numbers-set/{setId}/numbers",
        "remove from set",
        true,
    ),
    ep(
        AttachSet,
        Ocp,
        Put,
        "/api/numbers-set/{setId}/attach",
        "attach set",
        true,
    ),
    ep(
        DetachSet,
        Ocp,
        Put,
        "/api/numbers-set/{setId}/detach",
        "detach set",
        true,
    ),
    ep(
        DeletePurchasedInSet,
        Ocp,
        Delete,
        "/api/numbers-set/{setId}/delete",
        "delete purchased in set",
        true,
    ),
    // OCP routers (seed 000)
    ep(
        ListRouters,
        Ocp,
        Get,
        "/api/numbers-routing",
        "list routers",
        false,
    ),
    ep(
        CreateRouter,
        Ocp,
        Post,
        "/api/numbers-routing",
        "create router",
        true,
    ),
    ep(
        UpdateRouter,
        Ocp,
        Put,
        "/api/numbers-routing",
        "update router",
        true,
    ),
    ep(
        ReadRouterOfNumber,
        Ocp,
        Get,
        "/api/numbers-routing/number/{number}",
        "read router of number",
        false,
    ),
    ep(
        NextStep,
        Ocp,
        Post,
        "/api/numbers-routing/number/{number}/next-step",
        "next step",
        true,
    ),
    ep(
        ReadRouter,
        Ocp,
        Get,
        "/api/numbers-routing/{id}",
        "read router",
        false,
    ),
    ep(
        DeleteRouter,
        Ocp,
        Delete,
        "/api/numbers-routing/{id}",
        "delete router",
        true,
    ),
    ep(
        CompleteRouter,
        Ocp,
        Post,
        "/api/numbers-routing/{id}/complete",
        "complete router",
        true,
    ),
    // Exotel GreenVN (seed 003)
    ep(
        Allocate,
        Exotel,
        Post,
        "/v1/tenants/{sid}/greenvn",
        "allocate",
        true,
    ),
    ep(
        ReadAllocation,
        Exotel,
        Get,
        "/v1/tenants/{sid}/greenvn/{greenvnId}",
        "read allocation",
        false,
    ),
    ep(
        Deallocate,
        Exotel,
        Delete,
        "/v1/tenants/{sid}/greenvn/{greenvnId}",
        "deallocate",
        true,
    ),
    ep(
        UpdateParties,
        Exotel,
        Put,
        "/v1/tenants/{sid}/greenvn/{greenvnId}/call-party",
        "update parties",
        true,
    ),
    ep(
        ChangeVn,
        Exotel,
        Put,
        "/v1/tenants/{sid}/greenvn/{greenvnId}/vn",
        "change VN",
        true,
    ),
    // Huawei Cloud Phone (seed 004, and DESIGN.md's reads)
    ep(
        DivertTraffic,
        Huawei,
        Post,
        "/v1/{projectId}/cloud-phone/phones-traffic",
        "divert traffic",
        true,
    ),
    ep(
        ListPhones,
        Huawei,
        Get,
        "/v1/{projectId}/cloud-phone/phones",
        "list phones",
        false,
    ),
    ep(
        ListJobs,
        Huawei,
        Get,
        "/v1/{projectId}/cloud-phone/jobs",
        "list jobs",
        false,
    ),
    ep(
        ReadJob,
        Huawei,
        Get,
        "/v1/{projectId}/cloud-phone/jobs/{jobId}",
        "read job",
        false,
    ),
];

/// The longest parameter accepted (ids, numbers and names are far shorter).
pub const MAX_PARAM_LEN: usize = 128;

/// Why a path is not forwarded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the path must start with / and have no empty segment")]
    /// The path does not start with `/`, or has an empty segment.
    Shape,
    #[error("a path segment is not a plain identifier (no dots alone, slashes, backslashes, @ or control characters)")]
    /// A segment is not allowed (`..`, an encoded `/`, a backslash…).
    Segment,
    #[error("{method} {path} is not a documented {provider} endpoint")]
    /// No documented endpoint has this method and path.
    NotDocumented {
        /// The provider asked.
        provider: Provider,
        /// The method asked.
        method: String,
        /// The path asked.
        path: String,
    },
}

/// A request that names a documented endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The endpoint matched.
    pub endpoint: &'static Endpoint,
    /// Each parameter's name and decoded value, in path order.
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    /// The path to send upstream: the template with each parameter
    /// percent-encoded (everything but RFC 3986's unreserved characters).
    pub fn upstream_path(&self) -> String {
        let values: Vec<&str> = self.params.iter().map(|(_, v)| v.as_str()).collect();
        self.endpoint.path(&values)
    }

    /// The decoded value of the parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn encode_into(value: &str, out: &mut String) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Decodes a raw path segment's `%XX` escapes; `None` for a malformed escape
/// or bytes that are not UTF-8.
fn decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A decoded parameter a relay may forward: letters, digits and `- _ . + ~`,
/// not `.` or `..`, not empty, not too long.
pub fn valid_param(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_PARAM_LEN
        && value != "."
        && value != ".."
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'~'))
}

/// Finds the documented endpoint that `method` and the raw `path` (as sent,
/// still percent-encoded, without the query) name for `provider`.
///
/// ```
/// use numbers_core::endpoints::{find, PathError, Provider};
///
/// let m = find(Provider::Ocp, "DELETE", "/api/numbers/delete/%2B12015550100").expect("documented");
/// assert_eq!(m.endpoint.action, "delete");
/// assert_eq!(m.param("number"), Some("+12015550100"));
///
/// // Nothing undocumented, and nothing that climbs out of the API, passes.
/// assert!(matches!(find(Provider::Ocp, "GET", "/api/admin"), Err(PathError::NotDocumented { .. })));
/// assert!(find(Provider::Ocp, "DELETE", "/api/numbers/delete/..%2F..%2Fadmin").is_err());
/// ```
pub fn find(provider: Provider, method: &str, path: &str) -> Result<Matched, PathError> {
    let rest = path.strip_prefix('/').ok_or(PathError::Shape)?;
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(PathError::Shape);
    }
    // Every segment, literal or not, must decode to a plain identifier: this
    // refuses traversal and host tricks even where no endpoint would match.
    let mut decoded = Vec::with_capacity(segments.len());
    for s in &segments {
        let d = decode(s)
            .filter(|d| valid_param(d))
            .ok_or(PathError::Segment)?;
        decoded.push(d);
    }
    let not_documented = || PathError::NotDocumented {
        provider,
        method: method.to_string(),
        path: path.to_string(),
    };
    let method = Method::parse(method).ok_or_else(not_documented)?;
    'endpoints: for endpoint in ENDPOINTS
        .iter()
        .filter(|e| e.provider == provider && e.method == method)
    {
        let template: Vec<&str> = endpoint.template.split('/').skip(1).collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut params = Vec::new();
        for ((t, raw), value) in template.iter().zip(&segments).zip(&decoded) {
            if is_param(t) {
                params.push((&t[1..t.len() - 1], value.clone()));
            } else if t != raw {
                continue 'endpoints;
            }
        }
        return Ok(Matched { endpoint, params });
    }
    Err(not_documented())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_id_names_its_own_row_and_its_path_finds_it() {
        assert_eq!(EndpointId::ALL.len(), ENDPOINTS.len());
        for (i, id) in EndpointId::ALL.into_iter().enumerate() {
            let e = id.endpoint();
            assert_eq!(e.id, id, "row {i}");
            let params: Vec<String> = e
                .template
                .split('/')
                .filter(|s| is_param(s))
                .map(|s| format!("x+{}", &s[1..s.len() - 1]))
                .collect();
            let params: Vec<&str> = params.iter().map(String::as_str).collect();
            let path = id.path(&params);
            assert_eq!(id.route().path(&params), path);
            assert_eq!(
                (id.route().method, id.route().template),
                (e.method, e.template)
            );
            let m = find(e.provider, e.method.as_str(), &path).expect(&path);
            assert_eq!(m.endpoint.id, id, "{path}");
        }
    }

    #[test]
    fn documented_paths_match_with_their_parameters() {
        let m = find(
            Provider::Ocp,
            "DELETE",
            "/api/numbers/delete/%2B13035550100",
        )
        .expect("match");
        assert_eq!(m.endpoint.action, "delete");
        assert_eq!(m.param("number"), Some("+13035550100"));
        assert_eq!(m.upstream_path(), "/api/numbers/delete/%2B13035550100");

        let m = find(Provider::Ocp, "GET", "/api/numbers-set/group/ocp-qa").expect("match");
        assert_eq!(m.endpoint.template, "/api/numbers-set/group/{groupId}");
        let m = find(
            Provider::Ocp,
            "GET",
            "/api/numbers-routing/number/+13035550100",
        )
        .expect("match");
        assert_eq!(m.endpoint.action, "read router of number");
        assert_eq!(
            m.upstream_path(),
            "/api/numbers-routing/number/%2B13035550100"
        );
        let m = find(
            Provider::Exotel,
            "PUT",
            "/v1/tenants/acme/greenvn/abc123/vn",
        )
        .expect("match");
        assert_eq!(m.param("sid"), Some("acme"));
        assert_eq!(m.param("greenvnId"), Some("abc123"));
        let m = find(Provider::Huawei, "GET", "/v1/p1/cloud-phone/jobs/j9").expect("match");
        assert_eq!(m.endpoint.action, "read job");
        assert_eq!(
            find(Provider::Ocp, "PUT", "/api/numbers/csv")
                .expect("match")
                .endpoint
                .body,
            Body::CsvUpload
        );
    }

    #[test]
    fn undocumented_methods_and_paths_are_refused() {
        for (p, m, path) in [
            (Provider::Ocp, "GET", "/api/numbers/attach"),
            (Provider::Ocp, "POST", "/api/users"),
            (
                Provider::Ocp,
                "GET",
                "/auth/realms/master/protocol/openid-connect/token",
            ),
            (Provider::Ocp, "TRACE", "/api/numbers"),
            (Provider::Exotel, "GET", "/v1/tenants/acme/greenvn"),
            (Provider::Huawei, "DELETE", "/v1/p/cloud-phone/phones"),
            (Provider::Ocp, "GET", "/v1/p/cloud-phone/phones"),
        ] {
            assert!(
                matches!(find(p, m, path), Err(PathError::NotDocumented { .. })),
                "{m} {path}"
            );
        }
    }

    #[test]
    fn traversal_and_host_tricks_are_refused() {
        for path in [
            "/api/numbers/delete/..",
            "/api/numbers/delete/.",
            "/api/numbers/delete/%2e%2e",
            "/api/numbers/delete/%2E%2E",
            "/api/numbers/delete/%2e",
            "/api/numbers-set/..%2f..%2fadmin/numbers",
            "/api/numbers-set/a%2fb/numbers",
            "/api/numbers-set/a%5cb/numbers",
            "/api/numbers-set/a\\b/numbers",
            "/api/numbers-set/user@evil.example/numbers",
            "/api/numbers-set/a%40b/numbers",
            "//evil.example/api/numbers",
            "/api//numbers",
            "/api/numbers/",
            "api/numbers",
            "",
            "/api/numbers-set/%/numbers",
            "/api/numbers-set/%zz/numbers",
            "/api/numbers-set/%c3%28/numbers",
            "/api/numbers-set/a%00b/numbers",
            "/api/numbers-set/a%20b/numbers",
            "/../api/numbers",
            "/api/../api/numbers",
            "/%2e%2e/api/numbers",
            "/api/numbers-set/http:/numbers",
        ] {
            assert!(
                matches!(
                    find(Provider::Ocp, "GET", path),
                    Err(PathError::Shape | PathError::Segment)
                ),
                "{path:?} was not refused as a bad path"
            );
        }
    }

    #[test]
    fn every_template_is_well_formed_and_unambiguous() {
        for e in ENDPOINTS {
            assert!(e.template.starts_with('/'), "{}", e.template);
            // A sample path with every parameter filled matches this endpoint
            // and no earlier one.
            let sample: String = e
                .template
                .split('/')
                .skip(1)
                .map(|s| {
                    if is_param(s) {
                        "x1".to_string()
                    } else {
                        s.to_string()
                    }
                })
                .fold(String::new(), |acc, s| acc + "/" + &s);
            let m = find(e.provider, e.method.as_str(), &sample).expect("own sample matches");
            assert_eq!(m.endpoint, e, "{sample}");
        }
    }

    proptest! {
        /// Whatever is asked, what goes upstream is the template with plain
        /// identifiers in it: never a dot segment, an empty segment or a
        /// character that could change the host or the folder.
        #[test]
        fn no_accepted_path_escapes(path in "(/([a-z0-9+%.\\-_@:]|%2[eEfF]|%5[cC]|\\.\\.){0,6}){1,7}") {
            for p in Provider::ALL {
                for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                    if let Ok(found) = find(p, m, &path) {
                        let up = found.upstream_path();
                        prop_assert!(up.starts_with('/'));
                        for seg in up.split('/').skip(1) {
                            prop_assert!(!seg.is_empty() && seg != "." && seg != "..");
                            prop_assert!(seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
                        }
                    }
                }
            }
        }
    }
}
