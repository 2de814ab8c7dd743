//! Serde models of every request and response body documented in the seeds.
//!
//! Field names are exactly as documented: camelCase for Omilia OCP, snake_case
//! for Exotel and Huawei. Optional fields are `Option`; unknown fields are
//! ignored on input so a newer server does not break the console.

pub mod auth;
pub mod error;
pub mod exotel;
pub mod gateway;
pub mod huawei;
pub mod ocp;
pub mod review;
pub mod run;
pub mod schedule;
