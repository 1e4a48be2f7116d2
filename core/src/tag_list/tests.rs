use alloc::string::{String, ToString};
use alloc::vec::Vec;

use proptest::prelude::*;

use super::*;

fn kind(input: &[u8]) -> TagListErrorKind {
    TagList::parse(input).expect_err("invalid").kind
}

#[test]
fn rfc6376_section_3_5_signature_example() {
    // The DKIM-Signature of RFC 6376 Appendix A.2, folded as printed there.
    let header = b"v=1; a=rsa-sha256; s=brisbane; d=example.com;\r\n      c=simple/simple; q=dns/txt; i=joe@football.example.com;\r\n      h=Received : From : To : Subject : Date : Message-ID;\r\n      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n        4bmp/YzhwvcubU4=;";
    let list = TagList::parse(header).expect("parses");
    assert_eq!(list.len(), 10);
    assert_eq!(list.get("s"), Some("brisbane"));
    assert_eq!(
        list.get("h"),
        Some("Received : From : To : Subject : Date : Message-ID")
    );
    let b = list.iter().find(|tag| tag.name() == "b").expect("b tag");
    assert!(b.value().contains("\r\n        "));
    assert_eq!(
        b.value_without_whitespace(),
        "AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHutKVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV4bmp/YzhwvcubU4="
    );
}

#[test]
fn empty_values_and_trailing_separators() {
    let list = TagList::parse(b"v=DKIM1; p=; ").expect("parses");
    assert_eq!(list.get("p"), Some(""));
    assert_eq!(TagList::parse(b"a=1;").expect("parses").len(), 1);
    assert_eq!(
        TagList::parse(b" a = 1 ; b=2").expect("parses").get("a"),
        Some("1")
    );
}

#[test]
fn duplicate_tags_invalidate_the_list() {
    let error = TagList::parse(b"a=1; b=2; a=3").expect_err("duplicate");
    assert_eq!(error.kind, TagListErrorKind::DuplicateTag);
    assert_eq!(error.offset, 9);
    // Names are case-sensitive: these are different tags.
    assert!(TagList::parse(b"a=1; A=2").is_ok());
}

#[test]
fn grammar_errors_are_typed() {
    assert_eq!(kind(b""), TagListErrorKind::Empty);
    assert_eq!(kind(b"   "), TagListErrorKind::Empty);
    assert_eq!(kind(b"1a=x"), TagListErrorKind::ExpectedName);
    assert_eq!(kind(b"a=1;;b=2"), TagListErrorKind::ExpectedName);
    assert_eq!(kind(b"a 1"), TagListErrorKind::ExpectedEquals);
    assert_eq!(kind(b"a=\x01"), TagListErrorKind::InvalidValue);
    assert_eq!(kind(b"a=x\ny"), TagListErrorKind::InvalidWhitespace);
    assert_eq!(kind(b"a=x\r\ny"), TagListErrorKind::InvalidWhitespace);
    assert_eq!(kind(b"a=\xff"), TagListErrorKind::InvalidValue);
}

#[test]
fn folded_values_are_checked_fold_by_fold() {
    let folded = b"h=from:to:\r\n subject:\r\n\tdate ; b=abc\r\n def \r\n ";
    let list = TagList::parse(folded).expect("valid folds");
    assert_eq!(list.get("h"), Some("from:to:\r\n subject:\r\n\tdate"));
    assert_eq!(list.get("b"), Some("abc\r\n def"));
    // A line break that is not a fold is refused where it stands, the first one first.
    let error = |input: &[u8]| TagList::parse(input).expect_err("invalid");
    assert_eq!(
        error(b"b=abc\r\n def\r\nghi\r\n"),
        TagListError {
            kind: TagListErrorKind::InvalidWhitespace,
            offset: 11
        }
    );
    assert_eq!(error(b"b=a b\n c").offset, 5);
    assert_eq!(error(b"b=a b\r c").offset, 5);
    assert_eq!(error(b"b=a b\r\n").offset, 5);
    assert_eq!(error(b"b=a\r\n\r\n b").offset, 3);
    // Another octet comes first: the value's own error, where it stands.
    assert_eq!(
        error(b"b=a b\x01\r\n c"),
        TagListError {
            kind: TagListErrorKind::InvalidValue,
            offset: 5
        }
    );
}

