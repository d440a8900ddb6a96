//! [PutObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html): write an object.
//! Bodies above the multipart threshold go through [`crate::transfer`] instead.

use super::{acl_header, tagging_header};
use crate::checksum;
use crate::client::{self, header, header_as, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::objects::PutObjectOutput;
use crate::types::{ChecksumAlgorithm, KeyValue, ObjectCannedAcl};
use crate::validate;

/// Where an object goes and what it carries besides its bytes (also the
/// input of a CreateMultipartUpload).
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub key: String,
    /// The `Content-Type` to store (blank: unset).
    pub content_type: Option<String>,
    /// Tags (`x-amz-tagging`).
    pub tagging: Vec<KeyValue>,
    /// A canned ACL.
    pub acl: Option<ObjectCannedAcl>,
}

impl Input {
    /// Check the bucket, key, content type and tags.
    pub fn validate(&self) -> Result<()> {
        validate::bucket(&self.bucket)?;
        validate::key("objectKey", &self.key)?;
        if let Some(ct) = &self.content_type {
            validate::header_value("contentType", ct)?;
        }
        validate::tags(&self.tagging)
    }

    /// The headers every write of this object carries.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(ct) = validate::non_blank(self.content_type.as_deref()) {
            headers.push(("content-type", ct.trim().to_owned()));
        }
        headers.extend(tagging_header(&self.tagging));
        headers.extend(self.acl.map(acl_header));
        headers
    }
}

/// Build the request: the body with its length and its checksum, which S3
/// verifies before storing anything.
pub fn request(conn: &Conn, input: &Input, body: Vec<u8>, algorithm: ChecksumAlgorithm) -> Result<http::Request<Vec<u8>>> {
    input.validate()?;
    let mut headers = input.headers();
    headers.extend(checksum::headers(algorithm, &body));
    client::request(http::Method::PUT, conn.url(Some(&input.bucket), Some(&input.key), ""), &headers, body)
}

/// Read the answer's headers.
pub fn parse<B>(resp: &http::Response<B>) -> Result<PutObjectOutput> {
    Ok(PutObjectOutput {
        e_tag: header(resp, "etag"),
        version_id: header(resp, "x-amz-version-id"),
        expiration: header(resp, "x-amz-expiration"),
        server_side_encryption: header(resp, "x-amz-server-side-encryption"),
        checksum_crc32c: header(resp, "x-amz-checksum-crc32c"),
        checksum_crc32: header(resp, "x-amz-checksum-crc32"),
        checksum_crc64nvme: header(resp, "x-amz-checksum-crc64nvme"),
        size: header_as(resp, "x-amz-object-size"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};

    fn input(bucket: &str, key: &str) -> Input {
        Input { bucket: bucket.into(), key: key.into(), ..Default::default() }
    }

    #[test]
    fn builds_a_put_with_type_tags_acl_and_checksum() {
        let input = Input {
            content_type: Some("text/plain".into()),
            tagging: vec![KeyValue { key: "env".into(), value: "prod".into() }],
            acl: Some(ObjectCannedAcl::PublicRead),
            ..input("bkt", "dir/a b.txt")
        };
        let req = request(&conn(), &input, b"hello".to_vec(), ChecksumAlgorithm::Crc32c).unwrap();
        assert_eq!(req.method(), http::Method::PUT);
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/dir/a%20b.txt");
        assert_eq!(req_header(&req, "content-type"), Some("text/plain"));
        assert_eq!(req_header(&req, "x-amz-tagging"), Some("env=prod"));
        assert_eq!(req_header(&req, "x-amz-acl"), Some("public-read"));
        assert_eq!(req_header(&req, "content-length"), Some("5"));
        // CRC-32C of "hello", as S3 computes it.
        assert_eq!(req_header(&req, "x-amz-checksum-crc32c"), Some("mnG7TA=="));
        assert_eq!(req.body(), b"hello");
    }

    #[test]
    fn empty_bodies_still_send_a_length_and_blank_type_is_unset() {
        let input = Input { content_type: Some(" ".into()), ..input("bkt", "k") };
        let req = request(&conn(), &input, Vec::new(), ChecksumAlgorithm::Crc32).unwrap();
        assert_eq!(req_header(&req, "content-length"), Some("0"));
        assert_eq!(req_header(&req, "content-type"), None);
        assert_eq!(req_header(&req, "x-amz-tagging"), None);
        assert_eq!(req_header(&req, "x-amz-checksum-crc32"), Some("AAAAAA=="));
    }

    #[test]
    fn rejects_bad_input_before_sending() {
        let c = ChecksumAlgorithm::Crc32c;
        assert_eq!(request(&conn(), &input("bad bucket", "k"), vec![], c).unwrap_err().code, "InvalidBucketName");
        assert_eq!(request(&conn(), &input("bkt", ""), vec![], c).unwrap_err().code, "InvalidObjectKey");
    }

    #[test]
    fn reads_etag_version_and_checksum() {
        let headers = [("etag", "\"abc\""), ("x-amz-version-id", "v1"), ("x-amz-request-id", "R"), ("x-amz-checksum-crc32c", "mnG7TA==")];
        let out = parse(&response(200, &headers, "")).unwrap();
        assert_eq!(out.e_tag.as_deref(), Some("\"abc\""));
        assert_eq!(out.version_id.as_deref(), Some("v1"));
        assert_eq!(out.checksum_crc32c.as_deref(), Some("mnG7TA=="));
        assert_eq!(out.response_metadata.http_status_code, 200);
        assert_eq!(out.response_metadata.request_id.as_deref(), Some("R"));
    }
}
