//! Runs on the gateway in two browsers: an owner drops a 10^5-row file on
//! the CSV page of a sandbox holding 10^5 numbers, hands it to the gateway
//! and closes the browser at once; another owner follows the run in Runs
//! to its end, every note is as the file says, and Revert from the second
//! browser puts every note back. A run paused while another change
//! overtook it says what changed before it is resumed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use numbers_e2e::{
    click_button, drop_file, eventually, eventually_within, fill, js_awaited, keep_screenshot,
    screenshot, sign_in, wait_for, Browser, RunningSandbox,
};
use numbers_sandbox::Config;

const NUMBERS: usize = 100_000;

/// Every number's note, read page by page with the owner's dev token.
async fn notes(client: &fantoccini::Client) -> HashMap<String, String> {
    let v = js_awaited(
        client,
        &format!(
            "(async () => {{ const all = {{}}; for (let p = 1; p <= 20; p++) {{ \
               const r = await fetch('/relay/ocp/sandbox/api/numbers?page=' + p + '&pageSize=10000', {{headers: {{Authorization: 'Bearer {}'}}}}); \
               const j = await r.json(); for (const n of j.numbers) all[n.number] = n.note || ''; \
               if (p >= j.numberOfPages) break; }} return all; }})()",
            numbers_core::dev::OWNER_TOKEN
        ),
    )
    .await;
    serde_json::from_value(v).expect("notes")
}

