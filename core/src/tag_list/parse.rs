//! The RFC 6376 §3.2 grammar over bytes, in one pass.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::{Tag, TagList, TagListError, TagListErrorKind};

/// `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]`, RFC 6376 §3.2, with each
/// `tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]`.
pub(super) fn tag_list(input: &[u8]) -> Result<TagList<'_>, TagListError> {
    // Separators and names are ASCII and values must be UTF-8, so a valid list is valid UTF-8
    // as a whole: one check here lets every slice below be a `&str`.
    let text = core::str::from_utf8(input)
        .map_err(|utf8| error(TagListErrorKind::InvalidValue, utf8.valid_up_to()))?;
    let bytes = text.as_bytes();
    // Room for a DKIM signature's tags (fourteen at most) without growing.
    let mut tags: Vec<Tag<'_>> = Vec::with_capacity(16);
    // The names seen, once the list is long enough that comparing with each earlier one would
    // make a hostile list of many tags cost quadratic time.
    let mut names: Option<BTreeSet<&str>> = None;
    let mut spec_start = 0;
    loop {
        // A value cannot hold ';', so each tag-spec runs to the next one.
        let spec_end = memchr::memchr(b';', bytes.get(spec_start..).unwrap_or_default())
            .map_or(bytes.len(), |offset| spec_start + offset);
        let position = skip_fws(bytes, spec_start)?;
        if position == spec_end {
            if spec_end == bytes.len() && !tags.is_empty() {
                // Nothing, or only whitespace, after a final ";": accepted.
                break;
            }
            let kind = if tags.is_empty() && spec_end == bytes.len() {
                TagListErrorKind::Empty
            } else {
                TagListErrorKind::ExpectedName
            };
            return Err(error(
                kind,
                if kind == TagListErrorKind::Empty {
                    0
                } else {
                    position
                },
            ));
        }
        let tag = tag_spec(text, position, spec_end)?;
        if is_duplicate(&tags, &mut names, tag.name) {
            return Err(error(TagListErrorKind::DuplicateTag, spec_start));
        }
        tags.push(tag);
        if spec_end == bytes.len() {
            break;
        }
        spec_start = spec_end + 1;
    }
    Ok(TagList { tags })
}

/// One `tag-spec` from `start` (after its leading FWS) to `end` (its `;` or the end).
fn tag_spec(text: &str, start: usize, end: usize) -> Result<Tag<'_>, TagListError> {
    let bytes = text.as_bytes();
    // tag-name = ALPHA *ALNUMPUNC
    let name_len = tag_name_len(bytes.get(start..end).unwrap_or_default());
    if name_len == 0 {
        return Err(error(TagListErrorKind::ExpectedName, start));
    }
    let name = text.get(start..start + name_len).unwrap_or_default();
    let mut position = skip_fws(bytes, start + name_len)?;
    if bytes.get(position) != Some(&b'=') {
        return Err(error(TagListErrorKind::ExpectedEquals, position));
    }
    position = skip_fws(bytes, position + 1)?;
    let region = bytes.get(position..end).unwrap_or_default();
    // Most values hold no whitespace: one branch-free pass proves every octet is a VALCHAR
    // (or part of UTF-8). `;` cannot occur, the split above saw to that.
    let plain = region
        .iter()
        .fold(0u8, |bad, &byte| bad | u8::from(!is_value_octet(byte)))
        == 0;
    let value_end = if plain {
        end
    } else {
        value_end_with_whitespace(bytes, position, end)?
    };
    let value = text.get(position..value_end).unwrap_or_default();
    Ok(Tag { name, value })
}

/// `tag-value = [ tval *( 1*(WSP / FWS) tval ) ] [FWS]` over `[start, end)`: checks the
/// folding and returns where the value ends (after its last VALCHAR).
///
/// Folded values (base64 and header lists run to hundreds of octets) take a fast path: one
/// vectorised pass shows that every octet is a VALCHAR or whitespace, each CR or LF is checked
/// to be part of a fold, and the whitespace at the end is trimmed. Anything else goes through
/// [`value_end_octet_by_octet`], which finds the first problem.
pub(super) fn value_end_with_whitespace(
    bytes: &[u8],
    start: usize,
    end: usize,
) -> Result<usize, TagListError> {
    let region = bytes.get(start..end).unwrap_or_default();
    let odd = region.iter().fold(0u8, |odd, &byte| {
        odd | u8::from(!is_value_octet(byte) & !is_whitespace(byte))
    });
    if odd != 0 {
        return value_end_octet_by_octet(bytes, start, end);
    }
    let mut from = 0;
    while let Some(found) = memchr::memchr2(b'\r', b'\n', region.get(from..).unwrap_or_default()) {
        let at = from + found;
        let folded = region.get(at..at + 2) == Some(b"\r\n")
            && matches!(region.get(at + 2), Some(b' ' | b'\t'));
        if !folded {
            return Err(error(TagListErrorKind::InvalidWhitespace, start + at));
        }
        from = at + 3;
    }
    let trailing = region
        .iter()
        .rev()
        .take_while(|&&byte| is_whitespace(byte))
        .count();
    Ok(end - trailing)
}

