//! Chain validation, [RFC 8617 §5.2](https://www.rfc-editor.org/rfc/rfc8617#section-5.2).

use alloc::string::String;
use alloc::vec::Vec;

use tegami_core::auth_results::MethodResult;
use tegami_core::crypto::{self, CryptoBackend, VerifyError, VerifyPolicy};
use tegami_core::dns::{Answer, LookupMachine, MisuseError, QueryId, Step};
use tegami_dkim::KeyRecord;
use tegami_dkim::canon::{
    Canonicalization, canonicalize_header, canonicalize_without_signature_value,
};
use tegami_dkim::stream::{
    BodyDigests, BodyHashId, BodyHashes, Fed, HeaderFields, KeyLookupError, KeyLookups,
    MessageReader,
};

use crate::set::{
    ChainStatus, MessageSignature, Seal, SetError, results_instance, results_payload,
};

/// Limits and policy of a [`Validator`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The largest header block kept, in octets; a larger one fails the chain.
    pub max_header_bytes: usize,
    /// What the crypto check accepts (RFC 8301: no rsa-sha1, no RSA under 1024 bits).
    pub crypto: VerifyPolicy,
    /// Verify the older ARC-Message-Signatures too, to report the oldest passing instance
    /// (`header.oldest-pass`, RFC 8617 §5.2 step 5, optional there); it costs one signature
    /// check per older instance.
    pub find_oldest_pass: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_header_bytes: 1 << 20,
            crypto: VerifyPolicy::default(),
            find_oldest_pass: true,
        }
    }
}

/// What validation found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArcResult {
    /// The chain status: `none` without ARC sets, `pass` or `fail`.
    pub status: ChainStatus,
    /// How many ARC sets the message carries (the newest instance), 0 for none.
    pub instances: u32,
    /// The oldest instance whose AMS and every newer one validate (RFC 8617 §5.2 step 5,
    /// `header.oldest-pass`); `None` unless the chain passes and
    /// [`Config::find_oldest_pass`] is on.
    pub oldest_pass: Option<u32>,
    /// The instance where validation failed, when one is to blame.
    pub failed_instance: Option<u32>,
    /// Why the chain failed; `None` when it did not.
    pub failure: Option<Failure>,
    /// `d=` of each seal, oldest first, for the A-R `arc` method's comments and reports.
    pub seal_domains: Vec<String>,
    /// What each sealer recorded on arrival, oldest first beside [`ArcResult::seal_domains`]:
    /// the value of its ARC-Authentication-Results after `i=<instance>;`, an
    /// Authentication-Results payload (`authserv-id; method=result ...`, RFC 8617 §4.1.1).
    /// A receiver that trusts a sealer reads here whether the message passed when that sealer
    /// received it (RFC 8617 §7.2); the text is covered by the seals only when
    /// [`ArcResult::status`] is `pass`.
    pub recorded_results: Vec<Vec<u8>>,
}

