//! [ListParts](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html):
//! the parts of an upload, one page or all of them.

use crate::client::{self, Client, Transport, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::multipart::{ListPartsOutput, PartSummary};
use crate::{encode, time, validate, xml};
use serde::Deserialize;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub key: String,
    /// The upload.
    pub upload_id: String,
    /// Page size (1-1000).
    pub max_parts: Option<u32>,
    /// Start after this part number.
    pub part_number_marker: Option<u32>,
}

/// Build the request for one page.
pub fn request(conn: &Conn, input: &Input) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(&input.bucket)?;
    validate::key("objectKey", &input.key)?;
    super::upload_id(&input.upload_id)?;
    if matches!(input.max_parts, Some(0 | 1001..)) {
        return Err(Error::invalid_input("InvalidMaxParts", "maxParts must be from 1 to 1000."));
    }
    let (max, marker) = (input.max_parts.map(|n| n.to_string()), input.part_number_marker.map(|n| n.to_string()));
    let optional = [("max-parts", max.as_deref()), ("part-number-marker", marker.as_deref()), ("uploadId", Some(input.upload_id.as_str()))];
    let pairs: Vec<(&str, &str)> = optional.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    client::request(http::Method::GET, conn.url(Some(&input.bucket), Some(&input.key), &encode::query(&pairs)), &[], Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListPartsResult {
    bucket: Option<String>,
    key: Option<String>,
    upload_id: Option<String>,
    part_number_marker: Option<u32>,
    next_part_number_marker: Option<u32>,
    max_parts: Option<u32>,
    #[serde(default)]
    is_truncated: bool,
    #[serde(default, rename = "Part")]
    parts: Vec<PartXml>,
    storage_class: Option<String>,
    checksum_algorithm: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PartXml {
    part_number: u32,
    last_modified: Option<String>,
    #[serde(rename = "ETag")]
    e_tag: Option<String>,
    size: Option<u64>,
    #[serde(rename = "ChecksumCRC32C")]
    checksum_crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC32")]
    checksum_crc32: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME")]
    checksum_crc64nvme: Option<String>,
}

/// Read one page.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<ListPartsOutput> {
    let doc: ListPartsResult = xml::parse(resp)?;
    Ok(ListPartsOutput {
        bucket: doc.bucket,
        key: doc.key,
        upload_id: doc.upload_id,
        part_number_marker: doc.part_number_marker,
        next_part_number_marker: doc.next_part_number_marker,
        max_parts: doc.max_parts,
        is_truncated: doc.is_truncated,
        parts: doc
            .parts
            .into_iter()
            .map(|p| PartSummary {
                part_number: p.part_number,
                last_modified: p.last_modified.map(|d| time::from_iso(&d)),
                e_tag: p.e_tag,
                size: p.size,
                checksum_crc32c: p.checksum_crc32c,
                checksum_crc32: p.checksum_crc32,
                checksum_crc64nvme: p.checksum_crc64nvme,
            })
            .collect(),
        storage_class: doc.storage_class,
        checksum_algorithm: doc.checksum_algorithm,
        response_metadata: metadata(resp),
    })
}

/// List one page, or every page merged when `all_pages`. A marker that does
/// not move forward ends with an error instead of a loop.
pub fn run<T: Transport>(client: &Client<T>, mut input: Input, all_pages: bool) -> Result<ListPartsOutput> {
    let mut out = parse(&client.execute(request(&client.conn, &input)?)?)?;
    while all_pages && out.is_truncated {
        match out.next_part_number_marker {
            Some(next) if Some(next) > input.part_number_marker => input.part_number_marker = Some(next),
            _ => return Err(Error::unexpected("S3 said more parts follow but gave no new marker to ask for them.", 200)),
        }
        let page = parse(&client.execute(request(&client.conn, &input)?)?)?;
        out.parts.extend(page.parts);
        out.is_truncated = page.is_truncated;
        out.next_part_number_marker = page.next_part_number_marker;
        out.response_metadata = page.response_metadata;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::Script;
    use crate::ops::test_support::conn;

    fn page(parts: &[u32], next: Option<u32>) -> String {
        let items: String =
            parts.iter().map(|n| format!("<Part><PartNumber>{n}</PartNumber><ETag>\"e{n}\"</ETag><Size>5242880</Size></Part>")).collect();
        let marker = next.map(|n| format!("<NextPartNumberMarker>{n}</NextPartNumberMarker>")).unwrap_or_default();
        format!(
            "<ListPartsResult><Bucket>bkt</Bucket><Key>k</Key><UploadId>up</UploadId><IsTruncated>{}</IsTruncated>{marker}{items}</ListPartsResult>",
            next.is_some()
        )
    }

    fn input() -> Input {
        Input { bucket: "bkt".into(), key: "k".into(), upload_id: "up".into(), ..Default::default() }
    }

    #[test]
    fn builds_the_query() {
        let req = request(&conn(), &Input { max_parts: Some(2), part_number_marker: Some(4), ..input() }).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/k?max-parts=2&part-number-marker=4&uploadId=up");
        assert_eq!(request(&conn(), &Input { upload_id: String::new(), ..input() }).unwrap_err().code, "InvalidUploadId");
    }

    #[test]
    fn all_pages_follow_the_marker() {
        let script = Script::bodies(&[&page(&[1, 2], Some(2)), &page(&[3], None)]);
        let out = run(&Client::new(conn(), &script), input(), true).unwrap();
        assert_eq!(out.parts.iter().map(|p| p.part_number).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(out.parts[0].e_tag.as_deref(), Some("\"e1\""));
        assert_eq!(script.urls()[1], "GET http://127.0.0.1:9000/bkt/k?part-number-marker=2&uploadId=up");
    }

    #[test]
    fn a_marker_that_does_not_move_is_an_error() {
        let script = Script::bodies(&[&page(&[1], Some(2)), &page(&[2], Some(2))]);
        assert_eq!(run(&Client::new(conn(), &script), input(), true).unwrap_err().code, "UnexpectedResponse");
    }
}
