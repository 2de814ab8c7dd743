//! OCP numbers, sets and routers over HTTP.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn numbers_of(page: &Value) -> Vec<String> {
    page["numbers"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| n["number"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn listing_pages_sorts_and_searches() {
    let s = start().await;
    let (status, page) = send(s.ocp(
        Method::GET,
        "/api/numbers?page=2&pageSize=25&orderBy=number&direction=ASC",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["page"], 2);
    assert_eq!(page["pageSize"], 25);
    assert_eq!(page["allNumbers"], 300);
    assert_eq!(page["numberOfPages"], 12);
    let asc = numbers_of(&page);
    assert_eq!(asc.len(), 25);
    assert!(asc.windows(2).all(|w| w[0] < w[1]), "ascending: {asc:?}");
    let (_, desc) = send(s.ocp(
        Method::GET,
        "/api/numbers?pageSize=25&orderBy=number&direction=DESC",
    ))
    .await;
    let desc = numbers_of(&desc);
    assert!(desc.windows(2).all(|w| w[0] > w[1]));
    assert_ne!(asc[0], desc[0]);

    let (_, found) = send(s.ocp(
        Method::GET,
        "/api/numbers?searchTerm=Billing%20hotline&pageSize=500",
    ))
    .await;
    assert!(found["allNumbers"].as_u64().unwrap_or(0) > 0);
    assert!(found["numbers"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|n| n["note"] == "Billing hotline"));
    let (_, none) = send(s.ocp(Method::GET, "/api/numbers?searchTerm=no%20such%20thing")).await;
    assert_eq!(none["allNumbers"], 0);
    let (_, all) = send(s.ocp(Method::GET, "/api/numbers?searchTerm=%25")).await;
    assert_eq!(all["allNumbers"], 300);

    for bad in [
        "orderBy=bogus",
        "direction=UP",
        "page=0",
        "pageSize=abc",
        "pageSize=100000",
    ] {
        let (status, body) = send(s.ocp(Method::GET, &format!("/api/numbers?{bad}"))).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["success"], false);
    }
}

#[tokio::test]
async fn search_by_the_advanced_fields() {
    let s = start().await;
    let (status, page) = send_json(
        s.ocp(Method::POST, "/api/numbers/search"),
        json!({"miniAppType": "Numeric", "groups": ["ocp"], "page": 1, "pageSize": 500, "orderBy": "miniapp", "direction": "DESC"}),
    )
    .await;
    assert_eq!(status, 200);
    let numbers = page["numbers"].as_array().cloned().unwrap_or_default();
    assert!(!numbers.is_empty());
    assert!(numbers
        .iter()
        .all(|n| n["miniAppType"] == "Numeric" && n["groupId"] == "ocp"));
    let (status, _) = send_json(
        s.ocp(Method::POST, "/api/numbers/search"),
        json!({"setId": "set-qa"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = send_json(
        s.ocp_as(MEMBER, Method::POST, "/api/numbers/search"),
        json!({"groups": ["ocp"]}),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn tokens_decide_who_sees_what() {
    let s = start().await;
    let (status, body) = send(s.client.get(format!("{}/integrations/api/numbers", s.base))).await;
    assert_eq!(status, 401);
    assert!(body["message"]
        .as_str()
        .unwrap_or("")
        .contains("Authorization"));
    let (status, _) = send(s.ocp_as("wrong", Method::GET, "/api/numbers")).await;
    assert_eq!(status, 401);
    let (_, page) = send(s.ocp_as(MEMBER, Method::GET, "/api/numbers?pageSize=500")).await;
    assert!(page["numbers"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|n| n["groupId"] == "ocp-qa"));
    let other = s
        .numbers()
        .await
        .into_iter()
        .find(|n| n["groupId"] == "ocp")
        .expect("an ocp number");
    let (status, body) = send_json(
        s.ocp_as(MEMBER, Method::PUT, "/api/number/note"),
        json!({"number": other["number"], "note": "mine now"}),
    )
    .await;
    assert_eq!(status, 403);
    assert!(body["message"]
        .as_str()
        .unwrap_or("")
        .contains("no permission"));
}

#[tokio::test]
async fn buying_moves_available_numbers_into_the_group() {
    let s = start().await;
    let (status, available) = send_json(
        s.ocp(Method::POST, "/api/numbers"),
        json!({"provider": "twilio", "prefix": "+1415", "code": "US", "group": "ocp"}),
    )
    .await;
    assert_eq!(status, 200);
    let first = available[0]["number"]
        .as_str()
        .expect("an available number")
        .to_string();
    assert_eq!(available[0]["locality"], "San Francisco");
    assert!(available[0]["price"].as_f64().is_some());
    let (status, bought) = send_json(
        s.ocp(Method::PUT, "/api/numbers"),
        json!({"provider": "twilio", "numbers": [first, "+19999999999"], "group": "ocp", "note": "bought in test"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(bought["purchasedNumbers"][0]["number"], first.as_str());
    assert!(bought["purchasedNumbers"][0]["id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert_eq!(bought["failedNumbers"], json!(["+19999999999"]));
    let n = s.number(&first).await.expect("bought number listed");
    assert_eq!(
        (n["groupId"].as_str(), n["note"].as_str()),
        (Some("ocp"), Some("bought in test"))
    );
    // Bought once: no longer available.
    let (_, again) = send_json(
        s.ocp(Method::PUT, "/api/numbers"),
        json!({"provider": "twilio", "numbers": [first], "group": "ocp"}),
    )
    .await;
    assert_eq!(again["failedNumbers"], json!([first]));
    let (status, _) = send_json(
        s.ocp(Method::POST, "/api/numbers"),
        json!({"provider": "twilio", "prefix": "1a", "code": "US", "group": "ocp"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send_json(
        s.ocp_as(MEMBER, Method::POST, "/api/numbers"),
        json!({"provider": "twilio", "code": "US", "group": "ocp"}),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn attach_detach_note_group_direct_and_delete() {
    let s = start().await;
    let target = s
        .numbers()
        .await
        .into_iter()
        .find(|n| n["groupId"] == "ocp-qa")
        .expect("a qa number");
    let number = target["number"].as_str().expect("number").to_string();

    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/numbers/attach"),
        json!({"numbers": [number], "miniAppId": "x"}),
    )
    .await;
    assert_eq!(status, 400, "locale is required");
    let (status, body) = send_json(
        s.ocp(Method::PUT, "/api/numbers/attach"),
        json!({"numbers": [number], "miniAppId": "x", "locale": "english"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap_or("").contains("en-US"));
    let app = "3781bcc1-7c76-439b-ba26-05d22217b316.SND_dmt_test_app_vp.Flow.ocp-qa@SND_dmt_test_app_vp.ocp-qa";
    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/numbers/attach"),
        json!({"numbers": [number], "miniAppId": app, "locale": "ee-DO", "applicationTag": "canary"}),
    )
    .await;
    assert_eq!(status, 200);
    let n = s.number(&number).await.expect("listed");
    assert_eq!(n["miniAppName"], "SND_dmt_test_app_vp");
    assert_eq!(n["miniAppType"], "Flow");
    assert_eq!(n["locale"], "ee-DO");
    assert_eq!(n["applicationTag"], "canary");

    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/numbers/detach"),
        json!({"numbers": [number]}),
    )
    .await;
    assert_eq!(status, 200);
    let n = s.number(&number).await.expect("listed");
    assert!(n["miniAppId"].is_null() && n["applicationTag"].is_null());
    assert_eq!(n["locale"], "ee-DO");

    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/number/note"),
        json!({"number": number, "note": "changed"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(s.number(&number).await.expect("listed")["note"], "changed");

    let (status, _) = send_json(
        s.ocp_as(MEMBER, Method::PUT, "/api/numbers/group"),
        json!({"numbers": [number], "group": "ocp"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/numbers/group"),
        json!({"numbers": [number], "group": "ocp"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(s.number(&number).await.expect("listed")["groupId"], "ocp");

    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/numbers/detach"),
        json!({"numbers": ["+10000000000"]}),
    )
    .await;
    assert_eq!(status, 404);

    let direct = json!({"numbers": ["+12025550100", "+12025550101"], "group": "ocp-qa", "country": "US", "miniAppId": app,
                        "locale": "en-US", "logAni": true, "logDnis": false, "note": "direct", "applicationTag": "t"});
    let (status, _) = send_json(s.ocp(Method::POST, "/api/numbers/direct"), direct.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        s.number("+12025550101").await.expect("added")["miniAppName"],
        "SND_dmt_test_app_vp"
    );
    let (status, _) = send_json(s.ocp(Method::POST, "/api/numbers/direct"), direct).await;
    assert_eq!(status, 409);
    let (status, body) = send_json(
        s.ocp(Method::POST, "/api/numbers/direct"),
        json!({"numbers": ["202 555 0102"], "group": "ocp"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"]
        .as_str()
        .unwrap_or("")
        .contains("202 555 0102"));

    let (status, _) = send(s.ocp(Method::DELETE, "/api/numbers/delete/+12025550100")).await;
    assert_eq!(status, 200);
    assert!(s.number("+12025550100").await.is_none());
    let (status, _) = send(s.ocp(Method::DELETE, "/api/numbers/delete/+12025550100")).await;
    assert_eq!(status, 404);

    // Totals follow every add, delete and move (they come from counters).
    let total = |auth: &'static str| {
        let rb = s.ocp_as(auth, Method::GET, "/api/numbers?pageSize=1");
        async move { send(rb).await.1["allNumbers"].as_u64() }
    };
    assert_eq!(total(OWNER).await, Some(301));
    let (_, qa) = send(s.ocp_as(MEMBER, Method::GET, "/api/numbers?pageSize=10000")).await;
    let listed = qa["numbers"].as_array().map(Vec::len).unwrap_or(0) as u64;
    assert_eq!(total(MEMBER).await, Some(listed));
    let (_, qa_search) = send(s.ocp_as(
        MEMBER,
        Method::GET,
        "/api/numbers?pageSize=1&searchTerm=%2B",
    ))
    .await;
    assert_eq!(
        qa_search["allNumbers"].as_u64(),
        Some(listed),
        "counted and filtered totals agree"
    );
}

#[tokio::test]
async fn sets_hold_numbers_of_their_own_group() {
    let s = start().await;
    let (status, set) = send_json(
        s.ocp(Method::POST, "/api/numbers-set"),
        json!({"name": "Night shift", "groupId": "ocp"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(set["phoneNumberCount"], 0);
    let id = set["id"].as_str().expect("id").to_string();
    let (status, _) = send_json(
        s.ocp(Method::POST, "/api/numbers-set"),
        json!({"name": "night shift", "groupId": "ocp"}),
    )
    .await;
    assert_eq!(status, 409);

    let all = s.numbers().await;
    let ocp: Vec<String> = all
        .iter()
        .filter(|n| n["groupId"] == "ocp" && n["phoneNumberSetId"].is_null())
        .take(3)
        .map(|n| n["number"].as_str().unwrap_or("").to_string())
        .collect();
    let qa = all
        .iter()
        .find(|n| n["groupId"] == "ocp-qa")
        .map(|n| n["number"].clone())
        .expect("qa number");
    let (status, body) = send_json(
        s.ocp(Method::POST, &format!("/api/numbers-set/{id}/numbers")),
        json!({"numbers": [qa]}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap_or("").contains("own group"));
    let (status, _) = send_json(
        s.ocp(Method::POST, &format!("/api/numbers-set/{id}/numbers")),
        json!({"numbers": ocp}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, got) = send(s.ocp(Method::GET, &format!("/api/numbers-set/{id}"))).await;
    assert_eq!(got["phoneNumberCount"], 3);
    let (_, members) = send(s.ocp(Method::GET, &format!("/api/numbers-set/{id}/numbers"))).await;
    assert_eq!(members.as_array().map(Vec::len), Some(3));
    assert_eq!(members[0]["phoneNumberSetId"], id.as_str());

    let (_, by_group) = send(s.ocp(Method::GET, "/api/numbers-set/group/ocp")).await;
    assert!(by_group
        .as_array()
        .into_iter()
        .flatten()
        .any(|x| x["id"] == id.as_str()));
    let (status, _) = send(s.ocp_as(MEMBER, Method::GET, "/api/numbers-set/group/ocp")).await;
    assert_eq!(status, 403);
    let (_, mine) = send(s.ocp_as(MEMBER, Method::GET, "/api/numbers-set")).await;
    assert!(mine
        .as_array()
        .into_iter()
        .flatten()
        .all(|x| x["groupId"] == "ocp-qa"));

    let app = "9a0f41de-2b9c-4f0e-8d11-5e2f6c1b7a20.billing_ivr.Flow.ocp@billing_ivr.ocp";
    let (status, _) = send_json(
        s.ocp(Method::PUT, &format!("/api/numbers-set/{id}/attach")),
        json!({"miniAppId": app, "locale": "en_GB"}),
    )
    .await;
    assert_eq!(status, 400, "en_GB is not pd-XY");
    let (status, _) = send_json(
        s.ocp(Method::PUT, &format!("/api/numbers-set/{id}/attach")),
        json!({"miniAppId": app, "locale": "en-GB"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        s.number(&ocp[0]).await.expect("listed")["miniAppName"],
        "billing_ivr"
    );
    let (status, _) = send(s.ocp(Method::PUT, &format!("/api/numbers-set/{id}/detach"))).await;
    assert_eq!(status, 200);
    assert!(s.number(&ocp[1]).await.expect("listed")["miniAppId"].is_null());

    let (status, _) = send_json(
        s.ocp(Method::DELETE, &format!("/api/numbers-set/{id}/numbers")),
        json!({"numbers": [ocp[0]]}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, got) = send(s.ocp(Method::GET, &format!("/api/numbers-set/{id}"))).await;
    assert_eq!(got["phoneNumberCount"], 2);

    let (status, _) = send_json(
        s.ocp(Method::PATCH, &format!("/api/numbers-set/{id}")),
        json!({"name": "Late shift", "groupId": "ocp-qa"}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, got) = send(s.ocp(Method::GET, &format!("/api/numbers-set/{id}"))).await;
    assert_eq!(
        (
            got["name"].as_str(),
            got["groupId"].as_str(),
            got["phoneNumberCount"].as_u64()
        ),
        (Some("Late shift"), Some("ocp-qa"), Some(0))
    );

    // Delete purchased numbers in a set; then the set; the others stay.
    let (_, qa_set) = send(s.ocp(Method::GET, "/api/numbers-set/set-qa/numbers")).await;
    let before = qa_set.as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(before, 6);
    let (status, body) = send(s.ocp(Method::DELETE, "/api/numbers-set/set-qa/delete")).await;
    assert_eq!(status, 200);
    assert!(body["message"].as_str().unwrap_or("").contains("purchased"));
    let (_, after) = send(s.ocp(Method::GET, "/api/numbers-set/set-qa")).await;
    let left = after["phoneNumberCount"].as_u64().unwrap_or(99) as usize;
    assert!(left < before);
    let (status, _) = send(s.ocp(Method::DELETE, "/api/numbers-set/set-qa")).await;
    assert_eq!(status, 200);
    let (status, _) = send(s.ocp(Method::GET, "/api/numbers-set/set-qa")).await;
    assert_eq!(status, 404);
    let survivors = s
        .numbers()
        .await
        .iter()
        .filter(|n| n["groupId"] == "ocp-qa")
        .count();
    assert!(survivors > 0);
}

#[tokio::test]
async fn routers_move_traffic_step_by_step_then_complete() {
    let s = start().await;
    let number = s
        .numbers()
        .await
        .into_iter()
        .find(|n| n["groupId"] == "ocp" && !n["miniAppId"].is_null())
        .and_then(|n| {
            let num = n["number"].as_str()?.to_string();
            Some(num)
        })
        .expect("an attached number");
    let (status, routers) = send(s.ocp(Method::GET, "/api/numbers-routing")).await;
    assert_eq!(status, 200);
    let demo_number = routers[0]["numbers"][0].as_str().unwrap_or("").to_string();
    let number = if number == demo_number {
        s.numbers()
            .await
            .into_iter()
            .filter(|n| n["groupId"] == "ocp" && !n["miniAppId"].is_null())
            .map(|n| n["number"].as_str().unwrap_or("").to_string())
            .find(|n| *n != demo_number)
            .expect("another attached number")
    } else {
        number
    };
    let target =
        "e1b3c5d7-8f9a-4b2c-a6d8-0e1f2a3b4c5d.appointment_bot.Flow.ocp@appointment_bot.ocp";
    let req = json!({"number": number, "targetAppId": target, "targetAppTag": "v2", "step": 30, "initialWeight": 80, "isEnabled": true});
    let (status, router) =
        send_json(s.ocp(Method::POST, "/api/numbers-routing"), req.clone()).await;
    assert_eq!(status, 200, "{router}");
    assert_eq!(router["appRoutes"][0]["order"], 0);
    assert_eq!(router["appRoutes"][0]["weight"], 80);
    assert_eq!(router["appRoutes"][1]["weight"], 20);
    assert_eq!(router["appRoutes"][1]["appId"], target);
    assert!(router["lastUpdateTime"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    let id = router["id"].as_str().expect("id").to_string();
    let (status, _) = send_json(s.ocp(Method::POST, "/api/numbers-routing"), req).await;
    assert_eq!(status, 409);

    let (status, _) = send(s.ocp(
        Method::POST,
        &format!("/api/numbers-routing/number/{number}/next-step"),
    ))
    .await;
    assert_eq!(status, 200);
    let (_, r) = send(s.ocp(
        Method::GET,
        &format!("/api/numbers-routing/number/{number}"),
    ))
    .await;
    assert_eq!(
        (
            r["appRoutes"][0]["weight"].as_i64(),
            r["appRoutes"][1]["weight"].as_i64()
        ),
        (Some(50), Some(50))
    );
    send(s.ocp(
        Method::POST,
        &format!("/api/numbers-routing/number/{number}/next-step"),
    ))
    .await;
    send(s.ocp(
        Method::POST,
        &format!("/api/numbers-routing/number/{number}/next-step"),
    ))
    .await;
    let (_, r) = send(s.ocp(Method::GET, &format!("/api/numbers-routing/{id}"))).await;
    assert_eq!(r["appRoutes"][0]["weight"], 0, "clamped at 0");

    let (_, in_progress) = send(s.ocp(Method::GET, "/api/numbers-routing?isInProgress=true")).await;
    assert!(
        in_progress
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["id"] != id.as_str()),
        "finished rollouts are not in progress"
    );
    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/numbers-routing"),
        json!({"id": id, "weight": 60, "step": 5, "isEnabled": false}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, r) = send(s.ocp(Method::GET, &format!("/api/numbers-routing/{id}"))).await;
    assert_eq!(
        (
            r["appRoutes"][0]["weight"].as_i64(),
            r["step"].as_i64(),
            r["active"].as_bool()
        ),
        (Some(60), Some(5), Some(false))
    );
    let (status, _) = send_json(
        s.ocp(Method::PUT, "/api/numbers-routing"),
        json!({"id": id, "step": 101}),
    )
    .await;
    assert_eq!(status, 400);

    let (status, _) =
        send(s.ocp(Method::POST, &format!("/api/numbers-routing/{id}/complete"))).await;
    assert_eq!(status, 200);
    let n = s.number(&number).await.expect("listed");
    assert_eq!(n["miniAppId"], target);
    assert_eq!(n["applicationTag"], "v2");
    let (status, _) = send(s.ocp(Method::GET, &format!("/api/numbers-routing/{id}"))).await;
    assert_eq!(status, 404);

    let (status, _) = send(s.ocp(Method::DELETE, "/api/numbers-routing/router-demo")).await;
    assert_eq!(status, 200);
    let (status, _) = send_json(
        s.ocp(Method::POST, "/api/numbers-routing"),
        json!({"number": "12345", "targetAppId": target}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_unknown_miniapp_is_refused_everywhere_one_attaches() {
    let s = start().await;
    let numbers = s.numbers().await;
    let number = numbers
        .iter()
        .find(|n| n["groupId"] == "ocp" && n["miniAppId"].is_string())
        .and_then(|n| n["number"].as_str())
        .expect("an attached ocp number")
        .to_string();
    let (status, body) = send_json(
        s.ocp(Method::PUT, "/api/numbers/attach"),
        json!({"numbers": [number], "miniAppId": "billing_ivr", "locale": "en-US"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let message = body["message"].as_str().unwrap_or("");
    assert!(
        message.contains("No miniApp has the ID billing_ivr")
            && message.contains("uuid.name.Type.group@app.group"),
        "{message}"
    );
    let before = s.number(&number).await.expect("listed");
    assert_ne!(before["miniAppId"], "billing_ivr", "nothing was stored");

    let (status, body) = send_json(
        s.ocp(Method::POST, "/api/numbers-routing"),
        json!({"number": number, "targetAppId": "9a0f41de-2b9c-4f0e-8d11-5e2f6c1b7a21.nope.Flow.ocp@nope.ocp"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap_or("")
        .contains("No miniApp has the ID"));
}
