//! Body canonicalization of bodies long enough to cross the relaxed staging buffer many times
//! (the crate's own unit tests use a small buffer; this test runs the one that ships), against
//! RFC 6376 §3.4.3 and §3.4.4 written the obvious way, over random chunkings.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use proptest::prelude::*;
use tegami_dkim::canon::{BodyCanonicalizer, Canonicalization};

/// The canonical body, fed in the chunks that `cuts` (sorted offsets) make.
fn canonical(algorithm: Canonicalization, body: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut canon = BodyCanonicalizer::new(algorithm);
    let mut start = 0;
    for &cut in cuts.iter().chain([&body.len()]) {
        canon.feed(&body[start..cut], &mut |piece: &[u8]| {
            out.extend_from_slice(piece);
        });
        start = cut;
    }
    canon.finish(&mut |piece: &[u8]| out.extend_from_slice(piece));
    out
}

/// RFC 6376 §3.4.3 (simple) and §3.4.4 (relaxed), line by line: lines end at CRLF, a bare CR
/// or LF is ordinary text.
fn reference(algorithm: Canonicalization, body: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut rest = body;
    while let Some(end) = rest.windows(2).position(|pair| pair == b"\r\n") {
        lines.push(rest[..end].to_vec());
        rest = &rest[end + 2..];
    }
    if !rest.is_empty() {
        lines.push(rest.to_vec());
    }
    if algorithm == Canonicalization::Relaxed {
        for line in &mut lines {
            let mut squeezed = Vec::new();
            let mut in_run = false;
            for &byte in line.iter() {
                if byte == b' ' || byte == b'\t' {
                    in_run = true;
                } else {
                    if in_run {
                        squeezed.push(b' ');
                    }
                    in_run = false;
                    squeezed.push(byte);
                }
            }
            *line = squeezed;
        }
    }
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    let mut out = Vec::new();
    for line in &lines {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    if out.is_empty() && algorithm == Canonicalization::Simple {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Text with the whitespace relaxed canonicalization changes, line ends, empty-line runs
/// (some long, so that a hand-over falls inside one) and bare CRs and LFs.
fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            8 => "[a-z.,]{1,120}",
            3 => Just(" ".to_string()),
            1 => Just("  ".to_string()),
            1 => Just("\t".to_string()),
            1 => Just(" \t ".to_string()),
            3 => Just("\r\n".to_string()),
            1 => Just(" \r\n".to_string()),
            1 => Just("\r\n\r\n\r\n".to_string()),
            1 => (1..6000usize).prop_map(|lines| "\r\n".repeat(lines)),
            1 => Just("\r".to_string()),
            1 => Just("\n".to_string()),
        ],
        0..700,
    )
    .prop_map(|pieces| pieces.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn long_bodies_in_any_chunking_match_the_rfc(
        body in body(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
        relaxed in any::<bool>(),
    ) {
        let algorithm = if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
        let mut cuts: Vec<usize> = cuts.iter().map(|cut| cut.index(body.len() + 1)).collect();
        cuts.sort_unstable();
        prop_assert_eq!(canonical(algorithm, &body, &cuts), reference(algorithm, &body));
    }
}
