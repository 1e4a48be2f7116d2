use core::net::{Ipv4Addr, Ipv6Addr};

use super::*;

const ZONE: &str = r#"
$ORIGIN example.com.
$TTL 300
@               IN SOA  ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@               IN NS   ns
@               IN MX   10 mail
@               IN MX   20 backup.example.net.
@               IN TXT  "v=spf1 " "ip4:192.0.2.0/24 -all"
@               IN TXT  "second record"
mail            IN A    192.0.2.25
mail            IN AAAA 2001:db8::25
alias           IN CNAME mail
loop1           IN CNAME loop2
loop2           IN CNAME loop1
deep.a.b        IN TXT  "deep"
*.wild          IN TXT  "synthesised"
*.wild          IN A    192.0.2.99
exists.wild     IN A    192.0.2.1
*.cn            IN CNAME mail
25.2.0.192.in-addr.arpa. IN PTR mail.example.com.
"#;

fn zone() -> ZoneResolver {
    ZoneResolver::from_master_file(ZONE).expect("test zone parses")
}

#[test]
fn answers_every_record_type() {
    let zone = zone();
    assert_eq!(
        zone.lookup_name("mail.example.com", QueryKind::A),
        Ok(vec![Record::A(Ipv4Addr::new(192, 0, 2, 25))])
    );
    assert_eq!(
        zone.lookup_name("mail.example.com", QueryKind::Aaaa),
        Ok(vec![Record::Aaaa(Ipv6Addr::new(
            0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x25
        ))])
    );
    let mut mx = zone
        .lookup_name("example.com", QueryKind::Mx)
        .expect("mx records");
    mx.sort_by_key(|record| match record {
        Record::Mx(mx) => mx.preference,
        _ => u16::MAX,
    });
    assert_eq!(
        mx,
        vec![
            Record::Mx(MxRecord {
                preference: 10,
                exchange: "mail.example.com".into()
            }),
            Record::Mx(MxRecord {
                preference: 20,
                exchange: "backup.example.net".into()
            }),
        ]
    );
    assert_eq!(
        zone.lookup_name("25.2.0.192.in-addr.arpa", QueryKind::Ptr),
        Ok(vec![Record::Ptr("mail.example.com".into())])
    );
}

#[test]
fn txt_records_keep_boundaries_and_strings() {
    let txt = zone()
        .lookup_name("example.com", QueryKind::Txt)
        .expect("txt records");
    assert_eq!(txt.len(), 2);
    let spf = txt
        .iter()
        .find_map(|record| match record {
            Record::Txt(txt) if txt.strings().count() == 2 => Some(txt),
            _ => None,
        })
        .expect("the two-string record");
    assert_eq!(spf.strings().next(), Some(&b"v=spf1 "[..]));
    assert_eq!(spf.concatenated(), b"v=spf1 ip4:192.0.2.0/24 -all");
}

#[test]
fn nxdomain_and_no_data_are_told_apart() {
    let zone = zone();
    assert_eq!(
        zone.lookup_name("missing.example.com", QueryKind::A),
        Err(DnsError::NxDomain)
    );
    assert_eq!(
        zone.lookup_name("mail.example.com", QueryKind::Txt),
        Err(DnsError::NoRecords)
    );
    // An empty non-terminal exists but holds nothing.
    assert_eq!(
        zone.lookup_name("a.b.example.com", QueryKind::Txt),
        Err(DnsError::NoRecords)
    );
}

#[test]
fn names_are_case_insensitive_and_may_end_in_a_dot() {
    let zone = zone();
    assert!(zone.lookup_name("MAIL.Example.COM.", QueryKind::A).is_ok());
}

#[test]
fn follows_cnames_and_bounds_loops() {
    let zone = zone();
    assert_eq!(
        zone.lookup_name("alias.example.com", QueryKind::A),
        Ok(vec![Record::A(Ipv4Addr::new(192, 0, 2, 25))])
    );
    assert_eq!(
        zone.lookup_name("loop1.example.com", QueryKind::A),
        Err(DnsError::Temporary)
    );
}

#[test]
fn rfc4592_wildcards() {
    let zone = zone();
    // Synthesised for a name below the closest encloser.
    assert_eq!(
        zone.lookup_name("anything.wild.example.com", QueryKind::A),
        Ok(vec![Record::A(Ipv4Addr::new(192, 0, 2, 99))])
    );
    // RFC 4592 §2.2.1: deeper names match too when nothing closer exists.
    assert!(
        zone.lookup_name("x.y.wild.example.com", QueryKind::Txt)
            .is_ok()
    );
    // A name that exists is never synthesised.
    assert_eq!(
        zone.lookup_name("exists.wild.example.com", QueryKind::Txt),
        Err(DnsError::NoRecords)
    );
    // Below an existing name the wildcard of the closer encloser is the only candidate.
    assert_eq!(
        zone.lookup_name("x.exists.wild.example.com", QueryKind::A),
        Err(DnsError::NxDomain)
    );
    // The wildcard's owner has no MX: no data, not NXDOMAIN.
    assert_eq!(
        zone.lookup_name("z.wild.example.com", QueryKind::Mx),
        Err(DnsError::NoRecords)
    );
    // A wildcard CNAME is synthesised and followed.
    assert_eq!(
        zone.lookup_name("q.cn.example.com", QueryKind::A),
        Ok(vec![Record::A(Ipv4Addr::new(192, 0, 2, 25))])
    );
}

#[test]
fn marked_names_fail_temporarily() {
    let mut zone = zone();
    zone.fail_temporarily("mail.example.com", Some(QueryKind::Aaaa));
    assert!(zone.lookup_name("mail.example.com", QueryKind::A).is_ok());
    assert_eq!(
        zone.lookup_name("mail.example.com", QueryKind::Aaaa),
        Err(DnsError::Temporary)
    );
    zone.fail_temporarily("Missing.Example.com.", None);
    assert_eq!(
        zone.lookup_name("missing.example.com", QueryKind::Txt),
        Err(DnsError::Temporary)
    );
    // Through a CNAME, the target's failure shows.
    zone.fail_temporarily("mail.example.com", None);
    assert_eq!(
        zone.lookup_name("alias.example.com", QueryKind::A),
        Err(DnsError::Temporary)
    );
}

#[test]
fn include_is_refused_and_syntax_errors_are_typed() {
    assert!(matches!(
        ZoneResolver::from_master_file("$INCLUDE /etc/passwd\n"),
        Err(ZoneError::IncludeRefused)
    ));
    assert!(matches!(
        ZoneResolver::from_master_file("x. 300 IN A not-an-address\n"),
        Err(ZoneError::Syntax(_))
    ));
}
