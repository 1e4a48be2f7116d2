//! The `tag=value` lists of [RFC 6376 §3.2](https://www.rfc-editor.org/rfc/rfc6376#section-3.2),
//! used by DKIM signatures and keys, ARC, DMARC, BIMI, MTA-STS and TLS-RPT records.
//!
//! ```text
//! tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//! tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//! tag-name  =  ALPHA *ALNUMPUNC
//! tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
//! tval      =  1*VALCHAR
//! VALCHAR   =  %x21-3A / %x3C-7E
//! ```
//!
//! Parsing borrows from the input. A tag named twice makes the whole list invalid (§3.2).
//!
//! ```
//! use tegami_core::tag_list::TagList;
//!
//! let list = TagList::parse(b"v=DKIM1; k=ed25519;\r\n p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")?;
//! assert_eq!(list.get("k"), Some("ed25519"));
//! assert_eq!(list.to_string(), "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
//! # Ok::<(), tegami_core::tag_list::TagListError>(())
//! ```

mod parse;

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;

/// A parsed tag-list: tags in the order written, no name twice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagList<'a> {
    tags: Vec<Tag<'a>>,
}

/// One `tag=value` pair. The value keeps any folding whitespace inside it as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag<'a> {
    name: &'a str,
    value: &'a str,
}

/// Why a tag-list is invalid, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at octet {offset}")]
pub struct TagListError {
    /// What is wrong.
    pub kind: TagListErrorKind,
    /// The octet offset into the input where it was found.
    pub offset: usize,
}

/// What is wrong with a tag-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TagListErrorKind {
    /// The list holds no tag at all.
    #[error("empty tag-list")]
    Empty,
    /// A tag name is missing or does not start with a letter.
    #[error("expected a tag name")]
    ExpectedName,
    /// A tag name is not followed by `=`.
    #[error("expected '='")]
    ExpectedEquals,
    /// A value holds an octet outside VALCHAR, or is not UTF-8.
    #[error("invalid character in tag value")]
    InvalidValue,
    /// Whitespace is not valid FWS (a CR or LF not in a CRLF followed by WSP).
    #[error("invalid folding whitespace")]
    InvalidWhitespace,
    /// A tag name occurs twice (RFC 6376 §3.2).
    #[error("duplicate tag")]
    DuplicateTag,
}

impl<'a> TagList<'a> {
    /// Parses a tag-list.
    ///
    /// Whitespace after the final `;` is accepted, as in `"v=DKIM1; p=...; "`, which DNS
    /// records often carry.
    ///
    /// # Errors
    ///
    /// [`TagListError`] with the offset of the first problem.
    pub fn parse(input: &'a [u8]) -> Result<TagList<'a>, TagListError> {
        parse::tag_list(input)
    }

    /// Builds a list for emission from tags made with [`Tag::new`].
    ///
    /// # Errors
    ///
    /// [`TagListErrorKind::DuplicateTag`] (offset: the index of the tag) if a name repeats.
    pub fn from_tags(tags: Vec<Tag<'a>>) -> Result<TagList<'a>, TagListError> {
        let mut names = None;
        for (index, tag) in tags.iter().enumerate() {
            if parse::is_duplicate(tags.get(..index).unwrap_or_default(), &mut names, tag.name) {
                return Err(TagListError {
                    kind: TagListErrorKind::DuplicateTag,
                    offset: index,
                });
            }
        }
        Ok(TagList { tags })
    }

    /// The value of the tag called `name` (tag names are case-sensitive, §3.2).
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.tags
            .iter()
            .find(|tag| parse::same_name(tag.name, name))
            .map(|tag| tag.value)
    }

    /// The tags in the order written.
    pub fn tags(&self) -> &[Tag<'a>] {
        &self.tags
    }

    /// Iterates over the tags.
    pub fn iter(&self) -> impl Iterator<Item = Tag<'a>> + '_ {
        self.tags.iter().copied()
    }

    /// How many tags the list holds.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// Whether the list holds no tag (only a list built by hand can).
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }
}

impl<'a> Tag<'a> {
    /// Makes a tag for emission, checking the name and value grammars.
    ///
    /// # Errors
    ///
    /// [`TagListErrorKind::ExpectedName`] or [`TagListErrorKind::InvalidValue`] (offset 0).
    pub fn new(name: &'a str, value: &'a str) -> Result<Tag<'a>, TagListError> {
        let error = |kind| TagListError { kind, offset: 0 };
        if parse::tag_name_len(name.as_bytes()) != name.len() || name.is_empty() {
            return Err(error(TagListErrorKind::ExpectedName));
        }
        if !parse::is_tag_value(value.as_bytes()) {
            return Err(error(TagListErrorKind::InvalidValue));
        }
        Ok(Tag { name, value })
    }

    /// The tag name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The value as written, folding whitespace inside it included.
    pub fn value(&self) -> &'a str {
        self.value
    }

    /// The value with every whitespace octet removed, as base64 values (`b=`, `bh=`, `p=`) and
    /// colon lists (`h=`) are read.
    pub fn value_without_whitespace(&self) -> Cow<'a, str> {
        without_whitespace(self.value)
    }
}

/// Removes every space, tab, CR and LF, borrowing when there are none.
pub fn without_whitespace(value: &str) -> Cow<'_, str> {
    let Some(mut cut) = parse::find_whitespace(value.as_bytes()) else {
        return Cow::Borrowed(value);
    };
    // Copy the runs between whitespace (folded base64 and lists have few, long runs). Every cut
    // is at an ASCII octet, so each run is whole UTF-8.
    let mut kept = String::with_capacity(value.len());
    let mut rest = value;
    while let Some((run, after)) = rest.split_at_checked(cut) {
        kept.push_str(run);
        let spaces = after
            .bytes()
            .take_while(|&byte| parse::is_whitespace(byte))
            .count();
        rest = after.get(spaces..).unwrap_or_default();
        match parse::find_whitespace(rest.as_bytes()) {
            Some(next) => cut = next,
            None => {
                kept.push_str(rest);
                break;
            }
        }
    }
    Cow::Owned(kept)
}

impl fmt::Display for TagList<'_> {
    /// Emits `name=value` pairs joined by `"; "`, the form signers write.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, tag) in self.tags.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}={}", tag.name, tag.value)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
