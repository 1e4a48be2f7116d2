//! The ring backend, the default.

super::backend_impl::ring_like_backend!(ring, RingBackend, RingHasher, RingSigningKey, "ring");
