//! Encrypted-ZIP detection: reads the directory of a ZIP archive (PKWARE APPNOTE 6.3.x, §4.3)
//! without decompressing anything, and reports the entries that are encrypted.
//!
//! Receivers reject the practice of mailing a password-protected ZIP and then its password in a
//! second mail: the attachment cannot be scanned. An entry is encrypted when bit 0 of its
//! general purpose flag is set (traditional PKWARE encryption, §4.4.4), with bit 6 for strong
//! encryption, or when its method is 99 (WinZip AES, APPNOTE §4.4.5 and the AE-x extra field
//! 0x9901).
//!
//! The central directory (found through the end-of-central-directory record) is read when
//! present; otherwise the local file headers are walked from the start.
//!
//! ```
//! use tegami_mime::zip::{ZipEncryption, read_directory};
//!
//! // One local file header: "a.txt", flags 0x0001 (encrypted), method 8, 3 bytes of data.
//! let mut zip = b"PK\x03\x04\x14\x00\x01\x00\x08\x00\0\0\0\0\0\0\0\0\x03\0\0\0\x03\0\0\0\x05\0\0\0a.txt".to_vec();
//! zip.extend_from_slice(b"xyz");
//! let directory = read_directory(&zip);
//! assert_eq!(directory.entries[0].name, "a.txt");
//! assert_eq!(directory.entries[0].encryption, Some(ZipEncryption::Traditional));
//! assert!(directory.is_encrypted());
//! ```

/// What the directory says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ZipDirectory {
    /// The entries, in directory order.
    pub entries: Vec<ZipEntry>,
    /// Whether the input looked like a ZIP archive at all.
    pub is_zip: bool,
    /// Whether the directory was cut short (truncated data, too many entries).
    pub truncated: bool,
}

/// One entry of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// The file name as stored (CP437 or UTF-8, read leniently).
    pub name: String,
    /// How the entry is encrypted, if it is.
    pub encryption: Option<ZipEncryption>,
    /// The compression method number.
    pub method: u16,
    /// The compressed size.
    pub compressed_size: u64,
    /// The uncompressed size.
    pub size: u64,
    /// The offset of the entry's local file header (§4.3.7) in the archive.
    pub header_offset: u64,
}

/// The kinds of ZIP encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZipEncryption {
    /// Traditional PKWARE encryption (ZipCrypto): flag bit 0.
    Traditional,
    /// PKWARE strong encryption: flag bits 0 and 6.
    Strong,
    /// WinZip AES: method 99.
    Aes,
}

/// The most entries read (the format allows 65,535 without ZIP64).
const MAX_ENTRIES: usize = 65_535;

impl ZipDirectory {
    /// Whether any entry is encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.entries.iter().any(|e| e.encryption.is_some())
    }
}

/// Reads the directory of `data`.
pub fn read_directory(data: &[u8]) -> ZipDirectory {
    if let Some(directory) = central_directory(data) {
        return directory;
    }
    local_headers(data)
}

/// The stored (possibly compressed) data of `entry` in `data`: the bytes after its local file
/// header (§4.3.7), as long as the directory's compressed size says. `None` when the header or
/// the data lies outside `data`.
pub fn entry_data<'a>(data: &'a [u8], entry: &ZipEntry) -> Option<&'a [u8]> {
    let at = usize::try_from(entry.header_offset).ok()?;
    if data.get(at..at.checked_add(4)?) != Some(b"PK\x03\x04") {
        return None;
    }
    let name_len = usize::from(u16_at(data, at + 26)?);
    let extra_len = usize::from(u16_at(data, at + 28)?);
    let start = at.checked_add(30 + name_len + extra_len)?;
    let len = usize::try_from(entry.compressed_size).ok()?;
    data.get(start..start.checked_add(len)?)
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
        *data.get(at + 2)?,
        *data.get(at + 3)?,
    ]))
}

/// Reads an entry's fields from a central (`central = true`, §4.3.12) or local (§4.3.7)
/// header at `at`: the entry, its flags, and the offset just past its name.
fn entry_at(data: &[u8], at: usize, central: bool) -> Option<(ZipEntry, u16, usize)> {
    // Central headers carry two more version octets before the same fields.
    let shift = if central { 2 } else { 0 };
    let flags = u16_at(data, at + 6 + shift)?;
    let method = u16_at(data, at + 8 + shift)?;
    let compressed = u32_at(data, at + 18 + shift)?;
    let size = u32_at(data, at + 22 + shift)?;
    let name_len = usize::from(u16_at(data, at + 26 + shift)?);
    let name_start = at + if central { 46 } else { 30 };
    let name = data
        .get(name_start..name_start + name_len)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    let entry = ZipEntry {
        name,
        encryption: encryption(flags, method),
        method,
        compressed_size: u64::from(compressed),
        size: u64::from(size),
        // The central header's relative offset (§4.3.12); a local header's own position.
        header_offset: if central {
            u64::from(u32_at(data, at + 42)?)
        } else {
            at as u64
        },
    };
    Some((entry, flags, name_start + name_len))
}

