//! Omilia OCP: numbers, phone-number sets, CSV search and routers
//! (seeds 000, 001 and 002).

use serde::{Deserialize, Serialize};

/// The environments named in the seeds, each with its documented base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Environment {
    #[serde(rename = "EU1")]
    Eu1,
    #[serde(rename = "US1")]
    Us1,
    #[serde(rename = "US2")]
    Us2,
    #[serde(rename = "US1W")]
    Us1w,
}

impl Environment {
    pub const ALL: [Environment; 4] = [Self::Eu1, Self::Us1, Self::Us2, Self::Us1w];

    pub fn base_url(self) -> &'static str {
        match self {
            Self::Eu1 => "https://eu1-m.ocp.ai/integrations",
            Self::Us1 => "https://us1-m.ocp.ai/integrations",
            Self::Us2 => "https://us2-m.ocp.ai/integrations",
            Self::Us1w => "https://us1-w-m.ocp.ai/integrations",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Eu1 => "EU1",
            Self::Us1 => "US1",
            Self::Us2 => "US2",
            Self::Us1w => "US1W",
        }
    }
}

// The reasons as literals, so that a CSV warning can be one static text.
macro_rules! no_at {
    () => {
        "a full miniApp ID reads uuid.name.Type.group@app.group, e.g. 3781bcc1-7c76-439b-ba26-05d22217b316.billing_ivr.Flow.ocp@billing_ivr.ocp; this one has no '@'"
    };
}
macro_rules! no_uuid {
    () => {
        "a full miniApp ID starts with a UUID (8-4-4-4-12 hex digits) and reads uuid.name.Type.group@app.group"
    };
}
macro_rules! missing_part {
    () => {
        "a full miniApp ID reads uuid.name.Type.group@app.group: name, type or group is missing"
    };
}

/// Why a miniApp ID is not of the documented shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.as_str())]
pub enum MiniAppIdError {
    NoAt,
    NoUuid,
    MissingPart,
}

impl MiniAppIdError {
    /// The reason, as `Display` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoAt => no_at!(),
            Self::NoUuid => no_uuid!(),
            Self::MissingPart => missing_part!(),
        }
    }

    /// The warning of a CSV cell with such an ID (one static text: a file
    /// can have one a row).
    pub fn cell_warning(self) -> &'static str {
        match self {
            Self::NoAt => concat!("this may not be a miniApp's full ID: ", no_at!()),
            Self::NoUuid => concat!("this may not be a miniApp's full ID: ", no_uuid!()),
            Self::MissingPart => concat!("this may not be a miniApp's full ID: ", missing_part!()),
        }
    }
}

/// What an OCP miniApp id says of its app: ids read
/// `uuid.NAME.TYPE.group@NAME.group`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MiniAppParts {
    pub name: String,
    pub kind: Option<String>,
    pub diamant_app_name: Option<String>,
    pub group: Option<String>,
}

fn is_uuid(s: &str) -> bool {
    let mut groups = s.split('-').map(str::len);
    [8, 4, 4, 4, 12].iter().all(|&n| groups.next() == Some(n))
        && groups.next().is_none()
        && s.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

impl MiniAppParts {
    /// The parts of a full ID of the documented shape
    /// `uuid.name.Type.group@app.group`, or what is wrong with it.
    pub fn check(id: &str) -> Result<Self, MiniAppIdError> {
        Self::check_shape(id)?;
        Ok(Self::of(id.trim()))
    }

    /// What [`MiniAppParts::check`] finds wrong, without reading the parts
    /// out (the CSV checks run it on every row).
    pub fn check_shape(id: &str) -> Result<(), MiniAppIdError> {
        let id = id.trim();
        let at = memchr::memchr(b'@', id.as_bytes()).ok_or(MiniAppIdError::NoAt)?;
        let (left, right) = (&id[..at], &id[at + 1..]);
        let mut parts = left.split('.');
        let (Some(uuid), Some(name), Some(kind), Some(group), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(MiniAppIdError::MissingPart);
        };
        if !is_uuid(uuid) {
            return Err(MiniAppIdError::NoUuid);
        }
        if [name, kind, group].iter().any(|p| p.is_empty()) || right.is_empty() {
            return Err(MiniAppIdError::MissingPart);
        }
        Ok(())
    }

    /// Reads the parts of `id`; an id of another shape is its own name.
    pub fn of(id: &str) -> Self {
        let parts: Vec<&str> = id.split('.').collect();
        Self {
            name: parts.get(1).unwrap_or(&id).to_string(),
            kind: parts.get(2).map(|s| s.to_string()),
            diamant_app_name: parts
                .iter()
                .find(|p| p.contains('@'))
                .map(|s| s.to_string()),
            group: parts
                .last()
                .filter(|_| parts.len() > 1)
                .map(|s| s.to_string()),
        }
    }
}

/// A miniApp as the account's numbers show it (OCP lists no miniApps: the
/// numbers attached to one are where it is known from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiniApp {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub group: Option<String>,
}

