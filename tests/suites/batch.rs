//! deleteObjects and getObjectAttributes: batch deletes in 1,000s with
//! per-key results, and chosen attributes without the body.

use s3_e2e::*;
use s3_host::hooks::RequestLog;
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_array().unwrap().iter().map(|d| d["Key"].as_str().unwrap()).collect();
    k.sort_unstable();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_objects_in_batches_reports_every_key() {
    let conn = moto();
    let b = bucket("delobjs");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    for k in ["a.txt", "dir/b c+d.txt", "keep.txt"] {
        put_bytes(&conn, &b, k, b"x".to_vec()).await;
    }
    // Two real keys among 1,000 missing ones (S3 reports a missing key as deleted).
    let mut wanted: Vec<String> = (0..1000).map(|i| format!("missing/{i:04}")).collect();
    wanted.extend(["a.txt".to_owned(), "dir/b c+d.txt".to_owned()]);
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let out = host.call("deleteObjects", &json!({ "bucket": b, "objectKeys": wanted }), Some(&conn)).await.unwrap();
    let posts: Vec<String> = log.lock().unwrap().iter().map(|r| format!("{} {}", r.method, r.uri)).collect();
    assert_eq!(posts.len(), 2, "two batches: {posts:?}");
    assert!(posts.iter().all(|p| p.starts_with("POST ") && p.ends_with("?delete")), "{posts:?}");
    let deleted = &out["data"]["Deleted"];
    assert_eq!(deleted.as_array().unwrap().len(), 1002, "{out}");
    assert!(keys(deleted).contains(&"dir/b c+d.txt"));
    assert_eq!(out["data"]["Errors"], json!([]));
    assert_eq!(out["data"]["$metadata"]["httpStatusCode"], 200);
    // The seed's shape: entries carry only what S3 said.
    assert_eq!(deleted.as_array().unwrap()[0].as_object().unwrap().keys().collect::<Vec<_>>(), ["Key"]);

    let left = ok("listObjects", json!({ "bucket": b }), &conn).await;
    assert_eq!(left["data"], json!(["keep.txt"]));

    // Quiet mode is sent (the unit tests pin the body) and accepted; moto
    // ignores it and still lists the deleted key, where S3 would list none.
    let quiet = ok("deleteObjects", json!({ "bucket": b, "objectKeys": ["keep.txt"], "quiet": true }), &conn).await;
    assert_eq!(quiet["data"]["Errors"], json!([]), "{quiet}");
    assert_eq!(ok("listObjects", json!({ "bucket": b }), &conn).await["data"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn object_attributes_are_read_without_the_body() {
    let conn = moto();
    let b = bucket("attrs");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let put = put_bytes(&conn, &b, "dir/ä b.bin", bytes(515_400, 9)).await;
    let out = ok(
        "getObjectAttributes",
        json!({ "bucket": b, "objectKey": "dir/ä b.bin", "objectAttributes": ["ETag", "ObjectSize", "StorageClass"] }),
        &conn,
    )
    .await;
    let data = &out["data"];
    assert_eq!(data["ObjectSize"], 515_400, "{out}");
    assert_eq!(data["StorageClass"], "STANDARD");
    assert_eq!(format!("\"{}\"", data["ETag"].as_str().unwrap()), put["data"]["ETag"].as_str().unwrap(), "the same ETag, unquoted");
    assert!(data["LastModified"].as_str().unwrap().ends_with('Z'), "{out}");
    assert_eq!(data["$metadata"]["httpStatusCode"], 200);

    let missing = err("getObjectAttributes", json!({ "bucket": b, "objectKey": "nope", "objectAttributes": ["ETag"] }), &conn).await;
    assert_eq!(missing["code"], "NoSuchKey", "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_batch_and_attribute_inputs_are_refused_before_sending() {
    let conn = moto();
    refused_before_sending(
        &conn,
        &[
            ("deleteObjects", json!({ "bucket": "fine-bucket", "objectKeys": [] }), "NoObjectsToDelete", "objectKeys"),
            ("deleteObjects", json!({ "bucket": "fine-bucket" }), "NoObjectsToDelete", "objectKeys"),
            ("deleteObjects", json!({ "bucket": "fine-bucket", "objectKeys": ["a", ""] }), "InvalidObjectKey", "objectKeys[1]"),
            ("deleteObjects", json!({ "bucket": "fine-bucket", "objectKeys": ["k".repeat(1025)] }), "KeyTooLong", "objectKeys[0]"),
            (
                "getObjectAttributes",
                json!({ "bucket": "fine-bucket", "objectKey": "k", "objectAttributes": [] }),
                "InvalidObjectAttributes",
                "objectAttributes",
            ),
            (
                "getObjectAttributes",
                json!({ "bucket": "fine-bucket", "objectKey": "k", "objectAttributes": ["Size"] }),
                "InvalidObjectAttributes",
                "objectAttributes",
            ),
            ("getObjectAttributes", json!({ "bucket": "fine-bucket", "objectKey": "k" }), "InvalidInput", "objectAttributes"),
        ],
    )
    .await;
}
