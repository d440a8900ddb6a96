//! `wasi:io` streams that carry a call's bytes in and out of the component:
//! from inline content, a file or stdin; to memory, a file or stdout. Files
//! and pipes are read and written by a thread of their own through a small
//! bounded channel, so that a call holds a few MiB of a body at a time
//! whatever its size, and a slow disk or pipe never blocks the async runtime.

use bytes::Bytes;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::mpsc;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{InputStream, OutputStream, StreamError, StreamResult};

/// Bytes moved per chunk between a file (or pipe) and the component.
const CHUNK: usize = 256 << 10;
/// Chunks queued between the file thread and the component.
const QUEUE: usize = 2;

/// Bytes moved so far, shared with whoever shows progress.
pub type Counter = Arc<AtomicU64>;

/// An input stream over bytes in memory (inline content).
#[derive(Debug)]
pub struct MemorySource {
    data: Bytes,
}

impl MemorySource {
    /// A stream that yields `data`, then ends.
    pub fn new(data: Vec<u8>) -> Self {
        Self { data: data.into() }
    }
}

#[async_trait::async_trait]
impl Pollable for MemorySource {
    async fn ready(&mut self) {}
}

impl InputStream for MemorySource {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.data.is_empty() {
            return Err(StreamError::Closed);
        }
        Ok(self.data.split_to(size.min(self.data.len())))
    }
}

/// An input stream fed by a thread that reads a file or pipe.
#[derive(Debug)]
pub struct ReaderSource {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    pending: Bytes,
    failed: Option<String>,
    ended: bool,
    progress: Counter,
}

impl ReaderSource {
    /// Start reading `reader` on a thread of its own.
    pub fn spawn(mut reader: Box<dyn Read + Send>, progress: Counter) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        std::thread::spawn(move || {
            loop {
                // `take` + `read_to_end` fills the chunk across short reads
                // (pipes) without zeroing it first.
                let mut buf = Vec::with_capacity(CHUNK);
                if let Err(e) = (&mut reader).take(CHUNK as u64).read_to_end(&mut buf) {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
                if buf.is_empty() {
                    return;
                }
                if tx.blocking_send(Ok(buf.into())).is_err() {
                    return;
                }
            }
        });
        Self { rx, pending: Bytes::new(), failed: None, ended: false, progress }
    }

    fn take(&mut self, next: Option<std::io::Result<Bytes>>) {
        match next {
            Some(Ok(bytes)) => self.pending = bytes,
            Some(Err(e)) => self.failed = Some(e.to_string()),
            None => self.ended = true,
        }
    }
}

#[async_trait::async_trait]
impl Pollable for ReaderSource {
    async fn ready(&mut self) {
        if self.pending.is_empty() && self.failed.is_none() && !self.ended {
            let next = self.rx.recv().await;
            self.take(next);
        }
    }
}

impl InputStream for ReaderSource {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.pending.is_empty() && self.failed.is_none() && !self.ended {
            match self.rx.try_recv() {
                Ok(next) => self.take(Some(next)),
                Err(mpsc::error::TryRecvError::Empty) => return Ok(Bytes::new()),
                Err(mpsc::error::TryRecvError::Disconnected) => self.ended = true,
            }
        }
        if let Some(e) = &self.failed {
            return Err(StreamError::LastOperationFailed(wasmtime::format_err!("{e}")));
        }
        if self.pending.is_empty() {
            return Err(StreamError::Closed);
        }
        let chunk = self.pending.split_to(size.min(self.pending.len()));
        self.progress.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        Ok(chunk)
    }
}

/// An output stream that collects bytes in memory, up to a limit.
#[derive(Debug)]
pub struct MemorySink {
    data: Arc<Mutex<Vec<u8>>>,
    limit: usize,
}

impl MemorySink {
    /// A sink holding at most `limit` bytes, and the handle to read them back.
    pub fn new(limit: usize) -> (Self, Arc<Mutex<Vec<u8>>>) {
        let data = Arc::new(Mutex::new(Vec::new()));
        (Self { data: data.clone(), limit }, data)
    }
}

#[async_trait::async_trait]
impl Pollable for MemorySink {
    async fn ready(&mut self) {}
}

