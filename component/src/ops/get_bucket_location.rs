//! [GetBucketLocation](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html): a bucket's region.

use crate::client;
use crate::conn::Conn;
use crate::error::Result;
use crate::{validate, xml};
use serde::Deserialize;

/// Build the request.
pub fn request(conn: &Conn, bucket: &str) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    client::request(http::Method::GET, conn.url(Some(bucket), None, "location"), &[], Vec::new())
}

#[derive(Deserialize)]
struct LocationConstraint {
    #[serde(rename = "$text", default)]
    region: String,
}

/// The region. S3 answers an empty constraint for us-east-1 and the legacy
/// `EU` for eu-west-1; both are turned into region codes.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<String> {
    let doc: LocationConstraint = xml::parse(resp)?;
    Ok(match doc.region.trim() {
        "" => "us-east-1".to_owned(),
        "EU" => "eu-west-1".to_owned(),
        region => region.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn reads_the_constraint() {
        assert_eq!(request(&conn(), "bkt").unwrap().uri().to_string(), "http://127.0.0.1:9000/bkt?location");
        let ns = r#"xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;
        let parsed = |body: String| parse(&response(200, &[], &body)).unwrap();
        assert_eq!(parsed(format!("<LocationConstraint {ns}>us-west-2</LocationConstraint>")), "us-west-2");
        assert_eq!(parsed(format!("<LocationConstraint {ns}/>")), "us-east-1");
        assert_eq!(parsed(format!("<LocationConstraint {ns}></LocationConstraint>")), "us-east-1");
        assert_eq!(parsed("<LocationConstraint>EU</LocationConstraint>".into()), "eu-west-1");
    }
}
