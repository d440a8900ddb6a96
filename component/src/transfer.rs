//! Moving bodies in bounded memory: uploads read from a [`ByteSource`] part by
//! part, downloads write to a [`ByteSink`] chunk by chunk. Plain Rust over any
//! [`Transport`]; the component binds sources and sinks to `wasi:io` streams.
//!
//! Uploads: up to the threshold, one `PutObject`; above it, a multipart upload
//! with `parts_in_flight` parts sent side by side, window after window, each
//! part carrying its checksum. Memory is about `part_size * parts_in_flight`.
//! Any failure aborts the upload, so no orphaned upload keeps parts (and
//! costs) behind. A body of unknown size (stdin) is read until it ends; it
//! can hold at most 10,000 parts of the chosen part size.

use crate::checksum::{self, Hasher};
use crate::client::{BodyStream, Client, Transport};
use crate::error::{Error, Result};
use crate::multipart::CompletedPart;
use crate::objects::{GetObjectOutput, PutObjectOutput};
use crate::ops::multipart::{MAX_PARTS, abort, complete, create, upload_part};
use crate::ops::{get_object, head_object, put_object};
use crate::types::{ChecksumAlgorithm, TransferOptions};
use std::collections::VecDeque;

const MIB: u64 = 1 << 20;
/// S3's smallest part (but the last).
pub const MIN_PART: u64 = 5 * MIB;
/// S3's largest part.
pub const MAX_PART: u64 = 5 * 1024 * MIB;
/// How much is asked of a source at once.
const READ_CHUNK: usize = 1 << 20;

/// Bytes to upload, read in chunks.
pub trait ByteSource {
    /// Up to `max` bytes; an empty answer means the end.
    fn read(&mut self, max: usize) -> Result<Vec<u8>>;
    /// The total size, when known.
    fn size(&self) -> Option<u64>;
}

/// Where downloaded bytes go.
pub trait ByteSink {
    /// Write all of `bytes`.
    fn write(&mut self, bytes: &[u8]) -> Result<()>;
}

/// How an upload is cut, resolved from the caller's options and the body's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Bodies up to this many bytes go in one PutObject.
    pub threshold: u64,
    /// Bytes per part (the last may be smaller).
    pub part_size: u64,
    /// Parts sent side by side.
    pub in_flight: usize,
    /// The checksum S3 verifies.
    pub algorithm: ChecksumAlgorithm,
}

impl Plan {
    /// Defaults: 16 MiB threshold, 8 MiB parts, 4 in flight, CRC-32C. The
    /// part size grows when a body of known size would need over 10,000 parts.
    pub fn new(options: Option<&TransferOptions>, size: Option<u64>) -> Result<Self> {
        let opt = |f: fn(&TransferOptions) -> Option<u32>| options.and_then(f);
        let threshold = u64::from(opt(|o| o.multipart_threshold_mib).unwrap_or(16)) * MIB;
        let part_mib = opt(|o| o.part_size_mib).unwrap_or(8);
        if !(5..=5120).contains(&part_mib) {
            return Err(Error::invalid_input(
                "InvalidPartSize",
                format!("transfer.partSizeMib is {part_mib}; S3 parts are 5 to 5120 MiB."),
            ));
        }
        let in_flight = opt(|o| o.parts_in_flight).unwrap_or(4);
        if !(1..=16).contains(&in_flight) {
            return Err(Error::invalid_input("InvalidPartsInFlight", format!("transfer.partsInFlight is {in_flight}; give 1 to 16.")));
        }
        let mut part_size = u64::from(part_mib) * MIB;
        if let Some(size) = size.filter(|s| *s > threshold) {
            let needed = size.div_ceil(u64::from(MAX_PARTS)).div_ceil(MIB) * MIB;
            if needed > MAX_PART {
                return Err(Error::invalid_input(
                    "EntityTooLarge",
                    format!("The body is {size} bytes; S3 objects hold at most 10,000 parts of 5 GiB."),
                ));
            }
            part_size = part_size.max(needed);
        }
        let algorithm = options.and_then(|o| o.checksum_algorithm).unwrap_or(ChecksumAlgorithm::Crc32c);
        Ok(Self { threshold, part_size, in_flight: in_flight as usize, algorithm })
    }
}

