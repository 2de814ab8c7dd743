//! Every rule of Numbers Console, in one place.
//!
//! The browser app (compiled to wasm) and the sandbox server (native) both call
//! this crate, so a preview in the browser and the server's verdict never
//! disagree. Nothing here performs I/O.

pub mod csv;
pub mod dev;
pub mod endpoints;
pub mod exotel;
pub mod history;
pub mod huawei;
pub mod limits;
pub mod models;
pub mod phone;
pub mod rollout;
pub mod routing;
pub mod sample;
pub mod text;
