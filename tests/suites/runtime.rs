//! The host around the component: its imports, the egress policy, traps and deadlines.

use s3_e2e::{Fs, ToLoopback, bucket, bytes, host, host_with, ok};
use s3_host::CallError;
use s3_host::hooks::{Egress, RequestLog};
use serde_json::json;

/// `monotonic-clock` comes in for its `duration` type only (request timeouts);
/// `secrets` holds the connection's secret key and session token.
#[test]
fn the_component_imports_only_http_io_the_wall_clock_and_its_secrets() {
    let mut imports = host().imports();
    imports.sort();
    assert_eq!(
        imports,
        [
            "connector:aws-s3/secrets@0.1.0",
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

/// A listener on loopback that accepts connections and never says a word.
async fn silent_server() -> std::net::SocketAddr {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_stops_a_call_that_hangs() {
    let addr = silent_server().await;
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

/// A body that arrives slowly: `chunk` bytes every 50 ms, optionally
/// stalling for 8 s after the first 256 KiB.
struct Drip {
    left: usize,
    sent: usize,
    stall: bool,
    chunk: usize,
}

impl std::io::Read for Drip {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let pause = if self.stall && self.sent >= 256 << 10 { 8000 } else { 50 };
        std::thread::sleep(std::time::Duration::from_millis(pause));
        let n = self.chunk.min(self.left).min(buf.len());
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
    // Periods of 2 s: wide enough that a busy machine does not starve the
    // moving body (1.28 MiB a period) below the 64 KiB it must move.
    let host = host_with(|c| c.call_timeout = std::time::Duration::from_secs(2));
    let put = |stall: bool, chunk: usize| {
        let mut t = s3_host::Transfers::default();
        let reader = Box::new(Drip { left: 4 << 20, sent: 0, stall, chunk });
        t.inputs.insert("fileContents".into(), s3_host::ByteInput::Reader { reader, size: Some(4 << 20) });
        t
    };
    let started = std::time::Instant::now();
    let moving = host.call_with("putObject", &json!({ "bucket": b, "objectKey": "moving" }), Some(&conn), put(false, 64 << 10)).await;
    assert!(moving.is_ok(), "{moving:?}");
    assert!(started.elapsed() > std::time::Duration::from_secs(3), "the body (64 reads 50 ms apart) outlasted one period");
    // A stall, and a trickle (1 KiB every 50 ms, 40 KiB a period) that never stalls.
    for (name, stall, chunk) in [("stalled", true, 64 << 10), ("trickle", false, 1 << 10)] {
        match host.call_with("putObject", &json!({ "bucket": b, "objectKey": name }), Some(&conn), put(stall, chunk)).await {
            Err(CallError::Host(e)) => assert!(e.to_string().contains("moved less than"), "{name}: {e}"),
            other => panic!("{name}: expected the deadline, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_refuses_private_addresses_unless_allowed_even_behind_a_name() {
    let fs = Fs::start().await;
    let port = fs.server.endpoint().rsplit(':').next().unwrap().to_owned();
    // The library's default: an endpoint on loopback is refused, by address.
    let strict = s3_host::Host::new(s3_host::HostConfig::new(None)).unwrap();
    match strict.call("listBuckets", &json!({}), Some(&fs.conn())).await {
        Err(CallError::Failed(e)) => assert_eq!(e["code"], "AddressRefused", "{e}"),
        other => panic!("expected the address to be refused, got {other:?}"),
    }
    // A name that resolves to loopback (DNS rebinding) is refused the same way...
    let mut named = fs.conn();
    named["endpointUrl"] = json!(format!("http://rebind.test:{port}"));
    let rebinding = s3_host::Host::new({
        let mut c = s3_host::HostConfig::new(None);
        c.resolver = std::sync::Arc::new(ToLoopback);
        c
    })
    .unwrap();
    match rebinding.call("listBuckets", &json!({}), Some(&named)).await {
        Err(CallError::Failed(e)) => assert_eq!(e["code"], "AddressRefused", "{e}"),
        other => panic!("expected the resolved address to be refused, got {other:?}"),
    }
    // ...and reaches the server when the host allows private addresses.
    let allowed = host_with(|c| c.resolver = std::sync::Arc::new(ToLoopback));
    let out = allowed.call("listBuckets", &json!({}), Some(&named)).await.unwrap();
    assert_eq!(out["data"], json!([]));
}

/// AWS's default addressing: the bucket in the host name. A local server that
/// parses bucket subdomains, reached through a resolver that sends every name
/// to loopback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn virtual_hosted_addressing_works_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let server =
        s3_host::local_s3::LocalS3::start_with(dir.path(), addr, s3_e2e::ACCESS_KEY, s3_e2e::SECRET_KEY, Some("s3.test")).await.unwrap();
    let port = server.endpoint().rsplit(':').next().unwrap().to_owned();
    let log = RequestLog::default();
    let host = host_with(|c| {
        c.resolver = std::sync::Arc::new(ToLoopback);
        c.request_log = Some(log.clone());
    });
    let conn = json!({
        "accessKeyId": s3_e2e::ACCESS_KEY, "secretAccessKey": s3_e2e::SECRET_KEY,
        "endpointUrl": format!("http://s3.test:{port}"), "forcePathStyle": false,
    });
    let call = |key: &'static str, input: serde_json::Value| {
        let (host, conn) = (&host, &conn);
        async move { host.call(key, &input, Some(conn)).await.unwrap_or_else(|e| panic!("{key}: {e}")) }
    };
    call("createBucket", json!({ "bucket": "vhost-bucket" })).await;
    call("putObject", json!({ "bucket": "vhost-bucket", "objectKey": "dir/a b.txt", "fileContents": "hosted" })).await;
    assert_eq!(call("getObject", json!({ "bucket": "vhost-bucket", "objectKey": "dir/a b.txt" })).await["data"], "hosted");
    assert_eq!(call("listObjects", json!({ "bucket": "vhost-bucket" })).await["data"], json!(["dir/a b.txt"]));
    let urls: Vec<String> = log.lock().unwrap().iter().map(|r| r.uri.clone()).collect();
    assert!(urls.iter().all(|u| u.starts_with(&format!("http://vhost-bucket.s3.test:{port}/"))), "{urls:?}");
}

/// A server that accepts connections and never says a word: the TLS
/// handshake to it is bounded by the connect timeout, not the call deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_tls_server_times_out_at_connect() {
    let addr = silent_server().await;
    let host = host_with(|c| {
        c.max_connect = std::time::Duration::from_millis(300);
        c.call_timeout = std::time::Duration::from_secs(20);
    });
    let conn = json!({ "accessKeyId": "a", "secretAccessKey": "b", "endpointUrl": format!("https://{addr}") });
    // The call deadline would end it as a host error; the handshake timeout is the component's typed Timeout.
    match host.call("listBuckets", &json!({}), Some(&conn)).await {
        Err(CallError::Failed(e)) => assert_eq!((e["kind"].as_str(), e["code"].as_str()), (Some("transport"), Some("Timeout")), "{e}"),
        other => panic!("expected a connect timeout, got {other:?}"),
    }
}
