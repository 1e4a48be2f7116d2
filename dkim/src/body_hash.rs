//! Body hashes of several signatures computed in one pass: one canonicalizer per algorithm, one
//! running hash per distinct (hash algorithm, `l=`) pair.

use alloc::vec::Vec;

use tegami_core::crypto::{CryptoBackend, Digest, HashAlgorithm, Hasher};

use crate::canon::{BodyCanonicalizer, Canonicalization};

/// Which body hash a signature uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyHashId {
    group: usize,
    sink: usize,
}

/// Running body hashes.
pub struct BodyHashes<H> {
    groups: Vec<Group<H>>,
}

struct Group<H> {
    algorithm: Canonicalization,
    canonicalizer: BodyCanonicalizer,
    total: u64,
    /// Small canonical pieces gathered into one hash update (a hash update per piece costs
    /// more than copying it): the empty lines written after a hold-back, the small chunks a
    /// slow client sends under `simple`. Relaxed text comes in buffers of several KiB already.
    staged: Vec<u8>,
    sinks: Vec<Sink<H>>,
}

struct Sink<H> {
    hash: HashAlgorithm,
    limit: Option<u64>,
    hasher: H,
    written: u64,
}

/// Finished body hashes.
pub struct BodyDigests {
    groups: Vec<(u64, Vec<Digest>)>,
}

impl<H: Hasher> Default for BodyHashes<H> {
    fn default() -> Self {
        BodyHashes::new()
    }
}

impl<H: Hasher> BodyHashes<H> {
    /// No body hash yet.
    pub fn new() -> BodyHashes<H> {
        BodyHashes { groups: Vec::new() }
    }

    /// Registers a body hash, sharing one already registered with the same parameters.
    pub fn add<B: CryptoBackend<Hasher = H> + ?Sized>(
        &mut self,
        backend: &B,
        algorithm: Canonicalization,
        hash: HashAlgorithm,
        limit: Option<u64>,
    ) -> BodyHashId {
        let group = match self
            .groups
            .iter()
            .position(|group| group.algorithm == algorithm)
        {
            Some(group) => group,
            None => {
                // Most messages need one group and one sink: room for just that, which the
                // allocator serves from its small-size cache.
                self.groups.reserve_exact(1);
                self.groups.push(Group {
                    algorithm,
                    canonicalizer: BodyCanonicalizer::new(algorithm),
                    total: 0,
                    staged: Vec::new(),
                    sinks: Vec::new(),
                });
                self.groups.len() - 1
            }
        };
        let Some(entry) = self.groups.get_mut(group) else {
            return BodyHashId { group, sink: 0 };
        };
        let sink = match entry
            .sinks
            .iter()
            .position(|sink| sink.hash == hash && sink.limit == limit)
        {
            Some(sink) => sink,
            None => {
                entry.sinks.reserve_exact(1);
                entry.sinks.push(Sink {
                    hash,
                    limit,
                    hasher: backend.hasher(hash),
                    written: 0,
                });
                entry.sinks.len() - 1
            }
        };
        BodyHashId { group, sink }
    }

    /// Feeds a chunk of the body.
    pub fn feed(&mut self, chunk: &[u8]) {
        for group in &mut self.groups {
            let Group {
                canonicalizer,
                total,
                staged,
                sinks,
                ..
            } = group;
            canonicalizer.feed(chunk, &mut |piece: &[u8]| {
                stage(total, staged, sinks, piece);
            });
        }
    }

    /// Ends the body.
    pub fn finish(self) -> BodyDigests {
        let groups = self
            .groups
            .into_iter()
            .map(|group| {
                let Group {
                    canonicalizer,
                    mut total,
                    mut staged,
                    mut sinks,
                    ..
                } = group;
                canonicalizer.finish(&mut |piece: &[u8]| {
                    stage(&mut total, &mut staged, &mut sinks, piece);
                });
                write(&mut sinks, &staged);
                let digests = sinks.into_iter().map(|sink| sink.hasher.finish()).collect();
                (total, digests)
            })
            .collect();
        BodyDigests { groups }
    }
}

impl BodyDigests {
    /// The body hash and the canonical body length for `id`.
    pub fn get(&self, id: BodyHashId) -> Option<(Digest, u64)> {
        let (total, digests) = self.groups.get(id.group)?;
        Some((*digests.get(id.sink)?, *total))
    }
}

/// Counts a canonical piece and hashes it, through the staging buffer when it is small.
fn stage<H: Hasher>(total: &mut u64, staged: &mut Vec<u8>, sinks: &mut [Sink<H>], piece: &[u8]) {
    *total += piece.len() as u64;
    if piece.len() >= DIRECT {
        // In order: what was staged before it, then the piece itself, uncopied.
        if !staged.is_empty() {
            write(sinks, staged);
            staged.clear();
        }
        write(sinks, piece);
        return;
    }
    if staged.len() + piece.len() > STAGE {
        write(sinks, staged);
        staged.clear();
    }
    if staged.capacity() == 0 {
        // Once, at the size it works at, rather than growing piece by piece.
        staged.reserve(STAGE);
    }
    staged.extend_from_slice(piece);
}

/// Hashes `piece` into every sink, each up to its `l=`.
fn write<H: Hasher>(sinks: &mut [Sink<H>], piece: &[u8]) {
    let length = piece.len() as u64;
    for sink in sinks {
        let take = match sink.limit {
            Some(limit) => limit.saturating_sub(sink.written).min(length),
            None => length,
        };
        if take == length {
            sink.hasher.update(piece);
        } else if take > 0 {
            // `take` is below `piece.len()` here, so it fits a usize.
            let take_usize = usize::try_from(take).unwrap_or(piece.len());
            sink.hasher.update(piece.get(..take_usize).unwrap_or(piece));
        }
        sink.written += take;
    }
}

/// The staging buffer's size.
const STAGE: usize = 8192;

/// The smallest piece hashed as it is, uncopied: a hash update of this many octets costs
/// little more than copying them would.
const DIRECT: usize = 512;
