//! The engine, the on-disk cache of the compiled component, and executions:
//! one store + instance per call, with a memory cap and a deadline. A trap or
//! a timeout ends that execution, never the host.

use crate::bridge::{self, Bind, Render, Secret};
use crate::catalog::{self, Operation};
use crate::hooks::{Egress, Faults, Hooks, RequestLog};
use crate::naming::{Style, convert};
use crate::sender::{AddressPolicy, Resolver, Sender, SystemResolver};
use crate::streams::{Counter, MemorySink, MemorySource, ReaderSource, WriterJoin, WriterSink};
use anyhow::{Context as _, Result};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasmtime::component::{Component, InstancePre, Linker, Resource, ResourceAny, ResourceTable, ResourceType, Val};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream};

/// How often the engine's epoch advances; executions yield to the async
/// runtime at every tick, so deadlines fire even in a busy guest.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Settings of a [`Host`].
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The component file (`aws_s3_component.wasm`).
    pub component: PathBuf,
    /// Where compiled components are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// Linear memory cap per execution, in bytes.
    pub memory_limit: usize,
    /// Deadline of one call, including all its requests. A call that streams
    /// bytes (a file or stdin in, a file or stdout out) gets another period
    /// each time bytes moved in the last one, so a large transfer that keeps
    /// moving is never cut off, and one that stalls is.
    pub call_timeout: Duration,
    /// Replace the egress policy derived from the connection (tests).
    pub egress_override: Option<Egress>,
    /// Record every request the component tries to send.
    pub request_log: Option<RequestLog>,
    /// Faults to inject into requests (tests).
    pub faults: Faults,
    /// How many bytes a transfer must move in one `call_timeout` period to
    /// earn another (64 KiB): a body that drips a byte at a time is stopped.
    pub min_progress_bytes: u64,
    /// Allow requests to loopback and private addresses. Off by default, as a
    /// multi-tenant platform needs it: a tenant's endpoint must not reach the
    /// platform's own network. Link-local and metadata addresses are refused
    /// whatever this says.
    pub allow_private_addresses: bool,
    /// How host names are resolved (the system's resolver by default).
    pub resolver: Arc<dyn Resolver>,
    /// The longest connecting may take, TLS handshake included (30 s; the
    /// component may ask for less).
    pub max_connect: Duration,
    /// Render output bytes held in memory (getObject's `data`) as the seed's
    /// Node Buffer JSON, `{"type": "Buffer", "data": [...]}`, for flows built
    /// against its payloads; by default they are text, or `{"base64": ...}`.
    pub node_buffers: bool,
    /// Send the SNS requests of the webhook (certificates, subscription
    /// confirmations) here instead of to SNS: trust for tests, set by the
    /// host and never by a message. `None` (the default) in production.
    pub sns_redirect: Option<crate::hooks::SnsRedirect>,
}

impl HostConfig {
    /// Defaults: the built component of this workspace (or `S3_HOST_COMPONENT`),
    /// the user cache directory, 1 GiB of memory and 5 minutes per call.
    pub fn new(component: Option<PathBuf>) -> Self {
        Self {
            component: component.unwrap_or_else(default_component_path),
            cache_dir: default_cache_dir(),
            memory_limit: 1 << 30,
            call_timeout: Duration::from_secs(300),
            egress_override: None,
            request_log: None,
            faults: Faults::default(),
            min_progress_bytes: 64 << 10,
            allow_private_addresses: false,
            resolver: Arc::new(SystemResolver),
            max_connect: Duration::from_secs(30),
            node_buffers: false,
            sns_redirect: None,
        }
    }
}

/// `S3_HOST_COMPONENT`, else the guest build output of this workspace.
pub fn default_component_path() -> PathBuf {
    std::env::var_os("S3_HOST_COMPONENT").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm/wasm32-unknown-unknown/release/aws_s3_component.wasm"),
        PathBuf::from,
    )
}

fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("S3_HOST_CACHE_DIR") {
        return Some(dir.into());
    }
    let base =
        std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
    Some(base.join("s3-host"))
}

