//! The harness of the browser tests, split as leptos' own e2e fixtures are:
//! [`servers`] (the gateway and sandbox a test talks to), [`browser`] (the
//! WebDriver and its sessions), [`find`] (what the page shows), [`action`]
//! (what a person does) and [`check`] (waits and screenshots). Everything
//! is re-exported here, so a test names `numbers_e2e::wait_for`.

pub mod action;
pub mod browser;
pub mod check;
pub mod find;
pub mod servers;

pub use action::*;
pub use browser::*;
pub use check::*;
pub use fantoccini;
pub use find::*;
pub use servers::*;
