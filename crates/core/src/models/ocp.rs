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
