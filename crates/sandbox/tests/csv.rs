//! OCP CSV export and operations over HTTP.

mod common;

use common::*;
use numbers_core::limits::Limits;
use numbers_sandbox::Config;
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::json;

async fn upload(s: &Srv, auth: &str, csv: String) -> (u16, serde_json::Value) {
    let form = Form::new().part(
        "file",
        Part::text(csv)
            .file_name("ops.csv")
            .mime_str("text/csv")
            .expect("mime"),
    );
    send(
        s.ocp_as(auth, Method::PUT, "/api/numbers/csv")
            .multipart(form),
    )
    .await
}

#[tokio::test]
async fn export_has_the_documented_columns_and_is_formula_safe() {
    let s = start().await;
    let n = s.numbers().await[0]["number"]
        .as_str()
        .expect("number")
        .to_string();
    send_json(
        s.ocp(Method::PUT, "/api/number/note"),
        json!({"number": n, "note": "=HYPERLINK(\"http://x\")"}),
    )
    .await;
    let r = s
        .ocp(Method::POST, "/api/numbers/csv")
        .json(&json!({"number": n, "page": 0, "pageSize": 0}))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/csv"));
    let text = r.text().await.expect("body");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("APPLICATION_TAG,COUNTRY,GROUP_ID,LOCALE,MINIAPP_DIAMANT_APP_NAME,MINIAPP_GROUP,MINIAPP_ID,MINIAPP_NAME,MINIAPP_TYPE,NUMBER,PHONE_NUMBER_SET_ID,NOTE")
    );
    let row = lines.next().expect("one row");
    assert!(row.contains(&n));
    assert!(row.ends_with("\"'=HYPERLINK(\"\"http://x\"\")\""), "{row}");
    let all = s
        .ocp(Method::POST, "/api/numbers/csv")
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("body");
    assert_eq!(all.lines().count(), 301, "header and every number");
}

#[tokio::test]
async fn a_valid_mixed_file_applies_all_operations() {
    let s = start().await;
    let numbers: Vec<serde_json::Value> = s.numbers().await;
    let pick = |group: &str, attached: bool, skip: usize| -> String {
        numbers
            .iter()
            .filter(|n| n["groupId"] == group && n["miniAppId"].is_null() != attached)
            .nth(skip)
            .and_then(|n| n["number"].as_str())
            .expect("a number")
            .to_string()
    };
    let (attach, detach, delete, update) = (
        pick("ocp", false, 0),
        pick("ocp", true, 0),
        pick("ocp-qa", false, 1),
        pick("ocp", true, 1),
    );
    let app =
        "c4d2a7e8-61f3-4b55-9e0a-3b7d8f2c9e14.card_activation.Numeric.ocp@card_activation.ocp";
    let csv = format!(
        "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,APPLICATION_TAG,PHONE_NUMBER_SET_ID,NOTE\r\n\
         create,+13035550100,ocp,twilio,,en-US,,set-support,created by csv\r\n\
         attach,{attach},,,{app},fr-FR,blue,,\r\n\
         Detach,{detach},,,,,,,\r\n\
         DELETE,{delete},,,,,,,\r\n\
         update,{update},,,,,<NULL>,,new note\r\n"
    );
    let (status, body) = upload(&s, OWNER, csv).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap_or("")
        .contains("Applied 5 rows"));
    let created = s.number("+13035550100").await.expect("created");
    assert_eq!(
        (
            created["groupId"].as_str(),
            created["phoneNumberSetId"].as_str()
        ),
        (Some("ocp"), Some("set-support"))
    );
    let a = s.number(&attach).await.expect("listed");
    assert_eq!(
        (
            a["miniAppName"].as_str(),
            a["locale"].as_str(),
            a["applicationTag"].as_str()
        ),
        (Some("card_activation"), Some("fr-FR"), Some("blue"))
    );
    assert!(s.number(&detach).await.expect("listed")["miniAppId"].is_null());
    assert!(s.number(&delete).await.is_none());
    let u = s.number(&update).await.expect("listed");
    assert!(u["applicationTag"].is_null(), "<NULL> clears");
    assert_eq!(u["note"], "new note");
    assert!(!u["miniAppId"].is_null(), "an empty cell leaves the field");
}

