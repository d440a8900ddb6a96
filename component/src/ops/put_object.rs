//! [PutObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html): write an object.
//! Bodies above the multipart threshold go through [`crate::transfer`] instead.

use super::{acl_header, tagging_header};
use crate::checksum;
use crate::client::{self, header, header_as, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
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
    /// User metadata (`x-amz-meta-*`).
    pub metadata: Vec<(String, String)>,
    /// `Cache-Control`, `Content-Disposition`, `Content-Encoding` and
    /// `Content-Language` to store (blank: unset).
    pub cache_control: Option<String>,
    /// See `cache_control`.
    pub content_disposition: Option<String>,
    /// See `cache_control`.
    pub content_encoding: Option<String>,
    /// See `cache_control`.
    pub content_language: Option<String>,
    /// A storage class, as S3 spells it (`STANDARD_IA`, ...).
    pub storage_class: Option<String>,
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub server_side_encryption: Option<String>,
    /// The KMS key, with `aws:kms`.
    pub kms_key_id: Option<String>,
}

/// The storage classes S3 accepts on writes.
pub const STORAGE_CLASSES: [&str; 9] = [
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
    "EXPRESS_ONEZONE",
];

/// The server-side encryption S3 accepts on writes.
pub const ENCRYPTIONS: [&str; 3] = ["AES256", "aws:kms", "aws:kms:dsse"];

impl Input {
    /// Check the bucket, key, headers, tags and metadata.
    pub fn validate(&self) -> Result<()> {
        validate::bucket(&self.bucket)?;
        validate::key("objectKey", &self.key)?;
        for (field, value) in self.plain_headers() {
            validate::header_value(field, value)?;
        }
        validate::tags(&self.tagging)?;
        if let Some(class) = validate::non_blank(self.storage_class.as_deref())
            && !STORAGE_CLASSES.contains(&class.trim())
        {
            return Err(Error::invalid_input(
                "InvalidStorageClass",
                format!("storageClass {class:?} is not one of {}.", STORAGE_CLASSES.join(", ")),
            ));
        }
        let sse = validate::non_blank(self.server_side_encryption.as_deref()).map(str::trim);
        if let Some(sse) = sse.filter(|s| !ENCRYPTIONS.contains(s)) {
            return Err(Error::invalid_input(
                "InvalidEncryption",
                format!("serverSideEncryption {sse:?} is not one of {}.", ENCRYPTIONS.join(", ")),
            ));
        }
        if validate::non_blank(self.kms_key_id.as_deref()).is_some() && !sse.is_some_and(|s| s.starts_with("aws:kms")) {
            return Err(Error::invalid_input("InvalidEncryption", "kmsKeyId needs serverSideEncryption aws:kms (or aws:kms:dsse)."));
        }
        validate::metadata(&self.metadata)
    }

    /// The header values given as they are, with the input that gave each.
    fn plain_headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("contentType", &self.content_type),
            ("cacheControl", &self.cache_control),
            ("contentDisposition", &self.content_disposition),
            ("contentEncoding", &self.content_encoding),
            ("contentLanguage", &self.content_language),
            ("storageClass", &self.storage_class),
            ("serverSideEncryption", &self.server_side_encryption),
            ("kmsKeyId", &self.kms_key_id),
        ]
        .into_iter()
        .filter_map(|(field, value)| Some((field, validate::non_blank(value.as_deref())?.trim())))
    }

    /// The headers every write of this object carries.
    pub fn headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .plain_headers()
            .map(|(field, value)| {
                let name = match field {
                    "contentType" => "content-type",
                    "cacheControl" => "cache-control",
                    "contentDisposition" => "content-disposition",
                    "contentEncoding" => "content-encoding",
                    "contentLanguage" => "content-language",
                    "storageClass" => "x-amz-storage-class",
                    "serverSideEncryption" => "x-amz-server-side-encryption",
                    _ => "x-amz-server-side-encryption-aws-kms-key-id",
                };
                (name.to_owned(), value.to_owned())
            })
            .collect();
        headers.extend(tagging_header(&self.tagging).map(|(k, v)| (k.to_owned(), v)));
        headers.extend(self.acl.map(acl_header).map(|(k, v)| (k.to_owned(), v)));
        headers.extend(super::metadata_headers(&self.metadata));
        headers
    }
}

/// Build the request: the body with its length and its checksum, which S3
/// verifies before storing anything.
pub fn request(conn: &Conn, input: &Input, body: Vec<u8>, algorithm: ChecksumAlgorithm) -> Result<http::Request<Vec<u8>>> {
    input.validate()?;
    let mut headers = input.headers();
    headers.extend(checksum::headers(algorithm, &body).map(|(k, v)| (k.to_owned(), v)));
    let headers: Vec<(&str, String)> = headers.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
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
    fn sends_metadata_caching_storage_and_encryption() {
        let full = Input {
            metadata: vec![("Owner".into(), "ana".into())],
            cache_control: Some("max-age=60".into()),
            content_disposition: Some("attachment; filename=\"a.txt\"".into()),
            content_encoding: Some("gzip".into()),
            storage_class: Some("STANDARD_IA".into()),
            server_side_encryption: Some("aws:kms".into()),
            kms_key_id: Some("alias/mine".into()),
            ..input("bkt", "k")
        };
        let req = request(&conn(), &full, b"x".to_vec(), ChecksumAlgorithm::Crc32c).unwrap();
        for (name, value) in [
            ("x-amz-meta-owner", "ana"),
            ("cache-control", "max-age=60"),
            ("content-disposition", "attachment; filename=\"a.txt\""),
            ("content-encoding", "gzip"),
            ("x-amz-storage-class", "STANDARD_IA"),
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "alias/mine"),
        ] {
            assert_eq!(req_header(&req, name), Some(value), "{name}");
        }
        for (bad, code) in [
            (Input { storage_class: Some("COLD".into()), ..input("bkt", "k") }, "InvalidStorageClass"),
            (Input { server_side_encryption: Some("rot13".into()), ..input("bkt", "k") }, "InvalidEncryption"),
            (Input { kms_key_id: Some("k".into()), ..input("bkt", "k") }, "InvalidEncryption"),
            (Input { cache_control: Some("é".into()), ..input("bkt", "k") }, "InvalidHeaderValue"),
            (Input { metadata: vec![("a b".into(), "x".into())], ..input("bkt", "k") }, "InvalidMetadata"),
        ] {
            assert_eq!(request(&conn(), &bad, vec![], ChecksumAlgorithm::Crc32c).unwrap_err().code, code);
        }
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
