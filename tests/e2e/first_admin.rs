//! What a first real admin hits, one test per problem found: each failed
//! on the console before its fix.

use numbers_core::models::ocp::NumberRecord;
use numbers_e2e::fantoccini::Client;
use numbers_e2e::{
    capture_downloads, click_button, downloaded, drop_file, eventually, js, keep_screenshot,
    owner_fetch, screenshot, server_numbers, wait_for, Browser, RunningSandbox,
};

async fn delete_on_server(client: &Client, number: &str) {
    let path = format!("/api/numbers/delete/{}", number.replace('+', "%2B"));
    let status = js(
        client,
        &format!(
            "{}.then(r => r.status)",
            owner_fetch("DELETE", &path, "undefined")
        ),
    )
    .await;
    assert_eq!(status, serde_json::json!(200), "deleted {number}");
}

fn deletes(numbers: &[&NumberRecord]) -> String {
    let mut s = String::from("OPERATION,NUMBER\r\n");
    for n in numbers {
        s.push_str(&format!("delete,{}\r\n", n.number));
    }
    s
}

async fn text_of(client: &Client, css: &str) -> String {
    js(
        client,
        &format!("document.querySelector({css:?})?.textContent || ''"),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

async fn open_csv(client: &Client, sandbox: &RunningSandbox) {
    client.goto(&sandbox.url("/csv")).await.expect("csv page");
    capture_downloads(client).await;
}

async fn plan_shows(client: &Client, batches: &str) {
    eventually(
        client,
        "plan",
        &format!(
            "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: {batches}'"
        ),
    )
    .await;
}

async fn compared(client: &Client) {
    eventually(
        client,
        "compared with the current state",
        "!document.querySelector('[aria-label=Preview]')?.textContent.includes('Reading the current state')",
    )
    .await;
}

/// 1. A finished run cannot be sent again: Apply goes, the result stays, and
/// a new run of the file is asked for explicitly and checked first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_run_cannot_be_sent_again() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    open_csv(&client, &sandbox).await;
    let numbers = server_numbers(&client).await;
    let twelve: Vec<&NumberRecord> = numbers.iter().take(12).collect();
    drop_file(&client, "twelve.csv", &deletes(&twelve)).await;
    plan_shows(&client, "2 batches").await;
    compared(&client).await;
    click_button(&client, "Apply 2 batches").await;
    eventually(
        &client,
        "finished",
        "document.querySelector('.run-progress')?.textContent === '2 of 2 batches, 12 of 12 rows'",
    )
    .await;
    let apply = js(&client, "[...document.querySelectorAll('button')].some(b => b.textContent.trim().startsWith('Apply'))").await;
    assert_eq!(
        apply,
        serde_json::json!(false),
        "no Apply once the run has finished"
    );
    assert!(text_of(&client, ".run .finished")
        .await
        .starts_with("Finished: 2 batches applied"));
    client
        .execute("document.querySelector('.run').scrollIntoView()", vec![])
        .await
        .expect("scroll");
    let shot = screenshot(&client, "csv-finished-run").await;
    keep_screenshot("csv-finished-run", &shot);
    // Applying the same file again: an explicit new run, checked against
    // the state the first one made (its numbers are gone now).
    click_button(&client, "Start a new run of this file…").await;
    eventually(
        &client,
        "the second run would be refused",
        "document.querySelector('.refused-notice')?.textContent.includes('12 rows would be refused')",
    )
    .await;
    let disabled = js(&client, "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Apply 2 batches')?.disabled").await;
    assert_eq!(disabled, serde_json::json!(true));
    assert_eq!(server_numbers(&client).await.len(), numbers.len() - 12);
    client.close().await.expect("close");
}

/// 2. A refused row is named by the line of the dropped file, not of the
/// batch file the server saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_row_is_named_by_its_line_in_the_dropped_file() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    open_csv(&client, &sandbox).await;
    let numbers = server_numbers(&client).await;
    let twelve: Vec<&NumberRecord> = numbers.iter().take(12).collect();
    drop_file(&client, "twelve.csv", &deletes(&twelve)).await;
    plan_shows(&client, "2 batches").await;
    compared(&client).await;
    // Someone else deletes the last number (line 13, the 3rd line of batch 2)
    // after the preview compared it.
    delete_on_server(&client, &twelve[11].number).await;
    click_button(&client, "Apply 2 batches").await;
    eventually(
        &client,
        "batch 2 refused",
        "document.querySelector('.halt')?.textContent.includes('Batch 2 was refused')",
    )
    .await;
    let halt = text_of(&client, ".halt").await;
    assert!(halt.contains("line 13, NUMBER"), "{halt}");
    assert!(!halt.contains("line 3,"), "{halt}");
    client.close().await.expect("close");
}

