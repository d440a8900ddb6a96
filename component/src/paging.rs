//! One guard for every paging loop: a token (or marker) that comes back a
//! second time would make the listing go round forever, so it ends the
//! listing with an error instead.

use crate::error::{Error, Result};
use std::collections::HashSet;

/// The tokens a listing has followed so far.
#[derive(Debug, Default)]
pub struct Seen(HashSet<String>);

impl Seen {
    /// Accept `token` as the next page's, unless it was followed before.
    pub fn next(&mut self, token: &str) -> Result<()> {
        if self.0.insert(token.to_owned()) {
            Ok(())
        } else {
            Err(Error::unexpected(
                "S3 returned a continuation token it had already returned: the listing would never end. Ask for one page at a time instead.",
                200,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_seen_before_ends_the_listing() {
        let mut seen = Seen::default();
        seen.next("A").unwrap();
        seen.next("B").unwrap();
        assert_eq!(seen.next("A").unwrap_err().code, "UnexpectedResponse");
    }
}
