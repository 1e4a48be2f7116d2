#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tegami_dmarc::fuzzing::aggregate_report(data));