/// Reads a source in pieces of a chosen size (fewer bytes only at its end).
struct Pieces<'a> {
    source: &'a mut dyn ByteSource,
    read: u64,
}

impl Pieces<'_> {
    fn next(&mut self, n: u64) -> Result<Vec<u8>> {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        self.fill(Vec::with_capacity(n), n)
    }

    /// Read up to `n` bytes into `piece` (allocated by the caller).
    fn fill(&mut self, mut piece: Vec<u8>, n: usize) -> Result<Vec<u8>> {
        while piece.len() < n {
            let chunk = self.source.read((n - piece.len()).min(READ_CHUNK))?;
            if chunk.is_empty() {
                break;
            }
            piece.extend_from_slice(&chunk);
        }
        self.read += piece.len() as u64;
        Ok(piece)
    }

    /// A source that announced its size must deliver exactly that.
    fn check_size(&self) -> Result<()> {
        match self.source.size() {
            Some(size) if size != self.read => Err(Error::invalid_input(
                "SizeMismatch",
                format!("The body was announced as {size} bytes but {} arrived (did the file change while it was read?).", self.read),
            )),
            _ => Ok(()),
        }
    }
}

/// Upload `source` as the object `input` describes, choosing one PutObject or
/// a multipart upload by size. A body of unknown size is read part by part
/// until it is known to pass the threshold (or ends below it).
pub fn upload<T: Transport>(
    client: &Client<T>,
    input: &put_object::Input,
    source: &mut dyn ByteSource,
    options: Option<&TransferOptions>,
) -> Result<PutObjectOutput> {
    input.validate()?;
    let size = source.size();
    let plan = Plan::new(options, size)?;
    let mut pieces = Pieces { source, read: 0 };
    let mut head = VecDeque::new();
    let single = match size {
        Some(size) => size <= plan.threshold,
        None => {
            let mut ended = false;
            while !ended && pieces.read <= plan.threshold {
                let part = pieces.next(plan.part_size)?;
                ended = (part.len() as u64) < plan.part_size;
                head.push_back(part);
            }
            pieces.read <= plan.threshold
        }
    };
    if !single {
        return multipart(client, input, &mut pieces, head, &plan);
    }
    let mut body: Vec<u8> = head.into_iter().flatten().collect();
    if let Some(size) = size {
        body = pieces.next(size + 1)?;
    }
    pieces.check_size()?;
    put_whole(client, input, body, plan.algorithm)
}

/// One PutObject of a body in memory; the checksum S3 stored must be ours.
fn put_whole<T: Transport>(
    client: &Client<T>,
    input: &put_object::Input,
    body: Vec<u8>,
    algorithm: ChecksumAlgorithm,
) -> Result<PutObjectOutput> {
    let len = body.len() as u64;
    let req = put_object::request(&client.conn, input, body, algorithm)?;
    let sent = checksum::sent(&req).map(|(_, v)| v).unwrap_or_default();
    let resp = client.execute(req)?;
    let mut out = put_object::parse(&resp)?;
    let stored = checksum::pick(algorithm, [&out.checksum_crc32c, &out.checksum_crc32, &out.checksum_crc64nvme]);
    verify_stored(algorithm, &sent, stored)?;
    out.size = Some(len);
    Ok(out)
}

fn verify_stored(algorithm: ChecksumAlgorithm, sent: &str, stored: Option<&str>) -> Result<()> {
    match stored {
        Some(stored) if stored != sent => Err(Error::checksum_mismatch(format!(
            "S3 stored the object with {} {stored}, but the bytes sent have {sent}.",
            checksum::name(algorithm)
        ))),
        _ => Ok(()),
    }
}

