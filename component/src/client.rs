//! One call to S3: sign, send through a [`Transport`], and turn error answers
//! into [`Error`]s. Retries will sit here, around `send`, so that every
//! operation gets them without knowing.

use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::types::ResponseMetadata;
use std::time::SystemTime;

/// A response body that arrives in chunks (GetObject).
pub trait BodyStream {
    /// The next chunk, or `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Vec<u8>>>;
}

/// What the client needs from the outside world: a clock and a way to send.
/// The component's is `wasi:http` + `wasi:clocks`; tests can bring their own.
pub trait Transport {
    /// The streamed body of [`Transport::open`].
    type Body: BodyStream;
    /// The current wall-clock time, for signing.
    fn now(&self) -> SystemTime;
    /// Send requests at once (their bodies written side by side) and read
    /// every answer whole, in the order of `reqs`.
    fn send_all(&self, reqs: Vec<http::Request<Vec<u8>>>) -> Vec<Result<http::Response<Vec<u8>>>>;
    /// Send one request and leave its answer's body to be streamed.
    fn open(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Self::Body>>;

    /// Send one request and read the whole answer.
    fn send(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
        self.send_all(vec![req]).pop().unwrap_or_else(|| Err(Error::transport("TransportFailed", "The request was not sent.", true)))
    }
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

    /// A client ready to sign: with a role connection, the role is assumed
    /// first (once per execution, see [`crate::ops::sts::resolve`]).
    pub fn connect(conn: Conn, transport: T) -> Result<Self> {
        let mut client = Self::new(conn, transport);
        if let Some(assumed) = crate::ops::sts::resolve(&client)? {
            client.conn = assumed;
        }
        Ok(client)
    }

    /// The transport's clock.
    pub fn now(&self) -> SystemTime {
        self.transport.now()
    }

    /// Sign `req` for another AWS service (`sts`) and send it; a non-2xx
    /// answer becomes that service's error.
    pub fn execute_service(&self, mut req: http::Request<Vec<u8>>, service: &str) -> Result<http::Response<Vec<u8>>> {
        crate::sign::sign_request(&mut req, &self.conn, service, self.transport.now())?;
        self.transport.send(req).and_then(check)
    }

    /// Sign and send `req`; a non-2xx answer becomes the service's error.
    pub fn execute(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
        self.execute_all(vec![req]).pop().unwrap_or_else(|| Err(Error::transport("TransportFailed", "The request was not sent.", true)))
    }

    /// Sign and send requests at once; each answer as [`Client::execute`] gives it.
    pub fn execute_all(&self, reqs: Vec<http::Request<Vec<u8>>>) -> Vec<Result<http::Response<Vec<u8>>>> {
        let mut signed = Vec::with_capacity(reqs.len());
        let mut failed = Vec::new();
        for (i, mut req) in reqs.into_iter().enumerate() {
            match crate::sign::sign_request(&mut req, &self.conn, "s3", self.transport.now()) {
                Ok(()) => signed.push(req),
                Err(e) => failed.push((i, e)),
            }
        }
        let mut results: Vec<_> = self.transport.send_all(signed).into_iter().map(|r| r.and_then(check)).collect();
        for (i, e) in failed {
            results.insert(i, Err(e));
        }
        results
    }

    /// Sign and send `req`, leaving a successful answer's body to stream.
    pub fn open(&self, mut req: http::Request<Vec<u8>>) -> Result<http::Response<T::Body>> {
        crate::sign::sign_request(&mut req, &self.conn, "s3", self.transport.now())?;
        let resp = self.transport.open(req)?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        // Error documents are small: read it whole (at most 1 MiB) and map it.
        let (parts, mut body) = resp.into_parts();
        let mut data = Vec::new();
        while data.len() < 1 << 20 {
            match body.next_chunk()? {
                Some(chunk) => data.extend_from_slice(&chunk),
                None => break,
            }
        }
        Err(Error::from_response(&http::Response::from_parts(parts, data)))
    }
}

fn check(resp: http::Response<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
    if resp.status().is_success() { Ok(resp) } else { Err(Error::from_response(&resp)) }
}

/// The `$metadata` of an answer.
pub fn metadata<B>(resp: &http::Response<B>) -> ResponseMetadata {
    ResponseMetadata {
        http_status_code: resp.status().as_u16(),
        // S3 says `x-amz-request-id`; the query-protocol services `x-amzn-RequestId`.
        request_id: header(resp, "x-amz-request-id").or_else(|| header(resp, "x-amzn-requestid")),
        extended_request_id: header(resp, "x-amz-id-2"),
        cf_id: header(resp, "x-amz-cf-id"),
        attempts: 1,
        total_retry_delay: 0,
    }
}

/// A response header as a string, if present and readable.
pub fn header<B>(resp: &http::Response<B>, name: &str) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// A response header parsed as `T`.
pub fn header_as<F: std::str::FromStr, B>(resp: &http::Response<B>, name: &str) -> Option<F> {
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
    b.body(body).map_err(|e| Error::invalid_input("InvalidRequest", format!("Could not build the request: {e}.")))
}

#[cfg(test)]
pub(crate) mod testing {
    //! A scripted transport for the core's unit tests: answers in order and
    //! records every request it was given.
    use super::*;
    use std::cell::RefCell;
    use std::time::UNIX_EPOCH;

