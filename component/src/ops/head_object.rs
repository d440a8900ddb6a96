//! [HeadObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html): an object's metadata.

use crate::client::{self, header, header_as, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::objects::HeadObjectOutput;
use crate::{time, validate};

/// Which version, which bytes, and on which conditions to read.
#[derive(Debug, Clone, Default)]
pub struct Read {
    /// A specific version.
    pub version_id: Option<String>,
    /// An HTTP byte range (`bytes=0-99`, `bytes=100-`, `bytes=-100`).
    pub range: Option<String>,
    /// `If-Match`: only this ETag (else 412).
    pub if_match: Option<String>,
    /// `If-None-Match`: not this ETag (else 304).
    pub if_none_match: Option<String>,
}

/// Build the request (also used by `get-object` with `GET`).
pub fn request(conn: &Conn, method: http::Method, bucket: &str, key: &str, read: &Read) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    let query = super::with_version("", read.version_id.as_deref());
    let mut headers = Vec::new();
    if let Some(range) = validate::non_blank(read.range.as_deref()).map(str::trim) {
        if !is_byte_range(range) {
            return Err(Error::invalid_input(
                "InvalidRange",
                format!(
                    "range {:?} is not a byte range such as bytes=0-1023, bytes=1024- or bytes=-100.",
                    range.chars().take(64).collect::<String>()
                ),
            ));
        }
        headers.push(("range", range.to_owned()));
    }
    for (field, name, value) in [("ifMatch", "if-match", &read.if_match), ("ifNoneMatch", "if-none-match", &read.if_none_match)] {
        if let Some(v) = validate::non_blank(value.as_deref()).map(str::trim) {
            validate::header_value(field, v)?;
            headers.push((name, v.to_owned()));
        }
    }
    client::request(method, conn.url(Some(bucket), Some(key), &query), &headers, Vec::new())
}

/// `bytes=A-B`, `bytes=A-` or `bytes=-N`, with A <= B: one range, as S3 serves one.
fn is_byte_range(range: &str) -> bool {
    let Some((first, last)) = range.strip_prefix("bytes=").and_then(|r| r.split_once('-')) else { return false };
    let number = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    match (first.is_empty(), last.is_empty()) {
        (false, false) => number(first) && number(last) && first.parse::<u64>().ok() <= last.parse::<u64>().ok(),
        (false, true) => number(first),
        (true, false) => number(last),
        (true, true) => false,
    }
}

/// Read the object's metadata from the answer's headers.
pub fn parse<B>(resp: &http::Response<B>) -> Result<HeadObjectOutput> {
    let mut user_metadata: Vec<(String, String)> = resp
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let key = name.as_str().strip_prefix("x-amz-meta-")?;
            Some((key.to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        })
        .collect();
    user_metadata.sort();
    Ok(HeadObjectOutput {
        accept_ranges: header(resp, "accept-ranges"),
        last_modified: header(resp, "last-modified").map(|d| time::from_http_date(&d)),
        content_length: header_as(resp, "content-length"),
        e_tag: header(resp, "etag"),
        version_id: header(resp, "x-amz-version-id"),
        content_type: header(resp, "content-type"),
        cache_control: header(resp, "cache-control"),
        content_disposition: header(resp, "content-disposition"),
        content_encoding: header(resp, "content-encoding"),
        content_language: header(resp, "content-language"),
        server_side_encryption: header(resp, "x-amz-server-side-encryption"),
        storage_class: header(resp, "x-amz-storage-class"),
        delete_marker: header_as(resp, "x-amz-delete-marker"),
        object_lock_mode: header(resp, "x-amz-object-lock-mode"),
        object_lock_retain_until_date: header(resp, "x-amz-object-lock-retain-until-date").map(|d| time::from_iso(&d)),
        object_lock_legal_hold_status: header(resp, "x-amz-object-lock-legal-hold"),
        tag_count: header_as(resp, "x-amz-tagging-count"),
        metadata: user_metadata,
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn version_goes_in_the_query() {
        let read = Read { version_id: Some("v 1".into()), ..Default::default() };
        let req = request(&conn(), http::Method::HEAD, "bkt", "a?b#c", &read).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/a%3Fb%23c?versionId=v%201");
        let read = Read { version_id: Some(String::new()), ..Default::default() };
        let req = request(&conn(), http::Method::HEAD, "bkt", "k", &read).unwrap();
        assert_eq!(req.uri().query(), None);
    }

    #[test]
    fn ranges_and_conditions_go_in_headers() {
        let read = Read {
            range: Some(" bytes=0-99 ".into()),
            if_match: Some("\"abc\"".into()),
            if_none_match: Some("\"def\"".into()),
            ..Default::default()
        };
        let req = request(&conn(), http::Method::GET, "bkt", "k", &read).unwrap();
        assert_eq!(crate::ops::test_support::header(&req, "range"), Some("bytes=0-99"));
        assert_eq!(crate::ops::test_support::header(&req, "if-match"), Some("\"abc\""));
        assert_eq!(crate::ops::test_support::header(&req, "if-none-match"), Some("\"def\""));
        for fine in ["bytes=5-", "bytes=-5", "bytes=7-7"] {
            assert!(is_byte_range(fine), "{fine}");
        }
        for bad in ["0-99", "bytes=9-1", "bytes=-", "bytes=a-b", "bytes=0-1,5-6", "items=0-1"] {
            let read = Read { range: Some(bad.into()), ..Default::default() };
            assert_eq!(request(&conn(), http::Method::GET, "bkt", "k", &read).unwrap_err().code, "InvalidRange", "{bad}");
        }
    }

    #[test]
    fn reads_headers_into_the_output() {
        let resp = response(
            200,
            &[
                ("last-modified", "Wed, 25 Aug 2021 20:00:00 GMT"),
                ("content-length", "65338"),
                ("etag", "\"266b\""),
                ("content-type", "image/jpeg"),
                ("accept-ranges", "bytes"),
                ("x-amz-meta-owner", "ana"),
                ("x-amz-meta-a", "1"),
            ],
            "",
        );
        let out = parse(&resp).unwrap();
        assert_eq!(out.last_modified.as_deref(), Some("2021-08-25T20:00:00.000Z"));
        assert_eq!(out.content_length, Some(65338));
        assert_eq!(out.e_tag.as_deref(), Some("\"266b\""));
        assert_eq!(out.metadata, vec![("a".to_owned(), "1".to_owned()), ("owner".to_owned(), "ana".to_owned())]);
        assert_eq!(out.delete_marker, None);
    }
}
