//! Exotel LeadAssist allocation rules: the appendix's error codes, regions,
//! deallocation durations, and the checks made before a request is sent.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::models::exotel::{AllocationRequest, CallPartyUpdate, Envelope, Preferences};
use crate::phone::validate_e164;

/// Regions a GreenVN may be requested from.
pub const REGIONS: [&str; 11] = [
    "DL", "MU", "MH", "WB", "AP", "TN", "GJ", "KA", "KL", "RJ", "MP",
];

/// The name of a region code, as people know it (telecom circles of India).
pub fn region_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "DL" => "Delhi",
        "MU" => "Mumbai",
        "MH" => "Maharashtra",
        "WB" => "West Bengal",
        "AP" => "Andhra Pradesh",
        "TN" => "Tamil Nadu",
        "GJ" => "Gujarat",
        "KA" => "Karnataka",
        "KL" => "Kerala",
        "RJ" => "Rajasthan",
        "MP" => "Madhya Pradesh",
        _ => return None,
    })
}

/// Number types a GreenVN may be requested as.
pub const NUMBER_TYPES: [&str; 2] = ["mobile", "landline"];

/// Pins longer than this work but are hard to key in; the seed recommends 4.
pub const PIN_DIGITS_ADVISED: usize = 6;

/// The status codes of the seed's appendix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorCode {
    /// Code 0: an internal error.
    InternalError,
    /// Code 1: no such green VN (allocation).
    GreenVnNotFound,
    /// Code 2: filters it does not support.
    UnsupportedFilters,
    /// Code 3: a mandatory parameter is missing.
    MandatoryMissing,
    /// Code 4: no free green VN to allocate.
    NoFreeGreenVn,
    /// Code 5: parameters that are not valid.
    BadParameters,
    /// Code 7: authentication failed.
    AuthenticationFailed,
    /// Code 8: not permitted for this account.
    NotPermitted,
    /// Code 9: a wrong API version header.
    VersionHeader,
    /// Code 13: every number is a duplicate.
    AllDuplicates,
    /// Code 14: the same number on both parties.
    SameNumberBothParties,
    /// Code 15: a region it does not serve.
    RegionNotSupported,
    /// Code 16: a number that is not valid.
    InvalidNumber,
    /// Code 17: too many numbers in one request.
    TooManyRequests,
    /// Code 18: a connection id in use already.
    DuplicateConnectionId,
    /// Code 19: pins that conflict.
    PinConflict,
    /// Code 20: no mapping for the group.
    GroupMappingMissing,
    /// Code 22: an allocation deleted already.
    AlreadyDeleted,
    /// Code 23: a date range that is not valid.
    InvalidDateRange,
    /// Code 50: a call flow that is not valid.
    InvalidCallFlow,
}

impl ErrorCode {
    /// Every code of the appendix.
    pub const ALL: [ErrorCode; 20] = [
        Self::InternalError,
        Self::GreenVnNotFound,
        Self::UnsupportedFilters,
        Self::MandatoryMissing,
        Self::NoFreeGreenVn,
        Self::BadParameters,
        Self::AuthenticationFailed,
        Self::NotPermitted,
        Self::VersionHeader,
        Self::AllDuplicates,
        Self::SameNumberBothParties,
        Self::RegionNotSupported,
        Self::InvalidNumber,
        Self::TooManyRequests,
        Self::DuplicateConnectionId,
        Self::PinConflict,
        Self::GroupMappingMissing,
        Self::AlreadyDeleted,
        Self::InvalidDateRange,
        Self::InvalidCallFlow,
    ];

    /// The numbered code.
    pub fn code(self) -> u32 {
        match self {
            Self::InternalError => 0,
            Self::GreenVnNotFound => 1,
            Self::UnsupportedFilters => 2,
            Self::MandatoryMissing => 3,
            Self::NoFreeGreenVn => 4,
            Self::BadParameters => 5,
            Self::AuthenticationFailed => 7,
            Self::NotPermitted => 8,
            Self::VersionHeader => 9,
            Self::AllDuplicates => 13,
            Self::SameNumberBothParties => 14,
            Self::RegionNotSupported => 15,
            Self::InvalidNumber => 16,
            Self::TooManyRequests => 17,
            Self::DuplicateConnectionId => 18,
            Self::PinConflict => 19,
            Self::GroupMappingMissing => 20,
            Self::AlreadyDeleted => 22,
            Self::InvalidDateRange => 23,
            Self::InvalidCallFlow => 50,
        }
    }

