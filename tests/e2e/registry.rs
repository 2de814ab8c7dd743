//! The console asks a provider only for what the endpoint registry
//! (`numbers_core::endpoints`) lists: every request in `src/api/` names
//! its endpoint by id, and its method and path are built from that id's
//! row (`api::endpoint`), the same row the gateway's relay matches and the
//! sandbox serves. What this test forbids is the way around it: a
//! provider's path written by hand in `src/api/`.

use std::path::Path;

/// Every string literal of `text` (outside its tests), with its line.
fn literals(text: &str) -> Vec<(usize, String)> {
    let text = text.split("#[cfg(").next().unwrap_or(text);
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split("//").next().unwrap_or_default();
        let mut rest = line;
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('"') else { break };
            out.push((n + 1, after[..end].to_string()));
            rest = &after[end + 1..];
        }
    }
    out
}

/// A provider's path, or a piece of one.
fn names_a_provider_path(s: &str) -> bool {
    s.starts_with("/api/")
        || s.starts_with("/v1/")
        || [
            "/numbers",
            "/number/",
            "/cloud-phone",
            "/greenvn",
            "/phones",
            "/jobs",
        ]
        .iter()
        .any(|p| s.contains(p))
}

#[test]
fn the_console_writes_no_provider_path_by_hand() {
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/api");
    let mut by_hand = Vec::new();
    let mut read = 0;
    for entry in std::fs::read_dir(&api).expect("src/api") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        read += 1;
        let text = std::fs::read_to_string(&path).expect("source");
        for (line, literal) in literals(&text) {
            if names_a_provider_path(&literal) {
                by_hand.push(format!("{}:{line}: {literal:?}", path.display()));
            }
        }
    }
    assert!(read >= 8, "only {read} files in src/api");
    assert!(
        by_hand.is_empty(),
        "provider paths written by hand in the console (name the endpoint by its EndpointId instead):\n{}",
        by_hand.join("\n")
    );
}

#[test]
fn the_check_sees_a_path_written_by_hand() {
    let text = "fn f() { self.get(&format!(\"/api/numbers-set/{}\", id)) }\n#[cfg(test)]\nmod t { \"/api/x\" }";
    let found: Vec<String> = literals(text)
        .into_iter()
        .filter(|(_, l)| names_a_provider_path(l))
        .map(|(_, l)| l)
        .collect();
    assert_eq!(found, ["/api/numbers-set/{}"]);
    assert!(!names_a_provider_path("/history"));
    assert!(!names_a_provider_path("/schedules"));
}
