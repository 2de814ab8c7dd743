//! Browser benchmarks of the built console through the gateway (not part of
//! the test suite; `bash scripts/bench.sh` runs them after a release build):
//! the first visit, a reload and each page's first opening with the network
//! throttled as DevTools throttles it; and the page's longest tasks while a
//! 10^5-row CSV run starts. Figures printed and saved in `target/bench/`.

use std::time::{Duration, Instant};

use numbers_core::models::ocp::NumberRecord;
use numbers_e2e::fantoccini::Client;
use numbers_e2e::{
    drop_file, eventually_within, js, long_scripts, median, note_first_row, owner_fetch, throttle,
    wait_for, workspace, Browser, RunningSandbox,
};
use numbers_sandbox::Config;
use serde_json::json;

/// Networks: name, bits per second, round-trip time, fresh browsers.
const NETWORKS: [(&str, u64, u64, usize); 2] = [
    ("10 Mbit/s, 40 ms", 10_000_000, 40, 5),
    ("1.6 Mbit/s, 150 ms", 1_600_000, 150, 3),
];

const PAGES: [(&str, &str); 9] = [
    ("Sets", "/sets"),
    ("CSV", "/csv"),
    ("Runs", "/runs"),
    ("Requests", "/requests"),
    ("Routers", "/routers"),
    ("Allocations", "/allocations"),
    ("Cloud phones", "/cloud-phones"),
    ("History", "/history"),
    ("Settings", "/settings"),
];

/// Follows the link `label` and answers [ms until the page at `path` shows
/// its heading and no loading line, bytes fetched meanwhile].
const OPEN_PAGE: &str = "const [label, path, done] = arguments;
const link = [...document.querySelectorAll(\"nav[aria-label='Main'] a\")].find(a => a.textContent.trim() === label);
const before = document.querySelector('main h1')?.textContent;
const seen = performance.getEntriesByType('resource').length;
const shown = () => location.pathname === path && !document.querySelector('.page-loading')
    && document.querySelector('main h1') && document.querySelector('main h1').textContent !== before;
const t0 = performance.now();
const finish = () => {
    const ms = performance.now() - t0;
    const bytes = performance.getEntriesByType('resource').slice(seen).reduce((s, e) => s + e.transferSize, 0);
    done([ms, bytes]);
};
const watch = setInterval(() => { if (shown()) { clearInterval(watch); finish(); } }, 2);
link.click();";

fn range(xs: &[f64]) -> String {
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.0}–{hi:.0}")
}

/// [ms to the first row, bytes fetched until then] of the current document.
async fn to_rows(client: &Client) -> (f64, f64) {
    eventually_within(
        client,
        "a row of numbers",
        "window.__rowsAt !== undefined",
        Duration::from_secs(60),
    )
    .await;
    let v = js(
        client,
        "[window.__rowsAt, performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
           .filter(e => e.responseEnd <= window.__rowsAt).reduce((s, e) => s + e.transferSize, 0)]",
    )
    .await;
    (
        v[0].as_f64().unwrap_or(f64::NAN),
        v[1].as_f64().unwrap_or(f64::NAN),
    )
}

/// Opens every page in turn by its link: [ms, bytes] each.
async fn open_pages(client: &Client) -> Vec<(f64, f64)> {
    let mut opened = Vec::new();
    for (label, path) in PAGES {
        let v = client
            .execute_async(OPEN_PAGE, vec![json!(label), json!(path)])
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        opened.push((
            v[0].as_f64().unwrap_or(f64::NAN),
            v[1].as_f64().unwrap_or(f64::NAN),
        ));
    }
    opened
}

/// A fresh browser (nothing in its cache) on the throttled network, with
/// the console's first visit done: [ms to a row, bytes until then].
async fn first_visit(
    sandbox: &RunningSandbox,
    bps: u64,
    rtt: u64,
) -> (Browser, Client, (f64, f64)) {
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    note_first_row(&client).await;
    throttle(&client, bps, rtt).await;
    client.goto(&sandbox.url("/numbers")).await.expect("opens");
    let rows = to_rows(&client).await;
    (driver, client, rows)
}

fn page_table(title: &str, runs: &[Vec<(f64, f64)>]) -> Vec<serde_json::Value> {
    println!("| {title} | ms | KiB on the wire |\n|---|---:|---:|");
    let mut rows = Vec::new();
    for (i, (label, _)) in PAGES.iter().enumerate() {
        let ms: Vec<f64> = runs.iter().map(|r| r[i].0).collect();
        let bytes: Vec<f64> = runs.iter().map(|r| r[i].1).collect();
        println!(
            "| {label} | {:.0} ({}) | {:.1} |",
            median(ms.clone()),
            range(&ms),
            median(bytes.clone()) / 1024.0
        );
        rows.push(json!({ "page": label, "ms": ms, "bytes": bytes }));
    }
    rows
}