impl MiniApp {
    /// Each miniApp the numbers are attached to, once, by name then ID.
    pub fn used_by(numbers: &[NumberRecord]) -> Vec<MiniApp> {
        let mut apps: Vec<MiniApp> = numbers
            .iter()
            .filter_map(|n| {
                let id = n
                    .mini_app_id
                    .as_deref()
                    .filter(|id| !id.trim().is_empty())?;
                let parts = MiniAppParts::of(id);
                Some(MiniApp {
                    id: id.to_string(),
                    name: n.mini_app_name.clone().unwrap_or(parts.name),
                    kind: n.mini_app_type.clone().or(parts.kind),
                    group: n.mini_app_group.clone().or(parts.group),
                })
            })
            .collect();
        apps.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        apps.dedup_by(|a, b| a.id == b.id);
        apps
    }

    /// "billing_ivr — Flow, group ocp", as a picker shows it.
    pub fn label(&self) -> String {
        let mut s = self.name.clone();
        if let Some(k) = &self.kind {
            s.push_str(&format!(" — {k}"));
        }
        if let Some(g) = &self.group {
            s.push_str(&format!(", group {g}"));
        }
        s
    }
}

/// One phone number as the numbers API returns it.
///
/// The list endpoint spells the set fields `phoneNumbersSetId` and
/// `phoneNumbersSetName`; search and set endpoints spell it
/// `phoneNumberSetId`. Both spellings are kept so each round-trips.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberRecord {
    pub number: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub mini_app_id: Option<String>,
    #[serde(default)]
    pub mini_app_name: Option<String>,
    #[serde(default)]
    pub mini_app_type: Option<String>,
    #[serde(default)]
    pub mini_app_diamant_app_name: Option<String>,
    #[serde(default)]
    pub mini_app_group: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub application_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_set_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers_set_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers_set_name: Option<String>,
}

impl NumberRecord {
    /// The set this number belongs to, whichever spelling the server used.
    pub fn set_id(&self) -> Option<&str> {
        self.phone_number_set_id
            .as_deref()
            .or(self.phone_numbers_set_id.as_deref())
    }
}

/// `GET /api/numbers` and `POST /api/numbers/search` responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumbersPage {
    pub numbers: Vec<NumberRecord>,
    pub page: u32,
    pub page_size: u32,
    pub number_of_pages: u32,
    pub all_numbers: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
}

/// The documented `orderBy` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderBy {
    Miniapp,
    MiniappType,
    Number,
    Locale,
    Note,
    Group,
    MiniappGroup,
    #[default]
    None,
}

impl OrderBy {
    pub const ALL: [OrderBy; 8] = [
        Self::Miniapp,
        Self::MiniappType,
        Self::Number,
        Self::Locale,
        Self::Note,
        Self::Group,
        Self::MiniappGroup,
        Self::None,
    ];

    /// The value as it appears in a query string or JSON body.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Miniapp => "miniapp",
            Self::MiniappType => "miniapp-type",
            Self::Number => "number",
            Self::Locale => "locale",
            Self::Note => "note",
            Self::Group => "group",
            Self::MiniappGroup => "miniapp-group",
            Self::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    #[default]
    #[serde(rename = "ASC")]
    Asc,
    #[serde(rename = "DESC")]
    Desc,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "ASC" => Some(Self::Asc),
            "DESC" => Some(Self::Desc),
            _ => None,
        }
    }

    pub fn flipped(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

/// Query parameters of `GET /api/numbers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListNumbersQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_term: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<OrderBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
}

/// `POST /api/numbers`: numbers available for purchase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AvailableNumbersRequest {
    pub provider: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub code: String,
    pub group: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AvailableNumber {
    pub number: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub locality: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// Documented as an integer; real providers quote fractions, so kept as f64.
    #[serde(default)]
    pub price: Option<f64>,
}

/// `PUT /api/numbers`: buy numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BuyRequest {
    pub provider: String,
    pub numbers: Vec<String>,
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuyResponse {
    #[serde(default)]
    pub failed_numbers: Vec<String>,
    #[serde(default)]
    pub purchased_numbers: Vec<PurchasedNumber>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PurchasedNumber {
    pub number: String,
    pub id: String,
}

/// `PUT /api/numbers/group`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateGroupRequest {
    pub numbers: Vec<String>,
    pub group: String,
}

/// A bare list of numbers: detach, add to set, remove from set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NumberList {
    pub numbers: Vec<String>,
}

/// The `{success, message}` body most OCP endpoints answer with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusResponse {
    pub success: bool,
    #[serde(default)]
    pub message: Option<String>,
}

impl StatusResponse {
    pub fn ok(message: impl Into<String>) -> Self {
        Self {
            success: true,
            message: Some(message.into()),
        }
    }
}

