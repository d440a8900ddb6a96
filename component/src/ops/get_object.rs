//! [GetObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html): read an object.
//! The body is streamed by [`crate::transfer::download`].

use super::head_object;
use crate::client::header;
use crate::conn::Conn;
use crate::error::Result;
use crate::types::ChecksumAlgorithm;

/// Build the request. It asks for the object's stored checksum
/// (`x-amz-checksum-mode: ENABLED`) so that the bytes can be checked.
pub fn request(conn: &Conn, bucket: &str, key: &str, read: &head_object::Read) -> Result<http::Request<Vec<u8>>> {
    let mut req = head_object::request(conn, http::Method::GET, bucket, key, read)?;
    req.headers_mut().insert("x-amz-checksum-mode", http::HeaderValue::from_static("ENABLED"));
    Ok(req)
}

/// The whole-object checksum an answer carries, if any. A composite checksum
/// of a multipart upload (`...-N`) covers the parts, not the bytes as a
/// whole, so it cannot be checked from one stream and is skipped.
pub fn full_object_checksum<B>(resp: &http::Response<B>) -> Option<(ChecksumAlgorithm, String)> {
    if header(resp, "x-amz-checksum-type").is_some_and(|t| t.eq_ignore_ascii_case("COMPOSITE")) {
        return None;
    }
    [ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc64nvme]
        .into_iter()
        .find_map(|alg| Some((alg, header(resp, crate::checksum::header_name(alg))?)))
        .filter(|(_, value)| !value.contains('-'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};

    #[test]
    fn asks_for_the_checksum() {
        let req = request(&conn(), "bkt", "k", &head_object::Read::default()).unwrap();
        assert_eq!(req.method(), http::Method::GET);
        assert_eq!(req_header(&req, "x-amz-checksum-mode"), Some("ENABLED"));
    }

    #[test]
    fn finds_whole_object_checksums_only() {
        let r = response(200, &[("x-amz-checksum-crc32", "NhCmhg==")], "");
        assert_eq!(full_object_checksum(&r), Some((ChecksumAlgorithm::Crc32, "NhCmhg==".into())));
        let r = response(200, &[("x-amz-checksum-crc32c", "abcd==-3")], "");
        assert_eq!(full_object_checksum(&r), None);
        let r = response(200, &[("x-amz-checksum-crc32c", "abcd=="), ("x-amz-checksum-type", "COMPOSITE")], "");
        assert_eq!(full_object_checksum(&r), None);
        assert_eq!(full_object_checksum(&response(200, &[], "")), None);
    }
}
