//! A rollout the gateway runs by itself: the owner schedules 2-second steps
//! on a router, closes the browser, comes back in a new session and finds
//! the router advanced, History listing the steps by the automation
//! account for the owner, and pauses, resumes and cancels the plan from
//! the Schedules view.

use std::time::Duration;

use numbers_e2e::{
    click_button, eventually, fill, js, keep_screenshot, owner_fetch, screenshot, wait_for,
    Browser, RunningSandbox,
};

const CARD: &str = ".router[data-router=\"router-demo\"]";

/// The demo router's target share, as the sandbox holds it.
fn target_share() -> String {
    format!(
        "{}.then(r => r.json()).then(r => r.appRoutes.find(a => a.order === 1).weight)",
        owner_fetch("GET", "/api/numbers-routing/router-demo", "undefined")
    )
}

/// Opens the demo router's Schedule… dialog and fills it: a step every
/// `seconds`, holding at `hold` % on the target.
async fn schedule(client: &fantoccini::Client, seconds: &str, hold: &str) {
    js(
        client,
        &format!("[...document.querySelectorAll('{CARD} button')].find(b => b.textContent.trim() === 'Schedule…').click()"),
    )
    .await;
    wait_for(client, "[role=dialog] .schedule-form").await;
    fill(client, "[role=dialog] input[id^=every-]", seconds).await;
    js(
        client,
        &format!("(() => {{ const s = document.querySelector('[role=dialog] select[aria-label=Unit]'); s.value = '1'; s.dispatchEvent(new Event('change', {{bubbles: true}}));
            const i = document.getElementById('schedule-hold').parentElement.querySelector('.slider-number'); i.value = '{hold}'; i.dispatchEvent(new Event('input')); return true; }})()"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_runs_a_scheduled_rollout_with_no_tab_open() {
    let mut gateway = numbers_gateway::Config::load(None).expect("defaults");
    gateway.schedules.min_interval_secs = 1;
    gateway.schedules.tick_ms = 200;
    let sandbox =
        RunningSandbox::start_with_gateway(numbers_sandbox::Config::ephemeral(), gateway).await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    client.goto(&sandbox.url("/routers")).await.expect("page");
    wait_for(&client, CARD).await;
    eventually(
        &client,
        "no plan yet",
        "document.querySelector('.schedules .empty') !== null",
    )
    .await;
    // Every 2 seconds, holding at 60% on the target: three steps of 10 from 70/30.
    schedule(&client, "2", "60").await;
    eventually(
        &client,
        "the timeline in wall-clock time",
        "document.querySelector('.schedule-preview figcaption')?.textContent.startsWith('3 steps, the last at ') && document.querySelectorAll('.plan-steps li').length === 3",
    )
    .await;
    js(
        &client,
        "document.querySelector('.schedule-preview').scrollIntoView({block: 'end'})",
    )
    .await;
    keep_screenshot(
        "schedule-dialog",
        &screenshot(&client, "schedule-dialog").await,
    );
    click_button(&client, "Save the plan").await;
    eventually(
        &client,
        "the card shows its plan",
        &format!("document.querySelector('{CARD} .plan-line')?.textContent.includes('schedule 1')"),
    )
    .await;
    // The owner leaves: the browser closes.
    client.close().await.expect("closed");
    tokio::time::sleep(Duration::from_secs(5)).await;

    let client = driver.session(1280, 800).await;
    client.goto(&sandbox.url("/routers")).await.expect("page");
    wait_for(&client, CARD).await;
    let share = js(&client, &target_share()).await;
    assert!(
        share.as_i64().unwrap_or(0) >= 50,
        "the router advanced: {share}"
    );
    client
        .goto(&sandbox.url("/history?action=next%20step"))
        .await
        .expect("history");
    eventually(
        &client,
        "steps by the automation account for the owner",
        "[...document.querySelectorAll('.history-table tbody tr')].filter(r => r.textContent.includes('automation') && r.textContent.includes('next step · schedule 1 by owner')).length >= 2",
    )
    .await;
    client.goto(&sandbox.url("/routers")).await.expect("page");
    wait_for(&client, ".plans tr[data-plan=\"1\"]").await;
    eventually(
        &client,
        "the plan finished at 60%",
        "document.querySelector('.plans tr[data-plan=\"1\"]').textContent.includes('finished')",
    )
    .await;
    // A second plan, steered from the Schedules view.
    schedule(&client, "30", "100").await;
    click_button(&client, "Save the plan").await;
    let row = ".plans tr[data-plan=\"2\"]";
    wait_for(&client, row).await;
    // Its first step runs at once; the next is 30 s away.
    eventually(
        &client,
        "running",
        &format!("document.querySelector('{row} .badge').textContent === 'running'"),
    )
    .await;
    for (button, state) in [
        ("Pause", "paused"),
        ("Resume", "running"),
        ("Pause", "paused"),
    ] {
        click_button(&client, button).await;
        eventually(
            &client,
            state,
            &format!("document.querySelector('{row} .badge').textContent === '{state}'"),
        )
        .await;
    }
    js(
        &client,
        "document.querySelector('.schedules').scrollIntoView({block: 'center'})",
    )
    .await;
    keep_screenshot("schedules", &screenshot(&client, "schedules").await);
    click_button(&client, "Cancel").await;
    eventually(
        &client,
        "cancelled",
        &format!("document.querySelector('{row} .badge').textContent === 'cancelled'"),
    )
    .await;
    eventually(
        &client,
        "the card has no open plan",
        &format!("!document.querySelector('{CARD} .plan-line')"),
    )
    .await;
}
