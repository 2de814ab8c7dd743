//! Bulk changes by CSV in headless Chromium against the sandbox: drop,
//! preview, plan, apply, resume after a lost connection, revert.

use numbers_core::csv;
use numbers_core::models::ocp::NumberRecord;
use numbers_e2e::{
    capture_downloads, click_button, downloaded, drop_file, eventually, js, keep_screenshot,
    screenshot, server_numbers, wait_for, Browser, RunningSandbox, SandboxProcess,
};
use numbers_sandbox::Config;

const APP: &str =
    "c4d2a7e8-61f3-4b55-9e0a-3b7d8f2c9e14.card_activation.Numeric.ocp@card_activation.ocp";

/// A mixed file: `creates` new numbers, then update/attach/detach/delete of
/// existing ones in the proportions given.
fn mixed_file(existing: &[NumberRecord], creates: usize, ops: [(&str, usize); 4]) -> String {
    let mut s = String::from(
        "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,APPLICATION_TAG,NOTE\r\n",
    );
    for i in 0..creates {
        s.push_str(&format!(
            "create,+1303555{i:04},ocp,twilio,,en-US,,created by csv\r\n"
        ));
    }
    let mut it = existing.iter();
    for (op, n) in ops {
        for _ in 0..n {
            let number = &it.next().expect("enough numbers").number;
            let row = match op {
                "update" => format!("update,{number},,,,,<NULL>,updated by csv\r\n"),
                "attach" => format!("attach,{number},,,{APP},fr-FR,csv,\r\n"),
                _ => format!("{op},{number},,,,,,\r\n"),
            };
            s.push_str(&row);
        }
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_file_of_1000_rows_is_previewed_planned_applied_and_reverted() {
    let sandbox = RunningSandbox::start_with(Config {
        demo_numbers: 1000,
        ..Config::ephemeral()
    })
    .await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client.goto(&sandbox.url("/csv")).await.expect("page");
    capture_downloads(&client).await;
    let before = server_numbers(&client).await;
    let file = mixed_file(
        &before,
        100,
        [
            ("update", 500),
            ("attach", 250),
            ("detach", 120),
            ("delete", 30),
        ],
    );
    drop_file(&client, "mixed.csv", &file).await;

    eventually(
        &client,
        "preview",
        "document.querySelector('.summary')?.textContent.includes('1000 valid rows')",
    )
    .await;
    let summary = js(&client, "document.querySelector('.summary').textContent").await;
    for part in [
        "Create: 100",
        "Update: 500",
        "Attach: 250",
        "Detach: 120",
        "Delete: 30",
        "0 invalid rows",
    ] {
        assert!(
            summary.as_str().unwrap_or("").contains(part),
            "{part} in {summary}"
        );
    }
    // Default limits: detach 100 and delete 10 a request → 3 batches.
    eventually(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 3 batches'",
    )
    .await;
    let batches = js(
        &client,
        "[...document.querySelectorAll('.batches li')].map(l => l.textContent)",
    )
    .await;
    assert_eq!(
        batches,
        serde_json::json!([
            "100 Create, 500 Update, 250 Attach, 100 Detach, 10 Delete",
            "20 Detach, 10 Delete",
            "10 Delete"
        ])
    );
    eventually(&client, "compared with the current state", "document.querySelector('tr[data-line=\"2\"] td.change')?.textContent === '(none) → new in group ocp'").await;

    click_button(&client, "Download backup.csv").await;
    let backup = downloaded(&client, "backup.csv").await;
    click_button(&client, "Apply 3 batches").await;
    eventually(&client, "applied", "document.querySelector('.run-progress')?.textContent === '3 of 3 batches, 1000 of 1000 rows'").await;

    click_button(&client, "Download results.csv").await;
    let results = downloaded(&client, "results.csv").await;
    assert_eq!(results.lines().count(), 1001, "a header and every row");
    assert!(
        results
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("2,create,\"+13035550000\",1,Applied,")),
        "{results:.200}"
    );
    let after = server_numbers(&client).await;
    let find = |n: &str| after.iter().find(|r| r.number == n);
    assert!(find("+13035550000").is_some_and(|r| r.note.as_deref() == Some("created by csv")));
    assert!(find(&before[0].number).is_some_and(
        |r| r.note.as_deref() == Some("updated by csv") && r.application_tag.is_none()
    ));
    assert!(find(&before[500].number)
        .is_some_and(|r| r.mini_app_name.as_deref() == Some("card_activation")
            && r.locale.as_deref() == Some("fr-FR")));
    assert!(find(&before[750].number).is_some_and(|r| r.mini_app_id.is_none()));
    assert!(find(&before[870].number).is_none(), "deleted");
    assert_eq!(after.len(), 1000 + 100 - 30);

    // The revert file, applied the same way, restores the backup's state.
    click_button(&client, "Download revert.csv").await;
    let revert = downloaded(&client, "revert.csv").await;
    drop_file(&client, "revert.csv", &revert).await;
    eventually(&client, "revert previewed", "document.querySelector('.summary')?.textContent.includes('0 invalid rows') && document.querySelector('[aria-label=Plan] h2')").await;
    // Applied from this browser (past one batch, Run on the gateway is
    // the primary button).
    let label = js(
        &client,
        "[...document.querySelectorAll('[aria-label=Plan] button')].find(b => b.textContent.startsWith('Apply ')).textContent",
    )
    .await;
    click_button(&client, label.as_str().expect("label")).await;
    eventually(&client, "revert applied", "(() => { const t = document.querySelector('.run-progress')?.textContent || ''; const m = t.match(/^(\\d+) of (\\d+) batches/); return m && m[1] === m[2]; })()").await;
    let restored = server_numbers(&client).await;
    let backup_table = csv::read(backup.as_bytes()).expect("backup reads");
    let backed_up: Vec<String> = (0..backup_table.len())
        .map(|r| backup_table.text(r, csv::Column::Number).to_string())
        .collect();
    let now: Vec<NumberRecord> = backed_up
        .iter()
        .map(|n| {
            restored
                .iter()
                .find(|r| &r.number == n)
                .cloned()
                .unwrap_or_else(|| panic!("{n} is back"))
        })
        .collect();
    let restored_csv = csv::export(&now);
    if let Some((a, b)) = restored_csv
        .lines()
        .zip(backup.lines())
        .find(|(a, b)| a != b)
    {
        panic!("the revert does not restore the backup:\n now:    {a}\n backup: {b}");
    }
    assert_eq!(
        restored_csv, backup,
        "the revert restores what the backup holds"
    );
    assert!(
        !restored.iter().any(|r| r.number == "+13035550000"),
        "created numbers are deleted again"
    );
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_3_invalid_rows_shows_exactly_those_and_sends_nothing() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client.goto(&sandbox.url("/csv")).await.expect("page");
    let before = server_numbers(&client).await;
    let mut file = mixed_file(
        &before,
        5,
        [("update", 10), ("attach", 5), ("detach", 3), ("delete", 2)],
    );
    file.push_str("update,2015550999,,,,,,bad number\r\nattach,+12015559999,,,app,english,,\r\nexplode,+12015559998,,,,,,\r\n");
    drop_file(&client, "with-errors.csv", &file).await;
    eventually(
        &client,
        "3 invalid",
        "document.querySelector('.summary')?.textContent.includes('3 invalid rows')",
    )
    .await;
    client
        .execute(
            "document.querySelector('.toolbar input[type=checkbox]').click()",
            vec![],
        )
        .await
        .expect("only errors");
    eventually(
        &client,
        "exactly 3 rows",
        "document.querySelectorAll('.csv-grid tbody tr[data-line]').length === 3",
    )
    .await;
    let lines = js(
        &client,
        "[...document.querySelectorAll('.csv-grid tbody tr[data-line]')].map(r => r.dataset.line)",
    )
    .await;
    let expected: Vec<String> = file
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.contains("bad number") || l.contains("english") || l.starts_with("explode")
        })
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    assert_eq!(lines, serde_json::json!(expected));
    assert_eq!(
        js(
            &client,
            "document.querySelectorAll('.csv-grid td.bad').length"
        )
        .await,
        serde_json::json!(3),
        "the NUMBER, LOCALE and OPERATION cells"
    );
    assert_eq!(
        js(&client, "!!document.querySelector('[aria-label=Plan]')").await,
        serde_json::json!(false),
        "no plan, nothing to apply"
    );
    let shot = screenshot(&client, "csv-preview-errors").await;
    keep_screenshot("csv-preview-errors", &shot);
    assert_eq!(server_numbers(&client).await, before, "nothing was sent");
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cut_off_by_a_stopped_server_resumes_without_resending() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("sandbox.sqlite");
    let addr = SandboxProcess::free_addr();
    let mut sandbox = SandboxProcess::start(addr, &db, &[]);
    // The gateway stays up; the provider behind it dies.
    let gateway = RunningSandbox::in_front_of(&sandbox).await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client.goto(&gateway.url("/csv")).await.expect("page");
    // Small limits in Settings: many batches.
    client
        .goto(&gateway.url("/settings"))
        .await
        .expect("settings");
    wait_for(&client, "#limit-delete").await;
    for op in ["create", "update", "attach", "detach", "delete"] {
        client
            .execute(&format!("const i = document.getElementById('limit-{op}'); i.value = '2'; i.dispatchEvent(new Event('input'));"), vec![])
            .await
            .expect("limit");
    }
    click_button(&client, "Save settings").await;
    client.goto(&gateway.url("/csv")).await.expect("page");
    let before = server_numbers(&client).await;
    let file = mixed_file(
        &before,
        80,
        [
            ("update", 40),
            ("attach", 20),
            ("detach", 10),
            ("delete", 10),
        ],
    );
    drop_file(&client, "slow.csv", &file).await;
    eventually(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 40 batches'",
    )
    .await;
    click_button(&client, "Apply 40 batches").await;
    eventually(
        &client,
        "some batches applied",
        "parseInt(document.querySelector('.run-progress')?.textContent || '0') >= 3",
    )
    .await;
    sandbox.kill();
    eventually(
        &client,
        "the run says the provider could not be reached",
        "/was not (sent|confirmed)/.test(document.querySelector('.halt')?.textContent || '')",
    )
    .await;
    client
        .execute("document.querySelector('.run').scrollIntoView()", vec![])
        .await
        .expect("scroll");
    let shot = screenshot(&client, "csv-run").await;
    keep_screenshot("csv-run", &shot);
    let applied_before = js(
        &client,
        "parseInt(document.querySelector('.run-progress').textContent)",
    )
    .await
    .as_u64()
    .expect("count");
    assert!(applied_before < 40, "stopped mid-run at {applied_before}");

    // The server comes back; the tab is reopened: the run is offered for resuming.
    let sandbox = SandboxProcess::start(addr, &db, &[]);
    client.refresh().await.expect("reload");
    eventually(&client, "resume offered", &format!("document.querySelector('.resume-banner')?.textContent.includes('{applied_before} of 40 batches applied')")).await;
    click_button(&client, "Resume").await;
    eventually(&client, "finished", "document.querySelector('.run-progress')?.textContent === '40 of 40 batches, 160 of 160 rows'").await;
    // A batch confirmed applied and sent again would be refused (its creates
    // exist, its deletes are gone): every batch applied once means none was.
    let statuses = js(&client, "[...document.querySelectorAll('.batch-results li')].every(l => l.textContent.startsWith('Applied'))").await;
    assert_eq!(statuses, serde_json::json!(true));
    let after = server_numbers(&client).await;
    assert_eq!(after.len(), before.len() + 80 - 10);
    drop(sandbox);
    drop(gateway);
    client.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_of_a_file_too_large_for_local_storage_is_kept_for_resume() {
    let sandbox = RunningSandbox::start_with(Config {
        demo_numbers: 1_000,
        ..Config::ephemeral()
    })
    .await;
    let driver = Browser::start();
    let client = driver.session(1280, 1000).await;
    client.goto(&sandbox.url("/csv")).await.expect("page");
    let numbers = server_numbers(&client).await;
    // 901 updates with long notes: about 14 MB, past the 5 million
    // characters localStorage holds. The last number does not exist, so the
    // server refuses the second batch and the run stops there.
    let note = "n".repeat(15_000);
    let mut file = String::from(
        "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,APPLICATION_TAG,NOTE\r\n",
    );
    for n in numbers.iter().take(900) {
        file.push_str(&format!("update,{},,,,,,{note}\r\n", n.number));
    }
    file.push_str(&format!("update,+19995550000,,,,,,{note}\r\n"));
    assert!(file.len() > 13_000_000);
    drop_file(&client, "large.csv", &file).await;
    eventually(
        &client,
        "preview",
        "document.querySelector('.summary')?.textContent.includes('Update: 901')",
    )
    .await;
    // Without the comparison the unknown number is left for the server.
    client
        .execute(
            "[...document.querySelectorAll('label')].find(l => l.textContent.includes('Compare with the current state')).querySelector('input').click()",
            vec![],
        )
        .await
        .expect("comparison off");
    eventually(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2')?.textContent === 'Plan: 2 batches'",
    )
    .await;
    click_button(&client, "Apply 2 batches").await;
    eventually(
        &client,
        "the second batch is refused",
        "document.querySelector('.halt')?.textContent.includes('Batch 2 was refused')",
    )
    .await;

    client.refresh().await.expect("reload");
    eventually(
        &client,
        "the run is offered after a reload",
        "document.querySelector('.resume-banner')?.textContent.includes('A run of large.csv stopped: 1 of 2 batches applied')",
    )
    .await;
    assert_eq!(
        js(&client, "localStorage.length").await,
        serde_json::json!(0),
        "the run is not in localStorage"
    );
    click_button(&client, "Discard").await;
    // The banner stays until the browser has forgotten the run (14 MB to
    // delete); a reload before that would abort the deletion.
    eventually(
        &client,
        "the banner goes once the run is forgotten",
        "!document.querySelector('.resume-banner')",
    )
    .await;
    client.refresh().await.expect("reload");
    wait_for(&client, ".drop-zone").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        js(&client, "!!document.querySelector('.resume-banner')").await,
        serde_json::json!(false),
        "a discarded run is gone"
    );
    client.close().await.expect("close");
}
