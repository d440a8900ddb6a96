//! [HeadObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html): an object's metadata.

use crate::client::{self, header, header_as, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::objects::HeadObjectOutput;
use crate::{encode, time, validate};

/// Build the request (also used by `get-object` with `GET`).
pub fn request(conn: &Conn, method: http::Method, bucket: &str, key: &str, version_id: Option<&str>) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    let query = validate::non_blank(version_id).map(|v| encode::query(&[("versionId", v.trim())])).unwrap_or_default();
    client::request(method, conn.url(Some(bucket), Some(key), &query), &[], Vec::new())
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
        let req = request(&conn(), http::Method::HEAD, "bkt", "a?b#c", Some("v 1")).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/a%3Fb%23c?versionId=v%201");
        let req = request(&conn(), http::Method::HEAD, "bkt", "k", Some("")).unwrap();
        assert_eq!(req.uri().query(), None);
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
