//! The resolved connection: credentials, region and how to address a bucket.

use crate::encode;
use crate::error::{Error, Result};
use crate::secrets::Secret;
use crate::types::Connection;

/// Region used when the connection names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A checked connection, ready to build URLs and sign requests.
#[derive(Clone)]
pub struct Conn {
    /// Access key id (trimmed).
    pub access_key_id: String,
    pub(crate) secret_access_key: String,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
    /// The signing region.
    pub region: String,
    scheme: &'static str,
    /// `host[:port]` of the service endpoint (without a bucket label).
    authority: String,
    /// A path prefix of the endpoint (e.g. a reverse proxy's `/s3`), no trailing `/`.
    base_path: String,
    path_style: bool,
    /// The role to assume before anything else, if any.
    pub role: Option<Role>,
}

/// An IAM role to assume with the connection's key pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Role {
    /// The role's ARN.
    pub arn: String,
    /// The external id its trust policy asks for.
    pub external_id: Option<String>,
    /// The session's name.
    pub session_name: String,
    /// The credentials' lifetime in seconds (STS's default when absent).
    pub duration_seconds: Option<u32>,
}

/// The session name when none is given, as the seed's.
pub const DEFAULT_SESSION_NAME: &str = "integration-session";

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"******")
            .field("session_token", &self.session_token.as_ref().map(|_| "******"))
            .field("region", &self.region)
            .field("endpoint", &format_args!("{}://{}{}", self.scheme, self.authority, self.base_path))
            .field("path_style", &self.path_style)
            .finish()
    }
}

impl Conn {
    /// Check and resolve a WIT connection, reading its secrets from the host.
    pub fn new(c: &Connection<'_>) -> Result<Self> {
        let session_token = c.session_token.map(Secret::reveal);
        Self::resolve(c, &c.secret_access_key.reveal(), session_token.as_deref())
    }

