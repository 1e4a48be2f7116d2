//! The streaming verifier, [RFC 6376 §6](https://www.rfc-editor.org/rfc/rfc6376#section-6).

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use tegami_core::crypto::{self, CryptoBackend, SigningAlgorithm, VerifyPolicy};
use tegami_core::dns::{Answer, LookupMachine, MisuseError, QueryId, Step};
use tegami_core::tag_list::TagList;

use crate::body_hash::{BodyDigests, BodyHashId, BodyHashes};
use crate::header::{self, HeaderFields};
use crate::key_lookup::{KeyLookupError, KeyLookups};
use crate::reader::{Fed, MessageReader};
use crate::result::{DkimResult, Failure, SignatureResult};
use crate::signature::{Signature, SignatureConfig, SignatureError};

/// Limits and policy of a [`Verifier`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The largest header block kept, in octets; signatures of a larger one are `permerror`.
    pub max_header_bytes: usize,
    /// How many signatures are checked; the rest are reported `neutral`, unchecked.
    pub max_signatures: usize,
    /// What the signature parser accepts.
    pub signature: SignatureConfig,
    /// What the crypto check accepts (RFC 8301: no rsa-sha1, no RSA under 1024 bits).
    pub crypto: VerifyPolicy,
    /// Whether a signature whose `l=` leaves part of the body unsigned can pass. Off by
    /// default: content appended after the signed part is a known attack (RFC 6376 §8.2).
    pub allow_partial_body: bool,
    /// How far in the future `t=` may lie, in seconds, before the signature is refused.
    pub max_clock_skew: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_header_bytes: 1 << 20,
            max_signatures: 16,
            signature: SignatureConfig::default(),
            crypto: VerifyPolicy::default(),
            allow_partial_body: false,
            max_clock_skew: 300,
        }
    }
}

/// Verifies every DKIM signature of one message, reading it once, in chunks of any size.
///
/// - Input: [`handle_input`](Self::handle_input) with each chunk of the message as it arrives
///   (CRLF line ends, as in SMTP), then [`handle_end`](Self::handle_end).
/// - DNS: [`poll`](Self::poll) hands out the key queries of all signatures together as soon
///   as the header block is complete, so lookups run while the body streams in;
///   [`handle_answer`](Self::handle_answer) takes each answer.
/// - Result: once the input has ended and every key is in, `poll` returns
///   [`Step::Done`] with one [`SignatureResult`] per DKIM-Signature field, top to bottom.
///
/// The body is never kept: it is canonicalized and hashed as it passes (relaxed text through a
/// buffer of a few KiB). Only the header block is kept, up to [`Config::max_header_bytes`]. The
/// clock is an input (`now`, Unix seconds).
///
/// ```
/// use tegami_core::crypto::RingBackend;
/// use tegami_core::dns::{self, ZoneResolver};
/// use tegami_dkim::{Config, DkimResult, Verifier};
///
/// let zone = ZoneResolver::from_master_file(concat!(
///     "brisbane._domainkey.football.example.com. 300 IN TXT ",
///     "\"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n",
/// ))?;
/// let message = concat!(
///     "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n",
///     " d=football.example.com; i=@football.example.com;\r\n",
///     " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n",
///     " subject : date : message-id : from : subject : date;\r\n",
///     " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n",
///     " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n",
///     " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n",
///     "From: Joe SixPack <joe@football.example.com>\r\n",
///     "To: Suzie Q <suzie@shopping.example.net>\r\n",
///     "Subject: Is dinner ready?\r\n",
///     "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n",
///     "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n",
///     "\r\n",
///     "Hi.\r\n",
///     "\r\n",
///     "We lost the game.  Are you hungry yet?\r\n",
///     "\r\n",
///     "Joe.\r\n",
/// );
/// let mut verifier = Verifier::with_backend(RingBackend, Config::default(), 1_700_000_000);
/// for chunk in message.as_bytes().chunks(100) {
///     verifier.handle_input(chunk)?;
/// }
/// verifier.handle_end();
/// let results = dns::resolve(&mut verifier, &zone)?;
/// assert_eq!(results[0].result, DkimResult::Pass);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verifier<B: CryptoBackend> {
    backend: B,
    config: Config,
    now: u64,
    reader: MessageReader,
    ended: bool,
    fields: HeaderFields,
    entries: Vec<Entry>,
    bodies: BodyHashes<B::Hasher>,
    digests: Option<BodyDigests>,
    keys: KeyLookups,
}

