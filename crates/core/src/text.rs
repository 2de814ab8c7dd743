//! Words around numbers, the same in every sentence the console shows.

/// A count with its noun: "1 number", "2 numbers", "0 numbers".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A length of time as people say it: "12 s", "4 min", "2 h 5 min".
pub fn duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min", secs.div_ceil(60)),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1, "batch", "batches"), "1 batch");
        assert_eq!(count(0, "batch", "batches"), "0 batches");
        assert_eq!(count(2, "number", "numbers"), "2 numbers");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(super::duration(12), "12 s");
        assert_eq!(super::duration(61), "2 min");
        assert_eq!(super::duration(7500), "2 h 5 min");
    }
}
