//! The Received-SPF header field of
//! [RFC 7208 §9.1](https://www.rfc-editor.org/rfc/rfc7208#section-9.1), and the `spf` method of
//! Authentication-Results ([RFC 8601 §2.7.2](https://www.rfc-editor.org/rfc/rfc8601#section-2.7.2)).
//!
//! ```text
//! header-field   = "Received-SPF:" [CFWS] result FWS [comment FWS] [ key-value-list ] CRLF
//! key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]
//! key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
//! ```

use core::net::IpAddr;

use tegami_core::auth_results::MethodResult;

use crate::{Identity, SpfResult, Verdict};

/// What the Received-SPF field records besides the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSpf<'a> {
    /// The verdict to record.
    pub verdict: &'a Verdict,
    /// The client's address.
    pub client_ip: IpAddr,
    /// The HELO/EHLO name.
    pub helo: &'a str,
    /// The MAIL FROM address as given (empty for the null reverse-path).
    pub envelope_from: &'a str,
    /// The host that did the check (`receiver=`); left out when `None`.
    pub receiver: Option<&'a str>,
}

impl ReceivedSpf<'_> {
    /// The whole field, `Received-SPF: ...`, folded at 78 columns, without the final CRLF.
    pub fn to_field(&self) -> String {
        let verdict = self.verdict;
        // The comment may fold between its words like any other FWS (RFC 5322 §3.2.2).
        let mut words = vec![verdict.result.as_str().to_owned()];
        words.extend(comment(&self.comment_text()).split(' ').map(str::to_owned));
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(receiver) = self.receiver {
            pairs.push(("receiver", receiver.to_owned()));
        }
        pairs.push(("client-ip", self.client_ip.to_string()));
        pairs.push(("envelope-from", self.envelope_from.to_owned()));
        pairs.push(("helo", self.helo.to_owned()));
        pairs.push((
            "identity",
            match verdict.identity {
                Identity::MailFrom => "mailfrom".to_owned(),
                Identity::Helo => "helo".to_owned(),
            },
        ));
        if let Some(mechanism) = &verdict.mechanism {
            pairs.push(("mechanism", mechanism.clone()));
        }
        if matches!(verdict.result, SpfResult::TempError | SpfResult::PermError) {
            pairs.push(("problem", verdict.reason.clone()));
        }
        let count = pairs.len();
        for (index, (key, value)) in pairs.into_iter().enumerate() {
            let separator = if index + 1 < count { ";" } else { "" };
            words.push(format!("{key}={}{separator}", dot_atom_or_quoted(&value)));
        }
        fold("Received-SPF:", &words)
    }

    /// The comment after the result, in the words RFC 7208 §9.1 suggests.
    fn comment_text(&self) -> String {
        let verdict = self.verdict;
        let who = self.receiver.unwrap_or("receiver");
        let subject = match verdict.identity {
            Identity::MailFrom => format!("domain of {}", verdict.sender),
            Identity::Helo => format!("domain of {}", verdict.domain),
        };
        match verdict.result {
            SpfResult::Pass => format!(
                "{who}: {subject} designates {} as permitted sender",
                self.client_ip
            ),
            SpfResult::Fail => format!(
                "{who}: {subject} does not designate {} as permitted sender",
                self.client_ip
            ),
            SpfResult::SoftFail => format!(
                "{who}: transitioning {subject} does not designate {} as permitted sender",
                self.client_ip
            ),
            SpfResult::Neutral => format!(
                "{who}: {} is neither permitted nor denied by {subject}",
                self.client_ip
            ),
            SpfResult::None => format!("{who}: {subject} does not publish SPF"),
            SpfResult::TempError => format!("{who}: temporary error checking {subject}"),
            SpfResult::PermError => {
                format!("{who}: permanent error in the SPF records of {subject}")
            }
        }
    }
}

