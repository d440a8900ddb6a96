//! The `s3-host` command line, as users and scripts call it.

use s3_e2e::{ACCESS_KEY, Fs, SECRET_KEY, bucket, bytes, run, s3_host, stdout_json};
use serde_json::{Value, json};
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_lists_every_key_with_a_description() {
    let out = run(s3_host().arg("actions")).await;
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let keys = [
        "listBuckets",
        "headBucket",
        "getBucketLocation",
        "deleteBucket",
        "createBucket",
        "putObject",
        "getObject",
        "headObject",
        "deleteObject",
        "copyObject",
        "listObjects",
        "deleteObjects",
        "getObjectAttributes",
        "getObjectTagging",
        "createMultipartUpload",
        "uploadPart",
        "completeMultipartUpload",
        "abortMultipartUpload",
        "listMultipartUploads",
        "listParts",
        "createUploadStream",
        "writeUploadStream",
        "closeUploadStream",
        "generatePresignedUrl",
        "generatePresignedForMultipartUploads",
        "generatePresignedForMultiparUploads",
        "getObjectLockConfiguration",
        "putObjectLockConfiguration",
        "getObjectRetention",
        "putObjectRetention",
        "getBucketNotificationConfiguration",
        "putBucketNotificationConfiguration",
        "bucketEventTriggerConfiguration",
        "getCurrentAccount",
        "createTopic",
        "subscribeToTopic",
        "unsubscribeFromTopic",
        "updateTopicPolicy",
        "deleteTopic",
        "pollChangesFilesTrigger",
        "pollNewBucketsTrigger",
        "snsS3NotificationWebhook",
        "selectRegion",
        "selectBucket",
    ];
    assert_eq!(text.lines().count(), keys.len(), "{text}");
    for key in keys {
        let line = text.lines().find(|l| l.split_whitespace().next() == Some(key)).unwrap_or_else(|| panic!("{key} missing:\n{text}"));
        assert!(line.split_whitespace().count() > 4, "no description: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_documents_every_action_and_docs_are_current() {
    let markdown = run(s3_host().args(["actions", "--markdown"])).await;
    assert!(markdown.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/actions.md")).expect("docs/actions.md");
    assert!(
        String::from_utf8(markdown.stdout).unwrap().trim_end() == committed.trim_end(),
        "docs/actions.md is not what the WIT says: run ./x docs"
    );

    let catalog = stdout_json(&run(s3_host().args(["actions", "--json"])).await);
    let ops = catalog.as_array().unwrap();
    let presign = ops.iter().find(|o| o["key"] == "generatePresignedForMultipartUploads").unwrap();
    assert_eq!(presign["aliases"], serde_json::json!(["generatePresignedForMultiparUploads"]));
    let upload_id = presign["inputs"].as_array().unwrap().iter().find(|i| i["name"] == "uploadId").unwrap();
    assert_eq!((upload_id["type"].as_str(), upload_id["required"].as_bool()), (Some("string"), Some(true)));
    for op in ops {
        assert!(!op["description"].as_str().unwrap().is_empty(), "{op}");
        assert!(!op["outputs"].as_array().unwrap().is_empty(), "{op}");
    }

    // `call KEY --help` describes that action; the seed's spelling works too.
    let help = run(s3_host().args(["call", "generatePresignedForMultiparUploads", "--help"])).await;
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(text.contains("| `urlsToGenerate` | integer | no |") && text.contains("`[].partNumber`"), "{text}");
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
    env(put.args([
        "call",
        "putObject",
        "--input",
        &format!("@{}", input_file.display()),
        "--file",
        &format!("fileContents={}", src.display()),
    ]));
    let put = stdout_json(&run(&mut put).await);
    assert!(put["data"]["ETag"].is_string(), "{put}");

    let mut get = s3_host();
    env(get
        .args(["call", "getObject", "--input", &json!({ "bucket": b, "objectKey": "photos/in.bin" }).to_string(), "--output"])
        .arg(&dst));
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

    // Usage errors exit 2, with the same JSON shape.
    for (args, code) in [
        (vec!["call", "noSuchAction"], "UnknownAction"),
        (vec!["call", "listBuckets"], "MissingConnection"),
        (vec!["call", "listBuckets", "--input", "{not json"], "UsageError"),
        (vec!["call", "listBuckets", "--no-such-flag"], "UsageError"),
    ] {
        let out = run(s3_host().args(&args)).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let e: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|_| panic!("{args:?}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(e["error"]["code"], code, "{args:?}: {e}");
        assert!(e["error"]["message"].is_string());
    }
    let out = run(s3_host().args(["call", "listBuckets"]).env("AWS_PROFILE", "nope")).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such profile"));
}

/// Every way a call can fail, with `--verbose`: neither stream ever shows the
/// secret key or the session token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_error_path_shows_a_secret() {
    let fs = Fs::start().await;
    let (secret, token) = ("Zq8-secret-text-7Hk", "Tk4-session-token-9Pw");
    let mut conn = fs.conn();
    conn["secretAccessKey"] = json!(secret);
    conn["sessionToken"] = json!(token);
    let with = |field: &str, value: Value| {
        let mut c = conn.clone();
        c[field] = value;
        c.to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let no_dir = dir.path().join("missing/out.bin").display().to_string();
    let (good, refused) = (conn.to_string(), with("endpointUrl", json!("http://127.0.0.1:1")));
    let user_info = with("endpointUrl", json!(format!("http://AKID:{secret}@127.0.0.1:9")));
    let line_break = with("secretAccessKey", json!(format!("{secret}\r\n")));
    let no_string = with("sessionToken", json!({ "t": token }));
    let half_pair = json!({ "dynamicSecretAccessKey": secret, "dynamicSessionToken": token }).to_string();
    let object = r#"{"bucket":"b-x","objectKey":"k"}"#;
    let cases: [(&str, Vec<&str>, i32); 10] = [
        ("service error", vec!["listBuckets", "--connection", &good], 1),
        ("refused connection", vec!["listBuckets", "--connection", &refused], 1),
        ("user info in the endpoint", vec!["listBuckets", "--connection", &user_info], 1),
        ("a line break in the secret", vec!["listBuckets", "--connection", &line_break], 1),
        ("a secret that is no string", vec!["listBuckets", "--connection", &no_string], 1),
        ("a trap", vec!["--memory-mib", "1", "listBuckets", "--connection", &good], 2),
        ("bad input", vec!["getObject", "--input", r#"{"bucket":"bad bucket","objectKey":"k"}"#, "--connection", &good], 1),
        ("malformed input", vec!["listBuckets", "--input", "{oops", "--connection", &good], 2),
        ("half a dynamic pair", vec!["listBuckets", "--input", &half_pair], 1),
        ("an unwritable output", vec!["getObject", "--input", object, "--output", &no_dir, "--connection", &good], 2),
    ];
    for (what, args, status) in cases {
        let mut cmd = s3_host();
        cmd.args(["call", "--verbose"]).args(&args).env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
        let out = run(&mut cmd).await;
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(status), "{what}: {text}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(r#""error""#), "{what}: {text}");
        assert!(!text.contains(secret) && !text.contains(token), "{what} shows a secret: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_the_output_quietly_and_input_reads_stdin() {
    use std::io::Read as _;
    // An output far larger than a pipe's buffer, so that writing it must hit the closed pipe.
    let fs = Fs::start().await;
    let b = bucket("pipe");
    s3_e2e::ok("createBucket", json!({ "bucket": b }), &fs.conn()).await;
    s3_e2e::ok("putObject", json!({ "bucket": b, "objectKey": "big.txt", "fileContents": "x".repeat(1 << 20) }), &fs.conn()).await;
    let mut get = s3_host();
    get.args([
        "call",
        "getObject",
        "--connection",
        &fs.conn().to_string(),
        "--input",
        &json!({ "bucket": b, "objectKey": "big.txt" }).to_string(),
    ]);
    let mut child = get.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut first = [0u8; 10];
    child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0));

    use tokio::io::AsyncWriteExt as _;
    let mut cmd = tokio::process::Command::from(s3_host());
    cmd.args(["call", "selectRegion", "--input", "@-"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"{}").await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(stdout_json(&out)["result"][0]["key"], "af-south-1");
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

/// Put `data` through stdin (`--file fileContents=-`), get it back through
/// stdout (`--output -`): a pipeline's view.
async fn through_pipes(fs: &Fs, b: &str, key: &str, data: &[u8]) -> Vec<u8> {
    use tokio::io::AsyncWriteExt as _;
    let conn = fs.conn().to_string();
    let input = json!({ "bucket": b, "objectKey": key }).to_string();
    let mut put = tokio::process::Command::from(s3_host());
    put.args(["call", "putObject", "--connection", &conn, "--input", &input, "--file", "fileContents=-"]);
    put.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = put.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let owned = data.to_vec();
    let feeder = tokio::spawn(async move {
        stdin.write_all(&owned).await.unwrap();
    });
    let out = child.wait_with_output().await.unwrap();
    feeder.await.unwrap();
    let put = stdout_json(&out);
    assert_eq!(put["data"]["Size"], data.len(), "{put}");

    let mut get = s3_host();
    get.args(["call", "getObject", "--connection", &conn, "--input", &input, "--output", "-"]);
    let out = run(&mut get).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let result: Value = serde_json::from_slice(&out.stderr).expect("the JSON result goes to stderr");
    assert_eq!(result["data"]["length"], data.len());
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_and_stdout_stream_every_size() {
    let fs = Fs::start().await;
    let b = bucket("pipes");
    let conn = fs.conn();
    s3_e2e::ok("createBucket", json!({ "bucket": b }), &conn).await;
    for (i, len) in [0, 1, (5 << 20) - 1, 5 << 20, (16 << 20) + 1, 200 << 20].into_iter().enumerate() {
        let data = bytes(len, u32::try_from(i).unwrap() + 40);
        let got = through_pipes(&fs, &b, &format!("piped-{len}"), &data).await;
        assert_eq!(got.len(), len);
        assert!(got == data, "{len} bytes through the pipes came back different");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_of_every_size_stream_in_and_out() {
    let fs = Fs::start().await;
    let b = bucket("files");
    let conn = fs.conn().to_string();
    s3_e2e::ok("createBucket", json!({ "bucket": b }), &fs.conn()).await;
    let dir = tempfile::tempdir().unwrap();
    for (i, len) in [0, 1, (5 << 20) - 1, 5 << 20, (16 << 20) + 1, 200 << 20].into_iter().enumerate() {
        let (src, dst) = (dir.path().join("in"), dir.path().join("out"));
        let data = bytes(len, u32::try_from(i).unwrap() + 60);
        std::fs::write(&src, &data).unwrap();
        let input = json!({ "bucket": b, "objectKey": format!("file-{len}") }).to_string();
        let mut put = s3_host();
        put.args(["call", "putObject", "--connection", &conn, "--input", &input, "--file"]).arg(format!("fileContents={}", src.display()));
        assert_eq!(stdout_json(&run(&mut put).await)["data"]["Size"], len);
        let mut get = s3_host();
        get.args(["call", "getObject", "--connection", &conn, "--input", &input, "--output"]).arg(&dst);
        assert_eq!(stdout_json(&run(&mut get).await)["data"]["length"], len);
        assert!(std::fs::read(&dst).unwrap() == data, "{len} bytes through files came back different");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_files_are_typed_errors_and_a_failed_download_keeps_the_old_file() {
    let fs = Fs::start().await;
    let conn = fs.conn().to_string();
    let dir = tempfile::tempdir().unwrap();
    let input = json!({ "bucket": "some-bucket", "objectKey": "k" }).to_string();
    for (path, why) in [(dir.path().join("missing.bin"), "cannot read"), (dir.path().to_owned(), "is a directory")] {
        let mut put = s3_host();
        put.args(["call", "putObject", "--connection", &conn, "--input", &input, "--file"]).arg(format!("fileContents={}", path.display()));
        let out = run(&mut put).await;
        assert_eq!(out.status.code(), Some(1));
        let e: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!((e["error"]["kind"].as_str(), e["error"]["code"].as_str()), (Some("invalid-input"), Some("InvalidFile")), "{e}");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.contains("fileContents") && message.contains(why), "{message}");
    }

    // A download that fails leaves the file that was there alone.
    let dst = dir.path().join("keep.txt");
    std::fs::write(&dst, "precious").unwrap();
    let mut get = s3_host();
    get.args([
        "call",
        "getObject",
        "--connection",
        &conn,
        "--input",
        &json!({ "bucket": "no-such-bucket", "objectKey": "k" }).to_string(),
        "--output",
    ])
    .arg(&dst);
    let out = run(&mut get).await;
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&dst).unwrap(), "precious");
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "a temporary file was left behind");

    // An output path that cannot be written is refused before anything is sent.
    let mut get = s3_host();
    get.args(["call", "getObject", "--connection", &conn, "--input", &input, "--output", "/nonexistent-dir/x.bin"]);
    let out = run(&mut get).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_only_the_options_a_command_uses() {
    let help = |args: &[&str]| {
        let out = std::process::Command::new(s3_host().get_program()).args(args).arg("--help").output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    for runs in [&["call"][..], &["flow"], &["demo"]] {
        let text = help(runs);
        assert!(text.contains("--timeout") && text.contains("--refuse-private-addresses"), "{runs:?}: {text}");
    }
    for other in [&["actions"][..], &["local-s3"]] {
        let text = help(other);
        assert!(!text.contains("--timeout") && !text.contains("--memory-mib"), "{other:?}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_listens_refuses_junk_and_keeps_serving() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("payloads.jsonl");
    let mut child = s3_host()
        .args(["serve", "--port", "0", "--max-body-kib", "1", "--output"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.split_whitespace().last().unwrap().to_owned() + "/";
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    for (body, status) in [(String::new(), 400), ("{\"Type\": \"Nope\"}".to_owned(), 400), ("x".repeat(2048), 413), ("{}".to_owned(), 400)]
    {
        let u = url.clone();
        let got = tokio::task::spawn_blocking(move || s3_e2e::plain_http("POST", &u, &[], body.as_bytes())).await.unwrap();
        assert_eq!(got.0, status, "{}", String::from_utf8_lossy(&got.2));
    }
    assert!(child.try_wait().unwrap().is_none(), "still serving");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap_or_default(), "", "no payload for refused messages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_page_of_keys_says_so_on_stderr() {
    let fs = Fs::start().await;
    let b = bucket("notice");
    let conn = fs.conn().to_string();
    let call = |input: Value| {
        let mut cmd = s3_host();
        cmd.args(["call", "listObjects", "--connection", &conn, "--input", &input.to_string()]);
        cmd
    };
    let mut create = s3_host();
    create.args(["call", "createBucket", "--connection", &conn, "--input", &json!({ "bucket": b }).to_string()]);
    assert!(run(&mut create).await.status.success());
    for k in ["a", "b", "c"] {
        let mut put = s3_host();
        put.args([
            "call",
            "putObject",
            "--connection",
            &conn,
            "--input",
            &json!({ "bucket": b, "objectKey": k, "fileContents": "x" }).to_string(),
        ]);
        assert!(run(&mut put).await.status.success());
    }
    let out = run(&mut call(json!({ "bucket": b, "pagination": { "maxKeys": 2 } }))).await;
    assert_eq!(stdout_json(&out), json!({ "data": ["a", "b"] }), "the seed's array, unchanged");
    let notice: Value = serde_json::from_str(String::from_utf8(out.stderr).unwrap().lines().next().expect("a notice")).unwrap();
    let text = notice["notice"].as_str().unwrap();
    assert!(text.contains("allPages") && text.contains("continuationToken"), "{text}");
    // The token it gives fetches the rest.
    let token = text.split('"').nth(1).unwrap();
    let rest = run(&mut call(json!({ "bucket": b, "pagination": { "maxKeys": 2, "continuationToken": token } }))).await;
    assert_eq!(stdout_json(&rest), json!({ "data": ["c"] }));
    assert!(rest.stderr.is_empty(), "the last page has no notice: {}", String::from_utf8_lossy(&rest.stderr));
}
