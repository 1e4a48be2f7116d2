//! The key queries of a verifying machine: each key name asked once, every answer kept.

use alloc::string::String;
use alloc::vec::Vec;

use tegami_core::dns::{
    Answer, DnsError, MisuseError, Outstanding, Query, QueryId, QueryKind, Record,
};

use crate::key_record::{KeyRecord, KeyRecordError};

/// Key lookups shared by every signature of a message (RFC 6376 §3.6.2): a name asked for by
/// several signatures is looked up once.
#[derive(Debug, Default)]
pub struct KeyLookups {
    book: Outstanding,
    to_ask: Vec<Query>,
    keys: Vec<(String, Option<Answer>)>,
}

/// Why no usable key record came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookupError {
    /// The lookup failed temporarily (or has not been answered).
    Temporary,
    /// NXDOMAIN, or no TXT record at the name (RFC 6376 §6.1.2).
    NotFound,
    /// The first TXT record is not a usable key record, and none after it is either.
    Record(KeyRecordError),
}

impl KeyLookups {
    /// Asks for the TXT record at `name` unless asked before; returns its index.
    pub fn ask(&mut self, name: String) -> usize {
        if let Some(index) = self.keys.iter().position(|(key, _)| *key == name) {
            return index;
        }
        self.to_ask
            .push(self.book.issue(name.clone(), QueryKind::Txt));
        self.keys.push((name, None));
        self.keys.len() - 1
    }

    /// Records the answer to query `id`.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] if no query with this id was handed out or it was answered already.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        let (name, _) = self.book.answer(id)?;
        if let Some(slot) = self.keys.iter_mut().find(|(key, _)| *key == name) {
            slot.1 = Some(answer);
        }
        Ok(())
    }

    /// The queries not yet handed out.
    pub fn take_queries(&mut self) -> Vec<Query> {
        core::mem::take(&mut self.to_ask)
    }

    /// Whether every query handed out has its answer.
    pub fn all_answered(&self) -> bool {
        self.keys.iter().all(|(_, answer)| answer.is_some())
    }

    /// The key record at `index`: the first TXT record that parses (RFC 6376 §6.1.2 lets the
    /// verifier choose among several).
    ///
    /// # Errors
    ///
    /// [`KeyLookupError`] when there is none.
    pub fn record(&self, index: usize) -> Result<KeyRecord, KeyLookupError> {
        let answer = self
            .keys
            .get(index)
            .and_then(|(_, answer)| answer.as_ref())
            .ok_or(KeyLookupError::Temporary)?;
        let records = match answer {
            Ok(records) => records,
            Err(DnsError::Temporary) => return Err(KeyLookupError::Temporary),
            Err(_) => return Err(KeyLookupError::NotFound),
        };
        let mut first_error = None;
        for record in records {
            if let Record::Txt(txt) = record {
                match KeyRecord::parse(&txt.joined()) {
                    Ok(record) => return Ok(record),
                    Err(error) => {
                        first_error.get_or_insert(error);
                    }
                }
            }
        }
        Err(first_error.map_or(KeyLookupError::NotFound, KeyLookupError::Record))
    }
}
