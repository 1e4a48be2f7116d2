//! [`Message`]: a whole message as a tree of MIME parts over the borrowed input,
//! [RFC 5322](https://www.rfc-editor.org/rfc/rfc5322), [RFC 2045](https://www.rfc-editor.org/rfc/rfc2045)
//! and [RFC 2046](https://www.rfc-editor.org/rfc/rfc2046).
//!
//! One pass finds every part's header fields and body span; nothing is decoded until asked
//! (`Part::decoded`, `Part::text`). Broken structure never stops the parse: a missing closing
//! boundary, a part past the depth or count limit of [`Config`], a damaged encoding each leave
//! a [`Problem`] with its offset.
//!
//! Multipart bodies (RFC 2046 §5.1.1) split at delimiter lines `--boundary` (with optional
//! trailing white space), the line break before a delimiter belonging to it; the preamble and
//! epilogue are kept as spans. A `message/rfc822` part (§5.2.1) holds a message of its own,
//! whose parts join the tree.
//!
//! ```
//! use tegami_mime::Message;
//!
//! let raw = concat!(
//!     "From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\n",
//!     "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\r\n",
//!     "Content-Type: multipart/mixed; boundary=b\r\n\r\n",
//!     "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nこんにちは\r\n",
//!     "--b\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n",
//!     "--b--\r\n",
//! );
//! let message = Message::parse(raw.as_bytes());
//! assert_eq!(message.subject().as_deref(), Some("テスト"));
//! assert_eq!(message.text_body().as_deref(), Some("こんにちは"));
//! let attachment = message.attachments().next().unwrap();
//! assert_eq!(attachment.filename().as_deref(), Some("a.pdf"));
//! assert_eq!(&attachment.decoded()[..], b"%PDF");
//! assert!(message.problems().is_empty());
//! ```

use std::borrow::Cow;

use crate::address::AddressList;
use crate::date::DateTime;
use crate::encoded_word::{charset_encoding, decode_text};
use crate::header::{HeaderBlock, HeaderField};
use crate::parameters::ContentType;
use crate::problem::{Problem, ProblemKind};
use crate::transfer::{TransferEncoding, decode};
use crate::zip::{ZipDirectory, read_directory};

/// Limits of a parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How deep multiparts and embedded messages may nest; deeper ones are left as leaves.
    /// Default 32.
    pub max_depth: usize,
    /// How many parts the tree may hold; the rest are left out. Default 10,000.
    pub max_parts: usize,
    /// A header line that is neither a field nor a continuation ends the header and starts
    /// the body, instead of being skipped (default false). Mime4j offers the same switch.
    pub malformed_header_starts_body: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_depth: 32,
            max_parts: 10_000,
            malformed_header_starts_body: false,
        }
    }
}

/// A parsed message.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    raw: &'a [u8],
    parts: Vec<Part<'a>>,
    problems: Vec<Problem>,
}

/// One MIME entity: the message itself, a part of a multipart, or an embedded message.
#[derive(Debug, Clone)]
pub struct Part<'a> {
    header: HeaderBlock<'a>,
    offset: usize,
    body: &'a [u8],
    body_offset: usize,
    content_type: ContentType,
    disposition: Option<ContentType>,
    encoding: TransferEncoding,
    depth: usize,
    parent: Option<usize>,
    children: Vec<usize>,
    /// For a multipart: its preamble and epilogue.
    preamble: &'a [u8],
    epilogue: &'a [u8],
}

/// How a part protects its content, by its type (RFC 1847, RFC 8551, RFC 3156).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Security {
    /// `multipart/signed` with an S/MIME signature (`application/pkcs7-signature`).
    SmimeSigned,
    /// `application/pkcs7-mime` with enveloped data (or no `smime-type`).
    SmimeEncrypted,
    /// `application/pkcs7-mime; smime-type=signed-data`.
    SmimeOpaqueSigned,
    /// `multipart/signed` with an OpenPGP signature.
    PgpSigned,
    /// `multipart/encrypted` with OpenPGP.
    PgpEncrypted,
    /// A text part with an inline `-----BEGIN PGP MESSAGE-----` or signed-message armour.
    PgpInline,
}

