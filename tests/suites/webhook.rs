//! The SNS webhook with messages of the tests' own, signed with a key and a
//! certificate the tests made; the host trusts them only through its
//! configuration (`sns_redirect` to a local stand-in for SNS).

use s3_e2e::sns::{self, CERT_URL, StandIn, TOPIC, confirmation, notification, sign};
use s3_e2e::*;
use s3_host::Host;
use s3_host::hooks::{RequestLog, SnsRedirect};
use serde_json::{Value, json};

fn trusting(stand_in: &StandIn, log: &RequestLog) -> Host {
    host_with(|c| {
        c.sns_redirect = Some(SnsRedirect { base: stand_in.base.clone(), headers: Vec::new() });
        c.request_log = Some(log.clone());
    })
}

/// Where `serve` writes payloads, and what it wrote.
fn payload_sink() -> (s3_host::serve::Sink, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    (std::sync::Arc::new(std::sync::Mutex::new(Box::new(Lines(lines.clone())))), lines)
}

async fn deliver(host: &Host, body: &str, extra: Value) -> Value {
    let mut input = json!({ "request": { "method": "POST", "headers": { "x-amz-sns-message-type": "Notification" }, "body": body } });
    input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    match host.call("snsS3NotificationWebhook", &input, None).await {
        Ok(v) => v,
        Err(e) => panic!("the webhook failed: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_notifications_and_confirmations_are_accepted() {
    let stand_in = StandIn::start();
    let log = RequestLog::default();
    let host = trusting(&stand_in, &log);
    for version in [1, 2] {
        let mut fields = notification("photos", "dir/a+b%2Bc%C3%A9.jpg");
        fields.insert("Subject".into(), json!("Amazon S3 Notification"));
        let out = deliver(&host, &sign(fields.clone(), version), json!({ "expectedTopicArn": TOPIC })).await;
        assert_eq!(out["response"]["statusCode"], 200, "v{version}: {out}");
        assert_eq!(out["branch"], "Notification");
        let data = &out["payload"]["body"]["data"];
        assert_eq!((data["Type"].as_str(), data["TopicArn"].as_str()), (Some("Notification"), Some(TOPIC)));
        assert_eq!(data["Message"], fields["Message"], "the Message stays a JSON string, as in the seed");
        assert_eq!(out["payload"]["headers"]["x-amz-sns-message-type"], "Notification");
        let record = &out["payload"]["records"][0];
        assert_eq!((record["bucket"].as_str(), record["key"].as_str()), (Some("photos"), Some("dir/a b+cé.jpg")), "{out}");
        assert_eq!(record["eventName"], "ObjectCreated:Put");
    }
    // The certificate was fetched once for both messages (cached per URL).
    let pem_fetches = stand_in.requests().iter().filter(|r| r.contains(".pem")).count();
    assert_eq!(pem_fetches, 1, "{:?}", stand_in.requests());

    let subscribe_url = format!("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=2336412f");
    let out = deliver(&host, &sign(confirmation(&subscribe_url), 1), json!({})).await;
    assert_eq!((out["response"]["statusCode"].as_u64(), out["branch"].as_str()), (Some(200), Some("Subscribe")), "{out}");
    assert!(stand_in.requests().iter().any(|r| r.starts_with("GET /?Action=ConfirmSubscription&")), "{:?}", stand_in.requests());

    let mut bye = confirmation(&subscribe_url);
    bye.insert("Type".into(), json!("UnsubscribeConfirmation"));
    let out = deliver(&host, &sign(bye, 2), json!({})).await;
    assert_eq!((out["response"]["statusCode"].as_u64(), out["branch"].as_str()), (Some(200), None), "{out}");
    // Every request the component sent went to SNS (redirected by the host).
    assert!(log.lock().unwrap().iter().all(|r| r.uri.starts_with("https://sns.us-east-1.amazonaws.com/") && r.allowed));

    let test_event = json!({ "Service": "Amazon S3", "Event": "s3:TestEvent", "Time": sns::timestamp(0), "Bucket": "photos" });
    let mut fields = notification("photos", "x");
    fields.insert("Message".into(), json!(test_event.to_string()));
    let out = deliver(&host, &sign(fields, 2), json!({})).await;
    assert_eq!(out["payload"]["records"][0]["eventName"], "s3:TestEvent", "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_foreign_and_malformed_messages_are_refused() {
    let stand_in = StandIn::start();
    let log = RequestLog::default();
    let host = trusting(&stand_in, &log);
    let good = || notification("photos", "k");
    let with = |name: &str, value: &str| {
        let mut f = good();
        f.insert(name.into(), json!(value));
        f
    };
    let tampered = {
        let signed: Value = serde_json::from_str(&sign(good(), 2)).unwrap();
        let mut forged = signed.clone();
        forged["Message"] = json!("{\"Records\":[]}");
        forged.to_string()
    };
    let other_signature = {
        let mut v: Value = serde_json::from_str(&sign(good(), 1)).unwrap();
        v["SignatureVersion"] = json!("2");
        v.to_string()
    };
    let ssrf = sign(confirmation("https://127.0.0.1/?Action=ConfirmSubscription&Token=x"), 2);
    let ssrf_lookalike = sign(confirmation("https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription"), 2);
    // (body, extra inputs, expected status, expected code, whether the certificate may be fetched)
    let cases: Vec<(String, Value, u64, &str, bool)> = vec![
        (tampered, json!({}), 403, "BadSignature", true),
        (other_signature, json!({}), 403, "BadSignature", true),
        (
            sign(with("SigningCertURL", "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-tests.pem"), 2),
            json!({}),
            403,
            "UntrustedUrl",
            false,
        ),
        (
            sign(with("SigningCertURL", "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-tests.pem"), 2),
            json!({}),
            403,
            "UntrustedUrl",
            false,
        ),
        (
            sign(with("SigningCertURL", "https://evil.example@sns.us-east-1.amazonaws.com/SimpleNotificationService-tests.pem"), 2),
            json!({}),
            403,
            "UntrustedUrl",
            false,
        ),
        (
            sign(with("SigningCertURL", "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-tests.pem"), 2),
            json!({}),
            403,
            "UntrustedUrl",
            false,
        ),
        (sign(with("SigningCertURL", "https://sns.us-east-1.amazonaws.com/certs/evil.pem"), 2), json!({}), 403, "UntrustedUrl", false),
        (
            sign(with("SigningCertURL", "https://s3.us-east-1.amazonaws.com/SimpleNotificationService-tests.pem"), 2),
            json!({}),
            403,
            "UntrustedUrl",
            false,
        ),
        (sign(good(), 2), json!({ "expectedTopicArn": "arn:aws:sns:us-east-1:123456789012:other" }), 403, "WrongTopic", true),
        (sign(with("Timestamp", &sns::timestamp(-7200)), 2), json!({}), 403, "StaleMessage", true),
        (sign(with("Timestamp", &sns::timestamp(-120)), 2), json!({ "maxAgeSeconds": 60 }), 403, "StaleMessage", true),
        (sign(with("Type", "Advertisement"), 2), json!({}), 400, "UnknownType", false),
        (json!({ "Message": "no type" }).to_string(), json!({}), 400, "MalformedMessage", false),
        (String::new(), json!({}), 400, "EmptyBody", false),
        ("this is not json".to_owned(), json!({}), 400, "MalformedMessage", false),
        (ssrf, json!({}), 403, "UntrustedUrl", true),
        (ssrf_lookalike, json!({}), 403, "UntrustedUrl", true),
        (
            sign(with("SignatureVersion", "3"), 2).replace("\"SignatureVersion\":\"2\"", "\"SignatureVersion\":\"3\""),
            json!({}),
            400,
            "UnknownSignatureVersion",
            true,
        ),
    ];
    assert!(cases.len() >= 15);
    for (body, extra, status, code, may_fetch) in cases {
        log.lock().unwrap().clear();
        let out = deliver(&host, &body, extra).await;
        assert_eq!(out["response"]["statusCode"], status, "{code}: {out}");
        assert!(out["response"]["body"].as_str().unwrap().starts_with(code), "{code}: {out}");
        assert!(out["branch"].is_null() && out["payload"].is_null(), "{code}: no payload: {out}");
        let sent: Vec<String> = log.lock().unwrap().iter().map(|r| r.uri.clone()).collect();
        assert!(sent.iter().all(|u| u == CERT_URL), "{code}: only the certificate may be fetched: {sent:?}");
        if !may_fetch {
            assert!(sent.is_empty(), "{code}: nothing may be fetched: {sent:?}");
        }
    }
    // No confirmation was ever fetched for the refused subscriptions.
    assert!(!stand_in.requests().iter().any(|r| r.contains("ConfirmSubscription")), "{:?}", stand_in.requests());
    // A GET is not an SNS delivery.
    let got =
        host.call("snsS3NotificationWebhook", &json!({ "request": { "method": "GET", "headers": {}, "body": "" } }), None).await.unwrap();
    assert_eq!(got["response"]["statusCode"], 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_trust_configured_the_certificate_goes_to_real_sns_only() {
    // The library's defaults: no redirect, so the certificate URL is fetched
    // from SNS itself; the resolver sends it to loopback, where nothing answers
    // on 443, so nothing leaves the machine and the message is not accepted.
    let log = RequestLog::default();
    let host = host_with(|c| {
        c.request_log = Some(log.clone());
        c.resolver = std::sync::Arc::new(ToLoopback);
        c.max_connect = std::time::Duration::from_secs(2);
    });
    let input = json!({ "request": { "method": "POST", "headers": {}, "body": sign(notification("photos", "k"), 2) } });
    let out = host.call("snsS3NotificationWebhook", &input, None).await.unwrap();
    assert_eq!(out["response"]["statusCode"], 502, "{out}");
    assert!(out["payload"].is_null());
    let sent: Vec<(String, bool)> = log.lock().unwrap().iter().map(|r| (r.uri.clone(), r.allowed)).collect();
    assert_eq!(sent, [(CERT_URL.to_owned(), true)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_over_http_and_writes_payload_lines() {
    let stand_in = StandIn::start();
    let host = std::sync::Arc::new(host_with(|c| c.sns_redirect = Some(SnsRedirect { base: stand_in.base.clone(), headers: Vec::new() })));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (sink, lines) = payload_sink();
    let options = s3_host::serve::ServeOptions { max_body: 64 << 10, ..Default::default() };
    let server = tokio::spawn(s3_host::serve::run(host, listener, options, sink));

    let post = |body: String| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || plain_http("POST", &url, &[("content-type", "text/plain; charset=UTF-8")], body.as_bytes()))
    };
    let accepted = post(sign(notification("photos", "a+b.txt"), 2)).await.unwrap();
    assert_eq!(accepted.0, 200, "{}", String::from_utf8_lossy(&accepted.2));
    let forged = post(sign(notification("photos", "x"), 2).replace("photos", "hacked")).await.unwrap();
    assert_eq!(forged.0, 403);
    let huge = post("x".repeat(100 << 10)).await.unwrap();
    assert_eq!(huge.0, 413);
    let empty = post(String::new()).await.unwrap();
    assert_eq!(empty.0, 400);
    // Concurrent deliveries, each in its own execution.
    let many: Vec<_> = (0..6).map(|i| post(sign(notification("photos", &format!("k{i}")), 1))).collect();
    for m in many {
        assert_eq!(m.await.unwrap().0, 200);
    }
    let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
    let payloads: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(payloads.len(), 7, "one line per accepted message: {text}");
    assert_eq!(payloads[0]["branch"], "Notification");
    assert_eq!(payloads[0]["payload"]["records"][0]["key"], "a b.txt");
    assert!(!server.is_finished(), "the server survives refusals");
    server.abort();

    // A component that cannot run (its memory cap is far too small) fails
    // each request with a 5xx, and the server goes on serving.
    let starved = std::sync::Arc::new(host_with(|c| c.memory_limit = 1 << 20));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let sink: s3_host::serve::Sink = std::sync::Arc::new(std::sync::Mutex::new(Box::new(std::io::sink())));
    let server = tokio::spawn(s3_host::serve::run(starved, listener, s3_host::serve::ServeOptions::default(), sink));
    for _ in 0..2 {
        let (u, body) = (url.clone(), sign(notification("photos", &"k".repeat(100_000)), 2));
        let got = tokio::task::spawn_blocking(move || plain_http("POST", &u, &[], body.as_bytes())).await.unwrap();
        assert_eq!(got.0, 500, "{}", String::from_utf8_lossy(&got.2));
    }
    assert!(!server.is_finished(), "the server survives failing executions");
    server.abort();
}

/// The seed's example integration on moto, through the host: topic, policy,
/// subscription of the running `serve` endpoint, the bucket's event
/// notification; then a put, moto's signed delivery, the payload, and a
/// getObject of the key it names. moto's certificate is trusted through host
/// configuration only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_example_integration_runs_on_moto() {
    let conn = moto();
    let moto_base = conn["endpointUrl"].as_str().unwrap().to_owned();
    let b = bucket("integration");
    ok("createBucket", json!({ "bucket": b }), &conn).await;

    // Flow 1: create a topic, let the bucket publish to it.
    let topic =
        ok("createTopic", json!({ "name": b, "signatureVersion": 2 }), &conn).await["data"]["TopicArn"].as_str().unwrap().to_owned();
    ok("updateTopicPolicy", json!({ "bucket": b, "snsTopicArn": topic, "bucketOwnerAccountid": "123456789012" }), &conn).await;

    // Flow 2: the webhook, served.
    let log = RequestLog::default();
    let scope = "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00";
    let host = std::sync::Arc::new(host_with(|c| {
        c.sns_redirect = Some(SnsRedirect { base: moto_base.clone(), headers: vec![("authorization".into(), scope.into())] });
        c.request_log = Some(log.clone());
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/sns", listener.local_addr().unwrap());
    let (sink, lines) = payload_sink();
    let options = s3_host::serve::ServeOptions { expected_topic_arn: Some(topic.clone()), ..Default::default() };
    let server = tokio::spawn(s3_host::serve::run(host, listener, options, sink));

    // Flow 1 again: subscribe the webhook, configure the bucket's events.
    let sub = ok("subscribeToTopic", json!({ "snsTopicArn": topic, "endpoint": endpoint }), &conn).await;
    let subscription = sub["data"]["SubscriptionArn"].as_str().unwrap().to_owned();
    let trigger = json!({ "bucket": b, "snsTopicArn": topic, "eventsList": ["s3:ObjectCreated:*"], "eventNotificationName": "new-files", "bucketOwnerAccountid": "123456789012" });
    ok("bucketEventTriggerConfiguration", trigger, &conn).await;

    // Flow 3: a file arrives; moto delivers the signed notification at once.
    let key = "in/a b+c.txt";
    put_bytes(&conn, &b, key, b"hello".to_vec()).await;
    let mut payloads = Vec::new();
    for _ in 0..100 {
        let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        payloads = text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).collect();
        if payloads.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // As S3 does, moto first sends a test event when the configuration is set.
    assert_eq!(payloads.len(), 2, "the test event and the notification: {payloads:?}");
    assert_eq!(payloads[0]["payload"]["records"][0]["eventName"], "s3:TestEvent");
    let record = &payloads[1]["payload"]["records"][0];
    assert_eq!(payloads[1]["branch"], "Notification");
    assert_eq!(record["eventName"], "ObjectCreated:Put");
    assert_eq!((record["bucket"].as_str(), record["key"].as_str()), (Some(b.as_str()), Some(key)), "{payloads:?}");
    assert_eq!(payloads[1]["payload"]["body"]["data"]["TopicArn"], topic.as_str());
    let got = get_bytes(&conn, &b, record["key"].as_str().unwrap()).await;
    assert_eq!(got.0, b"hello");

    // A forged notification to the same server is refused: moto's real
    // message, certificate URL and signature, with another key in it.
    let mut forged = payloads[1]["payload"]["body"]["data"].clone();
    forged["Message"] = json!(forged["Message"].as_str().unwrap().replace("in%2Fa+b%2Bc.txt", "in%2Fforged.txt"));
    let forged = forged.to_string();
    let status = tokio::task::spawn_blocking(move || plain_http("POST", &endpoint, &[], forged.as_bytes())).await.unwrap().0;
    assert_eq!(status, 403, "the signature does not cover the changed message");
    assert_eq!(String::from_utf8(lines.lock().unwrap().clone()).unwrap().lines().count(), 2);
    // The webhook's only requests went to SNS's certificate URL (redirected to moto by the host).
    let sent: Vec<String> = log.lock().unwrap().iter().map(|r| r.uri.clone()).collect();
    assert!(
        !sent.is_empty() && sent.iter().all(|u| u.starts_with("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-")),
        "{sent:?}"
    );

    ok("unsubscribeFromTopic", json!({ "subscriptionArn": subscription }), &conn).await;
    ok("deleteTopic", json!({ "snsTopicArn": topic }), &conn).await;
    server.abort();
}
