//! [PutObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html): write an object.

use super::{acl_header, tagging_header};
use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::objects::PutObjectOutput;
use crate::types::{KeyValue, ObjectCannedAcl};
use crate::validate;

/// Build the request. The body is sent as given, with its length.
pub fn request(
    conn: &Conn,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
    content_type: Option<&str>,
    tagging: Option<&[KeyValue]>,
    acl: Option<ObjectCannedAcl>,
) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    let mut headers = Vec::new();
    if let Some(ct) = validate::non_blank(content_type) {
        headers.push(("content-type", ct.trim().to_owned()));
    }
    headers.extend(tagging.and_then(tagging_header));
    headers.extend(acl.map(acl_header));
    client::request(http::Method::PUT, conn.url(Some(bucket), Some(key), ""), &headers, body)
}

/// Read the answer's headers.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<PutObjectOutput> {
    Ok(PutObjectOutput {
        e_tag: header(resp, "etag"),
        version_id: header(resp, "x-amz-version-id"),
        expiration: header(resp, "x-amz-expiration"),
        server_side_encryption: header(resp, "x-amz-server-side-encryption"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};

    #[test]
    fn builds_a_put_with_type_tags_and_acl() {
        let tags = [KeyValue { key: "env".into(), value: "prod".into() }];
        let req = request(&conn(), "bkt", "dir/a b.txt", b"hello".to_vec(), Some("text/plain"), Some(&tags), Some(ObjectCannedAcl::PublicRead)).unwrap();
        assert_eq!(req.method(), http::Method::PUT);
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/dir/a%20b.txt");
        assert_eq!(req_header(&req, "content-type"), Some("text/plain"));
        assert_eq!(req_header(&req, "x-amz-tagging"), Some("env=prod"));
        assert_eq!(req_header(&req, "x-amz-acl"), Some("public-read"));
        assert_eq!(req_header(&req, "content-length"), Some("5"));
        assert_eq!(req.body(), b"hello");
    }

    #[test]
    fn empty_bodies_still_send_a_length_and_blank_type_is_unset() {
        let req = request(&conn(), "bkt", "k", Vec::new(), Some(" "), None, None).unwrap();
        assert_eq!(req_header(&req, "content-length"), Some("0"));
        assert_eq!(req_header(&req, "content-type"), None);
        assert_eq!(req_header(&req, "x-amz-tagging"), None);
    }

    #[test]
    fn rejects_bad_input_before_sending() {
        assert_eq!(request(&conn(), "Bad_Bucket", "k", vec![], None, None, None).unwrap_err().code, "InvalidBucketName");
        assert_eq!(request(&conn(), "bkt", "", vec![], None, None, None).unwrap_err().code, "InvalidObjectKey");
    }

    #[test]
    fn reads_etag_and_version() {
        let out = parse(&response(200, &[("etag", "\"abc\""), ("x-amz-version-id", "v1"), ("x-amz-request-id", "R")], "")).unwrap();
        assert_eq!(out.e_tag.as_deref(), Some("\"abc\""));
        assert_eq!(out.version_id.as_deref(), Some("v1"));
        assert_eq!(out.response_metadata.http_status_code, 200);
        assert_eq!(out.response_metadata.request_id.as_deref(), Some("R"));
    }
}
