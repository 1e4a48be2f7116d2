//! The lexical layer of RFC 5322 §3.2 for structured fields: atoms, quoted-strings,
//! domain-literals, comments and specials.

use crate::problem::{Problem, ProblemKind};

/// One lexical token of a structured header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) kind: TokenKind,
    /// The token as written: for a quoted-string or domain-literal, with its delimiters.
    pub(crate) text: &'a [u8],
    /// Offset in the lexed input.
    pub(crate) offset: usize,
    /// Whether white space or a comment came just before it.
    pub(crate) spaced: bool,
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `atext` run (RFC 5322 §3.2.3), including octets above 127 (RFC 6532).
    Atom,
    /// `"..."` (§3.2.4).
    QuotedString,
    /// `[...]` (§3.4.1).
    DomainLiteral,
    /// One of `specials` (§3.2.3) other than `"`, `(`, `)` and `[`.
    Special(u8),
}

/// Splits `input` into tokens; comments and white space are dropped (a comment only marks the
/// next token as spaced). Problems carry offsets relative to `input` plus `base`.
pub(crate) fn tokenize<'a>(
    input: &'a [u8],
    base: usize,
    problems: &mut Vec<Problem>,
) -> Vec<Token<'a>> {
    // About a token per three octets in an address (`a@b.example` is five); capped, so that a
    // long field of white space does not reserve more than it will use.
    let mut tokens = Vec::with_capacity((input.len() / 3 + 1).min(64));
    let mut position = 0;
    let mut spaced = false;
    while let Some(&b) = input.get(position) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                spaced = true;
                position += 1;
            }
            b'(' => {
                let end = skip_comment(input, position);
                if end.is_none() {
                    problems.push(Problem {
                        offset: base + position,
                        kind: ProblemKind::UnterminatedComment,
                    });
                }
                position = end.unwrap_or(input.len());
                spaced = true;
            }
            b'"' => {
                let end = skip_quoted(input, position + 1, b'"');
                if end.is_none() {
                    problems.push(Problem {
                        offset: base + position,
                        kind: ProblemKind::UnterminatedQuotedString,
                    });
                }
                let end = end.unwrap_or(input.len());
                tokens.push(Token {
                    kind: TokenKind::QuotedString,
                    text: input.get(position..end).unwrap_or_default(),
                    offset: base + position,
                    spaced,
                });
                position = end;
                spaced = false;
            }
            b'[' => {
                let end = skip_quoted(input, position + 1, b']');
                if end.is_none() {
                    problems.push(Problem {
                        offset: base + position,
                        kind: ProblemKind::UnterminatedDomainLiteral,
                    });
                }
                let end = end.unwrap_or(input.len());
                tokens.push(Token {
                    kind: TokenKind::DomainLiteral,
                    text: input.get(position..end).unwrap_or_default(),
                    offset: base + position,
                    spaced,
                });
                position = end;
                spaced = false;
            }
            b'<' | b'>' | b'@' | b',' | b';' | b':' | b'.' | b'\\' | b')' | b']' => {
                if b == b'\\' {
                    problems.push(Problem {
                        offset: base + position,
                        kind: ProblemKind::QuotedPairOutsideQuotes,
                    });
                }
                tokens.push(Token {
                    kind: TokenKind::Special(b),
                    text: input.get(position..=position).unwrap_or_default(),
                    offset: base + position,
                    spaced,
                });
                position += 1;
                spaced = false;
            }
            _ => {
                let length = input
                    .get(position..)
                    .unwrap_or_default()
                    .iter()
                    .position(|&c| !is_atext(c))
                    .unwrap_or(input.len() - position)
                    .max(1);
                tokens.push(Token {
                    kind: TokenKind::Atom,
                    text: input.get(position..position + length).unwrap_or_default(),
                    offset: base + position,
                    spaced,
                });
                position += length;
                spaced = false;
            }
        }
    }
    tokens
}

/// `atext` of RFC 5322 §3.2.3, widened to every octet above 127 (RFC 6532 §3.2) and to
/// control octets other than white space, which are flagged elsewhere rather than split on.
fn is_atext(b: u8) -> bool {
    !matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b':'
            | b';'
            | b'@'
            | b'\\'
            | b','
            | b'.'
            | b'"'
    )
}

/// The end (just past the `)`) of the comment starting at `start`, comments nesting
/// (§3.2.2); `None` if it never closes.
fn skip_comment(input: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut position = start;
    while let Some(&b) = input.get(position) {
        match b {
            b'\\' => position += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(position + 1);
                }
            }
            _ => {}
        }
        position += 1;
    }
    None
}

/// The end (just past `close`) of a quoted-string or domain-literal whose content starts at
/// `start`, honouring quoted-pairs; `None` if it never closes.
fn skip_quoted(input: &[u8], start: usize, close: u8) -> Option<usize> {
    let mut position = start;
    while let Some(&b) = input.get(position) {
        if b == b'\\' {
            position += 2;
            continue;
        }
        if b == close {
            return Some(position + 1);
        }
        position += 1;
    }
    None
}

/// The content of a quoted-string token with quoted-pairs resolved and folding removed
/// (§3.2.4).
pub(crate) fn unquote(text: &[u8]) -> Vec<u8> {
    let inner = text.strip_prefix(b"\"").unwrap_or(text);
    let inner = inner.strip_suffix(b"\"").unwrap_or(inner);
    let mut out = Vec::with_capacity(inner.len());
    let mut iter = inner.iter().copied();
    while let Some(b) = iter.next() {
        match b {
            b'\\' => {
                if let Some(next) = iter.next() {
                    out.push(next);
                }
            }
            b'\r' | b'\n' => {}
            _ => out.push(b),
        }
    }
    out
}
