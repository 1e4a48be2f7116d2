//! Real DNS for every tegami machine, through hickory-resolver (feature `hickory`).
//!
//! [`HickoryResolver`] implements [`AsyncResolver`] for tokio callers; [`BlockingHickoryResolver`]
//! implements [`Resolver`] with a runtime of its own, for blocking callers such as the CLI. Both
//! map hickory's outcomes onto [`DnsError`]: NXDOMAIN, an answer without records of the type, and
//! everything else (SERVFAIL, REFUSED, timeouts, unreachable servers) as a temporary failure,
//! the distinction SPF, DKIM and DMARC each rely on.
//!
//! ```no_run
//! use tegami::core::dns::{QueryKind, Resolver};
//! use tegami::hickory::BlockingHickoryResolver;
//!
//! let resolver = BlockingHickoryResolver::system()?;
//! let answer = resolver.lookup_name("_dmarc.example.com", QueryKind::Txt);
//! # Ok::<(), tegami::hickory::HickoryError>(())
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError as HickoryDnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use tegami_core::dns::{
    Answer, AsyncResolver, DnsError, MxRecord, Query, QueryKind, Record, Resolver, TxtRecord,
};

/// An asynchronous resolver over hickory-resolver; run it inside a tokio runtime.
#[derive(Clone)]
pub struct HickoryResolver {
    inner: TokioResolver,
}

/// A blocking resolver: a [`HickoryResolver`] with a single-threaded tokio runtime of its own.
/// Lookups from several threads take turns.
pub struct BlockingHickoryResolver {
    runtime: Mutex<tokio::runtime::Runtime>,
    inner: HickoryResolver,
}

/// Why a resolver could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HickoryError {
    /// The system's resolver configuration could not be read or used.
    #[error("system resolver configuration: {0}")]
    SystemConfig(String),
    /// The runtime for blocking lookups could not start.
    #[error("cannot start the DNS runtime: {0}")]
    Runtime(std::io::Error),
}

impl HickoryResolver {
    /// A resolver with the system's configuration (`/etc/resolv.conf` on Unix).
    ///
    /// # Errors
    ///
    /// [`HickoryError::SystemConfig`] when the configuration cannot be read.
    pub fn system() -> Result<HickoryResolver, HickoryError> {
        let builder = TokioResolver::builder_tokio()
            .map_err(|error| HickoryError::SystemConfig(error.to_string()))?;
        let inner = builder
            .build()
            .map_err(|error| HickoryError::SystemConfig(error.to_string()))?;
        Ok(HickoryResolver { inner })
    }

    /// A resolver that asks one server (UDP, then TCP for truncated answers), with a timeout per
    /// attempt: for an authoritative server in tests, or a local recursive resolver.
    ///
    /// # Errors
    ///
    /// [`HickoryError::SystemConfig`] when hickory refuses the configuration.
    pub fn with_server(
        server: SocketAddr,
        timeout: Duration,
    ) -> Result<HickoryResolver, HickoryError> {
        let mut name_server = NameServerConfig::udp_and_tcp(server.ip());
        for connection in &mut name_server.connections {
            connection.port = server.port();
        }
        let mut config = ResolverConfig::default();
        config.add_name_server(name_server);
        let mut builder =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        builder.options_mut().timeout = timeout;
        builder.options_mut().attempts = 1;
        let inner = builder
            .build()
            .map_err(|error| HickoryError::SystemConfig(error.to_string()))?;
        Ok(HickoryResolver { inner })
    }

