//! The team's change history in the console: changes made as `owner` show
//! on the History page under `owner`, a number's filter shows only its
//! entries (and so does its side panel), the export holds them, and a
//! `member` signed in to another environment sees none of them.

use numbers_e2e::{
    capture_downloads, choose, click_button, downloaded, drop_file, eventually, fill, js,
    keep_screenshot, owner_fetch, screenshot, wait_for, Browser, RunningSandbox, SandboxProcess,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_changes_show_filter_export_and_stay_in_their_environment() {
    let dir = tempfile::tempdir().expect("dir");
    let other = SandboxProcess::start(
        SandboxProcess::free_addr(),
        &dir.path().join("other.sqlite"),
        &[],
    );
    let a = other.addr;
    let config = dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        format!(
            "[ocp.other]\nlabel = \"Other\"\nsandbox = true\nbase_url = \"http://{a}/integrations\"\n\
             token_url = \"http://{a}/auth/realms/master/protocol/openid-connect/token\"\n"
        ),
    )
    .expect("config");
    let gateway = numbers_gateway::Config::load(Some(&config)).expect("config");
    let sandbox =
        RunningSandbox::start_with_gateway(numbers_sandbox::Config::ephemeral(), gateway).await;
    let driver = Browser::start();
    let client = driver.session(1400, 1000).await;
    client.goto(&sandbox.url("/numbers")).await.expect("page");
    wait_for(&client, ".numbers-table tbody tr[data-number]").await;

    // Attach three numbers and complete the demo router, as owner.
    let picked = js(
        &client,
        &format!("{}.then(r => r.json()).then(p => {{ const ocp = p.numbers.filter(n => n.groupId === 'ocp'); return {{app: p.numbers.find(n => n.miniAppId).miniAppId, attach: ocp.slice(0, 3).map(n => n.number), remove: ocp.slice(-11).map(n => n.number)}}; }})", owner_fetch("GET", "/api/numbers?pageSize=300&orderBy=number", "undefined")),
    )
    .await;
    let attach: Vec<String> = serde_json::from_value(picked["attach"].clone()).expect("numbers");
    let remove: Vec<String> = serde_json::from_value(picked["remove"].clone()).expect("numbers");
    let app = picked["app"].as_str().expect("an app").to_string();
    let body = format!(
        "JSON.stringify({{numbers: {}, miniAppId: '{app}', locale: 'en-US'}})",
        serde_json::to_string(&attach).expect("json")
    );
    assert_eq!(
        js(
            &client,
            &format!(
                "{}.then(r => r.status)",
                owner_fetch("PUT", "/api/numbers/attach", &body)
            )
        )
        .await,
        200
    );
    assert_eq!(
        js(
            &client,
            &format!(
                "{}.then(r => r.status)",
                owner_fetch(
                    "POST",
                    "/api/numbers-routing/router-demo/complete",
                    "undefined"
                )
            )
        )
        .await,
        200
    );

    // A CSV run of two batches (deletes go ten a request).
    client.goto(&sandbox.url("/csv")).await.expect("csv");
    let mut file = String::from("OPERATION,NUMBER\r\n");
    for n in &remove {
        file.push_str(&format!("delete,{n}\r\n"));
    }
    drop_file(&client, "remove.csv", &file).await;
    eventually(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 2 batches'",
    )
    .await;
    click_button(&client, "Apply 2 batches").await;
    eventually(
        &client,
        "applied",
        "document.querySelector('.run-progress')?.textContent === '2 of 2 batches, 11 of 11 rows'",
    )
    .await;
    eventually(
        &client,
        "run links to history",
        "!!document.querySelector('a[href^=\"/history?run=\"]')",
    )
    .await;

    // The History page: those four changes, by owner, newest first.
    client
        .goto(&sandbox.url("/history"))
        .await
        .expect("history");
    eventually(
        &client,
        "entries",
        "document.querySelectorAll('.history-table tbody tr[data-request-id]').length === 4",
    )
    .await;
    let rows = js(&client, "[...document.querySelectorAll('.history-table tbody tr[data-request-id]')].map(r => [r.querySelector('.who').textContent, r.querySelector('.action').textContent.trim()])").await;
    assert_eq!(
        rows,
        serde_json::json!([
            ["owner", "CSV batch 2 of 2 run results"],
            ["owner", "CSV batch 1 of 2 run results"],
            ["owner", "complete router"],
            ["owner", "attach"]
        ])
    );
    keep_screenshot("history", &screenshot(&client, "history").await);

    // One number: only its entry, in the URL, and in the export.
    fill(&client, "input[name=number]", &attach[0]).await;
    click_button(&client, "Apply").await;
    eventually(&client, "filtered", "location.search.includes('number=') && document.querySelectorAll('.history-table tbody tr[data-request-id]').length === 1").await;
    let touched = js(
        &client,
        "document.querySelector('.history-table tbody tr[data-request-id] .touched').textContent",
    )
    .await;
    assert!(
        touched.as_str().unwrap_or_default().contains(&attach[0]),
        "{touched}"
    );
    capture_downloads(&client).await;
    click_button(&client, "Export CSV").await;
    let csv = downloaded(&client, "history.csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("TIME_UTC,PROVIDER,ENVIRONMENT,ACTION,WHO"));
    assert!(
        lines[1].contains(",attach,owner,") && lines[1].contains(&attach[0]),
        "{csv}"
    );

    // The number's side panel, one click from the numbers table.
    client
        .goto(&sandbox.url(&format!("/numbers?q={}", attach[1].replace('+', "%2B"))))
        .await
        .expect("numbers");
    let button = format!("tr[data-number=\"{}\"] .history-button", attach[1]);
    wait_for(&client, &button).await;
    client
        .execute(
            &format!("document.querySelector('{button}').click()"),
            vec![],
        )
        .await
        .expect("open panel");
    eventually(&client, "panel", "document.querySelectorAll('.history-panel li[data-request-id]').length === 1 && document.querySelector('.history-panel li').textContent.includes('attach')").await;
    keep_screenshot("history-panel", &screenshot(&client, "history-panel").await);

    // A member of the other environment sees none of it.
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    choose(&client, "#ocp-env", "relay:other").await;
    click_button(&client, "Save settings").await;
    fill(&client, "#ocp-user", "member").await;
    fill(&client, "#ocp-password", "member-pass").await;
    click_button(&client, "Sign in").await;
    eventually(
        &client,
        "signed in",
        "document.querySelector('.signed-in')?.textContent.startsWith('Signed in as member.')",
    )
    .await;
    client
        .goto(&sandbox.url("/history?provider=ocp"))
        .await
        .expect("history");
    eventually(
        &client,
        "nothing",
        "document.querySelector('.history-summary')?.textContent === 'No changes match.'",
    )
    .await;
    let shown = js(
        &client,
        "document.querySelectorAll('.history-table tbody tr[data-request-id]').length",
    )
    .await;
    assert_eq!(shown, 0);
}
