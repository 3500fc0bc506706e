//! End-to-end tests over real HTTP against the running service. The same tests run on SQLite
//! (default) and PostgreSQL (IDV_TEST_POSTGRES_URL set by scripts/test.sh).

// a test reads as one story; the function-length limit is for the service's code
#![allow(clippy::too_many_lines)]

#[path = "../common/mod.rs"]
mod common;
mod dashboard;
mod documents;
mod engine;
mod foundation;
mod languages;
mod live_channel;
mod liveness;
mod operations;
mod retention;
mod security;
mod submit;
mod v1;
mod verif_page;
mod vision;
mod webhooks;