    /// The code the appendix numbers `code`.
    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The HTTP status the appendix gives.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InternalError => 500,
            Self::GreenVnNotFound | Self::GroupMappingMissing => 404,
            Self::UnsupportedFilters
            | Self::MandatoryMissing
            | Self::BadParameters
            | Self::VersionHeader
            | Self::InvalidNumber
            | Self::InvalidDateRange => 400,
            Self::NoFreeGreenVn => 452,
            Self::AuthenticationFailed => 401,
            Self::NotPermitted | Self::RegionNotSupported => 403,
            Self::AllDuplicates
            | Self::SameNumberBothParties
            | Self::DuplicateConnectionId
            | Self::PinConflict => 409,
            Self::TooManyRequests => 413,
            Self::AlreadyDeleted => 410,
            Self::InvalidCallFlow => 422,
        }
    }

    /// The appendix's description.
    pub fn message(self) -> &'static str {
        match self {
            Self::InternalError => "Internal Service Error",
            Self::GreenVnNotFound => "Could not find the given GreenVN",
            Self::UnsupportedFilters => "One or more unsupported search filters provided",
            Self::MandatoryMissing => "One or more mandatory parameters not present in request",
            Self::NoFreeGreenVn => "No free GreenVNs are available for allocation",
            Self::BadParameters => "Bad or missing parameters in Request",
            Self::AuthenticationFailed => "Authentication not provided or failed",
            Self::NotPermitted => "Not permitted to do this operation.",
            Self::VersionHeader => "Version header not specified or supported for this API",
            Self::AllDuplicates => "All numbers in the group are duplicates",
            Self::SameNumberBothParties => {
                "a-party numbers and b-party numbers cannot contain the same number for an allocation."
            }
            Self::RegionNotSupported => "The region code specified is not supported",
            Self::InvalidNumber => "Invalid Number Received.",
            Self::TooManyRequests => "Too many allocation requests in bulk.",
            Self::DuplicateConnectionId => "Allocation exists for this connection id",
            Self::PinConflict => "One or more of the numbers is already registered with another pin",
            Self::GroupMappingMissing => "Group and number mapping doesn't exist",
            Self::AlreadyDeleted => "This greenvn is already deleted",
            Self::InvalidDateRange => "An invalid date range was provided in the query",
            Self::InvalidCallFlow => "An invalid call flow is configured",
        }
    }

    /// What the admin can do about it, in plain words.
    pub fn advice(self) -> &'static str {
        match self {
            Self::InternalError => "Exotel had an internal error: try again in a minute.",
            Self::GreenVnNotFound => {
                "No allocation has this id: check it, or remove it from the register."
            }
            Self::UnsupportedFilters => "A preference is not supported: remove it and try again.",
            Self::MandatoryMissing => {
                "Fill in the connection id, the a-party and the b-party numbers, and the usage."
            }
            Self::NoFreeGreenVn => {
                "No free virtual numbers in that region: relax strictness or choose another region."
            }
            Self::BadParameters => {
                "A field has a value Exotel does not accept: check the highlighted fields."
            }
            Self::AuthenticationFailed => "The API key or token is wrong: check them in Settings.",
            Self::NotPermitted => "This account may not do that: ask your Exotel administrator.",
            Self::VersionHeader => "The API version is not supported: the console needs an update.",
            Self::AllDuplicates => "Every number given is already in the allocation.",
            Self::SameNumberBothParties => {
                "A number is on both sides: remove it from the a-party or the b-party."
            }
            Self::RegionNotSupported => {
                "Choose a region from the list (DL, MU, MH, WB, AP, TN, GJ, KA, KL, RJ, MP)."
            }
            Self::InvalidNumber => {
                "A number is not valid: write each as + and the country code, e.g. +919876543210."
            }
            Self::TooManyRequests => "Too many allocations at once: wait a moment and send fewer.",
            Self::DuplicateConnectionId => {
                "An allocation already has this connection id: choose another one."
            }
            Self::PinConflict => {
                "A number is already registered with another pin: use that pin or another number."
            }
            Self::GroupMappingMissing => "That number is not part of this allocation.",
            Self::AlreadyDeleted => "This allocation was already deallocated: it is in the vault.",
            Self::InvalidDateRange => "The dates are not a valid range.",
            Self::InvalidCallFlow => {
                "The call flow id is not valid: check flow_id in your Exotel account."
            }
        }
    }

    /// The error body Exotel sends: a one-element array of the envelope.
    pub fn body(self) -> Vec<Envelope> {
        vec![Envelope {
            success: false,
            status: self.http_status(),
            code: Some(self.code()),
            message: Some(self.message().to_string()),
            data: None,
        }]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
/// Why a deallocation duration cannot be read.
pub enum DurationError {
    #[error("\"{0}\" is not a duration: write a whole number and s, m or d, e.g. 600s, 20m or 1d")]
    /// Not a number with a unit (`600s`, `20m`, `1d`).
    Form(String),
    #[error("\"{0}\" is too long")]
    /// Too long to count in seconds.
    Overflow(String),
}

/// A deallocation duration (`600s`, `20m`, `1d`) in seconds.
pub fn parse_duration(s: &str) -> Result<u64, DurationError> {
    let t = s.trim();
    let form = || DurationError::Form(s.to_string());
    let unit = t.chars().last().ok_or_else(form)?;
    let factor = match unit.to_ascii_lowercase() {
        's' => 1,
        'm' => 60,
        'd' => 86_400,
        _ => return Err(form()),
    };
    let digits = &t[..t.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(form());
    }
    let n: u64 = digits
        .parse()
        .map_err(|_| DurationError::Overflow(s.to_string()))?;
    n.checked_mul(factor)
        .ok_or_else(|| DurationError::Overflow(s.to_string()))
}

/// A duration in seconds as a person reads it ("1 d 2 h 5 min").
pub fn describe_duration(mut seconds: u64) -> String {
    if seconds == 0 {
        return "0 s".into();
    }
    let mut parts = Vec::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)] {
        if seconds >= size {
            parts.push(format!("{} {unit}", seconds / size));
            seconds %= size;
        }
    }
    parts.join(" ")
}

