//! [CopyObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html): copy an object.

use super::acl_header;
use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::{self, Result};
use crate::objects::{CopyObjectOutput, CopyObjectResult};
use crate::types::ObjectCannedAcl;
use crate::{encode, time, validate, xml};
use serde::Deserialize;

/// Build the request. `x-amz-copy-source` is `bucket/key` with the key
/// URL-encoded, so spaces, `+`, `?`, `#` and non-ASCII keys copy correctly.
pub fn request(
    conn: &Conn,
    source_bucket: &str,
    destination_bucket: &str,
    source_key: &str,
    destination_key: &str,
    acl: Option<ObjectCannedAcl>,
) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(source_bucket)?;
    validate::bucket(destination_bucket)?;
    validate::key("sourceKey", source_key)?;
    validate::key("destinationKey", destination_key)?;
    let mut headers = vec![("x-amz-copy-source", format!("{source_bucket}/{}", encode::path(source_key)))];
    headers.extend(acl.map(acl_header));
    client::request(http::Method::PUT, conn.url(Some(destination_bucket), Some(destination_key), ""), &headers, Vec::new())
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

    #[test]
    fn copy_source_is_url_encoded() {
        let req = request(&conn(), "src", "dst", "a b+c/é?#", "new key", None).unwrap();
        assert_eq!(req_header(&req, "x-amz-copy-source"), Some("src/a%20b%2Bc/%C3%A9%3F%23"));
        assert_eq!(req.uri().path(), "/dst/new%20key");
        assert_eq!(req.method(), http::Method::PUT);
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
