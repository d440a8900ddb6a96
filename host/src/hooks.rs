//! The `wasi:http` send hook: the egress policy by name, the request log and
//! fault injection (tests), then [`crate::sender`], which checks the resolved
//! addresses before it connects.

use http::Uri;
use http_body_util::BodyExt as _;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// Where an execution may send requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Egress {
    /// `(host pattern, port)`; a pattern is an exact host or `*.suffix`.
    allowed: Vec<(String, u16)>,
}

impl Egress {
    /// Nothing at all (data sources that need no network).
    pub fn none() -> Self {
        Self { allowed: Vec::new() }
    }

    /// Exactly these `(host pattern, port)` pairs.
    pub fn hosts(allowed: Vec<(String, u16)>) -> Self {
        Self { allowed }
    }

    /// What a connection needs: its endpoint (and bucket subdomains of it),
    /// or, without one, the AWS S3 hosts of its region.
    pub fn for_connection(conn: Option<&Value>) -> Self {
        let Some(conn) = conn else { return Self::none() };
        // The bridge accepts camelCase and WIT names alike, and so does this.
        // Read as the bridge hands them to the component: numbers and booleans as text.
        let text = |camel: &str, wit: &str| {
            let value = conn.get(camel).or_else(|| conn.get(wit))?;
            let text = match value {
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            (!text.is_empty()).then_some(text)
        };
        if let Some(url) = text("endpointUrl", "endpoint-url") {
            return match url.parse::<Uri>() {
                Ok(uri) if uri.host().is_some() => {
                    let host = uri.host().unwrap_or_default().to_ascii_lowercase();
                    let port = port_of(&uri);
                    // Bucket subdomains exist only under a name: `bkt.127.0.0.1`
                    // would be resolved by whoever answers DNS for it.
                    if host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok() {
                        return Self::hosts(vec![(host, port)]);
                    }
                    Self::hosts(vec![(host.clone(), port), (format!("*.{host}"), port)])
                }
                _ => Self::none(),
            };
        }
        let region = text("region", "region").unwrap_or_else(|| "us-east-1".to_owned()).to_ascii_lowercase();
        // The region's STS and SNS hosts too: assume-role connections,
        // getCurrentAccount and the SNS actions.
        let mut allowed = vec![
            (format!("s3.{region}.amazonaws.com"), 443),
            (format!("*.s3.{region}.amazonaws.com"), 443),
            (format!("sts.{region}.amazonaws.com"), 443),
            (format!("sns.{region}.amazonaws.com"), 443),
        ];
        if region == "us-east-1" {
            allowed.extend([("s3.amazonaws.com".to_owned(), 443), ("*.s3.amazonaws.com".to_owned(), 443)]);
        }
        Self::hosts(allowed)
    }

    /// SNS's endpoints in every region (`sns.REGION.amazonaws.com[.cn]`, 443):
    /// where a webhook fetches signing certificates and confirms subscriptions.
    pub fn sns_hosts() -> Self {
        Self::hosts(vec![("sns.*.amazonaws.com".into(), 443), ("sns.*.amazonaws.com.cn".into(), 443)])
    }

    /// Also allow what `other` allows (a flow that uses several connections).
    pub fn extend(&mut self, other: Egress) {
        for rule in other.allowed {
            if !self.allowed.contains(&rule) {
                self.allowed.push(rule);
            }
        }
    }

    /// Whether a request to `uri` may go out.
    pub fn allows(&self, uri: &Uri) -> bool {
        let Some(host) = uri.host().map(str::to_ascii_lowercase) else { return false };
        let port = port_of(uri);
        self.allowed.iter().any(|(pattern, p)| *p == port && matches_host(pattern, &host))
    }
}

/// Whether `host` matches `pattern`: exact, `*.suffix` (any subdomain), or
/// `prefix.*.suffix` (exactly one label of letters, digits and `-` in between).
fn matches_host(pattern: &str, host: &str) -> bool {
    match pattern.split_once('*') {
        None => host == pattern,
        Some(("", suffix)) => host.strip_suffix(suffix).is_some_and(|labels| !labels.is_empty() && !labels.ends_with('.')),
        Some((prefix, suffix)) => host
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')),
    }
}

/// Where a test host sends the SNS requests of a webhook (certificates,
/// subscription confirmations) instead of SNS: trust for tests comes from
/// host configuration, never from a message. Production leaves it unset.
#[derive(Debug, Clone)]
pub struct SnsRedirect {
    /// Base URL that replaces `https://sns.REGION.amazonaws.com`, e.g. `http://127.0.0.1:5000`.
    pub base: String,
    /// Headers to add (moto serves its certificate only to an SNS-scoped `Authorization`).
    pub headers: Vec<(String, String)>,
}

impl SnsRedirect {
    fn apply(&self, request: &mut http::Request<WasiBody>) {
        let path = request.uri().path_and_query().map_or("/", http::uri::PathAndQuery::as_str).to_owned();
        if let Ok(uri) = format!("{}{path}", self.base.trim_end_matches('/')).parse() {
            *request.uri_mut() = uri;
        }
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (http::HeaderName::try_from(name.as_str()), http::HeaderValue::try_from(value.as_str())) {
                request.headers_mut().insert(name, value);
            }
        }
    }
}

