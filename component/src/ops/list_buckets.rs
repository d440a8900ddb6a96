//! [ListBuckets](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html):
//! every bucket of the account, all pages.

use crate::buckets::Bucket;
use crate::client::{self, Client, Transport};
use crate::conn::Conn;
use crate::error::Result;
use crate::{encode, time, xml};
use serde::Deserialize;

/// Page size asked for: S3 rejects unpaginated listings above 10,000 buckets.
pub const MAX_BUCKETS: &str = "10000";

/// Build the request for one page.
pub fn request(conn: &Conn, prefix: Option<&str>, continuation_token: Option<&str>) -> Result<http::Request<Vec<u8>>> {
    let mut query = vec![("max-buckets", MAX_BUCKETS)];
    query.extend(continuation_token.map(|t| ("continuation-token", t)));
    query.extend(prefix.filter(|p| !p.is_empty()).map(|p| ("prefix", p)));
    client::request(http::Method::GET, conn.url(None, None, &encode::query(&query)), &[], Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAllMyBucketsResult {
    #[serde(default)]
    buckets: BucketsXml,
    continuation_token: Option<String>,
}

#[derive(Deserialize, Default)]
struct BucketsXml {
    #[serde(rename = "Bucket", default)]
    bucket: Vec<BucketXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BucketXml {
    name: String,
    creation_date: Option<String>,
    bucket_region: Option<String>,
    bucket_arn: Option<String>,
}

/// Read one page: the buckets and the token of the next page, if any.
pub fn parse(resp: &http::Response<Vec<u8>>) -> Result<(Vec<Bucket>, Option<String>)> {
    let doc: ListAllMyBucketsResult = xml::parse(resp)?;
    let buckets = doc
        .buckets
        .bucket
        .into_iter()
        .map(|b| Bucket {
            name: b.name,
            creation_date: b.creation_date.map(|d| time::from_iso(&d)),
            bucket_region: b.bucket_region,
            bucket_arn: b.bucket_arn,
        })
        .collect();
    Ok((buckets, doc.continuation_token.filter(|t| !t.is_empty())))
}

/// Every bucket, following continuation tokens.
pub fn run<T: Transport>(client: &Client<T>, prefix: Option<&str>) -> Result<Vec<Bucket>> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = crate::paging::Seen::default();
    loop {
        let (page, next) = parse(&client.execute(request(&client.conn, prefix, token.as_deref())?)?)?;
        all.extend(page);
        match next {
            Some(t) => {
                seen.next(&t)?;
                token = Some(t);
            }
            None => return Ok(all),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    #[test]
    fn first_request_asks_for_10000() {
        let req = request(&conn(), None, None).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/?max-buckets=10000");
        let req = request(&conn(), Some("lo"), Some("t 1")).unwrap();
        assert_eq!(req.uri().query(), Some("max-buckets=10000&continuation-token=t%201&prefix=lo"));
    }

    #[test]
    fn parses_buckets_and_token() {
        let body = r#"<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets><Bucket><Name>bucket-1</Name><CreationDate>2024-03-08T23:30:22.000Z</CreationDate><BucketRegion>us-east-1</BucketRegion></Bucket><Bucket><Name>b2</Name><CreationDate>2024-03-09T00:00:00Z</CreationDate></Bucket></Buckets><ContinuationToken>next</ContinuationToken></ListAllMyBucketsResult>"#;
        let (buckets, next) = parse(&response(200, &[], body)).unwrap();
        assert_eq!(buckets.len(), 2);
        assert_eq!(buckets[0].name, "bucket-1");
        assert_eq!(buckets[0].creation_date.as_deref(), Some("2024-03-08T23:30:22.000Z"));
        assert_eq!(buckets[0].bucket_region.as_deref(), Some("us-east-1"));
        assert_eq!(buckets[1].creation_date.as_deref(), Some("2024-03-09T00:00:00.000Z"));
        assert_eq!(next.as_deref(), Some("next"));
        let (none, next) = parse(&response(200, &[], "<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>")).unwrap();
        assert!(none.is_empty() && next.is_none());
        let (none, _) = parse(&response(200, &[], "<ListAllMyBucketsResult></ListAllMyBucketsResult>")).unwrap();
        assert!(none.is_empty());
    }
}