impl<'a> Message<'a> {
    /// Parses with the default [`Config`].
    pub fn parse(raw: &'a [u8]) -> Message<'a> {
        Message::parse_with(raw, Config::default())
    }

    /// Parses with the given limits.
    pub fn parse_with(raw: &'a [u8], config: Config) -> Message<'a> {
        let mut message = Message {
            raw,
            parts: Vec::new(),
            problems: Vec::new(),
        };
        message.entity(0, raw.len(), 0, None, ContentType::default_text(), config);
        message.problems.sort_by_key(|p| p.offset);
        message
    }

    /// Parses the entity at `raw[start..end]` and its children.
    fn entity(
        &mut self,
        start: usize,
        end: usize,
        depth: usize,
        parent: Option<usize>,
        default_type: ContentType,
        config: Config,
    ) {
        if self.parts.len() >= config.max_parts {
            self.too_many_parts(start);
            return;
        }
        let bytes = self.raw.get(start..end).unwrap_or_default();
        let header = HeaderBlock::parse_with(bytes, config.malformed_header_starts_body);
        for problem in header.problems() {
            self.problem(start + problem.offset, problem.kind);
        }
        let body_offset = start + header.body_offset().min(bytes.len());
        let body = self.raw.get(body_offset..end).unwrap_or_default();
        let content_type = match header.get("content-type") {
            Some(field) => {
                let parsed = ContentType::parse(field.value());
                if !parsed.is_valid() {
                    self.problem(start + field.offset(), ProblemKind::InvalidContentType);
                }
                parsed
            }
            None => default_type,
        };
        let disposition = header
            .get("content-disposition")
            .map(|f| ContentType::parse_disposition(f.value()));
        let encoding = header
            .get("content-transfer-encoding")
            .map_or(TransferEncoding::SevenBit, |f| {
                TransferEncoding::parse(f.value())
            });
        let index = self.parts.len();
        self.parts.push(Part {
            header,
            offset: start,
            body,
            body_offset,
            content_type,
            disposition,
            encoding,
            depth,
            parent,
            children: Vec::new(),
            preamble: b"",
            epilogue: b"",
        });
        if let Some(parent) = parent.and_then(|p| self.parts.get_mut(p)) {
            parent.children.push(index);
        }
        let Some(part) = self.parts.get(index) else {
            return;
        };
        let is_multipart = part.content_type.is("multipart");
        let is_message = part.content_type.essence() == "message/rfc822"
            && matches!(
                part.encoding,
                TransferEncoding::SevenBit | TransferEncoding::EightBit | TransferEncoding::Binary
            );
        if !(is_multipart || is_message) {
            return;
        }
        if depth + 1 > config.max_depth {
            self.problem(start, ProblemKind::TooDeep);
            return;
        }
        if is_message {
            self.entity(
                body_offset,
                end,
                depth + 1,
                Some(index),
                ContentType::default_text(),
                config,
            );
            return;
        }
        let boundary = part.content_type.parameter("boundary").map(str::to_owned);
        let child_default = if part.content_type.subtype() == "digest" {
            ContentType::default_digest()
        } else {
            ContentType::default_text()
        };
        let Some(boundary) = boundary.filter(|b| !b.is_empty()) else {
            self.problem(start, ProblemKind::MissingBoundary);
            return;
        };
        // Only the parts the limit leaves room for are kept: the rest cost no memory.
        let room = config.max_parts.saturating_sub(self.parts.len());
        let split = split_multipart(self.raw, body_offset, end, boundary.as_bytes(), room);
        if let Some(first) = split.first_left_out {
            self.too_many_parts(first);
        }
        if split.parts.is_empty() && split.first_left_out.is_none() {
            self.problem(body_offset, ProblemKind::BoundaryNotFound);
        } else if !split.closed {
            self.problem(end, ProblemKind::MissingCloseDelimiter);
        }
        if let Some(part) = self.parts.get_mut(index) {
            part.preamble = self
                .raw
                .get(body_offset..split.preamble_end)
                .unwrap_or_default();
            part.epilogue = self.raw.get(split.epilogue_start..end).unwrap_or_default();
        }
        for (part_start, part_end) in split.parts {
            self.entity(
                part_start,
                part_end,
                depth + 1,
                Some(index),
                child_default.clone(),
                config,
            );
        }
    }

    /// One [`ProblemKind::TooManyParts`] per message, at the first part left out.
    fn too_many_parts(&mut self, offset: usize) {
        if !self
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::TooManyParts)
        {
            self.problem(offset, ProblemKind::TooManyParts);
        }
    }

    fn problem(&mut self, offset: usize, kind: ProblemKind) {
        self.problems.push(Problem { offset, kind });
    }

    /// The message as given.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The top-level entity (its header is the message header).
    pub fn root(&self) -> Option<&Part<'a>> {
        self.parts.first()
    }

