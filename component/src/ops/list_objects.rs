//! [ListObjectsV2](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html):
//! list a bucket, one page or all of them.

use crate::client::{self, Client, Transport, metadata};
use crate::conn::Conn;
use crate::error::Result;
use crate::objects::{CommonPrefix, KeyList, ListObjectsOutput, ListObjectsPage, ObjectSummary, Pagination};
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
    /// Group by this delimiter.
    pub delimiter: Option<String>,
    /// Page size (1-1000).
    pub max_keys: Option<u32>,
    /// Continue from here.
    pub continuation_token: Option<String>,
    /// Start after this key.
    pub start_after: Option<String>,
    /// Ask for each object's owner.
    pub fetch_owner: bool,
}

impl Input {
    /// Gather the WIT parameters.
    pub fn new(bucket: String, pagination: Option<Pagination>, prefix: Option<String>, delimiter: Option<String>) -> Self {
        let pagination = pagination.unwrap_or(Pagination { max_keys: None, continuation_token: None });
        Self {
            bucket,
            prefix,
            delimiter,
            max_keys: pagination.max_keys,
            continuation_token: pagination.continuation_token,
            start_after: None,
            fetch_owner: false,
        }
    }
}

/// Build the request for one page. Blank optional strings count as unset;
/// prefixes are not trimmed (a leading space is a valid prefix).
pub fn request(conn: &Conn, input: &Input) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(&input.bucket)?;
    validate::max_keys(input.max_keys)?;
    let max_keys = input.max_keys.map(|n| n.to_string());
    // As the AWS SDKs do: keys with control characters survive XML only encoded.
    let mut query = vec![("list-type", "2"), ("encoding-type", "url")];
    let optional = [
        ("continuation-token", validate::non_blank(input.continuation_token.as_deref())),
        ("delimiter", input.delimiter.as_deref().filter(|d| !d.is_empty())),
        ("max-keys", max_keys.as_deref()),
        ("prefix", input.prefix.as_deref().filter(|p| !p.is_empty())),
        ("start-after", input.start_after.as_deref().filter(|s| !s.is_empty())),
        ("fetch-owner", input.fetch_owner.then_some("true")),
    ];
    query.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    client::request(http::Method::GET, conn.url(Some(&input.bucket), None, &encode::query(&query)), &[], Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListBucketResult {
    name: Option<String>,
    prefix: Option<String>,
    delimiter: Option<String>,
    max_keys: Option<u32>,
    key_count: Option<u32>,
    #[serde(default)]
    is_truncated: bool,
    continuation_token: Option<String>,
    next_continuation_token: Option<String>,
    start_after: Option<String>,
    encoding_type: Option<String>,
    #[serde(default)]
    contents: Vec<ContentsXml>,
    #[serde(default)]
    common_prefixes: Vec<CommonPrefixXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContentsXml {
    key: String,
    last_modified: Option<String>,
    #[serde(rename = "ETag")]
    e_tag: Option<String>,
    size: Option<u64>,
    storage_class: Option<String>,
    owner: Option<OwnerXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnerXml {
    display_name: Option<String>,
    #[serde(rename = "ID")]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CommonPrefixXml {
    prefix: String,
}

/// Read one page. Keys are decoded when the answer says it encoded them
/// (`EncodingType` `url`, which we ask for).
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<ListObjectsPage> {
    let doc: ListBucketResult = xml::parse(resp)?;
    let url_encoded = doc.encoding_type.as_deref() == Some("url");
    let text = |s: String| if url_encoded { encode::decode(&s) } else { s };
    let blank_to_none = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(ListObjectsPage {
        name: doc.name,
        prefix: doc.prefix.map(text),
        delimiter: blank_to_none(doc.delimiter).map(text),
        max_keys: doc.max_keys,
        key_count: doc.key_count,
        is_truncated: doc.is_truncated,
        continuation_token: blank_to_none(doc.continuation_token),
        next_continuation_token: blank_to_none(doc.next_continuation_token),
        start_after: blank_to_none(doc.start_after).map(text),
        contents: doc
            .contents
            .into_iter()
            .map(|c| ObjectSummary {
                key: text(c.key),
                last_modified: c.last_modified.map(|d| time::from_iso(&d)),
                e_tag: c.e_tag,
                size: c.size,
                storage_class: c.storage_class,
                owner: c.owner.map(|o| Owner { display_name: o.display_name, id: o.id }),
            })
            .collect(),
        common_prefixes: doc.common_prefixes.into_iter().map(|p| CommonPrefix { prefix: text(p.prefix) }).collect(),
        response_metadata: metadata(resp),
    })
}

/// List one page, or every page merged into one when `all_pages`; return the
/// keys only unless `include_metadata`.
pub fn run<T: Transport>(client: &Client<T>, mut input: Input, include_metadata: bool, all_pages: bool) -> Result<ListObjectsOutput> {
    let mut page = parse(&client.execute(request(&client.conn, &input)?)?)?;
    let mut seen = crate::paging::Seen::default();
    while all_pages && page.is_truncated {
        let Some(token) = page.next_continuation_token.clone() else { break };
        seen.next(&token)?;
        input.continuation_token = Some(token);
        let next = parse(&client.execute(request(&client.conn, &input)?)?)?;
        page = merge(page, next);
    }
    Ok(if include_metadata {
        ListObjectsOutput::Page(page)
    } else {
        let notice = page.is_truncated.then(|| match &page.next_continuation_token {
            Some(token) => format!(
                "More keys follow: pass allPages true for all of them, or pagination.continuationToken {token:?} for the next page."
            ),
            None => "More keys follow: pass allPages true for all of them.".to_owned(),
        });
        ListObjectsOutput::Keys(KeyList { value: page.contents.into_iter().map(|c| c.key).collect(), notice })
    })
}

/// Append `next` to `acc`: contents and prefixes concatenated, paging state
/// and `$metadata` from `next`, counts summed.
fn merge(mut acc: ListObjectsPage, next: ListObjectsPage) -> ListObjectsPage {
    acc.contents.extend(next.contents);
    acc.common_prefixes.extend(next.common_prefixes);
    acc.key_count = Some(acc.key_count.unwrap_or(0) + next.key_count.unwrap_or(0));
    acc.is_truncated = next.is_truncated;
    acc.next_continuation_token = next.next_continuation_token;
    acc.response_metadata = next.response_metadata;
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::Script;
    use crate::ops::test_support::{conn, response};

    fn page(keys: &[&str], next: Option<&str>) -> String {
        let contents: String = keys
            .iter()
            .map(|k| format!("<Contents><Key>{k}</Key><LastModified>2024-01-15T10:00:00Z</LastModified><ETag>&quot;e&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>"))
            .collect();
        let token = next.map(|t| format!("<NextContinuationToken>{t}</NextContinuationToken>")).unwrap_or_default();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name><Prefix></Prefix><KeyCount>{}</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>{}</IsTruncated>{contents}{token}</ListBucketResult>"#,
            keys.len(),
            next.is_some()
        )
    }

    #[test]
    fn builds_the_query() {
        let input = Input {
            bucket: "bkt".into(),
            prefix: Some("a b/".into()),
            max_keys: Some(50),
            continuation_token: Some("tok/en=".into()),
            ..Default::default()
        };
        let req = request(&conn(), &input).unwrap();
        assert_eq!(
            req.uri().to_string(),
            "http://127.0.0.1:9000/bkt?list-type=2&encoding-type=url&continuation-token=tok%2Fen%3D&max-keys=50&prefix=a%20b%2F"
        );
        let input = Input { bucket: "bkt".into(), max_keys: Some(0), ..Default::default() };
        assert_eq!(request(&conn(), &input).unwrap_err().code, "InvalidMaxKeys");
    }

    #[test]
    fn parses_a_page() {
        let out = parse(&response(200, &[], &page(&["a", "b &amp; c"], Some("t2")))).unwrap();
        assert_eq!(out.contents.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["a", "b & c"]);
        assert_eq!(out.contents[0].last_modified.as_deref(), Some("2024-01-15T10:00:00.000Z"));
        assert_eq!(out.contents[0].e_tag.as_deref(), Some("\"e\""));
        assert!(out.is_truncated);
        assert_eq!(out.next_continuation_token.as_deref(), Some("t2"));
        assert_eq!(out.prefix.as_deref(), Some(""));
    }

    #[test]
    fn decodes_only_when_the_answer_is_url_encoded() {
        let body = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>a%20b%2Bc</Key></Contents><CommonPrefixes><Prefix>d%2F</Prefix></CommonPrefixes></ListBucketResult>";
        let out = parse(&response(200, &[], body)).unwrap();
        assert_eq!(out.contents[0].key, "a b+c");
        assert_eq!(out.common_prefixes[0].prefix, "d/");
        // AWS's own form: a space as `+`, a line break encoded.
        let body = "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>run+books/a%0D%0Ab%2B.txt</Key></Contents></ListBucketResult>";
        assert_eq!(parse(&response(200, &[], body)).unwrap().contents[0].key, "run books/a\r\nb+.txt");
        let body = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a%20b</Key></Contents></ListBucketResult>";
        assert_eq!(parse(&response(200, &[], body)).unwrap().contents[0].key, "a%20b");
    }

    #[test]
    fn all_pages_follows_tokens_and_merges() {
        let pages = Script::bodies(&[&page(&["a", "b"], Some("t2")), &page(&["c"], None)]);
        let client = Client::new(conn(), &pages);
        let out = run(&client, Input { bucket: "bkt".into(), ..Default::default() }, true, true).unwrap();
        let ListObjectsOutput::Page(p) = out else { panic!("expected a page") };
        assert_eq!(p.contents.len(), 3);
        assert_eq!(p.key_count, Some(3));
        assert!(!p.is_truncated);
        assert_eq!(p.next_continuation_token, None);
        assert_eq!(pages.urls()[1], "GET http://127.0.0.1:9000/bkt?list-type=2&encoding-type=url&continuation-token=t2");
    }

    #[test]
    fn tokens_that_come_back_end_the_listing() {
        let pages =
            Script::bodies(&[&page(&["a"], Some("A")), &page(&["b"], Some("B")), &page(&["c"], Some("A")), &page(&["d"], Some("B"))]);
        let client = Client::new(conn(), &pages);
        let e = run(&client, Input { bucket: "bkt".into(), ..Default::default() }, false, true).unwrap_err();
        assert_eq!(e.code, "UnexpectedResponse");
        assert_eq!(pages.urls().len(), 3, "stopped at the first repeat");
    }

    #[test]
    fn one_page_of_keys_by_default() {
        let pages = Script::bodies(&[&page(&["a", "b"], Some("t2"))]);
        let client = Client::new(conn(), &pages);
        let out = run(&client, Input { bucket: "bkt".into(), ..Default::default() }, false, false).unwrap();
        let ListObjectsOutput::Keys(keys) = out else { panic!("expected keys") };
        assert_eq!(keys.value, ["a", "b"]);
        let notice = keys.notice.unwrap();
        assert!(notice.contains("continuationToken \"t2\"") && notice.contains("allPages"), "{notice}");
        assert_eq!(pages.urls().len(), 1);
        // A last page says nothing more.
        let last = Script::bodies(&[&page(&["a"], None)]);
        let out = run(&Client::new(conn(), &last), Input { bucket: "bkt".into(), ..Default::default() }, false, false).unwrap();
        assert!(matches!(out, ListObjectsOutput::Keys(KeyList { notice: None, .. })));
    }
}
