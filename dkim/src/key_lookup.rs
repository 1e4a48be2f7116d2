//! The key queries of a verifying machine: each key name asked once, every answer kept.

use alloc::string::String;
use alloc::vec::Vec;

use tegami_core::dns::{Answer, DnsError, MisuseError, Query, QueryId, QueryKind, Record};

use crate::key_record::{KeyRecord, KeyRecordError};

/// Key lookups shared by every signature of a message (RFC 6376 §3.6.2): a name asked for by
/// several signatures is looked up once. A query's id is the index of its name here.
#[derive(Debug, Default)]
pub struct KeyLookups {
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
        let index = self.keys.len();
        // An id past u32 would take four billion names; such a name is not asked, and its
        // key counts as a temporary failure.
        let answer = match u32::try_from(index) {
            Ok(id) => {
                self.to_ask.push(Query {
                    id: QueryId(id),
                    name: name.clone(),
                    kind: QueryKind::Txt,
                });
                None
            }
            Err(_) => Some(Err(DnsError::Temporary)),
        };
        self.keys.push((name, answer));
        index
    }

    /// Records the answer to query `id`.
    ///
    /// # Errors
    ///
    /// [`MisuseError`] if no query with this id was handed out or it was answered already.
    pub fn handle_answer(&mut self, id: QueryId, answer: Answer) -> Result<(), MisuseError> {
        let asked = usize::try_from(id.0)
            .ok()
            .filter(|_| !self.to_ask.iter().any(|query| query.id == id));
        match asked.and_then(|index| self.keys.get_mut(index)) {
            Some((_, Some(_))) => Err(MisuseError::AlreadyAnswered(id)),
            Some((_, slot)) => {
                *slot = Some(answer);
                Ok(())
            }
            None => Err(MisuseError::UnknownQuery(id)),
        }
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

#[cfg(test)]
mod tests {
    use alloc::vec;

    use tegami_core::dns::TxtRecord;

    use super::*;

    fn txt(text: &str) -> Answer {
        Ok(vec![Record::Txt(TxtRecord::from_strings([text]))])
    }

    #[test]
    fn a_name_is_asked_once_and_answered_once() {
        let mut keys = KeyLookups::default();
        let first = keys.ask("a._domainkey.example.com".into());
        let second = keys.ask("b._domainkey.example.com".into());
        assert_eq!(keys.ask("a._domainkey.example.com".into()), first);
        // Not handed out yet: no answer is taken for it.
        assert_eq!(
            keys.handle_answer(QueryId(0), txt("p=")),
            Err(MisuseError::UnknownQuery(QueryId(0)))
        );
        let queries = keys.take_queries();
        let names: Vec<&str> = queries.iter().map(|query| query.name.as_str()).collect();
        assert_eq!(
            names,
            ["a._domainkey.example.com", "b._domainkey.example.com"]
        );
        assert!(queries.iter().all(|query| query.kind == QueryKind::Txt));
        assert!(keys.take_queries().is_empty());
        assert!(!keys.all_answered());

        let [a, b] = [&queries[0], &queries[1]].map(|query| query.id);
        assert_eq!(keys.handle_answer(b, Err(DnsError::Temporary)), Ok(()));
        assert_eq!(
            keys.handle_answer(b, txt("p=")),
            Err(MisuseError::AlreadyAnswered(b))
        );
        assert_eq!(
            keys.handle_answer(QueryId(7), txt("p=")),
            Err(MisuseError::UnknownQuery(QueryId(7)))
        );
        assert!(!keys.all_answered());
        assert_eq!(keys.handle_answer(a, txt("v=DKIM1; p=")), Ok(()));
        assert!(keys.all_answered());

        let record = keys.record(first).expect("a revoked key is a record");
        assert!(record.key.is_none());
        assert_eq!(keys.record(second), Err(KeyLookupError::Temporary));
    }

    #[test]
    fn records_that_do_not_parse_fall_through_to_one_that_does() {
        let mut keys = KeyLookups::default();
        let index = keys.ask("s._domainkey.example.com".into());
        let id = keys.take_queries()[0].id;
        let answer = Ok(vec![
            Record::Txt(TxtRecord::from_strings(["v=spf1 -all"])),
            Record::Txt(TxtRecord::from_strings(["v=DKIM1; k=ed25519; p="])),
        ]);
        keys.handle_answer(id, answer).expect("asked");
        assert!(keys.record(index).is_ok());
        let empty = keys.ask("t._domainkey.example.com".into());
        let id = keys.take_queries()[0].id;
        keys.handle_answer(id, Ok(vec![])).expect("asked");
        assert_eq!(keys.record(empty), Err(KeyLookupError::NotFound));
    }
}