    /// One scripted answer: status, headers, body.
    pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

    /// Answers requests from a script.
    #[derive(Debug, Default)]
    pub struct Script {
        /// Answers still to give, first first.
        pub answers: RefCell<Vec<Result<Answer>>>,
        /// Requests seen: method, URL, headers, body.
        pub seen: RefCell<Vec<http::Request<Vec<u8>>>>,
        /// How many requests each `send_all` call carried.
        pub batches: RefCell<Vec<usize>>,
    }

    impl Script {
        /// A script of successful answers with these bodies.
        pub fn bodies(bodies: &[&str]) -> Self {
            let s = Self::default();
            for b in bodies {
                s.push(200, &[], b.as_bytes());
            }
            s
        }

        /// Add an answer.
        pub fn push(&self, status: u16, headers: &[(&str, &str)], body: &[u8]) {
            let headers = headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
            self.answers.borrow_mut().push(Ok((status, headers, body.to_vec())));
        }

        /// The URLs asked for.
        pub fn urls(&self) -> Vec<String> {
            self.seen.borrow().iter().map(|r| format!("{} {}", r.method(), r.uri())).collect()
        }

        fn answer(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
            self.seen.borrow_mut().push(req);
            let next =
                if self.answers.borrow().is_empty() { Ok((200, Vec::new(), Vec::new())) } else { self.answers.borrow_mut().remove(0) };
            let (status, headers, body) = next?;
            let mut b = http::Response::builder().status(status);
            for (k, v) in headers {
                b = b.header(k, v);
            }
            Ok(b.body(body).expect("scripted response"))
        }
    }

    /// A body given in one chunk.
    #[derive(Debug)]
    pub struct Chunks(pub Vec<Vec<u8>>);

    impl BodyStream for Chunks {
        fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
            Ok((!self.0.is_empty()).then(|| self.0.remove(0)))
        }
    }

    impl Transport for &Script {
        type Body = Chunks;
        fn now(&self) -> SystemTime {
            UNIX_EPOCH
        }
        fn send_all(&self, reqs: Vec<http::Request<Vec<u8>>>) -> Vec<Result<http::Response<Vec<u8>>>> {
            self.batches.borrow_mut().push(reqs.len());
            reqs.into_iter().map(|r| self.answer(r)).collect()
        }
        fn open(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Chunks>> {
            let resp = self.answer(req)?;
            let (parts, body) = resp.into_parts();
            let chunks = body.chunks(3).map(<[u8]>::to_vec).collect();
            Ok(http::Response::from_parts(parts, Chunks(chunks)))
        }
    }
}
