//! Everything that runs only on the server. One module per capability.

pub mod api_v1;
pub mod audit;
pub mod checks;
pub mod config;
pub mod crypto;
pub mod dashboard;
pub mod db;
pub mod domain;
pub mod error;
pub mod fuzzing;
pub mod guard;
pub mod intake;
pub mod limits;
pub mod media;
pub mod partners;
pub mod private_fs;
pub mod retention;
pub mod routes;
pub mod secret;
pub mod sessions;
pub mod state;
pub mod storage;
pub mod submission;
pub mod telemetry;
pub mod verify;
pub mod webhooks;
