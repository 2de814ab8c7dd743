use proptest::prelude::*;

use super::*;
use crate::endpoints::{find, Provider};

fn targets_of(
    provider: Provider,
    method: &str,
    path: &str,
    body: &str,
    answer: &str,
) -> Vec<String> {
    let m = find(provider, method, path).expect("documented");
    describe(m.endpoint, &m.params, body.as_bytes(), answer.as_bytes())
        .targets
        .iter()
        .map(Target::to_string)
        .collect()
}

#[test]
fn ocp_changes_name_the_numbers_they_touch() {
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "PUT",
            "/api/numbers/attach",
            r#"{"numbers":["+15550100","+15550101"],"miniAppId":"app-1","locale":"en-US"}"#,
            "{}"
        ),
        [
            "+15550100 (to app-1 (en-US))",
            "+15550101 (to app-1 (en-US))"
        ]
    );
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "DELETE",
            "/api/numbers/delete/%2B15550100",
            "",
            "{}"
        ),
        ["+15550100"]
    );
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "PUT",
            "/api/numbers/group",
            r#"{"numbers":["+15550100"],"group":"ocp-qa"}"#,
            "{}"
        ),
        ["+15550100 (to group ocp-qa)"]
    );
}

#[test]
fn sets_and_routers_are_named_even_when_the_answer_creates_them() {
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "POST",
            "/api/numbers-set",
            r#"{"name":"Hotlines","groupId":"ocp"}"#,
            r#"{"id":"set-9","name":"Hotlines","groupId":"ocp","phoneNumberCount":0}"#
        ),
        ["set set-9 (Hotlines in ocp)"]
    );
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "POST",
            "/api/numbers-set/set-9/numbers",
            r#"{"numbers":["+15550100"]}"#,
            "{}"
        ),
        ["set set-9", "+15550100"]
    );
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "POST",
            "/api/numbers-routing/r-1/complete",
            "",
            "{}"
        ),
        ["router r-1"]
    );
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "PUT",
            "/api/numbers-routing",
            r#"{"id":"r-1","weight":40}"#,
            "{}"
        ),
        ["router r-1 (weight 40)"]
    );
    assert_eq!(
        targets_of(
            Provider::Ocp,
            "POST",
            "/api/numbers-routing/number/%2B15550100/next-step",
            "",
            "{}"
        ),
        ["+15550100"]
    );
}

#[test]
fn pins_are_never_kept() {
    let body = r#"{"connection_id":"c-1","aparty_numbers":["+919800000001"],"bparty_numbers":["+919800000002"],"aparty_pins":[4321],"usage":"twoway"}"#;
    let answer = r#"{"success":true,"status":200,"data":{"connection_id":"c-1","aparty_numbers":["+919800000001"],"bparty_numbers":["+919800000002"],"usage":"twoway","state":"active","green_vn":"+918000000001","greenvn_id":"g-1"}}"#;
    let t = targets_of(
        Provider::Exotel,
        "POST",
        "/v1/tenants/s/greenvn",
        body,
        answer,
    );
    assert_eq!(
        t,
        [
            "allocation g-1 (connection c-1)",
            "+918000000001 (virtual number)",
            "+919800000001 (A party, pin ••••)",
            "+919800000002 (B party)"
        ]
    );
    assert!(!t.join(" ").contains("4321"));
}

#[test]
fn a_csv_batch_names_each_row_and_its_operation() {
    let m = find(Provider::Ocp, "PUT", "/api/numbers/csv").expect("csv");
    let csv = b"NUMBER,OPERATION,GROUP_ID\n+15550100,UPDATE,ocp\n+15550101,DELETE,ocp\n";
    let mut reader = CsvTargets::new();
    reader.push(csv);
    let t = reader.finish();
    assert_eq!(t.total, 2);
    assert_eq!(
        t.targets.iter().map(Target::to_string).collect::<Vec<_>>(),
        ["+15550100 (update)", "+15550101 (delete)"]
    );
    assert_eq!(action_name(m.endpoint, Some("3/12")), "CSV batch 3 of 12");
    assert_eq!(action_name(m.endpoint, Some("13/12")), "CSV batch");
    let attach = find(Provider::Ocp, "PUT", "/api/numbers/attach").expect("attach");
    assert_eq!(action_name(attach.endpoint, Some("1/2")), "attach");
}

