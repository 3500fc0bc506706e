//! `scripts/fuzz.sh`: see `app::server::fuzzing::webhook_url`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    app::server::fuzzing::webhook_url(data);
});
