//! STS, the AWS query protocol (form-encoded POST, XML answers):
//! [AssumeRole](https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)
//! for role connections, and
//! [GetCallerIdentity](https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).

use crate::account::GetCurrentAccountOutput;
use crate::client::{Client, Transport, metadata};
use crate::conn::{Conn, Role};
use crate::error::{Error, Result};
use crate::{time, xml};
use serde::Deserialize;
use std::cell::RefCell;

/// Credentials are renewed this long before they expire.
pub const RENEW_BEFORE_SECS: i64 = 300;

fn query_request(conn: &Conn, params: &[(&str, &str)]) -> Result<http::Request<Vec<u8>>> {
    super::query_request(conn.sts_url(), "2011-06-15", params)
}

/// Build the AssumeRole request, sent with the connection's own key pair.
pub fn assume_role_request(conn: &Conn, role: &Role) -> Result<http::Request<Vec<u8>>> {
    let duration = role.duration_seconds.map(|d| d.to_string());
    let mut params = vec![("Action", "AssumeRole"), ("RoleArn", role.arn.as_str()), ("RoleSessionName", role.session_name.as_str())];
    if let Some(id) = &role.external_id {
        params.push(("ExternalId", id));
    }
    if let Some(d) = &duration {
        params.push(("DurationSeconds", d));
    }
    query_request(conn, &params)
}

