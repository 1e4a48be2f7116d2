//! [`Secret`]: a value that never prints.

use core::fmt;

/// Wraps credentials, private keys and discarded input so that they never reach a log.
///
/// `Debug` and `Display` print `Secret(..)` in every build; the value is reached only through
/// [`Secret::expose`] or [`Secret::into_inner`], which are easy to find in review.
///
/// ```
/// use tegami_core::Secret;
///
/// let password = Secret::new(String::from("hunter2"));
/// assert_eq!(format!("{password:?} {password}"), "Secret(..) Secret(..)");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Secret<T> {
        Secret(value)
    }

    /// Borrows the value.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Secret<T> {
        Secret(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}