/// 3. Rows the comparison knows the server would refuse count as invalid
/// and block Apply, until the admin leaves them out (into errors.csv).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_the_server_would_refuse_block_apply_until_left_out() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    open_csv(&client, &sandbox).await;
    let numbers = server_numbers(&client).await;
    let file = format!(
        "OPERATION,NUMBER\r\ndelete,+12025550991\r\ndelete,{}\r\ndelete,+12025550992\r\ndelete,{}\r\ndelete,{}\r\n",
        numbers[0].number, numbers[1].number, numbers[2].number
    );
    drop_file(&client, "some-gone.csv", &file).await;
    eventually(
        &client,
        "two refused",
        "document.querySelector('.refused-notice')?.textContent.includes('2 rows would be refused')",
    )
    .await;
    let summary = text_of(&client, ".summary").await;
    assert!(
        summary.contains("2 invalid rows") && summary.contains("3 valid rows"),
        "{summary}"
    );
    let disabled = js(&client, "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Apply 1 batch')?.disabled").await;
    assert_eq!(disabled, serde_json::json!(true), "Apply waits");
    click_button(&client, "Leave 2 rows out").await;
    plan_shows(&client, "1 batch").await;
    eventually(
        &client,
        "three left in the plan",
        "document.querySelector('.batches li')?.textContent === '3 Delete'",
    )
    .await;
    click_button(&client, "Download errors.csv").await;
    let errors = downloaded(&client, "errors.csv").await;
    assert!(
        errors.contains("+12025550991") && errors.contains("+12025550992"),
        "{errors}"
    );
    assert!(errors.contains("does not exist"), "{errors}");
    click_button(&client, "Apply 1 batch").await;
    eventually(
        &client,
        "applied",
        "document.querySelector('.run-progress')?.textContent === '1 of 1 batch, 3 of 3 rows'",
    )
    .await;
    client.close().await.expect("close");
}

/// 4. A cell a spreadsheet would run as a formula is warned about, and its
/// leading character stripped in one click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formula_cells_are_warned_and_stripped_in_one_click() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    open_csv(&client, &sandbox).await;
    let numbers = server_numbers(&client).await;
    let file = format!(
        "OPERATION,NUMBER,NOTE\r\nupdate,{},\"=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\"\r\nupdate,{},plain\r\n",
        numbers[0].number, numbers[1].number
    );
    drop_file(&client, "formula.csv", &file).await;
    eventually(
        &client,
        "formula warned",
        "document.querySelector('.formula-notice')?.textContent.includes('1 cell would run as a spreadsheet formula')",
    )
    .await;
    let shot = screenshot(&client, "csv-formula-warning").await;
    keep_screenshot("csv-formula-warning", &shot);
    click_button(&client, "Strip the leading character").await;
    eventually(
        &client,
        "stripped",
        "!document.querySelector('.formula-notice') && [...document.querySelectorAll('.csv-grid td')].some(td => td.textContent === 'HYPERLINK(\"http://evil.example\",\"open\")')",
    )
    .await;
    client.close().await.expect("close");
}

/// 5. A problem with the header is the file's, shown as such, not counted
/// as an invalid row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_problem_is_shown_for_the_file_not_counted_as_a_row() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    open_csv(&client, &sandbox).await;
    drop_file(
        &client,
        "no-number.csv",
        "OPERATION,GROUP_ID\r\ndelete,ocp\r\n",
    )
    .await;
    eventually(
        &client,
        "file problem",
        "document.querySelector('.file-problems')?.textContent.includes('lacks the column NUMBER')",
    )
    .await;
    let summary = text_of(&client, ".summary").await;
    assert!(summary.contains("0 invalid rows"), "{summary}");
    let plan = js(&client, "!!document.querySelector('[aria-label=Plan]')").await;
    assert_eq!(plan, serde_json::json!(false), "nothing can be sent");
    client.close().await.expect("close");
}