#[test]
fn a_large_request_keeps_a_thousand_targets_and_counts_all() {
    let numbers: Vec<String> = (0..130_000).map(|i| format!("+1201{i:07}")).collect();
    let body = serde_json::json!({ "numbers": numbers }).to_string();
    let m = find(Provider::Ocp, "PUT", "/api/numbers/detach").expect("detach");
    let d = describe(m.endpoint, &m.params, body.as_bytes(), b"{}");
    assert_eq!(d.total, 130_000);
    assert_eq!(d.targets.len(), MAX_TARGETS);
    let set = find(Provider::Ocp, "POST", "/api/numbers-set/s-1/numbers").expect("set");
    let d = describe(set.endpoint, &set.params, body.as_bytes(), b"{}");
    assert_eq!((d.total, d.targets.len()), (130_001, MAX_TARGETS));
    assert_eq!(d.targets[0].to_string(), "set s-1");
    let entry = Entry {
        targets: d.targets,
        target_count: d.total,
        ..entry("a", 0, "owner", "+1")
    };
    assert!(
        touched(&entry).ends_with("; and 129001 more"),
        "{}",
        touched(&entry)
    );
}

#[test]
fn a_refused_change_is_kept_compact_and_counted_ones_in_one_entry() {
    let e = Entry {
        targets: vec![Target::new(
            TargetKind::Number,
            "+15550100",
            Some("note: secret plan".into()),
        )],
        target_count: 3,
        message: Some("No permission for the group of +15550100.".into()),
        ..entry("a", 0, "", "+1")
    }
    .compact("203.0.113.9");
    assert!(e.targets.is_empty() && e.message.is_none());
    assert_eq!(touched(&e), "3 targets; from 203.0.113.9");
    let c = refused::Counted {
        client: "203.0.113.9".into(),
        from_ms: 0,
        to_ms: 60_000,
        requests: 497,
        targets: 994,
    };
    let counted = Entry::counted("b".into(), "ocp", "eu1", &c);
    assert_eq!(counted.requests, 497);
    assert_eq!(counted.outcome, Outcome::Refused);
    assert!(counted
        .message
        .as_deref()
        .unwrap_or_default()
        .starts_with("497 more refused requests from 203.0.113.9"));
}

#[test]
fn huawei_diversion_names_the_phones() {
    assert_eq!(
        targets_of(
            Provider::Huawei,
            "POST",
            "/v1/p/cloud-phone/phones-traffic",
            r#"{"traffic_type":"routing","phone_ids":["ph-1","ph-2"]}"#,
            "{}"
        ),
        ["phone ph-1 (routing)", "phone ph-2 (routing)"]
    );
}

