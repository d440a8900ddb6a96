//! How a request leaves the host: the egress policy's second half. The host
//! name was checked before ([`crate::hooks::Egress`]); here the *addresses* it
//! resolves to are checked after DNS and before connecting, so that neither an
//! IP-literal endpoint nor a name that resolves somewhere it should not (DNS
//! rebinding) reaches the machine's own network. Then it connects, with the
//! connect timeout covering the TLS handshake too, and sends over HTTP/1.
//!
//! Always refused: link-local and cloud metadata addresses (169.254.0.0/16,
//! fe80::/10, fd00:ec2::254, 100.100.100.200), unspecified, broadcast and
//! multicast. Refused unless [`AddressPolicy::allow_private`]: loopback,
//! private (RFC 1918), carrier-grade NAT and unique local addresses.

use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// Which resolved addresses a request may connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Allow loopback and private networks (a single-user CLI, tests, a local
    /// S3-compatible server). Off in the library's default, which is what a
    /// multi-tenant platform embeds.
    pub allow_private: bool,
}

/// Why an address is refused, if it is.
pub fn refusal(ip: IpAddr, policy: AddressPolicy) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    let always = match ip {
        IpAddr::V4(v4) => {
            v4.is_link_local() || v4 == Ipv4Addr::new(100, 100, 100, 200) || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast()
        }
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
                || v6.is_unspecified()
                || v6.is_multicast()
        }
    };
    if always {
        return Some("a link-local or cloud metadata address, never reachable from a connector");
    }
    let private = match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    };
    (private && !policy.allow_private).then_some("a loopback or private address, which this host does not allow")
}

/// Looks names up. The system's resolver by default; tests bring their own.
pub trait Resolver: Send + Sync + std::fmt::Debug {
    /// The addresses of `host` at `port`.
    fn resolve(&self, host: String, port: u16) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>>;
}

/// The system's resolver (`getaddrinfo`, through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve(&self, host: String, port: u16) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), port)).await?.collect()) })
    }
}

/// The addresses of `host` this policy allows; an error when there is none.
pub async fn allowed_addresses(resolver: &dyn Resolver, host: &str, port: u16, policy: AddressPolicy) -> Result<Vec<SocketAddr>, Error> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            resolver.resolve(host.to_owned(), port).await.map_err(|e| Error::DnsError { rcode: Some(e.to_string()), info_code: None })?
        }
    };
    let allowed: Vec<SocketAddr> = addresses.iter().copied().filter(|a| refusal(a.ip(), policy).is_none()).collect();
    if allowed.is_empty() {
        return Err(Error::DestinationIpProhibited);
    }
    Ok(allowed)
}

/// Everything the sender needs from the host.
#[derive(Debug, Clone)]
pub struct Sender {
    /// Which addresses may be reached.
    pub policy: AddressPolicy,
    /// How names are looked up.
    pub resolver: Arc<dyn Resolver>,
    /// The longest a connection (TCP and TLS handshakes) may take, whatever
    /// the component asks for.
    pub max_connect: Duration,
}

type Sent = (http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>);

impl Sender {
    /// Resolve, check, connect (TLS within the connect timeout), and send.
    pub async fn send(&self, mut req: Request<WasiBody>, options: Option<RequestOptions>) -> Result<Sent, Error> {
        let uri = req.uri().clone();
        let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?.to_owned();
        let use_tls = uri.scheme_str() == Some("https");
        let port = uri.port_u16().unwrap_or(if use_tls { 443 } else { 80 });
        let connect_timeout = options.and_then(|o| o.connect_timeout).unwrap_or(self.max_connect).min(self.max_connect);
        let first_byte_timeout = options.and_then(|o| o.first_byte_timeout).unwrap_or(Duration::from_secs(120));
        let between_bytes_timeout =
            options.and_then(|o| o.between_bytes_timeout).unwrap_or(Duration::from_secs(120)).max(Duration::from_nanos(1));

        let addresses = allowed_addresses(self.resolver.as_ref(), &host, port, self.policy).await?;
        let connect = async {
            let mut last = None;
            for address in addresses {
                match tokio::net::TcpStream::connect(address).await {
                    Ok(stream) => return Ok(stream),
                    Err(e) => last = Some(e),
                }
            }
            Err(Error::Connect(last.unwrap_or_else(|| std::io::Error::other("no address"))))
        };
        let handshake = async {
            let tcp = connect.await?;
            let io: Box<dyn Io> = if use_tls {
                let name = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
                    Ok(ip) => rustls::pki_types::ServerName::from(ip),
                    Err(_) => rustls::pki_types::ServerName::try_from(host.clone()).map_err(|_| Error::HttpRequestUriInvalid)?,
                };
                let tls = tokio_rustls::TlsConnector::from(tls_config()).connect(name, tcp).await.map_err(Error::Tls)?;
                Box::new(tls)
            } else {
                Box::new(tcp)
            };
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io)).await.map_err(Error::from)
        };
        // The TLS handshake is inside the connect timeout: a silent server cannot hold a request.
        let (mut sender, conn) = tokio::time::timeout(connect_timeout, handshake).await.map_err(|_| Error::ConnectionTimeout)??;
        let conn = tokio::spawn(conn);

        // Only the path goes in the request line.
        *req.uri_mut() = http::Uri::builder()
            .path_and_query(uri.path_and_query().map_or("/", |p| p.as_str()))
            .build()
            .map_err(|_| Error::HttpRequestUriInvalid)?;
        let resp = tokio::time::timeout(first_byte_timeout, sender.send_request(req))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)?
            .map_err(Error::from)?;
        let resp = resp.map(move |body| {
            let timed = Silence { body, timeout: Box::pin(tokio::time::sleep(between_bytes_timeout)), period: between_bytes_timeout };
            timed.boxed_unsync()
        });
        let done = async move {
            match conn.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(Error::from(e)),
                Err(_) => Err(Error::ConnectionTerminated),
            }
        };
        Ok((resp, Box::new(done)))
    }
}

