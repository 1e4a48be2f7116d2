//! An authoritative nsd (Debian package `nsd`, installed by `.ci/run`) serving the example
//! zone file on a loopback high port, for the tests that need real DNS.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::example_path;

/// nsd in the foreground with its own directory, killed (and the directory removed) when
/// dropped.
pub(crate) struct Nsd {
    child: Child,
    /// Where it listens.
    pub(crate) server: SocketAddr,
    /// Its configuration, zones and log.
    pub(crate) dir: PathBuf,
    /// The example zone file's text, as served.
    pub(crate) zone_text: String,
}

impl Drop for Nsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Nsd {
    /// nsd's log, for failure messages.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("nsd.log")).unwrap_or_default()
    }
}

/// The example zone file split at its `$ORIGIN` lines, one zone file per origin (nsd serves
/// each zone from its own file); returns the zone names.
fn split_zones(text: &str, dir: &Path) -> Vec<String> {
    let ttl = text
        .lines()
        .find(|line| line.starts_with("$TTL"))
        .unwrap_or("$TTL 300");
    let mut names = Vec::new();
    let mut current: Option<(String, String)> = None;
    let flush = |zone: Option<(String, String)>, names: &mut Vec<String>| {
        if let Some((name, body)) = zone {
            std::fs::write(dir.join(format!("{name}.zone")), body).unwrap();
            names.push(name);
        }
    };
    for line in text.lines() {
        if let Some(origin) = line.strip_prefix("$ORIGIN") {
            flush(current.take(), &mut names);
            let name = origin.trim().trim_end_matches('.').to_owned();
            current = Some((name, format!("{line}\n{ttl}\n")));
        } else if let Some((_, body)) = current.as_mut()
            && !line.starts_with("$TTL")
        {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(current.take(), &mut names);
    names
}

pub(crate) fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether `server` answers `example.com. SOA` with NOERROR: one hand-made UDP query
/// (RFC 1035 §4.1), so that tests without a resolver crate can wait for nsd too.
fn answers(server: SocketAddr) -> bool {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let mut query = vec![0x7e, 0x6a, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["example", "com"] {
        query.push(u8::try_from(label.len()).unwrap());
        query.extend_from_slice(label.as_bytes());
    }
    query.extend_from_slice(&[0, 0, 6, 0, 1]);
    if socket.send_to(&query, server).is_err() {
        return false;
    }
    let mut reply = [0u8; 512];
    matches!(socket.recv(&mut reply), Ok(n) if n >= 12 && reply[..2] == query[..2] && reply[3] & 0x0f == 0)
}

/// Starts nsd with every zone of `examples/example.com.zone` and waits (at most five seconds)
/// until it answers.
pub(crate) fn start(tag: &str) -> Nsd {
    let binary = ["/usr/sbin/nsd", "/usr/local/sbin/nsd"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!("this test needs nsd (Debian package `nsd`, installed by .ci/run); it is not installed")
        });
    let dir = std::env::temp_dir().join(format!("tegami-nsd-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let zone_text = std::fs::read_to_string(example_path("example.com.zone")).unwrap();
    let zones = split_zones(&zone_text, &dir);
    let port = free_port();
    let d = dir.display();
    let mut config = format!(
        "server:\n  ip-address: 127.0.0.1@{port}\n  port: {port}\n  username: \"\"\n  chroot: \"\"\n  \
         zonesdir: \"{d}\"\n  pidfile: \"{d}/nsd.pid\"\n  database: \"\"\n  xfrdfile: \"{d}/xfrd.state\"\n  \
         zonelistfile: \"{d}/zone.list\"\n  logfile: \"{d}/nsd.log\"\n  server-count: 1\n  tcp-count: 10\n\
         remote-control:\n  control-enable: no\n"
    );
    for zone in &zones {
        config.push_str(&format!("zone:\n  name: {zone}\n  zonefile: {zone}.zone\n"));
    }
    let conf = dir.join("nsd.conf");
    std::fs::write(&conf, config).unwrap();
    let child = Command::new(binary)
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let nsd = Nsd {
        child,
        server: SocketAddr::from(([127, 0, 0, 1], port)),
        dir,
        zone_text,
    };
    for _ in 0..50 {
        if answers(nsd.server) {
            return nsd;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("nsd did not answer; its log: {}", nsd.log());
}
