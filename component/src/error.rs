//! The one error type ([`Error`], the WIT `error` record) and the mapping of
//! S3's error answers onto it.

use crate::types::ErrorKind;
use serde::Deserialize;

pub use crate::types::Error;

/// Convenience alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Input rejected before anything was sent.
    pub fn invalid_input(code: &str, message: impl Into<String>) -> Self {
        Self::local(ErrorKind::InvalidInput, code, message, false)
    }

    /// The connection cannot be used as given.
    pub fn invalid_connection(code: &str, message: impl Into<String>) -> Self {
        Self::local(ErrorKind::InvalidConnection, code, message, false)
    }

    /// The request did not complete.
    pub fn transport(code: &str, message: impl Into<String>, retryable: bool) -> Self {
        Self::local(ErrorKind::Transport, code, message, retryable)
    }

    /// Bytes arrived or were stored different from what was sent: never kept silently.
    pub fn checksum_mismatch(message: impl Into<String>) -> Self {
        Self::local(ErrorKind::Transport, "ChecksumMismatch", message, true)
    }

    /// The service answered with something we cannot read.
    pub fn unexpected(message: impl Into<String>, status: u16) -> Self {
        let mut e = Self::local(ErrorKind::UnexpectedResponse, "UnexpectedResponse", message, false);
        e.http_status = Some(status);
        e
    }

    fn local(kind: ErrorKind, code: &str, message: impl Into<String>, retryable: bool) -> Self {
        Self { kind, code: code.to_owned(), message: message.into(), http_status: None, request_id: None, retryable }
    }

    /// Build the error for a non-2xx answer of S3 from its status, headers and
    /// body (S3's `<Error>` document; empty for HEAD requests).
    pub fn from_response(resp: &http::Response<Vec<u8>>) -> Self {
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text = std::str::from_utf8(resp.body()).ok().filter(|s| !s.trim().is_empty());
        // S3's `<Error>`, or the query protocol's (STS, SNS) `<ErrorResponse><Error>`.
        let doc = text.and_then(|s| match quick_xml::de::from_str::<ErrorDocument>(s) {
            Ok(d) if d.code.is_some() => Some(d),
            _ => quick_xml::de::from_str::<QueryErrorResponse>(s).ok().and_then(|q| {
                let e = q.error.or_else(|| q.errors.and_then(|list| list.error))?;
                Some(ErrorDocument { request_id: e.request_id.or(q.request_id), ..e })
            }),
        });
        let (code, message, request_id) = match doc {
            Some(d) => (d.code, d.message, d.request_id),
            None => (None, None, None),
        };
        let code = code.unwrap_or_else(|| code_for_status(status).to_owned());
        let mut message = message.filter(|m| !m.is_empty()).unwrap_or_else(|| format!("The service answered HTTP {status} ({code})"));
        if let Some(hint) = hint_for(&code, header("x-amz-bucket-region").as_deref()) {
            message = format!("{message} {hint}");
        }
        Self {
            kind: ErrorKind::Service,
            retryable: is_retryable(status, &code),
            code,
            message,
            http_status: Some(status),
            request_id: request_id.or_else(|| header("x-amz-request-id")).or_else(|| header("x-amzn-requestid")),
        }
    }
}

/// S3 can answer 200 and still fail (CopyObject, CompleteMultipartUpload): the
/// body is then an `<Error>` document. Returns that error, if it is one.
pub fn embedded(resp: &http::Response<Vec<u8>>) -> Option<Error> {
    let text = std::str::from_utf8(resp.body()).ok()?.trim_start();
    let text = match text.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>")?.1.trim_start(),
        None => text,
    };
    if !(text.starts_with("<Error>") || text.starts_with("<Error ")) {
        return None;
    }
    // The 200 says nothing: whether a retry can help depends on the code alone.
    let mut e = Error::from_response(resp);
    e.retryable = is_retryable(0, &e.code);
    Some(e)
}

/// S3's `<Error>` document. Only the fields we surface: `StringToSign` and
/// friends are ignored on purpose (they can carry credentials' context).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorDocument {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

/// The query protocol's error answer (STS, SNS): `<ErrorResponse><Error>`,
/// or `<ErrorResponse><Errors><Error>` as moto (and EC2) nest it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryErrorResponse {
    error: Option<ErrorDocument>,
    errors: Option<QueryErrors>,
    request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryErrors {
    error: Option<ErrorDocument>,
}

/// The code the AWS SDKs report for a body-less error answer (HEAD requests).
fn code_for_status(status: u16) -> &'static str {
    match status {
        301 => "PermanentRedirect",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        400 => "BadRequest",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        416 => "InvalidRange",
        429 => "TooManyRequests",
        500 => "InternalError",
        501 => "NotImplemented",
        503 => "ServiceUnavailable",
        _ => "UnknownError",
    }
}