/// Bytes given to a call outside its JSON input.
pub enum ByteInput {
    /// In memory.
    Bytes(Vec<u8>),
    /// Read as the call goes (a file, stdin), with its size when known.
    Reader {
        /// Where the bytes come from.
        reader: Box<dyn Read + Send>,
        /// How many there are, when known.
        size: Option<u64>,
    },
}

impl std::fmt::Debug for ByteInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Self::Reader { size, .. } => write!(f, "Reader(size: {size:?})"),
        }
    }
}

/// Where a call's output bytes go instead of inline JSON.
pub struct ByteOutput {
    /// Written as the call goes.
    pub writer: Box<dyn Write + Send>,
    /// How the output names it (`{"file": label, "length": n}`).
    pub label: String,
}

impl std::fmt::Debug for ByteOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteOutput").field("label", &self.label).finish_non_exhaustive()
    }
}

/// The bytes of a call that do not travel as JSON.
#[derive(Debug, Default)]
pub struct Transfers {
    /// Streamed inputs by name (`fileContents`, `fileChunk`).
    pub inputs: HashMap<String, ByteInput>,
    /// Where output bytes go; inline when absent.
    pub output: Option<ByteOutput>,
    /// Bytes read from inputs and written to the output so far.
    pub progress: Counter,
    /// The largest the component's linear memory grew to, in bytes.
    pub memory_peak: Counter,
    /// Notices the output carried apart from its value (listObjects: "more
    /// keys follow"); `s3-host call` prints them on stderr.
    pub notices: Arc<std::sync::Mutex<Vec<String>>>,
}

/// The memory cap, recording how far memory grew and whether the cap was hit.
struct Limits {
    inner: StoreLimits,
    peak: u64,
    capped: bool,
}

impl wasmtime::ResourceLimiter for Limits {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if allowed {
            self.peak = self.peak.max(desired as u64);
        } else {
            self.capped = true;
        }
        Ok(allowed)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }
}

enum SinkHandle {
    Memory(std::sync::Arc<std::sync::Mutex<Vec<u8>>>),
    Writer { join: WriterJoin, label: String },
}

/// Per-execution state.
struct State {
    table: ResourceTable,
    http: WasiHttpCtx,
    hooks: Hooks,
    limits: Limits,
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

impl wasmtime_wasi_io::IoView for State {
    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// The call ran and failed: the component's typed error, or an input the
    /// bridge rejected, as the JSON `{"kind", "code", "message", ...}`.
    Failed(Value),
    /// The call cannot be made as asked (an unknown key, no connection at all);
    /// shaped like `Failed`.
    Usage(Value),
    /// The host could not run the call (trap, deadline, bad component).
    Host(anyhow::Error),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed(v) | Self::Usage(v) => write!(f, "{v}"),
            Self::Host(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for CallError {}

impl CallError {
    /// An input the host refused before calling the component, shaped like the
    /// component's own `invalid-input` errors.
    pub fn invalid_input(code: &str, message: String) -> Self {
        Self::Failed(json!({ "kind": "invalid-input", "code": code, "message": message, "retryable": false }))
    }

    /// The error as the CLI prints it: `{"error": {...}}`. Service errors also
    /// carry `name` and `$metadata.httpStatusCode`, as AWS SDK errors do.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Failed(v) => {
                let mut e = v.clone();
                if let (Some(map), Some(status)) = (e.as_object_mut(), v.get("httpStatus").filter(|s| !s.is_null())) {
                    map.insert("name".into(), v["code"].clone());
                    map.insert("$metadata".into(), json!({ "httpStatusCode": status, "requestId": v.get("requestId") }));
                }
                json!({ "error": e })
            }
            Self::Usage(v) => json!({ "error": v }),
            Self::Host(e) => json!({ "error": { "kind": "host", "code": "HostError", "message": format!("{e:#}") } }),
        }
    }
}

