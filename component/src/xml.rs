//! XML in and out (quick-xml + serde), in one place.

use crate::error::{Error, Result};
use aws_smithy_types::base64;
use md5::{Digest, Md5};
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

/// Escape text for an XML element body, with control characters (CR, LF,
/// tab, ...) as numeric references, as S3 asks for object keys: a raw CR or
/// LF would be normalised away by any XML parser.
pub fn escape_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push_str(&format!("&#{};", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// A request with an XML body and the `Content-MD5` that S3 requires on
/// configuration writes and batch deletes (every S3-compatible store accepts it).
pub fn request(method: http::Method, url: String, extra: &[(&str, String)], body: String) -> Result<http::Request<Vec<u8>>> {
    let mut headers = vec![("content-type", "application/xml".to_owned()), ("content-md5", base64::encode(Md5::digest(body.as_bytes())))];
    headers.extend(extra.iter().cloned());
    crate::client::request(method, url, &headers, body.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_control_characters_and_markup() {
        assert_eq!(escape_key("a\r\nb<&>\"'\u{1}é"), "a&#13;&#10;b&lt;&amp;&gt;&quot;&apos;&#1;é");
    }

    #[test]
    fn xml_bodies_carry_their_md5() {
        let req = request(http::Method::PUT, "http://h/b?x".into(), &[], "<a/>".into()).unwrap();
        // md5("<a/>") = f019ee9a03978aff9f9b78d0ddf3edb7 (checked with `printf '<a/>' | md5sum`).
        assert_eq!(req.headers()["content-md5"], base64::encode(hex::decode("f019ee9a03978aff9f9b78d0ddf3edb7").unwrap()));
        assert_eq!(req.headers()["content-type"], "application/xml");
    }
}
