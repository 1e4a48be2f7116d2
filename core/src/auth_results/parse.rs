//! The RFC 8601 §2.2 grammar, with RFC 5322 CFWS and RFC 2045 values.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{
    AuthResultsError, AuthResultsErrorKind as Kind, AuthenticationResults, MethodResult, Property,
};

/// How deeply comments may nest before the parser gives up.
const MAX_COMMENT_DEPTH: usize = 32;

/// `authres-payload`, RFC 8601 §2.2.
pub(super) fn payload(input: &[u8]) -> Result<AuthenticationResults<'_>, AuthResultsError> {
    let text = core::str::from_utf8(input).map_err(|e| AuthResultsError {
        kind: Kind::InvalidUtf8,
        offset: e.valid_up_to(),
    })?;
    let mut parser = Parser { text, position: 0 };
    let mut comments = Vec::new();
    parser.cfws(&mut comments)?;
    let authserv_id = parser
        .value()?
        .ok_or_else(|| parser.error(Kind::ExpectedAuthservId))?;
    parser.cfws(&mut comments)?;
    // authres-version = 1*DIGIT [CFWS]
    let version = match parser.digits() {
        Some(digits) => Some(parser.number(digits)?),
        None => None,
    };
    parser.cfws(&mut comments)?;
    let mut results = Vec::new();
    loop {
        if parser.at_end() {
            break;
        }
        if !parser.eat(b';') {
            return Err(parser.error(Kind::ExpectedSemicolon));
        }
        let mut resinfo_comments = Vec::new();
        parser.cfws(&mut resinfo_comments)?;
        if parser.at_end() {
            // A trailing ';' after the last resinfo: common, harmless.
            comments.append(&mut resinfo_comments);
            break;
        }
        let method = parser.keyword()?;
        parser.cfws(&mut resinfo_comments)?;
        // no-result = [CFWS] ";" [CFWS] "none"
        if results.is_empty() && method.eq_ignore_ascii_case("none") && parser.at_end() {
            comments.append(&mut resinfo_comments);
            break;
        }
        let result = parser.resinfo(method, resinfo_comments)?;
        results.push(result);
    }
    Ok(AuthenticationResults {
        authserv_id,
        version,
        results,
        comments,
    })
}

/// The authserv-id at the start of a field value, read leniently (the rest may be broken), for
/// the RFC 8601 §5 removal of forged instances.
pub fn authserv_id_of(value: &[u8]) -> Option<Cow<'_, str>> {
    let text = match core::str::from_utf8(value) {
        Ok(text) => text,
        Err(error) => core::str::from_utf8(value.get(..error.valid_up_to())?).ok()?,
    };
    let mut parser = Parser { text, position: 0 };
    parser.cfws(&mut Vec::new()).ok()?;
    parser.value().ok().flatten()
}

