//! `scripts/fuzz.sh`: see `app::server::fuzzing::image_header`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    app::server::fuzzing::image_header(data);
});
