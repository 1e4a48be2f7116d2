//! Benchmarks of tegami; see `benches/`.
