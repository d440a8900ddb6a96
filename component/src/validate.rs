//! Input checks that run before anything is sent.

use crate::error::{Error, Result};

/// S3's limit on key length, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1024;

/// Check a bucket name against S3's naming rules for general purpose buckets:
/// 3-63 characters of lower-case letters, digits, `.` and `-`, starting and
/// ending with a letter or digit, no `..`, not shaped like an IP address, and
/// none of the reserved prefixes and suffixes.
pub fn bucket(name: &str) -> Result<()> {
    let fail = |why: &str| {
        Err(Error::invalid_input(
            "InvalidBucketName",
            format!("Bucket name {name:?} is not valid: {why}. Use 3-63 lower-case letters, digits, dots and hyphens."),
        ))
    };
    if name.is_empty() {
        return Err(Error::invalid_input("InvalidBucketName", "Bucket name is empty: give the name of a bucket."));
    }
    if !(3..=63).contains(&name.len()) {
        return fail("it must be 3 to 63 characters long");
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')) {
        return fail(&format!("it contains {c:?}"));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return fail("it must start and end with a letter or digit");
    }
    if name.contains("..") {
        return fail("it must not contain two adjacent dots");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
        return fail("it must not be formatted as an IP address");
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

/// Check an object key: 1 to 1024 bytes. `field` names the input in the message.
pub fn key(field: &str, key: &str) -> Result<()> {
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
            bucket(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn rejects_invalid_bucket_names() {
        for name in
            ["", "ab", &"a".repeat(64), "My-Bucket", "my_bucket", "-abc", "abc-", "a..b", "192.168.5.4", "xn--abc", "abc-s3alias", "a b c"]
        {
            let e = bucket(name).expect_err(name);
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
