//! The header block of a message, split into fields without copying them.

use alloc::vec::Vec;
use core::ops::Range;

use crate::canon::{Canonicalization, canonicalize_header, canonicalize_without_signature_value};

/// The fields of a header block, in message order.
#[derive(Debug, Clone, Default)]
pub struct HeaderFields {
    fields: Vec<Field>,
}

/// One field: where it is in the block, without its final CRLF, and where its name ends.
#[derive(Debug, Clone)]
pub struct Field {
    span: Range<usize>,
    name_end: usize,
}

impl HeaderFields {
    /// Splits `block` (the header block, with or without the empty line that ends it) into
    /// fields; a line that starts with whitespace continues the field before it (RFC 5322 §2.2.3).
    pub fn split(block: &[u8]) -> HeaderFields {
        // Room for a usual header without growing.
        let mut fields: Vec<Field> = Vec::with_capacity(32);
        // One search for line feeds over the whole block, rather than one per line; a line
        // ends at the first CRLF inside it.
        let mut crlfs = memchr::memchr_iter(b'\n', block)
            .filter_map(|lf| lf.checked_sub(1))
            .filter(|&cr| block.get(cr) == Some(&b'\r'));
        let mut start = 0;
        while start < block.len() {
            let line_end = crlfs.find(|&cr| cr >= start).unwrap_or(block.len());
            if line_end == start {
                // The empty line: the header block ends here.
                break;
            }
            let continues = block
                .get(start)
                .is_some_and(|&byte| byte == b' ' || byte == b'\t');
            match fields.last_mut() {
                Some(field) if continues => field.span.end = line_end,
                _ => {
                    let line = block.get(start..line_end).unwrap_or_default();
                    let name_end = memchr::memchr(b':', line).map_or(line_end, |colon| {
                        start + line.get(..colon).unwrap_or_default().trim_ascii_end().len()
                    });
                    fields.push(Field {
                        span: start..line_end,
                        name_end,
                    });
                }
            }
            start = line_end + 2;
        }
        HeaderFields { fields }
    }

    /// The fields, first to last.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Field> {
        self.fields.iter()
    }

    /// The field at `index` in message order.
    pub fn get(&self, index: usize) -> Option<&Field> {
        self.fields.get(index)
    }

    /// How many fields the block holds.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the block holds no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Picks the instances `names` sign, each name taking the lowest instance not yet taken
    /// (RFC 6376 §5.4.2); a name with no instance left picks nothing (the null string).
    pub fn select<'f, 'n>(
        &'f self,
        block: &'f [u8],
        names: impl Iterator<Item = &'n str>,
    ) -> impl Iterator<Item = Option<&'f Field>> {
        // Each field's name reduced to its length and lower-cased first octet: a name is
        // compared in full only with the fields whose key is its own, and a field once taken
        // gets the key of the empty name, which is never looked for.
        let mut keys: Vec<(usize, u8)> = self
            .fields
            .iter()
            .map(|field| name_key(field.name(block)))
            .collect();
        names.map(move |name| {
            let key = name_key(name.as_bytes());
            if key == EMPTY_NAME {
                return None;
            }
            let (index, _) = keys.iter().enumerate().rev().find(|&(index, &other)| {
                other == key
                    && self.fields.get(index).is_some_and(|field| {
                        field.name(block).eq_ignore_ascii_case(name.as_bytes())
                    })
            })?;
            if let Some(slot) = keys.get_mut(index) {
                *slot = EMPTY_NAME;
            }
            self.fields.get(index)
        })
    }
}

/// The key of a field name for [`HeaderFields::select`]: its length and its first octet in
/// lower case.
fn name_key(name: &[u8]) -> (usize, u8) {
    (name.len(), name.first().map_or(0, u8::to_ascii_lowercase))
}

/// The key of the empty name.
const EMPTY_NAME: (usize, u8) = (0, 0);

impl Field {
    /// The field name as written.
    pub fn name<'b>(&self, block: &'b [u8]) -> &'b [u8] {
        block
            .get(self.span.start..self.name_end)
            .unwrap_or_default()
    }

    /// The whole field without its final CRLF.
    pub fn raw<'b>(&self, block: &'b [u8]) -> &'b [u8] {
        block.get(self.span.clone()).unwrap_or_default()
    }

    /// The value: everything after the colon, folding included.
    pub fn value<'b>(&self, block: &'b [u8]) -> &'b [u8] {
        let raw = self.raw(block);
        memchr::memchr(b':', raw)
            .and_then(|colon| raw.get(colon + 1..))
            .unwrap_or_default()
    }
}

/// The data a DKIM or ARC signature signs (RFC 6376 §3.7): the fields `names` select from
/// `block`, each canonicalized and ended with CRLF, then `signature_field` (the signature's own
/// field, whose `b=` value is left out here) canonicalized without a CRLF.
pub(crate) fn signed_data<'n>(
    block: &[u8],
    fields: &HeaderFields,
    names: impl Iterator<Item = &'n str>,
    algorithm: Canonicalization,
    signature_field: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(block.len().min(4096) + signature_field.len());
    for field in fields.select(block, names).flatten() {
        canonicalize_header(algorithm, field.raw(block), &mut out);
        out.extend_from_slice(b"\r\n");
    }
    canonicalize_without_signature_value(algorithm, signature_field, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_crlf_ends_a_line() {
        let block = b"\nA: 1\nB: 2\r\nC: x\r\r\nD: \r\n\ny\r\nE";
        let fields = HeaderFields::split(block);
        let raws: Vec<&[u8]> = fields.iter().map(|field| field.raw(block)).collect();
        assert_eq!(
            raws,
            [&b"\nA: 1\nB: 2"[..], b"C: x\r", b"D: ", b"\ny", b"E"]
        );
    }

    #[test]
    fn folded_fields_and_bottom_up_selection() {
        let block = b"From: a\r\nSubject: one\r\n two\r\nFrom : b\r\nX:y\r\n\r\n";
        let fields = HeaderFields::split(block);
        let names: Vec<&[u8]> = fields.iter().map(|field| field.name(block)).collect();
        assert_eq!(names, [&b"From"[..], b"Subject", b"From", b"X"]);
        assert_eq!(fields.fields[1].raw(block), b"Subject: one\r\n two");
        let picked: Vec<Option<&Field>> = fields
            .select(block, ["from", "FROM", "from", "subject"].into_iter())
            .collect();
        let raws: Vec<Option<&[u8]>> = picked.iter().map(|f| f.map(|f| f.raw(block))).collect();
        assert_eq!(
            raws,
            [
                Some(&b"From : b"[..]),
                Some(b"From: a"),
                None,
                Some(b"Subject: one\r\n two")
            ]
        );
    }
}