    async fn answer(&self, query: &Query) -> Answer {
        let kind = match query.kind {
            QueryKind::A => RecordType::A,
            QueryKind::Ptr => RecordType::PTR,
            QueryKind::Mx => RecordType::MX,
            QueryKind::Txt => RecordType::TXT,
            QueryKind::Aaaa => RecordType::AAAA,
        };
        // Fully qualified: no search domains are tried.
        let name = if query.name.ends_with('.') {
            query.name.clone()
        } else {
            format!("{}.", query.name)
        };
        let lookup = match self.inner.lookup(name.as_str(), kind).await {
            Ok(lookup) => lookup,
            Err(NetError::Dns(HickoryDnsError::NoRecordsFound(none))) => {
                return Err(if none.response_code == ResponseCode::NXDomain {
                    DnsError::NxDomain
                } else {
                    DnsError::NoRecords
                });
            }
            Err(_) => return Err(DnsError::Temporary),
        };
        let records: Vec<Record> = lookup
            .answers()
            .iter()
            .filter_map(|record| convert(&record.data))
            .filter(|record| same_kind(record, query.kind))
            .collect();
        if records.is_empty() {
            return Err(DnsError::NoRecords);
        }
        Ok(records)
    }
}

impl AsyncResolver for HickoryResolver {
    fn lookup(&self, query: &Query) -> impl Future<Output = Answer> + Send {
        self.answer(query)
    }
}

impl BlockingHickoryResolver {
    /// A blocking resolver with the system's configuration.
    ///
    /// # Errors
    ///
    /// [`HickoryError`] when the runtime or the configuration fails.
    pub fn system() -> Result<BlockingHickoryResolver, HickoryError> {
        BlockingHickoryResolver::new(HickoryResolver::system)
    }

    /// A blocking resolver that asks one server; see [`HickoryResolver::with_server`].
    ///
    /// # Errors
    ///
    /// [`HickoryError`] when the runtime or the configuration fails.
    pub fn with_server(
        server: SocketAddr,
        timeout: Duration,
    ) -> Result<BlockingHickoryResolver, HickoryError> {
        BlockingHickoryResolver::new(|| HickoryResolver::with_server(server, timeout))
    }

    fn new(
        make: impl FnOnce() -> Result<HickoryResolver, HickoryError>,
    ) -> Result<BlockingHickoryResolver, HickoryError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(HickoryError::Runtime)?;
        // hickory spawns its background tasks on the runtime it is built in.
        let inner = {
            let _entered = runtime.enter();
            make()?
        };
        Ok(BlockingHickoryResolver {
            runtime: Mutex::new(runtime),
            inner,
        })
    }
}

impl Resolver for BlockingHickoryResolver {
    fn lookup(&self, query: &Query) -> Answer {
        // A poisoned lock means an earlier lookup panicked inside hickory; report a temporary
        // failure rather than spreading the panic.
        let Ok(runtime) = self.runtime.lock() else {
            return Err(DnsError::Temporary);
        };
        runtime.block_on(self.inner.answer(query))
    }
}

fn convert(data: &RData) -> Option<Record> {
    Some(match data {
        RData::A(address) => Record::A(address.0),
        RData::AAAA(address) => Record::Aaaa(address.0),
        RData::MX(mx) => Record::Mx(MxRecord {
            preference: mx.preference,
            exchange: host(&mx.exchange.to_string()),
        }),
        RData::PTR(name) => Record::Ptr(host(&name.0.to_string())),
        RData::TXT(txt) => Record::Txt(TxtRecord::new(
            txt.txt_data.iter().map(|string| string.to_vec()).collect(),
        )),
        _ => return None,
    })
}

/// A host name without its final dot (`.` alone, the null MX, becomes empty).
fn host(name: &str) -> String {
    String::from(name.strip_suffix('.').unwrap_or(name))
}

/// Answers can carry CNAME records before the records asked for; keep the asked kind only.
fn same_kind(record: &Record, kind: QueryKind) -> bool {
    matches!(
        (record, kind),
        (Record::A(_), QueryKind::A)
            | (Record::Aaaa(_), QueryKind::Aaaa)
            | (Record::Mx(_), QueryKind::Mx)
            | (Record::Ptr(_), QueryKind::Ptr)
            | (Record::Txt(_), QueryKind::Txt)
    )
}
