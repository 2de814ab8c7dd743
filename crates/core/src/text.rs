//! Words around numbers, the same in every sentence the console shows.

/// A count with its noun: "1 number", "2 numbers", "0 numbers".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
}
