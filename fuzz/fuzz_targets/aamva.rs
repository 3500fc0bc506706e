//! `scripts/fuzz.sh`: see `app::server::fuzzing::aamva`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    app::server::fuzzing::aamva(data);
});
