use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use proptest::prelude::*;

use super::*;

/// A zone's offsets from 2025 to 2040, read from the time-zone database
/// (as the gateway does for the console and its scheduler).
fn zone(name: &str) -> Zone {
    Zone::named(name, 1_735_689_600_000, 2_208_988_800_000).expect("a zone")
}

fn ms(name: &str, y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
    let tz = TimeZone::get(name).expect("zone");
    tz.to_timestamp(date(y, m, d).at(h, min, 0, 0))
        .expect("time")
        .as_millisecond()
}

/// The wall-clock time at `t` as the database says: (weekday from Monday
/// = 0, minute of the day).
fn wall(name: &str, t: i64) -> (u8, i64) {
    let tz = TimeZone::get(name).expect("zone");
    let dt = tz.to_datetime(Timestamp::from_millisecond(t).expect("instant"));
    (
        dt.weekday().to_monday_zero_offset() as u8,
        i64::from(dt.hour()) * 60 + i64::from(dt.minute()),
    )
}

fn inside(w: &Window, zone: &str, t: i64) -> bool {
    let (day, minute) = wall(zone, t);
    w.days & (1 << day) != 0 && (i64::from(w.start_min)..i64::from(w.end_min)).contains(&minute)
}

/// Every instant from `from` to `to` at which the window could open, as
/// the database says: each day's start time (both, where it happens
/// twice) and each change of the zone's offset.
fn openings(name: &str, w: &Window, from: i64, to: i64) -> Vec<i64> {
    use jiff::tz::AmbiguousOffset;
    let tz = TimeZone::get(name).expect("zone");
    let mut out = Vec::new();
    let mut day = tz
        .to_datetime(Timestamp::from_millisecond(from).expect("instant"))
        .date();
    let last = tz
        .to_datetime(Timestamp::from_millisecond(to).expect("instant"))
        .date();
    while day <= last {
        let dt = day.at((w.start_min / 60) as i8, (w.start_min % 60) as i8, 0, 0);
        let civil = TimeZone::UTC
            .to_timestamp(dt)
            .expect("utc")
            .as_millisecond();
        let at = |o: jiff::tz::Offset| civil - i64::from(o.seconds()) * 1000;
        match tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => out.push(at(offset)),
            AmbiguousOffset::Gap { before, .. } => out.push(at(before)),
            AmbiguousOffset::Fold { before, after } => out.extend([at(before), at(after)]),
        }
        day = day.tomorrow().expect("a day");
    }
    out.extend(
        tz.following(Timestamp::from_millisecond(from).expect("instant"))
            .map(|t| t.timestamp().as_millisecond())
            .take_while(|&t| t < to),
    );
    out
}

fn steps(c: &Calendar, first: i64, n: usize) -> Vec<i64> {
    let mut out = vec![c.earliest(first)];
    while out.len() < n {
        let last = *out.last().expect("a step");
        out.push(c.after(last));
    }
    out
}

#[test]
fn the_zone_reads_wall_clocks_as_the_database_does() {
    let athens = zone("Europe/Athens");
    for (y, m, d, h, min) in [
        (2027, 3, 28, 2, 59),
        (2027, 3, 28, 3, 30),  // in the gap: 04:30 EEST
        (2027, 10, 31, 3, 30), // twice: the first
        (2027, 7, 1, 12, 0),
    ] {
        let local = date(y, m, d).at(h, min, 0, 0);
        let local_ms = jiff::tz::TimeZone::UTC
            .to_timestamp(local)
            .expect("utc")
            .as_millisecond();
        assert_eq!(
            athens.utc(local_ms),
            ms("Europe/Athens", y, m, d, h, min),
            "{local}"
        );
    }
}

