//! Timestamps: S3 speaks ISO 8601 in XML and HTTP dates in headers; outputs are
//! always ISO 8601 in UTC with milliseconds (`2024-03-08T23:30:22.000Z`), as the
//! AWS SDKs render dates in JSON.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

/// Normalise an ISO 8601 timestamp from an XML document. Unparseable input
/// is passed through unchanged rather than dropped.
pub fn from_iso(s: &str) -> String {
    DateTime::from_str(s.trim(), Format::DateTime).map_or_else(|_| s.to_owned(), |d| iso(&d))
}

/// Normalise an HTTP date from a header (`Last-Modified`).
pub fn from_http_date(s: &str) -> String {
    DateTime::from_str(s.trim(), Format::HttpDate).map_or_else(|_| s.to_owned(), |d| iso(&d))
}

/// Format seconds (and nanoseconds) since the Unix epoch as ISO 8601 with milliseconds.
pub fn iso_from_unix(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, nanos / 1_000_000)
}

fn iso(d: &DateTime) -> String {
    iso_from_unix(d.secs(), d.subsec_nanos())
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds() {
        assert_eq!(iso_from_unix(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_from_unix(1_709_940_622, 123_456_789), "2024-03-08T23:30:22.123Z");
        assert_eq!(iso_from_unix(951_782_400, 0), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn normalises_xml_and_header_dates() {
        assert_eq!(from_iso("2009-10-12T17:50:30.000Z"), "2009-10-12T17:50:30.000Z");
        assert_eq!(from_iso("2009-10-12T17:50:30Z"), "2009-10-12T17:50:30.000Z");
        assert_eq!(from_iso("2009-10-12T17:50:30.5Z"), "2009-10-12T17:50:30.500Z");
        assert_eq!(from_http_date("Wed, 12 Oct 2009 17:50:00 GMT"), "2009-10-12T17:50:00.000Z");
        assert_eq!(from_iso("not a date"), "not a date");
    }
}
