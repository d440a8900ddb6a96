//! [GetObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html): read an object.

use super::head_object;
use crate::conn::Conn;
use crate::error::Result;
use crate::objects::GetObjectOutput;

/// Build the request.
pub fn request(conn: &Conn, bucket: &str, key: &str, version_id: Option<&str>) -> Result<http::Request<Vec<u8>>> {
    head_object::request(conn, http::Method::GET, bucket, key, version_id)
}

/// Take the body and read the metadata.
pub fn parse(resp: http::Response<Vec<u8>>) -> Result<GetObjectOutput> {
    let object = head_object::parse(&resp)?;
    Ok(GetObjectOutput {
        content_type: object.content_type.clone(),
        object,
        data: resp.into_body(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn returns_the_body_and_its_type() {
        let req = request(&conn(), "bkt", "k", None).unwrap();
        assert_eq!(req.method(), http::Method::GET);
        let out = parse(response(200, &[("content-type", "text/plain"), ("content-length", "2")], "hi")).unwrap();
        assert_eq!(out.data, b"hi");
        assert_eq!(out.content_type.as_deref(), Some("text/plain"));
        assert_eq!(out.object.content_length, Some(2));
    }
}