impl OutputStream for MemorySink {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        let mut data = self.data.lock().expect("memory sink");
        if data.len() + bytes.len() > self.limit {
            return Err(StreamError::LastOperationFailed(wasmtime::format_err!(
                "the output is larger than {} MiB, too large to return inline; write it to a file instead (--output PATH)",
                self.limit >> 20
            )));
        }
        data.extend_from_slice(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(CHUNK)
    }
}

/// An output stream drained by a thread that writes a file or pipe.
#[derive(Debug)]
pub struct WriterSink {
    tx: mpsc::Sender<Bytes>,
    failed: Arc<Mutex<Option<String>>>,
    progress: Counter,
}

/// The thread behind a [`WriterSink`]: join it to know that every byte was written.
pub type WriterJoin = JoinHandle<std::io::Result<()>>;

impl WriterSink {
    /// Start writing to `writer` on a thread of its own.
    pub fn spawn(mut writer: Box<dyn Write + Send>, progress: Counter) -> (Self, WriterJoin) {
        let (tx, mut rx) = mpsc::channel::<Bytes>(QUEUE);
        let failed = Arc::new(Mutex::new(None));
        let failed_in_thread = failed.clone();
        let join = std::thread::spawn(move || {
            let result = (|| {
                while let Some(bytes) = rx.blocking_recv() {
                    writer.write_all(&bytes)?;
                }
                writer.flush()
            })();
            if let Err(e) = &result {
                *failed_in_thread.lock().expect("writer error") = Some(e.to_string());
            }
            result
        });
        (Self { tx, failed, progress }, join)
    }

    fn check(&self) -> StreamResult<()> {
        match self.failed.lock().expect("writer error").as_ref() {
            Some(e) => Err(StreamError::LastOperationFailed(wasmtime::format_err!("{e}"))),
            None => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl Pollable for WriterSink {
    async fn ready(&mut self) {
        // Room in the queue (or a writer that has stopped) makes the stream ready.
        if let Ok(permit) = self.tx.reserve().await {
            drop(permit);
        }
    }
}

impl OutputStream for WriterSink {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.check()?;
        let n = bytes.len() as u64;
        match self.tx.try_send(bytes) {
            Ok(()) => {
                self.progress.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(_)) => Err(StreamError::trap("write without a permit")),
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.check()?;
                Err(StreamError::Closed)
            }
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.check()
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.check()?;
        Ok(if self.tx.capacity() > 0 { CHUNK } else { 0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reader_source_yields_everything_then_closes() {
        let data: Vec<u8> = (0..3 * CHUNK + 5).map(|i| (i % 251) as u8).collect();
        let progress = Counter::default();
        let mut s = ReaderSource::spawn(Box::new(std::io::Cursor::new(data.clone())), progress.clone());
        let mut got = Vec::new();
        loop {
            s.ready().await;
            match s.read(700_000) {
                Ok(b) => got.extend_from_slice(&b),
                Err(StreamError::Closed) => break,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(got == data);
        assert_eq!(progress.load(Ordering::Relaxed), data.len() as u64);
    }

    #[tokio::test]
    async fn writer_sink_writes_everything_and_reports_failures() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let progress = Counter::default();
        let (mut sink, join) = WriterSink::spawn(Box::new(file.reopen().unwrap()), progress.clone());
        for i in 0..5u8 {
            sink.ready().await;
            assert!(sink.check_write().unwrap() > 0);
            sink.write(Bytes::from(vec![i; 300_000])).unwrap();
        }
        drop(sink);
        join.join().unwrap().unwrap();
        assert_eq!(std::fs::read(file.path()).unwrap().len(), 1_500_000);
        assert_eq!(progress.load(Ordering::Relaxed), 1_500_000);

        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (mut sink, join) = WriterSink::spawn(Box::new(Broken), Counter::default());
        sink.write(Bytes::from_static(b"x")).unwrap();
        assert!(join.join().unwrap().is_err());
        assert!(matches!(sink.check_write(), Err(StreamError::LastOperationFailed(_))));
    }

    #[test]
    fn memory_sink_refuses_past_its_limit() {
        let (mut sink, data) = MemorySink::new(4);
        sink.write(Bytes::from_static(b"abc")).unwrap();
        assert!(sink.write(Bytes::from_static(b"de")).is_err());
        assert_eq!(*data.lock().unwrap(), b"abc");
    }
}
