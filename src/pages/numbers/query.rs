//! The numbers view's state as a URL query, so a view can be bookmarked and
//! the back button works: `?page=2&size=100&q=billing&sort=note&dir=DESC`,
//! plus the advanced-search fields when used.

use numbers_core::models::ocp::{AdvancedSearch, Direction, ListNumbersQuery, OrderBy};

use crate::components::pager::PAGE_SIZES;

pub const DEFAULT_PAGE_SIZE: u32 = 50;

pub use crate::api::search::Advanced;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableQuery {
    pub page: u32,
    pub page_size: u32,
    pub search: String,
    pub order_by: OrderBy,
    pub direction: Direction,
    pub advanced: Advanced,
}

impl Default for TableQuery {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
            search: String::new(),
            order_by: OrderBy::None,
            direction: Direction::Asc,
            advanced: Advanced::default(),
        }
    }
}

/// The URL keys of the advanced fields.
const ADVANCED_KEYS: [&str; 7] = ["app", "type", "number", "locale", "note", "set", "groups"];

impl TableQuery {
    /// Reads the query; anything malformed falls back to its default.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let d = Self::default();
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).unwrap_or_default();
        Self {
            page: get("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(d.page),
            page_size: get("size")
                .and_then(|p| p.parse().ok())
                .filter(|p| PAGE_SIZES.contains(p))
                .unwrap_or(d.page_size),
            search: text("q"),
            order_by: get("sort")
                .and_then(|s| OrderBy::parse(&s))
                .unwrap_or(d.order_by),
            direction: get("dir")
                .and_then(|s| Direction::parse(&s))
                .unwrap_or(d.direction),
            advanced: Advanced {
                mini_app_name: text("app"),
                mini_app_type: text("type"),
                number: text("number"),
                locale: text("locale"),
                note: text("note"),
                set_id: text("set"),
                groups: text("groups")
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_string)
                    .collect(),
            },
        }
    }

    /// The query string (with its `?`), defaults left out.
    pub fn to_query(&self) -> String {
        let d = Self::default();
        let mut parts: Vec<(&str, String)> = Vec::new();
        if self.page != d.page {
            parts.push(("page", self.page.to_string()));
        }
        if self.page_size != d.page_size {
            parts.push(("size", self.page_size.to_string()));
        }
        if !self.search.is_empty() {
            parts.push(("q", self.search.clone()));
        }
        if self.order_by != d.order_by {
            parts.push(("sort", self.order_by.as_str().to_string()));
        }
        if self.direction != d.direction {
            parts.push(("dir", self.direction.as_str().to_string()));
        }
        let a = &self.advanced;
        let values = [
            &a.mini_app_name,
            &a.mini_app_type,
            &a.number,
            &a.locale,
            &a.note,
            &a.set_id,
            &a.groups.join(","),
        ];
        for (key, value) in ADVANCED_KEYS.iter().zip(values) {
            if !value.is_empty() {
                parts.push((key, value.clone()));
            }
        }
        if parts.is_empty() {
            return String::new();
        }
        let encoded: Vec<String> = parts
            .into_iter()
            .map(|(k, v)| format!("{k}={}", String::from(js_sys::encode_uri_component(&v))))
            .collect();
        format!("?{}", encoded.join("&"))
    }

    /// A click on a sortable header: a new column sorts ascending; the
    /// current one flips direction. Either way back to page 1.
    pub fn sorted_by(&self, order_by: OrderBy) -> Self {
        let direction = if self.order_by == order_by {
            self.direction.flipped()
        } else {
            Direction::Asc
        };
        Self {
            order_by,
            direction,
            page: 1,
            ..self.clone()
        }
    }

    pub fn list_query(&self) -> ListNumbersQuery {
        ListNumbersQuery {
            page: Some(self.page),
            page_size: Some(self.page_size),
            search_term: (!self.search.is_empty()).then(|| self.search.clone()),
            order_by: Some(self.order_by),
            direction: Some(self.direction),
        }
    }

    /// The advanced search as the API takes it; `paged` false for exports.
    pub fn advanced_search(&self, paged: bool) -> AdvancedSearch {
        let search = self.advanced.search();
        // A basic search term goes to the number or the note field.
        let (term_number, term_note) = match self.search.as_str() {
            "" => (None, None),
            t if t.chars().all(|c| c.is_ascii_digit() || c == '+') => (Some(t.to_string()), None),
            t => (None, Some(t.to_string())),
        };
        AdvancedSearch {
            number: search.number.or(term_number),
            note: search.note.or(term_note),
            page: paged.then_some(self.page),
            page_size: paged.then_some(self.page_size),
            order_by: Some(self.order_by.as_str().to_string()),
            direction: Some(self.direction.as_str().to_string()),
            ..search
        }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn parse(query: &str) -> TableQuery {
        let map: HashMap<String, String> = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from(js_sys::decode_uri_component(v).expect("decodes")),
                )
            })
            .collect();
        TableQuery::from_params(|k| map.get(k).cloned())
    }

    #[wasm_bindgen_test]
    fn defaults_make_an_empty_query() {
        assert_eq!(TableQuery::default().to_query(), "");
        assert_eq!(parse(""), TableQuery::default());
    }

    #[wasm_bindgen_test]
    fn every_field_round_trips_through_the_url() {
        let q = TableQuery {
            page: 3,
            page_size: 100,
            search: "billing & co/ +1".into(),
            order_by: OrderBy::MiniappType,
            direction: Direction::Desc,
            advanced: Advanced {
                mini_app_name: "ivr".into(),
                locale: "en-US".into(),
                groups: vec!["ocp".into(), "ocp-qa".into()],
                ..Advanced::default()
            },
        };
        let url = q.to_query();
        assert!(
            url.starts_with(
                "?page=3&size=100&q=billing%20%26%20co%2F%20%2B1&sort=miniapp-type&dir=DESC"
            ),
            "{url}"
        );
        assert_eq!(parse(&url), q);
    }

    #[wasm_bindgen_test]
    fn malformed_values_fall_back_to_defaults() {
        let q = parse("?page=0&size=7&sort=colour&dir=sideways");
        assert_eq!(q, TableQuery::default());
    }

    #[wasm_bindgen_test]
    fn sorting_flips_the_current_column_and_resets_the_page() {
        let q = TableQuery {
            page: 4,
            ..TableQuery::default()
        };
        let by_note = q.sorted_by(OrderBy::Note);
        assert_eq!(
            (by_note.order_by, by_note.direction, by_note.page),
            (OrderBy::Note, Direction::Asc, 1)
        );
        assert_eq!(by_note.sorted_by(OrderBy::Note).direction, Direction::Desc);
        assert_eq!(
            by_note
                .sorted_by(OrderBy::Note)
                .sorted_by(OrderBy::Number)
                .direction,
            Direction::Asc
        );
    }

    #[wasm_bindgen_test]
    fn a_basic_term_searches_numbers_or_notes() {
        let digits = TableQuery {
            search: "+1201".into(),
            ..TableQuery::default()
        }
        .advanced_search(false);
        assert_eq!(
            (
                digits.number.as_deref(),
                digits.note.as_deref(),
                digits.page
            ),
            (Some("+1201"), None, None)
        );
        let words = TableQuery {
            search: "hotline".into(),
            ..TableQuery::default()
        }
        .advanced_search(true);
        assert_eq!(
            (words.number, words.note.as_deref(), words.page),
            (None, Some("hotline"), Some(1))
        );
    }

    #[wasm_bindgen_test]
    fn the_form_reads_trimmed_fields_and_groups_and_searches_only_filled_ones() {
        let a = Advanced::from_form(
            [" billing ", "", "+1201", "", "", " set-1"].map(String::from),
            " ocp, ,ocp-qa ",
        );
        assert_eq!(a.form_values()[0], "billing");
        assert_eq!(a.groups, vec!["ocp".to_string(), "ocp-qa".to_string()]);
        let s = a.search();
        assert_eq!(
            (
                s.mini_app_name.as_deref(),
                s.mini_app_type,
                s.number.as_deref()
            ),
            (Some("billing"), None, Some("+1201"))
        );
        assert_eq!(
            (s.set_id.as_deref(), s.page, s.order_by),
            (Some("set-1"), None, None)
        );
        assert_eq!(
            Advanced::from_form(Default::default(), " , ").search(),
            AdvancedSearch::default()
        );
    }
}
