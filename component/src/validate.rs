//! Input checks that run before anything is sent.

use crate::error::{Error, Result};

/// S3's limit on key length, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1024;

/// Check the name of an existing bucket: what S3 has ever allowed, so that
/// legacy us-east-1 buckets (upper case, `_`, up to 255 characters) and access
/// point aliases (`-s3alias`, `--ol-s3`) work; the name must only be safe in a
/// URL path or host. Names that are not DNS-safe are addressed in the path
/// ([`crate::conn::Conn::url`]). New buckets follow [`new_bucket`].
pub fn bucket(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid_input("InvalidBucketName", "Bucket name is empty: give the name of a bucket."));
    }
    if !(3..=255).contains(&name.len()) || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) || name == "..." {
        return Err(Error::invalid_input(
            "InvalidBucketName",
            format!(
                "Bucket name {:?} is not a bucket name: use letters, digits, '.', '-' and '_' (at most 255).",
                name.chars().take(64).collect::<String>()
            ),
        ));
    }
    Ok(())
}

/// Whether a bucket name can be a DNS label (virtual-hosted addressing):
/// today's naming rules, which legacy names may break.
pub fn dns_safe(name: &str) -> bool {
    not_a_dns_label(name).is_none()
}

/// Check a new bucket's name against S3's naming rules for general purpose
/// buckets: 3-63 characters of lower-case letters, digits, `.` and `-`,
/// starting and ending with a letter or digit, no `..`, not shaped like an IP
/// address, and none of the reserved prefixes and suffixes.
pub fn new_bucket(name: &str) -> Result<()> {
    let fail = |why: &str| {
        Err(Error::invalid_input(
            "InvalidBucketName",
            format!("Bucket name {name:?} is not valid: {why}. Use 3-63 lower-case letters, digits, dots and hyphens."),
        ))
    };
    if name.is_empty() {
        return Err(Error::invalid_input("InvalidBucketName", "Bucket name is empty: give the name of a bucket."));
    }
    if let Some(why) = not_a_dns_label(name) {
        return fail(&why);
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return fail(&format!("it must not start with {prefix:?}"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return fail(&format!("it must not end with {suffix:?}"));
        }
    }
    Ok(())
}

/// Why `name` cannot be a bucket's DNS label, if it cannot.
fn not_a_dns_label(name: &str) -> Option<String> {
    if !(3..=63).contains(&name.len()) {
        return Some("it must be 3 to 63 characters long".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')) {
        return Some(format!("it contains {c:?}"));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Some("it must start and end with a letter or digit".into());
    }
    if name.contains("..") {
        return Some("it must not contain two adjacent dots".into());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        return Some("it must not be formatted as an IP address".into());
    }
    None
}

/// Check an object key that goes in a URL path: 1 to 1024 bytes and no `.`
/// or `..` segment. `field` names the input in the message.
pub fn key(field: &str, key: &str) -> Result<()> {
    key_in_body(field, key)?;
    // S3 stores `a/../b` as it is, but URL normalisation in servers, proxies
    // and HTTP libraries resolves such segments, and the request then reaches
    // another key, or another bucket. Such keys are refused, not rewritten.
    if key.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(Error::invalid_input(
            "UnsafeObjectKey",
            format!(
                "{field} has a '.' or '..' path segment, which servers and proxies may resolve to another object or bucket; rename the object."
            ),
        ));
    }
    Ok(())
}

/// Check an object key that travels in an XML body (`deleteObjects`), where
/// no URL resolution can touch it: 1 to 1024 bytes, any segments.
pub fn key_in_body(field: &str, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid_input("InvalidObjectKey", format!("{field} is empty: give the object's key, e.g. path/to/file.txt.")));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::invalid_input(
            "KeyTooLong",
            format!("{field} is {} bytes long; S3 allows at most {MAX_KEY_BYTES} bytes of UTF-8.", key.len()),
        ));
    }
    Ok(())
}

/// Check an optional page size: 1 to 1000.
pub fn max_keys(n: Option<u32>) -> Result<()> {
    match n {
        Some(0) | Some(1001..) => {
            Err(Error::invalid_input("InvalidMaxKeys", format!("maxKeys is {}; give a number from 1 to 1000.", n.unwrap_or_default())))
        }
        _ => Ok(()),
    }
}

/// The most bytes a header value built from an input may have. S3 limits a
/// request's headers to 8 KiB in all; a longer value could never be sent.
pub const MAX_HEADER_VALUE: usize = 8 << 10;

/// Check a value that is sent as a header (`contentType`, a metadata value):
/// visible ASCII and spaces only, at most 8 KiB. S3 does not sign (and
/// proxies mangle) other bytes in headers, so they are refused here.
pub fn header_value(field: &str, value: &str) -> Result<()> {
    if let Some(c) = value.chars().find(|c| !(c.is_ascii_graphic() || *c == ' ' || *c == '\t')) {
        return Err(Error::invalid_input(
            "InvalidHeaderValue",
            format!("{field} contains {c:?}: values sent as HTTP headers must be visible ASCII (percent-encode other characters)."),
        ));
    }
    if value.len() > MAX_HEADER_VALUE {
        return Err(Error::invalid_input(
            "InvalidHeaderValue",
            format!("{field} is {} bytes long; at most {MAX_HEADER_VALUE} fit in a request.", value.len()),
        ));
    }
    Ok(())
}