    /// The message's header fields.
    pub fn header(&self) -> Option<&HeaderBlock<'a>> {
        self.root().map(|p| &p.header)
    }

    /// Every part in document order, containers included.
    pub fn parts(&self) -> &[Part<'a>] {
        &self.parts
    }

    /// The part at `index` of [`Message::parts`].
    pub fn part(&self, index: usize) -> Option<&Part<'a>> {
        self.parts.get(index)
    }

    /// The leaf parts in document order (multiparts and embedded messages left out, their
    /// leaves included).
    pub fn leaves(&self) -> impl Iterator<Item = &Part<'a>> {
        self.parts
            .iter()
            .filter(|p| p.children.is_empty() && !p.content_type.is("multipart"))
    }

    /// What was wrong with the message, in order of offset.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    fn field(&self, name: &str) -> Option<&'a [u8]> {
        self.root()?.header.get(name).map(HeaderField::value)
    }

    fn field_offset(&self, name: &str) -> Option<(&'a [u8], usize)> {
        self.root()?
            .header
            .get(name)
            .map(|f| (f.value(), f.value_offset()))
    }

    /// The `Subject`, encoded words decoded, unfolded, trimmed.
    pub fn subject(&self) -> Option<String> {
        self.field("subject").map(unstructured)
    }

    /// An address field (`From`, `To`, `Cc`, `Bcc`, `Reply-To`, `Sender`) of the message
    /// header.
    pub fn addresses(&self, name: &str) -> Option<AddressList> {
        self.field_offset(name)
            .map(|(value, offset)| AddressList::parse(value, offset))
    }

    /// `From`.
    pub fn from(&self) -> Option<AddressList> {
        self.addresses("from")
    }

    /// `To`.
    pub fn to(&self) -> Option<AddressList> {
        self.addresses("to")
    }

    /// `Cc`.
    pub fn cc(&self) -> Option<AddressList> {
        self.addresses("cc")
    }

    /// `Date`, when it parses.
    pub fn date(&self) -> Option<DateTime> {
        self.field("date").and_then(DateTime::parse)
    }

    /// `Message-ID` without its angle brackets.
    pub fn message_id(&self) -> Option<String> {
        self.field("message-id")
            .and_then(|v| message_ids(v).into_iter().next())
    }

    /// `References`: the message ids without angle brackets.
    pub fn references(&self) -> Vec<String> {
        self.field("references")
            .map(message_ids)
            .unwrap_or_default()
    }

    /// `In-Reply-To`: the message ids without angle brackets.
    pub fn in_reply_to(&self) -> Vec<String> {
        self.field("in-reply-to")
            .map(message_ids)
            .unwrap_or_default()
    }

    /// Every `Received` field, newest (topmost) first (RFC 5321 §4.4).
    pub fn received(&self) -> Vec<crate::received::Received> {
        let Some(header) = self.header() else {
            return Vec::new();
        };
        header
            .all("received")
            .map(|field| crate::received::Received::parse(field.value()))
            .collect()
    }

    /// `Keywords` (RFC 5322 §3.6.5): the comma-separated phrases of every `Keywords` field,
    /// unfolded, encoded words decoded, trimmed; empty items left out.
    pub fn keywords(&self) -> Vec<String> {
        let Some(header) = self.header() else {
            return Vec::new();
        };
        header
            .all("keywords")
            .flat_map(|field| phrase_list(field.value()))
            .collect()
    }

    /// The text a mail client shows: the first inline `text/plain` leaf outside embedded
    /// messages (in a `multipart/alternative`, its `text/plain` alternative), decoded.
    pub fn text_body(&self) -> Option<String> {
        self.body_of("plain")
    }

    /// The HTML a mail client shows: as [`Message::text_body`] for `text/html`.
    pub fn html_body(&self) -> Option<String> {
        self.body_of("html")
    }

    fn body_of(&self, subtype: &str) -> Option<String> {
        self.leaves()
            .find(|part| {
                part.content_type.is("text")
                    && part.content_type.subtype() == subtype
                    && !part.is_attachment()
                    && !self.inside_embedded_message(part)
            })
            .map(|part| part.text().into_owned())
    }

    fn inside_embedded_message(&self, part: &Part<'a>) -> bool {
        let mut parent = part.parent;
        while let Some(index) = parent {
            let Some(ancestor) = self.parts.get(index) else {
                return false;
            };
            if ancestor.content_type.essence() == "message/rfc822" {
                return true;
            }
            parent = ancestor.parent;
        }
        false
    }

    /// The attachments: leaves with a filename or an `attachment` disposition, and leaves
    /// that are not text.
    pub fn attachments(&self) -> impl Iterator<Item = &Part<'a>> {
        self.leaves().filter(|part| part.is_attachment())
    }
}

