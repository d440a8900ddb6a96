//! The checksums S3 verifies for uploaded bytes (`x-amz-checksum-*`): CRC-32C,
//! CRC-32 and CRC-64/NVME, computed in the component while the bytes pass.
//!
//! Why CRCs and not SHA-256: SHA-256 runs at about 150 MiB/s inside wasm, a
//! slice-by-16 CRC several times faster. Bodies are therefore signed as
//! `UNSIGNED-PAYLOAD` with the checksum header signed (see [`crate::sign`]):
//! S3 recomputes the CRC of what it received and refuses a mismatch
//! (`BadDigest`), the signature stops anyone from swapping the checksum, and
//! TLS protects the bytes in transit from deliberate tampering.

use crate::types::ChecksumAlgorithm;
use aws_smithy_types::base64;
use crc::{CRC_32_ISCSI, CRC_32_ISO_HDLC, CRC_64_NVME, Crc, Digest, Table};

static CRC32C: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&CRC_32_ISCSI);
static CRC32: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&CRC_32_ISO_HDLC);
static CRC64NVME: Crc<u64, Table<16>> = Crc::<u64, Table<16>>::new(&CRC_64_NVME);

/// The request header that carries a checksum of `algorithm`.
pub fn header_name(algorithm: ChecksumAlgorithm) -> &'static str {
    match algorithm {
        ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
        ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
        ChecksumAlgorithm::Crc64nvme => "x-amz-checksum-crc64nvme",
    }
}

/// The headers that send `body`'s checksum: the value, and the algorithm as
/// the AWS SDKs announce it (`x-amz-sdk-checksum-algorithm`), which S3
/// requires, as an alternative to `Content-MD5`, for writes into a bucket with
/// a default Object Lock retention.
pub fn headers(algorithm: ChecksumAlgorithm, body: &[u8]) -> [(&'static str, String); 2] {
    [("x-amz-sdk-checksum-algorithm", name(algorithm).to_owned()), (header_name(algorithm), of(algorithm, body))]
}

/// Whether a request header carries a checksum value (not the algorithm,
/// mode or type headers).
pub fn is_value_header(name: &str) -> bool {
    matches!(name, "x-amz-checksum-crc32c" | "x-amz-checksum-crc32" | "x-amz-checksum-crc64nvme")
}

/// The checksum a built request carries (computed when it was built), so
/// that it need not be computed a second time to check S3's answer.
pub fn sent<B>(req: &http::Request<B>) -> Option<(ChecksumAlgorithm, String)> {
    [ChecksumAlgorithm::Crc32c, ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc64nvme]
        .into_iter()
        .find_map(|alg| Some((alg, req.headers().get(header_name(alg))?.to_str().ok()?.to_owned())))
}

/// Of the three checksum fields an output has (CRC-32C, CRC-32, CRC-64/NVME,
/// in that order), the one of `algorithm`.
pub fn pick(algorithm: ChecksumAlgorithm, fields: [&Option<String>; 3]) -> Option<&str> {
    let [crc32c, crc32, crc64nvme] = fields;
    match algorithm {
        ChecksumAlgorithm::Crc32c => crc32c.as_deref(),
        ChecksumAlgorithm::Crc32 => crc32.as_deref(),
        ChecksumAlgorithm::Crc64nvme => crc64nvme.as_deref(),
    }
}

/// The algorithm's name as S3 spells it (`x-amz-checksum-algorithm`).
pub fn name(algorithm: ChecksumAlgorithm) -> &'static str {
    match algorithm {
        ChecksumAlgorithm::Crc32c => "CRC32C",
        ChecksumAlgorithm::Crc32 => "CRC32",
        ChecksumAlgorithm::Crc64nvme => "CRC64NVME",
    }
}