/// `POST /api/numbers/search` and `POST /api/numbers/csv` (advanced search).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedSearch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_app_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_app_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// Kept as text: the seed's example sends a placeholder, and an unknown
    /// value must reach the validator to be reported, not fail parsing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
}

/// `PUT /api/numbers/attach` and `PUT /api/numbers-set/{setId}/attach`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbers: Option<Vec<String>>,
    pub mini_app_id: String,
    pub locale: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_tag: Option<String>,
}

/// `PUT /api/number/note`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteRequest {
    pub number: String,
    pub note: String,
}

/// `POST /api/numbers/direct`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectAddRequest {
    pub numbers: Vec<String>,
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mini_app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_ani: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_dnis: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_tag: Option<String>,
}

/// `POST /api/numbers-set`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSetRequest {
    pub name: String,
    pub group_id: String,
}

/// A phone-number set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberSet {
    pub id: String,
    pub name: String,
    pub group_id: String,
    #[serde(default)]
    pub phone_number_count: u64,
}

/// `PATCH /api/numbers-set/{setId}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSetRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `POST /api/numbers-routing`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRouterRequest {
    pub number: String,
    pub target_app_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_app_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_weight: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
}

/// `PUT /api/numbers-routing`. The seed's example body says `weight`, its
/// parameter table says `initialWeight`: both are accepted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRouterRequest {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_app_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_weight: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_enabled: Option<bool>,
}

impl UpdateRouterRequest {
    /// The new source weight, whichever documented name carried it.
    pub fn source_weight(&self) -> Option<i64> {
        self.weight.or(self.initial_weight)
    }
}

/// A gradual traffic assignment router as the API returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouterRecord {
    pub id: String,
    pub step: i64,
    #[serde(default)]
    pub last_update_time: Option<String>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub numbers: Vec<String>,
    #[serde(default)]
    pub app_routes: Vec<AppRoute>,
    #[serde(default)]
    pub active: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoute {
    pub id: String,
    pub weight: i64,
    #[serde(default)]
    pub app_tag: Option<String>,
    pub order: i64,
    pub app_id: String,
}

impl RouterRecord {
    /// The route with order 0 (the app the number was on).
    pub fn source(&self) -> Option<&AppRoute> {
        self.app_routes.iter().find(|r| r.order == 0)
    }

    /// The route with order 1 (the app traffic moves to).
    pub fn target(&self) -> Option<&AppRoute> {
        self.app_routes.iter().find(|r| r.order == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn miniapp_ids_are_read_into_their_parts() {
        let p = MiniAppParts::of("3781bcc1-7c76-439b-ba26-05d22217b316.SND_dmt_test_app_vp.Flow.ocp-qa@SND_dmt_test_app_vp.ocp-qa");
        assert_eq!(p.name, "SND_dmt_test_app_vp");
        assert_eq!(p.kind.as_deref(), Some("Flow"));
        assert_eq!(
            p.diamant_app_name.as_deref(),
            Some("ocp-qa@SND_dmt_test_app_vp")
        );
        assert_eq!(p.group.as_deref(), Some("ocp-qa"));
        assert_eq!(MiniAppParts::of("plain").name, "plain");
        assert_eq!(MiniAppParts::of("plain").group, None);
    }
}

#[cfg(test)]
mod mini_app_tests {
    use super::*;

    #[test]
    fn the_documented_shape_is_checked() {
        let good = "3781bcc1-7c76-439b-ba26-05d22217b316.SND_dmt_test_app_vp.Flow.ocp-qa@SND_dmt_test_app_vp.ocp-qa";
        let p = MiniAppParts::check(good).expect("the seed's id");
        assert_eq!(
            (p.name.as_str(), p.kind.as_deref()),
            ("SND_dmt_test_app_vp", Some("Flow"))
        );
        assert_eq!(
            MiniAppParts::check("billing_ivr"),
            Err(MiniAppIdError::NoAt)
        );
        assert_eq!(
            MiniAppParts::check("test.surname_test.Numeric.MiniApps@ocp"),
            Err(MiniAppIdError::NoUuid)
        );
        assert_eq!(
            MiniAppParts::check("3781bcc1-7c76-439b-ba26-05d22217b316.x.Flow@y"),
            Err(MiniAppIdError::MissingPart)
        );
    }

    #[test]
    fn the_miniapps_in_use_are_listed_once() {
        let n = |number: &str, id: Option<&str>, name: Option<&str>| NumberRecord {
            number: number.into(),
            mini_app_id: id.map(str::to_string),
            mini_app_name: name.map(str::to_string),
            ..NumberRecord::default()
        };
        let id = "3781bcc1-7c76-439b-ba26-05d22217b316.billing_ivr.Flow.ocp@billing_ivr.ocp";
        let apps = MiniApp::used_by(&[
            n("+1", Some(id), Some("billing_ivr")),
            n("+2", None, None),
            n("+3", Some(id), None),
            n("+4", Some(""), None),
        ]);
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].label(), "billing_ivr — Flow, group ocp");
    }
}
