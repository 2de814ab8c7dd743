//! OCP miniApp IDs: the documented shape `uuid.name.Type.group@app.group`,
//! the parts an ID names, and the miniApps an account's numbers use (OCP
//! lists no miniApps of its own).

use crate::models::ocp::NumberRecord;

// The reasons as literals, so that a CSV warning can be one static text.
macro_rules! no_at {
    () => {
        "a full miniApp ID reads uuid.name.Type.group@app.group, e.g. 3781bcc1-7c76-439b-ba26-05d22217b316.billing_ivr.Flow.ocp@billing_ivr.ocp; this one has no '@'"
    };
}
macro_rules! no_uuid {
    () => {
        "a full miniApp ID starts with a UUID (8-4-4-4-12 hex digits) and reads uuid.name.Type.group@app.group"
    };
}
macro_rules! missing_part {
    () => {
        "a full miniApp ID reads uuid.name.Type.group@app.group: name, type or group is missing"
    };
}

/// Why a miniApp ID is not of the documented shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.as_str())]
pub enum MiniAppIdError {
    /// No `@` (a name given where the full ID is wanted, say).
    NoAt,
    /// It does not start with a UUID.
    NoUuid,
    /// The name, type or group is missing.
    MissingPart,
}

impl MiniAppIdError {
    /// The reason, as `Display` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoAt => no_at!(),
            Self::NoUuid => no_uuid!(),
            Self::MissingPart => missing_part!(),
        }
    }

    /// The warning of a CSV cell with such an ID (one static text: a file
    /// can have one a row).
    pub fn cell_warning(self) -> &'static str {
        match self {
            Self::NoAt => concat!("this may not be a miniApp's full ID: ", no_at!()),
            Self::NoUuid => concat!("this may not be a miniApp's full ID: ", no_uuid!()),
            Self::MissingPart => concat!("this may not be a miniApp's full ID: ", missing_part!()),
        }
    }
}

/// What an OCP miniApp id says of its app: ids read
/// `uuid.NAME.TYPE.group@NAME.group`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MiniAppParts {
    /// The app's name (`billing_ivr`).
    pub name: String,
    /// Its type (`Flow`).
    pub kind: Option<String>,
    /// The part with the `@` (`ocp@billing_ivr`).
    pub diamant_app_name: Option<String>,
    /// Its group (`ocp`).
    pub group: Option<String>,
}

fn is_uuid(s: &str) -> bool {
    let mut groups = s.split('-').map(str::len);
    [8, 4, 4, 4, 12].iter().all(|&n| groups.next() == Some(n))
        && groups.next().is_none()
        && s.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

impl MiniAppParts {
    /// The parts of a full ID of the documented shape
    /// `uuid.name.Type.group@app.group`, or what is wrong with it.
    pub fn check(id: &str) -> Result<Self, MiniAppIdError> {
        Self::check_shape(id)?;
        Ok(Self::of(id.trim()))
    }

    /// What [`MiniAppParts::check`] finds wrong, without reading the parts
    /// out (the CSV checks run it on every row).
    pub fn check_shape(id: &str) -> Result<(), MiniAppIdError> {
        let id = id.trim();
        let at = memchr::memchr(b'@', id.as_bytes()).ok_or(MiniAppIdError::NoAt)?;
        let (left, right) = (&id[..at], &id[at + 1..]);
        let mut parts = left.split('.');
        let (Some(uuid), Some(name), Some(kind), Some(group), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(MiniAppIdError::MissingPart);
        };
        if !is_uuid(uuid) {
            return Err(MiniAppIdError::NoUuid);
        }
        if [name, kind, group].iter().any(|p| p.is_empty()) || right.is_empty() {
            return Err(MiniAppIdError::MissingPart);
        }
        Ok(())
    }

    /// Reads the parts of `id`; an id of another shape is its own name.
    pub fn of(id: &str) -> Self {
        let parts: Vec<&str> = id.split('.').collect();
        Self {
            name: parts.get(1).unwrap_or(&id).to_string(),
            kind: parts.get(2).map(|s| s.to_string()),
            diamant_app_name: parts
                .iter()
                .find(|p| p.contains('@'))
                .map(|s| s.to_string()),
            group: parts
                .last()
                .filter(|_| parts.len() > 1)
                .map(|s| s.to_string()),
        }
    }
}

/// A miniApp as the account's numbers show it (OCP lists no miniApps: the
/// numbers attached to one are where it is known from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiniApp {
    /// Its full ID.
    pub id: String,
    /// Its name, as the numbers give it (or as the ID reads).
    pub name: String,
    /// Its type.
    pub kind: Option<String>,
    /// Its group.
    pub group: Option<String>,
}

