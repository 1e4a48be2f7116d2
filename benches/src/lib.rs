//! Criterion benchmarks of tegami, side by side with a floor (the physical minimum for the same
//! bytes) and, with the `peers` feature, peer crates. See `benches/README.md`.
