//! Presigned URLs ([AWS guide](https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html)):
//! `GetObject`, `PutObject` and `UploadPart` requests signed in the query
//! string, for a plain HTTP client to send later. Nothing is sent here.

use super::{head_object, multipart::upload_part};
use crate::client;
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::presign::{PresignAction, PresignedPart};
use crate::{sign, validate};
use std::time::{Duration, SystemTime};

/// The longest a SigV4 presigned URL can live: 7 days.
pub const MAX_EXPIRY_SECONDS: u32 = 604_800;

/// The default lifetime, as in the seed: one hour.
pub const DEFAULT_EXPIRY_SECONDS: u32 = 3600;

/// The default number of part URLs, as in the seed.
pub const DEFAULT_PART_URLS: u32 = 5;

/// What to presign for one object.
#[derive(Debug, Clone)]
pub struct Input {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub key: String,
    /// GET or PUT; default GET.
    pub action: Option<PresignAction>,
    /// Lifetime in seconds; default [`DEFAULT_EXPIRY_SECONDS`].
    pub expires: Option<u32>,
    /// The `Content-Type` an upload must be sent with.
    pub content_type: Option<String>,
}

/// A URL to download or upload one object.
pub fn object_url(conn: &Conn, input: &Input, now: SystemTime) -> Result<String> {
    let expires = expiry(input.expires)?;
    let content_type = validate::non_blank(input.content_type.as_deref()).map(str::trim);
    let req = match input.action.unwrap_or(PresignAction::Download) {
        PresignAction::Download => {
            if content_type.is_some() {
                return Err(Error::invalid_input(
                    "InvalidContentType",
                    "contentType applies to upload URLs only: leave it out for a download URL.",
                ));
            }
            head_object::request(conn, http::Method::GET, &input.bucket, &input.key, &head_object::Read::default())?
        }
        PresignAction::Upload => {
            validate::bucket(&input.bucket)?;
            validate::key("objectKey", &input.key)?;
            let mut headers = Vec::new();
            if let Some(ct) = content_type {
                validate::header_value("contentType", ct)?;
                headers.push(("content-type", ct.to_owned()));
            }
            client::request(http::Method::PUT, conn.url(Some(&input.bucket), Some(&input.key), ""), &headers, Vec::new())?
        }
    };
    sign::presign(strip_framing(req), conn, expires, now)
}

/// URLs to upload parts 1 to `count` of an existing multipart upload.
pub fn part_urls(
    conn: &Conn,
    bucket: &str,
    key: &str,
    upload_id: &str,
    count: Option<u32>,
    expires: Option<u32>,
    now: SystemTime,
) -> Result<Vec<PresignedPart>> {
    let expires = expiry(expires)?;
    let count = count.unwrap_or(DEFAULT_PART_URLS);
    if !(1..=super::multipart::MAX_PARTS).contains(&count) {
        return Err(Error::invalid_input(
            "InvalidUrlsToGenerate",
            format!("urlsToGenerate must be 1 to 10000 (a multipart upload has at most 10,000 parts), got {count}."),
        ));
    }
    (1..=count)
        .map(|part_number| {
            let req = upload_part::request(conn, bucket, key, upload_id.trim(), part_number, Vec::new(), None)?;
            Ok(PresignedPart { url: sign::presign(strip_framing(req), conn, expires, now)?, part_number })
        })
        .collect()
}

/// The lifetime, checked against SigV4's limits.
fn expiry(seconds: Option<u32>) -> Result<Duration> {
    match seconds.unwrap_or(DEFAULT_EXPIRY_SECONDS) {
        s @ 1..=MAX_EXPIRY_SECONDS => Ok(Duration::from_secs(u64::from(s))),
        s => Err(Error::invalid_input(
            "InvalidExpiration",
            format!("expirationSeconds must be 1 to 604800 (7 days, the longest a presigned URL can live), got {s}."),
        )),
    }
}