impl Verdict {
    /// The `spf` result of an Authentication-Results field (RFC 8601 §2.7.2): `smtp.mailfrom`
    /// for the MAIL FROM identity, `smtp.helo` for the HELO identity.
    pub fn to_auth_result(&self) -> MethodResult<'static> {
        let result = MethodResult::new("spf", self.result.as_str());
        let result = match self.identity {
            Identity::MailFrom => result.with_property("smtp", "mailfrom", self.sender.clone()),
            Identity::Helo => result.with_property("smtp", "helo", self.domain.clone()),
        };
        match self.result {
            SpfResult::TempError | SpfResult::PermError => result.with_reason(self.reason.clone()),
            _ => result,
        }
    }
}

/// A value as a dot-atom (RFC 5322 §3.2.3) when it is one, else a quoted-string.
fn dot_atom_or_quoted(value: &str) -> String {
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    let is_dot_atom = !value.is_empty()
        && value
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(atext));
    if is_dot_atom {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out.push('"');
    out
}

fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('(');
    for c in text.chars() {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out.push(')');
    out
}

/// Joins words with spaces, folding before a word that would pass 78 columns.
fn fold(name: &str, words: &[String]) -> String {
    let mut out = String::from(name);
    let mut line_start = 0;
    for word in words {
        let line_len = out.len() - line_start;
        if line_len + 1 + word.len() > 78 && line_len > 1 {
            out.push_str("\r\n\t");
            line_start = out.len() - 1;
        } else {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use tegami_core::dns::{self, ZoneResolver};

    use super::*;
    use crate::Evaluation;

    fn verdict(ip: &str, sender: &str) -> Verdict {
        let zone = ZoneResolver::from_master_file(
            "example.com. 60 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\nbroken.example. 60 IN TXT \"v=spf1 foo\"\n",
        )
        .expect("zone");
        let mut spf = Evaluation::new(ip.parse().expect("ip"), "mx.example.org", sender);
        dns::resolve(&mut spf, &zone).expect("runs")
    }

    #[test]
    fn received_spf_for_a_pass() {
        let verdict = verdict("192.0.2.1", "myname@example.com");
        let field = ReceivedSpf {
            verdict: &verdict,
            client_ip: "192.0.2.1".parse().expect("ip"),
            helo: "mx.example.org",
            envelope_from: "myname@example.com",
            receiver: Some("mybox.example.org"),
        }
        .to_field();
        let unfolded = field.replace("\r\n\t", " ");
        assert!(unfolded.starts_with(
            "Received-SPF: pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender)"
        ));
        assert!(unfolded.contains("client-ip=192.0.2.1;"));
        assert!(unfolded.contains("envelope-from=\"myname@example.com\";"));
        assert!(unfolded.contains("mechanism=\"ip4:192.0.2.0/24\""));
        assert!(field.split("\r\n").all(|line| line.len() <= 78), "{field}");
    }

    #[test]
    fn errors_carry_a_problem_and_a_reason() {
        let verdict = verdict("192.0.2.1", "a@broken.example");
        assert_eq!(verdict.result, SpfResult::PermError);
        let field = ReceivedSpf {
            verdict: &verdict,
            client_ip: "192.0.2.1".parse().expect("ip"),
            helo: "mx.example.org",
            envelope_from: "a@broken.example",
            receiver: None,
        }
        .to_field();
        assert!(field.contains("problem="), "{field}");
        let result = verdict.to_auth_result();
        assert_eq!(result.result, "permerror");
        assert_eq!(
            result.property("smtp", "mailfrom"),
            Some("a@broken.example")
        );
        assert!(result.reason.is_some());
    }

    #[test]
    fn helo_identity_uses_smtp_helo() {
        let verdict = verdict("198.51.100.1", "");
        assert_eq!(verdict.identity, Identity::Helo);
        assert_eq!(
            verdict.to_auth_result().property("smtp", "helo"),
            Some("mx.example.org")
        );
    }
}
