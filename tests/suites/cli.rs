//! The `s3-host` command line, as users and scripts call it.

use s3_e2e::{ACCESS_KEY, Fs, SECRET_KEY, bucket, bytes};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Output};

/// The `s3-host` binary built next to this test binary.
fn s3_host() -> Command {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|d| d.parent()).unwrap();
    let bin: PathBuf = dir.join("s3-host");
    assert!(bin.exists(), "{} is missing: build the host first (./x test does)", bin.display());
    let mut cmd = Command::new(bin);
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent").env("AWS_CONFIG_FILE", "/nonexistent");
    cmd
}

async fn run(cmd: &mut Command) -> Output {
    let mut cmd = tokio::process::Command::from(std::mem::replace(cmd, Command::new("true")));
    cmd.output().await.unwrap()
}

fn stdout_json(out: &Output) -> Value {
    assert!(out.status.success(), "failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_lists_every_key_with_a_description() {
    let out = run(s3_host().arg("actions")).await;
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let keys = [
        "listBuckets", "headBucket", "getBucketLocation", "deleteBucket", "createBucket", "putObject", "getObject", "headObject",
        "deleteObject", "copyObject", "listObjects", "createMultipartUpload", "uploadPart", "completeMultipartUpload",
        "abortMultipartUpload", "listMultipartUploads", "listParts", "selectRegion", "selectBucket",
    ];
    assert_eq!(text.lines().count(), keys.len(), "{text}");
    for key in keys {
        let line = text.lines().find(|l| l.split_whitespace().next() == Some(key)).unwrap_or_else(|| panic!("{key} missing:\n{text}"));
        assert!(line.split_whitespace().count() > 4, "no description: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_files_in_and_out_with_env_credentials() {
    let fs = Fs::start().await;
    let b = bucket("cli");
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.bin");
    let dst = dir.path().join("out.bin");
    let data = bytes(300_000, 3);
    std::fs::write(&src, &data).unwrap();
    let env = |cmd: &mut Command| {
        cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY).env("AWS_SECRET_ACCESS_KEY", SECRET_KEY).env("AWS_ENDPOINT_URL", fs.server.endpoint());
    };
    let mut create = s3_host();
    env(create.args(["call", "createBucket", "--input", &json!({ "bucket": b }).to_string()]));
    stdout_json(&run(&mut create).await);

    let input_file = dir.path().join("input.json");
    std::fs::write(&input_file, json!({ "bucket": b, "objectKey": "photos/in.bin" }).to_string()).unwrap();
    let mut put = s3_host();
    env(put.args(["call", "putObject", "--input", &format!("@{}", input_file.display()), "--file", &format!("fileContents={}", src.display())]));
    let put = stdout_json(&run(&mut put).await);
    assert!(put["data"]["ETag"].is_string(), "{put}");

    let mut get = s3_host();
    env(get.args(["call", "getObject", "--input", &json!({ "bucket": b, "objectKey": "photos/in.bin" }).to_string(), "--output"]).arg(&dst));
    let got = stdout_json(&run(&mut get).await);
    assert_eq!(got["data"]["length"], data.len());
    assert!(std::fs::read(&dst).unwrap() == data, "downloaded bytes differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_exit_non_zero_with_json_on_stderr() {
    let fs = Fs::start().await;
    let mut conn = fs.conn();
    let mut missing = s3_host();
    missing.args(["call", "listObjects", "--input", r#"{"bucket":"nope-bucket"}"#, "--connection", &conn.to_string()]);
    let out = run(&mut missing).await;
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!((e["error"]["code"].as_str(), e["error"]["httpStatus"].as_u64()), (Some("NoSuchBucket"), Some(404)), "{e}");
    assert_eq!(e["error"]["name"], "NoSuchBucket", "SDK-style name: {e}");
    assert_eq!(e["error"]["$metadata"]["httpStatusCode"], 404, "{e}");
    assert!(out.stdout.is_empty());

    conn["secretAccessKey"] = json!("definitely-wrong-secret");
    let mut denied = s3_host();
    denied.args(["call", "listBuckets", "--connection", &conn.to_string()]);
    let out = run(&mut denied).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("SignatureDoesNotMatch") && stderr.contains("403"), "{stderr}");
    assert!(!stderr.contains("definitely-wrong-secret"), "{stderr}");

    let out = run(s3_host().args(["call", "noSuchAction"])).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("UnknownAction"));

    let out = run(s3_host().args(["call", "listBuckets"])).await;
    assert_eq!(out.status.code(), Some(1), "no connection at all");
    assert!(String::from_utf8_lossy(&out.stderr).contains("AWS_ACCESS_KEY_ID"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_every_basic_operation() {
    let out = run(s3_host().arg("demo")).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for key in ["createBucket", "putObject", "listObjects", "getObject", "copyObject", "headObject", "deleteObject"] {
        assert!(text.contains(&format!("s3-host call {key} ")), "{key} missing from the demo");
    }
    assert!(text.contains("Hello from a WebAssembly component!"));
    assert!(text.contains("Demo complete"));
}