impl<'a> Part<'a> {
    /// The part's header fields.
    pub fn header(&self) -> &HeaderBlock<'a> {
        &self.header
    }

    /// The `Content-Type` (defaults filled in: `text/plain`, or `message/rfc822` in a
    /// digest).
    pub fn content_type(&self) -> &ContentType {
        &self.content_type
    }

    /// The `Content-Disposition`, if given.
    pub fn disposition(&self) -> Option<&ContentType> {
        self.disposition.as_ref()
    }

    /// The `Content-Transfer-Encoding`.
    pub fn encoding(&self) -> TransferEncoding {
        self.encoding
    }

    /// The body as written.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// Where the part starts in the message.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Where the body starts in the message.
    pub fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// How deep the part sits (0 for the message itself).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The indexes of the child parts in [`Message::parts`].
    pub fn children(&self) -> &[usize] {
        &self.children
    }

    /// For a multipart, the text before the first delimiter.
    pub fn preamble(&self) -> &'a [u8] {
        self.preamble
    }

    /// For a multipart, the text after the closing delimiter.
    pub fn epilogue(&self) -> &'a [u8] {
        self.epilogue
    }

    /// The body with its transfer encoding undone.
    pub fn decoded(&self) -> Cow<'a, [u8]> {
        decode(self.encoding, self.body).0
    }

    /// For a `message/rfc822` or `message/global` part, the embedded message's octets.
    ///
    /// RFC 2046 §5.2.1 allows only `7bit`, `8bit` and `binary` there, and such a part is parsed
    /// in place (its child in the tree). Some senders base64- or quoted-printable-encode the
    /// embedded message anyway; this decodes it, for [`Message::parse`] to read as a message
    /// of its own (the tree over the outer buffer cannot hold octets it does not contain).
    ///
    /// ```
    /// use tegami_mime::Message;
    ///
    /// let outer = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\
    ///     U3ViamVjdDogaW5uZXINCg0KYm9keQ0K\r\n";
    /// let message = Message::parse(outer);
    /// let inner = message.root().unwrap().embedded_message().unwrap();
    /// assert_eq!(Message::parse(&inner).subject().as_deref(), Some("inner"));
    /// ```
    pub fn embedded_message(&self) -> Option<Cow<'a, [u8]>> {
        let kind = self.content_type.essence();
        (kind == "message/rfc822" || kind == "message/global").then(|| self.decoded())
    }

    /// Whether the transfer encoding was damaged (worked around while decoding).
    pub fn is_damaged(&self) -> bool {
        decode(self.encoding, self.body).1
    }

    /// The declared charset, lower case.
    pub fn charset(&self) -> Option<String> {
        self.content_type
            .parameter("charset")
            .map(|c| c.trim().to_ascii_lowercase())
    }

    /// The body as text: transfer decoding, then the charset (UTF-8 when none is declared
    /// and the octets are UTF-8; windows-1252 otherwise).
    pub fn text(&self) -> Cow<'a, str> {
        let bytes = self.decoded();
        let encoding = self
            .content_type
            .parameter("charset")
            .and_then(|c| charset_encoding(c.trim().as_bytes()));
        match encoding {
            Some(encoding) if encoding != encoding_rs::UTF_8 => {
                Cow::Owned(encoding.decode_without_bom_handling(&bytes).0.into_owned())
            }
            _ => match bytes {
                Cow::Borrowed(b) => match core::str::from_utf8(b) {
                    Ok(text) => Cow::Borrowed(text),
                    Err(_) => Cow::Owned(encoding_rs::WINDOWS_1252.decode(b).0.into_owned()),
                },
                Cow::Owned(b) => Cow::Owned(match String::from_utf8(b) {
                    Ok(text) => text,
                    Err(error) => encoding_rs::WINDOWS_1252
                        .decode(error.as_bytes())
                        .0
                        .into_owned(),
                }),
            },
        }
    }

    /// The file name: `Content-Disposition` `filename` (RFC 2231 decoded, then RFC 2047),
    /// else `Content-Type` `name`.
    pub fn filename(&self) -> Option<String> {
        self.disposition
            .as_ref()
            .and_then(|d| d.parameter("filename"))
            .or_else(|| self.content_type.parameter("name"))
            .map(|name| decode_text(name.as_bytes()).trim().to_owned())
            .filter(|name| !name.is_empty())
    }

    /// Whether a mail client would list the part as an attachment.
    pub fn is_attachment(&self) -> bool {
        if self
            .disposition
            .as_ref()
            .is_some_and(|d| d.kind() == "attachment")
        {
            return true;
        }
        if self.filename().is_some() {
            return true;
        }
        !(self.content_type.is("text") || self.content_type.is("multipart"))
            && self.content_type.essence() != "message/rfc822"
    }

    /// The directory of a ZIP attachment (by type, file name or content), read without
    /// decompressing; `None` for other parts.
    pub fn zip_directory(&self) -> Option<ZipDirectory> {
        let mime = self.content_type.essence();
        let by_type = matches!(
            mime,
            "application/zip" | "application/x-zip-compressed" | "application/x-zip"
        );
        let by_name = self
            .filename()
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".zip"));
        let decoded = self.decoded();
        let by_content = decoded.starts_with(b"PK\x03\x04");
        if !(by_type || by_name || by_content) {
            return None;
        }
        let directory = read_directory(&decoded);
        directory.is_zip.then_some(directory)
    }

    /// Whether the part is a ZIP archive with an encrypted entry.
    pub fn is_encrypted_zip(&self) -> bool {
        self.zip_directory().is_some_and(|d| d.is_encrypted())
    }

    /// How the part protects its content, if it does.
    pub fn security(&self) -> Option<Security> {
        let mime = self.content_type.essence();
        let protocol = self
            .content_type
            .parameter("protocol")
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match mime {
            "multipart/signed" if protocol.contains("pkcs7-signature") => {
                Some(Security::SmimeSigned)
            }
            "multipart/signed" if protocol.contains("pgp-signature") => Some(Security::PgpSigned),
            "multipart/encrypted" if protocol.contains("pgp-encrypted") => {
                Some(Security::PgpEncrypted)
            }
            "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
                match self
                    .content_type
                    .parameter("smime-type")
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("signed-data") => Some(Security::SmimeOpaqueSigned),
                    _ => Some(Security::SmimeEncrypted),
                }
            }
            _ if self.content_type.is("text")
                && (memchr::memmem::find(self.body, b"-----BEGIN PGP MESSAGE-----").is_some()
                    || memchr::memmem::find(self.body, b"-----BEGIN PGP SIGNED MESSAGE-----")
                        .is_some()) =>
            {
                Some(Security::PgpInline)
            }
            _ => None,
        }
    }
}