/// Pins typed as a list (`1234, 5678`); none typed is `None`.
pub fn parse_pins(text: &str) -> Result<Option<Vec<i64>>, String> {
    let parts: Vec<&str> = text
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    parts
        .iter()
        .map(|p| {
            p.parse::<i64>()
                .map_err(|_| format!("\"{p}\" is not a pin: pins are whole numbers"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A problem with an allocation request, tied to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// The request's field it is about.
    pub field: String,
    /// The code Exotel would answer with, where there is one.
    pub code: Option<u32>,
    /// Whether it only asks a look (Exotel would accept the request).
    pub warning: bool,
    /// What is wrong, as a sentence that says what to do.
    pub message: String,
}

impl FieldProblem {
    fn error(field: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: Some(code.code()),
            warning: false,
            message: message.into(),
        }
    }

    fn warning(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: None,
            warning: true,
            message: message.into(),
        }
    }
}

/// The first code among the errors, the one the server answers with.
pub fn first_error_code(problems: &[FieldProblem]) -> Option<ErrorCode> {
    problems
        .iter()
        .filter(|p| !p.warning)
        .find_map(|p| p.code.and_then(ErrorCode::from_code))
}

fn check_numbers(field: &str, numbers: &[String], out: &mut Vec<FieldProblem>) {
    let mut seen = HashSet::new();
    for n in numbers {
        if let Err(e) = validate_e164(n) {
            out.push(FieldProblem::error(
                field,
                ErrorCode::InvalidNumber,
                e.to_string(),
            ));
        } else if !seen.insert(n.as_str()) {
            out.push(FieldProblem::warning(field, format!("{n} is listed twice")));
        }
    }
}

fn check_pins(field: &str, pins: Option<&[i64]>, out: &mut Vec<FieldProblem>) {
    for &pin in pins.unwrap_or_default() {
        if pin <= 0 {
            out.push(FieldProblem::error(
                field,
                ErrorCode::BadParameters,
                format!("{pin} is not a pin: a pin is a positive whole number"),
            ));
        } else if pin.to_string().len() > PIN_DIGITS_ADVISED {
            out.push(FieldProblem::warning(
                field,
                format!("{pin} has more than {PIN_DIGITS_ADVISED} digits: callers will find it hard to key in"),
            ));
        }
    }
}

fn check_parties(a: &[String], b: &[String], out: &mut Vec<FieldProblem>) {
    check_numbers("aparty_numbers", a, out);
    check_numbers("bparty_numbers", b, out);
    let a_set: HashSet<&str> = a.iter().map(String::as_str).collect();
    for n in b.iter().filter(|n| a_set.contains(n.as_str())) {
        out.push(FieldProblem::error(
            "bparty_numbers",
            ErrorCode::SameNumberBothParties,
            format!("{n} is on both sides: a number may be an a-party or a b-party, not both"),
        ));
    }
}

/// Checks the preferences of a new allocation or a VN change.
pub fn check_preferences(p: &Preferences, out: &mut Vec<FieldProblem>) {
    if let Some(vn) = p.greenvn.as_deref() {
        if let Err(e) = validate_e164(vn) {
            out.push(FieldProblem::error(
                "preferences.greenvn",
                ErrorCode::InvalidNumber,
                e.to_string(),
            ));
        }
    }
    if let Some(region) = p.region.as_deref() {
        if !REGIONS.contains(&region) {
            out.push(FieldProblem::error(
                "preferences.region",
                ErrorCode::RegionNotSupported,
                format!(
                    "{region} is not a supported region: choose one of {}",
                    REGIONS.join(", ")
                ),
            ));
        }
    }
    if let Some(pin) = p.pin_code.as_deref() {
        if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            out.push(FieldProblem::error(
                "preferences.pin_code",
                ErrorCode::BadParameters,
                format!("\"{pin}\" is not a pin code: an Indian pin code has 6 digits"),
            ));
        }
    }
    if let Some(kind) = p.number_kind() {
        if !NUMBER_TYPES.contains(&kind) {
            out.push(FieldProblem::error(
                "preferences.type",
                ErrorCode::BadParameters,
                format!("\"{kind}\" is not a number type: choose mobile or landline"),
            ));
        }
    }
}

/// Every problem of a new allocation request, errors and warnings.
pub fn validate_allocation(r: &AllocationRequest) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if r.connection_id.trim().is_empty() {
        out.push(FieldProblem::error(
            "connection_id",
            ErrorCode::MandatoryMissing,
            "a connection id is required",
        ));
    }
    if r.aparty_numbers.is_empty() {
        out.push(FieldProblem::error(
            "aparty_numbers",
            ErrorCode::MandatoryMissing,
            "add at least one a-party number",
        ));
    }
    if r.bparty_numbers.is_empty() {
        out.push(FieldProblem::error(
            "bparty_numbers",
            ErrorCode::MandatoryMissing,
            "add at least one b-party number",
        ));
    }
    check_parties(&r.aparty_numbers, &r.bparty_numbers, &mut out);
    check_pins("aparty_pins", r.aparty_pins.as_deref(), &mut out);
    check_pins("bparty_pins", r.bparty_pins.as_deref(), &mut out);
    if let Some(p) = &r.preferences {
        check_preferences(p, &mut out);
    }
    if let Some(d) = r
        .deallocation_policy
        .as_ref()
        .and_then(|d| d.duration.as_deref())
    {
        if let Err(e) = parse_duration(d) {
            out.push(FieldProblem::error(
                "deallocation_policy.duration",
                ErrorCode::BadParameters,
                e.to_string(),
            ));
        }
    }
    out
}