/// One DKIM-Signature field and what is known of it.
struct Entry {
    field: usize,
    domain: String,
    selector: String,
    algorithm: String,
    checked: Result<Checked, Failure>,
}

struct Checked {
    signature: Arc<Signature>,
    body: BodyHashId,
    key: usize,
}

/// Feeding input after [`Verifier::handle_end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("input after the end of the message")]
pub struct InputAfterEnd;

#[cfg(any(feature = "ring", feature = "aws-lc"))]
impl Verifier<crypto::DefaultBackend> {
    /// A verifier with the default crypto backend and `config`, at time `now` (Unix seconds).
    pub fn new(config: Config, now: u64) -> Verifier<crypto::DefaultBackend> {
        Verifier::with_backend(crypto::DefaultBackend::default(), config, now)
    }
}

impl<B: CryptoBackend> Verifier<B> {
    /// A verifier with an explicit crypto backend.
    pub fn with_backend(backend: B, config: Config, now: u64) -> Verifier<B> {
        Verifier {
            backend,
            reader: MessageReader::new(config.max_header_bytes),
            ended: false,
            config,
            now,
            fields: HeaderFields::default(),
            entries: Vec::new(),
            bodies: BodyHashes::new(),
            digests: None,
            keys: KeyLookups::default(),
        }
    }

    /// Feeds the next chunk of the message.
    ///
    /// # Errors
    ///
    /// [`InputAfterEnd`] after [`handle_end`](Self::handle_end).
    pub fn handle_input(&mut self, chunk: &[u8]) -> Result<(), InputAfterEnd> {
        if self.ended {
            return Err(InputAfterEnd);
        }
        match self.reader.feed(chunk) {
            Fed::Nothing => {}
            Fed::Overflowed => {
                self.refuse_all(Failure::HeaderTooLarge(self.config.max_header_bytes));
            }
            Fed::HeaderDone(rest) => {
                self.start_body();
                self.bodies.feed(rest);
            }
            Fed::Body(body) => self.bodies.feed(body),
        }
        Ok(())
    }

    /// Marks the end of the message. A message without an empty line is all header.
    pub fn handle_end(&mut self) {
        if self.ended {
            return;
        }
        if self.reader.end() {
            self.start_body();
        }
        let bodies = core::mem::take(&mut self.bodies);
        self.digests = Some(bodies.finish());
        self.ended = true;
    }

    /// The message's header block once it is complete and within
    /// [`Config::max_header_bytes`]: callers that need other header fields (DMARC's From)
    /// read them here instead of keeping a second copy.
    pub fn header_block(&self) -> Option<&[u8]> {
        self.reader.header_complete().then(|| self.reader.header())
    }

