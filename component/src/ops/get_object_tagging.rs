//! [GetObjectTagging](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html): an object's tags.

use crate::client::{self, header, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::objects::GetObjectTaggingOutput;
use crate::types::KeyValue;
use crate::{validate, xml};
use serde::Deserialize;

/// Build the request.
pub fn request(conn: &Conn, bucket: &str, key: &str, version_id: Option<&str>) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    let query = super::with_version("tagging", version_id);
    client::request(http::Method::GET, conn.url(Some(bucket), Some(key), &query), &[], Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tagging {
    #[serde(default)]
    tag_set: TagSet,
}

#[derive(Deserialize, Default)]
struct TagSet {
    #[serde(default, rename = "Tag")]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    #[serde(default)]
    value: String,
}

/// Read the tags.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<GetObjectTaggingOutput> {
    let doc: Tagging = xml::parse(resp)?;
    Ok(GetObjectTaggingOutput {
        tag_set: doc.tag_set.tags.into_iter().map(|t| KeyValue { key: t.key, value: t.value }).collect(),
        version_id: header(resp, "x-amz-version-id"),
        response_metadata: metadata(resp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn reads_the_tag_set() {
        let req = request(&conn(), "bkt", "a b", Some("v1")).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/a%20b?tagging&versionId=v1");
        let xml = r#"<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag><Tag><Key>empty</Key><Value></Value></Tag></TagSet></Tagging>"#;
        let out = parse(&response(200, &[("x-amz-version-id", "v1")], xml)).unwrap();
        assert_eq!(out.tag_set.iter().map(|t| (t.key.as_str(), t.value.as_str())).collect::<Vec<_>>(), [("env", "prod"), ("empty", "")]);
        assert_eq!(out.version_id.as_deref(), Some("v1"));
        assert!(parse(&response(200, &[], "<Tagging><TagSet/></Tagging>")).unwrap().tag_set.is_empty());
    }
}
