#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tegami_dmarc::fuzzing::failure_report(data));
