//! Splitting text at ASCII separators by byte search.
//!
//! Mail grammars separate their pieces with ASCII octets (`;` in tag lists, `=` in parameters,
//! `,` in lists, a space between terms). `str::split` with a `char` pattern searches for the
//! character's UTF-8 encoding and compares it, which costs more than the short pieces of a
//! record or a command line; these functions look for the one octet. Cutting text at an ASCII
//! octet always leaves text on both sides, so they hand back `&str`.
//!
//! ```
//! use tegami_core::ascii;
//!
//! assert_eq!(ascii::split_once("SIZE=1024", b'='), Some(("SIZE", "1024")));
//! assert_eq!(ascii::rsplit_once("a@b@c", b'@'), Some(("a@b", "c")));
//! assert_eq!(ascii::split("a,,b", b',').collect::<Vec<_>>(), ["a", "", "b"]);
//! ```

/// `text` around the first `separator`, which must be ASCII; `None` without one.
#[inline]
pub fn split_once(text: &str, separator: u8) -> Option<(&str, &str)> {
    cut(text, text.bytes().position(|b| b == separator)?)
}

/// `text` around the last `separator`, which must be ASCII; `None` without one.
#[inline]
pub fn rsplit_once(text: &str, separator: u8) -> Option<(&str, &str)> {
    cut(text, text.bytes().rposition(|b| b == separator)?)
}

/// The pieces of `text` between `separator` octets (ASCII), as `str::split` gives them: empty
/// pieces included, one piece for text without a separator.
#[inline]
pub fn split(text: &str, separator: u8) -> Split<'_> {
    Split {
        rest: Some(text),
        separator,
    }
}

/// The iterator of [`split`].
#[derive(Debug, Clone)]
pub struct Split<'a> {
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once(rest, self.separator) {
            Some((piece, after)) => {
                self.rest = Some(after);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// `text` before and after the one-octet separator at `at`; `None` when `at` is not an ASCII
/// octet's place.
#[inline]
fn cut(text: &str, at: usize) -> Option<(&str, &str)> {
    Some((text.get(..at)?, text.get(at + 1..)?))
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use proptest::prelude::*;

    proptest! {
        /// The byte search gives what the standard library's character search gives.
        #[test]
        fn splitting_agrees_with_the_standard_library(text in "[a-c=;, é]{0,16}", separator in prop::sample::select(vec![b'=', b';', b',', b' '])) {
            let character = char::from(separator);
            prop_assert_eq!(super::split_once(&text, separator), text.split_once(character));
            prop_assert_eq!(super::rsplit_once(&text, separator), text.rsplit_once(character));
            prop_assert_eq!(
                super::split(&text, separator).collect::<Vec<_>>(),
                text.split(character).collect::<Vec<_>>()
            );
        }
    }
}
