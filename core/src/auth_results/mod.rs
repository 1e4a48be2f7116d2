//! The Authentication-Results header field of
//! [RFC 8601](https://www.rfc-editor.org/rfc/rfc8601): model, parse and emit.
//!
//! ```text
//! authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
//!                   ( no-result / 1*resinfo ) [CFWS] CRLF
//! resinfo         = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
//! methodspec      = [CFWS] method [CFWS] "=" [CFWS] result
//! propspec        = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
//! ```
//!
//! Parsing keeps comments apart from values, so `header.d=legit.example(.attacker.example`
//! reads as the domain `legit.example` and a comment (attack A4 of "Composition Kills").
//! Emitting quotes every value that is not a token or an address, so what we write is read back
//! the same by any RFC 8601 parser.
//!
//! ```
//! use tegami_core::auth_results::{AuthenticationResults, MethodResult};
//!
//! let mut header = AuthenticationResults::new("mx.example.org");
//! header.results.push(
//!     MethodResult::new("spf", "pass").with_property("smtp", "mailfrom", "sender@example.com"),
//! );
//! let field = header.to_field();
//! assert_eq!(field, "Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=sender@example.com");
//! let value = field.strip_prefix("Authentication-Results:").unwrap_or_default();
//! assert_eq!(AuthenticationResults::parse(value.as_bytes())?, header);
//! # Ok::<(), tegami_core::auth_results::AuthResultsError>(())
//! ```

mod emit;
mod parse;

use alloc::borrow::Cow;
use alloc::vec::Vec;

pub use parse::authserv_id_of;

/// One Authentication-Results field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationResults<'a> {
    /// Who did the checks (§2.5); compared case-insensitively.
    pub authserv_id: Cow<'a, str>,
    /// The `authres-version`, when written (only 1 is defined).
    pub version: Option<u32>,
    /// The results; empty means `none` (§2.2: no authentication was done).
    pub results: Vec<MethodResult<'a>>,
    /// Comments outside any result (around the authserv-id and version), without parentheses.
    pub comments: Vec<Cow<'a, str>>,
}

/// One `resinfo`: a method, its result, an optional reason and properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult<'a> {
    /// The method (`spf`, `dkim`, `arc`, `dmarc`, `iprev`, `auth`, ...).
    pub method: Cow<'a, str>,
    /// The method version (`dkim/1`), when written.
    pub method_version: Option<u32>,
    /// The result keyword (`pass`, `fail`, `none`, ...).
    pub result: Cow<'a, str>,
    /// The `reason=` text (§2.2).
    pub reason: Option<Cow<'a, str>>,
    /// The `ptype.property=value` items, in order.
    pub properties: Vec<Property<'a>>,
    /// Comments found inside this resinfo, in order, without their parentheses.
    pub comments: Vec<Cow<'a, str>>,
}

/// One `ptype.property=pvalue` item (`smtp.mailfrom=...`, `header.d=...`, `policy.dmarc=...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property<'a> {
    /// The property type: `smtp`, `header`, `body`, `policy` (§2.3).
    pub ptype: Cow<'a, str>,
    /// The property name.
    pub name: Cow<'a, str>,
    /// The value, unquoted.
    pub value: Cow<'a, str>,
}

/// Why a field could not be parsed, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at octet {offset}")]
pub struct AuthResultsError {
    /// What is wrong.
    pub kind: AuthResultsErrorKind,
    /// The octet offset into the field value.
    pub offset: usize,
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthResultsErrorKind {
    /// No authserv-id.
    #[error("expected an authserv-id")]
    ExpectedAuthservId,
    /// Neither `; none` nor a resinfo follows the authserv-id.
    #[error("expected ';'")]
    ExpectedSemicolon,
    /// A method, result, ptype or property keyword is missing.
    #[error("expected a keyword")]
    ExpectedKeyword,
    /// A `=` is missing.
    #[error("expected '='")]
    ExpectedEquals,
    /// A `.` between ptype and property is missing.
    #[error("expected '.'")]
    ExpectedDot,
    /// A value is missing or malformed.
    #[error("expected a value")]
    ExpectedValue,
    /// A version is not a number.
    #[error("invalid version")]
    InvalidVersion,
    /// A comment or quoted string is not closed.
    #[error("unterminated comment or quoted string")]
    Unterminated,
    /// The field is not UTF-8 (RFC 6532 allows UTF-8, nothing else).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// Comments nest deeper than the parser follows.
    #[error("comments nested too deeply")]
    TooDeep,
}

impl<'a> AuthenticationResults<'a> {
    /// Starts a field for `authserv_id` with no results (`none`).
    pub fn new(authserv_id: impl Into<Cow<'a, str>>) -> AuthenticationResults<'a> {
        AuthenticationResults {
            authserv_id: authserv_id.into(),
            version: None,
            results: Vec::new(),
            comments: Vec::new(),
        }
    }

    /// Parses a field value (what follows `Authentication-Results:`), folded or not.
    ///
    /// # Errors
    ///
    /// [`AuthResultsError`] with the offset of the first problem.
    pub fn parse(value: &'a [u8]) -> Result<AuthenticationResults<'a>, AuthResultsError> {
        parse::payload(value)
    }

    /// The results of `method` (compared case-insensitively).
    pub fn results_of<'s>(&'s self, method: &'s str) -> impl Iterator<Item = &'s MethodResult<'a>> {
        self.results
            .iter()
            .filter(move |result| result.method.eq_ignore_ascii_case(method))
    }

    /// Whether this field claims to come from `authserv_id` (case-insensitive).
    pub fn is_from(&self, authserv_id: &str) -> bool {
        self.authserv_id.eq_ignore_ascii_case(authserv_id)
    }

    /// Copies every borrowed part, so the value outlives the input.
    pub fn into_owned(self) -> AuthenticationResults<'static> {
        AuthenticationResults {
            authserv_id: Cow::Owned(self.authserv_id.into_owned()),
            version: self.version,
            results: self
                .results
                .into_iter()
                .map(MethodResult::into_owned)
                .collect(),
            comments: owned_all(self.comments),
        }
    }
}

impl<'a> MethodResult<'a> {
    /// A result of `method` with no reason and no properties.
    pub fn new(
        method: impl Into<Cow<'a, str>>,
        result: impl Into<Cow<'a, str>>,
    ) -> MethodResult<'a> {
        MethodResult {
            method: method.into(),
            method_version: None,
            result: result.into(),
            reason: None,
            properties: Vec::new(),
            comments: Vec::new(),
        }
    }

