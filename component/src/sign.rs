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
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningInstructions, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// Sign `req` in place for `service` (`s3`) at `time`, adding
/// `x-amz-date`, `x-amz-content-sha256`, the session token and `authorization`.
pub fn sign_request(req: &mut http::Request<Vec<u8>>, conn: &Conn, service: &str, time: SystemTime) -> Result<()> {
    let checksummed = req.headers().keys().any(|name| crate::checksum::is_value_header(name.as_str()));
    let payload_hash = if checksummed { None } else { Some(hex::encode(Sha256::digest(req.body()))) };
    let mut settings = s3_settings();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let body = payload_hash.map_or(SignableBody::UnsignedPayload, SignableBody::Precomputed);
    let instructions = instructions(req, conn, service, time, settings, body)?;
    instructions.apply_to_request_http1x(req);
    Ok(())
}

/// A presigned URL for `req` (method, URL and headers; no body): anyone who
/// sends exactly that request, with those headers, within `expires` of `time`
/// is let in. The signature goes in the query (`X-Amz-Signature`, with the
/// session token as `X-Amz-Security-Token`); the payload is `UNSIGNED-PAYLOAD`,
/// so the body that is sent is not constrained. Nothing is sent.
pub fn presign(mut req: http::Request<Vec<u8>>, conn: &Conn, expires: Duration, time: SystemTime) -> Result<String> {
    let mut settings = s3_settings();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(expires);
    let instructions = instructions(&req, conn, "s3", time, settings, SignableBody::UnsignedPayload)?;
    instructions.apply_to_request_http1x(&mut req);
    Ok(req.uri().to_string())
}

/// S3's rules: the path is encoded once and signed as sent, never normalised.
fn s3_settings() -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings
}

fn instructions(
    req: &http::Request<Vec<u8>>,
    conn: &Conn,
    service: &str,
    time: SystemTime,
    settings: SigningSettings,
    body: SignableBody<'_>,
) -> Result<SigningInstructions> {
    let credentials = Credentials::new(&conn.access_key_id, &conn.secret_access_key, conn.session_token.clone(), None, "connection");
    let identity = credentials.into();
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
    let signable = SignableRequest::new(req.method().as_str(), uri, headers, body)
        .map_err(|e| Error::invalid_input("SigningFailed", format!("Could not sign the request: {e}.")))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| Error::invalid_input("SigningFailed", format!("Could not sign the request: {e}.")))?
        .into_parts();
    Ok(instructions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::tests::{SECRET, connection, resolved};
    use std::time::UNIX_EPOCH;

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
        let conn = Conn::resolve(&c, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None).unwrap();
        let mut req =
            http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt").header("range", "bytes=0-9").body(Vec::new()).unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(req.headers()["x-amz-content-sha256"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    fn example_conn() -> Conn {
        let mut c = connection(None);
        c.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
        Conn::resolve(&c, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None).unwrap()
    }

    fn signature(req: &http::Request<Vec<u8>>) -> (&str, &str) {
        let auth = req.headers()["authorization"].to_str().unwrap();
        let signed = auth.split("SignedHeaders=").nth(1).unwrap().split(',').next().unwrap();
        (signed, auth.rsplit("Signature=").next().unwrap())
    }

    /// AWS's documented PUT Object example: a key with `$`, a body, a `Date`
    /// and a storage class header, all signed.
    #[test]
    fn matches_the_aws_documented_put_object_example() {
        let conn = example_conn();
        let mut req = http::Request::put(format!("https://examplebucket.s3.amazonaws.com/{}", crate::encode::path("test$file.text")))
            .header("date", "Fri, 24 May 2013 00:00:00 GMT")
            .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
            .body(b"Welcome to Amazon S3.".to_vec())
            .unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        assert_eq!(req.headers()["x-amz-content-sha256"], "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        assert_eq!(
            signature(&req),
            (
                "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
            )
        );
    }

    /// AWS's documented GET Bucket (list objects) and GET lifecycle examples:
    /// query strings, one with a value-less parameter.
    #[test]
    fn matches_the_aws_documented_query_examples() {
        let conn = example_conn();
        for (url, expected) in [
            (
                "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J",
                "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
            ),
            ("https://examplebucket.s3.amazonaws.com/?lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ] {
            let mut req = http::Request::get(url).body(Vec::new()).unwrap();
            sign_request(&mut req, &conn, "s3", example_time()).unwrap();
            assert_eq!(signature(&req), ("host;x-amz-content-sha256;x-amz-date", expected), "{url}");
        }
    }

    /// A body protected by a checksum header is sent unsigned; the checksum
    /// header itself is signed.
    #[test]
    fn checksummed_bodies_are_unsigned_payloads() {
        let conn = example_conn();
        let mut req = http::Request::put("https://examplebucket.s3.amazonaws.com/k")
            .header("x-amz-checksum-crc32c", "mnG7TA==")
            .body(b"hello".to_vec())
            .unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        assert_eq!(req.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
        assert_eq!(signature(&req).0, "host;x-amz-checksum-crc32c;x-amz-content-sha256;x-amz-date");
    }

    /// AWS's documented presigned URL example: GET /test.txt for 86400 s.
    #[test]
    fn matches_the_aws_documented_presigned_url_example() {
        let req = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt").body(Vec::new()).unwrap();
        let url = presign(req, &example_conn(), Duration::from_secs(86_400), example_time()).unwrap();
        assert_eq!(
            url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }

    #[test]
    fn session_tokens_are_sent_and_signed() {
        let conn = Conn::resolve(&connection(None), SECRET, Some("FwoGZXIvYXdzEXAMPLETOKEN")).unwrap();
        let mut req = http::Request::get(conn.url(Some("bkt"), Some("k"), "")).body(Vec::new()).unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        assert_eq!(req.headers()["x-amz-security-token"], "FwoGZXIvYXdzEXAMPLETOKEN");
        let auth = req.headers()["authorization"].to_str().unwrap();
        assert!(auth.contains("x-amz-security-token"), "{auth}");
    }

    #[test]
    fn signs_the_encoded_path_as_sent() {
        let conn = resolved(&connection(Some("http://127.0.0.1:9000"))).unwrap();
        let mut req = http::Request::put(conn.url(Some("b"), Some("a//b c+é"), "")).body(b"x".to_vec()).unwrap();
        sign_request(&mut req, &conn, "s3", example_time()).unwrap();
        assert_eq!(req.uri().path(), "/b/a//b%20c%2B%C3%A9");
        assert!(req.headers().contains_key("authorization"));
        assert_eq!(req.headers()["x-amz-content-sha256"], "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
    }
}
