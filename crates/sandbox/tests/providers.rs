//! Exotel allocations and Huawei cloud phones over HTTP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn seed_allocation(connection_id: &str) -> Value {
    json!({
        "aparty_numbers": ["+919176226528", "+911234567891"],
        "bparty_numbers": ["+918136966620"],
        "usage": "twoway",
        "connection_id": connection_id,
        "deallocation_policy": {"duration": "600s"}
    })
}

fn code(body: &Value) -> Option<u64> {
    body[0]["code"].as_u64()
}

#[tokio::test]
async fn allocations_live_update_and_go_to_the_vault() {
    let s = start().await;
    let (status, body) = send_json(s.exotel(Method::POST, ""), seed_allocation("X1")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["success"].as_bool(), body["status"].as_u64()),
        (Some(true), Some(200))
    );
    let data = &body["data"];
    assert_eq!(data["state"], "active");
    assert_eq!(data["usage"], "twoway");
    assert!(data["green_vn"]
        .as_str()
        .is_some_and(|v| v.starts_with("+91")));
    let id = data["greenvn_id"].as_str().expect("id").to_string();

    let (status, body) = send_json(s.exotel(Method::POST, ""), seed_allocation("X1")).await;
    assert_eq!((status, code(&body)), (409, Some(18)));
    assert_eq!(
        body[0]["message"],
        "Allocation exists for this connection id"
    );
    assert_eq!(body[0]["success"], false);

    let (status, got) = send(s.exotel(Method::GET, &format!("/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(got["data"]["connection_id"], "X1");

    let update = json!({"aparty_numbers": ["+919950000040", "+919950000041"], "aparty_pins": [12340], "bparty_pins": [2340], "usage": "oneway"});
    let (status, body) =
        send_json(s.exotel(Method::PUT, &format!("/{id}/call-party")), update).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["aparty_numbers"],
        json!(["+919950000040", "+919950000041"])
    );
    assert_eq!(
        body["data"]["bparty_numbers"],
        json!(["+918136966620"]),
        "inherited"
    );
    assert_eq!(body["data"]["usage"], "oneway");
    assert_eq!(body["data"]["aparty_pins"], json!([12340]));
    let (status, body) = send_json(
        s.exotel(Method::PUT, &format!("/{id}/call-party")),
        json!({"bparty_numbers": ["+919950000040"]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (409, Some(14)),
        "the merged parties would share a number"
    );

    let old_vn = got["data"]["green_vn"].clone();
    let (status, body) = send(s.exotel(Method::PUT, &format!("/{id}/vn"))).await;
    assert_eq!(status, 200, "an empty body asks for any other VN");
    assert_ne!(body["data"]["green_vn"], old_vn);
    let (status, body) = send_json(
        s.exotel(Method::PUT, &format!("/{id}/vn")),
        json!({"strictness": "false", "preferences": {"region": "KA", "number_type": "landline"}}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["data"]["green_vn"].as_str().is_some());

    let (status, body) = send(s.exotel(Method::DELETE, &format!("/{id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["state"], "vault");
    let (status, body) = send(s.exotel(Method::DELETE, &format!("/{id}"))).await;
    assert_eq!((status, code(&body)), (410, Some(22)));
    let (status, body) = send(s.exotel(Method::GET, "/nope")).await;
    assert_eq!((status, code(&body)), (404, Some(1)));
    // The connection id is free again once its allocation is in the vault.
    let (status, _) = send_json(s.exotel(Method::POST, ""), seed_allocation("X1")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn allocation_errors_carry_the_appendix_codes() {
    let s = start().await;
    let mut both = seed_allocation("B");
    both["bparty_numbers"] = json!(["+919176226528"]);
    let (status, body) = send_json(s.exotel(Method::POST, ""), both).await;
    assert_eq!((status, code(&body)), (409, Some(14)));
    let mut region = seed_allocation("R");
    region["preferences"] = json!({"region": "ZZ"});
    let (status, body) = send_json(s.exotel(Method::POST, ""), region).await;
    assert_eq!((status, code(&body)), (403, Some(15)));
    let mut invalid = seed_allocation("I");
    invalid["aparty_numbers"] = json!(["9176226528"]);
    let (status, body) = send_json(s.exotel(Method::POST, ""), invalid).await;
    assert_eq!((status, code(&body)), (400, Some(16)));
    let (status, body) = send_json(
        s.exotel(Method::POST, ""),
        json!({"connection_id": "M", "usage": "twoway"}),
    )
    .await;
    assert_eq!((status, code(&body)), (400, Some(3)));
    let mut strict = seed_allocation("S");
    strict["strictness"] = json!(true);
    strict["preferences"] = json!({"greenvn": "+919999999999"});
    let (status, body) = send_json(s.exotel(Method::POST, ""), strict).await;
    assert_eq!((status, code(&body)), (452, Some(4)));
    let mut loose = seed_allocation("L");
    loose["preferences"] = json!({"greenvn": "+919999999999", "region": "KA", "type": "mobile"});
    let (status, body) = send_json(s.exotel(Method::POST, ""), loose).await;
    assert_eq!(status, 200, "without strictness the closest VN is given");
    assert!(body["data"]["green_vn"]
        .as_str()
        .is_some_and(|v| v.starts_with("+9180")));

    let (status, body) = send_json(
        s.client
            .post(format!("{}/v1/tenants/sandbox/greenvn", s.base))
            .basic_auth("sandbox-key", Some("wrong")),
        seed_allocation("A"),
    )
    .await;
    assert_eq!((status, code(&body)), (401, Some(7)));
    let (status, body) = send_json(
        s.client
            .post(format!("{}/v1/tenants/other/greenvn", s.base))
            .basic_auth("sandbox-key", Some("sandbox-token")),
        seed_allocation("A"),
    )
    .await;
    assert_eq!((status, code(&body)), (403, Some(8)));
}

#[tokio::test]
async fn no_free_vn_is_code_4_and_due_policies_deallocate() {
    let s = start().await;
    // Fill the pool with lasting allocations, then free exactly one VN, so
    // the short-lived allocation gets the last VN however slow the machine.
    let mut ids = Vec::new();
    let mut last = (200, Value::Null);
    for i in 0..50 {
        last = send_json(
            s.exotel(Method::POST, ""),
            seed_allocation(&format!("fill{i}")),
        )
        .await;
        if last.0 != 200 {
            break;
        }
        ids.push(
            last.1["data"]["greenvn_id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    assert_eq!((last.0, code(&last.1)), (452, Some(4)));
    let (status, _) = send(s.exotel(Method::DELETE, &format!("/{}", ids[0]))).await;
    assert_eq!(status, 200);

    let mut short = seed_allocation("short");
    short["deallocation_policy"] = json!({"duration": "2s"});
    let (status, body) = send_json(s.exotel(Method::POST, ""), short).await;
    assert_eq!(status, 200);
    let id = body["data"]["greenvn_id"].as_str().expect("id").to_string();
    let (status, body) = send_json(s.exotel(Method::POST, ""), seed_allocation("one more")).await;
    assert_eq!(
        (status, code(&body)),
        (452, Some(4)),
        "the pool is full again"
    );

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (_, got) = send(s.exotel(Method::GET, &format!("/{id}"))).await;
    assert_eq!(
        got["data"]["state"], "vault",
        "deallocated when its duration passed"
    );
    let (status, _) = send_json(s.exotel(Method::POST, ""), seed_allocation("after")).await;
    assert_eq!(status, 200, "its VN is free again");
}

async fn phone_ids(s: &Srv) -> Vec<String> {
    let mut ids = Vec::new();
    for offset in [0, 100, 200] {
        let (status, page) =
            send(s.huawei(Method::GET, &format!("/phones?offset={offset}&limit=100"))).await;
        assert_eq!(status, 200);
        assert_eq!(page["count"], 250);
        ids.extend(
            page["phones"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["phone_id"].as_str().map(str::to_string)),
        );
    }
    ids
}

#[tokio::test]
async fn traffic_diversion_makes_jobs_that_succeed() {
    let s = start().await;
    let ids = phone_ids(&s).await;
    assert_eq!(ids.len(), 250);
    let mut request: Vec<String> = ids[..97].to_vec();
    request.extend([
        "631056bfb66b4f4ea02ba25f04830cb4".into(),
        "nope-1".into(),
        "nope-2".into(),
    ]);
    let sent = Instant::now();
    let (status, body) = send_json(
        s.huawei(Method::POST, "/phones-traffic"),
        json!({"traffic_type": "routing", "phone_ids": request}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let jobs = body["jobs"].as_array().cloned().unwrap_or_default();
    assert_eq!(jobs.len(), 100);
    let failed: Vec<&Value> = jobs
        .iter()
        .filter(|j| j["error_code"].is_string())
        .collect();
    assert_eq!(failed.len(), 3);
    assert!(failed
        .iter()
        .all(|j| j["job_id"].is_null() && j["error_msg"].is_string()));
    let request_id = body["request_id"].as_str().expect("request id").to_string();
    let (_, listed) = send(s.huawei(Method::GET, &format!("/jobs?request_id={request_id}"))).await;
    assert_eq!(listed["jobs"].as_array().map(Vec::len), Some(97));
    // Jobs run for a second: on a machine too busy to ask within it, they
    // may rightly be done already.
    if sent.elapsed() < Duration::from_secs_f64(numbers_sandbox::JOB_SECONDS) {
        assert!(
            listed["jobs"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|j| j["status"] == 1),
            "running at first"
        );
    }
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (_, listed) = send(s.huawei(Method::GET, &format!("/jobs?request_id={request_id}"))).await;
    assert!(listed["jobs"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|j| j["status"] == 2 && j["end_time"].is_string()));
    let job_id = jobs[0]["job_id"].as_str().expect("job id");
    let (status, job) = send(s.huawei(Method::GET, &format!("/jobs/{job_id}"))).await;
    assert_eq!(status, 200);
    assert_eq!(job["status"], 2);
    assert!(job["begin_time"]
        .as_str()
        .is_some_and(|t| t.len() == 20 && t.ends_with('Z')));
    let (_, page) = send(s.huawei(Method::GET, "/phones?limit=100")).await;
    let routed = page["phones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["traffic_type"] == "routing")
        .count();
    assert!(routed > 0, "the phones' route changed");
    let (status, _) = send(s.huawei(Method::GET, "/jobs/nope")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn traffic_requests_are_checked() {
    let s = start().await;
    let ids: Vec<String> = (0..101).map(|i| format!("id{i}")).collect();
    let (status, body) = send_json(
        s.huawei(Method::POST, "/phones-traffic"),
        json!({"traffic_type": "direct", "phone_ids": ids}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error_msg"].as_str().unwrap_or("").contains("100"));
    assert!(body["error_code"].is_string());
    let (status, body) = send_json(
        s.huawei(Method::POST, "/phones-traffic"),
        json!({"traffic_type": "teleport", "phone_ids": ["a"]}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error_msg"]
        .as_str()
        .unwrap_or("")
        .contains("direct or routing"));
    let (status, _) = send_json(
        s.client
            .post(format!(
                "{}/v1/sandbox-project/cloud-phone/phones-traffic",
                s.base
            ))
            .header("X-Auth-Token", "bad"),
        json!({"traffic_type": "direct", "phone_ids": ["a"]}),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = send(s.huawei(Method::GET, "/phones?limit=1000")).await;
    assert_eq!(status, 400);
}
