//! `s3-host`: run the Amazon S3 connector component from the command line.

mod progress;

/// `println!` that ends the program quietly when stdout is a closed pipe
/// (`s3-host actions | head -3`), instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand};
use s3_host::connection::{json_arg, resolve};
use s3_host::hooks::RequestLog;
use s3_host::local_s3::LocalS3;
use s3_host::{ByteInput, ByteOutput, CallError, Host, HostConfig, Transfers, catalog};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Run the Amazon S3 connector (a WebAssembly component) from the command line.
///
/// Exit status: 0 on success; 1 when the call failed (a JSON error is printed
/// on stderr: {"error": {"kind", "code", "message", "httpStatus", ...}});
/// 2 on a usage or host error.
#[derive(Debug, Parser)]
#[command(name = "s3-host", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How the component runs: the options of the commands that run it.
#[derive(Debug, Args)]
struct HostArgs {
    /// The component file [default: the workspace's guest build]
    #[arg(long, env = "S3_HOST_COMPONENT")]
    component: Option<PathBuf>,
    /// Directory for the compiled-component cache [default: ~/.cache/s3-host]
    #[arg(long, env = "S3_HOST_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile the component every time instead of using the cache
    #[arg(long)]
    no_cache: bool,
    /// Deadline of one call, in seconds; a transfer gets another period each
    /// time it moved at least 64 KiB in the last one (a stalled or trickling
    /// transfer is stopped, a moving one never)
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Memory cap of the component, in MiB
    #[arg(long, default_value_t = 1024)]
    memory_mib: usize,
    /// Refuse endpoints that resolve to loopback or private addresses. The CLI
    /// allows them by default (a local S3-compatible server); the host library
    /// refuses them by default, for platforms where tenants type in endpoints.
    /// Link-local and cloud metadata addresses (169.254.169.254, ...) are
    /// always refused
    #[arg(long)]
    refuse_private_addresses: bool,
    /// Print output bytes (getObject's data) as the seed's Node Buffer JSON,
    /// {"type": "Buffer", "data": [...]}, instead of text or {"base64": ...}
    #[arg(long)]
    node_buffers: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every action, trigger and data source key with a one-line
    /// description, or describe one (its inputs and output fields)
    Actions {
        /// Describe this action or data source in full
        key: Option<String>,
        /// Print the whole catalog (inputs, types, output fields) as JSON, for tools
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print the whole catalog as Markdown (docs/actions.md is this output)
        #[arg(long)]
        markdown: bool,
    },
    /// Run one action or data source and print its result as JSON
    ///
    /// Example: s3-host call putObject --input '{"bucket":"my-bucket","objectKey":"a.txt","fileContents":"hi"}'.
    /// `s3-host call KEY --help` lists that action's inputs and output fields.
    Call {
        /// The action or data source key, e.g. putObject, listObjects, selectBucket
        key: String,
        /// The inputs as a JSON object (seed input keys), inline, @file.json or @- (stdin)
        #[arg(long, default_value = "{}")]
        input: String,
        /// The connection as JSON, inline or @file.json
        /// {"accessKeyId", "secretAccessKey", "sessionToken", "region", "endpointUrl", "forcePathStyle"},
        /// with "roleARN" (and "externalId", "roleSessionName", "roleDurationSeconds") to assume a role.
        /// The inputs awsRegion and dynamicAccessKeyId/dynamicSecretAccessKey/dynamicSessionToken
        /// change it for one call, as in the seed.
        /// Default: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION or
        /// AWS_DEFAULT_REGION, AWS_ENDPOINT_URL(_S3), then the AWS_PROFILE of ~/.aws/credentials
        #[arg(long)]
        connection: Option<String>,
        /// Stream a binary input from a file, NAME=PATH, e.g. fileContents=photo.iso;
        /// `-` reads stdin (fileContents=-). Any size: the body is read part by part
        #[arg(long = "file", value_name = "NAME=PATH")]
        files: Vec<String>,
        /// Stream the binary output (getObject's data) to this file instead of printing
        /// it; `-` writes stdout (the JSON result then goes to stderr). The file is
        /// replaced only when the whole object arrived intact
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Print each HTTP request (method and URL) and the component's peak memory on stderr
        #[arg(long, short)]
        verbose: bool,
        #[command(flatten)]
        host: HostArgs,
    },
    /// Run the steps of a flow in one execution and print each step's result
    ///
    /// FILE is JSON: {"connection": {...}, "steps": [{"name", "action", "input",
    /// "files", "output", "connection"}, ...]}. An input string "{{step.path}}"
    /// is replaced by that earlier step's output value (e.g. "{{open.data}}" is
    /// the id createUploadStream returned). Streams left open at the end are aborted.
    Flow {
        /// The flow file (`-` reads stdin)
        file: PathBuf,
        /// The default connection as JSON, inline or @file.json [default: as for call]
        #[arg(long)]
        connection: Option<String>,
        #[command(flatten)]
        host: HostArgs,
    },
    /// Run a polling trigger once, keeping its state in a file between runs
    ///
    /// Prints {"payload": {"body": {"data": [...]}}, "polledNoChanges": ...} (the
    /// new items) and replaces FILE with the new state, atomically: a crash
    /// mid-write leaves the old state. A missing FILE is a first poll. Example:
    /// s3-host poll pollChangesFilesTrigger --state files.state --input '{"bucket": "b", "lookBackDate": "2026-01-01"}'
    Poll {
        /// The trigger key: pollChangesFilesTrigger or pollNewBucketsTrigger
        trigger: String,
        /// Where the state is kept between polls (JSON; created on the first poll)
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The trigger's inputs as a JSON object, inline, @file.json or @- (stdin)
        #[arg(long, default_value = "{}")]
        input: String,
        /// The connection as JSON, inline or @file.json [default: as for call]
        #[arg(long)]
        connection: Option<String>,
        #[command(flatten)]
        host: HostArgs,
    },
    /// Serve the SNS webhook trigger (snsS3NotificationWebhook) over HTTP
    ///
    /// Each request runs in a fresh execution. Accepted messages are answered
    /// 200 and their payloads ({"branch", "payload"}) written as JSON lines;
    /// refused or malformed ones are answered 4xx with no payload; a failure
    /// is answered 5xx and the server goes on. Messages are trusted only when
    /// their SNS signature verifies with a certificate fetched from
    /// https://sns.REGION.amazonaws.com; the --sns-redirect options change
    /// where those fetches go, for tests against a local SNS (moto) only.
    Serve {
        /// Port to listen on (0 picks a free one; the address is printed on stderr)
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to bind
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Write payloads to this file (appended) instead of stdout
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Accept only messages of this SNS topic
        #[arg(long, value_name = "ARN")]
        expected_topic_arn: Option<String>,
        /// Refuse messages older than this many seconds
        #[arg(long, default_value_t = 3600)]
        max_age: u32,
        /// Largest request body, in KiB
        #[arg(long, default_value_t = 256)]
        max_body_kib: usize,
        /// Requests handled at once
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Deadline of one request, in seconds
        #[arg(long, default_value_t = 30)]
        request_timeout: u64,
        /// TESTS ONLY: fetch SNS certificates and confirm subscriptions at this
        /// base URL (e.g. a local moto) instead of https://sns.REGION.amazonaws.com.
        /// This makes the server trust whatever answers there
        #[arg(long, value_name = "URL")]
        sns_redirect: Option<String>,
        /// TESTS ONLY: a header NAME:VALUE added to redirected SNS requests
        #[arg(long, value_name = "NAME:VALUE", requires = "sns_redirect")]
        sns_redirect_header: Vec<String>,
        #[command(flatten)]
        host: HostArgs,
    },
    /// Serve an S3-compatible endpoint (s3s-fs, SigV4 enforced) on 127.0.0.1
    LocalS3 {
        /// Port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 9000)]
        port: u16,
        /// Directory holding the buckets [default: a temporary directory]
        #[arg(long)]
        root: Option<PathBuf>,
        /// The access key to accept
        #[arg(long, default_value = "local-access-key")]
        access_key: String,
        /// The secret key to accept
        #[arg(long, default_value = "local-secret-key")]
        secret_key: String,
    },
    /// Create buckets and put, list, get, copy and delete objects on an embedded local S3
    Demo {
        #[command(flatten)]
        host: HostArgs,
    },
}

