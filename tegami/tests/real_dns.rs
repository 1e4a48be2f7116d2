//! The pipeline through real DNS: an authoritative nsd (Debian package `nsd`, installed by
//! `.ci/run`) serves the example zone on a loopback high port, and `BlockingHickoryResolver`
//! asks it over UDP. The verdicts must equal those through `ZoneResolver` on the same zone and,
//! for every example message, those the README's table states; a refused name and an
//! unreachable server are temporary failures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::nsd::{self, free_port};
use common::readme::example_rows;
use common::{example, run_example, table_verdicts};
use tegami::authenticator::{Authenticator, Config, Connection, Outcome};
use tegami::core::dns::{self, DnsError, QueryKind, Resolver, ZoneResolver};
use tegami::hickory::BlockingHickoryResolver;

const NOW: u64 = 1_795_424_500;

fn pipeline(resolver: &impl Resolver, mail_from: &str) -> Outcome {
    let connection = Connection {
        ip: "192.0.2.25".parse().unwrap(),
        helo: "mail.example.com".into(),
        mail_from: mail_from.into(),
    };
    let mut authenticator = Authenticator::new(connection, Config::new("mx.example.net"), NOW);
    authenticator.handle_input(&example("signed.eml")).unwrap();
    authenticator.handle_end();
    dns::resolve(&mut authenticator, resolver).unwrap()
}

#[test]
fn pipeline_through_nsd_equals_the_zone_resolver() {
    let nsd = nsd::start("hickory");
    let real = BlockingHickoryResolver::with_server(nsd.server, Duration::from_secs(2)).unwrap();
    let text = &nsd.zone_text;
    let zone = ZoneResolver::from_master_file(text).unwrap();
    for kind in QueryKind::ALL {
        for name in [
            "example.com",
            "mail.example.com",
            "_dmarc.example.com",
            "ed2026._domainkey.example.com",
            "nothing.example.com",
            "25.2.0.192.in-addr.arpa",
            "list2026._domainkey.lists.example.org",
            "lists.example.org",
            "phish.example",
            "66.113.0.203.in-addr.arpa",
        ] {
            assert_eq!(
                real.lookup_name(name, kind),
                zone.lookup_name(name, kind),
                "{name} {kind:?}"
            );
        }
    }
    let through_nsd = pipeline(&real, "alice@example.com");
    let through_zone = pipeline(&zone, "alice@example.com");
    assert_eq!(
        through_nsd.authentication_results.to_field(),
        through_zone.authentication_results.to_field()
    );
    assert!(
        through_nsd
            .authentication_results
            .to_field()
            .contains("dmarc=pass")
    );
    println!("{}", through_nsd.authentication_results.to_field());

    // Every example message of the README: the same verdicts through nsd as the table states.
    for row in example_rows() {
        let outcome = run_example(&row, &real);
        assert_eq!(
            table_verdicts(&outcome),
            row.verdicts,
            "{} {:?} through nsd\n{}",
            row.file,
            row.flags,
            outcome.field()
        );
        assert_eq!(
            outcome.field(),
            run_example(&row, &zone).field(),
            "{}",
            row.file
        );
    }

    // A name outside the served zones: nsd refuses it, which is a temporary failure.
    assert_eq!(
        real.lookup_name("unserved.test", QueryKind::Txt),
        Err(DnsError::Temporary)
    );
    let refused = pipeline(&real, "alice@unserved.test");
    assert!(
        refused
            .authentication_results
            .to_field()
            .contains("spf=temperror"),
        "{}",
        refused.authentication_results.to_field()
    );
}

#[test]
fn an_unreachable_server_is_a_temporary_failure() {
    let nobody = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let resolver =
        BlockingHickoryResolver::with_server(nobody, Duration::from_millis(300)).unwrap();
    assert_eq!(
        resolver.lookup_name("example.com", QueryKind::Txt),
        Err(DnsError::Temporary)
    );
}