/// 6. With an invalid row in the file, the valid rows are still compared
/// with the current state, and the invalid one says why it is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_rows_are_compared_even_when_another_row_is_invalid() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    open_csv(&client, &sandbox).await;
    let numbers = server_numbers(&client).await;
    let file = format!(
        "OPERATION,NUMBER\r\ndelete,{}\r\ndelete,12345\r\ndelete,{}\r\n",
        numbers[0].number, numbers[1].number
    );
    drop_file(&client, "one-bad.csv", &file).await;
    eventually(
        &client,
        "valid rows compared",
        "[...document.querySelectorAll('.csv-grid tr[data-line=\"2\"] .change, .csv-grid tr[data-line=\"4\"] .change')].every(td => td.textContent.includes('→ deleted'))",
    )
    .await;
    let why = text_of(&client, ".csv-grid tr[data-line=\"3\"] .change").await;
    assert!(why.contains("not compared"), "{why}");
    wait_for(&client, ".summary").await;
    client.close().await.expect("close");
}

async fn select_first_rows(client: &Client, n: usize) {
    eventually(
        client,
        "rows",
        "document.querySelectorAll('tbody tr[data-number]').length > 3",
    )
    .await;
    for i in 0..n {
        client
            .execute(
                &format!("document.querySelectorAll('tbody tr[data-number] input[type=checkbox]')[{i}].click()"),
                vec![],
            )
            .await
            .expect("select");
    }
    eventually(
        client,
        "selected",
        &format!("document.querySelector('.bulk-bar strong')?.textContent === '{n} selected'"),
    )
    .await;
}

/// 7. Attach offers the miniApps the account's numbers use (name, type,
/// group), warns on a pasted ID of another shape, and the provider refuses
/// an unknown one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_picks_a_known_miniapp_and_an_unknown_one_is_refused() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    client
        .goto(&sandbox.url("/numbers?sort=number"))
        .await
        .expect("numbers");
    select_first_rows(&client, 2).await;
    click_button(&client, "Attach…").await;
    let billing = "9a0f41de-2b9c-4f0e-8d11-5e2f6c1b7a20.billing_ivr.Flow.ocp@billing_ivr.ocp";
    eventually(
        &client,
        "the picker names the miniApps",
        &format!("[...document.querySelectorAll('#attach-app option')].some(o => o.value === {billing:?} && o.textContent === 'billing_ivr — Flow, group ocp')"),
    )
    .await;
    let shot = screenshot(&client, "miniapp-picker").await;
    keep_screenshot("miniapp-picker", &shot);
    // A pasted name is not an ID: warned before sending, refused by the provider.
    numbers_e2e::choose(&client, "#attach-app", "\u{0}other").await;
    numbers_e2e::fill(&client, "#attach-app-paste", "billing_ivr").await;
    eventually(
        &client,
        "shape warned",
        "document.querySelector('.miniapp-warning')?.textContent.includes('uuid.name.Type.group@app.group')",
    )
    .await;
    click_button(&client, "Attach 2 numbers").await;
    eventually(
        &client,
        "refused",
        "document.querySelector('.result .badge.error')?.textContent === '2 failed'",
    )
    .await;
    let failed = text_of(&client, ".failed-list").await;
    assert!(
        failed.contains("No miniApp has the ID billing_ivr"),
        "{failed}"
    );
    // Picked from the list, it attaches.
    client
        .execute("document.querySelector('.result .icon')?.click()", vec![])
        .await
        .expect("close result");
    click_button(&client, "Attach…").await;
    numbers_e2e::choose(&client, "#attach-app", billing).await;
    click_button(&client, "Attach 2 numbers").await;
    eventually(
        &client,
        "attached",
        "document.querySelector('.result .badge.ok')?.textContent === '2 succeeded'",
    )
    .await;
    client.close().await.expect("close");
}

