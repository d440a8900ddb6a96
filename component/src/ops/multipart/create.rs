//! [CreateMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html):
//! start an upload and get its id.

use crate::checksum;
use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::multipart::CreateMultipartUploadOutput;
use crate::ops::put_object::Input;
use crate::types::ChecksumAlgorithm;
use crate::{time, xml};
use serde::Deserialize;

/// Build the request: the object's headers, user metadata, and the checksum
/// algorithm every part will carry.
pub fn request(conn: &Conn, input: &Input, algorithm: Option<ChecksumAlgorithm>) -> Result<http::Request<Vec<u8>>> {
    input.validate()?;
    let mut headers = input.headers();
    if let Some(alg) = algorithm {
        headers.push(("x-amz-checksum-algorithm".to_owned(), checksum::name(alg).to_owned()));
    }
    let headers: Vec<(&str, String)> = headers.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    client::request(http::Method::POST, conn.url(Some(&input.bucket), Some(&input.key), "uploads"), &headers, Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateMultipartUploadResult {
    bucket: Option<String>,
    key: Option<String>,
    upload_id: String,
}

/// Read the upload id.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<CreateMultipartUploadOutput> {
    let doc: InitiateMultipartUploadResult = xml::parse(resp)?;
    Ok(CreateMultipartUploadOutput {
        bucket: doc.bucket,
        key: doc.key,
        upload_id: doc.upload_id,
        checksum_algorithm: header(resp, "x-amz-checksum-algorithm"),
        server_side_encryption: header(resp, "x-amz-server-side-encryption"),
        abort_date: header(resp, "x-amz-abort-date").map(|d| time::from_http_date(&d)),
        abort_rule_id: header(resp, "x-amz-abort-rule-id"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};
    use crate::types::KeyValue;

    #[test]
    fn builds_the_create() {
        let input = Input {
            bucket: "bkt".into(),
            key: "big file".into(),
            content_type: Some("video/mp4".into()),
            tagging: vec![KeyValue { key: "env".into(), value: "prod".into() }],
            metadata: vec![("Owner".to_owned(), "me".to_owned())],
            ..Default::default()
        };
        let req = request(&conn(), &input, Some(ChecksumAlgorithm::Crc32c)).unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/big%20file?uploads");
        assert_eq!(req_header(&req, "x-amz-checksum-algorithm"), Some("CRC32C"));
        assert_eq!(req_header(&req, "x-amz-meta-owner"), Some("me"));
        assert_eq!(req_header(&req, "content-type"), Some("video/mp4"));
        assert_eq!(req_header(&req, "x-amz-tagging"), Some("env=prod"));
        let bad = Input { metadata: vec![("a b".to_owned(), "x".to_owned())], ..input.clone() };
        assert_eq!(request(&conn(), &bad, None).unwrap_err().code, "InvalidMetadata");
        let huge = Input { metadata: (0..100).map(|i| (format!("k{i}"), "v".repeat(8000))).collect(), ..input };
        assert_eq!(request(&conn(), &huge, None).unwrap_err().code, "MetadataTooLarge");
    }

    #[test]
    fn reads_the_upload_id() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>bkt</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"#;
        let out = parse(&response(200, &[("x-amz-checksum-algorithm", "CRC32C")], body)).unwrap();
        assert_eq!(out.upload_id, "VXBsb2FkIElE");
        assert_eq!(out.bucket.as_deref(), Some("bkt"));
        assert_eq!(out.checksum_algorithm.as_deref(), Some("CRC32C"));
    }
}
