//! Keys that connectors get wrong: reserved and non-ASCII characters, empty
//! path segments, trailing slashes, the 1,024-byte maximum. Each one is put,
//! headed, read, listed, copied to another bucket and deleted.

use s3_e2e::{Fs, bucket, err, moto, ok};
use serde_json::{Value, json};

/// One key per reserved character, plus the other hard shapes.
fn common_keys() -> Vec<String> {
    let mut keys: Vec<String> = " +=:()!'*~%@&$,;[]|?#".chars().map(|c| format!("dir/char {c} end")).collect();
    keys.extend(
        [
            "with space.txt",
            "caf\u{e9}/na\u{ef}ve.txt",
            "\u{65e5}\u{672c}/\u{6587}\u{66f8}.txt",
            "emoji \u{1f389}.bin",
            "100% sure?#&=+.txt",
        ]
        .map(String::from),
    );
    keys
}

/// Shapes a file-system-backed server cannot hold: empty segments, a trailing
/// slash with a body, and a key of exactly 1,024 bytes.
fn file_system_hostile_keys() -> Vec<String> {
    let mut long = "long/".to_owned();
    long.push_str(&"k".repeat(1024 - long.len()));
    assert_eq!(long.len(), 1024);
    vec!["a//b".into(), "folder/".into(), long]
}

/// `listed_faithfully`: false for s3s-fs, which answers `encoding-type=url`
/// with the keys unencoded, so `+` and `%` in its listings cannot be read back
/// the way S3 encodes them; those keys are listed on moto instead.
async fn exercise(conn: &Value, keys: &[String], listed_faithfully: bool) {
    let listable = |k: &&str| listed_faithfully || !k.contains(['+', '%']);
    let src = bucket("keys-src");
    let dst = bucket("keys-dst");
    ok("createBucket", json!({ "bucket": src }), conn).await;
    ok("createBucket", json!({ "bucket": dst }), conn).await;
    for (i, key) in keys.iter().enumerate() {
        let body = format!("body of key {i}");
        ok("putObject", json!({ "bucket": src, "objectKey": key, "fileContents": body }), conn).await;
        let head = ok("headObject", json!({ "bucket": src, "objectKey": key }), conn).await;
        assert_eq!(head["data"]["ContentLength"], body.len(), "head {key:?}");
        let got = ok("getObject", json!({ "bucket": src, "objectKey": key }), conn).await;
        assert_eq!(got["data"], body, "get {key:?}");
        ok("copyObject", json!({ "sourceBucket": src, "sourceKey": key, "destinationBucket": dst, "destinationKey": key }), conn).await;
        let copy = ok("getObject", json!({ "bucket": dst, "objectKey": key }), conn).await;
        assert_eq!(copy["data"], body, "copy of {key:?}");
    }
    let mut expected: Vec<&str> = keys.iter().map(String::as_str).filter(listable).collect();
    expected.sort_unstable();
    for b in [&src, &dst] {
        let listed = ok("listObjects", json!({ "bucket": b, "allPages": true }), conn).await;
        let mut listed: Vec<&str> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .filter(|k| listed_faithfully || expected.contains(k))
            .collect();
        if !listed_faithfully {
            // A mangled `a + b` reads as `a   b`, which is also a real key.
            listed.sort_unstable();
            listed.dedup();
        }
        assert_eq!(listed, expected, "listing of {b}");
    }
    for key in keys {
        if listable(&key.as_str()) {
            let one = ok("listObjects", json!({ "bucket": src, "prefix": key }), conn).await;
            assert!(one["data"].as_array().unwrap().iter().any(|k| k == key.as_str()), "prefix listing of {key:?}: {one}");
        }
        for b in [&src, &dst] {
            ok("deleteObject", json!({ "bucket": b, "objectKey": key }), conn).await;
            let e = err("headObject", json!({ "bucket": b, "objectKey": key }), conn).await;
            assert_eq!(e["httpStatus"], 404, "{key:?} still there: {e}");
        }
    }
    for b in [&src, &dst] {
        assert_eq!(ok("listObjects", json!({ "bucket": b }), conn).await, json!({ "data": [] }));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_and_unicode_keys_on_s3s_fs() {
    let fs = Fs::start().await;
    exercise(&fs.conn(), &common_keys(), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hard_key_shape_on_moto() {
    let mut keys = common_keys();
    keys.extend(file_system_hostile_keys());
    exercise(&moto(), &keys, true).await;
}
