//! SNS messages of the tests' own: a key and a self-signed certificate made
//! here, messages signed with them, and a local stand-in for SNS's
//! certificate and subscription endpoints (which the host is told to trust
//! through its configuration, `HostConfig::sns_redirect`).

use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Map, Value, json};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The tests' signing identity: an RSA key and its certificate (PEM).
#[derive(Debug)]
pub struct Identity {
    key: rsa::RsaPrivateKey,
    /// The self-signed certificate, PEM.
    pub certificate: String,
}

/// One identity per test run (key generation takes a moment).
pub fn identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| {
        use std::str::FromStr;
        use x509_cert::builder::{Builder, CertificateBuilder, Profile};
        use x509_cert::der::EncodePem;
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("an RSA key");
        let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).expect("its public key");
        let signer = SigningKey::<sha2::Sha256>::new(key.clone());
        let builder = CertificateBuilder::new(
            Profile::Root,
            x509_cert::serial_number::SerialNumber::from(1u32),
            x509_cert::time::Validity::from_now(Duration::from_secs(86_400)).expect("validity"),
            x509_cert::name::Name::from_str("CN=sns.tests.invalid").expect("a name"),
            spki,
            &signer,
        )
        .expect("a certificate builder");
        let cert = builder.build::<rsa::pkcs1v15::Signature>().expect("a certificate");
        Identity { key, certificate: cert.to_pem(x509_cert::der::pem::LineEnding::LF).expect("PEM") }
    })
}

/// The certificate URL of the tests' messages (redirected to [`StandIn`] by the host).
pub const CERT_URL: &str = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-tests.pem";

/// A topic of the tests' messages.
pub const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:uploads";

/// The string SNS signs for `fields` (the type's field list, in order).
fn string_to_sign(fields: &Map<String, Value>) -> String {
    let notification = fields.get("Type").and_then(Value::as_str) == Some("Notification");
    let names: &[&str] = if notification {
        &["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    } else {
        &["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    };
    names.iter().filter_map(|n| Some(format!("{n}\n{}\n", fields.get(*n)?.as_str()?))).collect()
}

/// Sign `fields` (SignatureVersion 1 or 2) and return the message body.
pub fn sign(mut fields: Map<String, Value>, version: u8) -> String {
    let text = string_to_sign(&fields);
    let key = identity().key.clone();
    let signature = match version {
        1 => SigningKey::<sha1::Sha1>::new(key).sign(text.as_bytes()).to_bytes(),
        _ => SigningKey::<sha2::Sha256>::new(key).sign(text.as_bytes()).to_bytes(),
    };
    fields.insert("SignatureVersion".into(), json!(version.to_string()));
    fields.insert("Signature".into(), json!(base64::engine::general_purpose::STANDARD.encode(signature)));
    fields.entry("SigningCertURL").or_insert(json!(CERT_URL));
    Value::Object(fields).to_string()
}

/// Now, as SNS writes timestamps.
pub fn timestamp(offset_secs: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 + offset_secs;
    let out = std::process::Command::new("date").args(["-u", "-d", &format!("@{now}"), "+%Y-%m-%dT%H:%M:%S.000Z"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// An S3 notification's fields, for `key` in `bucket` (the key encoded as S3 does).
pub fn notification(bucket: &str, encoded_key: &str) -> Map<String, Value> {
    let records = json!({ "Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": timestamp(0), "eventName": "ObjectCreated:Put",
        "s3": { "s3SchemaVersion": "1.0", "bucket": { "name": bucket, "arn": format!("arn:aws:s3:::{bucket}") },
                "object": { "key": encoded_key, "size": 5, "eTag": "abc", "sequencer": "0064" } },
    }] });
    let fields = json!({
        "Type": "Notification",
        "MessageId": "bf30dd82-9ea0-5810-8856-80a8f5b12345",
        "TopicArn": TOPIC,
        "Message": records.to_string(),
        "Timestamp": timestamp(0),
    });
    fields.as_object().unwrap().clone()
}

/// A subscription confirmation whose `SubscribeURL` is `subscribe_url`.
pub fn confirmation(subscribe_url: &str) -> Map<String, Value> {
    let fields = json!({
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic. To confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": subscribe_url,
        "Timestamp": timestamp(0),
    });
    fields.as_object().unwrap().clone()
}

/// A local stand-in for SNS's endpoints: serves the tests' certificate for
/// any `.pem` path and answers a ConfirmSubscription; records every request.
#[derive(Debug)]
pub struct StandIn {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `METHOD PATH?QUERY` of each request received.
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl StandIn {
    /// Start one on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let pem = identity().certificate.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
                let mut buf = vec![0u8; 16 << 10];
                let n = stream.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                let target = line.split(' ').take(2).collect::<Vec<_>>().join(" ");
                log.lock().unwrap().push(target.clone());
                let body = if target.contains(".pem") { pem.clone() } else { "<ConfirmSubscriptionResponse/>".to_owned() };
                let _ = write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
            }
        });
        Self { base, seen }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}