/// glibc raises its mmap threshold each time a large block is freed (up to
/// 32 MiB), and then keeps freed transfer buffers in its per-thread arenas; a
/// fixed threshold returns the large ones to the system at once. Measured on
/// a 1 GiB upload: 66 MB peak RSS with glibc's default, 62 MB at 512 KiB (and
/// 61 MB at 128 KiB, which costs a page fault per chunk: twice the sys time).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(unsafe_code, reason = "mallopt only changes allocator tuning, before any thread starts")]
fn tune_allocator() {
    // SAFETY: called first thing in main, with a valid parameter and value.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 512 << 10);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
    // `call KEY --help`: that action's inputs and outputs, from the contract.
    let args: Vec<String> = std::env::args().collect();
    if let [_, call, key, rest @ ..] = args.as_slice()
        && call == "call"
        && rest.iter().any(|a| a == "--help" || a == "-h")
        && let Some(op) = catalog::find(key)
    {
        out!("{}", catalog::describe(op).trim_end());
        out!("\nRun it with: s3-host call {} --input '{{...}}' (s3-host call --help for the options)", op.key);
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print as usual; mistakes get the JSON error shape.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => return usage_error(&anyhow::anyhow!("{}", e.render().to_string().trim())),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return usage_error(&e.into()),
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => usage_error(&e),
    }
}

