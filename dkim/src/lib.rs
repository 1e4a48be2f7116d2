//! DKIM ([RFC 6376](https://www.rfc-editor.org/rfc/rfc6376), ed25519-sha256 of
//! [RFC 8463](https://www.rfc-editor.org/rfc/rfc8463), the limits of
//! [RFC 8301](https://www.rfc-editor.org/rfc/rfc8301)) for tegami: a streaming [`Verifier`]
//! and [`Signer`] that read the message once, in chunks of any size, without keeping the body.
//!
//! ```
//! use tegami_core::dns::{self, ZoneResolver};
//! use tegami_core::crypto::{PrivateKey, RingBackend, SignPolicy, CryptoBackend};
//! use tegami_dkim::{Config, DkimResult, Signer, SigningSpec, Verifier};
//!
//! // Sign with an ed25519 key (RFC 8463 Appendix A.1)...
//! let key = PrivateKey::ed25519_seed(*b"\x9d\x61\xb1\x9d\xef\xfd\x5a\x60\xba\x84\x4a\xf4\x92\xec\x2c\xc4\x44\x49\xc5\x69\x7b\x32\x69\x19\x70\x3b\xac\x03\x1c\xae\x7f\x60");
//! let key = RingBackend.signing_key(&key, &SignPolicy::default())?;
//! let message = b"From: joe@football.example.com\r\nSubject: hi\r\n\r\nHello.\r\n";
//! let mut signer = Signer::new(vec![SigningSpec::new(&key, "football.example.com".parse()?, "brisbane".try_into()?)], 1_700_000_000);
//! signer.handle_input(message);
//! let fields = signer.finish()?;
//! let signed = [fields[0].as_bytes(), message].concat();
//!
//! // ...and verify against a zone that publishes the public key.
//! let zone = ZoneResolver::from_master_file(
//!     "brisbane._domainkey.football.example.com. 300 IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n",
//! )?;
//! let mut verifier = Verifier::new(Config::default(), 1_700_000_000);
//! verifier.handle_input(&signed)?;
//! verifier.handle_end();
//! let results = dns::resolve(&mut verifier, &zone)?;
//! assert_eq!(results[0].result, DkimResult::Pass);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

extern crate alloc;

mod body_hash;
pub mod canon;
mod finders;
#[cfg(fuzzing)]
pub mod fuzzing;
mod header;
mod key_lookup;
mod key_record;
mod reader;
mod result;
mod signature;
mod signer;
mod verifier;

pub use key_record::{KeyRecord, KeyRecordError};

/// The streaming building blocks the [`Verifier`] and [`Signer`] are made of, for protocols
/// built on DKIM (ARC): splitting a message arriving in chunks into its header block and body,
/// the header fields, and several body hashes computed in one pass.
pub mod stream {
    pub use crate::body_hash::{BodyDigests, BodyHashId, BodyHashes};
    pub use crate::header::{Field, HeaderFields};
    pub use crate::key_lookup::{KeyLookupError, KeyLookups};
    pub use crate::reader::{Fed, MessageReader};
}
pub use result::{DkimResult, Failure, SignatureResult, auth_results};
pub use signature::{HeaderNames, Identity, Selector, Signature, SignatureConfig, SignatureError};
pub use signer::{DEFAULT_SIGNED_HEADERS, SignError, Signer, SigningSpec};
pub use verifier::{Config, InputAfterEnd, Verifier};

/// The data a DKIM (or ARC) signature signs, RFC 6376 §3.7: the fields `signed_headers` select
/// from `header_block` (bottom-up per name, §5.4.2), each canonicalized with `algorithm` and
/// ended with CRLF, then `signature_field` (the signature's own field, `b=` value included or
/// not: it is removed here) canonicalized without CRLF.
///
/// Low-level: [`Verifier`] and [`Signer`] call it for you; a caller that composes its own
/// signature field (an ARC sealer, a test vector) uses it directly.
///
/// ```
/// use tegami_dkim::canon::Canonicalization;
///
/// let data = tegami_dkim::signed_header_data(
///     b"From: a@example.com\r\nTo: b@example.net\r\n",
///     &["from", "subject"],
///     Canonicalization::Relaxed,
///     b"DKIM-Signature: v=1; h=from:subject; b=xyz",
/// );
/// assert_eq!(data, b"from:a@example.com\r\ndkim-signature:v=1; h=from:subject; b=");
/// ```
pub fn signed_header_data(
    header_block: &[u8],
    signed_headers: &[&str],
    algorithm: canon::Canonicalization,
    signature_field: &[u8],
) -> Vec<u8> {
    let fields = header::HeaderFields::split(header_block);
    header::signed_data(
        header_block,
        &fields,
        signed_headers.iter().copied(),
        algorithm,
        signature_field,
    )
}