/// The parts of a multipart body.
struct Split {
    parts: Vec<(usize, usize)>,
    /// Where the first part beyond the kept ones starts, when some were left out.
    first_left_out: Option<usize>,
    preamble_end: usize,
    epilogue_start: usize,
    closed: bool,
}

/// Splits `raw[start..end]` at the delimiter lines of `boundary` (RFC 2046 §5.1.1), keeping
/// at most `keep` parts (the scan still finds the close delimiter and the epilogue).
fn split_multipart(raw: &[u8], start: usize, end: usize, boundary: &[u8], keep: usize) -> Split {
    let mut delimiter = Vec::with_capacity(boundary.len() + 2);
    delimiter.extend_from_slice(b"--");
    delimiter.extend_from_slice(boundary);
    let body = raw.get(start..end).unwrap_or_default();
    let mut split = Split {
        parts: Vec::new(),
        first_left_out: None,
        preamble_end: end,
        epilogue_start: end,
        closed: false,
    };
    // Where the current part's content starts, once the first delimiter is seen.
    let mut content_start: Option<usize> = None;
    let mut search = 0;
    let mut delimiters = DelimiterSearch::new(&delimiter);
    while let Some(at) = delimiters.next(body, search) {
        let after = body.get(at + delimiter.len()..).unwrap_or_default();
        let close = after.starts_with(b"--");
        // RFC 2046 §5.1.1: "it is sufficient that the boundary appear in its entirety
        // following the CRLF": the rest of the delimiter line (transport padding, or
        // anything else) is not content.
        let line_end = memchr::memchr(b'\n', after).map_or(after.len(), |i| i + 1);
        // The line break before the delimiter belongs to it.
        let mut content_end = at;
        if content_end > 0 && body.get(content_end - 1) == Some(&b'\n') {
            content_end -= 1;
            if content_end > 0 && body.get(content_end - 1) == Some(&b'\r') {
                content_end -= 1;
            }
        }
        match content_start {
            None => split.preamble_end = start + content_end,
            Some(part_start) => split.keep(
                (start + part_start, start + content_end.max(part_start)),
                keep,
            ),
        }
        let next = at + delimiter.len() + line_end;
        if close {
            split.closed = true;
            split.epilogue_start = start + next.min(body.len());
            return split;
        }
        content_start = Some(next.min(body.len()));
        search = next.min(body.len());
    }
    if let Some(part_start) = content_start {
        split.keep((start + part_start, end), keep);
    }
    split
}

