//! [GetObjectRetention](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectRetention.html)
//! and [PutObjectRetention](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectRetention.html).

use super::mode_name;
use crate::client::{self, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::object_lock::{GetObjectRetentionOutput, Retention, RetentionMode};
use crate::{time, validate, xml};
use serde::Deserialize;
use std::time::SystemTime;

/// What to set.
#[derive(Debug, Clone)]
pub struct Input {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub key: String,
    /// The mode; with `until`, or neither.
    pub mode: Option<RetentionMode>,
    /// RFC 3339; must be in the future.
    pub until: Option<String>,
    /// A specific version.
    pub version_id: Option<String>,
    /// Send `x-amz-bypass-governance-retention: true`.
    pub bypass_governance: bool,
}

fn url(conn: &Conn, bucket: &str, key: &str, version_id: Option<&str>) -> Result<String> {
    validate::bucket(bucket)?;
    validate::key("objectKey", key)?;
    Ok(conn.url(Some(bucket), Some(key), &crate::ops::with_version("retention", version_id)))
}

/// Build the GET request.
pub fn get_request(conn: &Conn, bucket: &str, key: &str, version_id: Option<&str>) -> Result<http::Request<Vec<u8>>> {
    client::request(http::Method::GET, url(conn, bucket, key, version_id)?, &[], Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RetentionXml {
    mode: Option<String>,
    retain_until_date: Option<String>,
}

/// Read the retention.
pub fn parse_get(resp: &http::Response<Vec<u8>>) -> Result<GetObjectRetentionOutput> {
    let doc: RetentionXml = xml::parse(resp)?;
    Ok(GetObjectRetentionOutput {
        retention: Retention { mode: doc.mode, retain_until_date: doc.retain_until_date.map(|d| time::from_iso(&d)) },
        response_metadata: metadata(resp),
    })
}

/// Build the PUT request. The date is checked against `now` and sent in UTC.
pub fn put_request(conn: &Conn, input: &Input, now: SystemTime) -> Result<http::Request<Vec<u8>>> {
    let url = url(conn, &input.bucket, &input.key, input.version_id.as_deref())?;
    let until = validate::non_blank(input.until.as_deref());
    let fields = match (input.mode, until) {
        (None, None) => String::new(),
        (Some(mode), Some(date)) => {
            let Some((secs, nanos)) = time::parse_rfc3339(date) else {
                return Err(Error::invalid_input(
                    "InvalidRetainUntilDate",
                    format!(
                        "retainUntilDate {:?} is not an RFC 3339 date-time such as 2030-12-31T23:59:59Z.",
                        date.chars().take(64).collect::<String>()
                    ),
                ));
            };
            if secs <= time::unix_secs(now) {
                return Err(Error::invalid_input(
                    "InvalidRetainUntilDate",
                    format!(
                        "retainUntilDate {} is not in the future: a retention must end later than now.",
                        time::iso_from_unix(secs, nanos)
                    ),
                ));
            }
            format!("<Mode>{}</Mode><RetainUntilDate>{}</RetainUntilDate>", mode_name(mode), time::iso_from_unix(secs, nanos))
        }
        (Some(_), None) => {
            return Err(Error::invalid_input(
                "InvalidRetention",
                "retentionMode needs retainUntilDate: give both, or neither to remove the retention.",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::invalid_input(
                "InvalidRetention",
                "retainUntilDate needs retentionMode: give both, or neither to remove the retention.",
            ));
        }
    };
    let body = format!("<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{fields}</Retention>");
    let headers: Vec<(&str, String)> =
        if input.bypass_governance { vec![("x-amz-bypass-governance-retention", "true".to_owned())] } else { Vec::new() };
    xml::request(http::Method::PUT, url, &headers, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header, response};
    use std::time::Duration;

    /// 2026-01-01T00:00:00Z.
    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    fn input(mode: Option<RetentionMode>, until: Option<&str>) -> Input {
        Input {
            bucket: "bkt".into(),
            key: "a b".into(),
            mode,
            until: until.map(str::to_owned),
            version_id: Some("v1".into()),
            bypass_governance: false,
        }
    }

    #[test]
    fn puts_mode_and_date_in_utc() {
        let mut i = input(Some(RetentionMode::Compliance), Some("2030-01-01T02:00:00+02:00"));
        i.bypass_governance = true;
        let req = put_request(&conn(), &i, now()).unwrap();
        assert_eq!(req.method(), http::Method::PUT);
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/a%20b?retention&versionId=v1");
        assert_eq!(
            String::from_utf8(req.body().clone()).unwrap(),
            "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>"
        );
        assert_eq!(header(&req, "x-amz-bypass-governance-retention"), Some("true"));
        assert!(header(&req, "content-md5").is_some());
        let cleared = put_request(&conn(), &input(None, Some(" ")), now()).unwrap();
        assert!(String::from_utf8(cleared.body().clone()).unwrap().ends_with("\"></Retention>"));
    }

    #[test]
    fn half_pairs_and_bad_or_past_dates_are_refused() {
        let g = Some(RetentionMode::Governance);
        for (mode, until, code, names) in [
            (g, None, "InvalidRetention", "retainUntilDate"),
            (None, Some("2030-01-01T00:00:00Z"), "InvalidRetention", "retentionMode"),
            (g, Some("31.12.2030"), "InvalidRetainUntilDate", "RFC 3339"),
            (g, Some("2030-02-30T00:00:00Z"), "InvalidRetainUntilDate", "RFC 3339"),
            (g, Some("2025-12-31T23:59:59Z"), "InvalidRetainUntilDate", "not in the future"),
        ] {
            let e = put_request(&conn(), &input(mode, until), now()).unwrap_err();
            assert_eq!(e.code, code, "{until:?}");
            assert!(e.message.contains(names), "{}", e.message);
        }
    }

    /// moto does not implement GetObjectRetention: a recorded S3 answer.
    #[test]
    fn reads_a_recorded_answer() {
        let req = get_request(&conn(), "bkt", "k", None).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt/k?retention");
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>COMPLIANCE</Mode><RetainUntilDate>2024-08-25T20:00:00Z</RetainUntilDate></Retention>"#;
        let out = parse_get(&response(200, &[("x-amz-request-id", "88W3KJSMC9E")], xml)).unwrap();
        assert_eq!(out.retention.mode.as_deref(), Some("COMPLIANCE"));
        assert_eq!(out.retention.retain_until_date.as_deref(), Some("2024-08-25T20:00:00.000Z"));
        assert_eq!(out.response_metadata.request_id.as_deref(), Some("88W3KJSMC9E"));
    }
}
