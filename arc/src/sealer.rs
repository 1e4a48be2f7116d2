//! Sealing: adding this hop's ARC set, [RFC 8617 §5.1](https://www.rfc-editor.org/rfc/rfc8617#section-5.1).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tegami_core::auth_results::{AuthenticationResults, MethodResult};
use tegami_core::crypto::{self, CryptoBackend, SigningKey};
use tegami_core::domain::Domain;
use tegami_dkim::Selector;
use tegami_dkim::canon::{Canonicalization, canonicalize_header};
use tegami_dkim::stream::{BodyHashes, Fed, HeaderFields, MessageReader};

use crate::set::{ChainStatus, MAX_INSTANCE, Seal, results_instance};

/// The fields an AMS signs when the caller names none: what DKIM signers sign, without the
/// fields mailing lists rewrite.
pub const DEFAULT_SEALED_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "dkim-signature",
];

/// Who seals and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SealSpec<K> {
    /// The private key; its algorithm gives `a=`.
    pub key: K,
    /// `d=` of the AMS and the seal.
    pub domain: Domain,
    /// `s=` of the AMS and the seal.
    pub selector: Selector,
    /// This hop's authserv-id: the Authentication-Results fields it wrote become the AAR.
    pub authserv_id: String,
    /// `h=` of the AMS; [`DEFAULT_SEALED_HEADERS`] when `None`.
    pub signed_headers: Option<Vec<String>>,
    /// The status of the incoming chain (from [`Validator`](crate::Validator)); `None` reads
    /// it from the `arc=` result of this hop's Authentication-Results (none without one).
    pub chain_status: Option<ChainStatus>,
}

impl<K: SigningKey> SealSpec<K> {
    /// A seal by `key` for `domain` and `selector`, copying the results `authserv_id` wrote.
    pub fn new(key: K, domain: Domain, selector: Selector, authserv_id: &str) -> SealSpec<K> {
        SealSpec {
            key,
            domain,
            selector,
            authserv_id: authserv_id.into(),
            signed_headers: None,
            chain_status: None,
        }
    }
}

/// The three fields of a new ARC set, each `Name: value` ended with CRLF.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArcSetFields {
    /// The instance of the new set.
    pub instance: u32,
    /// The `cv=` the seal records.
    pub chain_status: ChainStatus,
    /// `ARC-Seal: ...`.
    pub seal: String,
    /// `ARC-Message-Signature: ...`.
    pub message_signature: String,
    /// `ARC-Authentication-Results: ...`.
    pub results: String,
}

impl ArcSetFields {
    /// The three fields in the order to prepend them to the message.
    pub fn to_prepend(&self) -> String {
        [
            self.seal.as_str(),
            self.message_signature.as_str(),
            self.results.as_str(),
        ]
        .concat()
    }
}

/// Why a message could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// No Authentication-Results field of this authserv-id: there is nothing to seal.
    #[error("no Authentication-Results field of {0}")]
    NoResults(String),
    /// The chain already has 50 sets (RFC 8617 §4.2.1).
    #[error("the chain already has {MAX_INSTANCE} sets")]
    TooManyInstances,
    /// The message has no chain but a chain status other than none was given or found.
    #[error("cv={0} for a message without an ARC chain")]
    StatusWithoutChain(ChainStatus),
    /// The message has a chain but its status is unknown (`cv=none`).
    #[error("cv=none for a message that carries an ARC chain")]
    NoneForChain,
    /// The header block is larger than the sealer keeps.
    #[error("header block exceeds {0} octets")]
    HeaderTooLarge(usize),
    /// The key refused to sign.
    #[error(transparent)]
    Crypto(#[from] crypto::SignError),
}

/// Adds this hop's ARC set to a message: AAR from this hop's Authentication-Results, an AMS
/// over the message, and a seal over the whole chain (RFC 8617 §5.1), in one pass.
///
/// - Input: [`handle_input`](Self::handle_input) with each chunk of the message, then
///   [`finish`](Self::finish).
/// - Result: `Some` new set to prepend, or `None` when the chain already failed in an earlier
///   hop (its newest seal says `cv=fail`): a failed chain is not extended.
///
/// ```
/// use tegami_arc::{ChainStatus, SealSpec, Sealer};
/// use tegami_core::crypto::{CryptoBackend, PrivateKey, RingBackend, SignPolicy};
///
/// let key = RingBackend.signing_key(&PrivateKey::ed25519_seed([1; 32]), &SignPolicy::default())?;
/// let spec = SealSpec::new(&key, "lists.example.org".parse()?, "arc".try_into()?, "lists.example.org");
/// let mut sealer = Sealer::with_backend(RingBackend, spec, 1_700_000_000);
/// sealer.handle_input(concat!(
///     "Authentication-Results: lists.example.org; spf=pass smtp.mailfrom=a@example.com\r\n",
///     "From: a@example.com\r\n\r\nHello list.\r\n",
/// ).as_bytes());
/// let set = sealer.finish()?.expect("a new chain");
/// assert_eq!((set.instance, set.chain_status), (1, ChainStatus::None));
/// assert!(set.results.starts_with("ARC-Authentication-Results: i=1; lists.example.org;"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Sealer<K, B: CryptoBackend> {
    backend: B,
    spec: SealSpec<K>,
    now: u64,
    reader: MessageReader,
    bodies: BodyHashes<B::Hasher>,
    body: tegami_dkim::stream::BodyHashId,
    overflowed: bool,
}

