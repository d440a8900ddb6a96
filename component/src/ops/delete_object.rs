//! [DeleteObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html): delete one object.

use crate::client::{self, header, header_as, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::objects::DeleteObjectOutput;
use crate::validate;

/// Build the request.
pub fn request(conn: &Conn, bucket: &str, key: &str, version_id: Option<&str>) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    let query = super::with_version("", version_id);
    client::request(http::Method::DELETE, conn.url(Some(bucket), Some(key), &query), &[], Vec::new())
}

/// Read the answer's headers.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<DeleteObjectOutput> {
    Ok(DeleteObjectOutput {
        delete_marker: header_as(resp, "x-amz-delete-marker"),
        version_id: header(resp, "x-amz-version-id"),
        request_charged: header(resp, "x-amz-request-charged"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn deletes_by_key() {
        let req = request(&conn(), "bkt", "a b", None).unwrap();
        assert_eq!(req.method(), http::Method::DELETE);
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/a%20b");
        let req = request(&conn(), "bkt", "a b", Some("v 1")).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/a%20b?versionId=v%201");
        let out = parse(&response(204, &[("x-amz-delete-marker", "true"), ("x-amz-version-id", "v")], "")).unwrap();
        assert_eq!(out.delete_marker, Some(true));
        assert_eq!(out.version_id.as_deref(), Some("v"));
        assert_eq!(out.response_metadata.http_status_code, 204);
    }
}
