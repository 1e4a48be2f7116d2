//! The pipeline through real DNS: an authoritative nsd (Debian package `nsd`, installed by
//! `.ci/run`) serves the example zone on a loopback high port, and `BlockingHickoryResolver`
//! asks it over UDP. The verdicts must equal those through `ZoneResolver` on the same zone;
//! a refused name and an unreachable server are temporary failures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{example, example_path};
use tegami::authenticator::{Authenticator, Config, Connection, Outcome};
use tegami::core::dns::{self, DnsError, QueryKind, Resolver, ZoneResolver};
use tegami::hickory::BlockingHickoryResolver;

const NOW: u64 = 1_795_424_500;

/// The example zone with CRLF-free text, split in two: nsd serves only names inside a zone, so
/// the reverse (PTR) record gets a zone of its own.
fn zones(dir: &Path) -> String {
    let text = std::fs::read_to_string(example_path("example.com.zone")).unwrap();
    let (forward, reverse): (Vec<&str>, Vec<&str>) = text
        .lines()
        .partition(|line| !line.contains("in-addr.arpa."));
    std::fs::write(dir.join("example.com.zone"), forward.join("\n") + "\n").unwrap();
    let mut reverse_zone = String::from(
        "$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 300\n@ IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300\n@ IN NS ns.example.com.\n",
    );
    for line in reverse {
        reverse_zone.push_str(line);
        reverse_zone.push('\n');
    }
    std::fs::write(dir.join("reverse.zone"), reverse_zone).unwrap();
    text
}

/// nsd in the foreground, killed when dropped.
struct Nsd(Child);

impl Drop for Nsd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_nsd(dir: &Path, port: u16) -> Nsd {
    let nsd = ["/usr/sbin/nsd", "/usr/local/sbin/nsd"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!("real DNS test needs nsd (Debian package `nsd`, installed by .ci/run); it is not installed")
        });
    let d = dir.display();
    let config = format!(
        "server:\n  ip-address: 127.0.0.1@{port}\n  port: {port}\n  username: \"\"\n  chroot: \"\"\n  \
         zonesdir: \"{d}\"\n  pidfile: \"{d}/nsd.pid\"\n  database: \"\"\n  xfrdfile: \"{d}/xfrd.state\"\n  \
         zonelistfile: \"{d}/zone.list\"\n  logfile: \"{d}/nsd.log\"\n  server-count: 1\n  tcp-count: 10\n\
         remote-control:\n  control-enable: no\n\
         zone:\n  name: example.com\n  zonefile: example.com.zone\n\
         zone:\n  name: 2.0.192.in-addr.arpa\n  zonefile: reverse.zone\n"
    );
    let conf = dir.join("nsd.conf");
    std::fs::write(&conf, config).unwrap();
    let child = Command::new(nsd)
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    Nsd(child)
}

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
    let dir = std::env::temp_dir().join(format!("tegami-nsd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = zones(&dir);
    let port = free_port();
    let _nsd = start_nsd(&dir, port);
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let real = BlockingHickoryResolver::with_server(server, Duration::from_secs(2)).unwrap();
    // nsd needs a moment to load the zones.
    let mut ready = false;
    for _ in 0..50 {
        if real.lookup_name("example.com", QueryKind::Mx).is_ok() {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        ready,
        "nsd did not answer; its log: {}",
        std::fs::read_to_string(dir.join("nsd.log")).unwrap_or_default()
    );

    let zone = ZoneResolver::from_master_file(&text).unwrap();
    for kind in QueryKind::ALL {
        for name in [
            "example.com",
            "mail.example.com",
            "_dmarc.example.com",
            "ed2026._domainkey.example.com",
            "nothing.example.com",
            "25.2.0.192.in-addr.arpa",
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

    // A name outside the served zones: nsd refuses it, which is a temporary failure.
    assert_eq!(
        real.lookup_name("example.org", QueryKind::Txt),
        Err(DnsError::Temporary)
    );
    let refused = pipeline(&real, "alice@example.org");
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