/// SNS signing certificates fetched by this process, by URL: each is fetched once.
#[derive(Debug, Clone, Default)]
pub struct CertificateCache(Arc<Mutex<std::collections::HashMap<String, bytes::Bytes>>>);

impl CertificateCache {
    /// The certificate cached for `url`.
    pub fn get(&self, url: &str) -> Option<bytes::Bytes> {
        self.0.lock().expect("certificate cache").get(url).cloned()
    }

    fn put(&self, url: String, pem: bytes::Bytes) {
        self.0.lock().expect("certificate cache").insert(url, pem);
    }
}

/// A response with this body, for a cached certificate.
fn ok_response(body: bytes::Bytes) -> http::Response<WasiBody> {
    let body = http_body_util::Full::new(body).map_err(|never| match never {}).boxed_unsync();
    http::Response::builder().status(200).body(body).expect("a static response")
}

fn port_of(uri: &Uri) -> u16 {
    uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 })
}

/// One request the component tried to send (method and URL only: no headers,
/// so no credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The full URL.
    pub uri: String,
    /// Whether the egress policy let it through.
    pub allowed: bool,
}

/// Shared log of requests, for tests and `--verbose`.
pub type RequestLog = Arc<Mutex<Vec<LoggedRequest>>>;

/// What an injected fault does to a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultAction {
    /// The connection breaks before an answer arrives.
    Break,
    /// One byte of the request body is flipped on its way to the server.
    CorruptRequest,
    /// One byte of the answer's body is flipped on its way to the component.
    CorruptResponse,
}

/// One fault: the `nth` request (1-based) whose method and URL contain
/// `matching` gets `action`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// A substring of `METHOD URL`, e.g. `PUT` or `partNumber=3`.
    pub matching: String,
    /// Which matching request to hit (1 = the first).
    pub nth: usize,
    /// What happens to it.
    pub action: FaultAction,
}

/// Faults to inject, shared by the executions of a host (tests only; none by default).
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<(Fault, usize)>>>);

impl Faults {
    /// These faults, each counting its own matches.
    pub fn new(faults: Vec<Fault>) -> Self {
        Self(Arc::new(Mutex::new(faults.into_iter().map(|f| (f, 0)).collect())))
    }

    fn hit(&self, method: &str, uri: &str) -> Option<FaultAction> {
        let line = format!("{method} {uri}");
        let mut faults = self.0.lock().expect("faults");
        faults.iter_mut().find_map(|(fault, seen)| {
            if !line.contains(&fault.matching) {
                return None;
            }
            *seen += 1;
            (*seen == fault.nth).then_some(fault.action)
        })
    }
}

/// The hooks of one execution.
#[derive(Debug)]
pub struct Hooks {
    /// Where requests may go.
    pub egress: Egress,
    /// Where to record requests, if anywhere.
    pub log: Option<RequestLog>,
    /// Faults to inject.
    pub faults: Faults,
    /// Resolves, checks the addresses, connects and sends.
    pub sender: crate::sender::Sender,
    /// Where SNS requests go instead (tests only).
    pub sns_redirect: Option<SnsRedirect>,
    /// SNS certificates already fetched by this process.
    pub certificates: CertificateCache,
}

/// Flip the first byte of the first non-empty data frame of a body.
fn corrupt(body: WasiBody) -> WasiBody {
    let mut done = false;
    body.map_frame(move |frame| match frame.into_data() {
        Ok(data) if !done && !data.is_empty() => {
            done = true;
            let mut bytes = data.to_vec();
            bytes[0] ^= 0xff;
            hyper::body::Frame::data(bytes::Bytes::from(bytes))
        }
        Ok(data) => hyper::body::Frame::data(data),
        Err(frame) => frame,
    })
    .boxed_unsync()
}

type SendFuture = Box<
    dyn Future<Output = wasmtime_wasi_http::Result<(http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>)>> + Send,
>;

/// Largest write the component may make to a request body at once. Smaller
/// than wasi-http's 1 MiB default: with several parts in flight, each body's
/// buffered chunk is host memory on top of the parts the component holds.
const BODY_CHUNK: usize = 256 << 10;