/// The loaded component, ready to run calls.
pub struct Host {
    engine: Engine,
    pre: InstancePre<State>,
    imports: Vec<String>,
    config: HostConfig,
    certificates: crate::hooks::CertificateCache,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Host {
    /// Load (or compile and cache) the component and link its imports.
    pub fn new(config: HostConfig) -> Result<Self> {
        let mut wasm_config = Config::new();
        wasm_config.wasm_component_model(true).epoch_interruption(true);
        let engine = Engine::new(&wasm_config)?;
        let component = load_component(&engine, &config.component, config.cache_dir.as_deref())?;
        let mut linker: Linker<State> = Linker::new(&engine);
        wasmtime_wasi_io::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        add_wall_clock(&mut linker)?;
        add_secrets(&mut linker)?;
        let pre = linker.instantiate_pre(&component).map_err(anyhow::Error::from).context(
            "the component imports something this host does not provide (it provides wasi:http, wasi:io, wasi:clocks/wall-clock and connector:aws-s3/secrets)",
        )?;
        let imports = component.component_type().imports(&engine).map(|(name, _)| name.to_owned()).collect();
        let weak = engine.weak();
        std::thread::spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        });
        Ok(Self { engine, pre, imports, config, certificates: crate::hooks::CertificateCache::default() })
    }

    /// Run the operation `key` with a JSON input and connection. Bytes in the
    /// output are rendered inline (text, or `{"base64": ...}`).
    pub async fn call(&self, key: &str, input: &Value, connection: Option<&Value>) -> Result<Value, CallError> {
        self.call_with(key, input, connection, Transfers::default()).await
    }

    /// Like [`Host::call`], with binary inputs given out of band and a
    /// destination for output bytes. The call runs in an execution of its own.
    pub async fn call_with(&self, key: &str, input: &Value, connection: Option<&Value>, transfers: Transfers) -> Result<Value, CallError> {
        let mut execution = self.execution().await?;
        let result = execution.call(key, input, connection, transfers).await;
        execution.finish().await;
        result
    }

    /// A fresh execution (store and instance) to run one call or a flow of calls.
    pub async fn execution(&self) -> Result<Execution<'_>, CallError> {
        let state = State {
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            hooks: Hooks {
                egress: Egress::none(),
                log: self.config.request_log.clone(),
                faults: self.config.faults.clone(),
                sender: Sender {
                    policy: AddressPolicy { allow_private: self.config.allow_private_addresses },
                    resolver: self.config.resolver.clone(),
                    max_connect: self.config.max_connect,
                },
                sns_redirect: self.config.sns_redirect.clone(),
                certificates: self.certificates.clone(),
            },
            limits: Limits { inner: StoreLimitsBuilder::new().memory_size(self.config.memory_limit).build(), peak: 0, capped: false },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(1);
        store.epoch_deadline_async_yield_and_update(1);
        let instance = self.pre.instantiate_async(&mut store).await.map_err(host)?;
        Ok(Execution { host: self, store, instance, handles: HashMap::new(), dead: None })
    }

    /// The names of the interfaces the component imports.
    pub fn imports(&self) -> Vec<String> {
        self.imports.clone()
    }
}

/// One store and instance: the calls of a flow run in it one after another,
/// and resources the component exports (upload streams) live in it between
/// calls, named by ids. [`Execution::finish`] drops those that are left, which
/// lets the component clean up (abort an unclosed upload). A trap or a
/// deadline ends the execution: later calls in it fail.
pub struct Execution<'h> {
    host: &'h Host,
    store: Store<State>,
    instance: wasmtime::component::Instance,
    handles: HashMap<String, ResourceAny>,
    dead: Option<String>,
}

impl std::fmt::Debug for Execution<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Execution")
            .field("handles", &self.handles.keys().collect::<Vec<_>>())
            .field("dead", &self.dead)
            .finish_non_exhaustive()
    }
}

