//! The README's example table through the library: every example message gives the verdicts
//! the README states, through the bundled zone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::readme::example_rows;
use common::{example_path, run_example, table_verdicts};
use tegami::core::dns::ZoneResolver;

#[test]
fn every_example_gives_the_verdicts_the_readme_states() {
    let text = std::fs::read_to_string(example_path("example.com.zone")).unwrap();
    let zone = ZoneResolver::from_master_file(&text).unwrap();
    for row in example_rows() {
        let outcome = run_example(&row, &zone);
        assert_eq!(
            table_verdicts(&outcome),
            row.verdicts,
            "{} {:?}\n{}",
            row.file,
            row.flags,
            outcome.field()
        );
    }
}
