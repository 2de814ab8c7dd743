//! Browser benchmarks (not run by the test suite): figures printed, not asserted.
//! `cargo test -p numbers-e2e --test bench -- --ignored --nocapture`

use numbers_e2e::{drop_file, eventually, js, ChromeDriver, RunningSandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it explicitly"]
async fn csv_100k_rows_and_simulate_a_million_calls_in_chromium() {
    let sandbox = RunningSandbox::start().await;
    let driver = ChromeDriver::start();
    let client = driver.session(1280, 1000).await;
    let text = numbers_core::sample::operations_csv(100_000);
    for run in 1..=4 {
        client.goto(&sandbox.url("/csv")).await.expect("page");
        eventually(&client, "page", "!!document.querySelector('.drop-zone')").await;
        drop_file(&client, "bench.csv", &text).await;
        eventually(
            &client,
            "checked",
            "document.querySelector('.timing')?.textContent.includes('planned in')",
        )
        .await;
        let timing = js(&client, "document.querySelector('.timing').textContent").await;
        eprintln!(
            "run {run}{}: {}",
            if run == 1 { " (warm-up)" } else { "" },
            timing.as_str().unwrap_or("")
        );
    }
    client.goto(&sandbox.url("/routers")).await.expect("page");
    eventually(
        &client,
        "preview",
        "!!document.querySelector('#new-sim-calls')",
    )
    .await;
    for run in 1..=4 {
        client
            .execute(&format!("const i = document.querySelector('#new-sim-seed'); i.value = '{run}'; i.dispatchEvent(new Event('input')); const n = document.querySelector('#new-sim-calls'); n.value = '1000000'; n.dispatchEvent(new Event('input'));"), vec![])
            .await
            .expect("simulate");
        eventually(&client, "simulated", "document.querySelector('.preview .simulation').textContent.startsWith('1000000 calls')").await;
        let sim = js(&client, "document.querySelector('.preview .simulation').textContent.match(/simulated in [0-9.]+ ms/)[0]").await;
        eprintln!(
            "simulate 10^6 calls, run {run}: {}",
            sim.as_str().unwrap_or("")
        );
    }
    client.close().await.expect("close");
}
