//! Finding the XML of aggregate reports in what arrives: plain XML, a gzip file (RFC 1952), a
//! ZIP archive, or the whole report email (RFC 9990 section 4.2: the report is an attachment,
//! `application/gzip` or `text/xml`; many reporters still send `application/zip`).
//!
//! Decompression is bounded: RFC 9990 section 9.1 warns that the archive decompressor is an
//! attack surface ("zip bomb"), so every output is capped by [`UnpackLimits::max_size`] and
//! the sum of all outputs of one input by [`UnpackLimits::max_total`]; a ZIP entry that
//! declares more is refused before it is inflated. Encrypted ZIP entries are refused, not
//! guessed at.
//!
//! ```
//! use tegami_dmarc::report::unpack::{Container, unpack};
//!
//! let files = unpack(b"<?xml version=\"1.0\"?><feedback></feedback>")?;
//! assert_eq!(files.len(), 1);
//! assert_eq!(files[0].container, Container::Xml);
//! assert!(unpack(b"\x1f\x8b\x08\x00garbage").is_err());
//! # Ok::<(), tegami_dmarc::report::unpack::UnpackError>(())
//! ```

use std::io::Read;

use flate2::read::{DeflateDecoder, GzDecoder};
use tegami_mime::Message;
use tegami_mime::zip;

/// Limits on what unpacking produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    /// The largest single report, after decompression.
    pub max_size: usize,
    /// The largest sum of all reports of one input, after decompression.
    pub max_total: usize,
    /// The most reports taken from one input.
    pub max_reports: usize,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        UnpackLimits {
            max_size: 64 << 20,
            max_total: 256 << 20,
            max_reports: 100,
        }
    }
}

/// What a report came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// Plain XML.
    Xml,
    /// A gzip file.
    Gzip,
    /// An entry of a ZIP archive.
    Zip,
}

/// One report's XML, found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// The file name the attachment or archive entry carried, if any.
    pub name: Option<String>,
    /// The innermost container it came out of.
    pub container: Container,
    /// Whether it was found inside an email.
    pub from_email: bool,
    /// The XML.
    pub xml: Vec<u8>,
}

/// Why no report could be taken out of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnpackError {
    /// Decompressing would produce more than the limit allows.
    #[error("a report would be larger than the limit of {limit} bytes after decompression")]
    TooLarge {
        /// The limit that was hit.
        limit: usize,
    },
    /// The gzip data is damaged.
    #[error("damaged gzip data: {0}")]
    Gzip(String),
    /// The ZIP archive is damaged or uses a method other than stored or deflate.
    #[error("unusable ZIP archive: {0}")]
    Zip(String),
    /// The ZIP entry is encrypted.
    #[error("the ZIP entry {0:?} is encrypted")]
    Encrypted(String),
    /// Nothing in the input looks like an aggregate report.
    #[error("no aggregate report found")]
    NoReport,
}

/// Takes the report(s) out of `data` with the default limits.
///
/// # Errors
///
/// [`UnpackError`] when a container is damaged, encrypted or too large, or nothing inside
/// looks like a report.
pub fn unpack(data: &[u8]) -> Result<Vec<ReportFile>, UnpackError> {
    unpack_with(data, &UnpackLimits::default())
}

/// Takes the report(s) out of `data`.
///
/// # Errors
///
/// As [`unpack`].
pub fn unpack_with(data: &[u8], limits: &UnpackLimits) -> Result<Vec<ReportFile>, UnpackError> {
    let mut unpacker = Unpacker {
        limits,
        total: 0,
        files: Vec::new(),
        error: None,
    };
    match sniff(data) {
        Kind::Email => unpacker.email(data),
        kind => unpacker.container(kind, data, None, false)?,
    }
    match (unpacker.files.is_empty(), unpacker.error) {
        (true, Some(error)) => Err(error),
        (true, None) => Err(UnpackError::NoReport),
        (false, _) => Ok(unpacker.files),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xml,
    Gzip,
    Zip,
    Email,
}

/// What `data` is, by its first bytes.
fn sniff(data: &[u8]) -> Kind {
    let trimmed = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let start = trimmed.iter().position(|b| !b.is_ascii_whitespace());
    let trimmed = start.and_then(|s| trimmed.get(s..)).unwrap_or_default();
    if data.starts_with(b"\x1f\x8b") {
        Kind::Gzip
    } else if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if trimmed.starts_with(b"<") {
        Kind::Xml
    } else {
        Kind::Email
    }
}

/// Whether XML text looks like an aggregate report (has a `feedback` element).
fn looks_like_report(xml: &[u8]) -> bool {
    memchr::memmem::find(xml, b"<feedback").is_some()
        || memchr::memmem::find(xml, b":feedback").is_some()
}

struct Unpacker<'l> {
    limits: &'l UnpackLimits,
    total: usize,
    files: Vec<ReportFile>,
    /// The first error met in an email's attachments, reported if nothing else is found.
    error: Option<UnpackError>,
}

