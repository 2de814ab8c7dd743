//! Exotel LeadAssist GreenVN number masking (seed 003).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Usage {
    Oneway,
    #[default]
    Twoway,
}

impl Usage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oneway => "oneway",
            Self::Twoway => "twoway",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllocationState {
    #[default]
    Active,
    Vault,
}

/// `strictness`: documented as a boolean, sent as the string `"false"` in the
/// seed's only example. Read from either form; written as the example does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Strictness(pub bool);

impl Serialize for Strictness {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0 { "true" } else { "false" })
    }
}

impl<'de> Deserialize<'de> for Strictness {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bool(b) => Ok(Strictness(b)),
            Raw::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(Strictness(true)),
                "false" => Ok(Strictness(false)),
                other => Err(serde::de::Error::custom(format!(
                    "strictness must be true or false, not {other:?}"
                ))),
            },
        }
    }
}

/// What the returned GreenVN should satisfy. Creation documents `type`, the
/// change-VN call documents `number_type`: both are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greenvn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_code: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_type: Option<String>,
}

impl Preferences {
    /// The requested number type (`mobile` or `landline`), whichever name carried it.
    pub fn number_kind(&self) -> Option<&str> {
        self.kind.as_deref().or(self.number_type.as_deref())
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeallocationPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// `POST /v1/tenants/{sid}/greenvn`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AllocationRequest {
    pub connection_id: String,
    pub aparty_numbers: Vec<String>,
    pub bparty_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aparty_pins: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bparty_pins: Option<Vec<i64>>,
    pub usage: Usage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strictness: Option<Strictness>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<Preferences>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deallocation_policy: Option<DeallocationPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<String>,
}

/// `PUT .../greenvn/{greenvn_id}/call-party`: at least one party list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallPartyUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aparty_numbers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bparty_numbers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aparty_pins: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bparty_pins: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

/// `PUT .../greenvn/{greenvn_id}/vn`: the body may be empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VnUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strictness: Option<Strictness>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<Preferences>,
}

/// An allocation as the API returns it in `data`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    pub connection_id: String,
    pub aparty_numbers: Vec<String>,
    pub bparty_numbers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aparty_pins: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bparty_pins: Option<Vec<i64>>,
    pub usage: Usage,
    pub state: AllocationState,
    pub green_vn: String,
    pub greenvn_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<String>,
}

/// The envelope of every Exotel answer: `data` on success, `code` and
/// `message` on error. Errors come as a one-element array of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub success: bool,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    pub data: Option<Allocation>,
}

/// A value the callbacks send as a number in one example and as a string in another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrText {
    Number(i64),
    Text(String),
}

/// The call event callback, with Call Insights when subscribed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallEvent {
    pub connection_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greenvn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greenvn_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial_call_duration: Option<NumberOrText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_call_duration: Option<NumberOrText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial_call_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insights: Option<CallInsights>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallInsights {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disconnected_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detailed_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ringing_duration: Option<String>,
}

/// Sent when the deallocation policy (not the API) deallocated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeallocationEvent {
    pub connection_id: String,
    #[serde(default)]
    pub aparty_numbers: Vec<String>,
    #[serde(default)]
    pub bparty_numbers: Vec<String>,
    #[serde(default)]
    pub aparty_pins: Vec<Option<i64>>,
    #[serde(default)]
    pub bparty_pins: Vec<Option<i64>>,
    #[serde(default)]
    pub usage: Usage,
    pub state: AllocationState,
    #[serde(default)]
    pub greenvn: Option<String>,
    #[serde(default)]
    pub greenvn_id: Option<String>,
}

/// An unregistered caller entered the right pin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerificationSucceeded {
    pub connection_id: String,
    pub greenvn: String,
    pub greenvn_id: String,
    pub caller: String,
    pub pin: NumberOrText,
}

/// An unregistered caller failed to verify.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerificationFailed {
    pub call_sid: String,
    pub greenvn: String,
    #[serde(default)]
    pub start_time: Option<String>,
    pub caller: String,
    #[serde(default)]
    pub pin: Option<NumberOrText>,
}

impl Default for NumberOrText {
    fn default() -> Self {
        Self::Text(String::new())
    }
}
