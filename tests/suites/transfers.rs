//! Bodies at scale: streamed in and out of the component, multipart above the
//! threshold, checksums that catch corruption, and no upload left behind.

use s3_e2e::{Fs, bucket, bytes, get_bytes, get_with, host_with, moto, ok, put_bytes, put_with};
use s3_host::CallError;
use s3_host::hooks::{Fault, FaultAction, Faults, RequestLog};
use serde_json::{Value, json};

const MIB: usize = 1 << 20;

async fn round_trip(conn: &Value, b: &str, sizes: &[usize]) {
    for (i, &len) in sizes.iter().enumerate() {
        let data = bytes(len, u32::try_from(i).unwrap() + 100);
        let key = format!("sized/{len}");
        let put = put_bytes(conn, b, &key, data.clone()).await;
        assert_eq!(put["data"]["Size"], len, "{put}");
        let multipart = len > 16 * MIB;
        let etag = put["data"]["ETag"].as_str().unwrap();
        assert_eq!(etag.contains('-'), multipart, "{len} bytes: ETag {etag}");
        let (got, out) = get_bytes(conn, b, &key).await;
        assert_eq!(got.len(), len, "length of {key}");
        assert!(got == data, "{key} came back different");
        assert_eq!(out["data"]["length"], len);
        assert_eq!(out["object"]["ETag"], put["data"]["ETag"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_size_streams_byte_exact_on_s3s_fs() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("sizes");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    round_trip(&conn, &b, &[0, 1, 5 * MIB - 1, 5 * MIB, 16 * MIB + 1, 200 * MIB]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_multipart_path_works_on_moto_too() {
    let conn = moto();
    let b = bucket("mp-moto");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    round_trip(&conn, &b, &[16 * MIB + 1, 40 * MIB]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn part_size_and_parallelism_are_honoured() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("tuned");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let input = json!({ "bucket": b, "objectKey": "tuned", "transfer": { "multipartThresholdMib": 5, "partSizeMib": 5, "partsInFlight": 3, "checksumAlgorithm": "CRC32" } });
    let data = bytes(17 * MIB, 5);
    let put = put_with(&host, &conn, input, data.clone()).await.unwrap();
    assert!(put["data"]["ETag"].as_str().unwrap().ends_with("-4\""), "17 MiB in 5 MiB parts is 4 parts: {put}");
    let parts = log.lock().unwrap().iter().filter(|r| r.method == "PUT" && r.uri.contains("partNumber=")).count();
    assert_eq!(parts, 4);
    assert!(get_bytes(&conn, &b, "tuned").await.0 == data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_mid_upload_aborts_it_and_leaves_nothing_behind() {
    let conn = moto();
    let b = bucket("fault");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let faults = Faults::new(vec![Fault { matching: "partNumber=3&".into(), nth: 1, action: FaultAction::Break }]);
    let log = RequestLog::default();
    let host = host_with(|c| {
        c.faults = faults;
        c.request_log = Some(log.clone());
    });
    let input =
        json!({ "bucket": b, "objectKey": "doomed", "transfer": { "multipartThresholdMib": 5, "partSizeMib": 5, "partsInFlight": 2 } });
    let e = match put_with(&host, &conn, input, bytes(30 * MIB, 9)).await {
        Err(CallError::Failed(e)) => e,
        other => panic!("expected a failed upload, got {other:?}"),
    };
    assert_eq!(e["kind"], "transport", "{e}");
    assert!(e["message"].as_str().unwrap().contains("multipart upload was aborted"), "{e}");
    let sent = log.lock().unwrap().clone();
    assert!(sent.iter().any(|r| r.method == "DELETE" && r.uri.contains("uploadId=")), "no abort was sent");
    assert!(!sent.iter().any(|r| r.uri.contains("partNumber=5&")), "parts after the failed window were sent");
    let uploads = ok("listMultipartUploads", json!({ "bucket": b }), &conn).await;
    assert_eq!(uploads["data"]["Uploads"], json!([]), "an upload was left behind: {uploads}");
    let head = s3_e2e::err("headObject", json!({ "bucket": b, "objectKey": "doomed" }), &conn).await;
    assert_eq!(head["code"], "NotFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_bytes_are_caught_on_the_way_up_and_down() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("corrupt");
    ok("createBucket", json!({ "bucket": b }), &conn).await;

    // Up: one byte flipped after the checksum was computed; S3 refuses to store it.
    let faults = Faults::new(vec![Fault { matching: "PUT ".into(), nth: 1, action: FaultAction::CorruptRequest }]);
    let host = host_with(|c| c.faults = faults);
    let e = match put_with(&host, &conn, json!({ "bucket": b, "objectKey": "up" }), bytes(MIB, 1)).await {
        Err(CallError::Failed(e)) => e,
        other => panic!("expected the server to refuse the corrupted body, got {other:?}"),
    };
    assert_eq!(e["code"], "BadDigest", "{e}");
    assert_eq!(e["httpStatus"], 400, "{e}");
    // (s3s-fs keeps the file it refused; S3 stores nothing. Either way the caller is told.)

    // Down: the stored checksum no longer matches what arrives.
    let data = bytes(3 * MIB, 2);
    put_bytes(&conn, &b, "down", data.clone()).await;
    let faults = Faults::new(vec![Fault { matching: "GET ".into(), nth: 1, action: FaultAction::CorruptResponse }]);
    let host = host_with(|c| c.faults = faults);
    match get_with(&host, &conn, &b, "down").await {
        Err(CallError::Failed(e)) => assert_eq!(e["code"], "ChecksumMismatch", "{e}"),
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
    assert!(get_bytes(&conn, &b, "down").await.0 == data);
}
