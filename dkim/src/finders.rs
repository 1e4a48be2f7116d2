//! Substring searchers built once per process and shared: building one costs more than
//! searching a short header or line with it.

use memchr::memmem::Finder;

/// The prebuilt searchers of the crate.
pub(crate) struct Finders {
    /// Two spaces: a run that relaxed body canonicalization shortens.
    pub(crate) spaces: Finder<'static>,
    /// A space before CR: white space that relaxed body canonicalization drops.
    pub(crate) space_cr: Finder<'static>,
    /// CRLF CRLF: the empty line that ends the header.
    pub(crate) blank_line: Finder<'static>,
}

impl Finders {
    /// The searchers, built on first use.
    pub(crate) fn get() -> &'static Finders {
        static FINDERS: std::sync::OnceLock<Finders> = std::sync::OnceLock::new();
        FINDERS.get_or_init(|| Finders {
            spaces: Finder::new(b"  "),
            space_cr: Finder::new(b" \r"),
            blank_line: Finder::new(b"\r\n\r\n"),
        })
    }
}
