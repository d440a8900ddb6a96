//! SNS messages delivered to a webhook: parsing, the URL rules, the string
//! to sign, the signature check and the S3 event records inside. Pure: the
//! certificate is fetched by the caller and passed in.
//!
//! [Verifying the signatures of Amazon SNS messages](https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).

use crate::client::Transport;
use crate::webhooks::{S3Event, WebhookBody, WebhookOutcome, WebhookPayload, WebhookRequest, WebhookResponse};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::{Map, Value};
use x509_cert::der::{DecodePem, Encode};

/// Why a message is refused: the HTTP status to answer, a code, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 400 (malformed), 403 (not authentic, wrong topic, too old).
    pub status: u16,
    /// A short code, e.g. `BadSignature`.
    pub code: &'static str,
    /// What was wrong.
    pub reason: String,
}

fn refuse<T>(status: u16, code: &'static str, reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal { status, code, reason: reason.into() })
}

/// The message types SNS sends to an HTTP endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A message published to the topic (an S3 event).
    Notification,
    /// Confirm the subscription by fetching `SubscribeURL`.
    SubscriptionConfirmation,
    /// The subscription was removed.
    UnsubscribeConfirmation,
}

/// A parsed SNS message: its fields, as sent.
#[derive(Debug, Clone)]
pub struct Message {
    /// The type.
    pub kind: Kind,
    /// Every field, with string values.
    pub fields: Map<String, Value>,
}

impl Message {
    /// A field's text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    fn required(&self, name: &str) -> Result<&str, Refusal> {
        self.get(name).ok_or_else(|| Refusal { status: 400, code: "MalformedMessage", reason: format!("The message has no {name}.") })
    }
}

/// Parse a request body into an SNS message (before anything is fetched).
pub fn parse(body: &str) -> Result<Message, Refusal> {
    if body.trim().is_empty() {
        return refuse(400, "EmptyBody", "The request has no body: SNS sends a JSON message.");
    }
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(body) else {
        return refuse(400, "MalformedMessage", "The body is not a JSON object: SNS sends a JSON message.");
    };
    let kind = match fields.get("Type").and_then(Value::as_str) {
        Some("Notification") => Kind::Notification,
        Some("SubscriptionConfirmation") => Kind::SubscriptionConfirmation,
        Some("UnsubscribeConfirmation") => Kind::UnsubscribeConfirmation,
        Some(other) => {
            return refuse(
                400,
                "UnknownType",
                format!("Type {:?} is not an SNS message type.", other.chars().take(64).collect::<String>()),
            );
        }
        None => return refuse(400, "MalformedMessage", "The message has no Type."),
    };
    Ok(Message { kind, fields })
}

/// The exact text SNS signed: `Name\nvalue\n` for each field of the type's
/// list that is present, in that order.
pub fn string_to_sign(m: &Message) -> Result<String, Refusal> {
    let names: &[&str] = match m.kind {
        Kind::Notification => &["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
        _ => &["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
    };
    let mut out = String::new();
    for name in names {
        match m.get(name) {
            Some(v) => out.push_str(&format!("{name}\n{v}\n")),
            None if *name == "Subject" => {}
            None => return refuse(400, "MalformedMessage", format!("The message has no {name}.")),
        }
    }
    Ok(out)
}

/// Whether `host` is an SNS endpoint: `sns.REGION.amazonaws.com` or `.com.cn`.
fn is_sns_host(host: &str) -> bool {
    let Some(rest) = host.strip_prefix("sns.") else { return false };
    let region = rest.strip_suffix(".amazonaws.com").or_else(|| rest.strip_suffix(".amazonaws.com.cn"));
    region.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

/// Check an SNS URL: `https`, an SNS host, no user info or port. Returns its path and query.
fn sns_url<'a>(field: &str, url: &'a str) -> Result<(&'a str, Option<&'a str>), Refusal> {
    let bad =
        |why: &str| refuse(403, "UntrustedUrl", format!("{field} {:?} is refused: {why}.", url.chars().take(200).collect::<String>()));
    let Some(rest) = url.strip_prefix("https://") else { return bad("it is not https") };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return bad("it carries user info");
    }
    if authority.contains(':') {
        return bad("it names a port");
    }
    if !is_sns_host(authority) {
        return bad("its host is not sns.REGION.amazonaws.com");
    }
    if tail.contains('#') || tail.contains('\\') || tail.contains("..") {
        return bad("its path is not SNS's");
    }
    Ok(match tail.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (tail, None),
    })
}