fn multipart<T: Transport>(
    client: &Client<T>,
    input: &put_object::Input,
    pieces: &mut Pieces<'_>,
    mut head: VecDeque<Vec<u8>>,
    plan: &Plan,
) -> Result<PutObjectOutput> {
    let mut upload = Multipart::create(client, input, plan)?;
    let result = (|| {
        let mut ended = false;
        while !ended {
            // The window's buffers first, side by side, so that the small reads
            // in between do not split the space the next window's parts reuse.
            let size = usize::try_from(plan.part_size).unwrap_or(usize::MAX);
            let mut buffers: Vec<Vec<u8>> = (head.len()..plan.in_flight).map(|_| Vec::with_capacity(size)).collect();
            let mut batch = Vec::new();
            while batch.len() < plan.in_flight && !ended {
                let part = match head.pop_front() {
                    Some(part) => part,
                    None => pieces.fill(buffers.pop().unwrap_or_default(), size)?,
                };
                ended = (part.len() as u64) < plan.part_size;
                if !part.is_empty() {
                    batch.push(part);
                }
            }
            upload.send(client, input, plan, batch)?;
        }
        pieces.check_size()?;
        upload.complete(client, input, plan, pieces.read)
    })();
    result.map_err(|e| upload.abort(client, input, e))
}

/// A multipart upload under way: its id and the parts sent so far.
#[derive(Debug)]
struct Multipart {
    upload_id: String,
    parts: Vec<CompletedPart>,
    finished: bool,
}

impl Multipart {
    fn create<T: Transport>(client: &Client<T>, input: &put_object::Input, plan: &Plan) -> Result<Self> {
        let created = create::parse(&client.execute(create::request(&client.conn, input, Some(plan.algorithm))?)?)?;
        Ok(Self { upload_id: created.upload_id, parts: Vec::new(), finished: false })
    }

    /// Send `batch` as the next parts, side by side.
    fn send<T: Transport>(&mut self, client: &Client<T>, input: &put_object::Input, plan: &Plan, batch: Vec<Vec<u8>>) -> Result<()> {
        let mut reqs = Vec::with_capacity(batch.len());
        let mut sums = Vec::with_capacity(batch.len());
        for part in batch {
            let number = u32::try_from(self.parts.len() + reqs.len() + 1).unwrap_or(u32::MAX);
            if number > MAX_PARTS {
                return Err(Error::invalid_input(
                    "TooManyParts",
                    format!("The body needs more than 10,000 parts of {} MiB: set transfer.partSizeMib larger.", plan.part_size / MIB),
                ));
            }
            let req = upload_part::request(&client.conn, &input.bucket, &input.key, &self.upload_id, number, part, Some(plan.algorithm))?;
            sums.push((number, checksum::sent(&req)));
            reqs.push(req);
        }
        for (result, (number, sum)) in client.execute_all(reqs).into_iter().zip(sums) {
            let out = upload_part::parse(&result?, number, sum.as_ref().map(|(alg, v)| (*alg, v.as_str())))?;
            self.parts.push(out.part);
        }
        Ok(())
    }

    /// Complete the upload and check S3's composite checksum against the parts'.
    fn complete<T: Transport>(&mut self, client: &Client<T>, input: &put_object::Input, plan: &Plan, size: u64) -> Result<PutObjectOutput> {
        let resp = client.execute(complete::request(&client.conn, &input.bucket, &input.key, &self.upload_id, &self.parts)?)?;
        let done = complete::parse(&resp)?;
        self.finished = true;
        let sent: Vec<String> = self
            .parts
            .iter()
            .filter_map(|p| {
                checksum::pick(plan.algorithm, [&p.checksum_crc32c, &p.checksum_crc32, &p.checksum_crc64nvme]).map(str::to_owned)
            })
            .collect();
        if let Some(expected) = checksum::composite(plan.algorithm, &sent) {
            let stored = checksum::pick(plan.algorithm, [&done.checksum_crc32c, &done.checksum_crc32, &done.checksum_crc64nvme]);
            // Only a composite answer (`...-N`) is comparable with ours.
            verify_stored(plan.algorithm, &expected, stored.filter(|s| s.contains('-')))?;
        }
        Ok(PutObjectOutput {
            e_tag: done.e_tag,
            version_id: done.version_id,
            expiration: crate::client::header(&resp, "x-amz-expiration"),
            server_side_encryption: done.server_side_encryption,
            checksum_crc32c: done.checksum_crc32c,
            checksum_crc32: done.checksum_crc32,
            checksum_crc64nvme: done.checksum_crc64nvme,
            size: Some(size),
            response_metadata: done.response_metadata,
        })
    }