/// Every problem of a party update: at least one party list, same rules.
pub fn validate_call_party(u: &CallPartyUpdate) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    if u.aparty_numbers.is_none() && u.bparty_numbers.is_none() {
        out.push(FieldProblem::error(
            "aparty_numbers",
            ErrorCode::MandatoryMissing,
            "send the a-party numbers, the b-party numbers, or both",
        ));
    }
    for (field, list) in [
        ("aparty_numbers", &u.aparty_numbers),
        ("bparty_numbers", &u.bparty_numbers),
    ] {
        if list.as_ref().is_some_and(Vec::is_empty) {
            out.push(FieldProblem::error(
                field,
                ErrorCode::MandatoryMissing,
                "a party cannot be emptied: keep at least one number",
            ));
        }
    }
    check_parties(
        u.aparty_numbers.as_deref().unwrap_or_default(),
        u.bparty_numbers.as_deref().unwrap_or_default(),
        &mut out,
    );
    check_pins("aparty_pins", u.aparty_pins.as_deref(), &mut out);
    check_pins("bparty_pins", u.bparty_pins.as_deref(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::exotel::{DeallocationPolicy, Usage};

    fn request() -> AllocationRequest {
        AllocationRequest {
            connection_id: "X1".into(),
            aparty_numbers: vec!["+919176226528".into(), "+911234567891".into()],
            bparty_numbers: vec!["+918136966620".into()],
            usage: Usage::Twoway,
            deallocation_policy: Some(DeallocationPolicy {
                duration: Some("600s".into()),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn the_seed_example_is_valid() {
        assert_eq!(validate_allocation(&request()), vec![]);
    }

    #[test]
    fn a_number_on_both_sides_is_code_14() {
        let mut r = request();
        r.bparty_numbers.push("+919176226528".into());
        let problems = validate_allocation(&r);
        assert_eq!(
            first_error_code(&problems),
            Some(ErrorCode::SameNumberBothParties)
        );
        assert_eq!(ErrorCode::SameNumberBothParties.http_status(), 409);
    }

    #[test]
    fn every_region_has_a_name() {
        assert!(REGIONS.iter().all(|r| region_name(r).is_some()));
        assert_eq!(region_name("MU"), Some("Mumbai"));
        assert_eq!(region_name("XX"), None);
    }

    #[test]
    fn regions_numbers_pins_and_durations() {
        let mut r = request();
        r.preferences = Some(Preferences {
            region: Some("XX".into()),
            ..Default::default()
        });
        assert_eq!(
            first_error_code(&validate_allocation(&r)),
            Some(ErrorCode::RegionNotSupported)
        );
        let mut r = request();
        r.aparty_numbers[0] = "9176226528".into();
        assert_eq!(
            first_error_code(&validate_allocation(&r)),
            Some(ErrorCode::InvalidNumber)
        );
        let mut r = request();
        r.aparty_pins = Some(vec![1234, 12345678]);
        let problems = validate_allocation(&r);
        assert_eq!(first_error_code(&problems), None);
        assert!(problems
            .iter()
            .any(|p| p.warning && p.message.contains("12345678")));
        r.bparty_pins = Some(vec![0]);
        assert_eq!(
            first_error_code(&validate_allocation(&r)),
            Some(ErrorCode::BadParameters)
        );
        let mut r = request();
        r.deallocation_policy = Some(DeallocationPolicy {
            duration: Some("10 minutes".into()),
        });
        assert_eq!(
            first_error_code(&validate_allocation(&r)),
            Some(ErrorCode::BadParameters)
        );
        let mut r = request();
        r.connection_id = " ".into();
        assert_eq!(
            first_error_code(&validate_allocation(&r)),
            Some(ErrorCode::MandatoryMissing)
        );
    }

    #[test]
    fn pins_are_read_from_a_typed_list() {
        assert_eq!(parse_pins(""), Ok(None));
        assert_eq!(parse_pins("1234, 5678;9"), Ok(Some(vec![1234, 5678, 9])));
        assert!(parse_pins("12a").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("600s"), Ok(600));
        assert_eq!(parse_duration("20m"), Ok(1200));
        assert_eq!(parse_duration("1d"), Ok(86_400));
        assert_eq!(parse_duration(" 2D "), Ok(172_800));
        for bad in ["", "s", "10", "1.5m", "-1s", "10h", "1 d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            parse_duration("99999999999999999999d"),
            Err(DurationError::Overflow(_))
        ));
        assert_eq!(describe_duration(90_061), "1 d 1 h 1 min 1 s");
        assert_eq!(describe_duration(1200), "20 min");
    }

    #[test]
    fn every_code_has_its_appendix_row() {
        let table = [
            (0, 500),
            (1, 404),
            (2, 400),
            (3, 400),
            (4, 452),
            (5, 400),
            (7, 401),
            (8, 403),
            (9, 400),
            (13, 409),
            (14, 409),
            (15, 403),
            (16, 400),
            (17, 413),
            (18, 409),
            (19, 409),
            (20, 404),
            (22, 410),
            (23, 400),
            (50, 422),
        ];
        for (code, status) in table {
            let c = ErrorCode::from_code(code).expect("known code");
            assert_eq!(c.http_status(), status, "code {code}");
            assert!(!c.message().is_empty() && !c.advice().is_empty());
        }
        assert_eq!(ErrorCode::from_code(6), None);
        assert_eq!(
            ErrorCode::DuplicateConnectionId.message(),
            "Allocation exists for this connection id"
        );
        assert!(ErrorCode::NoFreeGreenVn
            .advice()
            .contains("relax strictness"));
        let body = ErrorCode::AlreadyDeleted.body();
        assert_eq!((body[0].status, body[0].code), (410, Some(22)));
    }

    #[test]
    fn party_updates_need_a_party() {
        let empty = CallPartyUpdate::default();
        assert_eq!(
            first_error_code(&validate_call_party(&empty)),
            Some(ErrorCode::MandatoryMissing)
        );
        let ok = CallPartyUpdate {
            aparty_numbers: Some(vec!["+919176226528".into()]),
            ..Default::default()
        };
        assert_eq!(validate_call_party(&ok), vec![]);
    }
}
