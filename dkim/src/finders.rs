//! Substring searchers built once per process and shared: building one costs more than
//! searching a short header or line with it.

use memchr::memmem::Finder;

/// The prebuilt searchers of the crate.
pub(crate) struct Finders {
    /// CRLF CRLF: the empty line that ends the header.
    pub(crate) blank_line: Finder<'static>,
}

impl Finders {
    /// The searchers, built on first use.
    pub(crate) fn get() -> &'static Finders {
        static FINDERS: std::sync::OnceLock<Finders> = std::sync::OnceLock::new();
        FINDERS.get_or_init(|| Finders {
            blank_line: Finder::new(b"\r\n\r\n"),
        })
    }
}