/// Temporary credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// When they expire (seconds since the epoch).
    pub expires: i64,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("access_key_id", &self.access_key_id).field("expires", &self.expires).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleResponse {
    assume_role_result: AssumeRoleResult,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumeRoleResult {
    credentials: CredentialsXml,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CredentialsXml {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

/// Read the role's credentials.
pub fn parse_assume_role(resp: &http::Response<Vec<u8>>) -> Result<Credentials> {
    let doc: AssumeRoleResponse = xml::parse(resp)?;
    let c = doc.assume_role_result.credentials;
    let expires = time::parse_rfc3339(&c.expiration).map(|(secs, _)| secs).ok_or_else(|| {
        Error::unexpected(format!("STS gave an expiration that is not a date: {:?}.", c.expiration), resp.status().as_u16())
    })?;
    Ok(Credentials { access_key_id: c.access_key_id, secret_access_key: c.secret_access_key, session_token: c.session_token, expires })
}

/// Whose role credentials: the base access key id, the role, the STS endpoint.
type CacheKey = (String, Role, String);

thread_local! {
    /// Role credentials of this execution (one component instance).
    static CACHE: RefCell<Vec<(CacheKey, Credentials)>> = const { RefCell::new(Vec::new()) };
}

/// The connection `client` should sign with: its own, or the credentials of
/// its role, assumed once and reused until [`RENEW_BEFORE_SECS`] before they expire.
pub fn resolve<T: Transport>(client: &Client<T>) -> Result<Option<Conn>> {
    let Some(role) = &client.conn.role else { return Ok(None) };
    let key = (client.conn.access_key_id.clone(), role.clone(), client.conn.sts_url());
    let now = time::unix_secs(client.now());
    let cached = CACHE.with_borrow(|c| c.iter().find(|(k, v)| *k == key && v.expires - RENEW_BEFORE_SECS > now).map(|(_, v)| v.clone()));
    let creds = match cached {
        Some(c) => c,
        None => {
            let fresh = parse_assume_role(&client.execute_service(assume_role_request(&client.conn, role)?, "sts")?)?;
            CACHE.with_borrow_mut(|c| {
                c.retain(|(k, _)| *k != key);
                c.push((key, fresh.clone()));
            });
            fresh
        }
    };
    Ok(Some(client.conn.with_credentials(creds.access_key_id, creds.secret_access_key, creds.session_token)))
}

/// Build the GetCallerIdentity request.
pub fn caller_identity_request(conn: &Conn) -> Result<http::Request<Vec<u8>>> {
    query_request(conn, &[("Action", "GetCallerIdentity")])
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CallerIdentityResponse {
    get_caller_identity_result: CallerIdentityXml,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CallerIdentityXml {
    user_id: Option<String>,
    account: Option<String>,
    arn: Option<String>,
}

/// Read the identity.
pub fn parse_caller_identity(resp: &http::Response<Vec<u8>>) -> Result<GetCurrentAccountOutput> {
    let doc: CallerIdentityResponse = xml::parse(resp)?;
    let id = doc.get_caller_identity_result;
    Ok(GetCurrentAccountOutput { user_id: id.user_id, account: id.account, arn: id.arn, response_metadata: metadata(resp) })
}

/// For tests: forget cached role credentials.
#[cfg(test)]
pub fn clear_cache() {
    CACHE.with_borrow_mut(Vec::clear);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::Script;
    use crate::conn::tests::{connection, resolved};

    const ASSUMED: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:s3-access-example</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/reader/s3</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>
      <SecretAccessKey>9drTJvcXLB89EXAMPLELB8923FB892xMFI</SecretAccessKey>
      <SessionToken>AQoXdzELDDY//////////wEaoAK1wvxJY12r2IrDFT2IvAzTCn3zHoZ7YNtpiQLF0MqZye/qwjzP2iEXAMPLE</SessionToken>
      <Expiration>1970-01-01T01:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#;

    fn role_conn() -> Conn {
        let mut c = connection(Some("http://127.0.0.1:5000"));
        c.role_arn = Some("arn:aws:iam::123456789012:role/reader".into());
        c.external_id = Some("shared secret".into());
        c.role_duration_seconds = Some(900);
        resolved(&c).unwrap()
    }

    #[test]
    fn assumes_the_role_once_and_signs_with_its_credentials() {
        clear_cache();
        let s = Script::default();
        s.push(200, &[], ASSUMED.as_bytes());
        let client = Client::new(role_conn(), &s);
        let conn = resolve(&client).unwrap().unwrap();
        assert_eq!(conn.access_key_id, "ASIAJEXAMPLEXEG2JICEA");
        assert!(conn.role.is_none());
        // Within the execution, the cached credentials are reused.
        assert_eq!(resolve(&client).unwrap().unwrap().access_key_id, "ASIAJEXAMPLEXEG2JICEA");
        let seen = s.seen.borrow();
        assert_eq!(seen.len(), 1, "one AssumeRole");
        assert_eq!(seen[0].method(), http::Method::POST);
        assert_eq!(seen[0].uri().to_string(), "http://127.0.0.1:5000/");
        assert_eq!(
            String::from_utf8(seen[0].body().clone()).unwrap(),
            "Version=2011-06-15&Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Freader&RoleSessionName=integration-session&ExternalId=shared%20secret&DurationSeconds=900"
        );
        let auth = seen[0].headers()["authorization"].to_str().unwrap();
        assert!(auth.contains("/us-east-1/sts/aws4_request"), "signed for STS: {auth}");
    }

    #[test]
    fn sts_errors_are_typed() {
        clear_cache();
        let s = Script::default();
        s.push(403, &[("x-amzn-requestid", "R9")], b"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>R9</RequestId></ErrorResponse>");
        let e = resolve(&Client::new(role_conn(), &s)).unwrap_err();
        assert_eq!(e.code, "AccessDenied");
        assert_eq!(e.http_status, Some(403));
        assert_eq!(e.request_id.as_deref(), Some("R9"));
        assert!(e.message.contains("sts:AssumeRole"), "{}", e.message);
    }

    #[test]
    fn reads_the_caller_identity() {
        let body = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#;
        let out = parse_caller_identity(&crate::ops::test_support::response(200, &[("x-amzn-requestid", "01234567-89ab")], body)).unwrap();
        assert_eq!(out.account.as_deref(), Some("123456789012"));
        assert_eq!(out.arn.as_deref(), Some("arn:aws:iam::123456789012:user/Alice"));
        assert_eq!(out.user_id.as_deref(), Some("AIDACKCEVSQ6C2EXAMPLE"));
        assert_eq!(out.response_metadata.request_id.as_deref(), Some("01234567-89ab"));
        let req = caller_identity_request(&resolved(&connection(None)).unwrap()).unwrap();
        assert_eq!(req.uri().to_string(), "https://sts.us-east-1.amazonaws.com/");
    }
}
