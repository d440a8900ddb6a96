//! One file per S3 operation. Each has `request` (validate the input, build the
//! unsigned request) and `parse` (read the answer into the WIT output type);
//! operations that page have a `run` that drives a [`crate::client::Client`].

pub mod copy_object;
pub mod create_bucket;
pub mod delete_bucket;
pub mod delete_object;
pub mod delete_objects;
pub mod get_bucket_location;
pub mod get_object;
pub mod get_object_attributes;
pub mod get_object_tagging;
pub mod head_bucket;
pub mod head_object;
pub mod list_buckets;
pub mod list_objects;
pub mod multipart;
pub mod notification;
pub mod object_lock;
pub mod poll;
pub mod presign;
pub mod put_object;
pub mod sns;
pub mod sts;

use crate::encode;
use crate::types::{KeyValue, ObjectCannedAcl};

/// `query` (a subresource such as `tagging`, or empty) with `versionId` added
/// when a version is given (blank means none).
pub fn with_version(query: &str, version_id: Option<&str>) -> String {
    match crate::validate::non_blank(version_id) {
        Some(v) if query.is_empty() => encode::query(&[("versionId", v.trim())]),
        Some(v) => format!("{query}&{}", encode::query(&[("versionId", v.trim())])),
        None => query.to_owned(),
    }
}

/// The `x-amz-meta-*` headers of user metadata (names lower-cased, as S3 stores them).
pub fn metadata_headers(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (format!("x-amz-meta-{}", k.trim().to_ascii_lowercase()), v.clone())).collect()
}

/// The `x-amz-acl` value of a canned ACL.
pub fn acl_header(acl: ObjectCannedAcl) -> (&'static str, String) {
    let value = match acl {
        ObjectCannedAcl::Private => "private",
        ObjectCannedAcl::PublicRead => "public-read",
        ObjectCannedAcl::PublicReadWrite => "public-read-write",
        ObjectCannedAcl::AuthenticatedRead => "authenticated-read",
        ObjectCannedAcl::AwsExecRead => "aws-exec-read",
        ObjectCannedAcl::BucketOwnerRead => "bucket-owner-read",
        ObjectCannedAcl::BucketOwnerFullControl => "bucket-owner-full-control",
    };
    ("x-amz-acl", value.to_owned())
}

/// The `x-amz-tagging` value: URL-encoded `key=value` pairs; on a repeated key
/// the last value wins (as the seed's connector did). `None` for no tags.
pub fn tagging_header(tags: &[KeyValue]) -> Option<(&'static str, String)> {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for tag in tags {
        match index.get(tag.key.as_str()) {
            Some(&i) => pairs[i].1 = &tag.value,
            None => {
                index.insert(tag.key.as_str(), pairs.len());
                pairs.push((&tag.key, &tag.value));
            }
        }
    }
    (!pairs.is_empty()).then(|| ("x-amz-tagging", encode::query(&pairs)))
}

/// A request of the AWS query protocol (STS, SNS): a form-encoded POST of
/// `Action`, `Version` and the parameters, to the service's endpoint.
pub fn query_request(url: String, version: &str, params: &[(&str, &str)]) -> crate::error::Result<http::Request<Vec<u8>>> {
    let mut all = vec![("Version", version)];
    all.extend_from_slice(params);
    let body = encode::query(&all).into_bytes();
    let headers = [("content-type", "application/x-www-form-urlencoded; charset=utf-8".to_owned())];
    crate::client::request(http::Method::POST, url, &headers, body)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! One fixture for every operation's tests.
    use crate::conn::{
        Conn,
        tests::{connection, resolved},
    };

    /// A path-style connection to a local endpoint.
    pub fn conn() -> Conn {
        resolved(&connection(Some("http://127.0.0.1:9000"))).unwrap()
    }

    /// An answer with the given status, headers and body.
    pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
        let mut b = http::Response::builder().status(status);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(body.as_bytes().to_vec()).unwrap()
    }

    /// A request's header as a string.
    pub fn header<'a>(req: &'a http::Request<Vec<u8>>, name: &str) -> Option<&'a str> {
        req.headers().get(name).map(|v| v.to_str().unwrap())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_encoded_and_the_last_duplicate_wins() {
        let kv = |k: &str, v: &str| KeyValue { key: k.into(), value: v.into() };
        assert_eq!(tagging_header(&[]), None);
        let tags = [kv("env", "prod"), kv("team", "a b&c"), kv("env", "dev")];
        assert_eq!(tagging_header(&tags).unwrap().1, "env=dev&team=a%20b%26c");
    }
}
