//! Four eyes in the browser, on a gateway with the sandbox's demo review
//! policy: an owner drops a CSV with deletes and, instead of Apply, is
//! offered Request review; they cannot approve it themselves; a member
//! cannot approve it; the second owner approves it in another browser; an
//! edit of the file after the approval is a new request waiting for its
//! own approval; the owner applies the approved one, the numbers are gone,
//! and History shows the request, its approval, its application and the
//! batches it caused.

use numbers_e2e::{
    click_button, click_button_in, drop_file, eventually, eventually_within, fill, js, js_awaited,
    keep_screenshot, npm_file, owner_fetch, screenshot, serious_violations, sign_in, wait_for,
    Browser, RunningSandbox,
};
use numbers_sandbox::Config;
use std::time::Duration;

/// Numbers of `group` as the owner's dev token lists them.
async fn numbers_of(client: &fantoccini::Client, group: &str, n: usize) -> Vec<String> {
    let v = js(
        client,
        &format!(
            "{}.then(r => r.json()).then(p => p.numbers.filter(n => n.groupId === {group:?}).map(n => n.number))",
            owner_fetch("GET", "/api/numbers?pageSize=10000&orderBy=number", "undefined")
        ),
    )
    .await;
    let all: Vec<String> = serde_json::from_value(v).expect("numbers");
    all.into_iter().take(n).collect()
}

/// How many of `numbers` the sandbox still has.
async fn still_there(client: &fantoccini::Client, numbers: &[String]) -> usize {
    let v = js(
        client,
        &format!(
            "{}.then(r => r.json()).then(p => p.numbers.map(n => n.number))",
            owner_fetch("GET", "/api/numbers?pageSize=10000", "undefined")
        ),
    )
    .await;
    let all: Vec<String> = serde_json::from_value(v).expect("numbers");
    numbers.iter().filter(|n| all.contains(n)).count()
}

fn deletes(numbers: &[String]) -> String {
    let mut text = String::from("OPERATION,NUMBER\r\n");
    for n in numbers {
        text.push_str(&format!("delete,{n}\r\n"));
    }
    text
}

/// Drops `file` on the CSV page and asks for review of it: the request's id.
async fn request_review(
    client: &fantoccini::Client,
    name: &str,
    file: &str,
    title: &str,
) -> String {
    client
        .goto(&format!("{}/csv", base(client).await))
        .await
        .expect("csv page");
    drop_file(client, name, file).await;
    wait_for(client, "section[aria-label='Request review']").await;
    fill(
        client,
        "section[aria-label='Request review'] input[type=text]",
        title,
    )
    .await;
    fill(
        client,
        "section[aria-label='Request review'] textarea",
        "These numbers were released by the carrier",
    )
    .await;
    click_button(client, "Request review").await;
    let made = wait_for(
        client,
        "section[aria-label='Request review'] [data-request]",
    )
    .await;
    made.attr("data-request").await.expect("attr").expect("id")
}