impl Execution<'_> {
    /// Run the operation `key` in this execution.
    pub async fn call(&mut self, key: &str, input: &Value, connection: Option<&Value>, transfers: Transfers) -> Result<Value, CallError> {
        let op = catalog::find(key).ok_or_else(|| {
            let keys: Vec<&str> = catalog::OPERATIONS.iter().map(|o| o.key).collect();
            CallError::Usage(json!({
                "kind": "invalid-input", "code": "UnknownAction", "retryable": false,
                "message": format!("There is no action or data source {key:?}. Known keys: {}.", keys.join(", ")),
            }))
        })?;
        if let Some(why) = &self.dead {
            return Err(host(anyhow::anyhow!("this execution ended earlier ({why}); start a new one")));
        }
        // The deadline is for silence, not for size: a call whose streams keep
        // moving bytes gets another `timeout` after each one in which they moved.
        let timeout = self.host.config.call_timeout;
        let min_progress = self.host.config.min_progress_bytes.max(1);
        let progress = transfers.progress.clone();
        let outcome = {
            let run = self.run(op, input, connection, transfers);
            tokio::pin!(run);
            let mut seen = progress.load(std::sync::atomic::Ordering::Relaxed);
            loop {
                match tokio::time::timeout(timeout, &mut run).await {
                    Ok(result) => break Some(result),
                    Err(_) => {
                        // A trickle (a byte now and then) is not progress.
                        let now = progress.load(std::sync::atomic::Ordering::Relaxed);
                        if now.saturating_sub(seen) < min_progress {
                            break None;
                        }
                        seen = now;
                    }
                }
            }
        };
        outcome.unwrap_or_else(|| {
            self.dead = Some("a call ran past its deadline".into());
            Err(CallError::Host(anyhow::anyhow!(
                "the call did not finish within {timeout:?} (and its transfer moved less than {min_progress} bytes in the last {timeout:?}) and was stopped"
            )))
        })
    }

    /// End the execution: drop the resources still open (within the call deadline).
    pub async fn finish(mut self) {
        if self.dead.is_some() {
            return;
        }
        let timeout = self.host.config.call_timeout;
        let handles: Vec<ResourceAny> = self.handles.drain().map(|(_, h)| h).collect();
        let store = &mut self.store;
        let _ = tokio::time::timeout(timeout, async move {
            for handle in handles {
                if handle.resource_drop_async(&mut *store).await.is_err() {
                    break;
                }
            }
        })
        .await;
    }

    async fn run(
        &mut self,
        op: &Operation,
        input: &Value,
        connection: Option<&Value>,
        mut transfers: Transfers,
    ) -> Result<Value, CallError> {
        let config = &self.host.config;
        let store = &mut self.store;
        let func = self
            .instance
            .get_export_index(&mut *store, None, op.instance)
            .and_then(|i| self.instance.get_export_index(&mut *store, Some(&i), op.function))
            .and_then(|f| self.instance.get_func(&mut *store, f))
            .ok_or_else(|| host(anyhow::anyhow!("the component does not export {}#{}", op.instance, op.function)))?;
        let ty = func.ty(&*store);
        // The seed's per-call credential and region inputs shape the connection
        // (and so the egress policy) of operations that take one.
        let mut input = input.clone();
        let connection = match (input.as_object_mut(), ty.params().any(|(n, _)| n == bridge::CONNECTION_PARAM)) {
            (Some(fields), true) => {
                crate::connection::for_call(connection, fields).map_err(|e| CallError::invalid_input(e.code, e.message))?
            }
            _ => connection.cloned(),
        };
        let (input, connection) = (&input, connection.as_ref());
        let mut egress = config.egress_override.clone().unwrap_or_else(|| Egress::for_connection(connection));
        if op.is_webhook() {
            egress.extend(Egress::sns_hosts());
        }
        store.data_mut().hooks.egress.extend(egress);

        // Streamed parameters become wasi:io streams in this execution's table.
        let mut inputs: HashMap<String, ByteInput> =
            transfers.inputs.drain().map(|(k, v)| (if k.contains('-') { convert(&k, Style::Camel) } else { k }, v)).collect();
        let out_of_band: Vec<String> = inputs.keys().cloned().collect();
        let mut sink: Option<(String, SinkHandle)> = None;
        // What the host lends to the call (streams, secrets), and how to take each back.
        let mut lent: Vec<(ResourceAny, Close)> = Vec::new();
        let handles = &mut self.handles;
        let memory_limit = config.memory_limit;
        let node_buffers = config.node_buffers;
        let params = bridge::params(&ty, input, connection, &out_of_band, &mut |bind| match bind {
            Bind::Source { name, inline } => {
                let (given, content_type) = match inline {
                    Some((bytes, content_type)) => (ByteInput::Bytes(bytes), Some(content_type)),
                    None => (inputs.remove(name).ok_or_else(|| anyhow::anyhow!("no bytes were given"))?, None),
                };
                let (stream, size): (DynInputStream, Option<u64>) = match given {
                    ByteInput::Bytes(bytes) => {
                        let size = bytes.len() as u64;
                        (Box::new(MemorySource::new(bytes)), Some(size))
                    }
                    ByteInput::Reader { reader, size } => (Box::new(ReaderSource::spawn(reader, transfers.progress.clone())), size),
                };
                let any = lend(store, &mut lent, stream)?;
                let size = Val::Option(size.map(|s| Box::new(Val::U64(s))));
                let content_type = Val::Option(content_type.map(|t| Box::new(Val::String(t.into()))));
                Ok(Val::Record(vec![("stream".into(), Val::Resource(any)), ("size".into(), size), ("content-type".into(), content_type)]))
            }
            Bind::Sink { name } => {
                let (stream, handle): (DynOutputStream, SinkHandle) = match transfers.output.take() {
                    Some(ByteOutput { writer, label }) => {
                        let (s, join) = WriterSink::spawn(writer, transfers.progress.clone());
                        (Box::new(s), SinkHandle::Writer { join, label })
                    }
                    None => {
                        let (s, data) = MemorySink::new(memory_limit);
                        (Box::new(s), SinkHandle::Memory(data))
                    }
                };
                sink = Some((name.to_owned(), handle));
                Ok(Val::Resource(lend(store, &mut lent, stream)?))
            }
            Bind::Secret(secret) => Ok(Val::Resource(lend(store, &mut lent, secret)?)),
            Bind::Handle { name, id, owned } => {
                let found = if owned { handles.remove(id) } else { handles.get(id).copied() };
                let found = found.ok_or_else(|| {
                    bridge::InputError::coded(
                        "UnknownUploadStream",
                        format!("Input {name}: no upload stream {id:?} is open in this execution (it must be an id that createUploadStream returned earlier in the same flow, and not closed since)"),
                    )
                })?;
                Ok(Val::Resource(found))
            }
        })
        .map_err(|e| match e.code {
            "MissingConnection" => {
                CallError::Usage(json!({ "kind": "invalid-connection", "code": e.code, "message": e.message, "retryable": false }))
            }
            code => CallError::invalid_input(code, e.message),
        })?;
        let result_ty = ty.results().next().ok_or_else(|| host(anyhow::anyhow!("{} returns nothing", op.key)))?;
        let mut results = vec![Val::Bool(false)];
        let called = func.call_async(&mut *store, &params, &mut results).await;
        transfers.memory_peak.store(store.data().limits.peak, std::sync::atomic::Ordering::Relaxed);
        if let Err(e) = called {
            let mut why = format!("the component trapped in {}; the execution was discarded", op.key);
            if store.data().limits.capped {
                why.push_str(&format!(
                    ": it reached its memory cap of {} MiB (raise it with --memory-mib, or lower transfer.partsInFlight or transfer.partSizeMib)",
                    memory_limit >> 20
                ));
            }
            self.dead = Some(format!("the component trapped in {}", op.key));
            return Err(host(anyhow::Error::from(e).context(why)));
        }
        drop(params);
        // What was lent ends with the call: a file being written is finished.
        for (any, close) in lent {
            close(store, any).map_err(host)?;
        }
        let streamed = match sink {
            Some((name, SinkHandle::Memory(data))) => {
                let bytes = std::mem::take(&mut *data.lock().expect("output"));
                Some((name, if node_buffers { bridge::node_buffer(&bytes) } else { bridge::inline_bytes(bytes) }))
            }
            Some((name, SinkHandle::Writer { join, label })) => {
                let written = join.join().map_err(|_| host(anyhow::anyhow!("the output writer panicked")))?;
                written.map_err(|e| host(anyhow::anyhow!("cannot write {label}: {e}")))?;
                let length = transfers.progress.load(std::sync::atomic::Ordering::Relaxed);
                Some((name, json!({ "file": label, "length": length })))
            }
            None => None,
        };

        let result = results.pop().unwrap_or(Val::Bool(false));
        let (ok, ok_ty) = match (result, &result_ty) {
            (Val::Result(Err(err)), wasmtime::component::Type::Result(rt)) => {
                let err_json = match (err, rt.err()) {
                    (Some(v), Some(t)) => bridge::to_json(&v, &t, Render::Camel).map_err(host)?,
                    _ => Value::Null,
                };
                return Err(CallError::Failed(err_json));
            }
            (Val::Result(Ok(v)), wasmtime::component::Type::Result(rt)) => match (v, rt.ok()) {
                (Some(v), Some(t)) => (*v, t),
                _ => (Val::Option(None), result_ty.clone()),
            },
            (v, t) => (v, t.clone()),
        };
        // A resource the component hands out stays here; the caller gets its id.
        let ok = match ok {
            Val::Resource(any) => {
                let id = uuid::Uuid::new_v4().to_string();
                self.handles.insert(id.clone(), any);
                Val::String(id)
            }
            other => other,
        };
        // An operation that streams bytes out is its own envelope: the bytes
        // under the stream's name, then the record's fields (getObject's shape).
        if let Some((name, bytes)) = streamed {
            let rest = bridge::to_json(&ok, &ok_ty, Render::Envelope).map_err(host)?;
            let mut out = serde_json::Map::new();
            out.insert(name, bytes);
            if let Value::Object(fields) = rest {
                out.extend(fields);
            }
            return Ok(Value::Object(out));
        }
        transfers.notices.lock().expect("notices").extend(bridge::notices(&ok, &ok_ty));
        let render = if op.output_is_aws() { Render::Aws } else { Render::Camel };
        let body = bridge::to_json(&ok, &ok_ty, render).map_err(host)?;
        Ok(match op.envelope_key() {
            Some(key) => json!({ key: body }),
            None => body,
        })
    }
}

