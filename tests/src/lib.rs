//! The one fixture of the end-to-end suites: the real component in the real
//! host, and real local S3 servers.
//!
//! - [`Fs`]: an embedded s3s-fs endpoint that verifies every SigV4 signature
//!   (one per test, in its own directory).
//! - [`moto`]: one moto server per test run (`MOTO_SERVER` names its binary;
//!   `./x test` installs it), for the key shapes a file system cannot hold.
//!   It dies with the test process.

pub mod sns;

use s3_host::local_s3::LocalS3;
use s3_host::{ByteInput, ByteOutput, CallError, Host, HostConfig, Transfers};
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The access key the embedded server accepts.
pub const ACCESS_KEY: &str = "test-access-key";
/// The secret it accepts. Tests check that it never shows up in errors.
pub const SECRET_KEY: &str = "test-secret-Zq8vR2xK4mP7wN1c";

/// A host with the default configuration, shared by the tests of a run.
pub fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| Host::new(local(HostConfig::new(None))).expect("load the component (run ./x build first)"))
}

/// A host with its own configuration.
pub fn host_with(configure: impl FnOnce(&mut HostConfig)) -> Host {
    let mut config = local(HostConfig::new(None));
    configure(&mut config);
    Host::new(config).expect("load the component")
}

/// The test servers listen on loopback, which the library refuses by default.
fn local(mut config: HostConfig) -> HostConfig {
    config.allow_private_addresses = true;
    config
}

/// A bucket name no other test uses.
pub fn bucket(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// An embedded s3s-fs endpoint in a temporary directory.
#[derive(Debug)]
pub struct Fs {
    /// The server.
    pub server: LocalS3,
    _dir: tempfile::TempDir,
}

impl Fs {
    /// Start one on a free port.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let server = LocalS3::start(dir.path(), SocketAddr::from(([127, 0, 0, 1], 0)), ACCESS_KEY, SECRET_KEY).await.expect("start s3s-fs");
        Self { server, _dir: dir }
    }

    /// A connection it accepts.
    pub fn conn(&self) -> Value {
        self.server.connection()
    }

    /// The directory s3s-fs keeps its buckets in (a bucket is a directory,
    /// an object a file): for filling a bucket faster than through S3.
    pub fn root(&self) -> &std::path::Path {
        self._dir.path()
    }
}

/// The shared moto server: its connection (any key pair works: moto checks none).
pub fn moto() -> Value {
    static MOTO: OnceLock<(Child, u16)> = OnceLock::new();
    let (_, port) = MOTO.get_or_init(|| start_moto(None));
    json!({
        "accessKeyId": "moto-access-key",
        "secretAccessKey": "moto-secret-key",
        "region": "us-east-1",
        "endpointUrl": format!("http://127.0.0.1:{port}"),
    })
}

/// A moto server of its own in auth mode, where signatures are checked
/// against IAM users: a connection of the user `alice` it was given (the
/// only two unauthenticated actions create her and her key).
pub fn moto_with_auth() -> Value {
    static MOTO: OnceLock<(Child, u16, String, String)> = OnceLock::new();
    let (_, port, key, secret) = MOTO.get_or_init(|| {
        let (child, port) = start_moto(Some("2"));
        let iam = |body: &str| {
            // Unsigned (the no-auth allowance), but scoped to IAM so that moto routes it there.
            let scope = "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00";
            let headers = [("authorization", scope), ("content-type", "application/x-www-form-urlencoded")];
            let (status, _, answer) = plain_http("POST", &format!("http://127.0.0.1:{port}/"), &headers, body.as_bytes());
            let answer = String::from_utf8(answer).expect("XML");
            assert_eq!(status, 200, "{answer}");
            answer
        };
        iam("Action=CreateUser&UserName=alice&Version=2010-05-08");
        let created = iam("Action=CreateAccessKey&UserName=alice&Version=2010-05-08");
        let field = |name: &str| {
            let start = created.find(&format!("<{name}>")).expect(name) + name.len() + 2;
            created[start..start + created[start..].find('<').expect(name)].to_owned()
        };
        (child, port, field("AccessKeyId"), field("SecretAccessKey"))
    });
    json!({ "accessKeyId": key, "secretAccessKey": secret, "region": "us-east-1", "endpointUrl": format!("http://127.0.0.1:{port}") })
}

/// Start moto from a thread that lives as long as the process: the parent-death
/// signal fires when the *thread* that spawned the child exits. With
/// `no_auth_actions`, auth mode is on after that many actions.
fn start_moto(no_auth_actions: Option<&'static str>) -> (Child, u16) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tx.send(spawn_moto(no_auth_actions)).expect("hand over moto");
        loop {
            std::thread::park();
        }
    });
    rx.recv().expect("moto started")
}

fn spawn_moto(no_auth_actions: Option<&str>) -> (Child, u16) {
    let bin = std::env::var("MOTO_SERVER")
        .expect("MOTO_SERVER is not set: run the suites with ./x test, which installs moto and points MOTO_SERVER at moto_server");
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let mut cmd = Command::new(&bin);
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null());
    if let Some(n) = no_auth_actions {
        cmd.env("INITIAL_NO_AUTH_ACTION_COUNT", n);
    }
    die_with_parent(&mut cmd);
    let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start on port {port} within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, port)
}

