//! [CreateBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html): create a bucket.

use crate::buckets::CreateBucketOutput;
use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::{validate, xml};

/// Build the request. The location constraint defaults to the connection's
/// region and is left out for us-east-1, which S3 requires.
pub fn request(conn: &Conn, bucket: &str, location_constraint: Option<&str>, object_lock_enabled: bool) -> Result<http::Request<Vec<u8>>> {
    validate::new_bucket(bucket)?;
    let region = validate::non_blank(location_constraint).map_or(conn.region.as_str(), str::trim);
    let body = if region == "us-east-1" {
        Vec::new()
    } else {
        format!(
            r#"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>"#,
            xml::escape(region)
        )
        .into_bytes()
    };
    let mut headers = Vec::new();
    if object_lock_enabled {
        headers.push(("x-amz-bucket-object-lock-enabled", "true".to_owned()));
    }
    client::request(http::Method::PUT, conn.url(Some(bucket), None, ""), &headers, body)
}

/// Read the answer.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<CreateBucketOutput> {
    Ok(CreateBucketOutput { location: header(resp, "location"), response_metadata: metadata(resp) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};

    #[test]
    fn us_east_1_sends_no_constraint() {
        let req = request(&conn(), "bkt", None, false).unwrap();
        assert!(req.body().is_empty());
        assert_eq!(req_header(&req, "content-length"), Some("0"));
        assert_eq!(req_header(&req, "x-amz-bucket-object-lock-enabled"), None);
    }

    #[test]
    fn other_regions_send_their_constraint_and_lock_flag() {
        let req = request(&conn(), "bkt", Some("eu-west-1"), true).unwrap();
        assert_eq!(
            std::str::from_utf8(req.body()).unwrap(),
            r#"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"#
        );
        assert_eq!(req_header(&req, "x-amz-bucket-object-lock-enabled"), Some("true"));
        let out = parse(&response(200, &[("location", "/bkt")], "")).unwrap();
        assert_eq!(out.location.as_deref(), Some("/bkt"));
    }
}
