//! XML in and out (quick-xml + serde), in one place.

use crate::error::{Error, Result};
use serde::de::DeserializeOwned;

/// Parse an S3 XML answer body into `T`, or explain what was wrong with it.
pub fn parse<T: DeserializeOwned>(resp: &http::Response<Vec<u8>>) -> Result<T> {
    let status = resp.status().as_u16();
    let text = std::str::from_utf8(resp.body()).map_err(|_| Error::unexpected("S3 answered with a body that is not UTF-8 XML.", status))?;
    quick_xml::de::from_str(text).map_err(|e| Error::unexpected(format!("Could not read S3's XML answer: {e}."), status))
}

/// Escape text for an XML element body.
pub fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}