/// Check `SigningCertURL`: an SNS host's `/SimpleNotificationService-*.pem`.
pub fn check_cert_url(url: &str) -> Result<(), Refusal> {
    let (path, query) = sns_url("SigningCertURL", url)?;
    let name = path.strip_prefix("/SimpleNotificationService-").and_then(|n| n.strip_suffix(".pem"));
    if query.is_some() || !name.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')) {
        return refuse(403, "UntrustedUrl", "SigningCertURL is refused: its path is not /SimpleNotificationService-*.pem.");
    }
    Ok(())
}

/// Check `SubscribeURL`: an SNS host's `/?Action=ConfirmSubscription&...`.
pub fn check_subscribe_url(url: &str) -> Result<(), Refusal> {
    let (path, query) = sns_url("SubscribeURL", url)?;
    if path != "/" || !query.is_some_and(|q| q.split('&').any(|kv| kv == "Action=ConfirmSubscription")) {
        return refuse(403, "UntrustedUrl", "SubscribeURL is refused: it is not an SNS ConfirmSubscription URL.");
    }
    Ok(())
}

/// The certificate URL of a message, checked; to be fetched by the caller.
pub fn cert_url(m: &Message) -> Result<&str, Refusal> {
    let url = m.required("SigningCertURL")?;
    check_cert_url(url)?;
    Ok(url)
}

/// Verify the message's signature with the certificate (PEM) from its
/// checked `SigningCertURL`.
pub fn verify(m: &Message, certificate_pem: &[u8]) -> Result<(), Refusal> {
    let key = public_key(certificate_pem)?;
    verify_with_key(m, &key)
}

fn public_key(pem: &[u8]) -> Result<rsa::RsaPublicKey, Refusal> {
    let unusable =
        |why: String| Refusal { status: 403, code: "BadCertificate", reason: format!("The signing certificate is unusable: {why}.") };
    let cert = x509_cert::Certificate::from_pem(pem).map_err(|e| unusable(e.to_string()))?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(|e| unusable(e.to_string()))?;
    rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|e| unusable(e.to_string()))
}

/// Verify the signature with a public key.
pub fn verify_with_key(m: &Message, key: &rsa::RsaPublicKey) -> Result<(), Refusal> {
    let text = string_to_sign(m)?;
    let signature = m.required("Signature")?;
    let bad = || Refusal {
        status: 403,
        code: "BadSignature",
        reason: "The message's signature does not verify: it was not sent by SNS, or was changed.".into(),
    };
    let bytes = aws_smithy_types::base64::decode(signature).map_err(|_| bad())?;
    let signature = Signature::try_from(bytes.as_slice()).map_err(|_| bad())?;
    let verified = match m.required("SignatureVersion")? {
        "1" => VerifyingKey::<sha1::Sha1>::new(key.clone()).verify(text.as_bytes(), &signature),
        "2" => VerifyingKey::<sha2::Sha256>::new(key.clone()).verify(text.as_bytes(), &signature),
        other => return refuse(400, "UnknownSignatureVersion", format!("SignatureVersion {other:?} is not 1 or 2.")),
    };
    verified.map_err(|_| bad())
}

/// Refuse messages older than `max_age` seconds (or dated in the future by more than 5 minutes).
pub fn check_age(m: &Message, now_secs: i64, max_age: u32) -> Result<(), Refusal> {
    let stamp = m.required("Timestamp")?;
    let Some((secs, _)) = crate::time::parse_rfc3339(stamp) else {
        return refuse(400, "MalformedMessage", "The message's Timestamp is not a date.");
    };
    if now_secs - secs > i64::from(max_age) {
        return refuse(403, "StaleMessage", format!("The message was sent at {stamp}, more than {max_age} s ago: a replay is refused."));
    }
    if secs - now_secs > 300 {
        return refuse(403, "StaleMessage", format!("The message is dated {stamp}, in the future."));
    }
    Ok(())
}

/// Refuse a message from another topic than `expected`.
pub fn check_topic(m: &Message, expected: Option<&str>) -> Result<(), Refusal> {
    match expected.map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) if m.get("TopicArn") != Some(e) => {
            refuse(403, "WrongTopic", format!("The message is from topic {:?}, not {e}.", m.get("TopicArn").unwrap_or("")))
        }
        _ => Ok(()),
    }
}