#[test]
fn a_window_across_the_clock_change_gets_one_step_an_hour_of_real_time() {
    let name = "Europe/Athens";
    let c = Calendar {
        interval_ms: 3_600_000,
        window: Some(Window {
            days: EVERY_DAY,
            start_min: 60,
            end_min: 5 * 60,
        }),
        zone: zone(name),
    };
    let on = |y, m, d| {
        let start = ms(name, y, m, d, 0, 0);
        let end = ms(name, y, m, d, 12, 0);
        steps(&c, start, 12)
            .into_iter()
            .filter(|t| (start..end).contains(t))
            .map(|t| wall(name, t).1 / 60)
            .collect::<Vec<_>>()
    };
    // Clocks go 03:00 -> 04:00: three real hours in 01:00-05:00.
    assert_eq!(on(2027, 3, 28), [1, 2, 4]);
    // Clocks go 04:00 -> 03:00: five real hours; 03:00 comes twice.
    assert_eq!(on(2027, 10, 31), [1, 2, 3, 3, 4]);
    // Any other day: four.
    assert_eq!(on(2027, 6, 1), [1, 2, 3, 4]);
}

#[test]
fn nights_and_weekends_wait_for_the_next_opening() {
    let name = "Europe/Athens";
    let c = Calendar {
        interval_ms: 2 * 3_600_000,
        window: Some(Window {
            days: WEEKDAYS,
            start_min: 9 * 60,
            end_min: 17 * 60,
        }),
        zone: zone(name),
    };
    // Friday 2027-06-04 16:30: the next step is Monday 09:00.
    let friday = ms(name, 2027, 6, 4, 16, 30);
    assert_eq!(c.after(friday), ms(name, 2027, 6, 7, 9, 0));
    assert_eq!(c.earliest(friday), friday);
    let plan = timeline(
        &Router::new(60, 20, true).expect("router"),
        End::Complete,
        &c,
        friday,
        10,
    );
    let shares: Vec<u8> = plan.iter().map(|p| p.weights.target()).collect();
    assert_eq!(shares, [60, 80, 100, 100]);
    assert!(plan[3].completes);
    assert!(!plan[0].waited && plan[1].waited && !plan[2].waited);
    assert_eq!(plan[1].at_ms, ms(name, 2027, 6, 7, 9, 0));
}

#[test]
fn a_plan_holds_or_completes_and_refuses_what_cannot_run() {
    let r = Router::new(70, 10, true).expect("router");
    assert_eq!(next_action(&r, End::HoldAt { target: 50 }), Action::Step);
    let held = Router::new(50, 10, true).expect("router");
    assert_eq!(next_action(&held, End::HoldAt { target: 50 }), Action::Done);
    let all = Router::new(0, 10, true).expect("router");
    assert_eq!(next_action(&all, End::Complete), Action::Complete);
    assert_eq!(
        End::HoldAt { target: 30 }.check(&r),
        Err(PlanError::AlreadyThere { hold: 30, now: 30 })
    );
    assert_eq!(
        End::Complete.check(&Router::new(70, 0, true).expect("router")),
        Err(PlanError::NoStep)
    );
    let plan = timeline(
        &r,
        End::HoldAt { target: 55 },
        &calendar_every(60_000),
        0,
        100,
    );
    assert_eq!(
        plan.iter().map(|p| p.weights.target()).collect::<Vec<_>>(),
        [40, 50, 60]
    );
    assert_eq!(
        Window {
            days: 0,
            start_min: 0,
            end_min: 60
        }
        .check(),
        Err(PlanError::NoDays)
    );
    assert_eq!(
        Window {
            days: 1,
            start_min: 60,
            end_min: 60
        }
        .check(),
        Err(PlanError::Hours)
    );
}

fn calendar_every(interval_ms: i64) -> Calendar {
    Calendar {
        interval_ms,
        window: None,
        zone: Zone::fixed("UTC", 0),
    }
}

