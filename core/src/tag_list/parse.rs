//! The RFC 6376 §3.2 grammar over bytes.

use alloc::vec::Vec;

use super::{Tag, TagList, TagListError, TagListErrorKind};

/// `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]`, RFC 6376 §3.2.
pub(super) fn tag_list(input: &[u8]) -> Result<TagList<'_>, TagListError> {
    let mut tags: Vec<Tag<'_>> = Vec::new();
    let mut position = 0;
    loop {
        let start = position;
        position = skip_fws(input, position)?;
        if position == input.len() {
            if tags.is_empty() {
                return Err(error(TagListErrorKind::Empty, 0));
            }
            // Whitespace after a final ";": accepted (see `TagList::parse`).
            break;
        }
        let (tag, end) = tag_spec(input, position)?;
        if tags.iter().any(|earlier| earlier.name == tag.name) {
            return Err(error(TagListErrorKind::DuplicateTag, start));
        }
        tags.push(tag);
        position = end;
        match input.get(position) {
            None => break,
            Some(b';') => {
                position += 1;
                if position == input.len() {
                    break;
                }
            }
            Some(_) => return Err(error(TagListErrorKind::InvalidValue, position)),
        }
    }
    Ok(TagList { tags })
}

/// `tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]`; starts after the leading FWS
/// and returns the tag and the offset after the trailing FWS.
fn tag_spec(input: &[u8], start: usize) -> Result<(Tag<'_>, usize), TagListError> {
    let rest = input.get(start..).unwrap_or_default();
    let name_len = tag_name_len(rest);
    if name_len == 0 {
        return Err(error(TagListErrorKind::ExpectedName, start));
    }
    let name_end = start + name_len;
    let mut position = skip_fws(input, name_end)?;
    if input.get(position) != Some(&b'=') {
        return Err(error(TagListErrorKind::ExpectedEquals, position));
    }
    position = skip_fws(input, position + 1)?;
    let value_start = position;
    // The value runs to the next ';' or the end; trailing FWS is not part of it.
    let value_end_limit = input
        .get(value_start..)
        .unwrap_or_default()
        .iter()
        .position(|&byte| byte == b';')
        .map_or(input.len(), |offset| value_start + offset);
    let raw = input.get(value_start..value_end_limit).unwrap_or_default();
    let trimmed_len = raw.len() - raw.iter().rev().take_while(|b| is_fws_octet(**b)).count();
    let value = raw.get(..trimmed_len).unwrap_or_default();
    check_value(value, value_start)?;
    let after_value = skip_fws(input, value_start + trimmed_len)?;
    if after_value != value_end_limit {
        return Err(error(TagListErrorKind::InvalidWhitespace, after_value));
    }
    let name = core::str::from_utf8(input.get(start..name_end).unwrap_or_default())
        .map_err(|_| error(TagListErrorKind::ExpectedName, start))?;
    let value = core::str::from_utf8(value)
        .map_err(|_| error(TagListErrorKind::InvalidValue, value_start))?;
    Ok((Tag { name, value }, value_end_limit))
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

/// Whether `value` is a whole `tag-value`.
pub(super) fn is_tag_value(value: &[u8]) -> bool {
    let starts_or_ends_with_space = value.first().is_some_and(|b| is_fws_octet(*b))
        || value.last().is_some_and(|b| is_fws_octet(*b));
    !starts_or_ends_with_space
        && check_value(value, 0).is_ok()
        && core::str::from_utf8(value).is_ok()
}

/// `tag-value = [ tval *( 1*(WSP / FWS) tval ) ]`, with UTF-8 allowed in `tval` for
/// internationalised identities (RFC 8616 §4).
fn check_value(value: &[u8], base: usize) -> Result<(), TagListError> {
    let mut position = 0;
    while let Some(&byte) = value.get(position) {
        if is_fws_octet(byte) {
            let end = skip_fws(value, position).map_err(|e| error(e.kind, base + e.offset))?;
            position = end;
        } else if is_valchar(byte) || byte >= 0x80 {
            position += 1;
        } else {
            return Err(error(TagListErrorKind::InvalidValue, base + position));
        }
    }
    Ok(())
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
                position += 2;
            }
            Some(b'\n') => return Err(error(TagListErrorKind::InvalidWhitespace, position)),
            _ => return Ok(position),
        }
    }
}

fn is_fws_octet(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// `VALCHAR = %x21-3A / %x3C-7E`.
fn is_valchar(byte: u8) -> bool {
    matches!(byte, 0x21..=0x3a | 0x3c..=0x7e)
}

fn error(kind: TagListErrorKind, offset: usize) -> TagListError {
    TagListError { kind, offset }
}