/// The S3 event records of a notification's `Message` (S3 sends keys
/// URL-encoded with `+` for spaces); S3's test message is one `s3:TestEvent`.
pub fn s3_events(message: &str) -> Vec<S3Event> {
    let Ok(doc) = serde_json::from_str::<Value>(message) else { return Vec::new() };
    let text = |v: &Value, path: &[&str]| path.iter().try_fold(v, |v, p| v.get(p)).and_then(Value::as_str).map(str::to_owned);
    if doc.get("Event").and_then(Value::as_str) == Some("s3:TestEvent") {
        return vec![S3Event {
            event_name: "s3:TestEvent".into(),
            event_time: text(&doc, &["Time"]),
            aws_region: None,
            bucket: text(&doc, &["Bucket"]),
            key: None,
            size: None,
            e_tag: None,
            version_id: None,
            sequencer: None,
        }];
    }
    let Some(records) = doc.get("Records").and_then(Value::as_array) else { return Vec::new() };
    records
        .iter()
        .map(|r| S3Event {
            event_name: text(r, &["eventName"]).unwrap_or_default(),
            event_time: text(r, &["eventTime"]),
            aws_region: text(r, &["awsRegion"]),
            bucket: text(r, &["s3", "bucket", "name"]),
            key: text(r, &["s3", "object", "key"]).map(|k| crate::encode::decode(&k)),
            size: r.get("s3").and_then(|s| s.get("object")).and_then(|o| o.get("size")).and_then(Value::as_u64),
            e_tag: text(r, &["s3", "object", "eTag"]),
            version_id: text(r, &["s3", "object", "versionId"]),
            sequencer: text(r, &["s3", "object", "sequencer"]),
        })
        .collect()
}

/// The default age limit of a message: one hour.
pub const DEFAULT_MAX_AGE_SECONDS: u32 = 3600;

/// Handle one webhook request: every check in order, the certificate and the
/// subscription URL fetched through `transport` only once their URLs passed.
pub fn handle<T: Transport>(transport: &T, request: WebhookRequest, expected_topic: Option<&str>, max_age: u32) -> WebhookOutcome {
    match accept(transport, &request, expected_topic, max_age) {
        Ok((branch, message, status_text)) => {
            let records = message.get("Message").filter(|_| message.kind == Kind::Notification).map(s3_events).unwrap_or_default();
            let data = message.fields.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect();
            WebhookOutcome {
                response: WebhookResponse { status_code: 200, body: status_text.into() },
                payload: branch.map(|_| WebhookPayload { headers: request.headers, body: WebhookBody { data }, records }),
                branch: branch.map(str::to_owned),
            }
        }
        Err(r) => WebhookOutcome {
            response: WebhookResponse { status_code: r.status, body: format!("{}: {}", r.code, r.reason) },
            branch: None,
            payload: None,
        },
    }
}

fn accept<T: Transport>(
    transport: &T,
    request: &WebhookRequest,
    expected_topic: Option<&str>,
    max_age: u32,
) -> Result<(Option<&'static str>, Message, &'static str), Refusal> {
    if !request.method.eq_ignore_ascii_case("POST") {
        return refuse(405, "MethodNotAllowed", "SNS delivers with POST.");
    }
    let message = parse(&request.body)?;
    let url = cert_url(&message)?;
    // A message missing a signed field is refused here, before the certificate is fetched.
    string_to_sign(&message)?;
    let pem = fetch(transport, url, "the signing certificate")?;
    verify(&message, &pem)?;
    check_age(&message, crate::time::unix_secs(transport.now()), max_age)?;
    check_topic(&message, expected_topic)?;
    match message.kind {
        Kind::Notification => Ok((Some("Notification"), message, "accepted")),
        Kind::SubscriptionConfirmation => {
            let url = message.required("SubscribeURL")?;
            check_subscribe_url(url)?;
            fetch(transport, url, "the subscription confirmation")?;
            Ok((Some("Subscribe"), message, "subscription confirmed"))
        }
        Kind::UnsubscribeConfirmation => Ok((None, message, "unsubscribe acknowledged")),
    }
}

