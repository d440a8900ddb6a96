//! The only code that touches `wasi:http` and `wasi:io`: send requests, read
//! answers, and adapt the caller's streams to [`ByteSource`] / [`ByteSink`].
//!
//! Several requests go out side by side: each one's `handle()` is called
//! first (the host buffers one chunk only), then their bodies are written in
//! writes sized by `check-write`, and one `poll` waits on whatever can move
//! next (a body that can take bytes, or an answer that arrived).

use crate::bindings::wasi::clocks::wall_clock;
use crate::bindings::wasi::http::outgoing_handler::{self, FutureIncomingResponse};
use crate::bindings::wasi::http::types::{
    ErrorCode, Fields, IncomingBody, IncomingResponse, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use crate::bindings::wasi::io::poll;
use crate::bindings::wasi::io::streams::{InputStream, OutputStream, StreamError};
use crate::client::{BodyStream, Transport};
use crate::error::{Error, Result};
use crate::transfer::{ByteSink, ByteSource};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest read asked of a stream at once.
const READ_CHUNK: u64 = 1 << 20;

/// Per-request limits, in nanoseconds: connecting, waiting for the first byte
/// of the answer, and any silence in between. The host's per-call deadline
/// stays the outer bound.
const CONNECT_TIMEOUT_NS: u64 = 30_000_000_000;
const FIRST_BYTE_TIMEOUT_NS: u64 = 120_000_000_000;
const BETWEEN_BYTES_TIMEOUT_NS: u64 = 120_000_000_000;

/// `wasi:http` + `wasi:clocks`.
#[derive(Debug, Clone, Copy)]
pub struct WasiTransport;

/// A streamed answer body.
#[derive(Debug)]
pub struct WasiBody {
    // Field order matters: the stream is a child of the body and drops first.
    stream: InputStream,
    _body: IncomingBody,
}

impl BodyStream for WasiBody {
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        match self.stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => Ok(Some(chunk)),
            Err(StreamError::Closed) => Ok(None),
            Err(e) => Err(stream_error(e)),
        }
    }
}

/// One request on its way: its answer's future and what is left of its body.
struct InFlight {
    future: FutureIncomingResponse,
    writing: Option<Writing>,
    answer: Option<Result<IncomingResponse>>,
}

struct Writing {
    // The stream is a child of the body: it must drop first.
    stream: OutputStream,
    body: OutgoingBody,
    data: Vec<u8>,
    sent: usize,
    flushing: bool,
}

enum Progress {
    /// Waiting for the stream to take more (or finish a flush).
    Blocked,
    /// Every byte is written and the body finished.
    Done,
}

impl Writing {
    /// Write what the stream takes now, without blocking.
    fn pump(&mut self) -> Result<Progress> {
        loop {
            let permit = match self.stream.check_write() {
                Ok(p) => p,
                // All written and the peer closed: it has everything it wanted.
                Err(StreamError::Closed) if self.sent == self.data.len() => return Ok(Progress::Done),
                Err(e) => return Err(stream_error(e)),
            };
            if permit == 0 {
                return Ok(Progress::Blocked);
            }
            if self.sent == self.data.len() {
                if self.flushing {
                    return Ok(Progress::Done);
                }
                self.flushing = true;
                match self.stream.flush() {
                    Ok(()) => continue,
                    Err(StreamError::Closed) => return Ok(Progress::Done),
                    Err(e) => return Err(stream_error(e)),
                }
            }
            let n = usize::try_from(permit).unwrap_or(usize::MAX).min(self.data.len() - self.sent);
            self.stream.write(&self.data[self.sent..self.sent + n]).map_err(stream_error)?;
            self.sent += n;
        }
    }

    fn finish(self) -> Result<()> {
        let Writing { stream, body, .. } = self;
        drop(stream);
        OutgoingBody::finish(body, None).map_err(transport_error)
    }
}

impl Transport for WasiTransport {
    type Body = WasiBody;

    fn now(&self) -> SystemTime {
        let t = wall_clock::now();
        UNIX_EPOCH + Duration::new(t.seconds, t.nanoseconds)
    }

    fn send_all(&self, reqs: Vec<http::Request<Vec<u8>>>) -> Vec<Result<http::Response<Vec<u8>>>> {
        let mut flights: Vec<Result<InFlight>> = reqs.into_iter().map(start).collect();
        drive(&mut flights);
        flights
            .into_iter()
            .map(|f| {
                let answer = f?.answer.unwrap_or_else(|| Err(Error::transport("TransportFailed", "The host lost the response.", true)))?;
                let (builder, mut body) = response_head(answer)?;
                let mut data = Vec::new();
                while let Some(chunk) = body.next_chunk()? {
                    data.extend_from_slice(&chunk);
                }
                builder.body(data).map_err(|e| Error::transport("TransportFailed", format!("The response could not be read: {e}."), false))
            })
            .collect()
    }