/// Why a chain failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// An ARC header field is unusable.
    #[error("{0}")]
    Field(SetError),
    /// An instance has two fields of one kind.
    #[error("instance {0} has more than one {1}")]
    Duplicate(u32, &'static str),
    /// An instance lacks a field.
    #[error("instance {0} has no {1}")]
    Missing(u32, &'static str),
    /// The newest seal already says the chain failed.
    #[error("the newest seal records cv=fail")]
    RecordedFailure,
    /// A seal's `cv=` is not what its position requires (`none` at 1, `pass` above).
    #[error("seal {0} has cv={1}")]
    WrongChainStatus(u32, ChainStatus),
    /// The header block is larger than the configured limit.
    #[error("header block exceeds {0} octets")]
    HeaderTooLarge(usize),
    /// No usable key record for a signature or seal.
    #[error("no key record for instance {0}")]
    KeyNotFound(u32),
    /// The key lookup failed temporarily.
    #[error("key lookup for instance {0} failed temporarily")]
    KeyLookupFailed(u32),
    /// The key record is unusable or revoked.
    #[error("key record of instance {0}: {1}")]
    KeyRecord(u32, String),
    /// The newest AMS's body hash does not match.
    #[error("body hash of ARC-Message-Signature {0} did not verify")]
    BodyHashMismatch(u32),
    /// The newest AMS does not verify.
    #[error("ARC-Message-Signature {0}: {1}")]
    MessageSignature(u32, VerifyError),
    /// A seal does not verify.
    #[error("ARC-Seal {0}: {1}")]
    Seal(u32, VerifyError),
}

/// Validates the ARC chain of one message, reading it once, in chunks of any size.
///
/// - Input: [`handle_input`](Self::handle_input) with each chunk of the message (CRLF line
///   ends), then [`handle_end`](Self::handle_end).
/// - DNS: [`poll`](Self::poll) hands out the key queries of every seal and message signature
///   together once the header block is complete; [`handle_answer`](Self::handle_answer) takes
///   each answer.
/// - Result: once the input has ended and the keys are in, `poll` returns [`Step::Done`] with
///   the [`ArcResult`].
///
/// ```
/// use tegami_arc::{ChainStatus, Config, Validator};
/// use tegami_core::dns::{self, ZoneResolver};
///
/// let mut validator = Validator::new(Config::default());
/// validator.handle_input(b"From: a@example.com\r\n\r\nno chain here\r\n")?;
/// validator.handle_end();
/// let result = dns::resolve(&mut validator, &ZoneResolver::default())?;
/// assert_eq!(result.status, ChainStatus::None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Validator<B: CryptoBackend> {
    backend: B,
    config: Config,
    reader: MessageReader,
    ended: bool,
    fields: HeaderFields,
    chain: Result<Vec<Set>, (Failure, Option<u32>)>,
    bodies: BodyHashes<B::Hasher>,
    digests: Option<BodyDigests>,
    keys: KeyLookups,
}

/// One complete ARC set: field indexes, parsed signatures, body hash and keys.
struct Set {
    instance: u32,
    results_field: usize,
    signature_field: usize,
    seal_field: usize,
    signature: MessageSignature,
    seal: Seal,
    body: BodyHashId,
    signature_key: usize,
    seal_key: usize,
}

/// Feeding input after [`Validator::handle_end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("input after the end of the message")]
pub struct InputAfterEnd;

#[cfg(feature = "ring")]
impl Validator<crypto::RingBackend> {
    /// A validator with the ring crypto backend.
    pub fn new(config: Config) -> Validator<crypto::RingBackend> {
        Validator::with_backend(crypto::RingBackend, config)
    }
}