#[test]
fn outcomes_follow_each_providers_answer() {
    assert_eq!(
        outcome(200, br#"{"success":true,"message":"Done."}"#),
        (Outcome::Ok, None, Some("Done.".into()))
    );
    assert_eq!(
        outcome(200, br#"{"success":false,"message":"No."}"#).0,
        Outcome::Failed
    );
    assert_eq!(
        outcome(401, br#"{"message":"expired"}"#).0,
        Outcome::Refused
    );
    assert_eq!(
        outcome(400, br#"[{"code":1002,"message":"bad number"}]"#),
        (
            Outcome::Failed,
            Some("1002".into()),
            Some("bad number".into())
        )
    );
    assert_eq!(
        outcome(403, br#"{"error_code":"CPS.0403","error_msg":"no access"}"#),
        (
            Outcome::Refused,
            Some("CPS.0403".into()),
            Some("no access".into())
        )
    );
    assert_eq!(
        outcome(200, br#"{"failedNumbers":["+1"],"purchasedNumbers":[]}"#).0,
        Outcome::Failed
    );
    assert_eq!(outcome(502, b"not json").0, Outcome::Failed);
}

#[test]
fn the_username_comes_from_the_token_claims() {
    use base64::Engine;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(r#"{"preferred_username":"owner","exp":1}"#);
    assert_eq!(
        jwt_username(&format!("h.{claims}.sig")).as_deref(),
        Some("owner")
    );
    assert_eq!(jwt_username("sandbox-owner"), None);
    assert_eq!(jwt_username("a.!!!.c"), None);
}

#[test]
fn filters_read_and_write_the_url() {
    let f = Filter::from_query(
        "number=%2B1+201-555+0100&outcome=ok&from=2026-11-01&to=2026-11-24&page=2",
    )
    .expect("filter");
    assert_eq!(f.number.as_deref(), Some("+12015550100"));
    assert_eq!(f.outcome, Some(Outcome::Ok));
    assert_eq!(Filter::from_query(&f.to_query()), Ok(f.clone()));
    let (from, to) = f.range().expect("range");
    assert_eq!(
        from.map(format_time).as_deref(),
        Some("2026-11-01 00:00:00")
    );
    assert_eq!(to.map(format_time).as_deref(), Some("2026-11-25 00:00:00"));
    assert!(matches!(
        Filter::from_query("from=2026-02-30"),
        Err(FilterError::Date(_))
    ));
    assert!(matches!(
        Filter::from_query("from=2026-11-24&to=2026-11-01"),
        Err(FilterError::Range { .. })
    ));
    assert!(matches!(
        Filter::from_query("outcome=maybe"),
        Err(FilterError::Outcome(_))
    ));
    assert!(Filter::from_query("").expect("empty").is_empty());
}

fn entry(id: &str, time_ms: i64, who: &str, number: &str) -> Entry {
    Entry {
        id: id.into(),
        time_ms,
        provider: "ocp".into(),
        environment: "eu1".into(),
        action: "attach".into(),
        who: who.into(),
        targets: vec![Target::new(TargetKind::Number, number, None)],
        status: 200,
        outcome: Outcome::Ok,
        code: None,
        message: None,
        duration_ms: 12,
        csv_run: None,
        target_count: 1,
        client: None,
        requests: 1,
    }
}

#[test]
fn filters_match_what_they_say() {
    let e = entry(
        "a1",
        day_start_ms("2026-11-24").expect("day") + 5,
        "owner",
        "+15550100",
    );
    let f = |q: &str| Filter::from_query(q).expect("filter").matches(&e);
    assert!(f("number=%2B15550100&user=owner&action=att&provider=ocp&outcome=ok&from=2026-11-24&to=2026-11-24"));
    assert!(!f("number=%2B15550101"));
    assert!(!f("user=member"));
    assert!(!f("provider=exotel"));
    assert!(!f("outcome=refused"));
    assert!(!f("from=2026-11-25"));
    assert!(!f("to=2026-11-23"));
    assert!(f("request=a1"));
    assert!(!f("run=r-1"));
}

#[test]
fn the_export_is_formula_safe() {
    let mut e = entry("a1", 0, "=cmd|' /C calc'!A0", "+15550100");
    e.message = Some("@SUM(1)".into());
    let text = export(&[e]);
    let mut r = ::csv::Reader::from_reader(text.as_bytes());
    let row = r.records().next().expect("row").expect("csv");
    assert_eq!(&row[0], "1970-01-01 00:00:00");
    assert!(!crate::csv::is_formula(&row[4]), "{:?}", &row[4]);
    assert!(!crate::csv::is_formula(&row[9]));
    assert_eq!(&row[5], "+15550100");
}

#[test]
fn pages_of_environments_merge_newest_first() {
    let a = vec![entry("b", 30, "x", "1"), entry("a", 10, "x", "1")];
    let b = vec![entry("c", 20, "x", "1")];
    let ids: Vec<String> = merge(vec![a, b], 2).into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["b", "c"]);
}

/// `2026-11-24` (UTC) for milliseconds since 1970.
fn format_day(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

proptest! {
    #[test]
    fn any_filter_survives_its_url(
        number in proptest::option::of("[+]?[0-9a-z-]{1,20}"),
        user in proptest::option::of("[a-zA-Z0-9 &=%+@.]{1,20}"),
        action in proptest::option::of("[a-zA-Z0-9 ]{1,20}"),
        outcome in proptest::option::of(0usize..3),
        day in proptest::option::of(0i64..100_000),
    ) {
        let day = day.map(|d| format_day(d * DAY_MS));
        let f = Filter {
            number: number.map(|n| tidy_number(&n)).filter(|n| !n.trim().is_empty()),
            user: user.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()),
            action: action.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()),
            provider: None,
            outcome: outcome.map(|o| Outcome::ALL[o]),
            from: day.clone(),
            to: day,
            request: None,
            run: None,
        };
        prop_assert_eq!(Filter::from_query(&f.to_query()), Ok(f));
    }

    #[test]
    fn days_round_trip(days in -719_162i64..2_932_896) {
        let text = format_day(days * DAY_MS);
        prop_assert_eq!(day_start_ms(&text), Some(days * DAY_MS));
    }

    #[test]
    fn describing_never_panics(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        for e in crate::endpoints::ENDPOINTS.iter().filter(|e| e.changes) {
            let _ = describe(e, &[], &body, &body);
            let _ = outcome(200, &body);
        }
    }
}
