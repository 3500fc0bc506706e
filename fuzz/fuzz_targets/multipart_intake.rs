//! `scripts/fuzz.sh`: see `app::server::fuzzing::multipart_intake`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    app::server::fuzzing::multipart_intake(data);
});