/// Replace `path` with `bytes` so that a crash at any moment leaves either
/// the old or the new contents: a temporary file beside it, synced, then
/// renamed over it, then the directory synced.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    std::fs::File::open(dir)?.sync_all()
}

/// A file to upload (`-` is stdin) and its size when known.
pub fn open_input(path: &str) -> Result<(Box<dyn std::io::Read + Send>, Option<u64>), String> {
    if path == "-" {
        return Ok((Box::new(std::io::stdin()), None));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let meta = file.metadata().map_err(|e| format!("cannot read {path}: {e}"))?;
    if meta.is_dir() {
        return Err(format!("{path} is a directory, not a file"));
    }
    Ok((Box::new(file), meta.is_file().then_some(meta.len())))
}

/// How the host takes back what it lent to a call.
type Close = fn(&mut Store<State>, ResourceAny) -> wasmtime::Result<()>;

/// Put `value` in the execution's table for a call, noting in `lent` how to
/// take it back when the call returns.
fn lend<T: Send + 'static>(store: &mut Store<State>, lent: &mut Vec<(ResourceAny, Close)>, value: T) -> wasmtime::Result<ResourceAny> {
    let resource = store.data_mut().table.push(value)?;
    let any = ResourceAny::try_from_resource(resource, &mut *store)?;
    lent.push((any, close::<T>));
    Ok(any)
}

