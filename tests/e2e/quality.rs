//! Quality every page must keep: no serious or critical accessibility
//! violation (axe-core) in the light or the dark scheme, and a layout that
//! stays usable from a desktop window down to a phone's screen.

use numbers_e2e::fantoccini::Client;
use numbers_e2e::keys::{ENTER, ESCAPE, SHIFT_TAB, TAB};
use numbers_e2e::{
    click_button, drop_file, eventually, js, npm_file, press, screenshot, serious_violations,
    wait_for, workspace, Browser, RunningSandbox, Viewport,
};

/// A page of the console, and what shows that its data has arrived.
struct Page {
    name: &'static str,
    path: &'static str,
    ready: &'static str,
}

const PAGES: [Page; 9] = [
    Page {
        name: "numbers",
        path: "/numbers",
        ready: "document.querySelectorAll('tbody tr[data-number]').length > 0",
    },
    Page {
        name: "sets",
        path: "/sets",
        ready: "!!document.querySelector('main li') && !document.querySelector('main').textContent.includes('Loading sets')",
    },
    Page {
        name: "csv",
        path: "/csv",
        ready: "!!document.querySelector('.drop-zone')",
    },
    Page {
        name: "routers",
        path: "/routers",
        ready: "!!document.querySelector('article.router') && !!document.querySelector('.preview .simulation')",
    },
    Page {
        name: "allocations",
        path: "/allocations",
        ready: "!!document.querySelector('main form')",
    },
    Page {
        name: "cloud-phones",
        path: "/cloud-phones",
        ready: "document.querySelectorAll('main tbody tr').length > 0",
    },
    Page {
        name: "history",
        path: "/history",
        ready: "!!document.querySelector('.history-summary') && !document.querySelector('.history-summary').textContent.includes('Loading')",
    },
    Page {
        name: "settings",
        path: "/settings",
        ready: "!!document.querySelector('main form')",
    },
    Page {
        name: "not-found",
        path: "/no-such-page",
        ready: "true",
    },
];

/// A state of a page reached by acting on it, and what shows it is reached.
struct State {
    name: &'static str,
    page: usize,
    /// Script run first (may be empty), then buttons clicked by their text.
    action: &'static str,
    clicks: &'static [&'static str],
    ready: &'static str,
}

const STATES: [State; 7] = [
    State {
        name: "/numbers with a row selected",
        page: 0,
        action: "document.querySelector('tbody tr[data-number] input[type=checkbox]').click()",
        clicks: &[],
        ready: "!!document.querySelector('.bulk-bar')",
    },
    State {
        name: "/numbers with the add dialog",
        page: 0,
        action: "",
        clicks: &["Add numbers…"],
        ready: "!!document.querySelector('[role=dialog]')",
    },
    State {
        name: "/numbers with the buy dialog",
        page: 0,
        action: "",
        clicks: &["Buy numbers…"],
        ready: "!!document.querySelector('[role=dialog]')",
    },
    State {
        name: "/sets with a set open",
        page: 1,
        action: "document.querySelector('.set-item').click()",
        clicks: &[],
        ready: "!!document.querySelector('.set-item[aria-current=true]') && document.querySelectorAll('main tbody tr').length > 0",
    },
    State {
        name: "/routers with the edit dialog",
        page: 3,
        action: "",
        clicks: &["Edit…"],
        ready: "!!document.querySelector('[role=dialog]')",
    },
    State {
        name: "/routers with the schedule dialog, a window on",
        page: 3,
        action: "",
        clicks: &["Schedule…"],
        ready: "(() => { const c = document.querySelector('[role=dialog] .schedule-form input[type=checkbox]'); if (c && !c.checked) c.click(); return !!document.querySelector('[role=dialog] fieldset.window') && !!document.querySelector('.schedule-preview figcaption'); })()",
    },
    State {
        name: "/cloud-phones after a diversion",
        page: 5,
        action: "",
        clicks: &["Use every phone", "Divert"],
        ready: "document.querySelectorAll('.outcome-list tbody tr').length > 0",
    },
];

/// A CSV file with two rows that cannot be sent, so the preview shows its
/// problem list and highlighted cells.
const FILE_WITH_ERRORS: &str =
    "OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,APPLICATION_TAG,NOTE\r\n\
    create,+13035550100,ocp,twilio,,en-US,,new line\r\n\
    update,2015550999,,,,,,bad number\r\n\
    attach,+12015559999,,,app,english,,\r\n";

async fn open(client: &Client, sandbox: &RunningSandbox, page: &Page) {
    client
        .goto(&sandbox.url(page.path))
        .await
        .expect("page opens");
    wait_for(client, "main h1").await;
    eventually(client, page.name, page.ready).await;
}

