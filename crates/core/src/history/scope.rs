//! Who may read an entry: the provider's own boundary around what it
//! touched. OCP shows a number only to users of its group, Exotel an
//! allocation only to its tenant's key, Huawei a phone only to a token of
//! its project; the history shows an entry only to a reader whose
//! credential the provider lets see all of it.

use std::collections::BTreeSet;

/// The boundary an entry lies in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Anyone the environment accepts: entries that hold nothing of any
    /// group, tenant or project (a refused request's compact entry).
    Environment,
    /// OCP: the groups of the numbers, sets and routers it touched.
    Groups(BTreeSet<String>),
    /// Exotel: the tenant (account sid) it was made in.
    Tenant(String),
    /// Huawei: the project it was made in.
    Project(String),
    /// OCP, where the groups could not be learned (the provider did not
    /// answer): only a reader of every group the gateway knows sees it.
    Unknown,
}

impl Scope {
    /// The groups of OCP targets; none learned is [`Scope::Unknown`].
    pub fn groups<I, S>(groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let set: BTreeSet<String> = groups
            .into_iter()
            .map(Into::into)
            .filter(|g| !g.is_empty())
            .collect();
        if set.is_empty() {
            Self::Unknown
        } else {
            Self::Groups(set)
        }
    }

    /// How the scope is stored: one text, equal for equal scopes.
    pub fn key(&self) -> String {
        match self {
            Self::Environment => "environment".into(),
            Self::Groups(g) => format!(
                "groups:{}",
                serde_json::to_string(g).unwrap_or_else(|_| "[]".into())
            ),
            Self::Tenant(t) => format!("tenant:{t}"),
            Self::Project(p) => format!("project:{p}"),
            Self::Unknown => "unknown".into(),
        }
    }

    /// The scope a stored key stands for; `None` for a key this version
    /// does not know (such an entry is shown to nobody).
    pub fn parse(key: &str) -> Option<Self> {
        match key.split_once(':') {
            None if key == "environment" => Some(Self::Environment),
            None if key == "unknown" => Some(Self::Unknown),
            Some(("groups", g)) => {
                let groups: BTreeSet<String> = serde_json::from_str(g).ok()?;
                (!groups.is_empty()).then_some(Self::Groups(groups))
            }
            Some(("tenant", t)) if !t.is_empty() => Some(Self::Tenant(t.into())),
            Some(("project", p)) if !p.is_empty() => Some(Self::Project(p.into())),
            _ => None,
        }
    }
}

/// What one reader's credential may see, as the provider answered for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// OCP groups the provider lets the reader see.
    pub groups: BTreeSet<String>,
    /// The Exotel tenant the reader's key was checked against.
    pub tenant: Option<String>,
    /// The Huawei project the reader's token is scoped to.
    pub project: Option<String>,
    /// Whether the reader sees every group the gateway knows of.
    pub every_known_group: bool,
}

impl Coverage {
    /// Whether this reader may see what `scope` holds.
    pub fn covers(&self, scope: &Scope) -> bool {
        match scope {
            Scope::Environment => true,
            Scope::Groups(g) => g.is_subset(&self.groups),
            Scope::Tenant(t) => self.tenant.as_ref() == Some(t),
            Scope::Project(p) => self.project.as_ref() == Some(p),
            Scope::Unknown => self.every_known_group,
        }
    }

    /// Of the stored scope keys, those this reader may see.
    pub fn visible<'a>(&self, keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        keys.into_iter()
            .filter(|k| Scope::parse(k).is_some_and(|s| self.covers(&s)))
            .map(str::to_string)
            .collect()
    }
}

/// The groups named by scope keys: the groups the gateway knows of.
pub fn known_groups<'a>(keys: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    keys.into_iter()
        .filter_map(Scope::parse)
        .flat_map(|s| match s {
            Scope::Groups(g) => g.into_iter().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn coverage(groups: &[&str]) -> Coverage {
        Coverage {
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Coverage::default()
        }
    }

    #[test]
    fn a_reader_sees_an_entry_only_within_all_of_its_groups() {
        let member = coverage(&["ocp-qa"]);
        let owner = coverage(&["ocp", "ocp-qa"]);
        let qa = Scope::groups(["ocp-qa"]);
        let both = Scope::groups(["ocp-qa", "ocp", "ocp"]);
        assert!(member.covers(&qa) && owner.covers(&qa));
        assert!(!member.covers(&both) && owner.covers(&both));
        assert!(member.covers(&Scope::Environment));
        assert!(!member.covers(&Scope::Unknown));
        assert!(!member.covers(&Scope::Tenant("sandbox".into())));
        assert_eq!(Scope::groups(Vec::<String>::new()), Scope::Unknown);
    }

    #[test]
    fn tenants_and_projects_are_their_own() {
        let a = Coverage {
            tenant: Some("tenant-a".into()),
            ..Coverage::default()
        };
        assert!(a.covers(&Scope::Tenant("tenant-a".into())));
        assert!(!a.covers(&Scope::Tenant("tenant-b".into())));
        assert!(!a.covers(&Scope::Project("tenant-a".into())));
        let p = Coverage {
            project: Some("p1".into()),
            ..Coverage::default()
        };
        assert!(p.covers(&Scope::Project("p1".into())) && !p.covers(&Scope::Project("p2".into())));
    }

    #[test]
    fn unknown_keys_are_shown_to_nobody() {
        let all = Coverage {
            every_known_group: true,
            ..coverage(&["ocp"])
        };
        let keys = [
            "groups:[\"ocp\"]",
            "groups:[]",
            "later:x",
            "tenant:",
            "unknown",
        ];
        assert_eq!(all.visible(keys), ["groups:[\"ocp\"]", "unknown"]);
        assert_eq!(
            known_groups(["groups:[\"a\",\"b\"]", "groups:[\"b\",\"c\"]", "tenant:x"]),
            ["a", "b", "c"].map(String::from).into_iter().collect()
        );
    }

    proptest! {
        #[test]
        fn every_scope_survives_its_key(
            groups in prop::collection::btree_set("[a-z,\":\\[\\] -]{1,8}", 0..4),
            tenant in "[a-z0-9:-]{1,10}",
        ) {
            for s in [
                Scope::groups(groups.clone()),
                Scope::Tenant(tenant.clone()),
                Scope::Project(tenant.clone()),
                Scope::Environment,
                Scope::Unknown,
            ] {
                prop_assert_eq!(Scope::parse(&s.key()), Some(s));
            }
        }
    }
}
