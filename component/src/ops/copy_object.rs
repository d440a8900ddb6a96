//! [CopyObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html): copy an object.

use super::acl_header;
use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::{self, Error, Result};
use crate::objects::{CopyObjectOutput, CopyObjectResult};
use crate::types::ObjectCannedAcl;
use crate::{encode, time, validate, xml};
use serde::Deserialize;

/// What to copy where, and how.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The bucket to copy from.
    pub source_bucket: String,
    /// The key to copy.
    pub source_key: String,
    /// A version of the source.
    pub source_version_id: Option<String>,
    /// The bucket to copy to.
    pub destination_bucket: String,
    /// The key of the copy.
    pub destination_key: String,
    /// A canned ACL for the copy.
    pub acl: Option<ObjectCannedAcl>,
    /// `REPLACE` the metadata (with `metadata` and `content_type`) rather than copy it.
    pub replace_metadata: bool,
    /// The copy's user metadata, with `replace_metadata`.
    pub metadata: Vec<(String, String)>,
    /// The copy's content type, with `replace_metadata`.
    pub content_type: Option<String>,
    /// `x-amz-copy-source-if-match`.
    pub if_match: Option<String>,
    /// `x-amz-copy-source-if-none-match`.
    pub if_none_match: Option<String>,
}

/// Build the request. `x-amz-copy-source` is `bucket/key` with the key
/// URL-encoded, so spaces, `+`, `?`, `#` and non-ASCII keys copy correctly.
pub fn request(conn: &Conn, input: &Input) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(&input.source_bucket)?;
    validate::bucket(&input.destination_bucket)?;
    validate::key("sourceKey", &input.source_key)?;
    validate::key("destinationKey", &input.destination_key)?;
    let mut source = format!("{}/{}", input.source_bucket, encode::path(&input.source_key));
    let version = super::with_version("", input.source_version_id.as_deref());
    if !version.is_empty() {
        source.push('?');
        source.push_str(&version);
    }
    let mut headers = vec![("x-amz-copy-source", source)];
    headers.extend(input.acl.map(acl_header));
    let content_type = validate::non_blank(input.content_type.as_deref()).map(str::trim);
    if input.replace_metadata {
        validate::metadata(&input.metadata)?;
        headers.push(("x-amz-metadata-directive", "REPLACE".to_owned()));
        if let Some(ct) = content_type {
            validate::header_value("contentType", ct)?;
            headers.push(("content-type", ct.to_owned()));
        }
    } else if !input.metadata.is_empty() || content_type.is_some() {
        return Err(Error::invalid_input(
            "InvalidMetadataDirective",
            "metadata and contentType apply with metadataDirective REPLACE; without it the copy keeps the source's.",
        ));
    }
    let meta = super::metadata_headers(&input.metadata);
    headers.extend(meta.iter().map(|(k, v)| (k.as_str(), v.clone())));
    for (field, name, value) in [
        ("copySourceIfMatch", "x-amz-copy-source-if-match", &input.if_match),
        ("copySourceIfNoneMatch", "x-amz-copy-source-if-none-match", &input.if_none_match),
    ] {
        if let Some(v) = validate::non_blank(value.as_deref()).map(str::trim) {
            validate::header_value(field, v)?;
            headers.push((name, v.to_owned()));
        }
    }
    let url = conn.url(Some(&input.destination_bucket), Some(&input.destination_key), "");
    client::request(http::Method::PUT, url, &headers, Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CopyResultXml {
    #[serde(rename = "ETag")]
    e_tag: Option<String>,
    last_modified: Option<String>,
}

/// Read the answer; a 200 carrying an `<Error>` is an error.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<CopyObjectOutput> {
    if let Some(e) = error::embedded(resp) {
        return Err(e);
    }
    let doc: CopyResultXml = xml::parse(resp)?;
    Ok(CopyObjectOutput {
        copy_object_result: CopyObjectResult { e_tag: doc.e_tag, last_modified: doc.last_modified.map(|d| time::from_iso(&d)) },
        version_id: header(resp, "x-amz-version-id"),
        copy_source_version_id: header(resp, "x-amz-copy-source-version-id"),
        server_side_encryption: header(resp, "x-amz-server-side-encryption"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};

    fn input() -> Input {
        Input {
            source_bucket: "src".into(),
            source_key: "a b+c/é?#".into(),
            destination_bucket: "dst".into(),
            destination_key: "new key".into(),
            ..Default::default()
        }
    }

    #[test]
    fn copy_source_is_url_encoded() {
        let req = request(&conn(), &input()).unwrap();
        assert_eq!(req_header(&req, "x-amz-copy-source"), Some("src/a%20b%2Bc/%C3%A9%3F%23"));
        assert_eq!(req.uri().path(), "/dst/new%20key");
        assert_eq!(req.method(), http::Method::PUT);
        assert_eq!(req_header(&req, "x-amz-metadata-directive"), None);
    }

    #[test]
    fn versions_replaced_metadata_and_conditions() {
        let i = Input {
            source_version_id: Some("v 1".into()),
            replace_metadata: true,
            metadata: vec![("Stage".into(), "done".into())],
            content_type: Some("text/csv".into()),
            if_match: Some("\"e1\"".into()),
            if_none_match: Some("\"e2\"".into()),
            ..input()
        };
        let req = request(&conn(), &i).unwrap();
        assert_eq!(req_header(&req, "x-amz-copy-source"), Some("src/a%20b%2Bc/%C3%A9%3F%23?versionId=v%201"));
        assert_eq!(req_header(&req, "x-amz-metadata-directive"), Some("REPLACE"));
        assert_eq!(req_header(&req, "x-amz-meta-stage"), Some("done"));
        assert_eq!(req_header(&req, "content-type"), Some("text/csv"));
        assert_eq!(req_header(&req, "x-amz-copy-source-if-match"), Some("\"e1\""));
        assert_eq!(req_header(&req, "x-amz-copy-source-if-none-match"), Some("\"e2\""));
        let stray = Input { metadata: vec![("a".into(), "b".into())], ..input() };
        assert_eq!(request(&conn(), &stray).unwrap_err().code, "InvalidMetadataDirective");
    }

    #[test]
    fn reads_the_copy_result() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>2020-01-01T00:00:00.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>"#;
        let out = parse(&response(200, &[], body)).unwrap();
        assert_eq!(out.copy_object_result.e_tag.as_deref(), Some("\"9b2cf535f27731c974343645a3985328\""));
        assert_eq!(out.copy_object_result.last_modified.as_deref(), Some("2020-01-01T00:00:00.000Z"));
    }
}
