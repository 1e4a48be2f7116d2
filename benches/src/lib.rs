//! Criterion benchmarks of tegami, side by side with a floor (the physical minimum for the same
//! bytes) and, with the `peers` feature, peer crates. See `benches/README.md`.

/// In-memory DNS caches for mail-auth, so its checks run with every answer ready, as ours do.
#[cfg(feature = "peers")]
pub mod mail_auth_cache {
    use std::borrow::Borrow;
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::hash::Hash;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    use std::time::Instant;

    use mail_auth::{DnsCache, Mx, Negative, RecordSet, ResolverCache, TxtRecord};

    /// A map with mail-auth's cache interface.
    pub struct Map<K, V>(RefCell<HashMap<K, V>>);

    impl<K, V> Default for Map<K, V> {
        fn default() -> Self {
            Map(RefCell::new(HashMap::new()))
        }
    }

    impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for Map<K, V> {
        fn get<Q>(&self, name: &Q) -> Option<V>
        where
            K: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            self.0.borrow().get(name).cloned()
        }

        fn remove<Q>(&self, name: &Q) -> Option<V>
        where
            K: Borrow<Q>,
            Q: Hash + Eq + ?Sized,
        {
            self.0.borrow_mut().remove(name)
        }

        fn insert(&self, key: K, value: V, _: Instant) {
            self.0.borrow_mut().insert(key, value);
        }
    }

    type Answer<T> = Result<RecordSet<T>, Negative>;

    /// Every cache mail-auth asks for.
    #[derive(Default)]
    pub struct Caches {
        /// TXT records (SPF, DKIM keys, DMARC) by owner name with a trailing dot.
        pub txt: Map<Box<str>, TxtRecord>,
        mx: Map<Box<str>, Answer<Mx>>,
        ipv4: Map<Box<str>, Answer<Ipv4Addr>>,
        ipv6: Map<Box<str>, Answer<Ipv6Addr>>,
        ptr: Map<IpAddr, Answer<Box<str>>>,
    }

    impl DnsCache for Caches {
        type Txt = Map<Box<str>, TxtRecord>;
        type Mx = Map<Box<str>, Answer<Mx>>;
        type Ipv4 = Map<Box<str>, Answer<Ipv4Addr>>;
        type Ipv6 = Map<Box<str>, Answer<Ipv6Addr>>;
        type Ptr = Map<IpAddr, Answer<Box<str>>>;

        fn txt(&self) -> Option<&Self::Txt> {
            Some(&self.txt)
        }
        fn mx(&self) -> Option<&Self::Mx> {
            Some(&self.mx)
        }
        fn ipv4(&self) -> Option<&Self::Ipv4> {
            Some(&self.ipv4)
        }
        fn ipv6(&self) -> Option<&Self::Ipv6> {
            Some(&self.ipv6)
        }
        fn ptr(&self) -> Option<&Self::Ptr> {
            Some(&self.ptr)
        }
    }

    /// Polls a future that never waits: every answer is in the cache.
    pub fn ready<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
        }
    }
}
