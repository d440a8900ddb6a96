//! Errors arrive typed, with AWS's code, status and message, never with the
//! secret; bad input is refused before any request is sent.

use s3_e2e::{Fs, SECRET_KEY, bucket, err, host_with, ok};
use s3_host::CallError;
use s3_host::hooks::RequestLog;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_errors_are_typed() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("errs");
    ok("createBucket", json!({ "bucket": b }), &conn).await;

    let e = err("getObject", json!({ "bucket": b, "objectKey": "missing.txt" }), &conn).await;
    assert_eq!((e["kind"].as_str(), e["code"].as_str(), e["httpStatus"].as_u64()), (Some("service"), Some("NoSuchKey"), Some(404)), "{e}");
    assert!(!e["message"].as_str().unwrap().is_empty());
    assert_eq!(e["retryable"], false);

    let e = err("headObject", json!({ "bucket": b, "objectKey": "missing.txt" }), &conn).await;
    assert_eq!((e["code"].as_str(), e["httpStatus"].as_u64()), (Some("NotFound"), Some(404)), "{e}");

    let e = err("listObjects", json!({ "bucket": "no-such-bucket-here" }), &conn).await;
    assert_eq!((e["code"].as_str(), e["httpStatus"].as_u64()), (Some("NoSuchBucket"), Some(404)), "{e}");

    let e = err("headBucket", json!({ "bucket": "no-such-bucket-here" }), &conn).await;
    assert_eq!(e["httpStatus"], 404, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_a_403_that_does_not_leak_it() {
    let fs = Fs::start().await;
    let mut conn = fs.conn();
    let wrong = format!("{SECRET_KEY}-but-wrong");
    conn["secretAccessKey"] = json!(wrong);
    let e = err("listBuckets", json!({}), &conn).await;
    assert_eq!(
        (e["kind"].as_str(), e["code"].as_str(), e["httpStatus"].as_u64()),
        (Some("service"), Some("SignatureDoesNotMatch"), Some(403)),
        "{e}"
    );
    let text = e.to_string();
    assert!(!text.contains(&wrong) && !text.contains(SECRET_KEY), "the secret leaked: {text}");
    assert!(text.contains("secret access key"), "no advice: {text}");

    conn["accessKeyId"] = json!("someone-else");
    // An empty body: s3s-fs answers a refused request before reading the body and
    // closes the socket, which can reset a connection that still has bytes in flight.
    let e = err("putObject", json!({ "bucket": "abc", "objectKey": "k", "fileContents": "" }), &conn).await;
    assert_eq!(e["httpStatus"], 403, "{e}");
    assert!(!e.to_string().contains(&wrong));
}

/// The connection's secrets reach the component as handles to host-held
/// strings; malformed ones are refused without being echoed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_lent_as_handles_and_never_echoed() {
    let fs = Fs::start().await;
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let conn = fs.conn();
    // The same connection serves call after call (each lends a fresh handle).
    let b = bucket("secrets");
    let mut execution = host.execution().await.unwrap();
    for (key, input) in
        [("createBucket", json!({ "bucket": b })), ("putObject", json!({ "bucket": b, "objectKey": "k", "fileContents": "x" }))]
    {
        execution.call(key, &input, Some(&conn), Default::default()).await.unwrap_or_else(|e| panic!("{key}: {e}"));
    }
    execution.finish().await;
    let sent = log.lock().unwrap().len();
    let hidden = "9f3b-not-for-your-eyes";
    let cases = [
        ("secretAccessKey", json!(1234567890), "must be a string", "1234567890"),
        ("secretAccessKey", json!({ "value": hidden }), "must be a string", hidden),
        ("secretAccessKey", json!(format!("{hidden}\r\nX-Injected: 1")), "visible ASCII", hidden),
        ("sessionToken", json!(format!("tok {hidden}")), "visible ASCII", hidden),
        ("sessionToken", json!([hidden]), "must be a string", hidden),
    ];
    for (field, value, says, secret) in cases {
        let mut bad = conn.clone();
        bad[field] = value;
        let e = match host.call("listBuckets", &json!({}), Some(&bad)).await {
            Err(CallError::Failed(e)) => e,
            other => panic!("{field}: {other:?}"),
        };
        let text = e.to_string();
        assert!(text.contains(says) && text.contains(field), "{field}: {text}");
        assert!(!text.contains(secret) && !text.contains(SECRET_KEY), "{field} leaked: {text}");
    }
    assert_eq!(log.lock().unwrap().len(), sent, "a malformed secret sent a request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_any_request() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let cases = [
        ("putObject", json!({ "bucket": "bad bucket", "objectKey": "k", "fileContents": "x" }), "InvalidBucketName"),
        ("createBucket", json!({ "bucket": "Legacy_Name" }), "InvalidBucketName"),
        ("putObject", json!({ "bucket": "ab", "objectKey": "k", "fileContents": "x" }), "InvalidBucketName"),
        ("createBucket", json!({ "bucket": "192.168.1.1" }), "InvalidBucketName"),
        ("getObject", json!({ "bucket": "fine-bucket", "objectKey": "" }), "InvalidObjectKey"),
        ("putObject", json!({ "bucket": "fine-bucket", "objectKey": "", "fileContents": "x" }), "InvalidObjectKey"),
        ("deleteObject", json!({ "bucket": "fine-bucket", "objectKey": "k".repeat(1025) }), "KeyTooLong"),
        (
            "copyObject",
            json!({ "sourceBucket": "fine-bucket", "sourceKey": "", "destinationBucket": "fine-bucket", "destinationKey": "b" }),
            "InvalidObjectKey",
        ),
        ("listObjects", json!({ "bucket": "fine-bucket", "pagination": { "maxKeys": 5000 } }), "InvalidMaxKeys"),
        ("listObjects", json!({ "bucket": "fine-bucket", "pagination": { "maxKeys": "abc" } }), "InvalidInput"),
        ("listObjects", json!({ "bucket": "fine-bucket", "bogus": 1 }), "InvalidInput"),
        ("getObject", json!({ "bucket": "fine-bucket" }), "InvalidInput"),
        ("putObject", json!({ "bucket": "fine-bucket", "objectKey": "k", "fileContents": "x", "acl": "world-writable" }), "InvalidInput"),
        (
            "putObject",
            json!({ "bucket": "fine-bucket", "objectKey": "k", "fileContents": "x", "content-Type": "text/plain" }),
            "InvalidInput",
        ),
        ("putObject", json!({ "bucket": "fine-bucket", "objectKey": "../other/planted.txt", "fileContents": "x" }), "UnsafeObjectKey"),
        ("getObject", json!({ "bucket": "fine-bucket", "objectKey": "a/./b" }), "UnsafeObjectKey"),
        (
            "putObject",
            json!({ "bucket": "fine-bucket", "objectKey": "k", "fileContents": "x", "contentType": "text/é" }),
            "InvalidHeaderValue",
        ),
        (
            "putObject",
            json!({ "bucket": "fine-bucket", "objectKey": "k", "fileContents": "x", "contentType": "x".repeat(1 << 20) }),
            "InvalidHeaderValue",
        ),
        (
            "putObject",
            json!({ "bucket": "fine-bucket", "objectKey": "k", "fileContents": "x", "tagging": (0..11).map(|i| json!({ "key": format!("k{i}"), "value": "v" })).collect::<Vec<_>>() }),
            "BadRequest",
        ),
    ];
    for (key, input, code) in cases {
        match host.call(key, &input, Some(&conn)).await {
            Err(CallError::Failed(e)) => {
                assert_eq!(e["kind"], "invalid-input", "{key} {input}: {e}");
                assert_eq!(e["code"], code, "{key} {input}: {e}");
                assert!(e["message"].as_str().unwrap().len() > 20, "{e}");
            }
            other => panic!("{key} {input}: expected an invalid-input error, got {other:?}"),
        }
    }
    match host.call("getObject", &json!({ "bucket": "fine-bucket", "objectkey": "k" }), Some(&conn)).await {
        Err(CallError::Failed(e)) => {
            let message = e["message"].as_str().unwrap();
            assert!(message.starts_with("Input objectkey: is not an input") && message.contains("objectKey"), "{message}");
        }
        other => panic!("expected the typo to be named, got {other:?}"),
    }
    let mut bad_conn = conn.clone();
    bad_conn["endpointUrl"] = json!("127.0.0.1:9000");
    match host.call("listBuckets", &json!({}), Some(&bad_conn)).await {
        Err(CallError::Failed(e)) => {
            assert_eq!((e["kind"].as_str(), e["code"].as_str()), (Some("invalid-connection"), Some("InvalidEndpointUrl")))
        }
        other => panic!("expected invalid-connection, got {other:?}"),
    }
    // The same refusal against moto: no server ever sees a dot segment.
    for key in ["../other/planted.txt", "a/../../b"] {
        match host
            .call("putObject", &json!({ "bucket": "fine-bucket", "objectKey": key, "fileContents": "x" }), Some(&s3_e2e::moto()))
            .await
        {
            Err(CallError::Failed(e)) => assert_eq!(e["code"], "UnsafeObjectKey", "{key}: {e}"),
            other => panic!("{key}: expected UnsafeObjectKey, got {other:?}"),
        }
    }
    assert!(log.lock().unwrap().is_empty(), "requests were sent: {:?}", log.lock().unwrap());
}

/// Legacy us-east-1 names (upper case, `_`, long) and access point aliases are
/// usable: they reach the server (path style when they are no DNS label),
/// and only createBucket applies today's naming rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_bucket_names_reach_the_server() {
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let conn = s3_e2e::moto();
    let long = format!("legacy_{}", "x".repeat(80));
    for name in ["Legacy_Bucket", long.as_str(), "my-ap-1234567890-s3alias"] {
        match host.call("headBucket", &json!({ "bucket": name }), Some(&conn)).await {
            Err(CallError::Failed(e)) => {
                assert_eq!((e["kind"].as_str(), e["httpStatus"].as_u64()), (Some("service"), Some(404)), "{name}: {e}")
            }
            other => panic!("{name}: expected the server's 404, got {other:?}"),
        }
        let sent = log.lock().unwrap().last().map(|r| r.uri.clone()).unwrap();
        assert!(sent.ends_with(&format!("/{name}")), "{name} went path style: {sent}");
    }
}
