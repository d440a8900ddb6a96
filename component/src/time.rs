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

/// Whole seconds since the Unix epoch (0 before it).
pub fn unix_secs(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Parse an RFC 3339 timestamp (`Z` or an offset) into seconds and
/// nanoseconds since the Unix epoch; `None` when it is not one.
pub fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(range)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d < 1 || d > month_days[usize::try_from(mo - 1).ok()?] || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let scaled = format!("{:0<9}", &frac[..digits.min(9)]);
        nanos = scaled.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let oh: i64 = rest[1..3].parse().ok().filter(|_| rest[1..3].bytes().all(|c| c.is_ascii_digit()))?;
            let om: i64 = rest[4..6].parse().ok().filter(|_| rest[4..6].bytes().all(|c| c.is_ascii_digit()))?;
            if oh > 23 || om > 59 {
                return None;
            }
            (oh * 60 + om) * 60 * if *sign == b'+' { 1 } else { -1 }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo, d);
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset, nanos))
}

/// A proleptic Gregorian date to days since 1970-01-01 (the inverse of [`civil_from_days`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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

    #[test]
    fn parses_rfc3339_with_offsets() {
        assert_eq!(parse_rfc3339("2030-12-31T23:59:59Z"), Some((1_924_991_999, 0)));
        assert_eq!(parse_rfc3339(" 2031-01-01T01:59:59.5+02:00 "), Some((1_924_991_999, 500_000_000)));
        for bad in ["2030-12-31", "31/12/2030", "2030-13-01T00:00:00Z", ""] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
