//! Every rule of Numbers Console, in one place.
//!
//! The browser app (compiled to wasm) and the sandbox server (native) both call
//! this crate, so a preview in the browser and the server's verdict never
//! disagree. Nothing here performs I/O.
//!
//! Where to start: [`csv`] (a file read, validated and planned into
//! batches), [`endpoints`] (what each provider documents, and what a relay
//! may forward), [`routing`] (the gradual traffic assignment's math),
//! [`history`] (what the gateway records of each change).

#![warn(missing_docs)]

pub mod chat;
pub mod csv;
pub mod dev;
pub mod endpoints;
pub mod exotel;
pub mod history;
pub mod huawei;
pub mod limits;
pub mod miniapp;
// The wire models mirror the seeds field by field; the seeds document the
// fields, the models their types.
#[allow(missing_docs)]
pub mod models;
pub mod phone;
pub mod review;
pub mod rollout;
pub mod routing;
pub mod sample;
pub mod text;