/// Take a stream or secret the host lent to a call back out of the
/// execution's table and drop it (a file sink's thread then finishes).
fn close<T: Send + 'static>(store: &mut Store<State>, any: ResourceAny) -> wasmtime::Result<()> {
    let resource = any.try_into_resource::<T>(&mut *store)?;
    store.data_mut().table.delete(resource)?;
    Ok(())
}

fn host(e: impl Into<anyhow::Error>) -> CallError {
    CallError::Host(e.into())
}

/// `wasi:clocks/wall-clock`: the only clock the component reads (to sign).
fn add_wall_clock(linker: &mut Linker<State>) -> Result<()> {
    let mut clock = linker.instance("wasi:clocks/wall-clock@0.2.12")?;
    let datetime = |secs: u64, nanos: u32| Val::Record(vec![("seconds".into(), Val::U64(secs)), ("nanoseconds".into(), Val::U32(nanos))]);
    clock.func_new("now", move |_, _, _, results| {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        results[0] = datetime(now.as_secs(), now.subsec_nanos());
        Ok(())
    })?;
    clock.func_new("resolution", move |_, _, _, results| {
        results[0] = datetime(0, 1);
        Ok(())
    })?;
    Ok(())
}

/// `connector:aws-s3/secrets`: the connection's secrets stay in the host's
/// table; the component reads one when it signs.
fn add_secrets(linker: &mut Linker<State>) -> Result<()> {
    let mut secrets = linker.instance("connector:aws-s3/secrets@0.1.0")?;
    secrets.resource("secret", ResourceType::host::<Secret>(), |mut store, rep| {
        store.data_mut().table.delete(Resource::<Secret>::new_own(rep))?;
        Ok(())
    })?;
    secrets.func_wrap("[method]secret.reveal", |store, (secret,): (Resource<Secret>,)| {
        Ok((store.data().table.get(&secret)?.reveal().to_owned(),))
    })?;
    Ok(())
}