    fn open(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<WasiBody>> {
        let mut flights = vec![start(req)];
        drive(&mut flights);
        let flight = flights.pop().expect("one request")?;
        let answer = flight.answer.unwrap_or_else(|| Err(Error::transport("TransportFailed", "The host lost the response.", true)))?;
        let (builder, body) = response_head(answer)?;
        builder.body(body).map_err(|e| Error::transport("TransportFailed", format!("The response could not be read: {e}."), false))
    }
}

/// Hand a request to the host and get its body stream ready.
fn start(req: http::Request<Vec<u8>>) -> Result<InFlight> {
    let (parts, body) = req.into_parts();
    let fields = Fields::new();
    for (name, value) in &parts.headers {
        fields
            .append(name.as_str(), value.as_bytes())
            .map_err(|e| Error::invalid_input("InvalidHeader", format!("Header {name} cannot be sent: {e:?}.")))?;
    }
    let out = OutgoingRequest::new(fields);
    let method = match parts.method.as_str() {
        "GET" => Method::Get,
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        "HEAD" => Method::Head,
        other => Method::Other(other.to_owned()),
    };
    let scheme = match parts.uri.scheme_str() {
        Some("http") => Scheme::Http,
        _ => Scheme::Https,
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let unit = |_| Error::invalid_input("InvalidRequest", "The request's method, scheme, host or path was refused.");
    out.set_method(&method).map_err(unit)?;
    out.set_scheme(Some(&scheme)).map_err(unit)?;
    out.set_authority(parts.uri.authority().map(|a| a.as_str())).map_err(unit)?;
    out.set_path_with_query(Some(path)).map_err(unit)?;

    let outgoing_body = out.body().map_err(unit)?;
    let options = RequestOptions::new();
    // A host that cannot honour a timeout refuses the setting; the call's deadline still applies.
    let _ = options.set_connect_timeout(Some(CONNECT_TIMEOUT_NS));
    let _ = options.set_first_byte_timeout(Some(FIRST_BYTE_TIMEOUT_NS));
    let _ = options.set_between_bytes_timeout(Some(BETWEEN_BYTES_TIMEOUT_NS));
    let future = outgoing_handler::handle(out, Some(options)).map_err(transport_error)?;
    let stream = outgoing_body.write().map_err(unit)?;
    Ok(InFlight { future, writing: Some(Writing { stream, body: outgoing_body, data: body, sent: 0, flushing: false }), answer: None })
}

/// Move every request forward until each has its answer (or failed).
fn drive(flights: &mut [Result<InFlight>]) {
    loop {
        let mut waiting = false;
        for slot in flights.iter_mut() {
            let Ok(f) = slot else { continue };
            if f.answer.is_some() {
                continue;
            }
            // A server may answer before it has read the whole body (a refused
            // signature, a too-large entity) and close the connection: its
            // answer is what the caller needs, so it wins over a failed write.
            if let Some(answer) = f.future.get() {
                f.writing = None;
                f.answer = Some(match answer {
                    Ok(Ok(resp)) => Ok(resp),
                    Ok(Err(code)) => Err(transport_error(code)),
                    Err(()) => Err(Error::transport("TransportFailed", "The host lost the response.", true)),
                });
                continue;
            }
            if let Some(w) = f.writing.as_mut() {
                match w.pump() {
                    Ok(Progress::Blocked) => {}
                    Ok(Progress::Done) => {
                        if let Err(e) = f.writing.take().expect("writing").finish() {
                            *slot = Err(e);
                            continue;
                        }
                    }
                    Err(e) => {
                        // The server's answer, if it sent one, explains more than the write error.
                        f.writing = None;
                        f.answer = Some(wait_for_answer(&f.future).unwrap_or(Err(e)));
                        continue;
                    }
                }
            }
            waiting = true;
        }
        if !waiting {
            return;
        }
        // Wait until something can move: a body that takes bytes, or an answer.
        let pollables: Vec<_> = flights
            .iter()
            .filter_map(|f| f.as_ref().ok())
            .filter(|f| f.answer.is_none())
            .flat_map(|f| {
                let body = f.writing.as_ref().map(|w| w.stream.subscribe());
                std::iter::once(f.future.subscribe()).chain(body)
            })
            .collect();
        let refs: Vec<&poll::Pollable> = pollables.iter().collect();
        poll::poll(&refs);
    }
}

/// After a failed body write: the answer, if the server sent one.
fn wait_for_answer(future: &FutureIncomingResponse) -> Option<Result<IncomingResponse>> {
    future.subscribe().block();
    match future.get()? {
        Ok(Ok(resp)) => Some(Ok(resp)),
        _ => None,
    }
}

fn response_head(resp: IncomingResponse) -> Result<(http::response::Builder, WasiBody)> {
    let mut builder = http::Response::builder().status(resp.status());
    for (name, value) in resp.headers().entries() {
        builder = builder.header(name, value);
    }
    let unreadable = || Error::transport("TransportFailed", "The response body could not be read.", true);
    let body = resp.consume().map_err(|()| unreadable())?;
    let stream = body.stream().map_err(|()| unreadable())?;
    Ok((builder, WasiBody { stream, _body: body }))
}

/// The caller's bytes (a `byte-source`) as a [`ByteSource`].
#[derive(Debug)]
pub struct StreamSource<'a> {
    /// The stream the host fills.
    pub stream: &'a InputStream,
    /// Its size, when known.
    pub size: Option<u64>,
}

impl ByteSource for StreamSource<'_> {
    fn read(&mut self, max: usize) -> Result<Vec<u8>> {
        match self.stream.blocking_read(max as u64) {
            Ok(chunk) => Ok(chunk),
            Err(StreamError::Closed) => Ok(Vec::new()),
            Err(StreamError::LastOperationFailed(e)) => {
                Err(Error::invalid_input("SourceUnreadable", format!("The bytes to upload could not be read: {}.", e.to_debug_string())))
            }
        }
    }