/// Waits (up to `secs`) for the first run card in Runs to read `state`.
async fn run_reaches(client: &fantoccini::Client, id: &str, state: &str, secs: u64) {
    eventually_within(
        client,
        &format!("run {id} {state}"),
        &format!("document.querySelector('[data-run=\"{id}\"] .badge')?.textContent === '{state}'"),
        Duration::from_secs(secs),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_handed_to_the_gateway_goes_on_without_its_browser_and_another_owner_reverts_it() {
    let sandbox = RunningSandbox::start_with(Config {
        demo_numbers: NUMBERS,
        ..Config::ephemeral()
    })
    .await;
    let driver = Browser::start();
    let first = driver.session(1280, 1000).await;
    first.goto(&sandbox.url("/")).await.expect("console");
    let before = notes(&first).await;
    assert_eq!(before.len(), NUMBERS);
    let mut file = String::from("OPERATION,NUMBER,NOTE\r\n");
    let mut numbers: Vec<&String> = before.keys().collect();
    numbers.sort();
    for n in &numbers {
        file.push_str(&format!("update,{n},cleaned up {n}\r\n"));
    }

    sign_in(&first, &sandbox, "owner", "owner-pass").await;
    first.goto(&sandbox.url("/csv")).await.expect("csv page");
    drop_file(&first, "clean-up.csv", &file).await;
    eventually_within(
        &first,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 125 batches'",
        Duration::from_secs(60),
    )
    .await;
    fill(
        &first,
        "form[aria-label='Run on the gateway'] input[type=password]",
        "owner-pass",
    )
    .await;
    let handed = Instant::now();
    click_button(&first, "Run on the gateway").await;
    let card = wait_for(&first, "section.gateway-run[data-run]").await;
    let id = card.attr("data-run").await.expect("attr").expect("run id");
    // A moment for the picture to show the run under way, then it goes.
    eventually_within(
        &first,
        "the run is followed",
        "!document.querySelector('.gateway-run .run-figures')?.textContent.includes('batches 0/')",
        Duration::from_secs(30),
    )
    .await;
    let shot = screenshot(&first, "run-followed-on-csv-page").await;
    keep_screenshot("run-followed", &shot);
    // The browser that started it goes at once.
    first.close().await.expect("close");

    let second = driver.session(1280, 1000).await;
    sign_in(&second, &sandbox, "reviewer", "reviewer-pass").await;
    second.goto(&sandbox.url("/runs")).await.expect("runs page");
    wait_for(&second, &format!("[data-run='{id}']")).await;
    eventually(
        &second,
        "the run names who started it",
        &format!("document.querySelector('[data-run=\"{id}\"]').textContent.includes('Started by owner')"),
    )
    .await;
    run_reaches(&second, &id, "finished", 300).await;
    let took = handed.elapsed();
    let shot = screenshot(&second, "runs").await;
    keep_screenshot("runs", &shot);
    let figures = numbers_e2e::js(
        &second,
        &format!("document.querySelector('[data-run=\"{id}\"] .run-figures').textContent"),
    )
    .await;
    eprintln!(
        "figure: {NUMBERS} rows in 125 batches run on the gateway, followed from another browser: finished within {:.1} s of the hand-over; the run says {figures}",
        took.as_secs_f64()
    );
    let after = notes(&second).await;
    for n in &numbers {
        assert_eq!(after[*n], format!("cleaned up {n}"), "{n}");
    }

    // Revert, from the second browser: every note as it was.
    click_button(&second, "Revert…").await;
    fill(
        &second,
        ".run-confirm input[type=password]",
        "reviewer-pass",
    )
    .await;
    click_button(&second, "Revert").await;
    eventually_within(
        &second,
        "the revert run is listed",
        &format!("[...document.querySelectorAll('[data-run]')].some(c => c.textContent.includes('reverts run {id}'))"),
        Duration::from_secs(60),
    )
    .await;
    eventually_within(
        &second,
        "the revert run finishes",
        &format!("[...document.querySelectorAll('[data-run]')].some(c => c.textContent.includes('reverts run {id}') && c.querySelector('.badge')?.textContent === 'finished')"),
        Duration::from_secs(300),
    )
    .await;
    let reverted = notes(&second).await;
    for n in &numbers {
        assert_eq!(reverted[*n], before[*n], "{n} restored");
    }
    second.close().await.expect("close");
}

/// Selects the first ten numbers of the numbers table and hands a new
/// `note` for them to the gateway (`batches` as the console says it);
/// the numbers.
async fn hand_over_first_ten(
    client: &fantoccini::Client,
    sandbox: &RunningSandbox,
    note: &str,
    batches: &str,
) -> Vec<String> {
    client
        .goto(&sandbox.url("/numbers?size=25&sort=number"))
        .await
        .expect("numbers");
    eventually(
        client,
        "rows appear",
        "document.querySelectorAll('tbody tr[data-number]').length >= 10",
    )
    .await;
    let shown: Vec<String> = serde_json::from_value(
        numbers_e2e::js(
            client,
            "[...document.querySelectorAll('tbody tr[data-number]')].slice(0, 10).map(r => r.dataset.number)",
        )
        .await,
    )
    .expect("numbers");
    client
        .execute(
            "document.querySelectorAll('tbody tr[data-number] input[type=checkbox]')[0].click(); \
             document.querySelectorAll('tbody tr[data-number] input[type=checkbox]')[9].dispatchEvent(new MouseEvent('click', {bubbles: true, shiftKey: true}))",
            vec![],
        )
        .await
        .expect("select");
    eventually(
        client,
        "10 selected",
        "document.querySelector('.bulk-bar strong').textContent === '10 selected'",
    )
    .await;
    click_button(client, "On the gateway…").await;
    numbers_e2e::choose(client, "#hand-over-action", "note").await;
    fill(client, "#hand-over-value", note).await;
    fill(client, "#hand-over-password", "owner-pass").await;
    click_button(client, "Hand 10 numbers to the gateway").await;
    eventually(
        client,
        "the run is on the gateway",
        &format!("document.body.textContent.includes('is on the gateway ({batches})')"),
    )
    .await;
    shown
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_selected_numbers_is_handed_to_the_gateway_from_the_numbers_table() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    sign_in(&client, &sandbox, "owner", "owner-pass").await;
    let shown = hand_over_first_ten(&client, &sandbox, "handed over", "1 batch").await;
    client.goto(&sandbox.url("/runs")).await.expect("runs");
    eventually_within(
        &client,
        "the run finishes",
        "document.querySelector('[data-run] .badge')?.textContent === 'finished' && document.querySelector('[data-run]').textContent.includes('numbers-note-10.csv')",
        Duration::from_secs(60),
    )
    .await;
    let now = notes(&client).await;
    for n in &shown {
        assert_eq!(now[n], "handed over", "{n}");
    }
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_run_says_what_changed_on_ocp_before_it_is_resumed() {
    // Batches of 1 note, each answered after 500 ms: a run of 10 numbers
    // is under way long enough to be paused from Runs.
    let mut limits = numbers_core::limits::Limits::default();
    limits.set(numbers_core::csv::Operation::Update, 1);
    let sandbox = RunningSandbox::start_with(Config {
        latency_ms: 500,
        limits,
        ..Config::ephemeral()
    })
    .await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    sign_in(&client, &sandbox, "owner", "owner-pass").await;
    let shown = hand_over_first_ten(&client, &sandbox, "tidied", "10 batches").await;
    let last = shown[9].clone();
    client.goto(&sandbox.url("/runs")).await.expect("runs");
    wait_for(&client, "[data-run]").await;
    click_button(&client, "Pause").await;
    eventually_within(
        &client,
        "the run pauses",
        "document.querySelector('[data-run] .badge')?.textContent === 'paused'",
        Duration::from_secs(30),
    )
    .await;
    // Someone changes the last number's note meanwhile.
    let changed = js_awaited(
        &client,
        &format!(
            "fetch('/relay/ocp/sandbox/api/number/note', {{method: 'PUT', headers: {{'Content-Type': 'application/json', Authorization: 'Bearer {}'}}, \
               body: JSON.stringify({{number: '{last}', note: 'changed by hand'}})}}).then(r => r.status)",
            numbers_core::dev::OWNER_TOKEN
        ),
    )
    .await;
    assert_eq!(changed, 200, "the note was changed");

    click_button(&client, "Resume…").await;
    eventually_within(
        &client,
        "what changed is shown",
        &format!(
            "(document.querySelector('.run-drift')?.textContent || '').includes('{last}: NOTE')"
        ),
        Duration::from_secs(30),
    )
    .await;
    let said = numbers_e2e::js(&client, "document.querySelector('.run-drift').textContent").await;
    let said = said.as_str().unwrap_or_default().to_string();
    assert!(
        said.contains("1 of the ")
            && said.contains("resuming writes the file's values over it")
            && said.contains("→ \"changed by hand\""),
        "{said}"
    );
    let shot = screenshot(&client, "run-resume-drift").await;
    keep_screenshot("run-resume-drift", &shot);
    fill(&client, ".run-confirm input[type=password]", "owner-pass").await;
    click_button(&client, "Resume").await;
    eventually_within(
        &client,
        "the run finishes",
        "document.querySelector('[data-run] .badge')?.textContent === 'finished'",
        Duration::from_secs(60),
    )
    .await;
    let now = notes(&client).await;
    assert_eq!(
        now[&last], "tidied",
        "resuming wrote the file's value over the change"
    );
    client.close().await.expect("close");
}
