//! [HeadBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html): does the bucket exist, may we use it?

use crate::buckets::HeadBucketOutput;
use crate::client::{self, header, header_as, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::validate;

/// Build the request.
pub fn request(conn: &Conn, bucket: &str) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    client::request(http::Method::HEAD, conn.url(Some(bucket), None, ""), &[], Vec::new())
}

/// Read the answer's headers.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<HeadBucketOutput> {
    Ok(HeadBucketOutput {
        bucket_region: header(resp, "x-amz-bucket-region"),
        access_point_alias: header_as(resp, "x-amz-access-point-alias"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn heads_the_bucket() {
        let req = request(&conn(), "bkt").unwrap();
        assert_eq!(req.method(), http::Method::HEAD);
        assert_eq!(req.uri().path(), "/bkt");
        let out = parse(&response(200, &[("x-amz-bucket-region", "eu-west-1")], "")).unwrap();
        assert_eq!(out.bucket_region.as_deref(), Some("eu-west-1"));
    }
}