/// S3's limits on object tags: 10 per object, keys up to 128 and values up to 256 characters.
pub fn tags(tags: &[crate::types::KeyValue]) -> Result<()> {
    let mut distinct = std::collections::HashSet::new();
    for t in tags {
        if t.key.is_empty() || t.key.chars().count() > 128 || t.value.chars().count() > 256 {
            return Err(Error::invalid_input(
                "InvalidTag",
                format!(
                    "tag {:?} is not valid: keys are 1 to 128 characters, values at most 256.",
                    t.key.chars().take(40).collect::<String>()
                ),
            ));
        }
        distinct.insert(t.key.as_str());
        if distinct.len() > 10 {
            return Err(Error::invalid_input("BadRequest", "tagging has more than 10 distinct keys; S3 allows 10 tags per object."));
        }
    }
    Ok(())
}

/// Check user metadata (`x-amz-meta-*`): names of letters, digits, `-`, `_`
/// and `.`; values that can travel in a header; 2 KB in all, S3's limit.
pub fn metadata(pairs: &[(String, String)]) -> Result<()> {
    let total: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > 2048 {
        return Err(Error::invalid_input(
            "MetadataTooLarge",
            format!("metadata is {total} bytes; S3 allows 2 KB of user metadata per object."),
        ));
    }
    for (name, value) in pairs {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            return Err(Error::invalid_input(
                "InvalidMetadata",
                format!("metadata name {name:?} is not usable: use letters, digits, '-', '_' and '.'."),
            ));
        }
        header_value(&format!("metadata.{name}"), value)?;
    }
    Ok(())
}

/// Whether `s` is an AWS account id: 12 digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Check an account id input (`bucketOwnerAccountid`).
pub fn account_id(field: &str, s: &str) -> Result<()> {
    if is_account_id(s) {
        Ok(())
    } else {
        Err(Error::invalid_input("InvalidAccountId", format!("{field} must be a 12-digit AWS account id.")))
    }
}

/// A blank optional string means "not set".
pub fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_bucket_names() {
        for name in ["abc", "my-bucket.example", "a1-b2", &"a".repeat(63), "192.168.5"] {
            new_bucket(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(dns_safe(name));
        }
    }

    #[test]
    fn existing_buckets_may_have_legacy_names_and_aliases() {
        for name in ["My_Legacy.Bucket", &"a".repeat(200), "my-ap-abcdefghij-s3alias", "my-olap--ol-s3", "abc"] {
            bucket(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(!dns_safe("My_Legacy.Bucket"));
        for name in ["", "ab", "a/b", "a b", "a?b", "...", &"a".repeat(256), "ééé"] {
            assert_eq!(bucket(name).expect_err(name).code, "InvalidBucketName", "{name}");
        }
    }

    #[test]
    fn rejects_invalid_bucket_names() {
        for name in
            ["", "ab", &"a".repeat(64), "My-Bucket", "my_bucket", "-abc", "abc-", "a..b", "192.168.5.4", "xn--abc", "abc-s3alias", "a b c"]
        {
            let e = new_bucket(name).expect_err(name);
            assert_eq!(e.code, "InvalidBucketName");
            assert_eq!(e.kind, crate::types::ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn keys_are_one_to_1024_bytes() {
        key("objectKey", "a").unwrap();
        key("objectKey", &"k".repeat(1024)).unwrap();
        assert_eq!(key("objectKey", "").unwrap_err().code, "InvalidObjectKey");
        assert_eq!(key("objectKey", &"k".repeat(1025)).unwrap_err().code, "KeyTooLong");
        // 342 three-byte characters: 1026 bytes.
        assert_eq!(key("objectKey", &"日".repeat(342)).unwrap_err().code, "KeyTooLong");
        for unsafe_key in ["..", "../other/planted.txt", "a/./b", "a/..", "./a"] {
            assert_eq!(key("objectKey", unsafe_key).unwrap_err().code, "UnsafeObjectKey", "{unsafe_key}");
        }
        for fine in ["a..b", ".hidden", "a/.../b", "a/.b/c", "..."] {
            key("objectKey", fine).unwrap();
        }
        // In an XML body no URL resolution happens: such keys can be deleted in a batch.
        key_in_body("objectKeys[0]", "../other/planted.txt").unwrap();
        assert_eq!(key_in_body("objectKeys[0]", "").unwrap_err().code, "InvalidObjectKey");
    }

    #[test]
    fn header_values_are_visible_ascii_and_short() {
        header_value("contentType", "text/plain; charset=utf-8").unwrap();
        assert_eq!(header_value("contentType", "text/é").unwrap_err().code, "InvalidHeaderValue");
        assert_eq!(header_value("contentType", "a\r\nx-injected: 1").unwrap_err().code, "InvalidHeaderValue");
        assert_eq!(header_value("contentType", &"a".repeat(1 << 20)).unwrap_err().code, "InvalidHeaderValue");
    }

    #[test]
    fn tags_follow_s3s_limits_even_when_there_are_many() {
        let kv = |k: String| crate::types::KeyValue { key: k, value: "v".into() };
        tags(&(0..10).map(|i| kv(format!("k{i}"))).collect::<Vec<_>>()).unwrap();
        // Repeats of one key are one tag (the last value wins).
        tags(&(0..100).map(|_| kv("same".into())).collect::<Vec<_>>()).unwrap();
        let many: Vec<_> = (0..100_000).map(|i| kv(format!("k{i}"))).collect();
        assert_eq!(tags(&many).unwrap_err().code, "BadRequest");
        assert_eq!(tags(&[kv(String::new())]).unwrap_err().code, "InvalidTag");
    }

    #[test]
    fn max_keys_range() {
        max_keys(None).unwrap();
        max_keys(Some(1)).unwrap();
        max_keys(Some(1000)).unwrap();
        max_keys(Some(0)).unwrap_err();
        max_keys(Some(1001)).unwrap_err();
    }
}
