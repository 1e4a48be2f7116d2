//! ARC ([RFC 8617](https://www.rfc-editor.org/rfc/rfc8617)) for tegami: chain validation as a
//! sans-IO machine that reads the message once, and sealing in one pass.
//!
//! ARC lets a receiver see what earlier hops (forwarders, mailing lists) concluded about a
//! message whose SPF and DKIM they broke. RFC 8617 is headed for Historic in favour of DKIM2, so
//! this crate is a separate layer: nothing else in tegami needs it, and the receive pipeline can
//! switch it off.
//!
//! ```
//! use tegami_arc::{ChainStatus, Config, Validator};
//! use tegami_core::dns::{self, ZoneResolver};
//!
//! // A message whose only seal records cv=fail has a failed chain whatever its signatures say.
//! let message = concat!(
//!     "ARC-Seal: i=1; a=rsa-sha256; cv=fail; d=example.org; s=s1; b=AAAA\r\n",
//!     "ARC-Message-Signature: i=1; a=rsa-sha256; d=example.org; s=s1; h=from; bh=AAAA; b=AAAA\r\n",
//!     "ARC-Authentication-Results: i=1; example.org; spf=pass\r\n",
//!     "From: a@example.com\r\n",
//!     "\r\n",
//!     "body\r\n",
//! );
//! let mut validator = Validator::new(Config::default());
//! validator.handle_input(message.as_bytes())?;
//! validator.handle_end();
//! let result = dns::resolve(&mut validator, &ZoneResolver::default())?;
//! assert_eq!(result.status, ChainStatus::Fail);
//! assert_eq!(result.to_auth_result().result, "fail");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

extern crate alloc;

#[cfg(fuzzing)]
pub mod fuzzing;
mod sealer;
mod set;
mod validator;

pub use sealer::{ArcSetFields, DEFAULT_SEALED_HEADERS, SealError, SealSpec, Sealer};
pub use set::{
    ChainStatus, MAX_INSTANCE, MessageSignature, Seal, SetError, results_instance, results_payload,
};
pub use validator::{ArcResult, Config, Failure, InputAfterEnd, Validator};
