//! DKIM key records, [RFC 6376 §3.6.1](https://www.rfc-editor.org/rfc/rfc6376#section-3.6.1).

use alloc::string::String;
use alloc::vec::Vec;

use tegami_core::crypto::{HashAlgorithm, KeyError, KeyType, PublicKey};
use tegami_core::tag_list::{TagList, TagListError, without_whitespace};

/// A parsed key record (the TXT record at `<selector>._domainkey.<domain>`).
///
/// ```
/// use tegami_dkim::KeyRecord;
///
/// let record = KeyRecord::parse(
///     b"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
/// )?;
/// assert!(record.key.is_some());
/// assert!(!record.testing);
/// # Ok::<(), tegami_dkim::KeyRecordError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyRecord {
    /// `k=`: the key type (`rsa` when absent).
    pub key_type: KeyType,
    /// `h=`: the hash algorithms the key may be used with; `None` allows all.
    pub hashes: Option<Vec<HashAlgorithm>>,
    /// `p=`: the public key; `None` when the key is revoked (empty `p=`).
    pub key: Option<PublicKey>,
    /// `s=`: whether the key may sign email (`*` or `email` listed, or no `s=`).
    pub email_allowed: bool,
    /// `t=y`: the domain is testing DKIM.
    pub testing: bool,
    /// `t=s`: the `i=` domain must equal `d=`, not be a subdomain of it.
    pub strict_identity: bool,
    /// `n=`: notes for people, as written.
    pub notes: Option<String>,
}

/// Why a key record is unusable (each is a `permerror`, RFC 6376 §6.1.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyRecordError {
    /// The record is not a valid tag-list.
    #[error("malformed key record: {0}")]
    Syntax(TagListError),
    /// `v=` is present but not `DKIM1`, or not the first tag.
    #[error("unsupported key record version")]
    UnsupportedVersion,
    /// `p=` is absent.
    #[error("key record has no p= tag")]
    MissingKey,
    /// `k=` names an unknown key type.
    #[error("unsupported key type k={0}")]
    UnsupportedKeyType(String),
    /// The `p=` data is not a key of the record's type.
    #[error("invalid public key: {0}")]
    InvalidKey(KeyError),
}

impl KeyRecord {
    /// Parses a key record's text (the TXT strings concatenated).
    ///
    /// Unknown tags, unknown hash names in `h=`, unknown service types in `s=` and unknown
    /// flags in `t=` are ignored, as §3.6.1 says.
    ///
    /// # Errors
    ///
    /// [`KeyRecordError`] for a record the verifier must not use.
    pub fn parse(text: &[u8]) -> Result<KeyRecord, KeyRecordError> {
        let tags = TagList::parse(text).map_err(KeyRecordError::Syntax)?;
        if let Some(version) = tags.get("v") {
            let first = tags.tags().first().map(tegami_core::tag_list::Tag::name) == Some("v");
            if version != "DKIM1" || !first {
                return Err(KeyRecordError::UnsupportedVersion);
            }
        }
        let key_type = match tags.get("k") {
            Some(name) => KeyType::from_dkim_name(name.trim_ascii())
                .ok_or_else(|| KeyRecordError::UnsupportedKeyType(name.into()))?,
            None => KeyType::Rsa,
        };
        let hashes = tags.get("h").map(|list| {
            without_whitespace(list)
                .split(':')
                .filter_map(|name| match name {
                    _ if name.eq_ignore_ascii_case("sha1") => Some(HashAlgorithm::Sha1),
                    _ if name.eq_ignore_ascii_case("sha256") => Some(HashAlgorithm::Sha256),
                    _ => None,
                })
                .collect()
        });
        let key_text = without_whitespace(tags.get("p").ok_or(KeyRecordError::MissingKey)?);
        let key = if key_text.is_empty() {
            None
        } else {
            Some(
                PublicKey::from_dkim_base64(key_type, &key_text)
                    .map_err(KeyRecordError::InvalidKey)?,
            )
        };
        let email_allowed = tags.get("s").is_none_or(|list| {
            without_whitespace(list)
                .split(':')
                .any(|service| service == "*" || service.eq_ignore_ascii_case("email"))
        });
        let flags = tags.get("t").map(without_whitespace).unwrap_or_default();
        let has_flag = |flag: &str| flags.split(':').any(|f| f.eq_ignore_ascii_case(flag));
        Ok(KeyRecord {
            key_type,
            hashes,
            key,
            email_allowed,
            testing: has_flag("y"),
            strict_identity: has_flag("s"),
            notes: tags.get("n").map(String::from),
        })
    }

    /// Whether `h=` allows `hash` (RFC 6376 §3.6.1).
    pub fn allows_hash(&self, hash: HashAlgorithm) -> bool {
        self.hashes
            .as_ref()
            .is_none_or(|hashes| hashes.contains(&hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_KEY: &str = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    #[test]
    fn defaults_and_flags() {
        let record =
            KeyRecord::parse(alloc::format!("k=ed25519; t=y:s; p={ED_KEY}; foo=bar").as_bytes())
                .unwrap();
        assert_eq!(record.key_type, KeyType::Ed25519);
        assert!(record.testing && record.strict_identity && record.email_allowed);
        assert!(record.allows_hash(HashAlgorithm::Sha1));
    }

    #[test]
    fn revoked_and_broken_records() {
        assert_eq!(KeyRecord::parse(b"v=DKIM1; p=").unwrap().key, None);
        assert_eq!(
            KeyRecord::parse(b"v=DKIM1; k=rsa"),
            Err(KeyRecordError::MissingKey)
        );
        assert_eq!(
            KeyRecord::parse(b"v=DKIM3; p="),
            Err(KeyRecordError::UnsupportedVersion)
        );
        assert_eq!(
            KeyRecord::parse(b"p=; v=DKIM1"),
            Err(KeyRecordError::UnsupportedVersion)
        );
        assert_eq!(
            KeyRecord::parse(b"k=foobar; p="),
            Err(KeyRecordError::UnsupportedKeyType("foobar".into()))
        );
        assert!(matches!(
            KeyRecord::parse(b"k=ed25519; p=AAAA"),
            Err(KeyRecordError::InvalidKey(_))
        ));
    }

    #[test]
    fn service_and_hash_lists() {
        let record =
            KeyRecord::parse(alloc::format!("k=ed25519; s=chat; h=sha1; p={ED_KEY}").as_bytes())
                .unwrap();
        assert!(!record.email_allowed);
        assert!(!record.allows_hash(HashAlgorithm::Sha256));
    }
}
