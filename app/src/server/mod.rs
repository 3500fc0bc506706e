//! Everything that runs only on the server. One module per capability.

pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod partners;
pub mod routes;
pub mod state;
pub mod telemetry;
