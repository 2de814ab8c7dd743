//! Every JSON example in the five seeds parses into its `numbers-core` model
//! and serializes back to equivalent JSON.
//!
//! "Equivalent": the same keys and values, where a key whose value is `null`
//! counts as absent (an optional field the server left out) and numbers
//! compare by value (`0` and `0.0`).
//!
//! Fixtures are the seeds' examples copied verbatim, except where the seed's
//! example is not valid JSON or holds a placeholder, as listed here:
//! - `ocp_numbers_page.json`: trailing comma after the only number removed.
//! - `ocp_buy_request.json`: trailing comma after `note` removed.
//! - `ocp_search_request.json`: the seed lists `pageSize` twice (`"string"`
//!   and `0`); the string duplicate is removed.
//! - Exotel responses: `"usage": "oneway|twoway"` placeholders replaced by one
//!   value, curly quotes (`”`, `“state”`) made straight, trailing commas in
//!   `bparty_numbers` removed.
//! - `huawei_phones.json`, `huawei_job(s).json`, `huawei_error.json`: not in
//!   the seed; built from the shapes DESIGN.md adds from Huawei's CPH docs.

use numbers_core::models::{exotel, huawei, ocp};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

fn normalise(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalise(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        other => other,
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(file: &str) {
    let path = format!("{}/tests/seeds/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let original: Value = serde_json::from_str(&text).expect("fixture is valid JSON");
    let model: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{file} does not parse into its model: {e}"));
    let back = serde_json::to_value(&model).expect("model serializes");
    assert_eq!(
        normalise(back),
        normalise(original),
        "{file} does not round-trip"
    );
}

macro_rules! seeds {
    ($($name:ident: $ty:ty = $file:literal;)*) => {
        $(#[test] fn $name() { round_trip::<$ty>($file); })*

        #[test]
        fn every_fixture_is_covered() {
            let listed = [$($file),*];
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/seeds");
            for entry in std::fs::read_dir(dir).expect("fixtures folder") {
                let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
                assert!(listed.contains(&name.as_str()), "{name} has no round-trip test");
            }
        }
    };
}

seeds! {
    router_create_request: ocp::CreateRouterRequest = "ocp_router_create_request.json";
    router: ocp::RouterRecord = "ocp_router.json";
    router_update_request: ocp::UpdateRouterRequest = "ocp_router_update_request.json";
    status_response: ocp::StatusResponse = "ocp_status.json";
    numbers_page: ocp::NumbersPage = "ocp_numbers_page.json";
    available_request: ocp::AvailableNumbersRequest = "ocp_available_request.json";
    available_response: Vec<ocp::AvailableNumber> = "ocp_available_response.json";
    buy_request: ocp::BuyRequest = "ocp_buy_request.json";
    buy_response: ocp::BuyResponse = "ocp_buy_response.json";
    update_group_request: ocp::UpdateGroupRequest = "ocp_update_group_request.json";
    number_list: ocp::NumberList = "ocp_number_list.json";
    csv_search_request: ocp::AdvancedSearch = "ocp_csv_search_request.json";
    csv_response: String = "ocp_csv_response.json";
    search_request: ocp::AdvancedSearch = "ocp_search_request.json";
    search_response: ocp::NumbersPage = "ocp_search_response.json";
    attach_request: ocp::AttachRequest = "ocp_attach_request.json";
    set_attach_request: ocp::AttachRequest = "ocp_set_attach_request.json";
    note_request: ocp::NoteRequest = "ocp_note_request.json";
    direct_request: ocp::DirectAddRequest = "ocp_direct_request.json";
    set_create_request: ocp::CreateSetRequest = "ocp_set_create_request.json";
    set: ocp::NumberSet = "ocp_set.json";
    sets: Vec<ocp::NumberSet> = "ocp_sets.json";
    set_update_request: ocp::UpdateSetRequest = "ocp_set_update_request.json";
    set_numbers: Vec<ocp::NumberRecord> = "ocp_set_numbers.json";
    exotel_allocate_request: exotel::AllocationRequest = "exotel_allocate_request.json";
    exotel_allocate_response: exotel::Envelope = "exotel_allocate_response.json";
    exotel_error: Vec<exotel::Envelope> = "exotel_error.json";
    exotel_deallocate_response: exotel::Envelope = "exotel_deallocate_response.json";
    exotel_get_response: exotel::Envelope = "exotel_get_response.json";
    exotel_call_party_request: exotel::CallPartyUpdate = "exotel_call_party_request.json";
    exotel_call_party_response: exotel::Envelope = "exotel_call_party_response.json";
    exotel_vn_request: exotel::VnUpdate = "exotel_vn_request.json";
    exotel_vn_response: exotel::Envelope = "exotel_vn_response.json";
    exotel_call_event: exotel::CallEvent = "exotel_call_event.json";
    exotel_call_event_insights: exotel::CallEvent = "exotel_call_event_insights.json";
    exotel_deallocation_event: exotel::DeallocationEvent = "exotel_deallocation_event.json";
    huawei_traffic_request: huawei::TrafficRequest = "huawei_traffic_request.json";
    huawei_traffic_response: huawei::TrafficResponse = "huawei_traffic_response.json";
    huawei_phones: huawei::PhoneList = "huawei_phones.json";
    huawei_job: huawei::Job = "huawei_job.json";
    huawei_jobs: huawei::JobList = "huawei_jobs.json";
    huawei_error: huawei::ErrorBody = "huawei_error.json";
}

#[test]
fn unknown_fields_are_tolerated() {
    let text = r#"{"success": true, "message": "ok", "traceId": "abc"}"#;
    let status: ocp::StatusResponse = serde_json::from_str(text).expect("parses");
    assert!(status.success);
}

#[test]
fn both_set_id_spellings_are_understood() {
    let listed: ocp::NumberRecord =
        serde_json::from_str(r#"{"number": "+12012049893", "phoneNumbersSetId": "s1"}"#)
            .expect("parses");
    let searched: ocp::NumberRecord =
        serde_json::from_str(r#"{"number": "+12012049893", "phoneNumberSetId": "s1"}"#)
            .expect("parses");
    assert_eq!(listed.set_id(), Some("s1"));
    assert_eq!(searched.set_id(), Some("s1"));
}

#[test]
fn strictness_reads_a_boolean_or_its_text() {
    let from_bool: exotel::VnUpdate =
        serde_json::from_str(r#"{"strictness": true}"#).expect("parses");
    let from_text: exotel::VnUpdate =
        serde_json::from_str(r#"{"strictness": "TRUE"}"#).expect("parses");
    assert_eq!(from_bool.strictness, Some(exotel::Strictness(true)));
    assert_eq!(from_text.strictness, Some(exotel::Strictness(true)));
    assert!(serde_json::from_str::<exotel::VnUpdate>(r#"{"strictness": "maybe"}"#).is_err());
}