/// The request as its holder will send it: without the `content-length: 0`
/// that request building adds for an empty body.
fn strip_framing(mut req: http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    req.headers_mut().remove(http::header::CONTENT_LENGTH);
    req
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::conn;
    use std::time::UNIX_EPOCH;

    fn input(action: Option<PresignAction>) -> Input {
        Input { bucket: "bkt".into(), key: "dir/a b+é?.txt".into(), action, expires: None, content_type: None }
    }

    fn query(url: &str) -> Vec<(String, String)> {
        url.split_once('?').unwrap().1.split('&').map(|kv| kv.split_once('=').unwrap()).map(|(k, v)| (k.into(), v.into())).collect()
    }

    fn param<'a>(q: &'a [(String, String)], name: &str) -> &'a str {
        &q.iter().find(|(k, _)| k == name).unwrap().1
    }

    #[test]
    fn download_urls_sign_only_the_host_for_an_hour() {
        let url = object_url(&conn(), &input(None), UNIX_EPOCH).unwrap();
        assert!(url.starts_with("http://127.0.0.1:9000/bkt/dir/a%20b%2B%C3%A9%3F.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&"), "{url}");
        let q = query(&url);
        assert_eq!(param(&q, "X-Amz-Expires"), "3600");
        assert_eq!(param(&q, "X-Amz-SignedHeaders"), "host");
        assert_eq!(param(&q, "X-Amz-Date"), "19700101T000000Z");
        assert_eq!(param(&q, "X-Amz-Signature").len(), 64);
    }

    #[test]
    fn upload_urls_sign_the_content_type() {
        let mut i = input(Some(PresignAction::Upload));
        i.content_type = Some(" text/csv ".into());
        i.expires = Some(60);
        let q = query(&object_url(&conn(), &i, UNIX_EPOCH).unwrap());
        assert_eq!(param(&q, "X-Amz-SignedHeaders"), "content-type%3Bhost");
        assert_eq!(param(&q, "X-Amz-Expires"), "60");
        // Download and upload of the same key differ (the method is signed).
        let get = object_url(&conn(), &input(None), UNIX_EPOCH).unwrap();
        let put = object_url(&conn(), &input(Some(PresignAction::Upload)), UNIX_EPOCH).unwrap();
        assert_ne!(param(&query(&get), "X-Amz-Signature"), param(&query(&put), "X-Amz-Signature"));
    }

    #[test]
    fn bad_lifetimes_and_misplaced_content_types_are_refused() {
        for bad in [0, MAX_EXPIRY_SECONDS + 1] {
            let mut i = input(None);
            i.expires = Some(bad);
            let e = object_url(&conn(), &i, UNIX_EPOCH).unwrap_err();
            assert_eq!(e.code, "InvalidExpiration");
            assert!(e.message.contains("expirationSeconds"), "{}", e.message);
        }
        let mut i = input(None);
        i.expires = Some(MAX_EXPIRY_SECONDS);
        object_url(&conn(), &i, UNIX_EPOCH).unwrap();
        i.content_type = Some("text/plain".into());
        assert_eq!(object_url(&conn(), &i, UNIX_EPOCH).unwrap_err().code, "InvalidContentType");
    }

    #[test]
    fn part_urls_count_from_one() {
        let parts = part_urls(&conn(), "bkt", "k", "up 1", None, Some(900), UNIX_EPOCH).unwrap();
        assert_eq!(parts.iter().map(|p| p.part_number).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        assert!(parts[1].url.starts_with("http://127.0.0.1:9000/bkt/k?partNumber=2&uploadId=up%201&X-Amz-"), "{}", parts[1].url);
        assert_eq!(param(&query(&parts[0].url), "X-Amz-Expires"), "900");
        assert_eq!(part_urls(&conn(), "bkt", "k", "u", Some(10_000), None, UNIX_EPOCH).unwrap().len(), 10_000);
        for bad in [0, 10_001] {
            assert_eq!(part_urls(&conn(), "bkt", "k", "u", Some(bad), None, UNIX_EPOCH).unwrap_err().code, "InvalidUrlsToGenerate");
        }
        assert_eq!(part_urls(&conn(), "bkt", "k", " ", None, None, UNIX_EPOCH).unwrap_err().code, "InvalidUploadId");
    }
}