async fn base(client: &fantoccini::Client) -> String {
    js(client, "location.origin")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn card(id: &str) -> String {
    format!("section.request[data-request='{id}']")
}

async fn state_is(client: &fantoccini::Client, id: &str, state: &str) {
    eventually_within(
        client,
        &format!("request {id} {state}"),
        &format!(
            "document.querySelector(\"{}\")?.dataset.state === '{state}'",
            card(id)
        ),
        Duration::from_secs(20),
    )
    .await;
}

async fn toast_says(client: &fantoccini::Client, what: &str, text: &str) {
    eventually(
        client,
        what,
        &format!(
            "[...document.querySelectorAll('.toast')].some(t => t.textContent.includes({text:?}))"
        ),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_owner_approves_in_another_browser_and_the_author_applies_it() {
    let mut gateway = numbers_gateway::Config::load(None).expect("defaults");
    gateway.sandbox_review = Some(numbers_core::review::Policy::demo());
    let sandbox = RunningSandbox::start_with_gateway(Config::ephemeral(), gateway).await;
    let driver = Browser::start();
    let owner = driver.session(1280, 1000).await;
    owner.goto(&sandbox.url("/")).await.expect("console");
    // Numbers the member may see too (group ocp-qa).
    let numbers = numbers_of(&owner, "ocp-qa", 3).await;
    assert_eq!(numbers.len(), 3);
    sign_in(&owner, &sandbox, "owner", "owner-pass").await;

    // The file deletes: the CSV page says the rule and offers review, not Apply.
    owner.goto(&sandbox.url("/csv")).await.expect("csv page");
    drop_file(&owner, "released.csv", &deletes(&numbers)).await;
    eventually(
        &owner,
        "the rule is said",
        "document.querySelector(\"section[aria-label='Request review']\")?.textContent.includes('Deleting numbers (3 DELETE rows) needs 1 approval from the OWNER role')",
    )
    .await;
    assert_eq!(
        js(&owner, "[...document.querySelectorAll('button')].some(b => ['Apply', 'Run on the gateway'].includes(b.textContent.trim()))").await,
        false,
        "nothing offers to send it"
    );
    js(
        &owner,
        "document.querySelector(\"section[aria-label='Request review']\").scrollIntoView({block: 'center'})",
    )
    .await;
    let shot = screenshot(&owner, "request-review").await;
    keep_screenshot("request-review", &shot);
    let found = serious_violations(&owner, &npm_file("axe-core/axe.min.js")).await;
    assert!(found.is_empty(), "Request review: {found:#?}");
    let id = request_review(
        &owner,
        "released.csv",
        &deletes(&numbers),
        "Released numbers",
    )
    .await;

    // The author cannot approve their own request.
    owner
        .goto(&sandbox.url("/requests"))
        .await
        .expect("requests");
    wait_for(&owner, &card(&id)).await;
    state_is(&owner, &id, "open").await;
    click_button_in(&owner, &card(&id), "Approve").await;
    toast_says(&owner, "own approval refused", "You made this request").await;
    state_is(&owner, &id, "open").await;

    // A member, in another browser, sees it and may not approve it.
    let other = Browser::start();
    let member = other.session(1280, 1000).await;
    sign_in(&member, &sandbox, "member", "member-pass").await;
    member
        .goto(&sandbox.url("/requests"))
        .await
        .expect("requests");
    wait_for(&member, &card(&id)).await;
    click_button_in(&member, &card(&id), "Approve").await;
    toast_says(
        &member,
        "member refused",
        "You may not approve requests here",
    )
    .await;
    member.close().await.expect("close");

    // The second owner approves it in that browser, signed in as themselves.
    let reviewer = other.session(1280, 1000).await;
    sign_in(&reviewer, &sandbox, "reviewer", "reviewer-pass").await;
    reviewer
        .goto(&sandbox.url("/requests"))
        .await
        .expect("requests");
    wait_for(&reviewer, &card(&id)).await;
    eventually(
        &reviewer,
        "the reviewer sees what it deletes",
        &format!(
            "document.querySelector(\"{} .diff-list\")?.textContent.includes('DELETE {}')",
            card(&id),
            numbers[0]
        ),
    )
    .await;
    fill(
        &reviewer,
        &format!("{} textarea", card(&id)),
        "Checked with the carrier",
    )
    .await;
    click_button_in(&reviewer, &card(&id), "Approve").await;
    state_is(&reviewer, &id, "approved").await;
    let shot = screenshot(&reviewer, "request-approved").await;
    keep_screenshot("request-approved", &shot);
    let axe = npm_file("axe-core/axe.min.js");
    let found = serious_violations(&reviewer, &axe).await;
    assert!(found.is_empty(), "Requests: {found:#?}");

    // An edit after the approval is another request, waiting for its own.
    let edited = request_review(
        &owner,
        "released.csv",
        &deletes(&numbers[..2]),
        "Released numbers, fewer",
    )
    .await;
    assert_ne!(edited, id);
    owner
        .goto(&sandbox.url("/requests"))
        .await
        .expect("requests");
    state_is(&owner, &edited, "open").await;
    state_is(&owner, &id, "approved").await;

    // The author applies the approved one: what changed since is shown first.
    click_button_in(&owner, &card(&id), "Apply…").await;
    eventually_within(
        &owner,
        "drift read",
        &format!(
            "document.querySelector(\"{} .run-drift\")?.textContent.includes('None of its 3 numbers changed')",
            card(&id)
        ),
        Duration::from_secs(20),
    )
    .await;
    fill(
        &owner,
        &format!("{} input[type=password]", card(&id)),
        "owner-pass",
    )
    .await;
    click_button_in(&owner, &card(&id), "Apply now").await;
    toast_says(&owner, "applied", "is applied as run").await;
    state_is(&owner, &id, "applied").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while still_there(&owner, &numbers).await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the numbers were not deleted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // History: the request, its approval, its application, then its batches.
    owner.goto(&sandbox.url("/history")).await.expect("history");
    let steps = [
        format!("change request made · request {id}"),
        format!("change request approved · request {id}"),
        format!("change request applied · request {id}"),
        "CSV batch".to_string(),
    ];
    eventually_within(
        &owner,
        "every step listed",
        &format!(
            "(() => {{ const t = document.body.textContent; return {:?}.every(s => t.includes(s)); }})()",
            steps
        ),
        Duration::from_secs(20),
    )
    .await;
    // Newest first: the batches, then the application, approval and request.
    let order = js(
        &owner,
        &format!(
            "(() => {{ const t = document.body.textContent; return {:?}.map(s => t.indexOf(s)); }})()",
            steps
        ),
    )
    .await;
    let at: Vec<i64> = serde_json::from_value(order).expect("indices");
    assert!(
        at[3] < at[2] && at[2] < at[1] && at[1] < at[0],
        "History lists batches, application, approval, request (newest first): {at:?}"
    );
    let shot = screenshot(&owner, "request-history").await;
    keep_screenshot("request-history", &shot);

    // Completing a router: Complete… asks for review of that one call; the
    // router shows its open request; approved, the author applies it here.
    owner.goto(&sandbox.url("/routers")).await.expect("routers");
    let router = "article[data-router='router-demo']";
    wait_for(&owner, router).await;
    click_button_in(&owner, router, "Complete…").await;
    eventually(
        &owner,
        "the rule is said",
        "document.querySelector(\"form[aria-label='Request review']\")?.textContent.includes('Completing a router needs 1 approval')",
    )
    .await;
    click_button_in(
        &owner,
        "form[aria-label='Request review']",
        "Request review",
    )
    .await;
    let made = wait_for(
        &owner,
        "[role=dialog] [data-request], dialog [data-request], [data-request][role=status]",
    )
    .await;
    let call_id = made.attr("data-request").await.expect("attr").expect("id");
    click_button(&owner, "Close").await;
    owner.goto(&sandbox.url("/routers")).await.expect("routers");
    eventually(
        &owner,
        "the router shows its open request",
        &format!("document.querySelector(\"{router} .open-request\")?.textContent === 'request {call_id} open'"),
    )
    .await;
    reviewer
        .goto(&sandbox.url("/requests"))
        .await
        .expect("requests");
    wait_for(&reviewer, &card(&call_id)).await;
    click_button_in(&reviewer, &card(&call_id), "Approve").await;
    state_is(&reviewer, &call_id, "approved").await;
    owner
        .goto(&sandbox.url("/requests"))
        .await
        .expect("requests");
    state_is(&owner, &call_id, "approved").await;
    click_button_in(&owner, &card(&call_id), "Apply…").await;
    eventually_within(
        &owner,
        "drift read",
        &format!(
            "document.querySelector(\"{} .run-drift\")?.textContent.includes('did not change on OCP')",
            card(&call_id)
        ),
        Duration::from_secs(20),
    )
    .await;
    click_button_in(&owner, &card(&call_id), "Apply now").await;
    state_is(&owner, &call_id, "applied").await;
    let status = js_awaited(
        &owner,
        &format!(
            "{}.then(r => r.status)",
            owner_fetch("GET", "/api/numbers-routing/router-demo", "undefined")
        ),
    )
    .await;
    assert_eq!(status, 404, "the router was completed (and so removed)");
}