/// 8. An error state shows the error and what to do, and nothing that
/// pretends the account is empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_state_does_not_pretend_the_account_is_empty() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    numbers_e2e::fill(&client, "#ocp-token", "an-expired-token").await;
    numbers_e2e::fill(&client, "#hw-tok", "an-expired-token").await;
    click_button(&client, "Save settings").await;
    for (page, empty_words) in [
        ("/numbers", vec!["No numbers match", "0 numbers"]),
        ("/sets", vec!["No sets yet", "Loading sets"]),
        ("/routers", vec!["No routers", "Loading routers"]),
        ("/cloud-phones", vec!["Phones (0)", "1–0 of 0"]),
    ] {
        client.goto(&sandbox.url(page)).await.expect("page");
        let card = wait_for(&client, ".error-card").await;
        let text = card.text().await.expect("text");
        assert!(
            text.contains("401") && text.contains("Open Settings"),
            "{page}: {text}"
        );
        if page == "/numbers" {
            let shot = screenshot(&client, "error-401").await;
            keep_screenshot("error-401", &shot);
        }
        let main = text_of(&client, "main").await;
        for words in empty_words {
            assert!(
                !main.contains(words),
                "{page} says {words:?} under its error:\n{main}"
            );
        }
    }
    client.close().await.expect("close");
}

/// 9. A deallocated allocation offers no Update, Change VN or Deallocate, and
/// an error is never announced as a success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deallocated_allocation_offers_no_changes_and_errors_read_as_errors() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client
        .goto(&sandbox.url("/allocations"))
        .await
        .expect("allocations");
    numbers_e2e::fill(&client, "#a-party", "+919176226528,").await;
    numbers_e2e::fill(&client, "#b-party", "+918136966620,").await;
    click_button(&client, "Allocate").await;
    wait_for(&client, "article.allocation").await;
    let id = js(
        &client,
        "document.querySelector('article.allocation').dataset.greenvnId",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string();
    let chips = js(&client, "document.querySelectorAll('.chip').length").await;
    assert_eq!(
        chips,
        serde_json::json!(0),
        "the form is cleared after a success"
    );
    // Deallocated elsewhere meanwhile: the register still says active.
    let status = js(&client, &format!("fetch('/relay/exotel/sandbox/v1/tenants/sandbox/greenvn/{id}', {{method: 'DELETE', headers: {{Authorization: 'Basic ' + btoa('{}:{}')}}}}).then(r => r.status)", numbers_core::dev::EXOTEL_KEY, numbers_core::dev::EXOTEL_TOKEN)).await;
    assert_eq!(status, serde_json::json!(200));
    click_button(&client, "Deallocate…").await;
    js(&client, "[...document.querySelectorAll('.dialog button[type=submit]')].find(b => b.textContent === 'Deallocate').click()").await;
    eventually(
        &client,
        "an error toast",
        "[...document.querySelectorAll('.toast')].some(t => t.textContent.startsWith('Deallocate failed') && t.textContent.includes('code 22'))",
    )
    .await;
    let success = js(&client, "[...document.querySelectorAll('.toast')].some(t => t.textContent.startsWith('Deallocated'))").await;
    assert_eq!(
        success,
        serde_json::json!(false),
        "an error announced as a success"
    );
    eventually(
        &client,
        "the register follows the provider: vault, no changes offered",
        "document.querySelector('article.allocation .state')?.textContent === 'vault' && ['Update parties…', 'Change VN…', 'Deallocate…'].every(l => [...document.querySelectorAll('article.allocation button')].find(b => b.textContent === l)?.disabled)",
    )
    .await;
    client.close().await.expect("close");
}

/// 10. Testing the Exotel connection asks nothing that fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testing_the_exotel_connection_makes_no_failed_request() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    wait_for(&client, "#ex-key").await;
    js(&client, "[...document.querySelectorAll('.card')].find(c => c.querySelector('#ex-key')).querySelector('button.test, .actions button').click()").await;
    eventually(
        &client,
        "tested",
        "[...document.querySelectorAll('.test-result')].some(p => p.textContent.startsWith('Connected.'))",
    )
    .await;
    let failed = js(&client, "performance.getEntriesByType('resource').filter(e => e.responseStatus >= 400).map(e => e.name + ' ' + e.responseStatus)").await;
    assert_eq!(failed, serde_json::json!([]), "failed requests");
    client.close().await.expect("close");
}