/// A running checksum.
pub enum Hasher {
    /// CRC-32C.
    Crc32c(Digest<'static, u32, Table<16>>),
    /// CRC-32.
    Crc32(Digest<'static, u32, Table<16>>),
    /// CRC-64/NVME.
    Crc64(Digest<'static, u64, Table<16>>),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    /// A fresh checksum of `algorithm`.
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        match algorithm {
            ChecksumAlgorithm::Crc32c => Self::Crc32c(CRC32C.digest()),
            ChecksumAlgorithm::Crc32 => Self::Crc32(CRC32.digest()),
            ChecksumAlgorithm::Crc64nvme => Self::Crc64(CRC64NVME.digest()),
        }
    }

    /// Feed bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Crc32c(d) | Self::Crc32(d) => d.update(bytes),
            Self::Crc64(d) => d.update(bytes),
        }
    }

    /// The checksum's big-endian bytes.
    pub fn finish_raw(self) -> Vec<u8> {
        match self {
            Self::Crc32c(d) | Self::Crc32(d) => d.finalize().to_be_bytes().to_vec(),
            Self::Crc64(d) => d.finalize().to_be_bytes().to_vec(),
        }
    }

    /// The checksum as S3 writes it: base64 of the big-endian bytes.
    pub fn finish(self) -> String {
        base64::encode(self.finish_raw())
    }
}

/// The checksum of `bytes`, base64 as S3 writes it.
pub fn of(algorithm: ChecksumAlgorithm, bytes: &[u8]) -> String {
    let mut h = Hasher::new(algorithm);
    h.update(bytes);
    h.finish()
}

/// The composite checksum S3 reports for a multipart upload: the checksum of
/// the parts' raw checksums, then `-N`. `None` if a part checksum is not base64.
pub fn composite(algorithm: ChecksumAlgorithm, part_checksums: &[String]) -> Option<String> {
    let mut h = Hasher::new(algorithm);
    for c in part_checksums {
        h.update(&base64::decode(c).ok()?);
    }
    Some(format!("{}-{}", h.finish(), part_checksums.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard check values (CRC catalogue) of "123456789", and S3's
    /// base64 rendering of the empty body's CRC-32C (`AAAAAA==`).
    #[test]
    fn known_values() {
        let raw = |alg, data: &[u8]| {
            let mut h = Hasher::new(alg);
            h.update(data);
            hex::encode(h.finish_raw())
        };
        assert_eq!(raw(ChecksumAlgorithm::Crc32c, b"123456789"), "e3069283");
        assert_eq!(raw(ChecksumAlgorithm::Crc32, b"123456789"), "cbf43926");
        assert_eq!(raw(ChecksumAlgorithm::Crc64nvme, b"123456789"), "ae8b14860a799888");
        assert_eq!(of(ChecksumAlgorithm::Crc32c, b""), "AAAAAA==");
        // Any split of the input gives the same checksum.
        let mut h = Hasher::new(ChecksumAlgorithm::Crc32c);
        h.update(b"1234");
        h.update(b"56789");
        assert_eq!(h.finish(), of(ChecksumAlgorithm::Crc32c, b"123456789"));
    }

    #[test]
    fn the_sent_checksum_is_read_back_from_the_request() {
        let req = http::Request::put("http://h/k").header("x-amz-checksum-crc32", "NhCmhg==").body(()).unwrap();
        assert_eq!(sent(&req), Some((ChecksumAlgorithm::Crc32, "NhCmhg==".to_owned())));
        assert_eq!(sent(&http::Request::get("http://h/k").body(()).unwrap()), None);
    }

    #[test]
    fn composite_is_the_checksum_of_the_part_checksums() {
        let parts = [of(ChecksumAlgorithm::Crc32c, b"a"), of(ChecksumAlgorithm::Crc32c, b"b")];
        let mut raw = base64::decode(&parts[0]).unwrap();
        raw.extend(base64::decode(&parts[1]).unwrap());
        assert_eq!(composite(ChecksumAlgorithm::Crc32c, &parts).unwrap(), format!("{}-2", of(ChecksumAlgorithm::Crc32c, &raw)));
        assert_eq!(composite(ChecksumAlgorithm::Crc32c, &["%%".into()]), None);
    }
}
