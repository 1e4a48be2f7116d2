//! Just enough DER (ITU-T X.690) to take RSA and Ed25519 keys apart and to wrap an RSA public
//! key as SubjectPublicKeyInfo; the backends check everything else.

use alloc::vec::Vec;

use super::KeyError;

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// `rsaEncryption`, 1.2.840.113549.1.1.1 (RFC 8017 Appendix A.1).
pub(crate) const OID_RSA_ENCRYPTION: &[u8] =
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// `id-Ed25519`, 1.3.101.112 (RFC 8410 §3).
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// A cursor over DER bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    input: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Reader<'a> {
        Reader { input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    /// The tag of the next element, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.input.first().copied()
    }

    /// Reads one element with the given tag and returns its contents.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], KeyError> {
        let (&found, rest) = self.input.split_first().ok_or(KeyError::Der("truncated"))?;
        if found != tag {
            return Err(KeyError::Der("unexpected tag"));
        }
        let (&first, mut rest) = rest.split_first().ok_or(KeyError::Der("truncated"))?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return Err(KeyError::Der("unsupported length"));
            }
            let (bytes, after) = rest
                .split_at_checked(count)
                .ok_or(KeyError::Der("truncated"))?;
            rest = after;
            bytes
                .iter()
                .fold(0usize, |length, &byte| (length << 8) | usize::from(byte))
        };
        let (contents, after) = rest
            .split_at_checked(length)
            .ok_or(KeyError::Der("truncated"))?;
        self.input = after;
        Ok(contents)
    }

    /// Reads a SEQUENCE and returns a reader over its contents.
    pub(crate) fn sequence(&mut self) -> Result<Reader<'a>, KeyError> {
        self.read(TAG_SEQUENCE).map(Reader::new)
    }

    /// Reads a non-negative INTEGER and returns its magnitude without leading zero octets.
    pub(crate) fn unsigned_integer(&mut self) -> Result<&'a [u8], KeyError> {
        let bytes = self.read(TAG_INTEGER)?;
        if bytes.first().is_some_and(|&byte| byte & 0x80 != 0) {
            return Err(KeyError::Der("negative integer"));
        }
        let start = bytes
            .iter()
            .position(|&byte| byte != 0)
            .unwrap_or(bytes.len());
        bytes.get(start..).ok_or(KeyError::Der("integer"))
    }

    /// Reads an `AlgorithmIdentifier` (RFC 5280 §4.1.1.2) and returns its OID.
    pub(crate) fn algorithm_identifier(&mut self) -> Result<&'a [u8], KeyError> {
        let mut algorithm = self.sequence()?;
        let oid = algorithm.read(TAG_OID)?;
        // Parameters are NULL for RSA and absent for Ed25519; both are fine.
        if algorithm.peek_tag() == Some(TAG_NULL) {
            algorithm.read(TAG_NULL)?;
        }
        if !algorithm.is_empty() {
            return Err(KeyError::Der("unexpected algorithm parameters"));
        }
        Ok(oid)
    }

    /// Reads a BIT STRING with no unused bits and returns its octets.
    pub(crate) fn bit_string(&mut self) -> Result<&'a [u8], KeyError> {
        match self.read(TAG_BIT_STRING)?.split_first() {
            Some((0, bits)) => Ok(bits),
            _ => Err(KeyError::Der("bit string with unused bits")),
        }
    }

    /// Fails unless every byte was read.
    pub(crate) fn finish(&self) -> Result<(), KeyError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(KeyError::Der("trailing data"))
        }
    }
}

/// Appends one DER element.
pub(crate) fn write(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let length = contents.len();
    let bytes = length.to_be_bytes();
    match u8::try_from(length) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            let skip = bytes.iter().take_while(|&&byte| byte == 0).count();
            let significant = bytes.get(skip..).unwrap_or_default();
            // At most size_of::<usize>() octets, so the count fits the low seven bits.
            out.push(0x80 | significant.len().to_le_bytes()[0]);
            out.extend_from_slice(significant);
        }
    }
    out.extend_from_slice(contents);
}

/// Appends a non-negative INTEGER from its magnitude.
pub(crate) fn write_unsigned(out: &mut Vec<u8>, magnitude: &[u8]) {
    let start = magnitude
        .iter()
        .position(|&byte| byte != 0)
        .unwrap_or(magnitude.len());
    let magnitude = magnitude.get(start..).unwrap_or_default();
    let mut contents = Vec::with_capacity(magnitude.len() + 1);
    if magnitude.first().is_none_or(|&byte| byte & 0x80 != 0) {
        contents.push(0);
    }
    contents.extend_from_slice(magnitude);
    write(out, TAG_INTEGER, &contents);
}
