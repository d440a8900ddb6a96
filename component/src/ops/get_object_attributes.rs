//! [GetObjectAttributes](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html):
//! chosen attributes of an object, without its contents.

use crate::client::{self, header, header_as, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::objects::{GetObjectAttributesOutput, ObjectPart, ObjectParts};
use crate::types::Checksums;
use crate::{time, validate, xml};
use serde::Deserialize;

/// The attributes S3 can return, as it spells them.
pub const ATTRIBUTES: [&str; 5] = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub key: String,
    /// Attribute names (any case; spelled as S3 does when sent).
    pub attributes: Vec<String>,
    /// A specific version.
    pub version_id: Option<String>,
    /// `ObjectParts` page size.
    pub max_parts: Option<u32>,
    /// `ObjectParts`: start after this part.
    pub part_number_marker: Option<u32>,
}

/// Build the request.
pub fn request(conn: &Conn, input: &Input) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(&input.bucket)?;
    validate::key("objectKey", &input.key)?;
    let mut names: Vec<&str> = Vec::new();
    for given in &input.attributes {
        let Some(name) = ATTRIBUTES.iter().find(|a| a.eq_ignore_ascii_case(given.trim())) else {
            return Err(Error::invalid_input(
                "InvalidObjectAttributes",
                format!("objectAttributes: {given:?} is not an attribute; choose from {}.", ATTRIBUTES.join(", ")),
            ));
        };
        if !names.contains(name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(Error::invalid_input(
            "InvalidObjectAttributes",
            format!("objectAttributes is empty: ask for at least one of {}.", ATTRIBUTES.join(", ")),
        ));
    }
    if matches!(input.max_parts, Some(0 | 1001..)) {
        return Err(Error::invalid_input("InvalidMaxParts", "maxParts must be from 1 to 1000."));
    }
    let mut headers = vec![("x-amz-object-attributes", names.join(","))];
    headers.extend(input.max_parts.map(|n| ("x-amz-max-parts", n.to_string())));
    headers.extend(input.part_number_marker.map(|n| ("x-amz-part-number-marker", n.to_string())));
    let query = super::with_version("attributes", input.version_id.as_deref());
    client::request(http::Method::GET, conn.url(Some(&input.bucket), Some(&input.key), &query), &headers, Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributesXml {
    #[serde(rename = "ETag")]
    e_tag: Option<String>,
    checksum: Option<ChecksumXml>,
    object_parts: Option<PartsXml>,
    storage_class: Option<String>,
    object_size: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ChecksumXml {
    #[serde(rename = "ChecksumCRC32")]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C")]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME")]
    crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA1")]
    sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256")]
    sha256: Option<String>,
    checksum_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PartsXml {
    total_parts_count: Option<u32>,
    part_number_marker: Option<u32>,
    next_part_number_marker: Option<u32>,
    max_parts: Option<u32>,
    is_truncated: Option<bool>,
    #[serde(default, rename = "Part")]
    parts: Vec<PartXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PartXml {
    part_number: Option<u32>,
    size: Option<u64>,
    // One by one: quick-xml cannot read a `#[serde(flatten)]` struct.
    #[serde(rename = "ChecksumCRC32")]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C")]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME")]
    crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA1")]
    sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256")]
    sha256: Option<String>,
}

/// Read the answer.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<GetObjectAttributesOutput> {
    let doc: AttributesXml = xml::parse(resp)?;
    let part = |p: PartXml| ObjectPart {
        part_number: p.part_number,
        size: p.size,
        checksum_crc32: p.crc32,
        checksum_crc32c: p.crc32c,
        checksum_crc64nvme: p.crc64nvme,
        checksum_sha1: p.sha1,
        checksum_sha256: p.sha256,
    };
    Ok(GetObjectAttributesOutput {
        delete_marker: header_as(resp, "x-amz-delete-marker"),
        last_modified: header(resp, "last-modified").map(|d| time::from_http_date(&d)),
        version_id: header(resp, "x-amz-version-id"),
        request_charged: header(resp, "x-amz-request-charged"),
        e_tag: doc.e_tag,
        checksum: doc.checksum.map(|c| Checksums {
            checksum_crc32: c.crc32,
            checksum_crc32c: c.crc32c,
            checksum_crc64nvme: c.crc64nvme,
            checksum_sha1: c.sha1,
            checksum_sha256: c.sha256,
            checksum_type: c.checksum_type,
        }),
        object_parts: doc.object_parts.map(|p| ObjectParts {
            total_parts_count: p.total_parts_count,
            part_number_marker: p.part_number_marker,
            next_part_number_marker: p.next_part_number_marker,
            max_parts: p.max_parts,
            is_truncated: p.is_truncated,
            parts: p.parts.into_iter().map(part).collect(),
        }),
        storage_class: doc.storage_class,
        object_size: doc.object_size,
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header as req_header, response};

    fn input(attributes: &[&str]) -> Input {
        Input {
            bucket: "bkt".into(),
            key: "a b".into(),
            attributes: attributes.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn attributes_go_in_a_header_spelled_as_s3_does() {
        let mut i = input(&["etag", " ObjectSize", "ETag", "objectparts"]);
        i.version_id = Some("v1".into());
        i.max_parts = Some(2);
        i.part_number_marker = Some(4);
        let req = request(&conn(), &i).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/a%20b?attributes&versionId=v1");
        assert_eq!(req_header(&req, "x-amz-object-attributes"), Some("ETag,ObjectSize,ObjectParts"));
        assert_eq!(req_header(&req, "x-amz-max-parts"), Some("2"));
        assert_eq!(req_header(&req, "x-amz-part-number-marker"), Some("4"));
    }

    #[test]
    fn none_or_unknown_attributes_are_refused() {
        for bad in [&[][..], &["Size"], &["ETag", ""]] {
            let e = request(&conn(), &input(bad)).unwrap_err();
            assert_eq!(e.code, "InvalidObjectAttributes", "{bad:?}");
            assert!(e.message.contains("objectAttributes"), "{}", e.message);
        }
        let mut i = input(&["ETag"]);
        i.max_parts = Some(0);
        assert_eq!(request(&conn(), &i).unwrap_err().code, "InvalidMaxParts");
    }

    #[test]
    fn reads_aws_documented_answer() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<GetObjectAttributesResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <ETag>4d8c4dca1e1f8e2a4e7a1b5c3f1d9e6b-2</ETag>
  <Checksum><ChecksumCRC32C>abc=</ChecksumCRC32C><ChecksumType>COMPOSITE</ChecksumType></Checksum>
  <ObjectParts>
    <TotalPartsCount>3</TotalPartsCount><PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker>
    <MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>
    <Part><ChecksumCRC32C>p1=</ChecksumCRC32C><PartNumber>1</PartNumber><Size>5242880</Size></Part>
    <Part><PartNumber>2</PartNumber><Size>5242880</Size></Part>
  </ObjectParts>
  <StorageClass>STANDARD</StorageClass>
  <ObjectSize>515400</ObjectSize>
</GetObjectAttributesResponse>"#;
        let resp = response(200, &[("last-modified", "Fri, 08 Mar 2024 22:20:41 GMT"), ("x-amz-version-id", "0Ec_R")], body);
        let out = parse(&resp).unwrap();
        assert_eq!(out.last_modified.as_deref(), Some("2024-03-08T22:20:41.000Z"));
        assert_eq!(out.version_id.as_deref(), Some("0Ec_R"));
        assert_eq!(out.object_size, Some(515_400));
        assert_eq!(out.e_tag.as_deref(), Some("4d8c4dca1e1f8e2a4e7a1b5c3f1d9e6b-2"));
        let checksum = out.checksum.unwrap();
        assert_eq!((checksum.checksum_crc32c.as_deref(), checksum.checksum_type.as_deref()), (Some("abc="), Some("COMPOSITE")));
        let parts = out.object_parts.unwrap();
        assert_eq!((parts.total_parts_count, parts.next_part_number_marker, parts.is_truncated), (Some(3), Some(2), Some(true)));
        assert_eq!(parts.parts.len(), 2);
        assert_eq!(parts.parts[0].checksum_crc32c.as_deref(), Some("p1="));
        assert_eq!(parts.parts[1].size, Some(5_242_880));
    }
}
