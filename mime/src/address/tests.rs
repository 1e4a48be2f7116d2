use super::*;

fn kinds(list: &AddressList) -> Vec<ProblemKind> {
    list.problems().iter().map(|p| p.kind).collect()
}

fn addresses(list: &AddressList) -> Vec<String> {
    list.mailboxes().map(Mailbox::address).collect()
}

#[test]
fn plain_forms() {
    let list = AddressList::parse(
        b"a@example.com, \"Q, Person\" <q@example.org> (comment), Bob <b@[192.0.2.1]>",
        0,
    );
    assert_eq!(
        addresses(&list),
        ["a@example.com", "q@example.org", "b@[192.0.2.1]"]
    );
    let names: Vec<_> = list.mailboxes().map(Mailbox::display_name).collect();
    assert_eq!(names, [None, Some("Q, Person"), Some("Bob")]);
    assert_eq!(kinds(&list), [ProblemKind::DomainLiteral]);
}

#[test]
fn quoted_local_part_is_kept_as_written() {
    let list = AddressList::parse(b"\"john doe\"@example.com", 0);
    assert_eq!(addresses(&list), ["\"john doe\"@example.com"]);
    assert!(list.problems().is_empty());
}

#[test]
fn groups() {
    let list = AddressList::parse(
        b"undisclosed-recipients:;, team: a@x.example, b@y.example;",
        0,
    );
    assert_eq!(list.addresses().len(), 2);
    let Address::Group(group) = &list.addresses()[1] else {
        panic!("not a group");
    };
    assert_eq!(group.name(), "team");
    assert_eq!(addresses(&list), ["a@x.example", "b@y.example"]);
    assert!(list.problems().is_empty());
}

#[test]
fn groups_one_after_another() {
    let list = AddressList::parse(b"L1: a@x.example; L2: b@y.example; c@z.example", 0);
    assert_eq!(
        addresses(&list),
        ["a@x.example", "b@y.example", "c@z.example"]
    );
    assert_eq!(list.addresses().len(), 3);
    assert!(list.problems().is_empty());
}

#[test]
fn obsolete_route_is_flagged_and_dropped() {
    let list = AddressList::parse(b"<@bank.example:attacker@evil.example>", 0);
    assert_eq!(addresses(&list), ["attacker@evil.example"]);
    assert_eq!(kinds(&list), [ProblemKind::ObsoleteRoute]);
}

#[test]
fn second_address_without_comma_is_trailing_text() {
    let list = AddressList::parse(b"admin@bank.example <attacker@evil.example>", 0);
    assert_eq!(addresses(&list), ["admin@bank.example"]);
    assert_eq!(kinds(&list), [ProblemKind::TrailingText]);
    let list = AddressList::parse(b"<attacker@evil.example> admin@bank.example", 0);
    assert_eq!(addresses(&list), ["attacker@evil.example"]);
    assert_eq!(kinds(&list), [ProblemKind::TrailingText]);
}

#[test]
fn backslash_outside_quotes() {
    let list = AddressList::parse(b"admin\\@bank.example@evil.example", 0);
    assert!(kinds(&list).contains(&ProblemKind::QuotedPairOutsideQuotes));
}

#[test]
fn encoded_word_in_addr_spec_is_not_decoded() {
    let list = AddressList::parse(b"=?utf-8?b?YWRtaW5AYmFuay5leGFtcGxl?=@evil.example", 0);
    assert_eq!(
        addresses(&list),
        ["=?utf-8?b?YWRtaW5AYmFuay5leGFtcGxl?=@evil.example"]
    );
    assert_eq!(kinds(&list), [ProblemKind::EncodedWordInAddress]);
}

#[test]
fn display_name_that_is_an_address() {
    let list = AddressList::parse(b"\"admin@bank.example\" <attacker@evil.example>", 0);
    assert_eq!(addresses(&list), ["attacker@evil.example"]);
    assert_eq!(kinds(&list), [ProblemKind::DisplayNameLooksLikeAddress]);
}

#[test]
fn non_utf8_octets() {
    let list = AddressList::parse(b"adm\xffin@bank.example", 0);
    assert_eq!(kinds(&list), [ProblemKind::NonUtf8Address]);
}

#[test]
fn broken_inputs_never_panic_and_say_why() {
    for input in [
        &b""[..],
        b"<",
        b"<>",
        b"a@",
        b"@b",
        b"\"unterminated",
        b"(comment",
        b"x <a@b.example",
        b"g: a@b.example",
        b",,,",
        b"a@b.example,,c@d.example",
    ] {
        let list = AddressList::parse(input, 0);
        if !input.is_empty() {
            assert!(
                !list.problems().is_empty(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
}

#[test]
fn offsets_point_into_the_message() {
    let list = AddressList::parse(b" <@r.example:a@b.example>", 6);
    assert_eq!(list.problems()[0].offset, 7);
    assert_eq!(list.mailboxes().next().map(Mailbox::offset), Some(7));
}

proptest::proptest! {
    #[test]
    fn never_panics(input in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let list = AddressList::parse(&input, 0);
        for problem in list.problems() {
            proptest::prop_assert!(problem.offset <= input.len());
        }
    }

    #[test]
    fn simple_lists_round_trip(
        locals in proptest::collection::vec("[a-z0-9][a-z0-9.+_-]{0,10}[a-z0-9]", 1..5),
        domain in "[a-z]{1,10}\\.(com|example|org)",
    ) {
        let text = locals.iter().map(|l| format!("{l}@{domain}")).collect::<Vec<_>>().join(", ");
        let list = AddressList::parse(text.as_bytes(), 0);
        let parsed = addresses(&list);
        let expected: Vec<String> = locals.iter().map(|l| format!("{l}@{domain}")).collect();
        if locals.iter().all(|l| !l.contains("..")) {
            proptest::prop_assert_eq!(parsed, expected);
            proptest::prop_assert!(list.problems().is_empty());
        }
    }
}