struct Parser<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Parser<'a> {
    /// `resinfo` after its method keyword: `[ [CFWS] "/" [CFWS] method-version ] [CFWS] "="
    /// [CFWS] result [ CFWS reasonspec ] [ CFWS 1*propspec ]`.
    fn resinfo(
        &mut self,
        method: &'a str,
        mut comments: Vec<Cow<'a, str>>,
    ) -> Result<MethodResult<'a>, AuthResultsError> {
        let mut method_version = None;
        if self.eat(b'/') {
            self.cfws(&mut comments)?;
            let digits = self
                .digits()
                .ok_or_else(|| self.error(Kind::InvalidVersion))?;
            method_version = Some(self.number(digits)?);
            self.cfws(&mut comments)?;
        }
        if !self.eat(b'=') {
            return Err(self.error(Kind::ExpectedEquals));
        }
        self.cfws(&mut comments)?;
        let result = self.keyword()?;
        let mut reason = None;
        let mut properties = Vec::new();
        loop {
            self.cfws(&mut comments)?;
            if self.at_end() || self.peek() == Some(b';') {
                break;
            }
            let name = self.keyword()?;
            self.cfws(&mut comments)?;
            if name.eq_ignore_ascii_case("reason")
                && self.peek() == Some(b'=')
                && properties.is_empty()
            {
                self.eat(b'=');
                self.cfws(&mut comments)?;
                reason = Some(
                    self.value()?
                        .ok_or_else(|| self.error(Kind::ExpectedValue))?,
                );
                continue;
            }
            // propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
            if !self.eat(b'.') {
                return Err(self.error(Kind::ExpectedDot));
            }
            self.cfws(&mut comments)?;
            let property = self.keyword()?;
            self.cfws(&mut comments)?;
            if !self.eat(b'=') {
                return Err(self.error(Kind::ExpectedEquals));
            }
            self.cfws(&mut comments)?;
            let value = self.pvalue()?;
            properties.push(Property {
                ptype: Cow::Borrowed(name),
                name: Cow::Borrowed(property),
                value,
            });
        }
        Ok(MethodResult {
            method: Cow::Borrowed(method),
            method_version,
            result: Cow::Borrowed(result),
            reason,
            properties,
            comments,
        })
    }

    /// `[CFWS]`: whitespace, line folds and comments; collects the comments' text.
    fn cfws(&mut self, comments: &mut Vec<Cow<'a, str>>) -> Result<(), AuthResultsError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.position += 1,
                Some(b'(') => comments.push(self.comment()?),
                _ => return Ok(()),
            }
        }
    }

    /// `comment = "(" *([FWS] ccontent) [FWS] ")"`, RFC 5322 §3.2.2; nested comments stay in
    /// the text, quoted-pairs are unescaped.
    fn comment(&mut self) -> Result<Cow<'a, str>, AuthResultsError> {
        let start = self.position;
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut escaped = false;
        let mut position = start;
        while let Some(&byte) = bytes.get(position) {
            match byte {
                b'\\' => {
                    escaped = true;
                    position += 2;
                    continue;
                }
                // Folding inside a comment is unfolded (RFC 5322 §2.2.3).
                b'\r' | b'\n' => escaped = true,
                b'(' => {
                    depth += 1;
                    if depth > MAX_COMMENT_DEPTH {
                        return Err(AuthResultsError {
                            kind: Kind::TooDeep,
                            offset: position,
                        });
                    }
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.position = position + 1;
                        let inner = self.text.get(start + 1..position).unwrap_or_default();
                        return Ok(if escaped {
                            Cow::Owned(unescape(inner))
                        } else {
                            Cow::Borrowed(inner)
                        });
                    }
                }
                _ => {}
            }
            position += 1;
        }
        Err(AuthResultsError {
            kind: Kind::Unterminated,
            offset: start,
        })
    }

    /// `value = token / quoted-string`, RFC 2045 §5.1; `None` if neither starts here.
    fn value(&mut self) -> Result<Option<Cow<'a, str>>, AuthResultsError> {
        if self.peek() == Some(b'"') {
            return self.quoted_string().map(Some);
        }
        let start = self.position;
        let len = self
            .rest()
            .bytes()
            .take_while(|&byte| is_token_char(byte))
            .count();
        if len == 0 {
            return Ok(None);
        }
        self.position += len;
        Ok(self.text.get(start..start + len).map(Cow::Borrowed))
    }

    /// `pvalue = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]`. Read as a
    /// quoted-string, or as a run up to whitespace, `;`, `(` or `"`, which covers tokens,
    /// addresses, domains and the unquoted base64 that many writers emit for `header.b`.
    fn pvalue(&mut self) -> Result<Cow<'a, str>, AuthResultsError> {
        if self.peek() == Some(b'"') {
            return self.quoted_string();
        }
        let start = self.position;
        let len = self
            .rest()
            .bytes()
            .take_while(|&byte| {
                !matches!(
                    byte,
                    b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"'
                ) && byte >= 0x20
                    && byte != 0x7f
            })
            .count();
        if len == 0 {
            return Err(self.error(Kind::ExpectedValue));
        }
        self.position += len;
        Ok(Cow::Borrowed(
            self.text.get(start..start + len).unwrap_or_default(),
        ))
    }

    /// `quoted-string`, RFC 5322 §3.2.4, unescaped; folding inside is unfolded.
    fn quoted_string(&mut self) -> Result<Cow<'a, str>, AuthResultsError> {
        let start = self.position;
        let bytes = self.text.as_bytes();
        let mut position = start + 1;
        let mut plain = true;
        while let Some(&byte) = bytes.get(position) {
            match byte {
                b'"' => {
                    self.position = position + 1;
                    let inner = self.text.get(start + 1..position).unwrap_or_default();
                    return Ok(if plain {
                        Cow::Borrowed(inner)
                    } else {
                        Cow::Owned(unescape(inner))
                    });
                }
                b'\\' => {
                    plain = false;
                    position += 2;
                }
                b'\r' | b'\n' => {
                    plain = false;
                    position += 1;
                }
                _ => position += 1,
            }
        }
        Err(AuthResultsError {
            kind: Kind::Unterminated,
            offset: start,
        })
    }

    /// `Keyword = Ldh-str` (RFC 5321), with `_` tolerated as some writers use it.
    fn keyword(&mut self) -> Result<&'a str, AuthResultsError> {
        let start = self.position;
        let len = self
            .rest()
            .bytes()
            .take_while(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_'))
            .count();
        if len == 0 {
            return Err(self.error(Kind::ExpectedKeyword));
        }
        self.position += len;
        Ok(self.text.get(start..start + len).unwrap_or_default())
    }

    fn digits(&mut self) -> Option<&'a str> {
        let start = self.position;
        let len = self.rest().bytes().take_while(u8::is_ascii_digit).count();
        // A version is digits standing alone; "1a" is no version.
        let after = self.rest().as_bytes().get(len).copied();
        if len == 0
            || after
                .is_some_and(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.')
        {
            return None;
        }
        self.position += len;
        self.text.get(start..start + len)
    }

    fn number(&self, digits: &str) -> Result<u32, AuthResultsError> {
        digits.parse().map_err(|_| self.error(Kind::InvalidVersion))
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.position..).unwrap_or_default()
    }

    fn at_end(&self) -> bool {
        self.position >= self.text.len()
    }

    fn error(&self, kind: Kind) -> AuthResultsError {
        AuthResultsError {
            kind,
            offset: self.position,
        }
    }
}

/// Removes quoted-pair backslashes and line folds.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            // A backslash before a line break escapes nothing (quoted-pair takes VCHAR or WSP,
            // RFC 5322 §3.2.1): the break is unfolded like any other.
            '\\' => match chars.next() {
                Some('\r' | '\n') | None => {}
                Some(next) => out.push(next),
            },
            '\r' | '\n' => {}
            _ => out.push(c),
        }
    }
    out
}

/// `token` characters of RFC 2045 §5.1: printable US-ASCII except SPACE and tspecials.
pub(super) fn is_token_char(byte: u8) -> bool {
    byte.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&byte)
}