    /// Feeds the answer to the key query with this `id`.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] if no query with this id was handed out or it was answered already.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        self.keys.handle_answer(id, answer)
    }

    /// Says what to do next: key queries to run, or the results once the message has ended
    /// and every key is in. An empty query list means the verifier waits for more input or
    /// for answers it already asked for.
    pub fn poll(&mut self) -> Step<Vec<SignatureResult>> {
        let queries = self.keys.take_queries();
        if !queries.is_empty() || !self.ended || !self.keys.all_answered() {
            return Step::Lookup(queries);
        }
        Step::Done(
            self.entries
                .iter()
                .map(|entry| self.finish(entry))
                .collect(),
        )
    }

    /// The header block is complete: read the signatures, register their body hashes and ask
    /// for their keys.
    fn start_body(&mut self) {
        self.fields = HeaderFields::split(self.reader.header());
        let mut position = 0;
        for field in 0..self.fields.len() {
            let is_signature = self.fields.get(field).is_some_and(|found| {
                found
                    .name(self.reader.header())
                    .eq_ignore_ascii_case(b"DKIM-Signature")
            });
            if is_signature {
                let entry = self.read_signature(field, position);
                self.entries.push(entry);
                position += 1;
            }
        }
    }

    fn read_signature(&mut self, field: usize, position: usize) -> Entry {
        let value = self
            .fields
            .get(field)
            .map(|field| field.value(self.reader.header()))
            .unwrap_or_default();
        // One tag-list parse serves the summary and the signature.
        let tags = TagList::parse(value);
        let tag = |name: &str| {
            tags.as_ref()
                .ok()
                .and_then(|tags| tags.get(name))
                .map(|value| value.trim_ascii().into())
                .unwrap_or_default()
        };
        let (domain, selector, algorithm) = (tag("d"), tag("s"), tag("a"));
        let checked = if position >= self.config.max_signatures {
            Err(Failure::TooManySignatures(self.config.max_signatures))
        } else {
            tags.map_err(SignatureError::Syntax)
                .and_then(|tags| Signature::from_tags(&tags, &self.config.signature))
                .map_err(Failure::Signature)
                .and_then(|signature| self.admit(signature))
        };
        Entry {
            field,
            domain,
            selector,
            algorithm,
            checked,
        }
    }

    /// The checks that need no key; then the body hash and the key query.
    fn admit(&mut self, signature: Signature) -> Result<Checked, Failure> {
        if let Some(expiration) = signature.expiration
            && expiration < self.now
        {
            return Err(Failure::Expired(expiration));
        }
        if let Some(timestamp) = signature.timestamp
            && timestamp > self.now.saturating_add(self.config.max_clock_skew)
        {
            return Err(Failure::FromTheFuture(timestamp));
        }
        if signature.algorithm == SigningAlgorithm::RsaSha1 && !self.config.crypto.allow_rsa_sha1 {
            return Err(Failure::AlgorithmRefused(signature.algorithm));
        }
        let body = self.bodies.add(
            &self.backend,
            signature.canonicalization.body,
            signature.algorithm.hash(),
            signature.body_length,
        );
        let key = self.keys.ask(signature.key_name());
        Ok(Checked {
            signature: Arc::new(signature),
            body,
            key,
        })
    }

    /// Refuses every signature of an oversized header block.
    fn refuse_all(&mut self, failure: Failure) {
        let block = self.reader.header();
        let fields = HeaderFields::split(block);
        self.entries = fields
            .iter()
            .filter(|field| field.name(block).eq_ignore_ascii_case(b"DKIM-Signature"))
            .map(|_| Entry {
                field: 0,
                domain: String::new(),
                selector: String::new(),
                algorithm: String::new(),
                checked: Err(failure.clone()),
            })
            .collect();
    }

    fn finish(&self, entry: &Entry) -> SignatureResult {
        let mut result = SignatureResult {
            result: DkimResult::Pass,
            failure: None,
            signature: None,
            domain: entry.domain.clone(),
            selector: entry.selector.clone(),
            algorithm: entry.algorithm.clone(),
            testing: false,
            partial_body: None,
        };
        let checked = match &entry.checked {
            Ok(checked) => checked,
            Err(failure) => {
                result.result = failure.result();
                result.failure = Some(failure.clone());
                return result;
            }
        };
        let outcome = self.check(entry, checked, &mut result);
        result.signature = Some(Arc::clone(&checked.signature));
        if let Err(failure) = outcome {
            result.result = failure.result();
            result.failure = Some(failure);
        }
        result
    }

    /// RFC 6376 §6.1.2 (key) and §6.1.3 (body hash, then signature).
    fn check(
        &self,
        entry: &Entry,
        checked: &Checked,
        result: &mut SignatureResult,
    ) -> Result<(), Failure> {
        let signature = &checked.signature;
        let record = self.keys.record(checked.key).map_err(|error| match error {
            KeyLookupError::Temporary => Failure::KeyLookupFailed,
            KeyLookupError::NotFound => Failure::KeyNotFound,
            KeyLookupError::Record(error) => Failure::KeyRecord(error),
        })?;
        result.testing = record.testing;
        let key = record.key.as_ref().ok_or(Failure::KeyRevoked)?;
        if record.key_type != signature.algorithm.key_type() {
            return Err(Failure::KeyTypeMismatch);
        }
        if !record.allows_hash(signature.algorithm.hash()) {
            return Err(Failure::HashNotAllowed);
        }
        if !record.email_allowed {
            return Err(Failure::ServiceNotEmail);
        }
        if record.strict_identity && signature.identity.domain != signature.domain {
            return Err(Failure::StrictIdentity);
        }
        let (digest, total) = self
            .digests
            .as_ref()
            .and_then(|digests| digests.get(checked.body))
            .ok_or(Failure::BodyHashMismatch)?;
        if let Some(signed) = signature.body_length {
            if signed > total {
                return Err(Failure::BodyLengthExceeded { signed, total });
            }
            if signed < total {
                result.partial_body = Some((signed, total));
            }
        }
        if digest.as_ref() != signature.body_hash.as_slice() {
            return Err(Failure::BodyHashMismatch);
        }
        let own_field = self
            .fields
            .get(entry.field)
            .map(|field| field.raw(self.reader.header()))
            .unwrap_or_default();
        let data = header::signed_data(
            self.reader.header(),
            &self.fields,
            signature.signed_headers.iter(),
            signature.canonicalization.header,
            own_field,
        );
        crypto::verify(
            &self.backend,
            &self.config.crypto,
            signature.algorithm,
            key,
            &data,
            &signature.signature,
        )
        .map_err(Failure::Crypto)?;
        match result.partial_body {
            Some((signed, total)) if !self.config.allow_partial_body => {
                Err(Failure::PartialBody { signed, total })
            }
            _ => Ok(()),
        }
    }
}