#[tokio::test]
async fn any_invalid_row_rejects_the_whole_file() {
    let s = start().await;
    let before = s.numbers().await;
    let n = before[0]["number"].as_str().expect("number").to_string();
    let csv = format!(
        "OPERATION,NUMBER,NOTE\nupdate,{n},changed\nupdate,12345,x\nfrobnicate,+12015550999,x\n"
    );
    let (status, body) = upload(&s, OWNER, csv).await;
    assert_eq!(status, 400);
    let msg = body["message"].as_str().unwrap_or("");
    assert!(msg.contains("line 3, NUMBER"), "{msg}");
    assert!(msg.contains("line 4, OPERATION"), "{msg}");
    assert_eq!(
        s.number(&n).await.expect("listed")["note"],
        before[0]["note"],
        "nothing applied"
    );

    let (status, body) = upload(&s, OWNER, "OPERATION,NUMBER\ndelete,+19990000000\n".into()).await;
    assert_eq!(status, 400);
    assert!(body["message"]
        .as_str()
        .unwrap_or("")
        .contains("does not exist"));
    let (status, _) = upload(&s, MEMBER, "OPERATION,NUMBER\ndelete,+19990000000\n".into()).await;
    assert_eq!(status, 403, "CSV operations need the OWNER role");
    let (status, _) = upload(
        &s,
        OWNER,
        format!("OPERATION,NUMBER,PHONE_NUMBER_SET_ID\nupdate,{n},set-nope\n"),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send(s.ocp(Method::PUT, "/api/numbers/csv").body("not multipart")).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn more_rows_than_the_limit_are_refused_with_the_limit_named() {
    let s = start_with(Config {
        limits: Limits {
            delete: 2,
            ..Limits::default()
        },
        ..Config::ephemeral()
    })
    .await;
    let numbers: Vec<String> = s
        .numbers()
        .await
        .iter()
        .take(3)
        .map(|n| n["number"].as_str().unwrap_or("").to_string())
        .collect();
    let csv = format!(
        "OPERATION,NUMBER\n{}",
        numbers
            .iter()
            .map(|n| format!("delete,{n}\n"))
            .collect::<String>()
    );
    let (status, body) = upload(&s, OWNER, csv).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap_or("").contains("at most 2"),
        "{body}"
    );
    assert_eq!(s.numbers().await.len(), 300);
}

#[tokio::test]
async fn a_csv_attach_to_an_unknown_miniapp_names_its_line() {
    let s = start().await;
    let app = "9a0f41de-2b9c-4f0e-8d11-5e2f6c1b7a20.billing_ivr.Flow.ocp@billing_ivr.ocp";
    let others: Vec<String> = s
        .numbers()
        .await
        .into_iter()
        .filter(|n| n["groupId"] == "ocp" && n["miniAppId"] != app)
        .filter_map(|n| n["number"].as_str().map(str::to_string))
        .take(2)
        .collect();
    let (a, b) = (others[0].clone(), others[1].clone());
    let file = format!(
        "OPERATION,NUMBER,MINIAPP_ID,LOCALE\r\nattach,{a},{app},en-US\r\nattach,{b},billing_ivr,en-US\r\n"
    );
    let (status, body) = upload(&s, OWNER, file).await;
    assert_eq!(status, 400, "{body}");
    let message = body["message"].as_str().unwrap_or("");
    assert!(
        message.contains("line 3, MINIAPP_ID: no miniApp has the ID billing_ivr"),
        "{message}"
    );
    assert_ne!(
        s.number(&a).await.expect("a")["miniAppId"],
        app,
        "all or nothing"
    );
}
