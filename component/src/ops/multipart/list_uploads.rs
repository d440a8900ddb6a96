//! [ListMultipartUploads](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html):
//! the unfinished uploads of a bucket, one page or all of them.

use crate::client::{self, Client, Transport, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::multipart::{ListMultipartUploadsOutput, MultipartUpload, UploadPrefix};
use crate::types::Owner;
use crate::{encode, time, validate, xml};
use serde::Deserialize;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The bucket.
    pub bucket: String,
    /// Only keys with this prefix.
    pub prefix: Option<String>,
    /// Page size (1-1000).
    pub max_uploads: Option<u32>,
    /// Start after this key.
    pub key_marker: Option<String>,
    /// With `key_marker`: start after this upload.
    pub upload_id_marker: Option<String>,
}

/// Build the request for one page.
pub fn request(conn: &Conn, input: &Input) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(&input.bucket)?;
    if matches!(input.max_uploads, Some(0 | 1001..)) {
        return Err(Error::invalid_input("InvalidMaxUploads", "maxUploads must be from 1 to 1000."));
    }
    let max = input.max_uploads.map(|n| n.to_string());
    let optional = [
        ("key-marker", validate::non_blank(input.key_marker.as_deref())),
        ("max-uploads", max.as_deref()),
        ("prefix", input.prefix.as_deref().filter(|p| !p.is_empty())),
        ("upload-id-marker", validate::non_blank(input.upload_id_marker.as_deref())),
    ];
    let mut pairs: Vec<(&str, &str)> = vec![("encoding-type", "url")];
    pairs.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    let query = format!("uploads&{}", encode::query(&pairs));
    client::request(http::Method::GET, conn.url(Some(&input.bucket), None, &query), &[], Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListMultipartUploadsResult {
    bucket: Option<String>,
    key_marker: Option<String>,
    upload_id_marker: Option<String>,
    next_key_marker: Option<String>,
    next_upload_id_marker: Option<String>,
    prefix: Option<String>,
    delimiter: Option<String>,
    max_uploads: Option<u32>,
    #[serde(default)]
    is_truncated: bool,
    #[serde(default, rename = "Upload")]
    uploads: Vec<UploadXml>,
    #[serde(default)]
    common_prefixes: Vec<PrefixXml>,
    encoding_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadXml {
    upload_id: String,
    key: String,
    initiated: Option<String>,
    storage_class: Option<String>,
    owner: Option<OwnerXml>,
    checksum_algorithm: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OwnerXml {
    display_name: Option<String>,
    #[serde(rename = "ID")]
    id: Option<String>,
}

impl From<OwnerXml> for Owner {
    fn from(o: OwnerXml) -> Self {
        Owner { display_name: o.display_name, id: o.id }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PrefixXml {
    prefix: String,
}

/// Read one page.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<ListMultipartUploadsOutput> {
    let doc: ListMultipartUploadsResult = xml::parse(resp)?;
    let url_encoded = doc.encoding_type.as_deref() == Some("url");
    let text = |s: String| if url_encoded { encode::decode(&s) } else { s };
    let set = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(ListMultipartUploadsOutput {
        bucket: doc.bucket,
        key_marker: set(doc.key_marker).map(text),
        upload_id_marker: set(doc.upload_id_marker),
        next_key_marker: set(doc.next_key_marker).map(text),
        next_upload_id_marker: set(doc.next_upload_id_marker),
        prefix: set(doc.prefix).map(text),
        delimiter: set(doc.delimiter).map(text),
        max_uploads: doc.max_uploads,
        is_truncated: doc.is_truncated,
        uploads: doc
            .uploads
            .into_iter()
            .map(|u| MultipartUpload {
                upload_id: u.upload_id,
                key: text(u.key),
                initiated: u.initiated.map(|d| time::from_iso(&d)),
                storage_class: u.storage_class,
                owner: u.owner.map(Owner::from),
                checksum_algorithm: u.checksum_algorithm,
            })
            .collect(),
        common_prefixes: doc.common_prefixes.into_iter().map(|p| UploadPrefix { prefix: text(p.prefix) }).collect(),
        response_metadata: metadata(resp),
    })
}

/// List one page, or every page merged when `all_pages`. A page whose markers
/// would ask for the same page again ends with an error instead of a loop.
pub fn run<T: Transport>(client: &Client<T>, mut input: Input, all_pages: bool) -> Result<ListMultipartUploadsOutput> {
    let mut out = parse(&client.execute(request(&client.conn, &input)?)?)?;
    let mut seen = crate::paging::Seen::default();
    while all_pages && out.is_truncated {
        let next = (out.next_key_marker.clone(), out.next_upload_id_marker.clone());
        let Some(key) = &next.0 else {
            return Err(Error::unexpected("S3 said more uploads follow but gave no marker to ask for them.", 200));
        };
        seen.next(&format!("{key}\n{}", next.1.as_deref().unwrap_or_default()))?;
        (input.key_marker, input.upload_id_marker) = next;
        let page = parse(&client.execute(request(&client.conn, &input)?)?)?;
        out.uploads.extend(page.uploads);
        out.common_prefixes.extend(page.common_prefixes);
        out.is_truncated = page.is_truncated;
        out.next_key_marker = page.next_key_marker;
        out.next_upload_id_marker = page.next_upload_id_marker;
        out.response_metadata = page.response_metadata;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::Script;
    use crate::ops::test_support::conn;

    fn page(uploads: &[(&str, &str)], next: Option<(&str, &str)>) -> String {
        let items: String = uploads
            .iter()
            .map(|(k, id)| format!("<Upload><Key>{k}</Key><UploadId>{id}</UploadId><Initiated>2024-01-15T10:00:00Z</Initiated><StorageClass>STANDARD</StorageClass></Upload>"))
            .collect();
        let markers = next
            .map(|(k, id)| format!("<NextKeyMarker>{k}</NextKeyMarker><NextUploadIdMarker>{id}</NextUploadIdMarker>"))
            .unwrap_or_default();
        format!(
            "<ListMultipartUploadsResult><Bucket>bkt</Bucket><IsTruncated>{}</IsTruncated>{markers}{items}</ListMultipartUploadsResult>",
            next.is_some()
        )
    }

    #[test]
    fn builds_the_query() {
        let req = request(&conn(), &Input { bucket: "bkt".into(), ..Default::default() }).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt?uploads&encoding-type=url");
        let input = Input {
            bucket: "bkt".into(),
            prefix: Some("a b".into()),
            max_uploads: Some(2),
            key_marker: Some("k".into()),
            upload_id_marker: Some("u".into()),
        };
        let req = request(&conn(), &input).unwrap();
        assert_eq!(
            req.uri().to_string(),
            "http://127.0.0.1:9000/bkt?uploads&encoding-type=url&key-marker=k&max-uploads=2&prefix=a%20b&upload-id-marker=u"
        );
    }

    #[test]
    fn all_pages_follow_the_markers() {
        let script = Script::bodies(&[&page(&[("a", "1"), ("b", "2")], Some(("b", "2"))), &page(&[("c", "3")], None)]);
        let out = run(&Client::new(conn(), &script), Input { bucket: "bkt".into(), ..Default::default() }, true).unwrap();
        assert_eq!(out.uploads.iter().map(|u| u.upload_id.as_str()).collect::<Vec<_>>(), ["1", "2", "3"]);
        assert_eq!(out.uploads[0].initiated.as_deref(), Some("2024-01-15T10:00:00.000Z"));
        assert!(!out.is_truncated);
        assert_eq!(script.urls()[1], "GET http://127.0.0.1:9000/bkt?uploads&encoding-type=url&key-marker=b&upload-id-marker=2");
    }

    #[test]
    fn a_repeated_marker_is_an_error_not_a_loop() {
        let p = page(&[("a", "1")], Some(("a", "1")));
        let script = Script::bodies(&[&p, &p, &p]);
        let e = run(&Client::new(conn(), &script), Input { bucket: "bkt".into(), ..Default::default() }, true).unwrap_err();
        assert_eq!(e.code, "UnexpectedResponse");
        assert_eq!(script.urls().len(), 2);
    }
}
