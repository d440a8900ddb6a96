//! SigV4 for S3, through `aws-sigv4`, with the time passed in.
//!
//! S3's rules: the path is encoded once (by [`crate::encode`]) and signed as it
//! is sent, no path normalisation (`a//b` and `./` are part of the key), and
//! `x-amz-content-sha256` on every request. It carries the payload's SHA-256,
//! except for a body protected by a (signed) `x-amz-checksum-*` header: that
//! one is sent as `UNSIGNED-PAYLOAD`, so that large bodies are never SHA-256
//! hashed inside wasm (see [`crate::checksum`] for what guarantees integrity).

use crate::conn::Conn;
use crate::error::{Error, Result};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// Sign `req` in place for `service` (`s3`) at `time`, adding
/// `x-amz-date`, `x-amz-content-sha256`, the session token and `authorization`.
pub fn sign_request(req: &mut http::Request<Vec<u8>>, conn: &Conn, service: &str, time: SystemTime) -> Result<()> {
    let checksummed = req.headers().keys().any(|name| crate::checksum::is_value_header(name.as_str()));
    let payload_hash = if checksummed { None } else { Some(hex::encode(Sha256::digest(req.body()))) };
    let credentials = Credentials::new(
        &conn.access_key_id,
        &conn.secret_access_key,
        conn.session_token.clone(),
        None,
        "connection",
    );
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&conn.region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| Error::invalid_connection("SigningFailed", format!("Could not sign the request: {e}.")))?
        .into();
    // content-length is framing, not content: leave it out of the signature.
    let headers = req
        .headers()
        .iter()
        .filter(|(name, _)| *name != http::header::CONTENT_LENGTH)
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
    let uri = req.uri().to_string();
    let body = payload_hash.map_or(SignableBody::UnsignedPayload, SignableBody::Precomputed);
    let signable = SignableRequest::new(req.method().as_str(), uri, headers, body)
        .map_err(|e| Error::invalid_input("SigningFailed", format!("Could not sign the request: {e}.")))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Error::invalid_input("SigningFailed", format!("Could not sign the request: {e}.")))?
        .into_parts();
    instructions.apply_to_request_http1x(req);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::tests::connection;
    use std::time::{Duration, UNIX_EPOCH};

    /// 2013-05-24T00:00:00Z, the date of AWS's published S3 SigV4 examples.
    fn example_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_369_353_600)
    }

    /// AWS's documented example: GET /test.txt with a Range header on
    /// examplebucket, signed with the documentation's example key pair.
    #[test]
    fn matches_the_aws_documented_get_object_example() {
        let mut c = connection(None);
        c.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
        c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into();
        let conn = Conn::new(&c).unwrap();
        let mut req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .header("range", "bytes=0-9")
            .body(Vec::new())
            .unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(
            req.headers()["x-amz-content-sha256"],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn session_tokens_are_sent_and_signed() {
        let mut c = connection(None);
        c.session_token = Some("FwoGZXIvYXdzEXAMPLETOKEN".into());
        let conn = Conn::new(&c).unwrap();
        let mut req = http::Request::get(conn.url(Some("bkt"), Some("k"), "")).body(Vec::new()).unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        assert_eq!(req.headers()["x-amz-security-token"], "FwoGZXIvYXdzEXAMPLETOKEN");
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.contains("x-amz-security-token"), "{auth}");
    }

    #[test]
    fn signs_the_encoded_path_as_sent() {
        let conn = Conn::new(&connection(Some("http://127.0.0.1:9000"))).unwrap();
        let mut req = http::Request::put(conn.url(Some("b"), Some("a//b c+é"), "")).body(b"x".to_vec()).unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        assert_eq!(req.uri().path(), "/b/a//b%20c%2B%C3%A9");
        assert!(req.headers().contains_key("authorization"));
        assert_eq!(
            req.headers()["x-amz-content-sha256"],
            "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        );
    }
}
