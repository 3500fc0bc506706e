//! `scripts/fuzz.sh`: see `app::server::fuzzing::content_sniffing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    app::server::fuzzing::content_sniffing(data);
});