impl<K: SigningKey, B: CryptoBackend> Sealer<K, B> {
    /// A sealer signing at time `now` (Unix seconds) with `backend` for hashing.
    pub fn with_backend(backend: B, spec: SealSpec<K>, now: u64) -> Sealer<K, B> {
        let mut bodies = BodyHashes::new();
        let body = bodies.add(
            &backend,
            Canonicalization::Relaxed,
            spec.key.algorithm().hash(),
            None,
        );
        Sealer {
            backend,
            spec,
            now,
            reader: MessageReader::new(MAX_HEADER_BYTES),
            bodies,
            body,
            overflowed: false,
        }
    }

    /// Feeds the next chunk of the message.
    pub fn handle_input(&mut self, chunk: &[u8]) {
        match self.reader.feed(chunk) {
            Fed::Nothing => {}
            Fed::Overflowed => self.overflowed = true,
            Fed::HeaderDone(rest) => {
                self.bodies.feed(rest);
            }
            Fed::Body(body) => self.bodies.feed(body),
        }
    }

    /// Ends the message and makes the new ARC set.
    ///
    /// # Errors
    ///
    /// [`SealError`] when there is nothing to seal, the chain status contradicts the message,
    /// or the key fails.
    pub fn finish(mut self) -> Result<Option<ArcSetFields>, SealError> {
        if self.overflowed {
            return Err(SealError::HeaderTooLarge(MAX_HEADER_BYTES));
        }
        self.reader.end();
        let digests = self.bodies.finish();
        let block = self.reader.header();
        let fields = HeaderFields::split(block);
        let spec = &self.spec;

        // This hop's results, in field order (RFC 8617 §4.1.1).
        let mut results: Vec<MethodResult<'_>> = Vec::new();
        let mut found = false;
        for field in fields.iter() {
            let name = field.name(block);
            if name.eq_ignore_ascii_case(b"Authentication-Results")
                && let Ok(parsed) = AuthenticationResults::parse(field.value(block))
                && parsed.is_from(&spec.authserv_id)
            {
                found = true;
                results.extend(parsed.results);
            }
        }
        if !found {
            return Err(SealError::NoResults(spec.authserv_id.clone()));
        }

        // The chain so far: the newest instance and whether its seal already failed.
        let mut chain: Vec<(u32, &[u8], u8)> = Vec::new();
        let mut newest_seal: Option<(u32, ChainStatus)> = None;
        for field in fields.iter() {
            let name = field.name(block);
            let value = field.value(block);
            let (instance, order) = if name.eq_ignore_ascii_case(b"ARC-Authentication-Results") {
                (results_instance(value).ok(), 0)
            } else if name.eq_ignore_ascii_case(b"ARC-Message-Signature") {
                (tag_instance(value), 1)
            } else if name.eq_ignore_ascii_case(b"ARC-Seal") {
                let instance = tag_instance(value);
                if let (Some(instance), Ok(seal)) = (instance, Seal::parse(value))
                    && newest_seal.is_none_or(|(newest, _)| instance > newest)
                {
                    newest_seal = Some((instance, seal.chain_status));
                }
                (instance, 2)
            } else {
                continue;
            };
            if let Some(instance) = instance {
                chain.push((instance, field.raw(block), order));
            }
        }
        let previous = chain.iter().map(|(i, _, _)| *i).max().unwrap_or(0);
        if newest_seal.is_some_and(|(_, status)| status == ChainStatus::Fail) {
            return Ok(None);
        }
        let instance = previous + 1;
        if instance > MAX_INSTANCE {
            return Err(SealError::TooManyInstances);
        }
        let status = match spec.chain_status {
            Some(status) => status,
            None => {
                let mut arc = results
                    .iter()
                    .filter(|r| r.method.eq_ignore_ascii_case("arc"));
                match (arc.next(), arc.next()) {
                    (None, _) => ChainStatus::None,
                    (Some(only), None) => match only.result.to_ascii_lowercase().as_str() {
                        "pass" => ChainStatus::Pass,
                        "none" => ChainStatus::None,
                        _ => ChainStatus::Fail,
                    },
                    (Some(_), Some(_)) => ChainStatus::Fail,
                }
            }
        };
        match (instance, status) {
            (1, ChainStatus::None) | (2.., ChainStatus::Pass | ChainStatus::Fail) => {}
            (..=1, other) => return Err(SealError::StatusWithoutChain(other)),
            (_, ChainStatus::None) => return Err(SealError::NoneForChain),
        }

        // ARC-Authentication-Results: i=N; authserv-id; result; result...
        let mut aar = alloc::format!("i={instance}; {}", spec.authserv_id);
        for result in &results {
            aar.push_str(";\r\n ");
            aar.push_str(&result.to_string());
        }
        let aar_field = alloc::format!("ARC-Authentication-Results: {aar}");

        // ARC-Message-Signature over the message with the new AAR on top.
        let algorithm = spec.key.algorithm();
        let names: Vec<String> = match &spec.signed_headers {
            Some(names) => names.iter().map(|name| name.to_ascii_lowercase()).collect(),
            None => DEFAULT_SEALED_HEADERS
                .iter()
                .map(|name| String::from(*name))
                .collect(),
        };
        let (digest, _) = digests
            .get(self.body)
            .ok_or_else(|| crypto::SignError::Backend("body hash missing".into()))?;
        let domain = spec.domain.as_str().to_ascii_lowercase();
        let selector = spec.selector.as_str().to_ascii_lowercase();
        let ams_tags = |signature: &str| {
            alloc::format!(
                "a={}; b={signature}; bh={}; c=relaxed/relaxed; d={domain}; h={}; i={instance}; s={selector}; t={}",
                algorithm.dkim_name(),
                STANDARD.encode(digest.as_ref()),
                names.join(":"),
                self.now,
            )
        };
        let with_aar = [aar_field.as_bytes(), b"\r\n", block].concat();
        let names_ref: Vec<&str> = names.iter().map(String::as_str).collect();
        let unsigned_ams = alloc::format!("ARC-Message-Signature: {}", ams_tags(""));
        let data = tegami_dkim::signed_header_data(
            &with_aar,
            &names_ref,
            Canonicalization::Relaxed,
            unsigned_ams.as_bytes(),
        );
        let ams_signature = STANDARD.encode(crypto::sign(&self.backend, &spec.key, &data)?);
        let ams_field = alloc::format!("ARC-Message-Signature: {}", ams_tags(&ams_signature));

        // ARC-Seal over the chain, oldest set first (a failed chain: this set only).
        let seal_tags = |signature: &str| {
            alloc::format!(
                "a={}; b={signature}; cv={status}; d={domain}; i={instance}; s={selector}; t={}",
                algorithm.dkim_name(),
                self.now,
            )
        };
        let mut data = Vec::new();
        if status != ChainStatus::Fail {
            chain.sort_by_key(|(instance, _, order)| (*instance, *order));
            for (_, raw, _) in &chain {
                canonicalize_header(Canonicalization::Relaxed, raw, &mut data);
                data.extend_from_slice(b"\r\n");
            }
        }
        for field in [&aar_field, &ams_field] {
            canonicalize_header(Canonicalization::Relaxed, field.as_bytes(), &mut data);
            data.extend_from_slice(b"\r\n");
        }
        let unsigned_seal = alloc::format!("ARC-Seal: {}", seal_tags(""));
        canonicalize_header(
            Canonicalization::Relaxed,
            unsigned_seal.as_bytes(),
            &mut data,
        );
        let seal_signature = STANDARD.encode(crypto::sign(&self.backend, &spec.key, &data)?);

        Ok(Some(ArcSetFields {
            instance,
            chain_status: status,
            seal: fold(&alloc::format!("ARC-Seal: {}", seal_tags(&seal_signature))),
            message_signature: fold(&ams_field),
            results: alloc::format!("{aar_field}\r\n"),
        }))
    }
}

impl<K, B: CryptoBackend> core::fmt::Debug for Sealer<K, B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sealer")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// The `i=` of an AMS or seal, whatever else is wrong with it.
fn tag_instance(value: &[u8]) -> Option<u32> {
    let tags = tegami_core::tag_list::TagList::parse(value).ok()?;
    let number: u32 = tags.get("i")?.trim_ascii().parse().ok()?;
    (1..=MAX_INSTANCE).contains(&number).then_some(number)
}

/// Folds a field at 78 columns, only at the space after a `;`: relaxed canonicalization reads
/// the fold as the space it replaces, so signatures made over the unfolded text stay valid, and
/// values are never split (a long `b=` keeps a line of its own).
fn fold(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 16);
    let mut column = 0;
    for (index, piece) in field.split("; ").enumerate() {
        if index > 0 {
            if column + 2 + piece.len() > LINE {
                out.push_str(";\r\n ");
                column = 1;
            } else {
                out.push_str("; ");
                column += 2;
            }
        }
        out.push_str(piece);
        column += piece.len();
    }
    out.push_str("\r\n");
    out
}

/// Where fields are folded.
const LINE: usize = 78;
/// The largest header block the sealer keeps.
const MAX_HEADER_BYTES: usize = 1 << 20;
