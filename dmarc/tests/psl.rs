//! The Public Suffix List test cases (`../shared/conformance/dmarc/psl/tests.txt`, 78 cases)
//! through the RFC 7489 Organizational Domain code, with the list file beside them and with
//! the list compiled into the `psl` crate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

use std::path::PathBuf;

use tegami_core::domain::Domain;
use tegami_dmarc::psl::PublicSuffixList;

fn shared(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/dmarc/psl")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| {
        panic!(
            "conformance file {} is missing ({error}): ../shared must sit beside the project",
            full.display()
        )
    })
}

/// The cases: (input or `None` for the `null` input, expected registrable domain).
fn cases() -> Vec<(Option<String>, Option<String>)> {
    shared("tests.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .map(|line| {
            let (input, expected) = line.split_once(' ').expect("two fields");
            let null = |s: &str| (s != "null").then(|| s.to_owned());
            (null(input), null(expected.trim()))
        })
        .collect()
}

/// Runs every case; returns the failures as text.
fn run(list: &PublicSuffixList) -> Vec<String> {
    let mut failures = Vec::new();
    for (input, expected) in cases() {
        // The registrable domain of a name that is not a valid domain is null.
        let found = input
            .as_deref()
            .and_then(|text| Domain::try_from(text).ok())
            .and_then(|domain| list.registrable_domain(&domain));
        // Expected values may be U-labels; compare in A-label form.
        let expected = expected.map(|e| Domain::try_from(e.as_str()).unwrap());
        if found != expected {
            failures.push(format!("{input:?}: expected {expected:?}, found {found:?}"));
        }
    }
    failures
}

#[test]
fn seventy_eight_cases_are_there() {
    assert_eq!(cases().len(), 78);
}

#[test]
fn with_the_list_file() {
    let list = PublicSuffixList::from_dat(&shared("public_suffix_list.dat")).unwrap();
    let failures = run(&list);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn with_the_bundled_list() {
    let failures = run(&PublicSuffixList::Bundled);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn organizational_domain_of_a_suffix_is_itself() {
    let list = PublicSuffixList::Bundled;
    let suffix = Domain::try_from("co.uk").unwrap();
    assert_eq!(list.organizational_domain(&suffix), suffix);
}

#[test]
fn not_a_list() {
    assert!(PublicSuffixList::from_dat("").is_err());
}
