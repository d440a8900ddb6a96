//! Upload streams: a flow opens one, writes to it step by step, closes it;
//! one left open is aborted when the execution ends.

use s3_e2e::{Fs, bucket, bytes, get_bytes, host, moto, ok};
use s3_host::{ByteInput, CallError, Transfers};
use serde_json::{Value, json};

fn chunk(data: &[u8]) -> Transfers {
    let mut t = Transfers::default();
    t.inputs.insert("fileContents".into(), ByteInput::Bytes(data.to_vec()));
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_mib_in_one_mib_writes() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("stream");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let data = bytes(64 << 20, 11);
    let mut ex = host().execution().await.unwrap();
    let opened = ex
        .call("createUploadStream", &json!({ "bucket": b, "objectKey": "streamed.bin" }), Some(&conn), Transfers::default())
        .await
        .unwrap();
    let id = opened["data"].as_str().expect("the stream's id").to_owned();
    assert_eq!(id.len(), 36, "a UUID, as the seed returns: {id}");
    for piece in data.chunks(1 << 20) {
        let out = ex.call("writeUploadStream", &json!({ "uploadId": id }), None, chunk(piece)).await.unwrap();
        assert_eq!(out, json!({ "data": null }));
    }
    let closed = ex.call("closeUploadStream", &json!({ "uploadId": id }), None, Transfers::default()).await.unwrap();
    assert_eq!(closed, json!({ "data": null }));
    // Closed: the id is gone.
    let again = ex.call("writeUploadStream", &json!({ "uploadId": id, "fileContents": "x" }), None, Transfers::default()).await;
    assert!(matches!(&again, Err(CallError::Failed(e)) if e["code"] == "UnknownUploadStream"), "{again:?}");
    ex.finish().await;
    let (got, _) = get_bytes(&conn, &b, "streamed.bin").await;
    assert_eq!(got.len(), data.len());
    assert!(got == data, "the streamed object differs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_stream_id_is_a_typed_error() {
    let mut ex = host().execution().await.unwrap();
    let id = "711B632B-C025-4E26-9E34-525822E3C0ED";
    for (key, input) in
        [("writeUploadStream", json!({ "uploadId": id, "fileContents": "x" })), ("closeUploadStream", json!({ "uploadId": id }))]
    {
        match ex.call(key, &input, None, Transfers::default()).await {
            Err(CallError::Failed(e)) => {
                assert_eq!((e["kind"].as_str(), e["code"].as_str()), (Some("invalid-input"), Some("UnknownUploadStream")), "{e}");
                assert!(e["message"].as_str().unwrap().contains("uploadId"), "names the input: {e}");
            }
            other => panic!("{key}: expected UnknownUploadStream, got {other:?}"),
        }
    }
    ex.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_that_ends_without_close_leaves_no_upload() {
    let conn = moto();
    let b = bucket("unclosed");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let mut ex = host().execution().await.unwrap();
    let input = json!({ "bucket": b, "objectKey": "never-closed", "transfer": { "partSizeMib": 5, "partsInFlight": 1 } });
    let opened = ex.call("createUploadStream", &input, Some(&conn), Transfers::default()).await.unwrap();
    let id = opened["data"].as_str().unwrap().to_owned();
    ex.call("writeUploadStream", &json!({ "uploadId": id }), None, chunk(&bytes(6 << 20, 4))).await.unwrap();
    let open = ok("listMultipartUploads", json!({ "bucket": b }), &conn).await;
    assert_eq!(open["data"]["Uploads"].as_array().unwrap().len(), 1, "a part was sent, so an upload exists: {open}");
    ex.finish().await;
    let after = ok("listMultipartUploads", json!({ "bucket": b }), &conn).await;
    assert_eq!(after["data"]["Uploads"], json!([]), "the unclosed stream's upload was left behind: {after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_command_runs_steps_with_references() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("flow");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("part.bin");
    let tail = bytes(6 << 20, 21);
    std::fs::write(&part, &tail).unwrap();
    let flow = json!({
        "connection": conn,
        "steps": [
            { "name": "open", "action": "createUploadStream", "input": { "bucket": b, "objectKey": "flowed.txt" } },
            { "action": "writeUploadStream", "input": { "uploadId": "{{open.data}}", "fileContents": "header\n" } },
            { "action": "writeUploadStream", "input": { "uploadId": "{{open.data}}" }, "files": { "fileContents": part.display().to_string() } },
            { "action": "closeUploadStream", "input": { "uploadId": "{{open.data}}" } },
            { "name": "list", "action": "listObjects", "input": { "bucket": b } },
            { "action": "headObject", "input": { "bucket": b, "objectKey": "{{list.data.0}}" } },
        ]
    });
    let file = dir.path().join("flow.json");
    std::fs::write(&file, flow.to_string()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().and_then(|d| d.parent()).unwrap().join("s3-host");
    let out = tokio::process::Command::new(bin).arg("flow").arg(&file).output().await.unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let steps: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(steps.as_array().unwrap().len(), 6, "{steps}");
    assert_eq!(steps[0]["step"], "open");
    assert_eq!(steps[5]["output"]["data"]["ContentLength"], 7 + tail.len(), "{steps}");
    let (got, _) = get_bytes(&conn, &b, "flowed.txt").await;
    assert!(got == [b"header\n".as_slice(), &tail].concat());

    // A failing step ends the flow with its error, exit 1.
    let bad = json!({ "connection": conn, "steps": [{ "action": "headObject", "input": { "bucket": b, "objectKey": "missing" } }, { "action": "listBuckets" }] });
    std::fs::write(&file, bad.to_string()).unwrap();
    let bin = exe.parent().and_then(|d| d.parent()).unwrap().join("s3-host");
    let out = tokio::process::Command::new(bin).arg("flow").arg(&file).output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    let steps: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(steps.as_array().unwrap().len(), 1, "{steps}");
    assert_eq!(steps[0]["error"]["code"], "NotFound", "{steps}");
}
