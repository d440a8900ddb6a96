//! Object Lock: a bucket's default retention and each version's retention.
//! Writes carry the `Content-MD5` S3 requires ([`crate::xml::request`]).

pub mod configuration;
pub mod retention;

use crate::client::{header, metadata};
use crate::object_lock::{ObjectLockWriteOutput, RetentionMode};

/// The mode as S3 spells it.
pub fn mode_name(mode: RetentionMode) -> &'static str {
    match mode {
        RetentionMode::Governance => "GOVERNANCE",
        RetentionMode::Compliance => "COMPLIANCE",
    }
}

/// Read the answer of a write.
pub fn parse_write(resp: &http::Response<Vec<u8>>) -> ObjectLockWriteOutput {
    ObjectLockWriteOutput { request_charged: header(resp, "x-amz-request-charged"), response_metadata: metadata(resp) }
}