impl<B: CryptoBackend> LookupMachine for Verifier<B> {
    type Output = Vec<SignatureResult>;

    fn poll(&mut self) -> Step<Vec<SignatureResult>> {
        Verifier::poll(self)
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        Verifier::handle_answer(self, id, answer)
    }
}

impl<B: CryptoBackend> core::fmt::Debug for Verifier<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Verifier")
            .field("ended", &self.ended)
            .field("header_bytes", &self.reader.header().len())
            .field("signatures", &self.entries.len())
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[cfg(feature = "ring")]
mod tests {
    use proptest::prelude::*;
    use tegami_core::crypto::{PrivateKey, RingBackend, SignPolicy, SigningKey};
    use tegami_core::dns::{self, ZoneResolver};

    use super::*;
    use crate::canon::{Canonicalization, CanonicalizationPair};
    use crate::{Signer, SigningSpec};

    fn zone(key: &impl SigningKey) -> ZoneResolver {
        ZoneResolver::from_master_file(&alloc::format!(
            "s._domainkey.example.com. 300 IN TXT \"v=DKIM1; k=ed25519; p={}\"\n",
            key.public_key().to_dkim_base64()
        ))
        .unwrap()
    }

    fn signed(message: &[u8], canonicalization: CanonicalizationPair) -> Vec<u8> {
        let key = RingBackend
            .signing_key(&PrivateKey::ed25519_seed([9; 32]), &SignPolicy::default())
            .unwrap();
        let mut spec = SigningSpec::new(
            &key,
            "example.com".parse().unwrap(),
            "s".try_into().unwrap(),
        );
        spec.canonicalization = canonicalization;
        let mut signer = Signer::new(alloc::vec![spec], 1_000);
        signer.handle_input(message);
        let field = signer.finish().unwrap().remove(0);
        [field.as_bytes(), message].concat()
    }

    fn verify_chunked(message: &[u8], cuts: &[usize]) -> Vec<SignatureResult> {
        let key = RingBackend
            .signing_key(&PrivateKey::ed25519_seed([9; 32]), &SignPolicy::default())
            .unwrap();
        let mut verifier = Verifier::new(Config::default(), 1_001);
        let mut start = 0;
        for &cut in cuts {
            verifier.handle_input(&message[start..cut]).unwrap();
            start = cut;
        }
        verifier.handle_input(&message[start..]).unwrap();
        verifier.handle_end();
        dns::resolve(&mut verifier, &zone(&key)).unwrap()
    }

    fn message() -> impl Strategy<Value = Vec<u8>> {
        (
            "[A-Za-z ]{0,30}",
            proptest::collection::vec("[a-z \t]{0,20}(\r\n)?", 0..12),
            0..3usize,
        )
            .prop_map(|(subject, lines, trailing)| {
                let mut out = alloc::format!(
                    "From: a@example.com\r\nSubject: {subject}\r\n  folded\r\nTo: b@example.net\r\n\r\n"
                )
                .into_bytes();
                for line in lines {
                    out.extend_from_slice(line.as_bytes());
                }
                out.extend(b"\r\n".repeat(trailing));
                out
            })
    }

    proptest! {
        #[test]
        fn any_chunking_gives_the_same_result(
            message in message(),
            cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
            relaxed_header in any::<bool>(),
            relaxed_body in any::<bool>(),
        ) {
            let pick = |relaxed| if relaxed { Canonicalization::Relaxed } else { Canonicalization::Simple };
            let signed = signed(&message, CanonicalizationPair { header: pick(relaxed_header), body: pick(relaxed_body) });
            let mut offsets: Vec<usize> = cuts.iter().map(|cut| cut.index(signed.len() + 1)).collect();
            offsets.sort_unstable();
            let whole = verify_chunked(&signed, &[]);
            prop_assert_eq!(whole[0].result, DkimResult::Pass, "{}", whole[0].reason());
            prop_assert_eq!(verify_chunked(&signed, &offsets), whole);
        }

        #[test]
        fn a_changed_byte_in_the_body_or_a_signed_field_fails(
            message in message(),
            position in any::<prop::sample::Index>(),
        ) {
            let signed = signed(&message, CanonicalizationPair::RELAXED);
            let body_start = signed.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            let from = signed.windows(6).position(|w| w == b"From: ").unwrap();
            // A letter of the From address, or any letter of the body.
            let letters: Vec<usize> = (from + 6..from + 19)
                .chain(body_start..signed.len())
                .filter(|&i| signed[i].is_ascii_lowercase())
                .collect();
            prop_assume!(!letters.is_empty());
            let mut changed = signed.clone();
            changed[letters[position.index(letters.len())]] ^= 0x20;
            let results = verify_chunked(&changed, &[]);
            prop_assert_eq!(results[0].result, DkimResult::Fail);
        }
    }

