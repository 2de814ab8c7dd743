//! Generated OCP operation files, for benchmarks, fuzz seeds and demos.

use std::fmt::Write;

/// A valid operations file of `rows` rows mixing all five operations, about
/// 100 bytes a row (10^5 rows ≈ 10 MB).
pub fn operations_csv(rows: usize) -> String {
    let mut s = String::with_capacity(rows * 104 + 128);
    s.push_str("OPERATION,NUMBER,GROUP_ID,PROVIDER,MINIAPP_ID,LOCALE,APPLICATION_TAG,NOTE\n");
    for i in 0..rows {
        let n = 12_010_000_000u64 + i as u64;
        let _ = match i % 10 {
            0 => writeln!(
                s,
                "create,+{n},ocp,twilio,,,,\"bought for campaign {i}, wave 2\""
            ),
            1..=3 => writeln!(
                s,
                "attach,+{n},,,ocp-app-{:04}.Flow.ocp,en-US,blue,attached by the bulk tool",
                i % 1000
            ),
            4 => writeln!(s, "detach,+{n},,,,,,detached: campaign over"),
            5 => writeln!(s, "delete,+{n},,,,,,released back to provider"),
            _ => writeln!(
                s,
                "update,+{n},,,,fr-FR,green,note changed on row {i} by the operations team"
            ),
        };
    }
    s
}