    /// Adds a `ptype.name=value` property.
    #[must_use]
    pub fn with_property(
        mut self,
        ptype: impl Into<Cow<'a, str>>,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> MethodResult<'a> {
        self.properties.push(Property {
            ptype: ptype.into(),
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Sets the `reason=` text.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<Cow<'a, str>>) -> MethodResult<'a> {
        self.reason = Some(reason.into());
        self
    }

    /// Adds a comment, written after the result.
    #[must_use]
    pub fn with_comment(mut self, comment: impl Into<Cow<'a, str>>) -> MethodResult<'a> {
        self.comments.push(comment.into());
        self
    }

    /// The value of the property `ptype.name` (compared case-insensitively).
    pub fn property(&self, ptype: &str, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.ptype.eq_ignore_ascii_case(ptype) && p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_ref())
    }

    /// Copies every borrowed part.
    pub fn into_owned(self) -> MethodResult<'static> {
        MethodResult {
            method: Cow::Owned(self.method.into_owned()),
            method_version: self.method_version,
            result: Cow::Owned(self.result.into_owned()),
            reason: self.reason.map(|reason| Cow::Owned(reason.into_owned())),
            properties: self
                .properties
                .into_iter()
                .map(|p| Property {
                    ptype: Cow::Owned(p.ptype.into_owned()),
                    name: Cow::Owned(p.name.into_owned()),
                    value: Cow::Owned(p.value.into_owned()),
                })
                .collect(),
            comments: owned_all(self.comments),
        }
    }
}

/// Copies each borrowed text of a list.
fn owned_all(texts: Vec<Cow<'_, str>>) -> Vec<Cow<'static, str>> {
    texts
        .into_iter()
        .map(|text| Cow::Owned(text.into_owned()))
        .collect()
}

/// Removes every Authentication-Results field that claims `authserv_id`, as an MTA must do with
/// incoming mail before it adds its own (RFC 8601 §5). Returns how many were removed.
///
/// `field` tells the name and raw value of an item. Fields that do not parse are judged by
/// their leading authserv-id alone ([`authserv_id_of`]), so a malformed forgery goes too.
///
/// ```
/// use tegami_core::auth_results::remove_own_instances;
///
/// let mut fields: Vec<(&str, &[u8])> = vec![
///     ("Authentication-Results", b" mx.example.org; spf=pass smtp.mailfrom=a@b.example"),
///     ("authentication-results", b" MX.Example.Org; dkim=pass ((broken"),
///     ("Authentication-Results", b" other.example; spf=fail"),
///     ("Subject", b" hello"),
/// ];
/// assert_eq!(remove_own_instances(&mut fields, "mx.example.org", |f| (f.0, f.1)), 2);
/// assert_eq!(fields.len(), 2);
/// ```
pub fn remove_own_instances<T>(
    fields: &mut Vec<T>,
    authserv_id: &str,
    field: impl Fn(&T) -> (&str, &[u8]),
) -> usize {
    let before = fields.len();
    fields.retain(|item| {
        let (name, value) = field(item);
        let claims = name.trim().eq_ignore_ascii_case("Authentication-Results")
            && authserv_id_of(value).is_some_and(|id| id.eq_ignore_ascii_case(authserv_id));
        !claims
    });
    before - fields.len()
}

#[cfg(test)]
mod tests;
