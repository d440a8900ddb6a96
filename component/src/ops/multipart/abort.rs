//! [AbortMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html):
//! abandon an upload and free its parts.

use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::multipart::AbortMultipartUploadOutput;
use crate::validate;

/// Build the request.
pub fn request(conn: &Conn, bucket: &str, key: &str, upload_id: &str) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    super::upload_id(upload_id)?;
    client::request(http::Method::DELETE, conn.url(Some(bucket), Some(key), &super::upload_query(upload_id)), &[], Vec::new())
}

/// Read the answer's headers.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<AbortMultipartUploadOutput> {
    Ok(AbortMultipartUploadOutput { request_charged: header(resp, "x-amz-request-charged"), response_metadata: metadata(resp) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn deletes_the_upload() {
        let req = request(&conn(), "bkt", "k", "up 1").unwrap();
        assert_eq!(req.method(), http::Method::DELETE);
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/k?uploadId=up%201");
        assert_eq!(parse(&response(204, &[], "")).unwrap().response_metadata.http_status_code, 204);
        assert_eq!(request(&conn(), "bkt", "k", "").unwrap_err().code, "InvalidUploadId");
    }
}