fn encryption(flags: u16, method: u16) -> Option<ZipEncryption> {
    if method == 99 {
        Some(ZipEncryption::Aes)
    } else if flags & 0x0001 != 0 && flags & 0x0040 != 0 {
        Some(ZipEncryption::Strong)
    } else if flags & 0x0001 != 0 {
        Some(ZipEncryption::Traditional)
    } else {
        None
    }
}

/// The central directory through the end-of-central-directory record (§4.3.16), searched in
/// the last 64 KiB + 22 octets.
fn central_directory(data: &[u8]) -> Option<ZipDirectory> {
    let search_from = data.len().saturating_sub(65_535 + 22);
    let tail = data.get(search_from..)?;
    let end = memchr::memmem::rfind(tail, b"PK\x05\x06")? + search_from;
    let count = usize::from(u16_at(data, end + 10)?);
    let offset = usize::try_from(u32_at(data, end + 16)?).ok()?;
    let mut directory = ZipDirectory {
        is_zip: true,
        ..ZipDirectory::default()
    };
    let mut position = offset;
    for _ in 0..count.min(MAX_ENTRIES) {
        if data.get(position..position + 4) != Some(b"PK\x01\x02") {
            directory.truncated = true;
            break;
        }
        let (Some((entry, _, name_end)), Some(extra_len), Some(comment_len)) = (
            entry_at(data, position, true),
            u16_at(data, position + 30),
            u16_at(data, position + 32),
        ) else {
            directory.truncated = true;
            break;
        };
        directory.entries.push(entry);
        position = name_end + usize::from(extra_len) + usize::from(comment_len);
    }
    (!directory.entries.is_empty() || count == 0).then_some(directory)
}

/// The local file headers from the start (§4.3.7), for archives whose end is missing.
fn local_headers(data: &[u8]) -> ZipDirectory {
    let mut directory = ZipDirectory::default();
    let mut position = 0;
    while data.get(position..position + 4) == Some(b"PK\x03\x04") {
        directory.is_zip = true;
        if directory.entries.len() >= MAX_ENTRIES {
            directory.truncated = true;
            break;
        }
        let (Some((entry, flags, name_end)), Some(extra_len)) =
            (entry_at(data, position, false), u16_at(data, position + 28))
        else {
            directory.truncated = true;
            break;
        };
        let compressed = entry.compressed_size;
        directory.entries.push(entry);
        if flags & 0x0008 != 0 && compressed == 0 {
            // Sizes follow the data (a data descriptor): the next header cannot be found
            // without decompressing; stop here.
            directory.truncated = true;
            break;
        }
        let Ok(compressed) = usize::try_from(compressed) else {
            break;
        };
        position = name_end + usize::from(extra_len) + compressed;
    }
    directory
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    /// A minimal archive with one stored entry and its central directory.
    fn archive(flags: u16, method: u16) -> Vec<u8> {
        let name = b"report.pdf";
        let data = b"data";
        let mut zip = Vec::new();
        zip.extend_from_slice(b"PK\x03\x04\x14\x00");
        zip.extend_from_slice(&flags.to_le_bytes());
        zip.extend_from_slice(&method.to_le_bytes());
        zip.extend_from_slice(&[0; 8]);
        zip.extend_from_slice(&(data.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(data.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes());
        zip.extend_from_slice(name);
        zip.extend_from_slice(data);
        let central = zip.len() as u32;
        zip.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00");
        zip.extend_from_slice(&flags.to_le_bytes());
        zip.extend_from_slice(&method.to_le_bytes());
        zip.extend_from_slice(&[0; 8]);
        zip.extend_from_slice(&(data.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(data.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
        zip.extend_from_slice(&[0; 12]);
        zip.extend_from_slice(&0u32.to_le_bytes());
        zip.extend_from_slice(name);
        let size = zip.len() as u32 - central;
        zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
        zip.extend_from_slice(&size.to_le_bytes());
        zip.extend_from_slice(&central.to_le_bytes());
        zip.extend_from_slice(&[0, 0]);
        zip
    }

    #[test]
    fn kinds_of_encryption() {
        assert_eq!(read_directory(&archive(0, 0)).entries[0].encryption, None);
        assert_eq!(
            read_directory(&archive(1, 8)).entries[0].encryption,
            Some(ZipEncryption::Traditional)
        );
        assert_eq!(
            read_directory(&archive(0x41, 8)).entries[0].encryption,
            Some(ZipEncryption::Strong)
        );
        assert_eq!(
            read_directory(&archive(1, 99)).entries[0].encryption,
            Some(ZipEncryption::Aes)
        );
        let directory = read_directory(&archive(1, 8));
        assert_eq!(directory.entries[0].name, "report.pdf");
        assert_eq!(
            entry_data(&archive(0, 0), &read_directory(&archive(0, 0)).entries[0]),
            Some(&b"data"[..])
        );
        assert!(directory.is_zip && !directory.truncated);
    }

    #[test]
    fn damaged_archives() {
        assert!(!read_directory(b"not a zip").is_zip);
        let zip = archive(1, 8);
        for cut in 0..zip.len() {
            let _ = read_directory(&zip[..cut]);
        }
        // Without its end record, the local header still tells.
        let local_only = &zip[..34];
        assert!(read_directory(local_only).is_encrypted());
    }
}
