//! [CompleteMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html):
//! assemble the parts into the object.

use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::{self, Error, Result};
use crate::multipart::{CompleteMultipartUploadOutput, CompletedPart};
use crate::validate;
use crate::xml::{self, escape};
use serde::Deserialize;

/// Build the request. Parts are sent in part-number order (S3 requires it);
/// a repeated part number is refused.
pub fn request(conn: &Conn, bucket: &str, key: &str, upload_id: &str, parts: &[CompletedPart]) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    super::upload_id(upload_id)?;
    if parts.is_empty() {
        return Err(Error::invalid_input("InvalidPart", "parts is empty: give every uploaded part as {ETag, PartNumber}."));
    }
    let mut sorted: Vec<&CompletedPart> = parts.iter().collect();
    sorted.sort_by_key(|p| p.part_number);
    let mut body = String::from("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for (i, p) in sorted.iter().enumerate() {
        super::part_number(p.part_number)?;
        if i > 0 && sorted[i - 1].part_number == p.part_number {
            return Err(Error::invalid_input("InvalidPart", format!("parts lists part {} twice.", p.part_number)));
        }
        if p.e_tag.trim().is_empty() {
            return Err(Error::invalid_input("InvalidPart", format!("part {} has no ETag.", p.part_number)));
        }
        body.push_str(&format!("<Part><ETag>{}</ETag><PartNumber>{}</PartNumber>", escape(&p.e_tag), p.part_number));
        for (tag, value) in
            [("ChecksumCRC32C", &p.checksum_crc32c), ("ChecksumCRC32", &p.checksum_crc32), ("ChecksumCRC64NVME", &p.checksum_crc64nvme)]
        {
            if let Some(v) = validate::non_blank(value.as_deref()) {
                body.push_str(&format!("<{tag}>{}</{tag}>", escape(v)));
            }
        }
        body.push_str("</Part>");
    }
    body.push_str("</CompleteMultipartUpload>");
    let url = conn.url(Some(bucket), Some(key), &super::upload_query(upload_id));
    client::request(http::Method::POST, url, &[("content-type", "application/xml".to_owned())], body.into_bytes())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CompleteMultipartUploadResult {
    location: Option<String>,
    bucket: Option<String>,
    key: Option<String>,
    #[serde(rename = "ETag")]
    e_tag: Option<String>,
    #[serde(rename = "ChecksumCRC32C")]
    checksum_crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC32")]
    checksum_crc32: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME")]
    checksum_crc64nvme: Option<String>,
    checksum_type: Option<String>,
}

/// Read the answer. S3 answers 200 before it has assembled the object and may
/// then report a failure inside that 200: that is an error here.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<CompleteMultipartUploadOutput> {
    if let Some(e) = error::embedded(resp) {
        return Err(e);
    }
    let doc: CompleteMultipartUploadResult = xml::parse(resp)?;
    Ok(CompleteMultipartUploadOutput {
        location: doc.location,
        bucket: doc.bucket,
        key: doc.key,
        e_tag: doc.e_tag,
        checksum_crc32c: doc.checksum_crc32c,
        checksum_crc32: doc.checksum_crc32,
        checksum_crc64nvme: doc.checksum_crc64nvme,
        checksum_type: doc.checksum_type,
        version_id: header(resp, "x-amz-version-id"),
        server_side_encryption: header(resp, "x-amz-server-side-encryption"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    fn part(n: u32, e: &str) -> CompletedPart {
        CompletedPart { e_tag: e.into(), part_number: n, checksum_crc32c: None, checksum_crc32: None, checksum_crc64nvme: None }
    }

    #[test]
    fn sends_the_parts_in_order() {
        let mut p2 = part(2, "\"b\"");
        p2.checksum_crc32c = Some("mnG7TA==".into());
        let req = request(&conn(), "bkt", "k", "up", &[p2, part(1, "\"a\"")]).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/k?uploadId=up");
        let body = String::from_utf8(req.body().clone()).unwrap();
        assert!(body.contains("<Part><ETag>&quot;a&quot;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>&quot;b&quot;</ETag><PartNumber>2</PartNumber><ChecksumCRC32C>mnG7TA==</ChecksumCRC32C></Part>"), "{body}");
    }

    #[test]
    fn refuses_bad_parts() {
        assert_eq!(request(&conn(), "bkt", "k", "up", &[]).unwrap_err().code, "InvalidPart");
        assert_eq!(request(&conn(), "bkt", "k", "up", &[part(1, "a"), part(1, "b")]).unwrap_err().code, "InvalidPart");
        assert_eq!(request(&conn(), "bkt", "k", "up", &[part(0, "a")]).unwrap_err().code, "InvalidPartNumber");
        assert_eq!(request(&conn(), "bkt", "k", "", &[part(1, "a")]).unwrap_err().code, "InvalidUploadId");
    }

    #[test]
    fn reads_the_result_and_errors_inside_a_200() {
        let body = "<CompleteMultipartUploadResult><Location>http://x/bkt/k</Location><Bucket>bkt</Bucket><Key>k</Key><ETag>\"abc-2\"</ETag><ChecksumCRC32C>xyz=-2</ChecksumCRC32C><ChecksumType>COMPOSITE</ChecksumType></CompleteMultipartUploadResult>";
        let out = parse(&response(200, &[("x-amz-version-id", "v9")], body)).unwrap();
        assert_eq!(out.e_tag.as_deref(), Some("\"abc-2\""));
        assert_eq!(out.checksum_crc32c.as_deref(), Some("xyz=-2"));
        assert_eq!(out.version_id.as_deref(), Some("v9"));
        let failed =
            parse(&response(200, &[], "<Error><Code>InvalidPart</Code><Message>One or more parts could not be found.</Message></Error>"));
        assert_eq!(failed.unwrap_err().code, "InvalidPart");
    }
}