/// Finds delimiter lines: `--` and the boundary at the start of a line.
///
/// A delimiter starts with `-`, which base64 never holds, so a search for that one octet skips
/// an encoded attachment at the speed of a plain byte search, where a substring search
/// compares two octets per position. Text with many hyphens would stop that search often: after
/// [`DelimiterSearch::MISSES`] hyphens that start no delimiter, the substring search takes over.
struct DelimiterSearch<'d> {
    delimiter: &'d [u8],
    finder: Option<memchr::memmem::Finder<'d>>,
    misses: usize,
}

impl<'d> DelimiterSearch<'d> {
    const MISSES: usize = 64;

    fn new(delimiter: &'d [u8]) -> DelimiterSearch<'d> {
        DelimiterSearch {
            delimiter,
            finder: None,
            misses: 0,
        }
    }

    /// Where the next delimiter line starts at or after `from`.
    fn next(&mut self, body: &[u8], from: usize) -> Option<usize> {
        let mut search = from;
        loop {
            let rest = body.get(search..)?;
            let at = search
                + match &self.finder {
                    Some(finder) => finder.find(rest)?,
                    None => memchr::memchr(b'-', rest)?,
                };
            let at_line_start = at == 0 || body.get(at - 1) == Some(&b'\n');
            if at_line_start && body.get(at..)?.starts_with(self.delimiter) {
                return Some(at);
            }
            search = at + 1;
            if self.finder.is_none() {
                self.misses += 1;
                if self.misses > DelimiterSearch::MISSES {
                    self.finder = Some(memchr::memmem::Finder::new(self.delimiter));
                }
            }
        }
    }
}

impl Split {
    fn keep(&mut self, part: (usize, usize), keep: usize) {
        if self.parts.len() < keep {
            self.parts.push(part);
        } else if self.first_left_out.is_none() {
            self.first_left_out = Some(part.0);
        }
    }
}

/// Unstructured text (`Subject`): unfolded, encoded words decoded, trimmed.
fn unstructured(value: &[u8]) -> String {
    if memchr::memchr2(b'\r', b'\n', value).is_none() {
        return decode_text(value).trim().to_owned();
    }
    let mut unfolded = Vec::with_capacity(value.len());
    unfolded.extend(value.iter().copied().filter(|&b| b != b'\r' && b != b'\n'));
    decode_text(&unfolded).trim().to_owned()
}

/// A comma-separated list of phrases (`Keywords`): each item as unstructured text; commas
/// inside quoted strings and encoded words do not separate.
fn phrase_list(value: &[u8]) -> Vec<String> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut encoded = false;
    let mut previous = 0u8;
    for (at, &byte) in value.iter().enumerate() {
        match byte {
            b'"' if !encoded && previous != b'\\' => quoted = !quoted,
            b'?' if previous == b'=' && !quoted => encoded = true,
            b'=' if previous == b'?' && encoded => encoded = false,
            b',' if !quoted && !encoded => {
                items.push(unstructured(value.get(start..at).unwrap_or_default()));
                start = at + 1;
            }
            _ => {}
        }
        previous = byte;
    }
    items.push(unstructured(value.get(start..).unwrap_or_default()));
    items.retain(|item| !item.is_empty());
    items
}

/// The `<id>` items of a `Message-ID`, `References` or `In-Reply-To` value.
fn message_ids(value: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(value);
    let mut ids = Vec::new();
    let mut rest = text.as_ref();
    while let Some(open) = rest.find('<') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('>') else {
            break;
        };
        // Obsolete ids may hold CFWS between their atoms (RFC 5322 §4.5.4): not part of the id.
        let id: String = crate::parameters::strip_comments(after.get(..close).unwrap_or_default())
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !id.is_empty() {
            ids.push(id);
        }
        rest = after.get(close + 1..).unwrap_or_default();
    }
    // A value without any `<`: the bare id some senders write.
    if ids.is_empty() && !text.contains('<') {
        let bare = text.trim();
        if !bare.is_empty() {
            ids.push(bare.to_owned());
        }
    }
    ids
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests;
