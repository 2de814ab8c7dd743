//! The release bundle stays within the budget written in
//! `tests/bundle-budget.json`, and its figures are printed.

use std::io::Write;

use flate2::{write::GzEncoder, Compression};
use numbers_e2e::{dist, workspace};

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len()
}

#[test]
fn release_bundle_is_within_its_gzip_budget() {
    let budget: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("tests/bundle-budget.json"))
            .expect("tests/bundle-budget.json"),
    )
    .expect("the budget is JSON");
    let limit = budget["gzip_total_budget_bytes"]
        .as_u64()
        .expect("gzip_total_budget_bytes") as usize;
    let goal = budget["gzip_total_goal_bytes"]
        .as_u64()
        .expect("gzip_total_goal_bytes") as usize;

    let (mut raw_total, mut gzip_total, mut files) = (0, 0, 0);
    for entry in std::fs::read_dir(dist()).expect("dist/") {
        let path = entry.expect("dist entry").path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "wasm" && ext != "js" {
            continue;
        }
        let bytes = std::fs::read(&path).expect("bundle file");
        let gz = gzip_len(&bytes);
        println!(
            "bundle: {ext:<5} {:>9} bytes raw {gz:>9} bytes gzip",
            bytes.len()
        );
        raw_total += bytes.len();
        gzip_total += gz;
        files += 1;
    }
    assert!(files >= 2, "dist/ lacks the wasm or the JS of the console");
    println!(
        "bundle: total {raw_total:>9} bytes raw {gzip_total:>9} bytes gzip (budget {limit}, goal {goal})"
    );
    assert!(
        gzip_total <= limit,
        "the console's bundle is {gzip_total} bytes gzip, over its budget of {limit} \
         (tests/bundle-budget.json): find what grew (twiggy top on the release wasm) before raising it"
    );
}