impl WasiHttpHooks for Hooks {
    fn p2_outgoing_body_chunk_size(&mut self) -> usize {
        BODY_CHUNK
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> SendFuture {
        let allowed = self.egress.allows(request.uri());
        if let Some(log) = &self.log {
            log.lock().expect("request log").push(LoggedRequest {
                method: request.method().to_string(),
                uri: request.uri().to_string(),
                allowed,
            });
        }
        if !allowed {
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        // Like the stock sender, errors are reported through the returned future only.
        drop(fut);
        let sender = self.sender.clone();
        let mut request = request;
        let sns = Egress::sns_hosts().allows(request.uri());
        // SNS certificates are cached by their URL, as the policy saw it.
        let certificate =
            (sns && request.method() == http::Method::GET && request.uri().path().ends_with(".pem")).then(|| request.uri().to_string());
        if let Some(pem) = certificate.as_deref().and_then(|url| self.certificates.get(url)) {
            return Box::new(async move { Ok((ok_response(pem), Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>)) });
        }
        if sns && let Some(redirect) = &self.sns_redirect {
            redirect.apply(&mut request);
        }
        if let Some(url) = certificate {
            let cache = self.certificates.clone();
            return Box::new(async move {
                let (resp, io) = sender.send(request, options).await?;
                if resp.status() != http::StatusCode::OK {
                    return Ok((resp, io));
                }
                // Certificates are small: read at most 64 KiB, keep it for the process.
                let (parts, body) = resp.into_parts();
                let body =
                    http_body_util::Limited::new(body, 64 << 10).collect().await.map_err(|_| Error::HttpResponseBodySize(None))?.to_bytes();
                cache.put(url, body.clone());
                Ok((http::Response::from_parts(parts, ok_response(body).into_body()), io))
            });
        }
        match self.faults.hit(request.method().as_str(), &request.uri().to_string()) {
            None => Box::new(async move { sender.send(request, options).await }),
            Some(FaultAction::Break) => Box::new(async { Err(Error::ConnectionTerminated) }),
            Some(FaultAction::CorruptRequest) => Box::new(async move { sender.send(request.map(corrupt), options).await }),
            Some(FaultAction::CorruptResponse) => Box::new(async move {
                let (resp, io) = sender.send(request, options).await?;
                Ok((resp.map(corrupt), io))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn endpoint_connections_reach_only_their_endpoint() {
        let e = Egress::for_connection(Some(&json!({"endpointUrl": "http://127.0.0.1:9000"})));
        assert!(e.allows(&uri("http://127.0.0.1:9000/b/k")));
        assert!(!e.allows(&uri("http://127.0.0.1:9001/b/k")));
        assert!(!e.allows(&uri("http://169.254.169.254/latest/meta-data")));
        let e = Egress::for_connection(Some(&json!({"endpoint-url": "https://minio.example.com"})));
        assert!(e.allows(&uri("https://bkt.minio.example.com/k")));
        assert!(!e.allows(&uri("https://minio.example.com.evil.net/k")));
        assert!(!e.allows(&uri("https://xminio.example.com/k")));
    }

    #[test]
    fn ip_endpoints_get_no_bucket_subdomains_and_regions_read_like_the_component() {
        let e = Egress::for_connection(Some(&json!({"endpointUrl": "http://127.0.0.1:9000"})));
        assert!(!e.allows(&uri("http://rec.127.0.0.1:9000/k")));
        assert!(e.allows(&uri("http://127.0.0.1:9000/k")));
        // A number is text to the component too: region "5", not the default.
        let e = Egress::for_connection(Some(&json!({"region": 5})));
        assert!(e.allows(&uri("https://s3.5.amazonaws.com/")));
        assert!(!e.allows(&uri("https://s3.us-east-1.amazonaws.com/")));
    }

    #[test]
    fn sns_hosts_are_one_region_label_wide() {
        let sns = Egress::sns_hosts();
        assert!(sns.allows(&uri("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem")));
        assert!(sns.allows(&uri("https://sns.cn-north-1.amazonaws.com.cn/x.pem")));
        for refused in [
            "https://sns.evil.example.amazonaws.com/",
            "https://sns..amazonaws.com/",
            "https://sns.us-east-1.amazonaws.com:8443/",
            "http://sns.us-east-1.amazonaws.com/",
            "https://s3.us-east-1.amazonaws.com/",
            "https://sns.us-east-1.amazonaws.com.evil/",
        ] {
            assert!(!sns.allows(&uri(refused)), "{refused}");
        }
    }

    #[test]
    fn aws_connections_reach_the_regions_s3_hosts() {
        let e = Egress::for_connection(Some(&json!({"region": "eu-west-1"})));
        assert!(e.allows(&uri("https://bkt.s3.eu-west-1.amazonaws.com/k")));
        assert!(e.allows(&uri("https://s3.eu-west-1.amazonaws.com/")));
        assert!(!e.allows(&uri("https://s3.us-east-1.amazonaws.com/")));
        assert!(!e.allows(&uri("http://bkt.s3.eu-west-1.amazonaws.com/k")));
        let e = Egress::for_connection(Some(&json!({})));
        assert!(e.allows(&uri("https://s3.amazonaws.com/")));
        assert!(!Egress::for_connection(None).allows(&uri("https://s3.amazonaws.com/")));
    }
}
