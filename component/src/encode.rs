//! Percent-encoding as S3 wants it: once, RFC 3986 unreserved characters kept,
//! the same string on the wire and in the signature.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but `A-Z a-z 0-9 - _ . ~` is encoded (query values, copy sources' parts).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Like [`UNRESERVED`], but `/` stays: object keys in paths and `x-amz-copy-source`.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Encode an object key (or any path part) for a URL path. `/` is kept, so
/// `a//b` stays `a//b`; everything else outside the unreserved set is encoded.
pub fn path(key: &str) -> String {
    utf8_percent_encode(key, PATH).to_string()
}

/// Encode a query-string name or value (`/` too, space as `%20`, never `+`).
pub fn query_value(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// Build a query string from pairs, in the given order. An empty value gives `name=`.
pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", query_value(k), query_value(v))).collect::<Vec<_>>().join("&")
}

/// Decode a key of an `encoding-type=url` listing, as S3 encodes it there:
/// form encoding, so `+` is a space and a literal `+` comes as `%2B` (measured
/// on AWS: `a b.txt` is listed as `a+b.txt`, `a+b.txt` as `a%2Bb.txt`).
pub fn decode(value: &str) -> String {
    percent_decode_str(&value.replace('+', " ")).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_slashes_and_encode_the_rest_once() {
        assert_eq!(path("a//b/"), "a//b/");
        assert_eq!(path("a b+c=d"), "a%20b%2Bc%3Dd");
        assert_eq!(path("?#%"), "%3F%23%25");
        assert_eq!(path("é日本🎉"), "%C3%A9%E6%97%A5%E6%9C%AC%F0%9F%8E%89");
        assert_eq!(path("-_.~AZaz09"), "-_.~AZaz09");
        assert_eq!(path(":()!'*@&$,;[]|"), "%3A%28%29%21%27%2A%40%26%24%2C%3B%5B%5D%7C");
    }

    #[test]
    fn query_values_encode_slashes_and_spaces() {
        assert_eq!(query_value("a/b c"), "a%2Fb%20c");
        assert_eq!(query(&[("list-type", "2"), ("prefix", "x y/")]), "list-type=2&prefix=x%20y%2F");
    }

    #[test]
    fn decode_reads_s3s_form_encoding() {
        for s in ["a b", "a+b", "é/日本?#%", "x%y", "line\r\nbreak"] {
            assert_eq!(decode(&path(s)), s);
        }
        assert_eq!(decode("a+b.txt"), "a b.txt");
        assert_eq!(decode("a%2Bb.txt"), "a+b.txt");
        assert_eq!(decode("100%25.csv"), "100%.csv");
        assert_eq!(decode("%ED%95%9C%EA%B8%80/x.txt"), "한글/x.txt");
    }
}