/// The TLS client settings (the webpki roots), built once per process.
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.into() };
            Arc::new(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth())
        })
        .clone()
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A response body that fails after `period` without a frame.
struct Silence {
    body: hyper::body::Incoming,
    timeout: Pin<Box<tokio::time::Sleep>>,
    period: Duration,
}

impl http_body::Body for Silence {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Error>>> {
        use std::task::Poll;
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let deadline = tokio::time::Instant::now() + self.period;
                self.timeout.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Error::from(e)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.timeout.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers every name with fixed addresses, without any network.
    #[derive(Debug)]
    struct Fake(Vec<IpAddr>);

    impl Resolver for Fake {
        fn resolve(&self, _host: String, port: u16) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>> {
            let addresses = self.0.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
            Box::pin(async move { Ok(addresses) })
        }
    }

    const STRICT: AddressPolicy = AddressPolicy { allow_private: false };
    const LOCAL: AddressPolicy = AddressPolicy { allow_private: true };

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn metadata_and_link_local_addresses_are_always_refused() {
        for a in [
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1",
            "fd00:ec2::254",
            "100.100.100.200",
            "0.0.0.0",
            "::",
            "::ffff:169.254.169.254",
            "224.0.0.1",
        ] {
            assert!(refusal(ip(a), LOCAL).is_some(), "{a}");
            assert!(refusal(ip(a), STRICT).is_some(), "{a}");
        }
    }

    #[test]
    fn private_addresses_only_when_allowed() {
        for a in ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "fd12::1", "::ffff:127.0.0.1"] {
            assert!(refusal(ip(a), STRICT).is_some(), "{a}");
            assert!(refusal(ip(a), LOCAL).is_none(), "{a}");
        }
        for a in ["52.216.1.1", "3.5.0.1", "2600:1f18::1", "100.128.0.1", "172.32.0.1"] {
            assert!(refusal(ip(a), STRICT).is_none(), "{a}");
        }
    }

    #[tokio::test]
    async fn names_are_checked_after_they_resolve() {
        // DNS rebinding: an allowed name that resolves to the metadata service.
        let rebinding = Fake(vec![ip("169.254.169.254")]);
        let e = allowed_addresses(&rebinding, "bucket.s3.example.com", 443, LOCAL).await.unwrap_err();
        assert!(matches!(e, Error::DestinationIpProhibited), "{e:?}");
        // A name that resolves to loopback, under the strict policy.
        let e = allowed_addresses(&Fake(vec![ip("127.0.0.1")]), "evil.example", 80, STRICT).await.unwrap_err();
        assert!(matches!(e, Error::DestinationIpProhibited), "{e:?}");
        // Mixed answers keep only the allowed addresses.
        let mixed = Fake(vec![ip("169.254.169.254"), ip("52.216.1.1")]);
        assert_eq!(allowed_addresses(&mixed, "s3.example.com", 443, STRICT).await.unwrap(), [SocketAddr::new(ip("52.216.1.1"), 443)]);
        // IP literals are checked without asking DNS.
        let never = Fake(vec![ip("52.216.1.1")]);
        assert!(allowed_addresses(&never, "169.254.169.254", 80, LOCAL).await.is_err());
        assert!(allowed_addresses(&never, "[fd00:ec2::254]", 80, LOCAL).await.is_err());
        assert!(allowed_addresses(&never, "127.0.0.1", 9000, LOCAL).await.is_ok());
    }
}