    fn size(&self) -> Option<u64> {
        self.size
    }
}

/// The caller's output stream as a [`ByteSink`].
#[derive(Debug)]
pub struct StreamSink<'a>(pub &'a OutputStream);

impl ByteSink for StreamSink<'_> {
    fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        let failed = |e: StreamError| match e {
            StreamError::LastOperationFailed(e) => {
                Error::invalid_input("OutputFailed", format!("The downloaded bytes could not be written: {}.", e.to_debug_string()))
            }
            StreamError::Closed => Error::invalid_input("OutputFailed", "The output was closed before the download ended."),
        };
        while !bytes.is_empty() {
            let permit = self.0.check_write().map_err(failed)?;
            if permit == 0 {
                self.0.subscribe().block();
                continue;
            }
            let n = usize::try_from(permit).unwrap_or(usize::MAX).min(bytes.len());
            self.0.write(&bytes[..n]).map_err(failed)?;
            bytes = &bytes[n..];
        }
        Ok(())
    }
}

fn stream_error(e: StreamError) -> Error {
    match e {
        StreamError::LastOperationFailed(err) => {
            Error::transport("TransportFailed", format!("The connection failed: {}.", err.to_debug_string()), true)
        }
        StreamError::Closed => Error::transport("ConnectionClosed", "The connection closed early.", true),
    }
}

/// Map a `wasi:http` error code to our error, with what to do about it.
fn transport_error(code: ErrorCode) -> Error {
    match code {
        ErrorCode::HttpRequestDenied => Error::transport(
            "RequestDenied",
            "The host refused this destination: requests may only go to the connection's endpoint and the AWS hosts it needs.",
            false,
        ),
        ErrorCode::DestinationIpProhibited => Error::transport(
            "AddressRefused",
            "The host refused the endpoint's address: link-local and cloud metadata addresses always, loopback and private networks unless the host allows them.",
            false,
        ),
        ErrorCode::ConnectionRefused => Error::transport(
            "ConnectionRefused",
            "The endpoint refused the connection: check the endpoint URL and that the server runs.",
            true,
        ),
        ErrorCode::DnsError(_) => {
            Error::transport("DnsError", "The endpoint's host name could not be resolved: check the endpoint URL or region.", true)
        }
        ErrorCode::ConnectionTimeout
        | ErrorCode::HttpResponseTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout => Error::transport("Timeout", "The request timed out.", true),
        ErrorCode::TlsCertificateError | ErrorCode::TlsProtocolError | ErrorCode::TlsAlertReceived(_) => {
            Error::transport("TlsError", "The TLS handshake failed: check the endpoint URL's scheme and certificate.", false)
        }
        other => Error::transport("TransportFailed", format!("The request failed: {other:?}."), true),
    }
}