#[test]
fn tags_for_emission_are_checked() {
    assert!(Tag::new("v", "1").is_ok());
    assert!(Tag::new("", "1").is_err());
    assert!(Tag::new("a;", "1").is_err());
    assert!(Tag::new("a", "x;y").is_err());
    assert!(Tag::new("a", " x").is_err());
    let tags = vec![
        Tag::new("a", "1").expect("ok"),
        Tag::new("a", "2").expect("ok"),
    ];
    assert_eq!(
        TagList::from_tags(tags).expect_err("dup").kind,
        TagListErrorKind::DuplicateTag
    );
}

fn tag_strategy() -> impl Strategy<Value = (String, String)> {
    (
        "[a-zA-Z][a-zA-Z0-9_]{0,6}",
        "([!-:<-~]{1,8}( |\r\n\t)?){0,3}[!-:<-~]{0,8}",
    )
        .prop_map(|(name, value)| (name, value.trim_end().to_owned()))
        .prop_filter("value must not end in whitespace", |(_, value)| {
            !value.ends_with(['\r', '\n', '\t', ' '])
        })
}

#[test]
fn long_lists_find_duplicates_anywhere() {
    // Past the short list, names are checked through a set: same answers either way.
    for count in [3usize, 16, 17, 40, 5_000] {
        let mut text = String::new();
        for at in 0..count {
            text.push_str(&alloc::format!("t{at}=v; "));
        }
        let list = TagList::parse(text.as_bytes()).expect("unique names");
        assert_eq!(list.len(), count);
        for repeated in [0, count / 2, count - 1] {
            let with_duplicate = alloc::format!("{text}t{repeated}=again");
            let error = TagList::parse(with_duplicate.as_bytes()).expect_err("a name twice");
            assert_eq!(
                error.kind,
                TagListErrorKind::DuplicateTag,
                "{count} {repeated}"
            );
            // The offset of the tag-spec, which starts after the last `;`.
            assert_eq!(error.offset, text.len() - 1, "{count} {repeated}");
        }
        let mut tags: Vec<Tag<'_>> = list.iter().collect();
        assert!(TagList::from_tags(tags.clone()).is_ok());
        tags.push(Tag::new("t0", "x").expect("valid"));
        let error = TagList::from_tags(tags).expect_err("a name twice");
        assert_eq!(error.offset, count);
    }
}

proptest! {
    #[test]
    fn emit_then_parse_round_trips(tags in proptest::collection::vec(tag_strategy(), 1..8)) {
        let mut unique: Vec<(String, String)> = Vec::new();
        for (name, value) in tags {
            if !unique.iter().any(|(seen, _)| *seen == name) {
                unique.push((name, value));
            }
        }
        let built: Vec<Tag<'_>> = unique
            .iter()
            .map(|(name, value)| Tag::new(name, value).expect("generated tags are valid"))
            .collect();
        let list = TagList::from_tags(built).expect("unique names");
        let emitted = list.to_string();
        let parsed = TagList::parse(emitted.as_bytes()).expect("emitted lists parse");
        prop_assert_eq!(parsed, list);
    }

    #[test]
    fn parse_then_emit_then_parse_is_stable(input in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(list) = TagList::parse(&input) {
            let emitted = list.to_string();
            let again = TagList::parse(emitted.as_bytes()).expect("re-parses");
            prop_assert_eq!(again, list);
        }
    }

    #[test]
    fn folded_values_read_as_octet_by_octet(value in "[ \t\r\na-c=:\x01\x7f]{0,80}") {
        let bytes = value.as_bytes();
        prop_assert_eq!(
            parse::value_end_with_whitespace(bytes, 0, bytes.len()),
            parse::value_end_octet_by_octet(bytes, 0, bytes.len())
        );
    }

    #[test]
    fn without_whitespace_drops_exactly_the_whitespace(value in "[ \t\r\na-cé=:]{0,40}") {
        let expected: String = value
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        prop_assert_eq!(without_whitespace(&value), expected);
    }
}
