//! Refused changes, recorded without letting anyone flood the history: a
//! client address gets a few entries of its own a window; what it sends
//! beyond that is counted and written as one entry when the window ends.

use std::collections::HashMap;

/// Where addresses beyond [`RefusedLimiter::MAX_CLIENTS`] are counted together.
pub const OTHER_CLIENTS: &str = "other addresses";

/// Refused requests one client sent beyond its share in one window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// The client address it came from.
    pub client: String,
    /// The start of the window, in milliseconds since 1970.
    pub from_ms: i64,
    /// The end of the window.
    pub to_ms: i64,
    /// How many refused requests were counted, not recorded one by one.
    pub requests: u64,
    /// How many targets they named in all.
    pub targets: u64,
}

#[derive(Debug, Clone)]
struct Window {
    start_ms: i64,
    recorded: u32,
    counted: u64,
    targets: u64,
}

/// Decides, per client address and window, which refused requests get an
/// entry of their own. Pure: the caller passes the time.
#[derive(Debug, Clone)]
pub struct RefusedLimiter {
    per_window: u32,
    window_ms: i64,
    windows: HashMap<String, Window>,
}

/// What to do with one refused request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Write its (compact) entry.
    Record,
    /// Count it into the client's window.
    Count,
}

impl RefusedLimiter {
    /// The most addresses followed at once (bounded memory).
    pub const MAX_CLIENTS: usize = 10_000;

    /// Records `per_window` refusals one by one per client and window of `window_ms`, and counts the rest.
    pub fn new(per_window: u32, window_ms: i64) -> Self {
        Self {
            per_window,
            window_ms: window_ms.max(1),
            windows: HashMap::new(),
        }
    }

    /// One refused request from `client` that named `targets` targets.
    /// Windows that ended are to be taken with [`Self::due`] first.
    pub fn admit(&mut self, client: &str, targets: u64, now_ms: i64) -> Admit {
        let key = if self.windows.contains_key(client) || self.windows.len() < Self::MAX_CLIENTS {
            client
        } else {
            OTHER_CLIENTS
        };
        let w = self.windows.entry(key.to_string()).or_insert(Window {
            start_ms: now_ms,
            recorded: 0,
            counted: 0,
            targets: 0,
        });
        if w.recorded < self.per_window && key != OTHER_CLIENTS {
            w.recorded += 1;
            Admit::Record
        } else {
            w.counted += 1;
            w.targets += targets;
            Admit::Count
        }
    }

    /// The windows that ended by `now_ms`: those that counted anything, to
    /// be written as one entry each. Ended windows are forgotten.
    pub fn due(&mut self, now_ms: i64) -> Vec<Counted> {
        let window_ms = self.window_ms;
        let mut out = Vec::new();
        self.windows.retain(|client, w| {
            let ended = now_ms >= w.start_ms + window_ms;
            if ended && w.counted > 0 {
                out.push(Counted {
                    client: client.clone(),
                    from_ms: w.start_ms,
                    to_ms: w.start_ms + window_ms,
                    requests: w.counted,
                    targets: w.targets,
                });
            }
            !ended
        });
        out.sort_by(|a, b| a.from_ms.cmp(&b.from_ms).then(a.client.cmp(&b.client)));
        out
    }

    /// Whether no window is open.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// Everything still counted, as if every window ended now (a stopping gateway).
    pub fn drain(&mut self) -> Vec<Counted> {
        self.due(i64::MAX / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_client_gets_its_share_then_is_counted_in_one_entry() {
        let mut l = RefusedLimiter::new(3, 60_000);
        let admitted: Vec<Admit> = (0..500).map(|i| l.admit("203.0.113.9", 2, i)).collect();
        assert_eq!(admitted.iter().filter(|a| **a == Admit::Record).count(), 3);
        assert_eq!(l.admit("198.51.100.7", 1, 600), Admit::Record);
        assert!(l.due(59_999).is_empty());
        let due = l.due(60_000);
        assert_eq!(
            due,
            [Counted {
                client: "203.0.113.9".into(),
                from_ms: 0,
                to_ms: 60_000,
                requests: 497,
                targets: 994
            }]
        );
        assert!(l.due(61_000).is_empty());
        assert_eq!(l.admit("203.0.113.9", 1, 61_000), Admit::Record);
    }

    #[test]
    fn addresses_beyond_the_bound_are_counted_together() {
        let mut l = RefusedLimiter::new(1, 1000);
        for i in 0..RefusedLimiter::MAX_CLIENTS {
            assert_eq!(l.admit(&format!("c{i}"), 0, 0), Admit::Record);
        }
        assert_eq!(l.admit("one more", 0, 0), Admit::Count);
        assert_eq!(l.admit("and another", 0, 0), Admit::Count);
        let due = l.drain();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].client, OTHER_CLIENTS);
        assert_eq!(due[0].requests, 2);
    }

    proptest! {
        /// However requests arrive, each is recorded or counted exactly
        /// once, and no client records more than its share a window.
        #[test]
        fn every_request_is_recorded_or_counted_once(
            requests in prop::collection::vec((0u8..5, 0i64..5000), 0..300),
        ) {
            let mut l = RefusedLimiter::new(4, 1000);
            let mut requests = requests;
            requests.sort_by_key(|r| r.1);
            let (mut recorded, mut counted) = (0u64, 0u64);
            let mut per_window: HashMap<(u8, i64), u32> = HashMap::new();
            let mut starts: HashMap<u8, i64> = HashMap::new();
            for (client, t) in &requests {
                counted += l.due(*t).iter().map(|c| c.requests).sum::<u64>();
                let start = *starts
                    .entry(*client)
                    .and_modify(|s| if *t >= *s + 1000 { *s = *t })
                    .or_insert(*t);
                if l.admit(&client.to_string(), 1, *t) == Admit::Record {
                    recorded += 1;
                    let n = per_window.entry((*client, start)).or_default();
                    *n += 1;
                    prop_assert!(*n <= 4);
                }
            }
            counted += l.drain().iter().map(|c| c.requests).sum::<u64>();
            prop_assert_eq!(recorded + counted, requests.len() as u64);
        }
    }
}
