//! Per-operation limits of one CSV request.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::csv::Operation;

/// How many rows of each operation one CSV request may carry. The seed's
/// defaults; environments may be configured otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Update rows a request may carry.
    pub update: usize,
    /// Attach rows a request may carry.
    pub attach: usize,
    /// Detach rows a request may carry.
    pub detach: usize,
    /// Delete rows a request may carry.
    pub delete: usize,
    /// Create rows a request may carry.
    pub create: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            update: 800,
            attach: 800,
            detach: 100,
            delete: 10,
            create: 100,
        }
    }
}

impl Limits {
    /// The limit of `op`.
    pub fn get(&self, op: Operation) -> usize {
        match op {
            Operation::Update => self.update,
            Operation::Attach => self.attach,
            Operation::Detach => self.detach,
            Operation::Delete => self.delete,
            Operation::Create => self.create,
        }
    }

    /// Sets the limit of `op`.
    pub fn set(&mut self, op: Operation, value: usize) {
        match op {
            Operation::Update => self.update = value,
            Operation::Attach => self.attach = value,
            Operation::Detach => self.detach = value,
            Operation::Delete => self.delete = value,
            Operation::Create => self.create = value,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
/// Why a limits text cannot be read.
pub enum LimitsError {
    #[error("\"{0}\" is not of the form operation=count, e.g. delete=10")]
    /// Not `operation=count` pairs.
    Form(String),
    #[error("\"{0}\" is not an operation: use update, attach, detach, delete or create")]
    /// An operation that is none of the five.
    Operation(String),
    #[error("the limit of {0} must be a whole number of at least 1, not \"{1}\"")]
    /// A count that is not a whole number above 0 (operation, count).
    Count(String, String),
}

/// `update=800,attach=800,detach=100,delete=10,create=100`; operations left
/// out keep their defaults.
impl FromStr for Limits {
    type Err = LimitsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut limits = Limits::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| LimitsError::Form(part.to_string()))?;
            let op = Operation::parse(name)
                .ok_or_else(|| LimitsError::Operation(name.trim().to_string()))?;
            let count = value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| {
                    LimitsError::Count(op.as_str().to_string(), value.trim().to_string())
                })?;
            limits.set(op, count);
        }
        Ok(limits)
    }
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "update={},attach={},detach={},delete={},create={}",
            self.update, self.attach, self.detach, self.delete, self.create
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let limits: Limits = "delete=5, create=50".parse().expect("valid");
        assert_eq!(limits.delete, 5);
        assert_eq!(limits.create, 50);
        assert_eq!(limits.update, 800);
        assert_eq!(limits.to_string().parse::<Limits>(), Ok(limits));
        assert_eq!(
            Limits::default().to_string(),
            "update=800,attach=800,detach=100,delete=10,create=100"
        );
    }

    #[test]
    fn rejects_nonsense() {
        assert!(matches!(
            "delete".parse::<Limits>(),
            Err(LimitsError::Form(_))
        ));
        assert!(matches!(
            "remove=4".parse::<Limits>(),
            Err(LimitsError::Operation(_))
        ));
        assert!(matches!(
            "delete=0".parse::<Limits>(),
            Err(LimitsError::Count(..))
        ));
        assert!(matches!(
            "delete=-1".parse::<Limits>(),
            Err(LimitsError::Count(..))
        ));
    }
}