    /// Abort the upload after `e`, and say so in `e`'s message.
    fn abort<T: Transport>(&mut self, client: &Client<T>, input: &put_object::Input, mut e: Error) -> Error {
        if self.finished {
            return e;
        }
        self.finished = true;
        let aborted = abort::request(&client.conn, &input.bucket, &input.key, &self.upload_id).and_then(|req| client.execute(req));
        let note = match aborted {
            Ok(_) => " The multipart upload was aborted: nothing was stored.".to_owned(),
            Err(a) => format!(
                " Aborting the multipart upload {} failed too ({}: {}): abort it with abortMultipartUpload.",
                self.upload_id, a.code, a.message
            ),
        };
        e.message.push_str(&note);
        e
    }
}

/// An upload fed by writes (an upload stream): bytes gather into parts of
/// the plan's size; every `in_flight` parts go out side by side. Nothing is
/// created on S3 until the first batch; a stream that stays small is stored
/// with one PutObject at close. Any failure aborts the upload and ends the stream.
#[derive(Debug)]
pub struct StreamUpload<T> {
    client: Client<T>,
    input: put_object::Input,
    plan: Plan,
    buffer: Vec<u8>,
    ready: Vec<Vec<u8>>,
    upload: Option<Multipart>,
    written: u64,
    failed: Option<Error>,
}

impl<T: Transport> StreamUpload<T> {
    /// Open a stream (checks the input; sends nothing).
    pub fn new(client: Client<T>, input: put_object::Input, options: Option<&TransferOptions>) -> Result<Self> {
        input.validate()?;
        let plan = Plan::new(options, None)?;
        Ok(Self { client, input, plan, buffer: Vec::new(), ready: Vec::new(), upload: None, written: 0, failed: None })
    }

    /// Append everything `source` holds.
    pub fn write(&mut self, source: &mut dyn ByteSource) -> Result<()> {
        self.usable()?;
        let result = self.take(source);
        self.fail_on(result)
    }

    fn take(&mut self, source: &mut dyn ByteSource) -> Result<()> {
        let part_size = usize::try_from(self.plan.part_size).unwrap_or(usize::MAX);
        loop {
            let chunk = source.read(READ_CHUNK)?;
            if chunk.is_empty() {
                return Ok(());
            }
            self.written += chunk.len() as u64;
            let mut rest = chunk.as_slice();
            while !rest.is_empty() {
                if self.buffer.capacity() == 0 {
                    self.buffer.reserve_exact(part_size);
                }
                let n = (part_size - self.buffer.len()).min(rest.len());
                self.buffer.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
                if self.buffer.len() == part_size {
                    self.ready.push(std::mem::take(&mut self.buffer));
                    if self.ready.len() >= self.plan.in_flight {
                        self.flush()?;
                    }
                }
            }
        }
    }

    /// Send the parts that are ready, creating the upload first if needed.
    fn flush(&mut self) -> Result<()> {
        let upload = match self.upload.as_mut() {
            Some(u) => u,
            None => self.upload.insert(Multipart::create(&self.client, &self.input, &self.plan)?),
        };
        upload.send(&self.client, &self.input, &self.plan, std::mem::take(&mut self.ready))
    }

    /// Send the rest and store the object.
    pub fn close(mut self) -> Result<PutObjectOutput> {
        self.usable()?;
        let result = self.finish();
        self.fail_on(result)
    }