/// How long the console is left alone before pages are opened "settled":
/// it fetches the other pages' code 3 s after it opened.
const SETTLED: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run scripts/bench.sh"]
async fn first_visit_reload_and_page_openings() {
    let sandbox = RunningSandbox::start().await;
    let mut report = Vec::new();
    for (network, bps, rtt, runs) in NETWORKS {
        let (mut firsts, mut bytes, mut reloads) = (Vec::new(), Vec::new(), Vec::new());
        let (mut cold, mut settled) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let (_driver, client, (ms, b)) = first_visit(&sandbox, bps, rtt).await;
            firsts.push(ms);
            bytes.push(b);
            client.refresh().await.expect("reload");
            reloads.push(to_rows(&client).await.0);
            // Straight after the reload: each page's code comes over the
            // network as its link is followed.
            cold.push(open_pages(&client).await);
            client.close().await.expect("close");

            let (_driver, client, _) = first_visit(&sandbox, bps, rtt).await;
            tokio::time::sleep(SETTLED).await;
            settled.push(open_pages(&client).await);
            client.close().await.expect("close");
        }
        println!("\n{network} ({runs} fresh browsers; medians, range in brackets)");
        println!(
            "first visit to a row of numbers: {:.0} ms ({}), {:.1} KiB on the wire",
            median(firsts.clone()),
            range(&firsts),
            median(bytes.clone()) / 1024.0
        );
        println!(
            "reload to a row of numbers:      {:.0} ms ({})",
            median(reloads.clone()),
            range(&reloads)
        );
        let cold = page_table("page, first opened straight after the reload", &cold);
        let settled = page_table(
            &format!("page, first opened after {} s", SETTLED.as_secs()),
            &settled,
        );
        report.push(json!({
            "network": network, "first_visit_ms": firsts, "first_visit_bytes": bytes,
            "reload_ms": reloads, "pages_cold": cold, "pages_settled": settled,
        }));
    }
    sandbox.stop().await;
    let out = workspace().join("target/bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    std::fs::write(
        out.join("first-visit.json"),
        serde_json::to_string_pretty(&report).expect("JSON"),
    )
    .expect("target/bench/first-visit.json");
    println!("saved: target/bench/first-visit.json");
}

const NUMBERS: usize = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run scripts/bench.sh"]
async fn longest_tasks_while_a_large_csv_run_starts() {
    let sandbox = RunningSandbox::start_with(Config {
        demo_numbers: NUMBERS,
        ..Config::ephemeral()
    })
    .await;
    let driver = Browser::start();
    let client = driver.session(1280, 900).await;
    long_scripts(&client, 120).await;
    client.goto(&sandbox.url("/csv")).await.expect("CSV page");
    wait_for(&client, ".drop-zone").await;
    let mut numbers: Vec<NumberRecord> = Vec::new();
    for page in 1..=NUMBERS.div_ceil(10_000) {
        let v = js(
            &client,
            &format!(
                "{}.then(r => r.json()).then(p => p.numbers)",
                owner_fetch(
                    "GET",
                    &format!("/api/numbers?page={page}&pageSize=10000&orderBy=number"),
                    "undefined"
                )
            ),
        )
        .await;
        numbers.extend(serde_json::from_value::<Vec<NumberRecord>>(v).expect("numbers"));
    }
    let mut file = String::from(
        "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,APPLICATION_TAG,NOTE\r\n",
    );
    for n in &numbers {
        file.push_str(&format!(
            "update,{},,,,,<NULL>,moved to the new queue\r\n",
            n.number
        ));
    }
    println!(
        "file: {} rows, {:.1} MB",
        numbers.len(),
        file.len() as f64 / 1e6
    );
    js(
        &client,
        "(window.__long = [], new PerformanceObserver(l => l.getEntries().forEach(e => window.__long.push([e.startTime, e.duration]))).observe({type: 'longtask'}), true)",
    )
    .await;
    let t0 = Instant::now();
    drop_file(&client, "update.csv", &file).await;
    // From here on: the task that made the file from the test's 5.5 MB
    // string and dropped it is the benchmark's own, not the console's.
    js(&client, "(window.__dropAt = performance.now(), true)").await;
    eventually_within(
        &client,
        "plan",
        "document.querySelector('[aria-label=Plan] h2') && [...document.querySelectorAll('button')].some(b => b.textContent.startsWith('Apply ') && !b.disabled)",
        Duration::from_secs(120),
    )
    .await;
    println!(
        "dropped to Apply enabled: {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    js(
        &client,
        "(window.__clickAt = performance.now(), [...document.querySelectorAll('button')].find(b => b.textContent.startsWith('Apply ')).click(), true)",
    )
    .await;
    let t1 = Instant::now();
    eventually_within(
        &client,
        "run finished",
        "(() => { const t = document.querySelector('.run-progress')?.textContent || ''; const m = t.match(/^(\\d+) of (\\d+) batches/); return m && m[1] === m[2]; })()",
        Duration::from_secs(300),
    )
    .await;
    let applied = t1.elapsed().as_secs_f64();
    let long = js(
        &client,
        "window.__long.filter(([start]) => start >= window.__dropAt).map(([start, d]) => [start - window.__dropAt, d, start >= window.__clickAt])",
    )
    .await;
    let tasks: Vec<(f64, f64, bool)> = long
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t[0].as_f64()?, t[1].as_f64()?, t[2].as_bool()?)))
        .collect();
    println!("Apply to the last batch applied: {applied:.1} s");
    for (phase, in_run) in [("drop to Apply", false), ("Apply to the end", true)] {
        let d: Vec<f64> = tasks
            .iter()
            .filter(|t| t.2 == in_run)
            .map(|t| t.1)
            .collect();
        println!(
            "long tasks (over 50 ms), {phase}: {}, the longest {:.0} ms, {:.0} ms in all, over 100 ms: {}",
            d.len(),
            d.iter().copied().fold(0.0, f64::max),
            d.iter().fold(0.0, |a, b| a + b),
            d.iter().filter(|&&x| x > 100.0).count()
        );
    }
    for (start, d, _) in &tasks {
        println!("  at {start:>7.0} ms after the drop: {d:.0} ms");
    }
    let out = workspace().join("target/bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    std::fs::write(
        out.join("csv-run-long-tasks.json"),
        serde_json::to_string_pretty(
            &json!({ "rows": numbers.len(), "applied_s": applied, "long_tasks": tasks }),
        )
        .expect("JSON"),
    )
    .expect("target/bench/csv-run-long-tasks.json");
    client.close().await.expect("close");
    sandbox.stop().await;
}
