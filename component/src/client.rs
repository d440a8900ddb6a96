//! One call to S3: sign, send through a [`Transport`], and turn error answers
//! into [`Error`]s. Retries and timeouts will sit here, around `send`, so that
//! every operation gets them without knowing.

use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::types::ResponseMetadata;
use std::time::SystemTime;

/// What the client needs from the outside world: a clock and a way to send.
/// The component's is `wasi:http` + `wasi:clocks`; tests can bring their own.
pub trait Transport {
    /// The current wall-clock time, for signing.
    fn now(&self) -> SystemTime;
    /// Send one request and read the whole answer.
    fn send(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>>;
}

/// A connection plus a transport.
#[derive(Debug)]
pub struct Client<T> {
    /// The resolved connection.
    pub conn: Conn,
    transport: T,
}

impl<T: Transport> Client<T> {
    /// A client for `conn` over `transport`.
    pub fn new(conn: Conn, transport: T) -> Self {
        Self { conn, transport }
    }

    /// Sign and send `req`; a non-2xx answer becomes the service's error.
    pub fn execute(&self, mut req: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
        crate::sign::sign_request(&mut req, &self.conn, "s3", self.transport.now())?;
        let resp = self.transport.send(req)?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(Error::from_response(&resp))
        }
    }
}

/// The `$metadata` of an answer.
pub fn metadata(resp: &http::Response<Vec<u8>>) -> ResponseMetadata {
    ResponseMetadata {
        http_status_code: resp.status().as_u16(),
        request_id: header(resp, "x-amz-request-id"),
        extended_request_id: header(resp, "x-amz-id-2"),
        cf_id: header(resp, "x-amz-cf-id"),
        attempts: 1,
        total_retry_delay: 0,
    }
}

/// A response header as a string, if present and readable.
pub fn header(resp: &http::Response<Vec<u8>>, name: &str) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// A response header parsed as `T`.
pub fn header_as<F: std::str::FromStr>(resp: &http::Response<Vec<u8>>, name: &str) -> Option<F> {
    header(resp, name).and_then(|v| v.trim().parse().ok())
}

/// Build an unsigned request with an optional body; sets `content-length`
/// on every request but GET and HEAD (some servers insist on it for DELETE).
pub fn request(method: http::Method, url: String, headers: &[(&str, String)], body: Vec<u8>) -> Result<http::Request<Vec<u8>>> {
    let mut b = http::Request::builder().method(method.clone()).uri(&url);
    for (name, value) in headers {
        b = b.header(*name, value);
    }
    if !body.is_empty() || !matches!(method, http::Method::GET | http::Method::HEAD) {
        b = b.header(http::header::CONTENT_LENGTH, body.len());
    }
    b.body(body)
        .map_err(|e| Error::invalid_input("InvalidRequest", format!("Could not build the request: {e}.")))
}
