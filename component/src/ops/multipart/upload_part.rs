//! [UploadPart](https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html): upload one part.

use crate::checksum;
use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::multipart::{CompletedPart, UploadPartOutput};
use crate::types::ChecksumAlgorithm;
use crate::{encode, validate};

/// Build the request: the part with its length and, with an algorithm, its checksum.
pub fn request(
    conn: &Conn,
    bucket: &str,
    key: &str,
    upload_id: &str,
    part_number: u32,
    body: Vec<u8>,
    algorithm: Option<ChecksumAlgorithm>,
) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    super::upload_id(upload_id)?;
    super::part_number(part_number)?;
    let mut headers = Vec::new();
    if let Some(alg) = algorithm {
        headers.extend(checksum::headers(alg, &body));
    }
    let query = encode::query(&[("partNumber", &part_number.to_string()), ("uploadId", upload_id)]);
    client::request(http::Method::PUT, conn.url(Some(bucket), Some(key), &query), &headers, body)
}

/// Read the answer, with `part` ready for `complete-multipart-upload`. When
/// the request carried a checksum, the one S3 echoes must be the same.
pub fn parse(resp: &http::Response<Vec<u8>>, part_number: u32, sent: Option<(ChecksumAlgorithm, &str)>) -> Result<UploadPartOutput> {
    let e_tag = header(resp, "etag");
    let checksum_of = |alg| header(resp, checksum::header_name(alg));
    if let Some((alg, ours)) = sent
        && let Some(theirs) = checksum_of(alg)
        && theirs != ours
    {
        return Err(Error::checksum_mismatch(format!(
            "S3 stored part {part_number} with {} {theirs}, but the bytes sent have {ours}.",
            checksum::name(alg)
        )));
    }
    let echo = |alg| checksum_of(alg).or_else(|| sent.filter(|(a, _)| *a == alg).map(|(_, v)| v.to_owned()));
    let (crc32c, crc32, crc64) = (echo(ChecksumAlgorithm::Crc32c), echo(ChecksumAlgorithm::Crc32), echo(ChecksumAlgorithm::Crc64nvme));
    Ok(UploadPartOutput {
        part: CompletedPart {
            e_tag: e_tag
                .clone()
                .ok_or_else(|| Error::unexpected("S3 accepted the part but sent no ETag for it.", resp.status().as_u16()))?,
            part_number,
            checksum_crc32c: crc32c.clone(),
            checksum_crc32: crc32.clone(),
            checksum_crc64nvme: crc64.clone(),
        },
        e_tag,
        checksum_crc32c: crc32c,
        checksum_crc32: crc32,
        checksum_crc64nvme: crc64,
        server_side_encryption: header(resp, "x-amz-server-side-encryption"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};

    #[test]
    fn builds_the_part() {
        let req = request(&conn(), "bkt", "k", "id/1", 3, b"hello".to_vec(), Some(ChecksumAlgorithm::Crc32c)).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/k?partNumber=3&uploadId=id%2F1");
        assert_eq!(req_header(&req, "x-amz-checksum-crc32c"), Some("mnG7TA=="));
        assert_eq!(req_header(&req, "content-length"), Some("5"));
        let no_checksum = request(&conn(), "bkt", "k", "id", 1, vec![], None).unwrap();
        assert_eq!(req_header(&no_checksum, "x-amz-checksum-crc32c"), None);
    }

    #[test]
    fn refuses_bad_numbers_and_ids() {
        assert_eq!(request(&conn(), "bkt", "k", "id", 0, vec![], None).unwrap_err().code, "InvalidPartNumber");
        assert_eq!(request(&conn(), "bkt", "k", "id", 10_001, vec![], None).unwrap_err().code, "InvalidPartNumber");
        assert_eq!(request(&conn(), "bkt", "k", "", 1, vec![], None).unwrap_err().code, "InvalidUploadId");
    }

    #[test]
    fn the_part_is_ready_to_complete() {
        let out = parse(&response(200, &[("etag", "\"e1\"")], ""), 2, Some((ChecksumAlgorithm::Crc32c, "mnG7TA=="))).unwrap();
        assert_eq!(out.part.e_tag, "\"e1\"");
        assert_eq!(out.part.part_number, 2);
        assert_eq!(out.part.checksum_crc32c.as_deref(), Some("mnG7TA=="));
        let bad = parse(
            &response(200, &[("etag", "\"e1\""), ("x-amz-checksum-crc32c", "AAAAAA==")], ""),
            2,
            Some((ChecksumAlgorithm::Crc32c, "mnG7TA==")),
        );
        assert_eq!(bad.unwrap_err().code, "ChecksumMismatch");
    }
}
