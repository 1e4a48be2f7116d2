#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tegami_arc::fuzzing::validator(data));
