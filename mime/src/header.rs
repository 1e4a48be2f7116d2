//! [`HeaderBlock`]: the header fields of a message, in order, as borrowed spans.
//!
//! [RFC 5322 §2.2](https://www.rfc-editor.org/rfc/rfc5322#section-2.2): a field is a name, a
//! colon and a body; a body continues on lines that start with white space (folding,
//! §2.2.3); the header ends at the first empty line. Obsolete white space between the name
//! and the colon (§4.5) is allowed. Lines may end in CRLF or, as files on disk often do, in a
//! bare LF.

use crate::problem::{Problem, ProblemKind};

/// The header fields of a message, without copying.
///
/// ```
/// use tegami_mime::HeaderBlock;
///
/// let message = b"From: a@example.com\r\nSubject: two\r\n  lines\r\n\r\nbody";
/// let header = HeaderBlock::parse(message);
/// assert_eq!(header.fields().len(), 2);
/// assert_eq!(header.get("subject").map(|f| f.value()), Some(&b" two\r\n  lines"[..]));
/// assert_eq!(&message[header.body_offset()..], b"body");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBlock<'a> {
    fields: Vec<HeaderField<'a>>,
    body_offset: usize,
    problems: Vec<Problem>,
}

/// One header field: its name and its raw (folded) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderField<'a> {
    name: &'a [u8],
    value: &'a [u8],
    offset: usize,
    value_offset: usize,
}

impl<'a> HeaderBlock<'a> {
    /// Splits the header block at the start of `message` into fields. A line that is neither a
    /// field nor a continuation is skipped (and reported).
    pub fn parse(message: &'a [u8]) -> HeaderBlock<'a> {
        HeaderBlock::parse_with(message, false)
    }

    /// As [`HeaderBlock::parse`]; with `malformed_line_starts_body`, a line that is neither a
    /// field nor a continuation ends the header block and starts the body instead (how some
    /// parsers read a message whose header is missing).
    pub fn parse_with(message: &'a [u8], malformed_line_starts_body: bool) -> HeaderBlock<'a> {
        let mut fields: Vec<HeaderField<'a>> = Vec::new();
        let mut problems = Vec::new();
        let mut position = 0;
        // The field being read: where it starts, where its name ends, where its value starts.
        let mut current: Option<(usize, usize, usize)> = None;
        let mut value_end = 0;
        let body_offset = loop {
            let Some(rest) = message.get(position..) else {
                break message.len();
            };
            if rest.is_empty() {
                problems.push(Problem {
                    offset: position,
                    kind: ProblemKind::UnterminatedHeader,
                });
                break message.len();
            }
            let (line_len, next) = match memchr::memchr(b'\n', rest) {
                Some(lf) => {
                    let content = if lf > 0 && rest.get(lf - 1) == Some(&b'\r') {
                        lf - 1
                    } else {
                        lf
                    };
                    (content, position + lf + 1)
                }
                None => (rest.len(), message.len()),
            };
            let line = rest.get(..line_len).unwrap_or_default();
            if line.is_empty() {
                break next;
            }
            if matches!(line.first(), Some(b' ' | b'\t')) {
                if current.is_some() {
                    value_end = position + line_len;
                } else {
                    problems.push(Problem {
                        offset: position,
                        kind: ProblemKind::ContinuationWithoutField,
                    });
                }
            } else {
                if let Some(field) = current.take() {
                    fields.push(make_field(message, field, value_end));
                }
                match field_name_end(line) {
                    Some((name_end, colon)) => {
                        current = Some((position, position + name_end, position + colon + 1));
                        value_end = position + line_len;
                    }
                    None => {
                        problems.push(Problem {
                            offset: position,
                            kind: ProblemKind::HeaderLineWithoutColon,
                        });
                        if malformed_line_starts_body {
                            break position;
                        }
                    }
                }
            }
            if next >= message.len() && !message.ends_with(b"\n") {
                problems.push(Problem {
                    offset: message.len(),
                    kind: ProblemKind::UnterminatedHeader,
                });
                break message.len();
            }
            position = next;
        };
        if let Some(field) = current.take() {
            fields.push(make_field(message, field, value_end.min(message.len())));
        }
        HeaderBlock {
            fields,
            body_offset,
            problems,
        }
    }

    /// The fields in the order they appear.
    pub fn fields(&self) -> &[HeaderField<'a>] {
        &self.fields
    }

    /// The first field with this name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&HeaderField<'a>> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// Every field with this name (case-insensitive), in order.
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s HeaderField<'a>> + 's {
        self.fields
            .iter()
            .filter(move |field| field.name.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// Where the body starts: just after the empty line, or the end of the input.
    pub fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// What was wrong with the header block.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl<'a> HeaderField<'a> {
    /// The field name as written (without trailing white space).
    pub fn name(&self) -> &'a [u8] {
        self.name
    }

    /// The raw value after the colon, folding kept, without the final line break.
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// Where the field starts in the message.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Where the value starts in the message.
    pub fn value_offset(&self) -> usize {
        self.value_offset
    }
}

/// The end of the field name (before obsolete white space) and the colon's index, if `line`
/// starts with `field-name *WSP ":"` (RFC 5322 §3.6.8, §4.5).
fn field_name_end(line: &[u8]) -> Option<(usize, usize)> {
    // Field names are a few octets long: a plain loop reaches the colon before a vectorised
    // search is under way.
    let colon = line.iter().position(|&b| b == b':')?;
    let name = line.get(..colon)?;
    let name_end = name
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    let valid = name_end > 0
        && name
            .get(..name_end)
            .is_some_and(|n| n.iter().all(|&b| (33..=126).contains(&b)));
    valid.then_some((name_end, colon))
}

fn make_field(
    message: &[u8],
    (start, name_end, value_start): (usize, usize, usize),
    value_end: usize,
) -> HeaderField<'_> {
    HeaderField {
        name: message.get(start..name_end).unwrap_or_default(),
        value: message
            .get(value_start..value_end.max(value_start))
            .unwrap_or_default(),
        offset: start,
        value_offset: value_start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_folding_and_body() {
        let message = b"A: 1\r\nB : two\r\n\tmore\r\nC:\r\n\r\nbody\r\n";
        let header = HeaderBlock::parse(message);
        let fields: Vec<_> = header
            .fields()
            .iter()
            .map(|f| (f.name(), f.value()))
            .collect();
        assert_eq!(
            fields,
            vec![
                (&b"A"[..], &b" 1"[..]),
                (b"B", b" two\r\n\tmore"),
                (b"C", b""),
            ]
        );
        assert_eq!(&message[header.body_offset()..], b"body\r\n");
        assert!(header.problems().is_empty());
    }

    #[test]
    fn bare_lf_and_missing_body() {
        let header = HeaderBlock::parse(b"A: 1\nB: 2\n");
        assert_eq!(header.fields().len(), 2);
        assert_eq!(header.problems()[0].kind, ProblemKind::UnterminatedHeader);
        let header = HeaderBlock::parse(b"A: 1");
        assert_eq!(header.fields()[0].value(), b" 1");
        assert_eq!(header.body_offset(), 4);
    }

    #[test]
    fn broken_lines_are_problems() {
        let header = HeaderBlock::parse(b" lead\r\nno colon here\r\nA: 1\r\n\r\n");
        assert_eq!(header.fields().len(), 1);
        let kinds: Vec<_> = header.problems().iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::ContinuationWithoutField,
                ProblemKind::HeaderLineWithoutColon
            ]
        );
        assert_eq!(header.fields()[0].value_offset(), 24);
    }
}
