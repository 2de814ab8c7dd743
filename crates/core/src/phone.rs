//! Phone numbers (E.164) and locales (`pd-XY`).

use std::collections::HashSet;
use std::fmt;

/// Why a text is not an E.164 number, each with the fix a person can make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the number is empty")]
    /// Nothing given.
    Empty,
    #[error(
        "\"{0}\" has spaces, dashes, dots or brackets: write it as + and digits only, e.g. {1}"
    )]
    /// Spaces, dashes or brackets inside (the number, its cleaned form).
    Separators(String, String),
    #[error("\"{0}\" lacks the leading +: write + and the country code first, e.g. +{1}")]
    /// No leading `+` (the number, its form with one).
    MissingPlus(String, String),
    #[error("\"{0}\" starts with 00: replace the 00 by +, e.g. +{1}")]
    /// An international prefix (`00`) instead of `+` (the number, its E.164 form).
    InternationalPrefix(String, String),
    #[error("\"{0}\" has a country code starting with 0: no country code does; check the number")]
    /// A country code cannot start with 0.
    LeadingZero(String),
    #[error("\"{0}\" has {1} digits: an E.164 number has 8 to 15 after the +")]
    /// Too short or too long (the number, its digit count).
    Length(String, usize),
    #[error("\"{0}\" has characters other than + and digits")]
    /// Characters that are not digits.
    Characters(String),
}

/// Checks that `s` is `+` then 8 to 15 digits, the first not 0.
pub fn validate_e164(s: &str) -> Result<(), PhoneError> {
    let b = s.as_bytes();
    // The hot path (a valid number) costs one pass and no allocation.
    if b.len() >= 9
        && b.len() <= 16
        && b[0] == b'+'
        && b[1] != b'0'
        && b[1..].iter().all(u8::is_ascii_digit)
    {
        return Ok(());
    }
    Err(diagnose(s))
}

fn diagnose(s: &str) -> PhoneError {
    let t = s.trim();
    if t.is_empty() {
        return PhoneError::Empty;
    }
    let is_sep = |c: char| matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}');
    if t.chars()
        .any(|c| !(c.is_ascii_digit() || c == '+' || is_sep(c)))
    {
        return PhoneError::Characters(s.to_string());
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let plus = t.starts_with('+');
    if t.chars().any(is_sep) || t != s {
        let suggestion = if plus {
            format!("+{digits}")
        } else {
            suggest(&digits)
        };
        return PhoneError::Separators(s.to_string(), suggestion);
    }
    if t.matches('+').count() > 1 || (t.contains('+') && !plus) {
        return PhoneError::Characters(s.to_string());
    }
    if !plus {
        if let Some(rest) = digits.strip_prefix("00") {
            return PhoneError::InternationalPrefix(s.to_string(), rest.to_string());
        }
        return PhoneError::MissingPlus(s.to_string(), digits);
    }
    if digits.starts_with('0') {
        return PhoneError::LeadingZero(s.to_string());
    }
    PhoneError::Length(s.to_string(), digits.len())
}

fn suggest(digits: &str) -> String {
    match digits.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => format!("+{digits}"),
    }
}

/// A pasted list of numbers, split, trimmed, de-duplicated in order, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedNumbers {
    /// Valid numbers, first occurrence order.
    pub valid: Vec<String>,
    /// Entries that are not E.164 numbers, with the reason.
    pub invalid: Vec<(String, PhoneError)>,
    /// How many repeated entries were dropped.
    pub duplicates: usize,
}

/// Splits pasted text on newlines, commas, semicolons and white space.
///
/// Splitting on spaces means `+1 201 555 0100` becomes four entries; that is
/// reported (each piece is invalid) rather than guessed at.
pub fn normalise_list(text: &str) -> CheckedNumbers {
    let mut seen = HashSet::new();
    let mut out = CheckedNumbers::default();
    for entry in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        if !seen.insert(entry) {
            out.duplicates += 1;
            continue;
        }
        match validate_e164(entry) {
            Ok(()) => out.valid.push(entry.to_string()),
            Err(e) => out.invalid.push((entry.to_string(), e)),
        }
    }
    out
}

/// Checks a number prefix to search for (`^\+?\d*$`, as the seed documents).
pub fn validate_prefix(prefix: &str) -> Result<(), String> {
    let digits = prefix.strip_prefix('+').unwrap_or(prefix);
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "prefix \"{prefix}\" must be digits, optionally after a leading +"
        ))
    }
}

/// Why a locale is not of the form `pd-XY`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LocaleError(pub String);