/// Make the child die when the test process does (Linux), so no server outlives a run.
#[allow(unsafe_code, reason = "prctl in the child between fork and exec")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl(PR_SET_PDEATHSIG) is async-signal-safe and touches no memory of ours.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

/// Call and expect success.
pub async fn ok(key: &str, input: Value, conn: &Value) -> Value {
    match host().call(key, &input, Some(conn)).await {
        Ok(v) => v,
        Err(e) => panic!("{key} {input} failed: {e}"),
    }
}

/// Call and expect the component's typed error (as JSON).
pub async fn err(key: &str, input: Value, conn: &Value) -> Value {
    match host().call(key, &input, Some(conn)).await {
        Ok(v) => panic!("{key} {input} succeeded: {v}"),
        Err(CallError::Failed(e)) => e,
        Err(e) => panic!("{key} {input} failed in the host: {e}"),
    }
}

/// Put `data` as an object, streamed from memory as a file would be.
pub async fn put_bytes(conn: &Value, bucket: &str, key: &str, data: Vec<u8>) -> Value {
    put_with(host(), conn, json!({ "bucket": bucket, "objectKey": key }), data).await.unwrap_or_else(|e| panic!("putObject {key}: {e}"))
}

/// Put `data` with extra inputs, through `host`.
pub async fn put_with(host: &Host, conn: &Value, input: Value, data: Vec<u8>) -> Result<Value, CallError> {
    let size = data.len() as u64;
    let mut transfers = Transfers::default();
    transfers.inputs.insert("fileContents".into(), ByteInput::Reader { reader: Box::new(std::io::Cursor::new(data)), size: Some(size) });
    host.call_with("putObject", &input, Some(conn), transfers).await
}

/// Get an object's bytes, streamed into memory as into a file, and the call's output.
pub async fn get_bytes(conn: &Value, bucket: &str, key: &str) -> (Vec<u8>, Value) {
    get_with(host(), conn, bucket, key).await.unwrap_or_else(|e| panic!("getObject {key}: {e}"))
}

/// Like [`get_bytes`], through `host`, keeping the error.
pub async fn get_with(host: &Host, conn: &Value, bucket: &str, key: &str) -> Result<(Vec<u8>, Value), CallError> {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let transfers = Transfers {
        output: Some(ByteOutput { writer: Box::new(file.reopen().expect("reopen")), label: "test".into() }),
        ..Default::default()
    };
    let out = host.call_with("getObject", &json!({ "bucket": bucket, "objectKey": key }), Some(conn), transfers).await?;
    Ok((std::fs::read(file.path()).expect("read back"), out))
}

/// Deterministic, non-UTF-8 test bytes.
pub fn bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

/// An answer of [`plain_http`]: status, headers (lower-case names), body.
pub type PlainAnswer = (u16, Vec<(String, String)>, Vec<u8>);

/// Send one HTTP/1.1 request the way any plain client would (no SDK, no
/// signing): for using presigned URLs. Loopback `http://` URLs only.
pub fn plain_http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> PlainAnswer {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    assert!(authority.starts_with("127.0.0.1:"), "tests send only to loopback, not {authority}");
    let mut stream = std::net::TcpStream::connect(authority).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut head = format!("{method} {target} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status line");
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16).expect("a chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
    out
}

/// Call each `(action, input, code, input name)` and check that it is refused
/// as invalid input with that code, naming that input, and that not one
/// request left the component (the host's request log stays empty).
pub async fn refused_before_sending(conn: &Value, cases: &[(&str, Value, &str, &str)]) {
    let log = s3_host::hooks::RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    for (key, input, code, name) in cases {
        match host.call(key, input, Some(conn)).await {
            Err(CallError::Failed(e)) => {
                assert_eq!(e["kind"], "invalid-input", "{key} {input}: {e}");
                assert_eq!(e["code"], *code, "{key} {input}: {e}");
                assert!(e["message"].as_str().unwrap().contains(name), "{key} {input}: the message names {name}: {e}");
            }
            other => panic!("{key} {input}: expected an invalid-input error, got {other:?}"),
        }
    }
    assert!(log.lock().unwrap().is_empty(), "requests were sent: {:?}", log.lock().unwrap());
}

/// Resolves every name to loopback, with no network.
#[derive(Debug)]
pub struct ToLoopback;

impl s3_host::sender::Resolver for ToLoopback {
    fn resolve(
        &self,
        _host: String,
        port: u16,
    ) -> std::pin::Pin<Box<dyn Future<Output = std::io::Result<Vec<std::net::SocketAddr>>> + Send>> {
        Box::pin(async move { Ok(vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))]) })
    }
}

/// The `s3-host` binary of this build, with no AWS settings from the environment.
pub fn s3_host() -> std::process::Command {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|d| d.parent()).unwrap();
    let bin: std::path::PathBuf = dir.join("s3-host");
    assert!(bin.exists(), "{} is missing: build the host first (./x test does)", bin.display());
    let mut cmd = std::process::Command::new(bin);
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_PROFILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent").env("AWS_CONFIG_FILE", "/nonexistent");
    cmd
}

/// Run a command to its end.
pub async fn run(cmd: &mut std::process::Command) -> std::process::Output {
    let mut cmd = tokio::process::Command::from(std::mem::replace(cmd, std::process::Command::new("true")));
    cmd.output().await.unwrap()
}

/// A successful command's stdout as JSON.
pub fn stdout_json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}