fn usage_error(e: &anyhow::Error) -> ExitCode {
    eprintln!("{}", json!({ "error": { "kind": "usage", "code": "UsageError", "message": format!("{e:#}") } }));
    ExitCode::from(2)
}

fn host_config(cli: &HostArgs) -> HostConfig {
    let mut config = HostConfig::new(cli.component.clone());
    if cli.no_cache {
        config.cache_dir = None;
    } else if let Some(dir) = &cli.cache_dir {
        config.cache_dir = Some(dir.clone());
    }
    config.call_timeout = Duration::from_secs(cli.timeout);
    config.memory_limit = cli.memory_mib.saturating_mul(1 << 20);
    config.allow_private_addresses = !cli.refuse_private_addresses;
    config.node_buffers = cli.node_buffers;
    config
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Actions { key: Some(key), .. } => {
            let Some(op) = catalog::find(key) else { bail!("there is no action or data source {key:?}: see s3-host actions") };
            out!("{}", catalog::describe(op).trim_end());
            Ok(ExitCode::SUCCESS)
        }
        Command::Actions { json: true, .. } => {
            out!("{}", serde_json::to_string_pretty(&catalog::json()).unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
        Command::Actions { markdown: true, .. } => {
            out!("{}", catalog::markdown().trim_end());
            Ok(ExitCode::SUCCESS)
        }
        Command::Actions { .. } => {
            let width = catalog::OPERATIONS.iter().map(|o| o.key.len()).max().unwrap_or(0);
            for op in catalog::OPERATIONS {
                out!("{:width$}  {:15}  {}", op.key, op.kind(), op.summary);
            }
            for (alias, key) in catalog::ALIASES {
                out!("{alias}  alias of {key} (the seed's spelling)");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Call { key, input, connection, files, output, verbose, host } => {
            let input = json_arg(input).context("--input")?;
            let connection = resolve(connection.as_deref())?;
            let mut transfers = Transfers::default();
            let mut total = Some(0u64);
            for spec in files {
                let Some((name, path)) = spec.split_once('=') else { bail!("--file takes NAME=PATH, got {spec:?}") };
                match s3_host::runtime::open_input(path) {
                    Ok((reader, size)) => {
                        total = total.zip(size).map(|(a, b)| a + b);
                        transfers.inputs.insert(name.to_owned(), ByteInput::Reader { reader, size });
                    }
                    Err(why) => {
                        return Ok(print_result(Err(CallError::invalid_input("InvalidFile", format!("Input {name}: {why}."))), false));
                    }
                }
            }
            // The download goes to a temporary file beside the target, renamed
            // over it only when the whole object arrived intact.
            let mut pending = None;
            let to_stdout = output.as_deref() == Some(std::path::Path::new("-"));
            if to_stdout {
                transfers.output = Some(ByteOutput { writer: Box::new(std::io::stdout()), label: "-".into() });
            } else if let Some(path) = output {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
                let temp = tempfile::NamedTempFile::new_in(dir)
                    .with_context(|| format!("--output {}: cannot write in {}", path.display(), dir.display()))?;
                let writer = temp.reopen().with_context(|| format!("--output {}", path.display()))?;
                transfers.output = Some(ByteOutput { writer: Box::new(writer), label: path.display().to_string() });
                pending = Some((temp, path.clone()));
            }
            if files.is_empty() {
                total = None;
            }
            let mut config = host_config(host);
            let log = verbose.then(RequestLog::default);
            config.request_log.clone_from(&log);
            let host = Host::new(config)?;
            let progress = progress::show(transfers.progress.clone(), total);
            let memory_peak = transfers.memory_peak.clone();
            let notices = transfers.notices.clone();
            let mut result = host.call_with(key, &input, connection.as_ref(), transfers).await;
            progress.finish();
            if let (Ok(_), Some((temp, path))) = (&result, pending)
                && let Err(e) = temp.persist(&path)
            {
                result = Err(CallError::Host(anyhow::anyhow!("cannot write {}: {}", path.display(), e.error)));
            }
            for notice in notices.lock().expect("notices").iter() {
                eprintln!("{}", json!({ "notice": notice }));
            }
            if let Some(log) = log {
                for r in log.lock().expect("request log").iter() {
                    eprintln!("{} {}{}", r.method, r.uri, if r.allowed { "" } else { "  (refused by the egress policy)" });
                }
                eprintln!("component memory peak: {} KiB", memory_peak.load(std::sync::atomic::Ordering::Relaxed) >> 10);
            }
            Ok(print_result(result, to_stdout))
        }
        Command::Poll { trigger, state, input, connection, host } => {
            if !catalog::find(trigger).is_some_and(catalog::Operation::is_trigger) {
                bail!("{trigger:?} is not a polling trigger: use pollChangesFilesTrigger or pollNewBucketsTrigger");
            }
            let mut input = json_arg(input).context("--input")?;
            let Some(fields) = input.as_object_mut() else { bail!("--input must be a JSON object of named inputs") };
            match std::fs::read_to_string(state) {
                Ok(text) => match serde_json::from_str::<Value>(&text) {
                    Ok(saved @ Value::Object(_)) => {
                        fields.insert("state".into(), saved);
                    }
                    _ => {
                        let why = format!(
                            "Input state: --state {} is not a poll state (a JSON object written by an earlier poll).",
                            state.display()
                        );
                        return Ok(print_result(Err(CallError::invalid_input("InvalidState", why)), false));
                    }
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => bail!("--state {}: {e}", state.display()),
            }
            let connection = resolve(connection.as_deref())?;
            let runner = Host::new(host_config(host))?;
            let mut result = runner.call(trigger, &input, connection.as_ref()).await;
            if let Ok(Value::Object(out)) = &mut result
                && let Some(new_state) = out.remove("state")
                && let Err(e) = s3_host::runtime::write_atomically(state, &serde_json::to_vec_pretty(&new_state)?)
            {
                bail!("--state {}: cannot write the new state: {e}", state.display());
            }
            Ok(print_result(result, false))
        }
        Command::Serve {
            port,
            bind,
            output,
            expected_topic_arn,
            max_age,
            max_body_kib,
            concurrency,
            request_timeout,
            sns_redirect,
            sns_redirect_header,
            host,
        } => {
            let mut config = host_config(host);
            if let Some(base) = sns_redirect {
                let mut headers = Vec::new();
                for h in sns_redirect_header {
                    let Some((name, value)) = h.split_once(':') else { bail!("--sns-redirect-header takes NAME:VALUE, got {h:?}") };
                    headers.push((name.trim().to_owned(), value.trim().to_owned()));
                }
                config.sns_redirect = Some(s3_host::hooks::SnsRedirect { base: base.clone(), headers });
            }
            let runner = std::sync::Arc::new(Host::new(config)?);
            let sink: s3_host::serve::Sink = std::sync::Arc::new(std::sync::Mutex::new(match output {
                Some(path) => Box::new(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .with_context(|| format!("--output {}", path.display()))?,
                ),
                None => Box::new(std::io::stdout()),
            }));
            let listener = tokio::net::TcpListener::bind(SocketAddr::new(*bind, *port))
                .await
                .with_context(|| format!("cannot listen on {bind}:{port}"))?;
            eprintln!("s3-host serve: the SNS webhook listens on http://{}", listener.local_addr()?);
            let options = s3_host::serve::ServeOptions {
                max_body: max_body_kib.saturating_mul(1024),
                max_concurrent: *concurrency,
                deadline: Duration::from_secs(*request_timeout),
                expected_topic_arn: expected_topic_arn.clone(),
                max_age_seconds: Some(*max_age),
            };
            tokio::select! {
                served = s3_host::serve::run(runner, listener, options, sink) => served?,
                _ = tokio::signal::ctrl_c() => {}
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::LocalS3 { port, root, access_key, secret_key } => {
            let temp;
            let root = match root {
                Some(r) => r.clone(),
                None => {
                    temp = tempfile::tempdir()?;
                    temp.path().to_owned()
                }
            };
            let server = LocalS3::start(&root, SocketAddr::from(([127, 0, 0, 1], *port)), access_key, secret_key).await?;
            out!("Local S3 (s3s-fs, SigV4 enforced) serving {} at {}", root.display(), server.endpoint());
            out!("Use it with:");
            out!("  export AWS_ACCESS_KEY_ID={access_key} AWS_SECRET_ACCESS_KEY={secret_key} AWS_ENDPOINT_URL={}", server.endpoint());
            out!("Press Ctrl-C to stop.");
            tokio::signal::ctrl_c().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { host } => demo(host_config(host)).await,
        Command::Flow { file, connection, host } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading the flow from stdin")?
            } else {
                std::fs::read_to_string(file).with_context(|| format!("cannot read the flow {}", file.display()))?
            };
            let flow: Value = serde_json::from_str(&text).with_context(|| format!("the flow {} is not JSON", file.display()))?;
            let connection = resolve(connection.as_deref())?;
            let runner = Host::new(host_config(host))?;
            match s3_host::flow::run(&runner, &flow, connection.as_ref()).await {
                Ok(result) => {
                    out!("{}", serde_json::to_string_pretty(&Value::Array(result.steps)).unwrap_or_default());
                    Ok(if result.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
                }
                Err(e) => Ok(print_result(Err(e), false)),
            }
        }
    }
}

/// Print a call's result: JSON on stdout (on stderr when stdout carries the
/// bytes), or the error on stderr.
fn print_result(result: Result<Value, CallError>, stdout_taken: bool) -> ExitCode {
    match result {
        Ok(v) => {
            let text = serde_json::to_string_pretty(&v).unwrap_or_default();
            if stdout_taken {
                eprintln!("{text}");
            } else {
                out!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", serde_json::to_string_pretty(&e.to_json()).unwrap_or_default());
            ExitCode::from(if matches!(e, CallError::Failed(_)) { 1 } else { 2 })
        }
    }
}

/// The demo: every basic object operation against an embedded local S3.
async fn demo(config: HostConfig) -> Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let server = LocalS3::start(dir.path(), SocketAddr::from(([127, 0, 0, 1], 0)), "demo-access-key", "demo-secret-key").await?;
    out!("Embedded local S3 (s3s-fs, SigV4 enforced) at {}\n", server.endpoint());
    let host = Host::new(config)?;
    let conn = server.connection();
    let steps = [
        ("createBucket", json!({ "bucket": "demo-bucket" })),
        ("createBucket", json!({ "bucket": "demo-archive" })),
        (
            "putObject",
            json!({ "bucket": "demo-bucket", "objectKey": "hello.txt", "fileContents": "Hello from a WebAssembly component!\n", "contentType": "text/plain" }),
        ),
        (
            "putObject",
            json!({ "bucket": "demo-bucket", "objectKey": "reports/2024 Q1 (final).csv", "fileContents": "region,total\neu,42\n", "contentType": "text/csv" }),
        ),
        ("listBuckets", json!({})),
        ("listObjects", json!({ "bucket": "demo-bucket" })),
        ("getObject", json!({ "bucket": "demo-bucket", "objectKey": "hello.txt" })),
        (
            "copyObject",
            json!({ "sourceBucket": "demo-bucket", "sourceKey": "reports/2024 Q1 (final).csv", "destinationBucket": "demo-archive", "destinationKey": "2024/Q1 (final).csv" }),
        ),
        ("headObject", json!({ "bucket": "demo-archive", "objectKey": "2024/Q1 (final).csv" })),
        ("deleteObject", json!({ "bucket": "demo-bucket", "objectKey": "hello.txt" })),
        ("listObjects", json!({ "bucket": "demo-bucket", "includeMetadata": true })),
    ];
    for (key, input) in steps {
        out!("$ s3-host call {key} --input '{input}'");
        let result = host.call(key, &input, Some(&conn)).await;
        let failed = result.is_err();
        print_result(result, false);
        if failed {
            return Ok(ExitCode::FAILURE);
        }
        out!("");
    }
    out!("Demo complete: every call above ran inside the sandboxed component, signed with SigV4.");
    Ok(ExitCode::SUCCESS)
}
