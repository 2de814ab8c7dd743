//! Huawei cloud-phone traffic rules, and its access-key signatures.

pub mod signing;

use std::collections::HashSet;

use crate::models::huawei::{TrafficRequest, MAX_PHONE_IDS_PER_REQUEST};

/// Phone ids from pasted text or a list: trimmed, de-duplicated, order kept.
pub fn normalise_phone_ids<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for id in ids {
        for part in id
            .as_ref()
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        {
            let part = part.trim();
            if !part.is_empty() && seen.insert(part.to_string()) {
                out.push(part.to_string());
            }
        }
    }
    out
}

/// Whether `id` can be a cloud phone's ID: 32 hexadecimal digits, as the
/// documented examples (`631056bfb66b4f4ea02ba25f04830cb4`).
pub fn is_phone_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The ids of a list that cannot be cloud phone IDs, in list order.
pub fn invalid_phone_ids(ids: &[String]) -> Vec<&str> {
    ids.iter()
        .map(String::as_str)
        .filter(|id| !is_phone_id(id))
        .collect()
}

/// Splits phone ids into requests of at most 100, after de-duplication.
pub fn chunk_phone_ids<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> Vec<Vec<String>> {
    normalise_phone_ids(ids)
        .chunks(MAX_PHONE_IDS_PER_REQUEST)
        .map(<[String]>::to_vec)
        .collect()
}

/// Why a traffic request breaks the documented rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrafficError {
    #[error("phone_ids is empty: give at least one cloud phone id")]
    /// No phone id.
    Empty,
    #[error("phone_ids has {0} ids; at most {MAX_PHONE_IDS_PER_REQUEST} can be invoked at a time")]
    /// More phone ids than one request may carry (how many).
    TooMany(usize),
}

impl TrafficError {
    /// A Huawei-style error code for the error body.
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::Empty => "CPS.0001",
            Self::TooMany(_) => "CPS.0005",
        }
    }
}

/// Checks a traffic diversion as Huawei would before sending it.
pub fn validate_traffic(r: &TrafficRequest) -> Result<(), TrafficError> {
    match r.phone_ids.len() {
        0 => Err(TrafficError::Empty),
        n if n > MAX_PHONE_IDS_PER_REQUEST => Err(TrafficError::TooMany(n)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_ids_are_32_hex_digits() {
        assert!(is_phone_id("631056bfb66b4f4ea02ba25f04830cb4"));
        assert!(!is_phone_id("631056bfb66b4f4ea02ba25f04830cb"));
        assert!(!is_phone_id("phone-0001"));
        let ids = vec![
            "631056bfb66b4f4ea02ba25f04830cb4".to_string(),
            "no-such".to_string(),
        ];
        assert_eq!(invalid_phone_ids(&ids), vec!["no-such"]);
    }
    use proptest::prelude::*;

    #[test]
    fn chunks_of_at_most_100() {
        let ids: Vec<String> = (0..250).map(|i| format!("phone{i}")).collect();
        let chunks = chunk_phone_ids(&ids);
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![100, 100, 50]
        );
        assert_eq!(chunks[2][49], "phone249");
    }

    #[test]
    fn pasted_text_is_split_trimmed_and_deduplicated() {
        assert_eq!(
            normalise_phone_ids(["a, b\n a;c", " b "]),
            vec!["a", "b", "c"]
        );
    }

    #[test]
    fn requests_are_checked() {
        let r = |n: usize| TrafficRequest {
            phone_ids: (0..n).map(|i| i.to_string()).collect(),
            ..Default::default()
        };
        assert_eq!(validate_traffic(&r(0)), Err(TrafficError::Empty));
        assert_eq!(validate_traffic(&r(100)), Ok(()));
        assert_eq!(validate_traffic(&r(101)), Err(TrafficError::TooMany(101)));
    }

    proptest! {
        #[test]
        fn every_unique_id_lands_in_exactly_one_chunk(ids in proptest::collection::vec("[a-f0-9]{1,4}", 0..400)) {
            let chunks = chunk_phone_ids(&ids);
            let unique: HashSet<&String> = ids.iter().collect();
            let flat: Vec<&String> = chunks.iter().flatten().collect();
            prop_assert_eq!(flat.len(), unique.len());
            prop_assert!(chunks.iter().all(|c| !c.is_empty() && c.len() <= MAX_PHONE_IDS_PER_REQUEST));
            prop_assert_eq!(chunks.len(), unique.len().div_ceil(MAX_PHONE_IDS_PER_REQUEST));
        }
    }
}
