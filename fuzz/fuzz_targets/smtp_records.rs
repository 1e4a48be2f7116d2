#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tegami_smtp_proto::fuzzing::records(data));