    fn finish(&mut self) -> Result<PutObjectOutput> {
        if self.upload.is_none() && self.ready.is_empty() {
            return put_whole(&self.client, &self.input, std::mem::take(&mut self.buffer), self.plan.algorithm);
        }
        if !self.buffer.is_empty() {
            self.ready.push(std::mem::take(&mut self.buffer));
        }
        self.flush()?;
        let upload = self.upload.as_mut().expect("created by flush");
        upload.complete(&self.client, &self.input, &self.plan, self.written)
    }

    fn usable(&self) -> Result<()> {
        match &self.failed {
            Some(e) => Err(Error { message: format!("This upload stream failed earlier and was closed: {}", e.message), ..e.clone() }),
            None => Ok(()),
        }
    }

    fn fail_on<R>(&mut self, result: Result<R>) -> Result<R> {
        result.map_err(|e| {
            let e = match self.upload.as_mut() {
                Some(u) => u.abort(&self.client, &self.input, e),
                None => e,
            };
            self.buffer = Vec::new();
            self.ready = Vec::new();
            self.failed = Some(e.clone());
            e
        })
    }

    /// Abort an upload that was never closed (the execution ended). True if there was one.
    pub fn abandon(&mut self) -> bool {
        match self.upload.as_mut() {
            Some(u) if !u.finished => {
                let e = u.abort(&self.client, &self.input, Error::invalid_input("StreamNotClosed", "The upload stream was never closed."));
                self.failed = Some(e);
                true
            }
            _ => false,
        }
    }
}

/// Upload one part by hand (`uploadPart`): the input is checked before a
/// byte is read, and the part may be at most 5 GiB.
pub fn upload_part<T: Transport>(
    client: &Client<T>,
    input: &put_object::Input,
    upload_id: &str,
    part_number: u32,
    source: &mut dyn ByteSource,
    algorithm: Option<ChecksumAlgorithm>,
) -> Result<crate::multipart::UploadPartOutput> {
    upload_part::request(&client.conn, &input.bucket, &input.key, upload_id, part_number, Vec::new(), None)?;
    let too_large = || Error::invalid_input("EntityTooLarge", "fileChunk is larger than 5 GiB, S3's largest part.");
    if source.size().is_some_and(|s| s > MAX_PART) {
        return Err(too_large());
    }
    let mut pieces = Pieces { source, read: 0 };
    // Grown as the bytes arrive: the size may be unknown.
    let body = pieces.fill(Vec::new(), usize::try_from(MAX_PART + 1).unwrap_or(usize::MAX))?;
    if body.len() as u64 > MAX_PART {
        return Err(too_large());
    }
    let req = upload_part::request(&client.conn, &input.bucket, &input.key, upload_id, part_number, body, algorithm)?;
    let sent = checksum::sent(&req);
    upload_part::parse(&client.execute(req)?, part_number, sent.as_ref().map(|(alg, v)| (*alg, v.as_str())))
}

