//! An embedded S3-compatible endpoint (s3s + s3s-fs) on 127.0.0.1 that
//! verifies SigV4 signatures: the demo's backend and the tests' strict server.

use anyhow::{Context as _, Result};
use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running local endpoint; stops when dropped.
#[derive(Debug)]
pub struct LocalS3 {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The only access key it accepts.
    pub access_key: String,
    secret_key: String,
    task: JoinHandle<()>,
}

impl LocalS3 {
    /// Serve the directory `root` on `addr` (port 0 picks a free port),
    /// accepting only the given key pair.
    pub async fn start(root: &Path, addr: SocketAddr, access_key: &str, secret_key: &str) -> Result<Self> {
        Self::start_with(root, addr, access_key, secret_key, None).await
    }

    /// Like [`LocalS3::start`]; with `domain`, buckets are addressed as
    /// subdomains of `domain:PORT` (virtual-hosted style, as on AWS) instead
    /// of in the path.
    pub async fn start_with(root: &Path, addr: SocketAddr, access_key: &str, secret_key: &str, domain: Option<&str>) -> Result<Self> {
        std::fs::create_dir_all(root)?;
        let fs = s3s_fs::FileSystem::new(root).map_err(|e| anyhow::anyhow!("cannot serve {}: {e:?}", root.display()))?;
        let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let addr = listener.local_addr()?;
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(access_key, secret_key));
        if let Some(domain) = domain {
            let host =
                s3s::host::SingleDomain::new(&format!("{domain}:{}", addr.port())).map_err(|e| anyhow::anyhow!("domain {domain}: {e}"))?;
            builder.set_host(host);
        }
        let service = builder.build();
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { continue };
                let service = service.clone();
                tokio::spawn(async move {
                    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(socket), service);
                    let _ = conn.await;
                });
            }
        });
        Ok(Self { addr, access_key: access_key.to_owned(), secret_key: secret_key.to_owned(), task })
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A connection (JSON) that this endpoint accepts.
    pub fn connection(&self) -> Value {
        json!({
            "accessKeyId": self.access_key,
            "secretAccessKey": self.secret_key,
            "region": "us-east-1",
            "endpointUrl": self.endpoint(),
        })
    }
}

impl Drop for LocalS3 {
    fn drop(&mut self) {
        self.task.abort();
    }
}