impl<B: CryptoBackend> Validator<B> {
    /// A validator with an explicit crypto backend.
    pub fn with_backend(backend: B, config: Config) -> Validator<B> {
        Validator {
            backend,
            reader: MessageReader::new(config.max_header_bytes),
            config,
            ended: false,
            fields: HeaderFields::default(),
            chain: Ok(Vec::new()),
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
                self.chain = Err((Failure::HeaderTooLarge(self.config.max_header_bytes), None));
            }
            Fed::HeaderDone(rest) => {
                self.start_body();
                self.bodies.feed(rest);
            }
            Fed::Body(body) => self.bodies.feed(body),
        }
        Ok(())
    }

    /// Marks the end of the message.
    pub fn handle_end(&mut self) {
        if self.ended {
            return;
        }
        if self.reader.end() {
            self.start_body();
        }
        self.digests = Some(core::mem::take(&mut self.bodies).finish());
        self.ended = true;
    }

    /// Feeds the answer to the key query with this `id`.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] if no query with this id was handed out or it was answered already.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        self.keys.handle_answer(id, answer)
    }

    /// Says what to do next: key queries, or the result once the message has ended and every
    /// key is in. An empty query list means the validator waits for input or answers.
    pub fn poll(&mut self) -> Step<ArcResult> {
        let queries = self.keys.take_queries();
        if !queries.is_empty() || !self.ended || !self.keys.all_answered() {
            return Step::Lookup(queries);
        }
        Step::Done(self.finish())
    }

    /// Reads the ARC fields of the complete header block (RFC 8617 §5.2 steps 1 to 3).
    fn start_body(&mut self) {
        self.fields = HeaderFields::split(self.reader.header());
        if self.chain.is_ok() {
            self.chain = self.read_chain();
        }
    }

    fn read_chain(&mut self) -> Result<Vec<Set>, (Failure, Option<u32>)> {
        let block = self.reader.header();
        let mut results: Vec<(u32, usize)> = Vec::new();
        let mut signatures: Vec<(usize, MessageSignature)> = Vec::new();
        let mut seals: Vec<(usize, Seal)> = Vec::new();
        for (index, field) in self.fields.iter().enumerate() {
            let name = field.name(block);
            let value = field.value(block);
            let fail = |error| (Failure::Field(error), None);
            if name.eq_ignore_ascii_case(b"ARC-Authentication-Results") {
                results.push((results_instance(value).map_err(fail)?, index));
            } else if name.eq_ignore_ascii_case(b"ARC-Message-Signature") {
                signatures.push((index, MessageSignature::parse(value).map_err(fail)?));
            } else if name.eq_ignore_ascii_case(b"ARC-Seal") {
                seals.push((index, Seal::parse(value).map_err(fail)?));
            }
        }
        let newest = results
            .iter()
            .map(|(i, _)| *i)
            .chain(signatures.iter().map(|(_, s)| s.instance))
            .chain(seals.iter().map(|(_, s)| s.instance))
            .max();
        let Some(newest) = newest else {
            return Ok(Vec::new());
        };
        // §5.2 step 3: exactly one field of each kind per instance, `cv=none` at 1 and `pass`
        // above it; step 2: a chain whose newest seal says `fail` has failed.
        let mut found = Vec::new();
        for instance in 1..=newest {
            let fail = |failure| (failure, Some(instance));
            let results_field = only(
                results
                    .iter()
                    .filter(|(i, _)| *i == instance)
                    .map(|(_, f)| *f),
                instance,
                "ARC-Authentication-Results",
            )
            .map_err(fail)?;
            let signature = only(
                signatures.iter().filter(|(_, s)| s.instance == instance),
                instance,
                "ARC-Message-Signature",
            )
            .map_err(fail)?;
            let seal = only(
                seals.iter().filter(|(_, s)| s.instance == instance),
                instance,
                "ARC-Seal",
            )
            .map_err(fail)?;
            found.push((results_field, signature, seal));
        }
        if found
            .last()
            .is_some_and(|(_, _, (_, seal))| seal.chain_status == ChainStatus::Fail)
        {
            return Err((Failure::RecordedFailure, Some(newest)));
        }
        for (_, _, (_, seal)) in &found {
            let wanted = if seal.instance == 1 {
                ChainStatus::None
            } else {
                ChainStatus::Pass
            };
            if seal.chain_status != wanted {
                return Err((
                    Failure::WrongChainStatus(seal.instance, seal.chain_status),
                    Some(seal.instance),
                ));
            }
        }
        // The chain is well formed: hash the body for every AMS and ask for every key.
        let mut sets = Vec::with_capacity(found.len());
        for (results_field, (signature_field, signature), (seal_field, seal)) in found {
            sets.push(Set {
                instance: seal.instance,
                results_field,
                signature_field: *signature_field,
                seal_field: *seal_field,
                body: self.bodies.add(
                    &self.backend,
                    signature.canonicalization.body,
                    signature.algorithm.hash(),
                    None,
                ),
                signature_key: self.keys.ask(signature.key_name()),
                seal_key: self.keys.ask(seal.key_name()),
                signature: signature.clone(),
                seal: seal.clone(),
            });
        }
        Ok(sets)
    }

    /// RFC 8617 §5.2 steps 4 to 6.
    fn finish(&self) -> ArcResult {
        let mut result = ArcResult {
            status: ChainStatus::Pass,
            instances: 0,
            oldest_pass: None,
            failed_instance: None,
            failure: None,
            seal_domains: Vec::new(),
            recorded_results: Vec::new(),
        };
        let sets = match &self.chain {
            Ok(sets) => sets,
            Err((failure, instance)) => {
                result.status = ChainStatus::Fail;
                result.failure = Some(failure.clone());
                result.failed_instance = *instance;
                return result;
            }
        };
        result.instances = sets.last().map_or(0, |set| set.instance);
        result.seal_domains = sets.iter().map(|set| set.seal.domain.to_string()).collect();
        result.recorded_results = sets
            .iter()
            .map(|set| results_payload(self.value(set.results_field)).to_vec())
            .collect();
        let Some(newest) = sets.last() else {
            result.status = ChainStatus::None;
            return result;
        };
        let outcome = self.check_signature(newest).and_then(|()| {
            for set in sets.iter().rev() {
                self.check_seal(sets, set)?;
            }
            Ok(())
        });
        if let Err(failure) = outcome {
            result.status = ChainStatus::Fail;
            result.failed_instance = instance_of(&failure);
            result.failure = Some(failure);
            return result;
        }
        if self.config.find_oldest_pass {
            let mut oldest = newest.instance;
            for set in sets.iter().rev().skip(1) {
                if self.check_signature(set).is_err() {
                    break;
                }
                oldest = set.instance;
            }
            result.oldest_pass = Some(oldest);
        }
        result
    }

    /// Verifies an AMS as a DKIM signature (RFC 8617 §5.2 step 4).
    fn check_signature(&self, set: &Set) -> Result<(), Failure> {
        let instance = set.instance;
        let key = self.public_key(set.signature_key, instance)?;
        let record_ok = key.0.key_type == set.signature.algorithm.key_type()
            && key.0.allows_hash(set.signature.algorithm.hash())
            && key.0.email_allowed;
        if !record_ok {
            return Err(Failure::KeyRecord(
                instance,
                "key record does not fit the signature".into(),
            ));
        }
        let digest = self
            .digests
            .as_ref()
            .and_then(|digests| digests.get(set.body))
            .map(|(digest, _)| digest);
        if digest.as_ref().map(AsRef::as_ref) != Some(set.signature.body_hash.as_slice()) {
            return Err(Failure::BodyHashMismatch(instance));
        }
        let block = self.reader.header();
        let own = self.raw(set.signature_field);
        let names: Vec<&str> = set
            .signature
            .signed_headers
            .iter()
            .map(String::as_str)
            .collect();
        let data = tegami_dkim::signed_header_data(
            block,
            &names,
            set.signature.canonicalization.header,
            own,
        );
        crypto::verify(
            &self.backend,
            &self.config.crypto,
            set.signature.algorithm,
            &key.1,
            &data,
            &set.signature.signature,
        )
        .map_err(|error| Failure::MessageSignature(instance, error))
    }

    /// Verifies a seal over every set up to its own, oldest first (RFC 8617 §5.1.1).
    fn check_seal(&self, sets: &[Set], set: &Set) -> Result<(), Failure> {
        let instance = set.instance;
        let key = self.public_key(set.seal_key, instance)?;
        if key.0.key_type != set.seal.algorithm.key_type()
            || !key.0.allows_hash(set.seal.algorithm.hash())
        {
            return Err(Failure::KeyRecord(
                instance,
                "key record does not fit the seal".into(),
            ));
        }
        let mut data = Vec::new();
        for earlier in sets
            .iter()
            .take_while(|earlier| earlier.instance <= instance)
        {
            for field in [earlier.results_field, earlier.signature_field] {
                canonicalize_header(Canonicalization::Relaxed, self.raw(field), &mut data);
                data.extend_from_slice(b"\r\n");
            }
            if earlier.instance == instance {
                canonicalize_without_signature_value(
                    Canonicalization::Relaxed,
                    self.raw(earlier.seal_field),
                    &mut data,
                );
            } else {
                canonicalize_header(
                    Canonicalization::Relaxed,
                    self.raw(earlier.seal_field),
                    &mut data,
                );
                data.extend_from_slice(b"\r\n");
            }
        }
        crypto::verify(
            &self.backend,
            &self.config.crypto,
            set.seal.algorithm,
            &key.1,
            &data,
            &set.seal.signature,
        )
        .map_err(|error| Failure::Seal(instance, error))
    }

    /// The key record and public key in the answer for key `index`.
    fn public_key(
        &self,
        index: usize,
        instance: u32,
    ) -> Result<(KeyRecord, crypto::PublicKey), Failure> {
        let record = self.keys.record(index).map_err(|error| match error {
            KeyLookupError::Temporary => Failure::KeyLookupFailed(instance),
            KeyLookupError::NotFound => Failure::KeyNotFound(instance),
            KeyLookupError::Record(error) => Failure::KeyRecord(instance, error.to_string()),
        })?;
        let key = record
            .key
            .clone()
            .ok_or_else(|| Failure::KeyRecord(instance, "key revoked".into()))?;
        Ok((record, key))
    }

    fn value(&self, field: usize) -> &[u8] {
        self.fields
            .get(field)
            .map(|field| field.value(self.reader.header()))
            .unwrap_or_default()
    }

    fn raw(&self, field: usize) -> &[u8] {
        self.fields
            .get(field)
            .map(|field| field.raw(self.reader.header()))
            .unwrap_or_default()
    }
}