/// Polish: dialogs focus their first field, toasts cover no control, a note
/// left by clicking elsewhere is saved, and at 1280 pixels the tables need
/// no sideways scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialogs_toasts_notes_and_widths_behave() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    client
        .goto(&sandbox.url("/numbers?sort=number"))
        .await
        .expect("numbers");
    eventually(
        &client,
        "rows",
        "document.querySelectorAll('tbody tr[data-number]').length > 3",
    )
    .await;
    let fits = js(&client, "(() => { const s = document.querySelector('.table-scroll'); return s.scrollWidth <= s.clientWidth; })()").await;
    assert_eq!(
        fits,
        serde_json::json!(true),
        "the numbers table shows every column at 1280"
    );
    // A dialog's focus starts on its first field, not on ×.
    click_button(&client, "Buy numbers…").await;
    eventually(
        &client,
        "focus in the first field",
        "document.activeElement?.closest('.dialog') && !document.activeElement.closest('.dialog-head')",
    )
    .await;
    js(&client, "(document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'})), document.querySelector('.backdrop')?.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})), true)").await;
    // A note edited and left (clicking elsewhere) is saved, not dropped.
    let number = js(
        &client,
        "document.querySelector('tbody tr[data-number]').dataset.number",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string();
    js(
        &client,
        "document.querySelector('tbody tr[data-number] .note-cell button').click()",
    )
    .await;
    wait_for(&client, ".note-input").await;
    // Typed as a person does (WebDriver's clear would itself leave the field).
    js(&client, "(() => { const i = document.querySelector('.note-input'); i.focus(); i.value = 'left by a click elsewhere'; i.dispatchEvent(new Event('input', {bubbles: true})); i.blur(); return true; })()").await;
    eventually(
        &client,
        "saved on the server",
        &format!("{}.then(r => r.json()).then(p => p.numbers.find(n => n.number === {number:?}).note === 'left by a click elsewhere')", owner_fetch("GET", "/api/numbers?pageSize=10000", "undefined")),
    )
    .await;
    // The toast it raised covers no control.
    wait_for(&client, ".toast").await;
    let covered = js(&client, "(() => { const t = document.querySelector('.toasts').getBoundingClientRect(); return [...document.querySelectorAll('button, input, select, a, textarea')].filter(e => !e.closest('.toasts')).filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top; }).map(e => e.outerHTML.slice(0, 80)); })()").await;
    assert_eq!(covered, serde_json::json!([]), "controls under the toasts");
    client
        .goto(&sandbox.url("/cloud-phones"))
        .await
        .expect("phones");
    eventually(
        &client,
        "phones",
        "document.querySelectorAll('.card tbody tr').length === 100",
    )
    .await;
    let fits = js(&client, "(() => { const s = document.querySelector('.table-scroll.short'); return s.scrollWidth <= s.clientWidth; })()").await;
    assert_eq!(
        fits,
        serde_json::json!(true),
        "status and route shown at 1280"
    );
    client.close().await.expect("close");
}

/// Polish: leaving Settings with unsaved changes asks first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_settings_with_unsaved_changes_asks_first() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    client
        .goto(&sandbox.url("/settings"))
        .await
        .expect("settings");
    numbers_e2e::fill(&client, "#ex-sid", "another-tenant").await;
    js(
        &client,
        "(document.querySelector('nav a[href=\"/numbers\"]').click(), true)",
    )
    .await;
    let question = client.get_alert_text().await.expect("asked");
    assert!(question.contains("not saved"), "{question}");
    client.dismiss_alert().await.expect("stay");
    assert_eq!(client.current_url().await.expect("url").path(), "/settings");
    js(
        &client,
        "(document.querySelector('nav a[href=\"/numbers\"]').click(), true)",
    )
    .await;
    client.accept_alert().await.expect("leave");
    eventually(&client, "left", "location.pathname === '/numbers'").await;
    client.close().await.expect("close");
}
