//! The advanced search of `POST /api/numbers/search` as a form fills it:
//! shared by the numbers table's search and the CSV export.

use numbers_core::models::ocp::AdvancedSearch;

/// The advanced-search fields of `POST /api/numbers/search`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advanced {
    pub mini_app_name: String,
    pub mini_app_type: String,
    pub number: String,
    pub locale: String,
    pub note: String,
    pub set_id: String,
    pub groups: Vec<String>,
}

impl Advanced {
    /// The form's text fields, in the order of `from_form` and `form_values`:
    /// (id suffix, label).
    pub const FIELDS: [(&'static str, &'static str); 6] = [
        ("app", "miniApp name"),
        ("type", "miniApp type"),
        ("number", "Number contains"),
        ("locale", "Locale"),
        ("note", "Note contains"),
        ("set", "Set ID"),
    ];

    pub fn is_active(&self) -> bool {
        self != &Self::default()
    }

    /// From the form: its text fields (as `FIELDS`) and comma-separated groups.
    pub fn from_form(fields: [String; 6], groups: &str) -> Self {
        let [mini_app_name, mini_app_type, number, locale, note, set_id] =
            fields.map(|f| f.trim().to_string());
        Self {
            mini_app_name,
            mini_app_type,
            number,
            locale,
            note,
            set_id,
            groups: groups
                .split(',')
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    /// The text fields, as `FIELDS`.
    pub fn form_values(&self) -> [String; 6] {
        [
            self.mini_app_name.clone(),
            self.mini_app_type.clone(),
            self.number.clone(),
            self.locale.clone(),
            self.note.clone(),
            self.set_id.clone(),
        ]
    }

    /// As the API takes it: empty fields left out, no paging or order.
    pub fn search(&self) -> AdvancedSearch {
        let opt = |s: &String| (!s.is_empty()).then(|| s.clone());
        AdvancedSearch {
            mini_app_name: opt(&self.mini_app_name),
            mini_app_type: opt(&self.mini_app_type),
            number: opt(&self.number),
            locale: opt(&self.locale),
            note: opt(&self.note),
            set_id: opt(&self.set_id),
            groups: (!self.groups.is_empty()).then(|| self.groups.clone()),
            ..Default::default()
        }
    }
}
