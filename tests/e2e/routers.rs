//! A rollout from creation to completion, in headless Chromium against the sandbox.

use numbers_e2e::{
    choose, click_button, eventually, fill, js, owner_fetch, screenshot, wait_for, workspace,
    Browser, RunningSandbox,
};

const TARGET: &str =
    "e1b3c5d7-8f9a-4b2c-a6d8-0e1f2a3b4c5d.appointment_bot.Flow.ocp@appointment_bot.ocp";

/// Sets a slider's number field as a person typing would.
const SET_NUMBER: &str = "(id, v) => { const i = document.getElementById(id).parentElement.querySelector('.slider-number'); i.value = v; i.dispatchEvent(new Event('input')); }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_from_preview_to_completion() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client.goto(&sandbox.url("/routers")).await.expect("page");
    wait_for(&client, ".router").await;
    // A demo number attached to an app, without a router yet.
    let number = js(
        &client,
        &format!("{}.then(r => r.json()).then(p => p.numbers.find(n => n.groupId === 'ocp' && n.miniAppId && !n.miniAppId.includes('appointment_bot') && !document.querySelector(`.router[data-number=\"${{n.number}}\"]`)).number)", owner_fetch("GET", "/api/numbers?pageSize=300&orderBy=number", "undefined")),
    )
    .await;
    let number = number.as_str().expect("a number").to_string();

    // The sliders drive the preview, with no network call.
    client
        .execute(
            &format!("({SET_NUMBER})('router-weight', '80'); ({SET_NUMBER})('router-step', '30');"),
            vec![],
        )
        .await
        .expect("sliders");
    eventually(&client, "split follows", "document.querySelector('.preview .split').getAttribute('aria-label') === 'Source 80%, target 20%'").await;
    eventually(&client, "timeline follows", "document.querySelector('.preview figcaption').textContent === '3 next steps until the target has all the traffic.'").await;
    eventually(&client, "expected calls", "document.querySelector('.preview .expected').textContent === 'Expected per hour: 960 to the source, 240 to the target'").await;
    eventually(&client, "simulation", "document.querySelector('.preview .simulation').textContent.startsWith('10000 calls: source ')").await;
    client
        .execute(&format!("({SET_NUMBER})('router-step', '0');"), vec![])
        .await
        .expect("step 0");
    eventually(
        &client,
        "never completes",
        "document.querySelector('.preview figcaption').textContent.includes('never completes')",
    )
    .await;
    client
        .execute(&format!("({SET_NUMBER})('router-step', '30');"), vec![])
        .await
        .expect("step 30");
    // Simulate 10^6 calls in wasm and report how long it took.
    fill(&client, "#new-sim-calls", "1000000").await;
    eventually(
        &client,
        "10^6 simulated",
        "document.querySelector('.preview .simulation').textContent.startsWith('1000000 calls')",
    )
    .await;
    let sim = js(
        &client,
        "document.querySelector('.preview .simulation').textContent",
    )
    .await;
    eprintln!("wasm {}", sim.as_str().unwrap_or(""));

    fill(&client, "#router-number", &number).await;
    choose(&client, "#router-target", TARGET).await;
    fill(&client, "#router-tag", "v2").await;
    click_button(&client, "Create router").await;
    let card = format!(".router[data-number=\"{number}\"]");
    eventually(
        &client,
        "card appears",
        &format!("!!document.querySelector('{card}')"),
    )
    .await;
    eventually(&client, "card split", &format!("document.querySelector('{card} .split').getAttribute('aria-label') === 'Source 80%, target 20%'")).await;
    let shot_card = format!("document.querySelector('{card}').scrollIntoView()");
    client.execute(&shot_card, vec![]).await.expect("scroll");

    // Next step twice: each predicted before the click, matched by the server after.
    for (source, target) in [(50, 50), (20, 80)] {
        let label = format!("Next step → {source}% / {target}%");
        eventually(&client, "prediction shown", &format!("[...document.querySelectorAll('{card} button')].some(b => b.textContent === {label:?})")).await;
        client
            .execute(&format!("[...document.querySelectorAll('{card} button')].find(b => b.textContent === {label:?}).click()"), vec![])
            .await
            .expect("next step");
        eventually(
            &client,
            "server matches the prediction",
            &format!("document.querySelector('{card} .split').getAttribute('aria-label') === 'Source {source}%, target {target}%'"),
        )
        .await;
        let server = js(
            &client,
            &format!(
                "{}.then(r => r.json()).then(r => [r.appRoutes[0].weight, r.appRoutes[1].weight])",
                owner_fetch(
                    "GET",
                    &format!("/api/numbers-routing/number/{number}"),
                    "undefined"
                )
            ),
        )
        .await;
        assert_eq!(server, serde_json::json!([source, target]));
        assert_eq!(
            js(
                &client,
                &format!("!!document.querySelector('{card} .notice')")
            )
            .await,
            serde_json::json!(false),
            "no mismatch notice"
        );
    }

    // The plan shows the timeline and simulation for this router.
    client.execute(&format!("[...document.querySelectorAll('{card} button')].find(b => b.textContent === 'Plan…').click()"), vec![]).await.expect("plan");
    eventually(
        &client,
        "plan preview",
        &format!("!!document.querySelector('{card} .preview .timeline')"),
    )
    .await;
    let shot = screenshot(&client, "routers").await;
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        std::fs::copy(&shot, workspace().join("docs/routers.png")).expect("docs screenshot");
    }

    // Disabled: every call to the source.
    client.execute(&format!("[...document.querySelectorAll('{card} button')].find(b => b.textContent === 'Disable').click()"), vec![]).await.expect("disable");
    eventually(&client, "all to source", &format!("document.querySelector('{card} .split').getAttribute('aria-label') === 'Source 100%, target 0%'")).await;
    eventually(
        &client,
        "badge",
        &format!("document.querySelector('{card} .badge').textContent === 'disabled'"),
    )
    .await;

    // Complete: the number goes to the target, the router goes.
    client.execute(&format!("[...document.querySelectorAll('{card} button')].find(b => b.textContent === 'Complete…').click()"), vec![]).await.expect("complete");
    eventually(&client, "confirm names the target", &format!("document.querySelector('.dialog p').textContent === 'The number will be attached to {TARGET} and the router deleted.'")).await;
    click_button(&client, "Complete").await;
    eventually(
        &client,
        "router gone",
        &format!("!document.querySelector('{card}')"),
    )
    .await;
    client
        .goto(&sandbox.url(&format!("/numbers?q={}", number.replace('+', "%2B"))))
        .await
        .expect("numbers");
    eventually(&client, "attached to the target", &format!("document.querySelector('tr[data-number=\"{number}\"]')?.textContent.includes('appointment_bot')")).await;
    let gone = js(
        &client,
        &format!(
            "{}.then(r => r.status)",
            owner_fetch(
                "GET",
                &format!("/api/numbers-routing/number/{number}"),
                "undefined"
            )
        ),
    )
    .await;
    assert_eq!(gone, serde_json::json!(404));
    client.close().await.expect("close");
}
