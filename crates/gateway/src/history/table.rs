//! The gateway's own tables beside the history's entries (plans, runs) in
//! its database: one error type and one way to open them, each refused in
//! its own words when the database does not answer.

use std::fmt;
use std::marker::PhantomData;

use super::{Store, StoreError};
use crate::refusal::Refusal;
use crate::Shared;

/// A table of the gateway's own.
pub trait Table: Sized {
    /// What it holds, for the log ("plans", "runs").
    const NAME: &'static str;
    fn on(store: Store) -> Self;
    /// How a request is refused when the table cannot be read or written now.
    fn unavailable(why: String) -> Refusal;
}

/// A failure of table `T`, refused as `T` says.
pub struct TableError<T>(pub StoreError, PhantomData<fn() -> T>);

impl<T> From<StoreError> for TableError<T> {
    fn from(e: StoreError) -> Self {
        Self(e, PhantomData)
    }
}

impl<T> From<sqlx::Error> for TableError<T> {
    fn from(e: sqlx::Error) -> Self {
        Self(StoreError::from(e), PhantomData)
    }
}

impl<T> fmt::Debug for TableError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<T> fmt::Display for TableError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<T> std::error::Error for TableError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl<T: Table> From<TableError<T>> for Refusal {
    fn from(e: TableError<T>) -> Self {
        tracing::warn!(target: "tables", "{}: {}", T::NAME, e.0);
        T::unavailable("its database did not answer; try again in a minute".into())
    }
}

/// Table `T`, or `T`'s refusal saying `why_not` while the database cannot
/// be reached.
pub async fn open<T: Table>(s: &Shared, why_not: &str) -> Result<T, Refusal> {
    s.history
        .store()
        .await
        .map(T::on)
        .ok_or_else(|| T::unavailable(why_not.into()))
}
