//! [DeleteBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html): delete an empty bucket.

use crate::buckets::EmptyOutput;
use crate::client::{self, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::validate;

/// Build the request.
pub fn request(conn: &Conn, bucket: &str) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    client::request(http::Method::DELETE, conn.url(Some(bucket), None, ""), &[], Vec::new())
}

/// Read the answer.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<EmptyOutput> {
    Ok(EmptyOutput { response_metadata: metadata(resp) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn deletes_the_bucket() {
        let req = request(&conn(), "bkt").unwrap();
        assert_eq!(req.method(), http::Method::DELETE);
        assert_eq!(parse(&response(204, &[], "")).unwrap().response_metadata.http_status_code, 204);
    }
}