/// Compile the component, or load it from the cache. The cache key covers the
/// component's bytes and the engine's version and settings, so a stale
/// artifact is never loaded.
fn load_component(engine: &Engine, path: &Path, cache_dir: Option<&Path>) -> Result<Component> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the component at {}: build it with `./x build` (or point --component / S3_HOST_COMPONENT at it)",
            path.display()
        )
    })?;
    let Some(dir) = cache_dir else { return Ok(Component::new(engine, &bytes)?) };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let digest = Sha256::new().chain_update(&bytes).chain_update(hasher.finish().to_le_bytes()).finalize();
    let cached = dir.join(format!("{}.cwasm", hex::encode(&digest[..16])));
    if cached.exists() {
        // SAFETY: the file was written by `Component::serialize` of this very
        // engine configuration (the name hashes both), in a directory of ours.
        #[expect(unsafe_code, reason = "loading our own precompiled artifact")]
        let loaded = unsafe { Component::deserialize_file(engine, &cached) };
        if let Ok(component) = loaded {
            return Ok(component);
        }
    }
    let component = Component::new(engine, &bytes)?;
    if let Ok(serialized) = component.serialize() {
        // Best effort: a read-only cache only costs compile time.
        let _ = std::fs::create_dir_all(dir).and_then(|()| {
            let tmp = tempfile::NamedTempFile::new_in(dir)?;
            std::fs::write(tmp.path(), &serialized)?;
            tmp.persist(&cached).map(drop).map_err(|e| e.error)
        });
    }
    Ok(component)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_are_replaced_whole_with_nothing_left_beside_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("poll.state");
        write_atomically(&path, b"{\"a\": 1}").unwrap();
        write_atomically(&path, b"{\"b\": 2}").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"b\": 2}");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, [std::ffi::OsString::from("poll.state")], "no temporary file left");
        assert!(write_atomically(&dir.path().join("missing/dir/x"), b"x").is_err());
    }

    #[test]
    fn inputs_are_files_of_known_size_or_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("in.bin");
        std::fs::write(&file, b"12345").unwrap();
        let (_, size) = open_input(file.to_str().unwrap()).unwrap();
        assert_eq!(size, Some(5));
        assert!(matches!(open_input("-"), Ok((_, None))));
        let missing = open_input("/nonexistent/file").err().unwrap();
        assert!(missing.contains("cannot read /nonexistent/file"), "{missing}");
        let directory = open_input(dir.path().to_str().unwrap()).err().unwrap();
        assert!(directory.contains("is a directory"), "{directory}");
    }
}