impl MiniApp {
    /// Each miniApp the numbers are attached to, once, by name then ID.
    pub fn used_by(numbers: &[NumberRecord]) -> Vec<MiniApp> {
        let mut apps: Vec<MiniApp> = numbers
            .iter()
            .filter_map(|n| {
                let id = n
                    .mini_app_id
                    .as_deref()
                    .filter(|id| !id.trim().is_empty())?;
                let parts = MiniAppParts::of(id);
                Some(MiniApp {
                    id: id.to_string(),
                    name: n.mini_app_name.clone().unwrap_or(parts.name),
                    kind: n.mini_app_type.clone().or(parts.kind),
                    group: n.mini_app_group.clone().or(parts.group),
                })
            })
            .collect();
        apps.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        apps.dedup_by(|a, b| a.id == b.id);
        apps
    }

    /// "billing_ivr — Flow, group ocp", as a picker shows it.
    pub fn label(&self) -> String {
        let mut s = self.name.clone();
        if let Some(k) = &self.kind {
            s.push_str(&format!(" — {k}"));
        }
        if let Some(g) = &self.group {
            s.push_str(&format!(", group {g}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn miniapp_ids_are_read_into_their_parts() {
        let p = MiniAppParts::of("3781bcc1-7c76-439b-ba26-05d22217b316.SND_dmt_test_app_vp.Flow.ocp-qa@SND_dmt_test_app_vp.ocp-qa");
        assert_eq!(p.name, "SND_dmt_test_app_vp");
        assert_eq!(p.kind.as_deref(), Some("Flow"));
        assert_eq!(
            p.diamant_app_name.as_deref(),
            Some("ocp-qa@SND_dmt_test_app_vp")
        );
        assert_eq!(p.group.as_deref(), Some("ocp-qa"));
        assert_eq!(MiniAppParts::of("plain").name, "plain");
        assert_eq!(MiniAppParts::of("plain").group, None);
    }

    #[test]
    fn the_documented_shape_is_checked() {
        let good = "3781bcc1-7c76-439b-ba26-05d22217b316.SND_dmt_test_app_vp.Flow.ocp-qa@SND_dmt_test_app_vp.ocp-qa";
        let p = MiniAppParts::check(good).expect("the seed's id");
        assert_eq!(
            (p.name.as_str(), p.kind.as_deref()),
            ("SND_dmt_test_app_vp", Some("Flow"))
        );
        assert_eq!(
            MiniAppParts::check("billing_ivr"),
            Err(MiniAppIdError::NoAt)
        );
        assert_eq!(
            MiniAppParts::check("test.surname_test.Numeric.MiniApps@ocp"),
            Err(MiniAppIdError::NoUuid)
        );
        assert_eq!(
            MiniAppParts::check("3781bcc1-7c76-439b-ba26-05d22217b316.x.Flow@y"),
            Err(MiniAppIdError::MissingPart)
        );
    }

    #[test]
    fn the_miniapps_in_use_are_listed_once() {
        let n = |number: &str, id: Option<&str>, name: Option<&str>| NumberRecord {
            number: number.into(),
            mini_app_id: id.map(str::to_string),
            mini_app_name: name.map(str::to_string),
            ..NumberRecord::default()
        };
        let id = "3781bcc1-7c76-439b-ba26-05d22217b316.billing_ivr.Flow.ocp@billing_ivr.ocp";
        let apps = MiniApp::used_by(&[
            n("+1", Some(id), Some("billing_ivr")),
            n("+2", None, None),
            n("+3", Some(id), None),
            n("+4", Some(""), None),
        ]);
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].label(), "billing_ivr — Flow, group ocp");
    }
}