    #[test]
    fn unsigned_body_tail_is_policy_by_default_and_pass_when_allowed() {
        let key = RingBackend
            .signing_key(&PrivateKey::ed25519_seed([9; 32]), &SignPolicy::default())
            .unwrap();
        let message = b"From: a@example.com\r\n\r\nsigned part\r\n";
        let mut spec = SigningSpec::new(
            &key,
            "example.com".parse().unwrap(),
            "s".try_into().unwrap(),
        );
        spec.body_length = true;
        let mut signer = Signer::new(alloc::vec![spec], 1_000);
        signer.handle_input(message);
        let field = signer.finish().unwrap().remove(0);
        let extended = [field.as_bytes(), message, b"appended by someone else\r\n"].concat();
        let results = verify_chunked(&extended, &[]);
        assert_eq!(results[0].result, DkimResult::Policy);
        assert_eq!(results[0].partial_body, Some((13, 39)));
        let config = Config {
            allow_partial_body: true,
            ..Config::default()
        };
        let mut verifier = Verifier::new(config, 1_001);
        verifier.handle_input(&extended).unwrap();
        verifier.handle_end();
        let results = dns::resolve(&mut verifier, &zone(&key)).unwrap();
        assert_eq!(results[0].result, DkimResult::Pass);
        assert!(results[0].reason().contains("part of the body"));
    }

    #[test]
    fn header_limit_and_signature_cap() {
        let message = signed(
            b"From: a@example.com\r\n\r\nx\r\n",
            CanonicalizationPair::RELAXED,
        );
        let config = Config {
            max_header_bytes: 40,
            ..Config::default()
        };
        let mut verifier = Verifier::new(config, 1_001);
        verifier.handle_input(&message).unwrap();
        verifier.handle_end();
        let Step::Done(results) = verifier.poll() else {
            panic!("no queries expected")
        };
        assert_eq!(results[0].failure, Some(Failure::HeaderTooLarge(40)));

        let twice = [&message[..message.len() - 26], &message[..]].concat();
        let config = Config {
            max_signatures: 1,
            ..Config::default()
        };
        let mut verifier = Verifier::new(config, 1_001);
        verifier.handle_input(&twice).unwrap();
        verifier.handle_end();
        let Step::Lookup(queries) = verifier.poll() else {
            panic!("one key query expected")
        };
        assert_eq!(queries.len(), 1);
        assert!(matches!(verifier.handle_input(b"x"), Err(InputAfterEnd)));
    }

    #[test]
    fn identity_with_special_octets_round_trips() {
        let key = RingBackend
            .signing_key(&PrivateKey::ed25519_seed([9; 32]), &SignPolicy::default())
            .unwrap();
        let message = b"From: a@example.com\r\n\r\nhi\r\n";
        let mut spec = SigningSpec::new(
            &key,
            "example.com".parse().unwrap(),
            "s".try_into().unwrap(),
        );
        spec.identity = Some("jo;e=x@mail.example.com".into());
        let mut signer = Signer::new(alloc::vec![spec], 1_000);
        signer.handle_input(message);
        let signed = [signer.finish().unwrap().remove(0).as_bytes(), message].concat();
        let results = verify_chunked(&signed, &[]);
        assert_eq!(results[0].result, DkimResult::Pass);
        let identity = &results[0].signature.as_ref().unwrap().identity;
        assert_eq!(identity.to_string(), "jo;e=x@mail.example.com");
    }

    #[test]
    fn no_signature_is_an_empty_list() {
        let mut verifier = Verifier::new(Config::default(), 0);
        verifier
            .handle_input(b"From: a@example.com\r\n\r\nbody\r\n")
            .unwrap();
        verifier.handle_end();
        assert_eq!(verifier.poll(), Step::Done(Vec::new()));
        assert_eq!(crate::auth_results(&[])[0].result, "none");
    }
}