async fn open_csv_preview(client: &Client, sandbox: &RunningSandbox) {
    open(client, sandbox, &PAGES[2]).await;
    drop_file(client, "with-errors.csv", FILE_WITH_ERRORS).await;
    eventually(
        client,
        "preview",
        "document.querySelector('.summary')?.textContent.includes('2 invalid rows')",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_serious_or_critical_violation_on_any_page_light_or_dark() {
    let axe = npm_file("axe-core/axe.min.js");
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let mut found = Vec::new();
    for dark in [false, true] {
        let scheme = if dark { "dark" } else { "light" };
        let client = driver
            .session_for(Viewport {
                width: 1280,
                height: 800,
                dark,
                phone: false,
            })
            .await;
        for page in &PAGES {
            open(&client, &sandbox, page).await;
            for v in serious_violations(&client, &axe).await {
                found.push(format!("{} ({scheme}): {v}", page.path));
            }
        }
        // States with more on screen than a freshly opened page.
        open_csv_preview(&client, &sandbox).await;
        for v in serious_violations(&client, &axe).await {
            found.push(format!("/csv with a preview ({scheme}): {v}"));
        }
        for state in &STATES {
            open(&client, &sandbox, &PAGES[state.page]).await;
            if !state.action.is_empty() {
                client
                    .execute(state.action, vec![])
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e}", state.name));
            }
            for label in state.clicks {
                eventually(
                    &client,
                    label,
                    &format!("[...document.querySelectorAll('button')].some(b => b.textContent.trim() === {label:?} && !b.disabled)"),
                )
                .await;
                click_button(&client, label).await;
            }
            eventually(&client, state.name, state.ready).await;
            for v in serious_violations(&client, &axe).await {
                found.push(format!("{} ({scheme}): {v}", state.name));
            }
        }
        client.close().await.expect("close");
    }
    assert!(
        found.is_empty(),
        "axe-core found {} serious or critical violations:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_desktop_and_a_phone_in_light_and_dark() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let update = std::env::var_os("UPDATE_SCREENSHOTS").is_some();
    let mut overflowing = Vec::new();
    for (device, width, height, phone) in [("desktop", 1280, 800, false), ("phone", 390, 844, true)]
    {
        for dark in [false, true] {
            let scheme = if dark { "dark" } else { "light" };
            let client = driver
                .session_for(Viewport {
                    width,
                    height,
                    dark,
                    phone,
                })
                .await;
            for page in &PAGES {
                open(&client, &sandbox, page).await;
                check_and_capture(
                    &client,
                    page.name,
                    (device, width),
                    scheme,
                    update,
                    &mut overflowing,
                )
                .await;
            }
            open_csv_preview(&client, &sandbox).await;
            check_and_capture(
                &client,
                "csv-preview",
                (device, width),
                scheme,
                update,
                &mut overflowing,
            )
            .await;
            client.close().await.expect("close");
        }
    }
    assert!(
        overflowing.is_empty(),
        "the page body scrolls sideways on:\n{}",
        overflowing.join("\n")
    );
}

async fn check_and_capture(
    client: &Client,
    page: &str,
    (device, width): (&str, u32),
    scheme: &str,
    update: bool,
    overflowing: &mut Vec<String>,
) {
    // Wide tables may scroll inside their own box; the page itself must not.
    // On a phone, content wider than the screen also widens the layout
    // viewport (the browser zooms out), so that counts as overflowing too.
    let widths = js(
        client,
        "[document.documentElement.scrollWidth, window.innerWidth]",
    )
    .await;
    let (scroll, inner) = (
        widths[0].as_u64().unwrap_or(0),
        widths[1].as_u64().unwrap_or(0),
    );
    if scroll > u64::from(width) || inner > u64::from(width) {
        let culprits = js(
            client,
            &format!(
                "(() => {{ const clipped = e => {{ for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {{ if (getComputedStyle(a).overflowX !== 'visible') return true; }} return false; }};
                 return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > {width} + 1 && !clipped(e))
                   .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right))
                   .slice(0, 8); }})()"
            ),
        )
        .await;
        overflowing.push(format!(
            "{page} ({device}, {scheme}): content {scroll} px wide on a {width} px screen, past the edge: {culprits}"
        ));
    }
    let name = format!("{page}-{device}-{scheme}");
    let shot = screenshot(client, &format!("tour/{name}")).await;
    if update {
        let dir = workspace().join("docs/tour");
        std::fs::create_dir_all(&dir).expect("docs/tour");
        std::fs::copy(&shot, dir.join(format!("{name}.png"))).expect("screenshot copied");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialog_keeps_the_keyboard_inside_and_gives_the_focus_back() {
    let sandbox = RunningSandbox::start().await;
    let driver = Browser::start();
    let client = driver.session(1280, 800).await;
    open(&client, &sandbox, &PAGES[0]).await;
    client
        .execute(
            "[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Buy numbers…').focus()",
            vec![],
        )
        .await
        .expect("focus the opener");
    press(&client, ENTER).await;
    eventually(
        &client,
        "focus moves into the dialog",
        "document.activeElement?.closest('[role=dialog]')",
    )
    .await;
    for (keys, times) in [(TAB, 15), (SHIFT_TAB, 15)] {
        for i in 0..times {
            press(&client, keys).await;
            assert_eq!(
                js(
                    &client,
                    "!!document.activeElement?.closest('[role=dialog]')"
                )
                .await,
                serde_json::json!(true),
                "focus left the dialog after {} presses of {keys:?}",
                i + 1
            );
        }
    }
    press(&client, ESCAPE).await;
    eventually(
        &client,
        "closed, focus back on the opener",
        "!document.querySelector('[role=dialog]') && document.activeElement?.textContent.trim() === 'Buy numbers…'",
    )
    .await;
    client.close().await.expect("close");
}
