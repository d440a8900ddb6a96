//! The host around the component: its imports, the egress policy, traps and deadlines.

use s3_e2e::{Fs, bucket, bytes, host, host_with, ok};
use s3_host::CallError;
use s3_host::hooks::{Egress, RequestLog};
use serde_json::json;

/// `monotonic-clock` comes in for its `duration` type only (request timeouts).
#[test]
fn the_component_imports_only_http_io_and_the_wall_clock() {
    let mut imports = host().imports();
    imports.sort();
    assert_eq!(
        imports,
        [
            "wasi:clocks/monotonic-clock@0.2.12",
            "wasi:clocks/wall-clock@0.2.12",
            "wasi:http/outgoing-handler@0.2.12",
            "wasi:http/types@0.2.12",
            "wasi:io/error@0.2.12",
            "wasi:io/poll@0.2.12",
            "wasi:io/streams@0.2.12",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_egress_policy_refuses_other_destinations() {
    let fs = Fs::start().await;
    let log = RequestLog::default();
    let host = host_with(|c| {
        c.egress_override = Some(Egress::hosts(vec![("127.0.0.1".into(), 1)]));
        c.request_log = Some(log.clone());
    });
    match host.call("listBuckets", &json!({}), Some(&fs.conn())).await {
        Err(CallError::Failed(e)) => {
            assert_eq!((e["kind"].as_str(), e["code"].as_str()), (Some("transport"), Some("RequestDenied")), "{e}");
        }
        other => panic!("expected a refused request, got {other:?}"),
    }
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    assert!(!log[0].allowed);
    assert!(log[0].uri.starts_with(&fs.server.endpoint()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trap_ends_the_execution_not_the_host() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("trap");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    // 8 MiB of linear memory cannot hold two 5 MiB parts in flight: the guest traps.
    let small = host_with(|c| c.memory_limit = 8 << 20);
    let input = json!({ "bucket": b, "objectKey": "big", "transfer": { "partSizeMib": 5, "multipartThresholdMib": 5 } });
    let result = s3_e2e::put_with(&small, &conn, input, bytes(20 << 20, 7)).await;
    match result {
        Err(CallError::Host(e)) => {
            let text = format!("{e:#}");
            assert!(text.contains("trapped") && text.contains("memory cap of 8 MiB"), "{text}");
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    // The same host runs the next call in a fresh execution.
    let put = small.call("putObject", &json!({ "bucket": b, "objectKey": "small", "fileContents": "ok" }), Some(&conn)).await.unwrap();
    assert_eq!(put["data"]["$metadata"]["httpStatusCode"], 200);
    let listed = ok("listObjects", json!({ "bucket": b }), &conn).await;
    assert_eq!(listed, json!({ "data": ["small"] }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_stops_a_call_that_hangs() {
    // A listener that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let host = host_with(|c| c.call_timeout = std::time::Duration::from_millis(500));
    let conn = json!({ "accessKeyId": "a", "secretAccessKey": "b", "endpointUrl": format!("http://{addr}") });
    let result = host.call("listBuckets", &json!({}), Some(&conn)).await;
    match result {
        Err(CallError::Host(e)) => assert!(e.to_string().contains("did not finish"), "{e}"),
        other => panic!("expected the deadline, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compiled_component_is_cached_and_a_bad_cache_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let cached = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "cwasm")).collect()
    };
    let first = host_with(|c| c.cache_dir = Some(dir.path().to_owned()));
    let files = cached();
    assert_eq!(files.len(), 1, "{files:?}");
    let size = std::fs::metadata(&files[0]).unwrap().len();
    assert!(size > 100_000, "a compiled component is not {size} bytes");
    drop(first);

    // A second load reads the same artifact; a corrupt one is recompiled and replaced.
    let second = host_with(|c| c.cache_dir = Some(dir.path().to_owned()));
    assert_eq!(cached(), files);
    drop(second);
    std::fs::write(&files[0], b"not a compiled component").unwrap();
    let third = host_with(|c| c.cache_dir = Some(dir.path().to_owned()));
    assert_eq!(std::fs::metadata(&files[0]).unwrap().len(), size);
    let regions = third.call("selectRegion", &json!({}), None).await.unwrap();
    assert_eq!(regions["result"].as_array().unwrap().len(), 36);
}

/// A body that arrives slowly: 64 KiB every 50 ms, optionally stalling for
/// 3 s after the first 256 KiB.
struct Drip {
    left: usize,
    sent: usize,
    stall: bool,
}

impl std::io::Read for Drip {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let pause = if self.stall && self.sent >= 256 << 10 { 3000 } else { 50 };
        std::thread::sleep(std::time::Duration::from_millis(pause));
        let n = (64 << 10).min(self.left).min(buf.len());
        buf[..n].fill(7);
        self.left -= n;
        self.sent += n;
        Ok(n)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_stops_stalled_transfers_not_moving_ones() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("deadline");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let host = host_with(|c| c.call_timeout = std::time::Duration::from_millis(500));
    let put = |stall: bool| {
        let mut t = s3_host::Transfers::default();
        let reader = Box::new(Drip { left: 1 << 20, sent: 0, stall });
        t.inputs.insert("fileContents".into(), s3_host::ByteInput::Reader { reader, size: Some(1 << 20) });
        t
    };
    let started = std::time::Instant::now();
    let moving = host.call_with("putObject", &json!({ "bucket": b, "objectKey": "moving" }), Some(&conn), put(false)).await;
    assert!(moving.is_ok(), "{moving:?}");
    assert!(started.elapsed() > std::time::Duration::from_millis(700), "the body took longer than one deadline period");
    match host.call_with("putObject", &json!({ "bucket": b, "objectKey": "stalled" }), Some(&conn), put(true)).await {
        Err(CallError::Host(e)) => assert!(e.to_string().contains("moved no bytes"), "{e}"),
        other => panic!("expected the deadline, got {other:?}"),
    }
}
