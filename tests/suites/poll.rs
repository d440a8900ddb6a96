//! The polling triggers through `s3-host poll`, a new process each time (the
//! state file is what survives), and through the library.

use s3_e2e::*;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

fn day(offset_days: i64) -> String {
    let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64 + offset_days * 86_400;
    let out = std::process::Command::new("date").args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%d"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

async fn poll(conn: &Value, state: &std::path::Path, input: Value) -> std::process::Output {
    run(s3_host()
        .args(["poll", "pollChangesFilesTrigger", "--state"])
        .arg(state)
        .args(["--input", &input.to_string()])
        .args(["--connection", &conn.to_string()]))
    .await
}

fn keys(out: &Value) -> Vec<String> {
    let mut k: Vec<String> = out["payload"]["body"]["data"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_files_over_many_keys_with_a_state_file() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("pollfiles");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    // 1,100 objects written yesterday, straight into s3s-fs's directory.
    let yesterday = SystemTime::now() - Duration::from_secs(86_400);
    for i in 0..1100 {
        let path = fs.root().join(&b).join(format!("old-{i:04}.txt"));
        std::fs::write(&path, b"x").unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(yesterday).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("files.state");

    // First poll, looking back two days: every object, over two pages.
    let first = poll(&conn, &state, json!({ "bucket": b, "lookBackDate": day(-2) })).await;
    let first = stdout_json(&first);
    assert_eq!(keys(&first).len(), 1100);
    assert_eq!(first["polledNoChanges"], false);
    assert!(first.get("state").is_none(), "the state goes to the file, not stdout");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert!(saved["lastPolledAt"].as_str().unwrap().ends_with(".000Z"), "{saved}");

    // A new key and an overwritten one, then a poll in a later second: exactly those.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    put_bytes(&conn, &b, "new.txt", b"n".to_vec()).await;
    put_bytes(&conn, &b, "old-0007.txt", b"changed".to_vec()).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = stdout_json(&poll(&conn, &state, json!({ "bucket": b, "lookBackDate": day(-2) })).await);
    assert_eq!(keys(&second), ["new.txt", "old-0007.txt"], "{second}");
    let third = stdout_json(&poll(&conn, &state, json!({ "bucket": b })).await);
    assert_eq!((keys(&third).len(), &third["polledNoChanges"]), (0, &json!(true)), "{third}");

    // A malformed state file is refused as such and left as it was.
    std::fs::write(&state, "{not json").unwrap();
    let bad = poll(&conn, &state, json!({ "bucket": b })).await;
    assert_eq!(bad.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&bad.stderr).unwrap();
    assert_eq!(e["error"]["code"], "InvalidState", "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("state"));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "{not json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_buckets_since_the_look_back_date_then_since_the_last_poll() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let first = bucket("pollbkt");
    ok("createBucket", json!({ "bucket": first }), &conn).await;
    let out = ok("pollNewBucketsTrigger", json!({ "lookBackDate": day(0) }), &conn).await;
    let names: Vec<&str> = out["payload"]["body"]["data"].as_array().unwrap().iter().map(|b| b["Name"].as_str().unwrap()).collect();
    assert_eq!(names, [first.as_str()], "{out}");
    assert!(out["payload"]["body"]["data"][0]["CreationDate"].as_str().unwrap().ends_with('Z'));
    let state = out["state"].clone();
    let again = ok("pollNewBucketsTrigger", json!({ "state": state }), &conn).await;
    assert_eq!((again["payload"]["body"]["data"].clone(), again["polledNoChanges"].clone()), (json!([]), json!(true)));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = bucket("pollbkt");
    ok("createBucket", json!({ "bucket": second }), &conn).await;
    let out = ok("pollNewBucketsTrigger", json!({ "state": again["state"] }), &conn).await;
    let names: Vec<&str> = out["payload"]["body"]["data"].as_array().unwrap().iter().map(|b| b["Name"].as_str().unwrap()).collect();
    assert_eq!(names, [second.as_str()], "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_trigger_inputs_are_refused_before_sending() {
    let conn = Fs::start().await.conn();
    refused_before_sending(
        &conn,
        &[
            ("pollChangesFilesTrigger", json!({ "bucket": "fine-bucket", "lookBackDate": day(2) }), "InvalidLookBackDate", "lookBackDate"),
            (
                "pollChangesFilesTrigger",
                json!({ "bucket": "fine-bucket", "lookBackDate": "2024-02-31" }),
                "InvalidLookBackDate",
                "lookBackDate",
            ),
            ("pollNewBucketsTrigger", json!({ "lookBackDate": "01/15/2024" }), "InvalidLookBackDate", "lookBackDate"),
            ("pollNewBucketsTrigger", json!({ "state": { "lastPolledAt": "yesterday" } }), "InvalidState", "state.lastPolledAt"),
            (
                "pollChangesFilesTrigger",
                json!({ "bucket": "fine-bucket", "state": { "lastPolledAt": 5 } }),
                "InvalidState",
                "state.lastPolledAt",
            ),
        ],
    )
    .await;
}
