//! One module a page; pages compose components.

pub mod allocations;
pub mod cloud_phones;
pub mod csv;
pub mod history;
pub mod lazy;
pub mod not_found;
pub mod numbers;
pub mod requests;
pub mod routers;
pub mod runs;
pub mod sets;
pub mod settings;
