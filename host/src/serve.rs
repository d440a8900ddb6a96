//! `s3-host serve`: an HTTP server for the SNS webhook trigger. Each request
//! runs `snsS3NotificationWebhook` in a fresh execution, with bounded
//! concurrency, a body size limit and a deadline; the component decides the
//! answer, and each accepted message's payload is written as a JSON line.

use crate::{CallError, Host};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Largest request body accepted (SNS messages are at most 256 KiB).
    pub max_body: usize,
    /// Requests handled at once; more wait their turn.
    pub max_concurrent: usize,
    /// The longest one request may take.
    pub deadline: Duration,
    /// Accept only messages of this topic.
    pub expected_topic_arn: Option<String>,
    /// Refuse messages older than this many seconds (the component's default: 3600).
    pub max_age_seconds: Option<u32>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self { max_body: 256 << 10, max_concurrent: 16, deadline: Duration::from_secs(30), expected_topic_arn: None, max_age_seconds: None }
    }
}

/// Where accepted payloads go, one JSON line each.
pub type Sink = Arc<Mutex<Box<dyn Write + Send>>>;

/// Serve on `listener` until the task is dropped.
pub async fn run(host: Arc<Host>, listener: TcpListener, options: ServeOptions, sink: Sink) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(options.max_concurrent.max(1)));
    let options = Arc::new(options);
    loop {
        let (stream, _) = listener.accept().await?;
        let (host, options, sink, permits) = (host.clone(), options.clone(), sink.clone(), permits.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let (host, options, sink, permits) = (host.clone(), options.clone(), sink.clone(), permits.clone());
                async move { Ok::<_, std::convert::Infallible>(handle(&host, &options, &sink, &permits, req).await) }
            });
            // A broken connection ends only itself.
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn answer(status: u16, text: &str) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(format!("{text}\n"))))
        .expect("a plain response")
}

async fn handle(
    host: &Host,
    options: &ServeOptions,
    sink: &Sink,
    permits: &Semaphore,
    req: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let Ok(_permit) = permits.acquire().await else { return answer(503, "shutting down") };
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, options.max_body).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return answer(413, &format!("the body is larger than {} bytes", options.max_body));
        }
        Err(_) => return answer(400, "the body could not be read"),
    };
    let Ok(body) = String::from_utf8(body.to_vec()) else { return answer(400, "the body is not UTF-8 text") };
    let headers: Map<String, Value> =
        parts.headers.iter().filter_map(|(k, v)| Some((k.as_str().to_owned(), Value::String(v.to_str().ok()?.to_owned())))).collect();
    let mut input = json!({ "request": { "method": parts.method.as_str(), "headers": headers, "body": body } });
    if let Some(topic) = &options.expected_topic_arn {
        input["expectedTopicArn"] = json!(topic);
    }
    if let Some(age) = options.max_age_seconds {
        input["maxAgeSeconds"] = json!(age);
    }
    let outcome = match tokio::time::timeout(options.deadline, host.call("snsS3NotificationWebhook", &input, None)).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => {
            // A guest failure or trap ends that request, never the server.
            let code = match &e {
                CallError::Failed(err) => err["code"].as_str().unwrap_or("Failed").to_owned(),
                _ => "HostError".to_owned(),
            };
            return answer(500, &format!("the webhook failed ({code})"));
        }
        Err(_) => return answer(504, "the webhook did not finish in time"),
    };
    let status = outcome["response"]["statusCode"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(500);
    let text = outcome["response"]["body"].as_str().unwrap_or_default();
    if let (Some(branch), Some(payload)) = (outcome["branch"].as_str(), outcome.get("payload").filter(|p| !p.is_null())) {
        let line = json!({ "branch": branch, "payload": payload });
        let mut out = sink.lock().expect("payload sink");
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return answer(500, "the payload could not be written");
        }
    }
    answer(status, text)
}
