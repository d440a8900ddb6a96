//! [GetObjectLockConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html)
//! and [PutObjectLockConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html).

use super::mode_name;
use crate::client::{self, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::object_lock::{DefaultRetention, GetObjectLockConfigurationOutput, ObjectLockConfiguration, ObjectLockRule, RetentionMode};
use crate::{validate, xml};
use serde::Deserialize;

/// Build the GET request.
pub fn get_request(conn: &Conn, bucket: &str) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    client::request(http::Method::GET, conn.url(Some(bucket), None, "object-lock"), &[], Vec::new())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigurationXml {
    object_lock_enabled: Option<String>,
    rule: Option<RuleXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RuleXml {
    default_retention: Option<RetentionXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RetentionXml {
    mode: Option<String>,
    days: Option<u32>,
    years: Option<u32>,
}

/// Read the configuration.
pub fn parse_get(resp: &http::Response<Vec<u8>>) -> Result<GetObjectLockConfigurationOutput> {
    let doc: ConfigurationXml = xml::parse(resp)?;
    Ok(GetObjectLockConfigurationOutput {
        object_lock_configuration: ObjectLockConfiguration {
            object_lock_enabled: doc.object_lock_enabled,
            rule: doc.rule.map(|r| ObjectLockRule {
                // A period of 0 is no period (moto answers `<Years>0</Years>` beside the days).
                default_retention: r.default_retention.map(|d| DefaultRetention {
                    mode: d.mode,
                    days: d.days.filter(|n| *n > 0),
                    years: d.years.filter(|n| *n > 0),
                }),
            }),
        },
        response_metadata: metadata(resp),
    })
}

/// Build the PUT request: Object Lock enabled, and a default retention
/// when a mode is given. Days and years of 0 count as not set, as in the seed.
pub fn put_request(
    conn: &Conn,
    bucket: &str,
    mode: Option<RetentionMode>,
    days: Option<u32>,
    years: Option<u32>,
) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    let (days, years) = (days.filter(|d| *d > 0), years.filter(|y| *y > 0));
    let fail = |message: &str| Err(Error::invalid_input("InvalidDefaultRetention", message));
    let rule = match (mode, days, years) {
        (_, Some(_), Some(_)) => {
            return fail("defaultRetentionDays and defaultRetentionYears are both set: give one or the other.");
        }
        (Some(_), None, None) => {
            return fail("defaultRetentionMode needs a period: give defaultRetentionDays or defaultRetentionYears.");
        }
        (None, Some(_), _) | (None, _, Some(_)) => {
            return fail("A default retention period needs defaultRetentionMode (GOVERNANCE or COMPLIANCE).");
        }
        (None, None, None) => String::new(),
        (Some(mode), days, years) => {
            let period = match (days, years) {
                (Some(d), _) => format!("<Days>{d}</Days>"),
                (_, Some(y)) => format!("<Years>{y}</Years>"),
                _ => String::new(),
            };
            format!("<Rule><DefaultRetention><Mode>{}</Mode>{period}</DefaultRetention></Rule>", mode_name(mode))
        }
    };
    let body = format!(
        "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled</ObjectLockEnabled>{rule}</ObjectLockConfiguration>"
    );
    xml::request(http::Method::PUT, conn.url(Some(bucket), None, "object-lock"), &[], body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header, response};

    fn body(req: &http::Request<Vec<u8>>) -> String {
        String::from_utf8(req.body().clone()).unwrap()
    }

    #[test]
    fn puts_a_mode_with_one_period() {
        let req = put_request(&conn(), "bkt", Some(RetentionMode::Governance), Some(30), Some(0)).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt?object-lock");
        assert!(
            body(&req).ends_with(
                "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>"
            ),
            "{}",
            body(&req)
        );
        assert!(header(&req, "content-md5").is_some());
        let req = put_request(&conn(), "bkt", Some(RetentionMode::Compliance), None, Some(2)).unwrap();
        assert!(body(&req).contains("<Mode>COMPLIANCE</Mode><Years>2</Years>"));
        let req = put_request(&conn(), "bkt", None, Some(0), None).unwrap();
        assert!(!body(&req).contains("<Rule>"), "lock enabled, no default retention");
    }

    #[test]
    fn the_three_bad_combinations_are_refused() {
        for (mode, days, years, names) in [
            (Some(RetentionMode::Governance), Some(1), Some(1), "defaultRetentionDays and defaultRetentionYears"),
            (Some(RetentionMode::Compliance), None, Some(0), "defaultRetentionMode needs a period"),
            (None, Some(5), None, "needs defaultRetentionMode"),
        ] {
            let e = put_request(&conn(), "bkt", mode, days, years).unwrap_err();
            assert_eq!(e.code, "InvalidDefaultRetention");
            assert!(e.message.contains(names), "{}", e.message);
        }
    }

    #[test]
    fn reads_the_seed_example() {
        let xml = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days><Years>2</Years></DefaultRetention></Rule></ObjectLockConfiguration>";
        let out = parse_get(&response(200, &[], xml)).unwrap();
        let c = out.object_lock_configuration;
        assert_eq!(c.object_lock_enabled.as_deref(), Some("Enabled"));
        let d = c.rule.unwrap().default_retention.unwrap();
        assert_eq!((d.mode.as_deref(), d.days, d.years), (Some("GOVERNANCE"), None, Some(2)));
    }
}