/// GET a checked SNS URL; anything but a 200 (a redirect included) fails.
fn fetch<T: Transport>(transport: &T, url: &str, what: &str) -> Result<Vec<u8>, Refusal> {
    let unavailable = |why: String| Refusal { status: 502, code: "SnsUnavailable", reason: format!("Could not fetch {what}: {why}.") };
    let req = http::Request::get(url).body(Vec::new()).map_err(|e| unavailable(e.to_string()))?;
    let resp = transport.send(req).map_err(|e| unavailable(e.message))?;
    if resp.status() != http::StatusCode::OK {
        return Err(unavailable(format!("SNS answered HTTP {}", resp.status().as_u16())));
    }
    Ok(resp.into_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(fields: &[(&str, &str)]) -> Message {
        let map: Map<String, Value> = fields.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect();
        parse(&Value::Object(map).to_string()).unwrap()
    }

    #[test]
    fn bodies_that_are_not_sns_messages_are_refused_first() {
        assert_eq!(parse("").unwrap_err().code, "EmptyBody");
        assert_eq!(parse("  \n").unwrap_err().code, "EmptyBody");
        assert_eq!(parse("not json").unwrap_err().code, "MalformedMessage");
        assert_eq!(parse("[1]").unwrap_err().code, "MalformedMessage");
        assert_eq!(parse(r#"{"Message": "x"}"#).unwrap_err().code, "MalformedMessage");
        assert_eq!(parse(r#"{"Type": "Surprise"}"#).unwrap_err().code, "UnknownType");
        assert_eq!(parse(r#"{"Type": "UnsubscribeConfirmation"}"#).unwrap().kind, Kind::UnsubscribeConfirmation);
    }

    #[test]
    fn strings_to_sign_follow_the_type() {
        let n = message(&[
            ("Type", "Notification"),
            ("Message", "m"),
            ("MessageId", "i"),
            ("Timestamp", "t"),
            ("TopicArn", "a"),
            ("Signature", "s"),
        ]);
        assert_eq!(string_to_sign(&n).unwrap(), "Message\nm\nMessageId\ni\nTimestamp\nt\nTopicArn\na\nType\nNotification\n");
        let with_subject = message(&[
            ("Type", "Notification"),
            ("Message", "m"),
            ("MessageId", "i"),
            ("Subject", "s"),
            ("Timestamp", "t"),
            ("TopicArn", "a"),
        ]);
        assert!(string_to_sign(&with_subject).unwrap().contains("MessageId\ni\nSubject\ns\nTimestamp"));
        let c = message(&[
            ("Type", "SubscriptionConfirmation"),
            ("Message", "m"),
            ("MessageId", "i"),
            ("SubscribeURL", "u"),
            ("Timestamp", "t"),
            ("Token", "k"),
            ("TopicArn", "a"),
        ]);
        assert_eq!(
            string_to_sign(&c).unwrap(),
            "Message\nm\nMessageId\ni\nSubscribeURL\nu\nTimestamp\nt\nToken\nk\nTopicArn\na\nType\nSubscriptionConfirmation\n"
        );
        let missing = message(&[("Type", "SubscriptionConfirmation"), ("Message", "m")]);
        assert_eq!(string_to_sign(&missing).unwrap_err().code, "MalformedMessage");
    }

    #[test]
    fn only_sns_certificate_and_subscription_urls_pass() {
        for good in [
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
            "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
            "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
        ] {
            check_cert_url(good).unwrap_or_else(|e| panic!("{good}: {e:?}"));
        }
        for bad in [
            "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
            "https://sns.us-east-1.amazonaws.com.attacker.com/SimpleNotificationService-a.pem",
            "https://sns.us-east-1.amazonaws.com@attacker.com/SimpleNotificationService-a.pem",
            "https://attacker.com@sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
            "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-a.pem",
            "https://s3.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
            "https://SNS.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
            "https://sns.us-east-1.amazonaws.com/other.pem",
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem?x=1",
            "https://sns.us-east-1.amazonaws.com/x/../SimpleNotificationService-a.pem",
            "https://evil-sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem",
            "file:///etc/passwd",
            "",
        ] {
            assert_eq!(check_cert_url(bad).unwrap_err().code, "UntrustedUrl", "{bad}");
        }
        check_subscribe_url("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:1:t&Token=x")
            .unwrap();
        for bad in [
            "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
            "https://127.0.0.1/?Action=ConfirmSubscription",
            "https://sns.us-east-1.amazonaws.com.evil/?Action=ConfirmSubscription",
            "https://sns.us-east-1.amazonaws.com/admin?Action=ConfirmSubscription",
        ] {
            assert_eq!(check_subscribe_url(bad).unwrap_err().code, "UntrustedUrl", "{bad}");
        }
    }

    #[test]
    fn stale_future_and_foreign_messages_are_refused() {
        let m = message(&[
            ("Type", "Notification"),
            ("Timestamp", "2026-01-01T00:00:00.000Z"),
            ("TopicArn", "arn:aws:sns:us-east-1:123456789012:t"),
        ]);
        let at = 1_767_225_600; // 2026-01-01T00:00:00Z
        check_age(&m, at + 3600, 3600).unwrap();
        assert_eq!(check_age(&m, at + 3601, 3600).unwrap_err().code, "StaleMessage");
        assert_eq!(check_age(&m, at - 301, 3600).unwrap_err().code, "StaleMessage");
        check_topic(&m, Some("arn:aws:sns:us-east-1:123456789012:t")).unwrap();
        check_topic(&m, None).unwrap();
        assert_eq!(check_topic(&m, Some("arn:aws:sns:us-east-1:123456789012:other")).unwrap_err().code, "WrongTopic");
    }

    #[test]
    fn signatures_verify_with_the_right_key_and_algorithm_only() {
        use rsa::signature::{SignatureEncoding, Signer};
        let mut rng = rand::thread_rng();
        let private = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
        let public = private.to_public_key();
        let mut fields = vec![("Type", "Notification"), ("Message", "m"), ("MessageId", "i"), ("Timestamp", "t"), ("TopicArn", "a")];
        let unsigned = message(&fields);
        let text = string_to_sign(&unsigned).unwrap();
        let v1 = aws_smithy_types::base64::encode(
            rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(private.clone()).sign(text.as_bytes()).to_bytes(),
        );
        let v2 = aws_smithy_types::base64::encode(rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private).sign(text.as_bytes()).to_bytes());
        for (version, signature) in [("1", &v1), ("2", &v2)] {
            let mut f = fields.clone();
            f.extend([("SignatureVersion", version), ("Signature", signature.as_str())]);
            verify_with_key(&message(&f), &public).unwrap_or_else(|e| panic!("v{version}: {e:?}"));
        }
        // The other algorithm's signature, a changed message, another key, a third version.
        fields.extend([("SignatureVersion", "1"), ("Signature", v2.as_str())]);
        assert_eq!(verify_with_key(&message(&fields), &public).unwrap_err().code, "BadSignature");
        let mut changed = fields.clone();
        changed[1] = ("Message", "M");
        changed[6] = ("Signature", v1.as_str());
        assert_eq!(verify_with_key(&message(&changed), &public).unwrap_err().code, "BadSignature");
        let other = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap().to_public_key();
        let mut good = fields.clone();
        good[6] = ("Signature", v1.as_str());
        assert_eq!(verify_with_key(&message(&good), &other).unwrap_err().code, "BadSignature");
        good[5] = ("SignatureVersion", "3");
        assert_eq!(verify_with_key(&message(&good), &public).unwrap_err().code, "UnknownSignatureVersion");
        assert_eq!(verify(&message(&good), b"not a certificate").unwrap_err().code, "BadCertificate");
    }

    #[test]
    fn s3_records_are_parsed_with_decoded_keys() {
        let message = r#"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-2","eventTime":"2023-07-13T21:12:53.055Z","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"photos"},"object":{"key":"dir/a+b%2Bc%C3%A9.jpg","size":12551,"eTag":"c8a3","sequencer":"0064"}}}]}"#;
        let events = s3_events(message);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].key.as_deref(), Some("dir/a b+cé.jpg"));
        assert_eq!(
            (events[0].bucket.as_deref(), events[0].size, events[0].event_name.as_str()),
            (Some("photos"), Some(12551), "ObjectCreated:Put")
        );
        let test = s3_events(r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2024-01-01T00:00:00.000Z","Bucket":"photos"}"#);
        assert_eq!((test[0].event_name.as_str(), test[0].bucket.as_deref()), ("s3:TestEvent", Some("photos")));
        assert!(s3_events("not json").is_empty());
    }
}
