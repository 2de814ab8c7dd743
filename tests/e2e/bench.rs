//! Browser benchmarks (not part of the test suite): figures printed and
//! saved to `target/bench/browser.json`, not asserted. Run `bash
//! scripts/bench.sh`, which builds the benchmark page this reads from
//! `$NUMBERS_BENCH_PAGE`.

use std::path::PathBuf;

use numbers_e2e::fantoccini::Client;
use numbers_e2e::{
    eventually, js, long_scripts, median, wait_for, workspace, Browser, RunningSandbox,
};
use numbers_sandbox::Config;
use serde_json::{json, Value};

/// File sizes (rows) and how many timed runs each gets after its warm-up.
const CSV_SIZES: [(usize, usize); 3] = [(10_000, 9), (100_000, 7), (500_000, 5)];
const SIMULATED_CALLS: u32 = 1_000_000;
const PAINT_ROWS: u32 = 10_000;
const PAINT_RUNS: usize = 7;

async fn call(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Milliseconds from the moment a 10^4-row page of numbers arrives (its
/// fetch resolves) to the first frame after the table shows it.
async fn first_paint_of_a_large_page(client: &Client) -> f64 {
    let size_select = "[...document.querySelectorAll('.pager select')][0]";
    let ms = client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 const rows = {PAINT_ROWS};
                 if (!window.__fetchPatched) {{
                   const fetch = window.fetch;
                   window.fetch = function (...args) {{
                     const answer = fetch.apply(this, args);
                     const url = String(args[0]?.url ?? args[0]);
                     if (url.includes('pageSize=' + rows)) answer.then(() => {{ window.__received = performance.now(); }});
                     return answer;
                   }};
                   window.__fetchPatched = true;
                 }}
                 window.__received = null;
                 const table = () => document.querySelector('.numbers-table');
                 const observer = new MutationObserver(() => {{
                   if (window.__received !== null && table()?.getAttribute('aria-rowcount') === String(rows + 1)
                       && document.querySelector('tbody tr[data-number]')) {{
                     observer.disconnect();
                     requestAnimationFrame(() => setTimeout(() => done(performance.now() - window.__received), 0));
                   }}
                 }});
                 observer.observe(document.body, {{ subtree: true, childList: true, attributes: true }});
                 const select = {size_select};
                 select.value = String(rows);
                 select.dispatchEvent(new Event('change', {{ bubbles: true }}));"
            ),
            vec![],
        )
        .await
        .expect("the large page is drawn");
    // Back to a small page, so the next run loads the large one again.
    call(
        client,
        &format!("const s = {size_select}; s.value = '25'; s.dispatchEvent(new Event('change', {{ bubbles: true }}));"),
    )
    .await;
    eventually(
        client,
        "small page",
        "document.querySelector('.numbers-table')?.getAttribute('aria-rowcount') === '26'",
    )
    .await;
    ms.as_f64().expect("milliseconds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run scripts/bench.sh"]
async fn browser_benchmarks() {
    let page = PathBuf::from(
        std::env::var_os("NUMBERS_BENCH_PAGE")
            .expect("NUMBERS_BENCH_PAGE: run scripts/bench.sh, which builds the page"),
    );
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    long_scripts(&client, 600).await;

    // The page is served as it is by a sandbox of its own (a gateway serves
    // only the console's dist/).
    let (stop_site, stopped) = tokio::sync::oneshot::channel::<()>();
    let bench_site = numbers_sandbox::Sandbox::bind(Config {
        dist: Some(page),
        no_demo: true,
        ..Config::ephemeral()
    })
    .await
    .expect("benchmark page server");
    let site = bench_site.addr();
    let site_task = tokio::spawn(bench_site.serve(async {
        let _ = stopped.await;
    }));
    client
        .goto(&format!("http://{site}/index.html"))
        .await
        .expect("benchmark page");
    eventually(
        &client,
        "benchmark page ready",
        "window.benchReady === true",
    )
    .await;

    let mut csv_results = Vec::new();
    for (rows, runs) in CSV_SIZES {
        let r = call(&client, &format!("return benchCsv({rows}, {runs});")).await;
        csv_results.push(r);
    }
    let sim = call(
        &client,
        &format!("return benchSimulate({SIMULATED_CALLS}, 9);"),
    )
    .await;
    let _ = stop_site.send(());
    let _ = site_task.await;

    let console = RunningSandbox::start_with(Config {
        demo_numbers: PAINT_ROWS as usize + 2_000,
        ..Config::ephemeral()
    })
    .await;
    client
        .goto(&console.url("/numbers"))
        .await
        .expect("numbers page");
    wait_for(&client, "tbody tr[data-number]").await;
    let mut paints = Vec::new();
    for run in 0..=PAINT_RUNS {
        let ms = first_paint_of_a_large_page(&client).await;
        if run > 0 {
            paints.push(ms);
        }
    }
    let chromium = js(&client, "navigator.userAgent").await;
    client.close().await.expect("close");

    println!();
    println!("| rows | MB | numbers-core wasm: read + validate + plan, from bytes | PapaParse: parse (header: true) | uDSV: infer + parse (stringObjs) | wasm / PapaParse | wasm / uDSV | copy into wasm | decode to a string | wasm + copy / uDSV + decode | peak wasm heap |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &csv_results {
        let rows = r["rows"].as_f64().unwrap_or(0.0);
        let mb = r["bytes"].as_f64().unwrap_or(0.0) / 1e6;
        let ms = |key: &str| r[key].as_f64().unwrap_or(f64::NAN);
        let (w, p, u) = (ms("wasm_ms"), ms("papaparse_ms"), ms("udsv_ms"));
        let (copy, decode) = (ms("copy_ms"), ms("decode_ms"));
        let peak = ms("peak_heap_bytes") / 1e6;
        let cell = |t: f64| {
            format!(
                "{t:.1} ms ({:.2} M rows/s, {:.0} MB/s)",
                rows / t / 1e3,
                mb / t * 1e3
            )
        };
        println!(
            "| {rows:.0} | {mb:.1} | {} | {} | {} | {:.2} | {:.2} | {copy:.1} ms | {decode:.1} ms | {:.2} | {peak:.1} MB ({:.2}× the file) |",
            cell(w),
            cell(p),
            cell(u),
            w / p,
            w / u,
            (w + copy) / (u + decode),
            peak / mb,
        );
    }
    println!(
        "\nsimulate {SIMULATED_CALLS} calls in wasm: {:.2} ms (median of 9)",
        sim["ms"].as_f64().unwrap_or(f64::NAN)
    );
    let paint = median(paints.clone());
    println!(
        "a {PAINT_ROWS}-row page of numbers, received to the table's first paint: {paint:.1} ms (median of {PAINT_RUNS})"
    );
    println!("browser: {}", chromium.as_str().unwrap_or("?"));

    let out = workspace().join("target/bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    let report = json!({
        "browser": chromium,
        "csv": csv_results,
        "simulate": sim,
        "first_paint": { "rows": PAINT_ROWS, "median_ms": paint, "runs_ms": paints },
    });
    std::fs::write(
        out.join("browser.json"),
        serde_json::to_string_pretty(&report).expect("JSON"),
    )
    .expect("target/bench/browser.json");
    println!("saved: target/bench/browser.json");
}
