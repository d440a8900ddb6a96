//! The multipart family by hand, as a flow would call it, with the seed's
//! output shapes; the typed errors S3 answers with; bad input refused early.

use s3_e2e::{Fs, bucket, bytes, err, get_bytes, host, host_with, moto, ok};
use s3_host::hooks::RequestLog;
use s3_host::{ByteInput, CallError, Host, Transfers};
use serde_json::{Value, json};

const MIB: usize = 1 << 20;

async fn upload_part(host: &Host, conn: &Value, input: Value, chunk: Vec<u8>) -> Result<Value, CallError> {
    let mut transfers = Transfers::default();
    let size = Some(chunk.len() as u64);
    transfers.inputs.insert("fileChunk".into(), ByteInput::Reader { reader: Box::new(std::io::Cursor::new(chunk)), size });
    host.call_with("uploadPart", &input, Some(conn), transfers).await
}

/// create, three parts, listParts (paged), complete, get: on one server.
async fn by_hand(conn: &Value, b: &str, checksum: Option<&str>) {
    let created = ok(
        "createMultipartUpload",
        json!({ "bucket": b, "objectKey": "by hand.bin", "contentType": "application/x-test", "tagging": [{ "key": "env", "value": "dev" }],
                "acl": "private", "metadata": { "origin": "suite" }, "checksumAlgorithm": checksum }),
        conn,
    )
    .await;
    let data = &created["data"];
    assert_eq!((data["Bucket"].as_str(), data["Key"].as_str()), (Some(b), Some("by hand.bin")), "{created}");
    let upload_id = data["UploadId"].as_str().expect("UploadId").to_owned();
    assert!(data["$metadata"]["httpStatusCode"] == 200, "{created}");

    let chunks = [bytes(5 * MIB, 1), bytes(5 * MIB, 2), bytes(1000, 3)];
    let mut parts = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let input =
            json!({ "bucket": b, "objectKey": "by hand.bin", "uploadId": upload_id, "partNumber": i + 1, "checksumAlgorithm": checksum });
        let out = upload_part(host(), conn, input, chunk.clone()).await.unwrap();
        let part = &out["data"]["part"];
        assert_eq!(part["PartNumber"], i + 1, "{out}");
        assert_eq!(part["ETag"], out["data"]["ETag"], "{out}");
        assert!(out["data"]["$metadata"]["httpStatusCode"] == 200);
        parts.push(part.clone());
    }

    let listed =
        ok("listParts", json!({ "bucket": b, "objectKey": "by hand.bin", "uploadId": upload_id, "maxParts": 2, "allPages": true }), conn)
            .await;
    // (s3s-fs lists parts in directory order; S3 sorts them.)
    let mut sizes: Vec<(u64, u64)> = listed["data"]["Parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["PartNumber"].as_u64().unwrap(), p["Size"].as_u64().unwrap()))
        .collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [(1, 5 << 20), (2, 5 << 20), (3, 1000)], "{listed}");

    // The parts as uploadPart returned them, out of order: sorted before sending.
    parts.reverse();
    let done =
        ok("completeMultipartUpload", json!({ "bucket": b, "objectKey": "by hand.bin", "uploadId": upload_id, "parts": parts }), conn)
            .await;
    assert!(done["data"]["ETag"].as_str().unwrap().ends_with("-3\""), "{done}");
    let (got, _) = get_bytes(conn, b, "by hand.bin").await;
    assert!(got == chunks.concat(), "the assembled object differs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_hand_on_moto_with_checksums() {
    let conn = moto();
    let b = bucket("byhand");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    by_hand(&conn, &b, Some("CRC32C")).await;
    let head = ok("headObject", json!({ "bucket": b, "objectKey": "by hand.bin" }), &conn).await;
    assert_eq!(head["data"]["ContentType"], "application/x-test", "{head}");
    assert_eq!(head["data"]["Metadata"]["origin"], "suite", "{head}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_hand_on_s3s_fs_which_checks_every_signature() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("byhand-fs");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    by_hand(&conn, &b, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_and_list_uploads_over_several_pages() {
    let conn = moto();
    let b = bucket("uploads");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let mut ids = Vec::new();
    for key in ["a", "b", "c"] {
        let out = ok("createMultipartUpload", json!({ "bucket": b, "objectKey": key }), &conn).await;
        ids.push(out["data"]["UploadId"].as_str().unwrap().to_owned());
    }
    // moto ignores max-uploads (and s3s-fs has no ListMultipartUploads), so
    // paging across pages is covered by the unit tests with recorded answers;
    // here: the page size is sent, and every upload comes back.
    let log = RequestLog::default();
    let logged = host_with(|c| c.request_log = Some(log.clone()));
    let all = logged.call("listMultipartUploads", &json!({ "bucket": b, "maxUploads": 1, "allPages": true }), Some(&conn)).await.unwrap();
    assert!(log.lock().unwrap()[0].uri.ends_with("?uploads&encoding-type=url&max-uploads=1"), "{:?}", log.lock().unwrap());
    let keys: Vec<&str> = all["data"]["Uploads"].as_array().unwrap().iter().map(|u| u["Key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["a", "b", "c"], "{all}");
    assert_eq!(all["data"]["IsTruncated"], false);

    let aborted = ok("abortMultipartUpload", json!({ "bucket": b, "objectKey": "b", "uploadId": ids[1] }), &conn).await;
    assert_eq!(aborted["data"]["$metadata"]["httpStatusCode"], 204);
    let left = ok("listMultipartUploads", json!({ "bucket": b, "allPages": true }), &conn).await;
    let keys: Vec<&str> = left["data"]["Uploads"].as_array().unwrap().iter().map(|u| u["Key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["a", "c"]);

    let gone = err("listParts", json!({ "bucket": b, "objectKey": "b", "uploadId": ids[1] }), &conn).await;
    assert_eq!(gone["code"], "NoSuchUpload", "{gone}");
    assert!(gone["message"].as_str().unwrap().contains("createMultipartUpload"), "says what to do: {gone}");
    let parts = json!([{ "ETag": "\"not-a-part\"", "PartNumber": 1 }]);
    let bad = err("completeMultipartUpload", json!({ "bucket": b, "objectKey": "a", "uploadId": ids[0], "parts": parts }), &conn).await;
    assert_eq!(bad["code"], "InvalidPart", "{bad}");
    assert!(bad["message"].as_str().unwrap().contains("uploadPart"), "says what to do: {bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3s_errors_are_typed_with_what_to_do() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("mperr");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let created = ok("createMultipartUpload", json!({ "bucket": b, "objectKey": "small" }), &conn).await;
    let id = created["data"]["UploadId"].as_str().unwrap().to_owned();
    let mut parts = Vec::new();
    for n in 1..=2 {
        let out = upload_part(host(), &conn, json!({ "bucket": b, "objectKey": "small", "uploadId": id, "partNumber": n }), vec![7; 1000])
            .await
            .unwrap();
        parts.push(out["data"]["part"].clone());
    }
    let e = err("completeMultipartUpload", json!({ "bucket": b, "objectKey": "small", "uploadId": id, "parts": parts }), &conn).await;
    assert_eq!(e["code"], "EntityTooSmall", "{e}");
    assert!(e["message"].as_str().unwrap().contains("5 MiB"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_multipart_input_is_refused_before_any_request() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let part = |n: Value, id: &str| json!({ "bucket": "bkt", "objectKey": "k", "uploadId": id, "partNumber": n });
    for (input, code) in [
        (part(json!(0), "u"), "InvalidPartNumber"),
        (part(json!(10_001), "u"), "InvalidPartNumber"),
        (part(json!(1), " "), "InvalidUploadId"),
    ] {
        match upload_part(&host, &conn, input.clone(), vec![1]).await {
            Err(CallError::Failed(e)) => {
                assert_eq!(e["code"], code, "{input}: {e}");
                assert_eq!(e["kind"], "invalid-input");
            }
            other => panic!("{input}: expected {code}, got {other:?}"),
        }
    }
    for (key, input, code) in [
        ("completeMultipartUpload", json!({ "bucket": "bkt", "objectKey": "k", "uploadId": "u", "parts": [] }), "InvalidPart"),
        (
            "completeMultipartUpload",
            json!({ "bucket": "bkt", "objectKey": "k", "uploadId": "", "parts": [{ "ETag": "e", "PartNumber": 1 }] }),
            "InvalidUploadId",
        ),
        ("abortMultipartUpload", json!({ "bucket": "bkt", "objectKey": "k", "uploadId": "" }), "InvalidUploadId"),
        ("listParts", json!({ "bucket": "bkt", "objectKey": "k", "uploadId": "" }), "InvalidUploadId"),
        (
            "putObject",
            json!({ "bucket": "bkt", "objectKey": "k", "fileContents": "x", "transfer": { "partSizeMib": 4 } }),
            "InvalidPartSize",
        ),
    ] {
        let e = match host.call(key, &input, Some(&conn)).await {
            Err(CallError::Failed(e)) => e,
            other => panic!("{key} {input}: expected {code}, got {other:?}"),
        };
        assert_eq!(e["code"], code, "{key} {input}: {e}");
    }
    assert!(log.lock().unwrap().is_empty(), "requests were sent: {:?}", log.lock().unwrap());
}
