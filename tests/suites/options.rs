//! The richer object options on moto: stored headers and metadata, the seed's
//! content-type defaults, ranges, conditional reads and copies, versions,
//! start-after and fetch-owner.

use s3_e2e::*;
use s3_host::hooks::RequestLog;
use serde_json::{Value, json};

async fn head(conn: &Value, b: &str, key: &str) -> Value {
    ok("headObject", json!({ "bucket": b, "objectKey": key }), conn).await["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_types_default_like_the_seed_and_headers_are_stored() {
    let conn = moto();
    let b = bucket("options");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    for (key, contents, expected) in [
        ("text.txt", json!("hello"), "text/plain"),
        ("doc.json", json!({ "a": [1, 2] }), "application/json"),
        ("bytes.bin", json!({ "base64": "AAEC" }), "application/octet-stream"),
        ("buffer.bin", json!({ "type": "Buffer", "data": [104, 105] }), "application/octet-stream"),
    ] {
        ok("putObject", json!({ "bucket": b, "objectKey": key, "fileContents": contents }), &conn).await;
        assert_eq!(head(&conn, &b, key).await["ContentType"], expected, "{key}");
    }
    assert_eq!(get_bytes(&conn, &b, "doc.json").await.0, br#"{"a":[1,2]}"#);
    ok("putObject", json!({ "bucket": b, "objectKey": "typed", "fileContents": "x", "contentType": "text/csv" }), &conn).await;
    assert_eq!(head(&conn, &b, "typed").await["ContentType"], "text/csv");

    let input = json!({
        "bucket": b, "objectKey": "full.txt", "fileContents": "content",
        "metadata": { "Owner": "ana", "stage": "raw" },
        "cacheControl": "max-age=60", "contentDisposition": "attachment; filename=\"full.txt\"",
        "contentEncoding": "identity", "contentLanguage": "en",
        "storageClass": "STANDARD_IA", "serverSideEncryption": "AES256",
    });
    let put = ok("putObject", input, &conn).await;
    assert_eq!(put["data"]["ServerSideEncryption"], "AES256", "{put}");
    let h = head(&conn, &b, "full.txt").await;
    assert_eq!(h["Metadata"], json!({ "owner": "ana", "stage": "raw" }), "{h}");
    assert_eq!(h["CacheControl"], "max-age=60");
    assert_eq!(h["ContentDisposition"], "attachment; filename=\"full.txt\"");
    assert_eq!(h["ContentEncoding"], "identity");
    assert_eq!(h["ContentLanguage"], "en");
    assert_eq!(h["StorageClass"], "STANDARD_IA");
    assert_eq!(h["ServerSideEncryption"], "AES256");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranges_and_conditions_give_typed_outcomes() {
    let conn = moto();
    let b = bucket("conditions");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let etag = put_bytes(&conn, &b, "k", b"0123456789".to_vec()).await["data"]["ETag"].as_str().unwrap().to_owned();

    let part = ok("getObject", json!({ "bucket": b, "objectKey": "k", "range": "bytes=2-5" }), &conn).await;
    assert_eq!(part["data"], "2345", "{part}");
    assert_eq!(part["object"]["ContentLength"], 4);
    let tail = ok("getObject", json!({ "bucket": b, "objectKey": "k", "range": "bytes=-3" }), &conn).await;
    assert_eq!(tail["data"], "789");

    let matched = ok("getObject", json!({ "bucket": b, "objectKey": "k", "ifMatch": etag }), &conn).await;
    assert_eq!(matched["data"], "0123456789");
    for key in ["getObject", "headObject"] {
        let e = err(key, json!({ "bucket": b, "objectKey": "k", "ifMatch": "\"0000\"" }), &conn).await;
        assert_eq!((e["code"].as_str(), e["httpStatus"].as_u64()), (Some("PreconditionFailed"), Some(412)), "{key}: {e}");
        let e = err(key, json!({ "bucket": b, "objectKey": "k", "ifNoneMatch": etag }), &conn).await;
        assert_eq!((e["code"].as_str(), e["httpStatus"].as_u64()), (Some("NotModified"), Some(304)), "{key}: {e}");
        assert_eq!(e["kind"], "service");
    }

    // Copies: the metadata is kept by default, replaced on request; conditions hold.
    ok("putObject", json!({ "bucket": b, "objectKey": "src", "fileContents": "s", "metadata": { "a": "1" } }), &conn).await;
    ok("copyObject", json!({ "sourceBucket": b, "sourceKey": "src", "destinationBucket": b, "destinationKey": "kept" }), &conn).await;
    let kept = head(&conn, &b, "kept").await;
    assert_eq!((kept["Metadata"].clone(), kept["ContentType"].clone()), (json!({ "a": "1" }), json!("text/plain")));
    let replace = json!({ "sourceBucket": b, "sourceKey": "src", "destinationBucket": b, "destinationKey": "replaced",
        "metadataDirective": "REPLACE", "metadata": { "b": "2" }, "contentType": "text/csv" });
    ok("copyObject", replace, &conn).await;
    let replaced = head(&conn, &b, "replaced").await;
    assert_eq!((replaced["Metadata"].clone(), replaced["ContentType"].clone()), (json!({ "b": "2" }), json!("text/csv")));
}

/// moto ignores `x-amz-copy-source-if-match`; s3s-fs checks both conditions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_copies_copy_only_when_the_source_matches() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("condcopy");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let etag = put_bytes(&conn, &b, "src", b"s".to_vec()).await["data"]["ETag"].as_str().unwrap().to_owned();
    let copy = |name: &str, value: &str, to: &str| json!({ "sourceBucket": b, "sourceKey": "src", "destinationBucket": b, "destinationKey": to, name: value });
    for (condition, value) in [("copySourceIfMatch", "\"0000\""), ("copySourceIfNoneMatch", etag.as_str())] {
        let e = err("copyObject", copy(condition, value, "never"), &conn).await;
        assert_eq!(e["code"], "PreconditionFailed", "{condition}: {e}");
    }
    assert_eq!(err("headObject", json!({ "bucket": b, "objectKey": "never" }), &conn).await["code"], "NotFound");
    ok("copyObject", copy("copySourceIfMatch", &etag, "copied"), &conn).await;
    assert_eq!(get_bytes(&conn, &b, "copied").await.0, b"s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_are_copied_and_deleted_by_id() {
    let conn = moto();
    // A bucket with Object Lock is versioned.
    let b = bucket("versions");
    ok("createBucket", json!({ "bucket": b, "objectLockEnabled": true }), &conn).await;
    let v1 = ok("putObject", json!({ "bucket": b, "objectKey": "doc", "fileContents": "first" }), &conn).await["data"]["VersionId"].clone();
    let v2 =
        ok("putObject", json!({ "bucket": b, "objectKey": "doc", "fileContents": "second" }), &conn).await["data"]["VersionId"].clone();
    assert_ne!(v1, v2);
    let old = ok("getObject", json!({ "bucket": b, "objectKey": "doc", "versionId": v1 }), &conn).await;
    assert_eq!(old["data"], "first");
    let copy =
        json!({ "sourceBucket": b, "sourceKey": "doc", "sourceVersionId": v1, "destinationBucket": b, "destinationKey": "restored" });
    let copied = ok("copyObject", copy, &conn).await;
    assert_eq!(copied["data"]["CopySourceVersionId"], v1, "{copied}");
    assert_eq!(ok("getObject", json!({ "bucket": b, "objectKey": "restored" }), &conn).await["data"], "first");
    let deleted = ok("deleteObject", json!({ "bucket": b, "objectKey": "doc", "versionId": v2 }), &conn).await;
    assert_eq!(deleted["data"]["VersionId"], v2, "{deleted}");
    assert_eq!(ok("getObject", json!({ "bucket": b, "objectKey": "doc" }), &conn).await["data"], "first", "v1 is current again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_start_after_a_key_and_fetch_owners() {
    let conn = moto();
    let b = bucket("startafter");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    for k in ["a", "b", "c"] {
        put_bytes(&conn, &b, k, b"x".to_vec()).await;
    }
    let after = ok("listObjects", json!({ "bucket": b, "startAfter": "a" }), &conn).await;
    assert_eq!(after["data"], json!(["b", "c"]));
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let page = host.call("listObjects", &json!({ "bucket": b, "includeMetadata": true, "fetchOwner": true }), Some(&conn)).await.unwrap();
    assert!(log.lock().unwrap()[0].uri.contains("fetch-owner=true"), "{:?}", log.lock().unwrap());
    assert!(page["data"]["Contents"][0]["Owner"]["ID"].is_string(), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_object_options_are_refused_before_sending() {
    let conn = moto();
    let put = |extra: Value| {
        let mut input = json!({ "bucket": "fine-bucket", "objectKey": "k", "fileContents": "x" });
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        input
    };
    refused_before_sending(
        &conn,
        &[
            ("putObject", put(json!({ "storageClass": "COLD" })), "InvalidStorageClass", "storageClass"),
            ("putObject", put(json!({ "serverSideEncryption": "rot13" })), "InvalidEncryption", "serverSideEncryption"),
            ("putObject", put(json!({ "kmsKeyId": "alias/x" })), "InvalidEncryption", "kmsKeyId"),
            ("putObject", put(json!({ "metadata": { "a b": "x" } })), "InvalidMetadata", "metadata"),
            ("putObject", put(json!({ "cacheControl": "é" })), "InvalidHeaderValue", "cacheControl"),
            ("getObject", json!({ "bucket": "fine-bucket", "objectKey": "k", "range": "0-5" }), "InvalidRange", "range"),
            ("headObject", json!({ "bucket": "fine-bucket", "objectKey": "k", "range": "bytes=9-1" }), "InvalidRange", "range"),
            (
                "copyObject",
                json!({ "sourceBucket": "fine-bucket", "sourceKey": "a", "destinationBucket": "fine-bucket", "destinationKey": "b", "metadata": { "a": "1" } }),
                "InvalidMetadataDirective",
                "metadataDirective",
            ),
            (
                "copyObject",
                json!({ "sourceBucket": "fine-bucket", "sourceKey": "a", "destinationBucket": "fine-bucket", "destinationKey": "b", "metadataDirective": "MOVE" }),
                "InvalidInput",
                "metadataDirective",
            ),
        ],
    )
    .await;
}
