//! The only code that touches `wasi:http`: send one request, read one answer.
//!
//! The request body is written after `handle()` (the host buffers one chunk
//! only), in writes sized by `check-write`. Large bodies will flow through the
//! same loop from a source instead of a `Vec` (see docs/architecture.md).

use crate::bindings::wasi::clocks::wall_clock;
use crate::bindings::wasi::http::outgoing_handler;
use crate::bindings::wasi::http::types::{
    ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use crate::bindings::wasi::io::streams::{InputStream, OutputStream, StreamError};
use crate::client::Transport;
use crate::error::{Error, Result};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest read asked of the response stream at once.
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

impl Transport for WasiTransport {
    fn now(&self) -> SystemTime {
        let t = wall_clock::now();
        UNIX_EPOCH + Duration::new(t.seconds, t.nanoseconds)
    }

    fn send(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
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
        let written = outgoing_body.write().map_err(unit).and_then(|stream| write_all(&stream, &body));
        let written = match written {
            Ok(()) => OutgoingBody::finish(outgoing_body, None).map_err(transport_error),
            Err(e) => {
                drop(outgoing_body);
                Err(e)
            }
        };

        // A server may answer before it has read the whole body (a refused
        // signature, a too-large entity) and close the connection: its answer
        // is what the caller needs, so it wins over the failed write.
        future.subscribe().block();
        let resp = match (future.get(), written) {
            (Some(Ok(Ok(resp))), _) => resp,
            (_, Err(write_error)) => return Err(write_error),
            (Some(Ok(Err(code))), Ok(())) => return Err(transport_error(code)),
            _ => return Err(Error::transport("TransportFailed", "The host lost the response.", true)),
        };
        let mut builder = http::Response::builder().status(resp.status());
        for (name, value) in resp.headers().entries() {
            builder = builder.header(name, value);
        }
        let incoming = resp.consume().map_err(|_| Error::transport("TransportFailed", "The response body could not be read.", true))?;
        let data = {
            let stream = incoming.stream().map_err(|_| Error::transport("TransportFailed", "The response body could not be read.", true))?;
            read_all(&stream)?
        };
        drop(IncomingBody::finish(incoming));
        builder
            .body(data)
            .map_err(|e| Error::transport("TransportFailed", format!("The response could not be read: {e}."), false))
    }
}

/// Write `data` in writes of up to the stream's permit, then flush. A stream
/// closed once everything is written means the peer has it all: success.
fn write_all(stream: &OutputStream, mut data: &[u8]) -> Result<()> {
    while !data.is_empty() {
        let permit = stream.check_write().map_err(stream_error)?;
        if permit == 0 {
            stream.subscribe().block();
            continue;
        }
        let n = usize::try_from(permit).unwrap_or(usize::MAX).min(data.len());
        stream.write(&data[..n]).map_err(stream_error)?;
        data = &data[n..];
    }
    match stream.blocking_flush() {
        Ok(()) | Err(StreamError::Closed) => Ok(()),
        Err(e) => Err(stream_error(e)),
    }
}

fn read_all(stream: &InputStream) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) => data.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return Ok(data),
            Err(e) => return Err(stream_error(e)),
        }
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
        ErrorCode::ConnectionRefused => Error::transport("ConnectionRefused", "The endpoint refused the connection: check the endpoint URL and that the server runs.", true),
        ErrorCode::DnsError(_) => Error::transport("DnsError", "The endpoint's host name could not be resolved: check the endpoint URL or region.", true),
        ErrorCode::ConnectionTimeout | ErrorCode::HttpResponseTimeout | ErrorCode::ConnectionReadTimeout | ErrorCode::ConnectionWriteTimeout => {
            Error::transport("Timeout", "The request timed out.", true)
        }
        ErrorCode::TlsCertificateError | ErrorCode::TlsProtocolError | ErrorCode::TlsAlertReceived(_) => {
            Error::transport("TlsError", "The TLS handshake failed: check the endpoint URL's scheme and certificate.", false)
        }
        other => Error::transport("TransportFailed", format!("The request failed: {other:?}."), true),
    }
}