impl Unpacker<'_> {
    fn container(
        &mut self,
        kind: Kind,
        data: &[u8],
        name: Option<String>,
        from_email: bool,
    ) -> Result<(), UnpackError> {
        match kind {
            Kind::Xml => {
                self.push(data.to_vec(), name, Container::Xml, from_email)?;
            }
            Kind::Gzip => {
                // One member: bytes after it (a mailer's stray CRLF) are ignored.
                let xml = self.inflate(GzDecoder::new(data), UnpackError::Gzip)?;
                self.push(xml, name, Container::Gzip, from_email)?;
            }
            Kind::Zip => self.zip(data, from_email)?,
            Kind::Email => return Err(UnpackError::NoReport),
        }
        Ok(())
    }

    fn push(
        &mut self,
        xml: Vec<u8>,
        name: Option<String>,
        container: Container,
        from_email: bool,
    ) -> Result<(), UnpackError> {
        if xml.len() > self.limits.max_size {
            return Err(UnpackError::TooLarge {
                limit: self.limits.max_size,
            });
        }
        if !looks_like_report(&xml) || self.files.len() >= self.limits.max_reports {
            return Ok(());
        }
        self.total = self.total.saturating_add(xml.len());
        if self.total > self.limits.max_total {
            return Err(UnpackError::TooLarge {
                limit: self.limits.max_total,
            });
        }
        self.files.push(ReportFile {
            name,
            container,
            from_email,
            xml,
        });
        Ok(())
    }

    /// Reads a decoder to its end, at most the size limit (one byte more tells it was hit).
    fn inflate(
        &self,
        decoder: impl Read,
        error: fn(String) -> UnpackError,
    ) -> Result<Vec<u8>, UnpackError> {
        let limit = self
            .limits
            .max_size
            .min(self.limits.max_total.saturating_sub(self.total));
        let mut out = Vec::new();
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        decoder
            .take(cap)
            .read_to_end(&mut out)
            .map_err(|e| error(e.to_string()))?;
        if out.len() > limit {
            return Err(UnpackError::TooLarge { limit });
        }
        Ok(out)
    }

    fn zip(&mut self, data: &[u8], from_email: bool) -> Result<(), UnpackError> {
        let directory = zip::read_directory(data);
        if !directory.is_zip {
            return Err(UnpackError::Zip("no ZIP directory".into()));
        }
        for entry in &directory.entries {
            if entry.name.ends_with('/') {
                continue;
            }
            if entry.encryption.is_some() {
                return Err(UnpackError::Encrypted(entry.name.clone()));
            }
            if usize::try_from(entry.size).map_or(true, |size| size > self.limits.max_size) {
                return Err(UnpackError::TooLarge {
                    limit: self.limits.max_size,
                });
            }
            let stored = zip::entry_data(data, entry)
                .ok_or_else(|| UnpackError::Zip(format!("entry {:?} is cut short", entry.name)))?;
            let xml = match entry.method {
                0 => stored.to_vec(),
                8 => self.inflate(DeflateDecoder::new(stored), UnpackError::Zip)?,
                method => {
                    return Err(UnpackError::Zip(format!(
                        "entry {:?} uses compression method {method}",
                        entry.name
                    )));
                }
            };
            self.push(xml, Some(entry.name.clone()), Container::Zip, from_email)?;
        }
        Ok(())
    }

    /// Every leaf part of an email whose decoded body is a report or holds one.
    fn email(&mut self, data: &[u8]) {
        let message = Message::parse(data);
        for part in message.leaves() {
            let body = part.decoded();
            let kind = sniff(&body);
            if kind == Kind::Email {
                continue;
            }
            if let Err(error) = self.container(kind, &body, part.filename(), true) {
                self.error.get_or_insert(error);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use std::io::Write as _;

    use flate2::Compression;
    use flate2::write::{DeflateEncoder, GzEncoder};

    use super::*;

    const REPORT: &[u8] = b"<feedback><report_metadata/></feedback>";

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// A one-entry archive, deflated, declaring `declared` as the uncompressed size.
    fn zip(name: &str, data: &[u8], declared: u32, flags: u16) -> Vec<u8> {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        let packed = encoder.finish().unwrap();
        let header = |central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(if central {
                b"PK\x01\x02\x14\x00\x14\x00"
            } else {
                b"PK\x03\x04\x14\x00"
            });
            h.extend_from_slice(&flags.to_le_bytes());
            h.extend_from_slice(&8u16.to_le_bytes());
            h.extend_from_slice(&[0; 8]);
            h.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            h.extend_from_slice(&declared.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&[0; 2]);
            if central {
                h.extend_from_slice(&[0; 10]);
                h.extend_from_slice(&0u32.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        let mut out = header(false);
        out.extend_from_slice(&packed);
        let central = out.len() as u32;
        out.extend_from_slice(&header(true));
        let size = out.len() as u32 - central;
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&central.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn containers() {
        let files = unpack(&gzip(REPORT)).unwrap();
        assert_eq!(
            (files[0].container, files[0].xml.as_slice()),
            (Container::Gzip, REPORT)
        );
        let files = unpack(&zip("r.xml", REPORT, REPORT.len() as u32, 0)).unwrap();
        assert_eq!(files[0].name.as_deref(), Some("r.xml"));
        assert_eq!(files[0].xml, REPORT);
        assert_eq!(
            unpack(&zip("r.xml", REPORT, REPORT.len() as u32, 1)),
            Err(UnpackError::Encrypted("r.xml".into()))
        );
        assert_eq!(
            unpack(b"<html>no report</html>"),
            Err(UnpackError::NoReport)
        );
        assert_eq!(unpack(b""), Err(UnpackError::NoReport));
    }

    #[test]
    fn bombs_are_refused() {
        let limits = UnpackLimits {
            max_size: 1 << 20,
            max_total: 2 << 20,
            max_reports: 4,
        };
        // 8 MiB of spaces: 8 KiB of gzip.
        let mut big = b"<feedback>".to_vec();
        big.resize(8 << 20, b' ');
        let bomb = gzip(&big);
        assert!(bomb.len() < 20_000);
        assert_eq!(
            unpack_with(&bomb, &limits),
            Err(UnpackError::TooLarge { limit: 1 << 20 })
        );
        // A ZIP entry that says how large it is, refused before inflating.
        let honest = zip("r.xml", &big, big.len() as u32, 0);
        assert_eq!(
            unpack_with(&honest, &limits),
            Err(UnpackError::TooLarge { limit: 1 << 20 })
        );
        // One that lies about it, stopped while inflating.
        let liar = zip("r.xml", &big, 100, 0);
        assert_eq!(
            unpack_with(&liar, &limits),
            Err(UnpackError::TooLarge { limit: 1 << 20 })
        );
        // Many reports: the total counts.
        let mut medium = b"<feedback>".to_vec();
        medium.resize(900 << 10, b' ');
        let part = base64_lines(&gzip(&medium));
        let mut email = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        for _ in 0..3 {
            email.extend_from_slice(b"--b\r\nContent-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            email.extend_from_slice(part.as_bytes());
        }
        email.extend_from_slice(b"--b--\r\n");
        let files = unpack_with(&email, &limits).unwrap();
        assert_eq!(files.len(), 2, "the third would pass the total");
        assert!(files.iter().all(|f| f.from_email));
    }

    fn base64_lines(data: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for (index, chunk) in data.chunks(3).enumerate() {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
            if index % 19 == 18 {
                out.push_str("\r\n");
            }
        }
        out.push_str("\r\n");
        out
    }
}