impl fmt::Display for LocaleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" is not a locale: write two lower-case letters, a dash and two capitals, e.g. en-US",
            self.0
        )
    }
}

/// Checks the documented locale format `pd-XY` (e.g. `en-US`).
pub fn validate_locale(s: &str) -> Result<(), LocaleError> {
    let b = s.as_bytes();
    let ok = b.len() == 5
        && b[0].is_ascii_lowercase()
        && b[1].is_ascii_lowercase()
        && b[2] == b'-'
        && b[3].is_ascii_uppercase()
        && b[4].is_ascii_uppercase();
    if ok {
        Ok(())
    } else {
        Err(LocaleError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_e164() {
        for n in [
            "+12012049893",
            "+442071838750",
            "+919176226528",
            "+35312345",
        ] {
            assert_eq!(validate_e164(n), Ok(()), "{n}");
        }
    }

    #[test]
    fn explains_common_mistakes() {
        assert_eq!(
            validate_e164("+1 201-204-9893"),
            Err(PhoneError::Separators(
                "+1 201-204-9893".into(),
                "+12012049893".into()
            ))
        );
        assert_eq!(
            validate_e164("12012049893"),
            Err(PhoneError::MissingPlus(
                "12012049893".into(),
                "12012049893".into()
            ))
        );
        assert_eq!(
            validate_e164("0044207183875"),
            Err(PhoneError::InternationalPrefix(
                "0044207183875".into(),
                "44207183875".into()
            ))
        );
        assert_eq!(
            validate_e164("+0123456789"),
            Err(PhoneError::LeadingZero("+0123456789".into()))
        );
        assert_eq!(
            validate_e164("+1234567"),
            Err(PhoneError::Length("+1234567".into(), 7))
        );
        assert_eq!(
            validate_e164("+1234567890123456"),
            Err(PhoneError::Length("+1234567890123456".into(), 16))
        );
        assert_eq!(validate_e164(""), Err(PhoneError::Empty));
        assert_eq!(
            validate_e164("+1201abc9893"),
            Err(PhoneError::Characters("+1201abc9893".into()))
        );
        assert_eq!(
            validate_e164("+1201+2049893"),
            Err(PhoneError::Characters("+1201+2049893".into()))
        );
        assert!(validate_e164(" +12012049893").is_err());
    }

    #[test]
    fn messages_say_what_to_do() {
        let msg = validate_e164("(201) 204-9893").unwrap_err().to_string();
        assert!(msg.contains("+ and digits only"), "{msg}");
    }

    #[test]
    fn normalises_pasted_lists() {
        let list =
            normalise_list("+12012049893\n+12012049894, +12012049893;\t+12012049895\r\n\n 12345 ");
        assert_eq!(
            list.valid,
            vec!["+12012049893", "+12012049894", "+12012049895"]
        );
        assert_eq!(list.duplicates, 1);
        assert_eq!(list.invalid.len(), 1);
        assert_eq!(list.invalid[0].0, "12345");
    }

    #[test]
    fn prefixes() {
        for ok in ["", "+", "+38", "1415"] {
            assert!(validate_prefix(ok).is_ok(), "{ok}");
        }
        for bad in ["+1a", "++1", "1 4", "-1"] {
            assert!(validate_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locales() {
        assert!(validate_locale("en-US").is_ok());
        assert!(validate_locale("ee-DO").is_ok());
        for bad in ["en_US", "EN-us", "en-USA", "e-US", "", "en-U5"] {
            assert!(validate_locale(bad).is_err(), "{bad}");
        }
        assert!(LocaleError("x".into()).to_string().contains("en-US"));
    }

    proptest! {
        #[test]
        fn any_plus_and_8_to_15_digits_not_starting_with_0_is_valid(first in 1u8..=9, rest in "[0-9]{7,14}") {
            let n = format!("+{first}{rest}");
            prop_assert_eq!(validate_e164(&n), Ok(()));
        }

        #[test]
        fn validation_never_panics(s in "\\PC*") {
            let _ = validate_e164(&s);
            let _ = normalise_list(&s);
        }

        #[test]
        fn normalised_lists_have_no_duplicates(entries in proptest::collection::vec("\\+[1-9][0-9]{7,10}", 0..30)) {
            let list = normalise_list(&entries.join("\n"));
            let unique: HashSet<_> = list.valid.iter().collect();
            prop_assert_eq!(unique.len(), list.valid.len());
            prop_assert_eq!(list.valid.len() + list.duplicates, entries.len());
        }
    }
}
