//! Writing fields: folded at 78 columns, values quoted unless they are tokens or addresses.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use super::parse::is_token_char;
use super::{AuthenticationResults, MethodResult};

/// The line length emitters aim for (RFC 5322 §2.1.1).
const LINE_LIMIT: usize = 78;

impl AuthenticationResults<'_> {
    /// The whole field, `Authentication-Results: ...`, folded at 78 columns with each result
    /// on its own line, without the final CRLF.
    pub fn to_field(&self) -> String {
        self.to_field_named("Authentication-Results")
    }

    /// The field under another name, such as `ARC-Authentication-Results` with an `i=` prefix
    /// given by the caller in `name`.
    pub fn to_field_named(&self, name: &str) -> String {
        let mut out = Folder::new(name);
        out.word(&value(&self.authserv_id));
        if let Some(version) = self.version {
            out.word(&alloc::format!("{version}"));
        }
        for comment in &self.comments {
            out.word(&comment_text(comment));
        }
        if self.results.is_empty() {
            out.attach(";");
            out.word("none");
        }
        for result in &self.results {
            out.attach(";");
            out.line_break();
            for (index, word) in result_words(result).iter().enumerate() {
                if index == 0 {
                    out.attach(word);
                } else {
                    out.word(word);
                }
            }
        }
        out.finish()
    }
}

impl core::fmt::Display for MethodResult<'_> {
    /// One resinfo on one line: `method=result (comment) reason=... ptype.property=value`, as
    /// an ARC-Authentication-Results field lists the results it copies.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (index, word) in result_words(self).iter().enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            f.write_str(word)?;
        }
        Ok(())
    }
}

/// The words of one resinfo, in the order they are written.
fn result_words(result: &MethodResult<'_>) -> Vec<String> {
    let mut words = Vec::new();
    let mut method = String::from(result.method.as_ref());
    if let Some(version) = result.method_version {
        let _ = write!(method, "/{version}");
    }
    words.push(alloc::format!("{method}={}", result.result));
    for comment in &result.comments {
        words.push(comment_text(comment));
    }
    if let Some(reason) = &result.reason {
        words.push(alloc::format!("reason={}", value(reason)));
    }
    for property in &result.properties {
        words.push(alloc::format!(
            "{}.{}={}",
            property.ptype,
            property.name,
            pvalue(&property.value)
        ));
    }
    words
}

/// Writes words separated by spaces, folding before a word that would pass the limit.
struct Folder {
    out: String,
    line_start: usize,
}

impl Folder {
    fn new(name: &str) -> Folder {
        let mut out = String::from(name);
        out.push(':');
        Folder { out, line_start: 0 }
    }

    /// Adds a word after a space, or after a fold if the line would grow too long.
    fn word(&mut self, word: &str) {
        let line_len = self.out.len() - self.line_start;
        if line_len + 1 + word.len() > LINE_LIMIT && line_len > 1 {
            self.line_break();
        } else {
            self.out.push(' ');
        }
        self.out.push_str(word);
    }

    /// Adds text with no space before it.
    fn attach(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn line_break(&mut self) {
        self.out.push_str("\r\n\t");
        self.line_start = self.out.len() - 1;
    }

    fn finish(self) -> String {
        self.out
    }
}

/// A `value` (RFC 2045): the token itself, or a quoted-string.
fn value(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(is_token_char) {
        String::from(text)
    } else {
        quoted(text)
    }
}

/// A `pvalue`: a token, an address or a domain name as is; anything else quoted.
fn pvalue(text: &str) -> String {
    if is_address_or_domain(text) {
        String::from(text)
    } else {
        value(text)
    }
}

/// `[ [ local-part ] "@" ] domain-name` with a dot-atom local part.
fn is_address_or_domain(text: &str) -> bool {
    let (local, domain) = match text.rsplit_once('@') {
        Some((local, domain)) => (Some(local), domain),
        None => (None, text),
    };
    let atext = |byte: u8| byte.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&byte);
    let local_ok = local.is_none_or(|local| {
        local.is_empty()
            || local
                .split('.')
                .all(|atom| !atom.is_empty() && atom.bytes().all(atext))
    });
    let domain_ok = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    local_ok && domain_ok
}

fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        // Line breaks cannot stand in a quoted-string; they become spaces.
        out.push(if c == '\r' || c == '\n' { ' ' } else { c });
    }
    out.push('"');
    out
}

fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('(');
    for c in text.chars() {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(if c == '\r' || c == '\n' { ' ' } else { c });
    }
    out.push(')');
    out
}
