//! PEM (RFC 7468) framing of keys.

use alloc::vec::Vec;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::KeyError;

/// Writes one PEM block with 64-character lines (RFC 7468 §2).
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = alloc::format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(core::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&alloc::format!("-----END {label}-----\n"));
    out
}

/// Finds the first PEM block and returns its label and decoded contents.
pub(crate) fn decode(text: &str) -> Result<(&str, Vec<u8>), KeyError> {
    let (_, after_begin) = text
        .split_once("-----BEGIN ")
        .ok_or(KeyError::Pem("no BEGIN line"))?;
    let (label, body) = after_begin
        .split_once("-----")
        .ok_or(KeyError::Pem("unterminated BEGIN line"))?;
    let end_line = alloc::format!("-----END {label}-----");
    let (body, _) = body
        .split_once(end_line.as_str())
        .ok_or(KeyError::Pem("no matching END line"))?;
    let base64: Vec<u8> = body
        .bytes()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    if body.contains(':') {
        // RFC 1421 headers (Proc-Type, DEK-Info) mean an encrypted legacy key.
        return Err(KeyError::Pem("encrypted or annotated PEM is not supported"));
    }
    let der = STANDARD
        .decode(base64)
        .map_err(|_| KeyError::Pem("invalid base64"))?;
    Ok((label, der))
}