    /// [`Conn::new`] with the text of the connection's secrets already read.
    pub(crate) fn resolve(c: &Connection<'_>, secret_access_key: &str, session_token: Option<&str>) -> Result<Self> {
        let access_key_id = c.access_key_id.trim().to_owned();
        let secret_access_key = secret_access_key.trim().to_owned();
        if access_key_id.is_empty() {
            return Err(Error::invalid_connection(
                "MissingAccessKeyId",
                "The connection has no access key id: set accessKeyId (or AWS_ACCESS_KEY_ID).",
            ));
        }
        if secret_access_key.is_empty() {
            return Err(Error::invalid_connection(
                "MissingSecretAccessKey",
                "The connection has no secret access key: set secretAccessKey (or AWS_SECRET_ACCESS_KEY).",
            ));
        }
        // They travel in headers: anything but visible ASCII would break the
        // request (or the host's header parser) instead of failing clearly.
        for (name, value) in [
            ("accessKeyId", Some(access_key_id.as_str())),
            ("secretAccessKey", Some(secret_access_key.as_str())),
            ("sessionToken", session_token),
        ] {
            if value.is_some_and(|v| !v.trim().bytes().all(|b| b.is_ascii_graphic())) {
                return Err(Error::invalid_connection(
                    "InvalidCredentials",
                    format!(
                        "The connection's {name} contains spaces, line breaks or characters other than visible ASCII: copy it again without them."
                    ),
                ));
            }
        }
        let region = crate::validate::non_blank(c.region.as_deref()).unwrap_or(DEFAULT_REGION).trim().to_owned();
        if !region.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-') {
            return Err(Error::invalid_connection("InvalidRegion", format!("Region {region:?} is not a region code such as us-east-1.")));
        }
        let session_token = crate::validate::non_blank(session_token).map(|s| s.trim().to_owned());
        let (scheme, authority, base_path, path_style_default) = match crate::validate::non_blank(c.endpoint_url.as_deref()) {
            Some(url) => {
                let (scheme, authority, base_path) = parse_endpoint(url.trim())?;
                (scheme, authority, base_path, true)
            }
            None => ("https", format!("s3.{region}.amazonaws.com"), String::new(), false),
        };
        Ok(Self {
            access_key_id,
            secret_access_key,
            session_token,
            region,
            scheme,
            authority,
            base_path,
            path_style: c.force_path_style.unwrap_or(path_style_default),
            role: role(c)?,
        })
    }

    /// The endpoint of another AWS service (`sts`, `sns`): the region's
    /// (`https://sts.REGION.amazonaws.com/`), or the connection's endpoint URL
    /// for local and compatible setups.
    pub fn service_url(&self, service: &str) -> String {
        if self.authority.ends_with(".amazonaws.com") && self.authority.starts_with("s3.") {
            format!("https://{service}.{}.amazonaws.com/", self.region)
        } else {
            format!("{}://{}{}/", self.scheme, self.authority, self.base_path)
        }
    }

    /// The STS endpoint ([`Conn::service_url`]).
    pub fn sts_url(&self) -> String {
        self.service_url("sts")
    }

    /// This connection with temporary credentials in place of its own (and no role left to assume).
    pub fn with_credentials(&self, access_key_id: String, secret_access_key: String, session_token: String) -> Self {
        Self { access_key_id, secret_access_key, session_token: Some(session_token), role: None, ..self.clone() }
    }

    /// The URL of a bucket (and optionally a key in it), or of the service
    /// itself with no bucket. `query` is an already encoded query string.
    ///
    /// Buckets with dots use path style over HTTPS, since they would not match
    /// the endpoint's wildcard certificate; so do legacy names that are not
    /// DNS labels (upper case, `_`, over 63 characters).
    pub fn url(&self, bucket: Option<&str>, key: Option<&str>, query: &str) -> String {
        let key_path = key.map(|k| format!("/{}", encode::path(k))).unwrap_or_default();
        let (authority, path) = match bucket {
            None => (self.authority.clone(), format!("{}/", self.base_path)),
            Some(b) if self.path_style || (self.scheme == "https" && b.contains('.')) || !crate::validate::dns_safe(b) => {
                (self.authority.clone(), format!("{}/{}{}", self.base_path, b, key_path))
            }
            Some(b) => {
                let path = if key_path.is_empty() { "/".to_owned() } else { key_path };
                (format!("{b}.{}", self.authority), format!("{}{}", self.base_path, path))
            }
        };
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        format!("{}://{}{}{}", self.scheme, authority, path, query)
    }

    /// `scheme://authority` of the endpoint, for the host's egress policy and messages.
    pub fn endpoint(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }
}

/// The role of a connection, checked.
fn role(c: &Connection<'_>) -> Result<Option<Role>> {
    let Some(arn) = crate::validate::non_blank(c.role_arn.as_deref()).map(str::trim) else {
        return Ok(None);
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let valid = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && crate::validate::is_account_id(parts[4])
        && parts[5].starts_with("role/")
        && parts[5].len() > 5
        && arn.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(Error::invalid_connection(
            "InvalidRoleArn",
            format!(
                "roleARN {:?} is not a role ARN such as arn:aws:iam::123456789012:role/name.",
                arn.chars().take(128).collect::<String>()
            ),
        ));
    }
    let session_name = crate::validate::non_blank(c.role_session_name.as_deref()).map_or(DEFAULT_SESSION_NAME, str::trim);
    if !(2..=64).contains(&session_name.len()) || !session_name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@-_".contains(&b)) {
        return Err(Error::invalid_connection(
            "InvalidRoleSessionName",
            "roleSessionName must be 2 to 64 letters, digits and +=,.@-_ characters.",
        ));
    }
    if let Some(d) = c.role_duration_seconds.filter(|d| !(900..=43_200).contains(d)) {
        return Err(Error::invalid_connection("InvalidRoleDuration", format!("roleDurationSeconds must be 900 to 43200, got {d}.")));
    }
    Ok(Some(Role {
        arn: arn.to_owned(),
        external_id: crate::validate::non_blank(c.external_id.as_deref()).map(|s| s.trim().to_owned()),
        session_name: session_name.to_owned(),
        duration_seconds: c.role_duration_seconds,
    }))
}