/// Stream the object `req` asks for into `sink`. The length is checked, and
/// so is the whole-object checksum when S3 returns one.
pub fn download<T: Transport>(client: &Client<T>, req: http::Request<Vec<u8>>, sink: &mut dyn ByteSink) -> Result<GetObjectOutput> {
    let resp = client.open(req)?;
    let object = head_object::parse(&resp)?;
    // A range (206) is not the whole object its checksum covers.
    let expected = if resp.status() == http::StatusCode::PARTIAL_CONTENT { None } else { get_object::full_object_checksum(&resp) };
    let mut hasher = expected.as_ref().map(|(alg, _)| Hasher::new(*alg));
    let mut body = resp.into_body();
    let mut received = 0u64;
    while let Some(chunk) = body.next_chunk()? {
        if let Some(h) = hasher.as_mut() {
            h.update(&chunk);
        }
        received += chunk.len() as u64;
        sink.write(&chunk)?;
    }
    if let Some(len) = object.content_length.filter(|len| *len != received) {
        return Err(Error::transport(
            "IncompleteBody",
            format!("S3 announced {len} bytes but {received} arrived: the download is incomplete."),
            true,
        ));
    }
    if let (Some(h), Some((alg, value))) = (hasher, expected) {
        let got = h.finish();
        if got != value {
            return Err(Error::checksum_mismatch(format!(
                "The downloaded bytes have {} {got}, but S3 stored {value}: they were corrupted on the way. Try again.",
                checksum::name(alg)
            )));
        }
    }
    Ok(GetObjectOutput { content_type: object.content_type.clone(), object })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::Script;
    use crate::ops::test_support::conn;

    /// A source over bytes, handing out at most `chunk` bytes per read.
    struct Bytes {
        data: Vec<u8>,
        pos: usize,
        chunk: usize,
        announced: Option<u64>,
    }

    impl ByteSource for Bytes {
        fn read(&mut self, max: usize) -> Result<Vec<u8>> {
            let n = max.min(self.chunk).min(self.data.len() - self.pos);
            self.pos += n;
            Ok(self.data[self.pos - n..self.pos].to_vec())
        }
        fn size(&self) -> Option<u64> {
            self.announced
        }
    }

    fn source(len: usize, known: bool) -> Bytes {
        Bytes { data: (0..len).map(|i| (i % 251) as u8).collect(), pos: 0, chunk: 100_000, announced: known.then_some(len as u64) }
    }

    fn input() -> put_object::Input {
        put_object::Input { bucket: "bkt".into(), key: "k".into(), ..Default::default() }
    }

    fn small(threshold_mib: u32, in_flight: u32) -> TransferOptions {
        TransferOptions {
            multipart_threshold_mib: Some(threshold_mib),
            part_size_mib: Some(5),
            parts_in_flight: Some(in_flight),
            checksum_algorithm: None,
        }
    }

    const CREATED: &str =
        "<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key><UploadId>up</UploadId></InitiateMultipartUploadResult>";

    #[test]
    fn plans_grow_the_part_size_for_huge_bodies() {
        let p = Plan::new(None, Some(1 << 30)).unwrap();
        assert_eq!((p.threshold, p.part_size, p.in_flight), (16 * MIB, 8 * MIB, 4));
        // 200 GiB in 10,000 parts needs 21 MiB parts.
        assert_eq!(Plan::new(None, Some(200 << 30)).unwrap().part_size, 21 * MIB);
        let bad =
            TransferOptions { multipart_threshold_mib: None, part_size_mib: Some(4), parts_in_flight: None, checksum_algorithm: None };
        assert_eq!(Plan::new(Some(&bad), None).unwrap_err().code, "InvalidPartSize");
        let bad = TransferOptions { parts_in_flight: Some(0), part_size_mib: None, ..bad };
        assert_eq!(Plan::new(Some(&bad), None).unwrap_err().code, "InvalidPartsInFlight");
    }

    #[test]
    fn small_bodies_go_in_one_put_with_their_checksum() {
        let script = Script::default();
        let mut src = source(1000, false);
        let out = upload(&Client::new(conn(), &script), &input(), &mut src, None).unwrap();
        assert_eq!(out.size, Some(1000));
        let seen = script.seen.borrow();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].body().len(), 1000);
        assert_eq!(seen[0].headers()["x-amz-checksum-crc32c"], checksum::of(ChecksumAlgorithm::Crc32c, &src.data).as_str());
        assert_eq!(seen[0].headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    }

    #[test]
    fn large_bodies_go_in_parts_side_by_side() {
        // 5 MiB threshold and parts, 2 in flight: 12 MiB + 1 is parts of 5, 5 and 2 MiB + 1.
        let script = Script::bodies(&[CREATED]);
        for n in 1..=3 {
            script.push(200, &[("etag", &format!("\"e{n}\""))], b"");
        }
        script.push(200, &[], b"<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>");
        let mut src = source(12 * (1 << 20) + 1, true);
        let out = upload(&Client::new(conn(), &script), &input(), &mut src, Some(&small(5, 2))).unwrap();
        assert_eq!(out.e_tag.as_deref(), Some("\"x-3\""));
        assert_eq!(out.size, Some(12 * MIB + 1));
        assert_eq!(*script.batches.borrow(), [1, 2, 1, 1]);
        let seen = script.seen.borrow();
        let sizes: Vec<usize> = seen[1..4].iter().map(|r| r.body().len()).collect();
        assert_eq!(sizes, [5 << 20, 5 << 20, (2 << 20) + 1]);
        let joined: Vec<u8> = seen[1..4].iter().flat_map(|r| r.body().clone()).collect();
        assert!(joined == src.data, "the parts are the body, in order");
        let complete = String::from_utf8(seen[4].body().clone()).unwrap();
        assert!(complete.contains("<PartNumber>3</PartNumber><ChecksumCRC32C>"), "{complete}");
        assert_eq!(seen[0].headers()["x-amz-checksum-algorithm"], "CRC32C");
    }

    #[test]
    fn a_failed_part_aborts_the_upload() {
        let script = Script::bodies(&[CREATED]);
        script.push(200, &[("etag", "\"e1\"")], b"");
        script.push(500, &[], b"<Error><Code>InternalError</Code><Message>boom</Message></Error>");
        let mut src = source(11 << 20, false);
        let e = upload(&Client::new(conn(), &script), &input(), &mut src, Some(&small(5, 2))).unwrap_err();
        assert_eq!(e.code, "InternalError");
        assert!(e.message.contains("aborted"), "{}", e.message);
        let urls = script.urls();
        assert_eq!(urls.last().unwrap(), "DELETE http://127.0.0.1:9000/bkt/k?uploadId=up");
        assert!(!urls.iter().any(|u| u.starts_with("POST") && u.contains("uploadId")), "never completed: {urls:?}");
    }

    #[test]
    fn a_source_shorter_than_announced_fails_and_aborts() {
        let script = Script::bodies(&[CREATED]);
        script.push(200, &[("etag", "\"e1\"")], b"");
        script.push(200, &[("etag", "\"e2\"")], b"");
        let mut src = source(11 << 20, true);
        src.data.truncate(10 << 20);
        let e = upload(&Client::new(conn(), &script), &input(), &mut src, Some(&small(5, 4))).unwrap_err();
        // The announced size sized the plan; 10 MiB arrived instead of 11.
        assert_eq!(e.code, "SizeMismatch");
        assert!(script.urls().last().unwrap().starts_with("DELETE"));
    }

    struct Sink(Vec<u8>);
    impl ByteSink for Sink {
        fn write(&mut self, bytes: &[u8]) -> Result<()> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }
    }

    #[test]
    fn downloads_stream_and_check_length_and_checksum() {
        let good = checksum::of(ChecksumAlgorithm::Crc32c, b"hello world");
        let script = Script::default();
        script.push(200, &[("content-length", "11"), ("x-amz-checksum-crc32c", &good)], b"hello world");
        let mut sink = Sink(Vec::new());
        let req = get_object::request(&conn(), "bkt", "k", &head_object::Read::default()).unwrap();
        let out = download(&Client::new(conn(), &script), req.clone(), &mut sink).unwrap();
        assert_eq!(sink.0, b"hello world");
        assert_eq!(out.object.content_length, Some(11));

        script.push(200, &[("content-length", "11"), ("x-amz-checksum-crc32c", &good)], b"hello_world");
        let e = download(&Client::new(conn(), &script), req.clone(), &mut Sink(Vec::new())).unwrap_err();
        assert_eq!(e.code, "ChecksumMismatch");

        script.push(200, &[("content-length", "12")], b"hello world");
        let e = download(&Client::new(conn(), &script), req.clone(), &mut Sink(Vec::new())).unwrap_err();
        assert_eq!(e.code, "IncompleteBody");

        script.push(404, &[], b"<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>");
        let e = download(&Client::new(conn(), &script), req, &mut Sink(Vec::new())).unwrap_err();
        assert_eq!(e.code, "NoSuchKey");
    }

    fn stream(script: &Script, in_flight: u32) -> StreamUpload<&Script> {
        StreamUpload::new(Client::new(conn(), script), input(), Some(&small(5, in_flight))).unwrap()
    }

    #[test]
    fn a_small_stream_is_one_put_at_close() {
        let script = Script::default();
        let mut s = stream(&script, 2);
        s.write(&mut source(1000, false)).unwrap();
        s.write(&mut source(24, false)).unwrap();
        assert!(script.seen.borrow().is_empty(), "nothing is sent before close");
        let out = s.close().unwrap();
        assert_eq!(out.size, Some(1024));
        assert_eq!(script.urls(), ["PUT http://127.0.0.1:9000/bkt/k"]);
        assert_eq!(script.seen.borrow()[0].body().len(), 1024);
    }

    #[test]
    fn writes_gather_into_parts_sent_side_by_side() {
        let script = Script::bodies(&[CREATED]);
        for n in 1..=3 {
            script.push(200, &[("etag", &format!("\"e{n}\""))], b"");
        }
        script.push(200, &[], b"<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>");
        let mut s = stream(&script, 2);
        let data = source(11 * (1 << 20) + 7, false).data;
        for chunk in data.chunks(1 << 20) {
            s.write(&mut Bytes { data: chunk.to_vec(), pos: 0, chunk: 1 << 20, announced: None }).unwrap();
        }
        assert_eq!(*script.batches.borrow(), [1, 2], "two full parts went out together during the writes");
        let out = s.close().unwrap();
        assert_eq!(out.size, Some(11 * MIB + 7));
        let seen = script.seen.borrow();
        let joined: Vec<u8> = seen[1..4].iter().flat_map(|r| r.body().clone()).collect();
        assert!(joined == data);
    }

    #[test]
    fn a_failed_write_aborts_and_closes_the_stream() {
        let script = Script::bodies(&[CREATED]);
        script.push(200, &[("etag", "\"e1\"")], b"");
        script.push(503, &[], b"<Error><Code>SlowDown</Code><Message>slow</Message></Error>");
        let mut s = stream(&script, 2);
        let e = s.write(&mut source(10 << 20, false)).unwrap_err();
        assert_eq!(e.code, "SlowDown");
        assert!(script.urls().last().unwrap().starts_with("DELETE"), "{:?}", script.urls());
        let again = s.write(&mut source(1, false)).unwrap_err();
        assert!(again.message.contains("failed earlier"), "{}", again.message);
        assert_eq!(s.close().unwrap_err().code, "SlowDown");
    }

    #[test]
    fn an_abandoned_stream_aborts_its_upload() {
        let script = Script::bodies(&[CREATED]);
        script.push(200, &[("etag", "\"e1\"")], b"");
        let mut s = stream(&script, 1);
        s.write(&mut source(5 << 20, false)).unwrap();
        assert!(s.abandon());
        assert!(script.urls().last().unwrap().starts_with("DELETE"));
        let script = Script::default();
        assert!(!stream(&script, 1).abandon(), "nothing to abort before the first part");
    }

    #[test]
    fn a_part_by_hand_is_checked_first_and_checksummed_once() {
        let script = Script::default();
        let client = Client::new(conn(), &script);
        let mut src = source(1000, false);
        let e = upload_part(&client, &input(), "up", 0, &mut src, None).unwrap_err();
        assert_eq!(e.code, "InvalidPartNumber");
        assert_eq!(src.pos, 0, "nothing was read");
        script.push(200, &[("etag", "\"e\"")], b"");
        let out = upload_part(&client, &input(), "up", 2, &mut src, Some(ChecksumAlgorithm::Crc32c)).unwrap();
        assert_eq!(out.part.checksum_crc32c, Some(checksum::of(ChecksumAlgorithm::Crc32c, &src.data)));
        assert_eq!(script.seen.borrow()[0].body().len(), 1000);
    }
}