fn is_retryable(status: u16, code: &str) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
        // RequestTimeTooSkewed is not here: the same clock would sign the retry.
        || matches!(code, "SlowDown" | "RequestTimeout" | "InternalError" | "ServiceUnavailable" | "Throttling" | "ThrottlingException")
}

/// What to do about the common errors, appended to S3's message.
fn hint_for(code: &str, bucket_region: Option<&str>) -> Option<String> {
    Some(match code {
        "SignatureDoesNotMatch" => {
            "Check the secret access key and the connection's region.".to_owned()
        }
        "InvalidAccessKeyId" => "Check the access key id.".to_owned(),
        "EntityTooSmall" => "Every part but the last must be at least 5 MiB: upload larger parts (or one PutObject for small bodies).".to_owned(),
        "NoSuchUpload" => "The upload id is unknown here: it was completed or aborted, or belongs to another bucket or key. Start a new one with createMultipartUpload.".to_owned(),
        "InvalidPart" => "A listed part was not uploaded or its ETag differs: pass the ETag and PartNumber that uploadPart or listParts returned.".to_owned(),
        "InvalidPartOrder" => "List the parts in ascending PartNumber order.".to_owned(),
        "BadDigest" => "The bytes S3 received do not match their checksum: they were corrupted on the way. Nothing was stored; try again.".to_owned(),
        "PermanentRedirect" | "AuthorizationHeaderMalformed" | "IllegalLocationConstraintException" => {
            match bucket_region {
                Some(r) => format!("The bucket is in region {r}: set the connection's region to it."),
                None => return None,
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::response;

    #[test]
    fn parses_s3_error_document() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a b</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>x</HostId></Error>"#;
        let e = Error::from_response(&response(404, &[], body));
        assert_eq!(e.kind, ErrorKind::Service);
        assert_eq!(e.code, "NoSuchKey");
        assert_eq!(e.message, "The specified key does not exist.");
        assert_eq!(e.http_status, Some(404));
        assert_eq!(e.request_id.as_deref(), Some("4442587FB7D0A2F9"));
        assert!(!e.retryable);
    }

    #[test]
    fn query_protocol_errors_are_read_in_both_nestings() {
        let aws = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>R1</RequestId></ErrorResponse>";
        let moto = "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message><![CDATA[The request signature we calculated does not match]]></Message></Error></Errors><RequestID>R2</RequestID></ErrorResponse>";
        let e = Error::from_response(&response(403, &[], aws));
        assert_eq!((e.code.as_str(), e.request_id.as_deref()), ("InvalidClientTokenId", Some("R1")));
        let e = Error::from_response(&response(403, &[("x-amzn-requestid", "R3")], moto));
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert!(e.message.starts_with("The request signature we calculated does not match"), "{}", e.message);
        assert_eq!(e.request_id.as_deref(), Some("R3"));
    }

    #[test]
    fn head_errors_take_their_code_from_the_status() {
        let e = Error::from_response(&response(404, &[("x-amz-request-id", "R1")], ""));
        assert_eq!(e.code, "NotFound");
        assert_eq!(e.request_id.as_deref(), Some("R1"));
        let e = Error::from_response(&response(503, &[], ""));
        assert_eq!(e.code, "ServiceUnavailable");
        assert!(e.retryable);
    }

    #[test]
    fn string_to_sign_is_never_surfaced() {
        let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message><StringToSign>AWS4-HMAC-SHA256 secret-ish</StringToSign><SignatureProvided>abc</SignatureProvided></Error>";
        let e = Error::from_response(&response(403, &[], body));
        assert_eq!(e.code, "SignatureDoesNotMatch");
        assert!(!e.to_string().contains("secret-ish"));
        assert!(e.message.contains("secret access key"), "{}", e.message);
    }

    #[test]
    fn errors_inside_a_200_are_found() {
        let body = "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>Try again.</Message></Error>";
        let e = embedded(&response(200, &[], body)).unwrap();
        assert_eq!(e.code, "InternalError");
        assert!(e.retryable);
        let e = embedded(&response(200, &[], "<Error><Code>InvalidPart</Code><Message>m</Message></Error>")).unwrap();
        assert!(!e.retryable, "retrying the same parts cannot help");
        let e = Error::from_response(&response(403, &[], "<Error><Code>RequestTimeTooSkewed</Code><Message>m</Message></Error>"));
        assert!(!e.retryable, "the same clock would sign the retry");
        assert!(embedded(&response(200, &[], "<CopyObjectResult><ETag>x</ETag></CopyObjectResult>")).is_none());
    }

    #[test]
    fn redirect_names_the_bucket_region() {
        let body = "<Error><Code>PermanentRedirect</Code><Message>Wrong endpoint.</Message></Error>";
        let e = Error::from_response(&response(301, &[("x-amz-bucket-region", "eu-west-1")], body));
        assert!(e.message.ends_with("set the connection's region to it."), "{}", e.message);
        assert!(e.message.contains("eu-west-1"));
    }
}