impl ArcResult {
    /// The `arc` result of an Authentication-Results field (RFC 8617 §7.1): `arc=<cv>` with
    /// `header.oldest-pass` when the chain passes and more than one instance exists.
    pub fn to_auth_result(&self) -> MethodResult<'static> {
        let mut result = MethodResult::new("arc", self.status.as_str());
        if let Some(failure) = &self.failure {
            result = result.with_reason(failure.to_string());
        }
        if let Some(oldest) = self.oldest_pass.filter(|_| self.instances > 1) {
            result = result.with_property("header", "oldest-pass", oldest.to_string());
        }
        if self.status == ChainStatus::Pass {
            // Who sealed, newest first: the forwarders a receiver would trust or not.
            let sealers: Vec<&str> = self.seal_domains.iter().rev().map(String::as_str).collect();
            result = result.with_comment(alloc::format!("sealed by {}", sealers.join(", ")));
        }
        result
    }
}

impl<B: CryptoBackend> LookupMachine for Validator<B> {
    type Output = ArcResult;

    fn poll(&mut self) -> Step<ArcResult> {
        Validator::poll(self)
    }

    fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        Validator::handle_answer(self, id, answer)
    }
}

impl<B: CryptoBackend> core::fmt::Debug for Validator<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Validator")
            .field("ended", &self.ended)
            .field("header_bytes", &self.reader.header().len())
            .finish_non_exhaustive()
    }
}

/// The one item of `items`, or why there is not exactly one.
fn only<T>(
    mut items: impl Iterator<Item = T>,
    instance: u32,
    kind: &'static str,
) -> Result<T, Failure> {
    let first = items.next().ok_or(Failure::Missing(instance, kind))?;
    if items.next().is_some() {
        return Err(Failure::Duplicate(instance, kind));
    }
    Ok(first)
}

fn instance_of(failure: &Failure) -> Option<u32> {
    match failure {
        Failure::KeyNotFound(i)
        | Failure::KeyLookupFailed(i)
        | Failure::KeyRecord(i, _)
        | Failure::BodyHashMismatch(i)
        | Failure::MessageSignature(i, _)
        | Failure::Seal(i, _) => Some(*i),
        _ => None,
    }
}