fn parse_endpoint(url: &str) -> Result<(&'static str, String, String)> {
    // User info may hold a key pair: never echo it.
    let shown = match url.split_once("://") {
        Some((scheme, rest)) => match rest.split('/').next().and_then(|authority| authority.rsplit_once('@')) {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    };
    let bad = |why: &str| {
        Error::invalid_connection(
            "InvalidEndpointUrl",
            format!(
                "Endpoint URL {shown:?} is not usable: {why}. Give a base URL such as http://127.0.0.1:9000 or https://s3.example.com."
            ),
        )
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("it has no http:// or https:// scheme"))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => "http",
        "https" => "https",
        _ => return Err(bad("only http and https are supported")),
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    if authority.is_empty() || authority.contains(['@', ' ', '?', '#']) {
        return Err(bad("the host part is empty or contains user info, spaces, ? or #"));
    }
    authority.parse::<http::uri::Authority>().map_err(|_| bad("the host part is not a host[:port]"))?;
    if path.contains(['?', '#']) {
        return Err(bad("it must not contain a query or fragment"));
    }
    let path = path.trim_end_matches('/');
    let base_path = if path.is_empty() { String::new() } else { format!("/{path}") };
    // The scheme's default port is left out: it would be sent in Host but
    // signed without it (HTTP clients drop it), and the signature would not match.
    let authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    let authority = authority.strip_suffix(default_port).map_or(authority.clone(), str::to_owned);
    Ok((scheme, authority, base_path))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The secret access key of AWS's published signing examples.
    pub(crate) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// A handle standing in for a host-held secret. Natively there is no host
    /// to reveal or drop it: tests give the text to [`resolved`] instead, and
    /// the handle is leaked rather than dropped.
    fn handle() -> &'static Secret {
        // SAFETY: the handle is never used to call the host (natively there is none).
        #[expect(unsafe_code, reason = "a stand-in handle for native tests")]
        Box::leak(Box::new(unsafe { Secret::from_handle(1) }))
    }

    /// A connection with the example key pair and no session token.
    pub(crate) fn connection(endpoint: Option<&str>) -> Connection<'static> {
        Connection {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: handle(),
            session_token: None,
            region: Some("us-east-1".into()),
            endpoint_url: endpoint.map(str::to_owned),
            force_path_style: None,
            role_arn: None,
            external_id: None,
            role_session_name: None,
            role_duration_seconds: None,
        }
    }

    /// `c` resolved with the example secret (and no session token).
    pub(crate) fn resolved(c: &Connection<'_>) -> Result<Conn> {
        Conn::resolve(c, SECRET, None)
    }

    #[test]
    fn roles_are_checked_and_sts_follows_the_endpoint() {
        let mut c = connection(None);
        c.role_arn = Some(" arn:aws:iam::123456789012:role/reader ".into());
        c.external_id = Some(" ".into());
        let conn = resolved(&c).unwrap();
        let role = conn.role.clone().unwrap();
        assert_eq!(
            (role.arn.as_str(), role.external_id, role.session_name.as_str()),
            ("arn:aws:iam::123456789012:role/reader", None, "integration-session")
        );
        assert_eq!(conn.sts_url(), "https://sts.us-east-1.amazonaws.com/");
        assert_eq!(resolved(&connection(Some("http://127.0.0.1:5000"))).unwrap().sts_url(), "http://127.0.0.1:5000/");
        for bad in ["arn:aws:iam::123:role/x", "arn:aws:s3:::bucket", "role/x", "arn:aws:iam::123456789012:user/bob"] {
            c.role_arn = Some(bad.into());
            assert_eq!(resolved(&c).unwrap_err().code, "InvalidRoleArn", "{bad}");
        }
        c.role_arn = Some("arn:aws:iam::123456789012:role/reader".into());
        c.role_duration_seconds = Some(60);
        assert_eq!(resolved(&c).unwrap_err().code, "InvalidRoleDuration");
        c.role_duration_seconds = None;
        c.role_session_name = Some("has space".into());
        assert_eq!(resolved(&c).unwrap_err().code, "InvalidRoleSessionName");
    }

    #[test]
    fn aws_uses_virtual_hosted_style() {
        let c = resolved(&connection(None)).unwrap();
        assert_eq!(c.url(Some("bkt"), Some("a b/c"), ""), "https://bkt.s3.us-east-1.amazonaws.com/a%20b/c");
        assert_eq!(c.url(Some("bkt"), None, "list-type=2"), "https://bkt.s3.us-east-1.amazonaws.com/?list-type=2");
        assert_eq!(c.url(None, None, ""), "https://s3.us-east-1.amazonaws.com/");
        // Dotted buckets would break TLS as a host label; legacy names are no label.
        assert_eq!(c.url(Some("a.b"), Some("k"), ""), "https://s3.us-east-1.amazonaws.com/a.b/k");
        assert_eq!(c.url(Some("Legacy_Bucket"), Some("k"), ""), "https://s3.us-east-1.amazonaws.com/Legacy_Bucket/k");
        assert_eq!(c.url(Some("my-ap-s3alias"), Some("k"), ""), "https://my-ap-s3alias.s3.us-east-1.amazonaws.com/k");
    }

    #[test]
    fn custom_endpoints_default_to_path_style() {
        let c = resolved(&connection(Some("http://127.0.0.1:9000/"))).unwrap();
        assert_eq!(c.url(Some("bkt"), Some("a//b/"), ""), "http://127.0.0.1:9000/bkt/a//b/");
        assert_eq!(c.url(Some("bkt"), None, ""), "http://127.0.0.1:9000/bkt");
        let mut conn = connection(Some("https://S3.Example.com/base/"));
        conn.force_path_style = Some(false);
        let c = resolved(&conn).unwrap();
        assert_eq!(c.url(Some("bkt"), Some("k"), ""), "https://bkt.s3.example.com/base/k");
    }

    #[test]
    fn rejects_bad_connections() {
        for url in ["127.0.0.1:9000", "ftp://x", "http://", "http://user:pw@host", "http://h/?q=1"] {
            let e = resolved(&connection(Some(url))).unwrap_err();
            assert_eq!(e.code, "InvalidEndpointUrl", "{url}");
        }
        assert_eq!(Conn::resolve(&connection(None), "  ", None).unwrap_err().code, "MissingSecretAccessKey");
    }

    #[test]
    fn default_ports_are_dropped_and_user_info_is_never_echoed() {
        let c = resolved(&connection(Some("https://S3.example.com:443/"))).unwrap();
        assert_eq!(c.endpoint(), "https://s3.example.com");
        assert_eq!(resolved(&connection(Some("http://127.0.0.1:80"))).unwrap().endpoint(), "http://127.0.0.1");
        assert_eq!(resolved(&connection(Some("http://127.0.0.1:9000"))).unwrap().endpoint(), "http://127.0.0.1:9000");
        let e = resolved(&connection(Some("http://AKID:SuperSecret@host"))).unwrap_err();
        assert_eq!(e.code, "InvalidEndpointUrl");
        assert!(!e.message.contains("SuperSecret") && !e.message.contains("AKID"), "{}", e.message);
        assert!(e.message.contains("***@host"), "{}", e.message);
    }

    #[test]
    fn credentials_with_control_characters_are_refused() {
        for (key, secret, token) in [("AK\r\nX-Injected: 1", "s", None), ("AK", "se\x7fcret", None), ("AK", "s", Some("tok en"))] {
            let mut c = connection(None);
            c.access_key_id = key.into();
            let e = Conn::resolve(&c, secret, token).unwrap_err();
            assert_eq!(e.code, "InvalidCredentials", "{key:?}");
            assert!(!e.message.contains("se\x7fcret"));
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = Conn::resolve(&connection(None), SECRET, Some("FQoGZXIvYXdzEXAMPLETOKEN")).unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("wJalr") && !s.contains("FQoG"), "{s}");
        assert!(s.contains("AKIDEXAMPLE"), "{s}");
        // The WIT record holds only handles to the host's secrets.
        let s = format!("{:?}", connection(None));
        assert!(s.contains("secret-access-key: Secret { handle: Resource { handle: 1 } }"), "{s}");
    }
}