/// Space, tab, CR or LF.
pub(super) fn is_whitespace(byte: u8) -> bool {
    (byte == b' ') | (byte == b'\t') | (byte == b'\r') | (byte == b'\n')
}

/// [`value_end_with_whitespace`] one octet at a time: the first octet outside the grammar is
/// the error.
pub(super) fn value_end_octet_by_octet(
    bytes: &[u8],
    start: usize,
    end: usize,
) -> Result<usize, TagListError> {
    let mut position = start;
    let mut value_end = start;
    while let Some(&byte) = bytes.get(position).filter(|_| position < end) {
        let run = bytes
            .get(position..end)
            .unwrap_or_default()
            .iter()
            .take_while(|&&byte| is_value_octet(byte))
            .count();
        if run > 0 {
            position += run;
            value_end = position;
            continue;
        }
        match byte {
            b' ' | b'\t' => position += 1,
            b'\r'
                if bytes.get(position + 1) == Some(&b'\n')
                    && matches!(bytes.get(position + 2), Some(b' ' | b'\t')) =>
            {
                position += 3;
            }
            b'\r' | b'\n' => return Err(error(TagListErrorKind::InvalidWhitespace, position)),
            _ => return Err(error(TagListErrorKind::InvalidValue, position)),
        }
    }
    Ok(value_end)
}

/// The offset of the first whitespace octet of `bytes`: sixteen octets are tested at a time
/// without an early exit, which the compiler vectorises, and only the block that holds one is
/// searched octet by octet.
pub(super) fn find_whitespace(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 16;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut offset = 0;
    for block in &mut blocks {
        // A bool accumulator would leave part of the test scalar.
        let found = block
            .iter()
            .fold(0u8, |found, &byte| found | u8::from(is_whitespace(byte)));
        if found != 0 {
            return block
                .iter()
                .position(|&byte| is_whitespace(byte))
                .map(|index| offset + index);
        }
        offset += BLOCK;
    }
    blocks
        .remainder()
        .iter()
        .position(|&byte| is_whitespace(byte))
        .map(|index| offset + index)
}

/// `VALCHAR = %x21-3A / %x3C-7E`, or an octet of UTF-8 (checked elsewhere). `;` is left out by
/// the callers, which never look past one.
fn is_value_octet(byte: u8) -> bool {
    (byte >= 0x21) & (byte != 0x7f)
}

/// `tag-name = ALPHA *ALNUMPUNC`: the length of the name at the start of `input`, 0 if none.
pub(super) fn tag_name_len(input: &[u8]) -> usize {
    match input.first() {
        Some(first) if first.is_ascii_alphabetic() => input
            .iter()
            .take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'_')
            .count(),
        _ => 0,
    }
}

/// Whether `value` is a whole `tag-value` (UTF-8 allowed in `tval` for internationalised
/// identities, RFC 8616 §4).
pub(super) fn is_tag_value(value: &[u8]) -> bool {
    let edge_ok = |byte: Option<&u8>| byte.is_none_or(|&b| is_value_octet(b) && b != b';');
    edge_ok(value.first())
        && edge_ok(value.last())
        && !value.contains(&b';')
        && value_end_with_whitespace(value, 0, value.len()) == Ok(value.len())
        && core::str::from_utf8(value).is_ok()
}

/// Skips `[FWS]` (any run of WSP, with CRLF only when WSP follows), returning the new offset.
fn skip_fws(input: &[u8], mut position: usize) -> Result<usize, TagListError> {
    loop {
        match input.get(position) {
            Some(b' ' | b'\t') => position += 1,
            Some(b'\r') => {
                let folded = input.get(position + 1) == Some(&b'\n')
                    && matches!(input.get(position + 2), Some(b' ' | b'\t'));
                if !folded {
                    return Err(error(TagListErrorKind::InvalidWhitespace, position));
                }
                position += 3;
            }
            Some(b'\n') => return Err(error(TagListErrorKind::InvalidWhitespace, position)),
            _ => return Ok(position),
        }
    }
}

fn error(kind: TagListErrorKind, offset: usize) -> TagListError {
    TagListError { kind, offset }
}

/// Whether `name` is among the names of `earlier` (which `names` holds too, once made): a look
/// along the list while it is short, a set past [`SHORT_LIST`] tags. The caller pushes the tag
/// after a `false`.
pub(super) fn is_duplicate<'t>(
    earlier: &[Tag<'t>],
    names: &mut Option<BTreeSet<&'t str>>,
    name: &'t str,
) -> bool {
    if let Some(names) = names {
        return !names.insert(name);
    }
    if earlier.iter().any(|tag| same_name(tag.name, name)) {
        return true;
    }
    if earlier.len() >= SHORT_LIST {
        *names = Some(earlier.iter().map(|tag| tag.name).chain([name]).collect());
    }
    false
}

/// Past this many tags, names are kept in a set (a DKIM signature has at most 14 tags).
const SHORT_LIST: usize = 16;

/// Name equality without a library call: names are a few octets long.
pub(super) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}