#[test]
fn someone_elses_change_is_told_and_the_plans_own_lost_step_is_not_repeated() {
    let left = Expected {
        router: Router::new(70, 10, true).expect("router"),
        target_app: "app-2".into(),
    };
    assert_eq!(read(&left, &left.router, "app-2"), Reading::AsLeft);
    assert_eq!(
        read(&left, &left.router.next_step(), "app-2"),
        Reading::StepAlreadyApplied
    );
    let Reading::Changed(why) = read(
        &left,
        &left.router.set_weight(40).expect("w").disable(),
        "app-2",
    ) else {
        panic!("a change");
    };
    let why = why.plain();
    assert!(
        why.contains("40/60") && why.contains("70/30") && why.contains("disabled"),
        "{why}"
    );
    let Reading::Changed(why) = read(&left, &left.router, "<!channel>") else {
        panic!("a change");
    };
    assert!(why.plain().contains("the target is <!channel>;"), "{why:?}");
    assert!(
        why.render(crate::chat::Markup::Slack)
            .contains("the target is `&lt;!channel&gt;`;"),
        "{why:?}"
    );
}

const ZONES: [&str; 7] = [
    "Europe/Athens",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Santiago",
    "UTC",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the zone, window and interval: every step lies inside the
    /// window (as the time-zone database reads the wall clock), steps are
    /// at least an interval apart, and none is skipped: each falls an
    /// interval after the last, or, if the window was closed then, at the
    /// first moment it is open again.
    #[test]
    fn steps_keep_to_the_window_and_the_interval(
        zone_name in prop::sample::select(ZONES.to_vec()),
        start in 1_767_225_600_000i64..1_861_920_000_000, // 2026..2029
        interval_min in prop_oneof![1i64..90, 90i64..1440],
        days in 1u8..=127,
        start_min in 0u16..1380,
        length in 30u16..1440,
    ) {
        let window = Window { days, start_min, end_min: (start_min + length).min(1440) };
        let c = Calendar { interval_ms: interval_min * 60_000, window: Some(window), zone: zone(zone_name) };
        let all = steps(&c, start, 150);
        for pair in all.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            prop_assert!(b - a >= c.interval_ms, "{a} {b}");
            let due = a + c.interval_ms;
            if b != due {
                prop_assert!(!inside(&window, zone_name, due));
                // The window can open only when a day's start time comes
                // (once, or twice when the clocks turn back) or when the
                // clocks jump: none of those between the due time and the
                // step may be inside.
                for x in openings(zone_name, &window, due, b) {
                    prop_assert!(!(x > due && x < b && inside(&window, zone_name, x)), "open at {x} before {b}");
                }
            }
        }
        for t in &all {
            prop_assert!(inside(&window, zone_name, *t), "{t} outside the window");
        }
    }

    /// Without a window, steps are exactly an interval apart, whatever the zone.
    #[test]
    fn without_a_window_steps_are_an_interval_apart(
        start in 0i64..4_000_000_000_000,
        interval in 1i64..100_000_000,
    ) {
        let c = calendar_every(interval);
        let all = steps(&c, start, 20);
        prop_assert!(all.windows(2).all(|p| p[1] - p[0] == interval));
    }
}

#[test]
fn an_end_is_written_and_read_back_as_tagged_json() {
    for end in [End::HoldAt { target: 70 }, End::Complete] {
        let text = serde_json::to_string(&end).expect("an end is written");
        assert_eq!(serde_json::from_str::<End>(&text).ok(), Some(end));
    }
    assert_eq!(
        serde_json::to_string(&End::HoldAt { target: 70 })
            .ok()
            .as_deref(),
        Some(r#"{"kind":"hold_at","target":70}"#)
    );
    // Fields in any order, others ignored, as serde's tagged enums read.
    let read = |t: &str| serde_json::from_str::<End>(t).ok();
    assert_eq!(
        read(r#"{"target":40,"note":"x","kind":"hold_at"}"#),
        Some(End::HoldAt { target: 40 })
    );
    assert_eq!(read(r#"{"kind":"complete","note":1}"#), Some(End::Complete));
    assert_eq!(read(r#"{"kind":"hold_at"}"#), None);
    assert_eq!(read(r#"{"kind":"later","target":40}"#), None);
    assert_eq!(read(r#"{"target":40}"#), None);
}
