//! WIT names to JSON names. WIT is kebab-case, and a word in upper case is an
//! acronym (`SSE-KMS-key-id`, `ID`), which keeps its case.
//! - inputs, envelopes, errors, data sources and `$metadata`: camelCase (`objectKey`);
//! - AWS outputs: PascalCase (`ETag`, `VersionId`, `SSEKMSKeyId`);
//! - the field `response-metadata` is rendered as `$metadata`, like the AWS SDKs;
//! - fields the connector adds to an AWS output ([`CONNECTOR_FIELDS`]) stay camelCase.

/// The WIT field rendered as `$metadata`.
pub const RESPONSE_METADATA: &str = "response-metadata";

/// Fields the seed's connector adds beside AWS's own output (uploadPart's
/// `part`, the triggers' payload and state): they keep camelCase where AWS's
/// fields are PascalCase.
pub const CONNECTOR_FIELDS: &[&str] = &[
    "part",
    "payload",
    "body",
    "data",
    "polled-no-changes",
    "state",
    "last-polled-at",
    "cursor",
    "window-start",
    "window-end",
    "resume-after",
];

/// Interfaces whose outputs the connector builds itself, with no AWS answer
/// behind them (data sources, presigned URLs, the webhook's outcome): their fields are camelCase
/// (`partNumber`), as in the seed, where AWS's outputs are PascalCase.
pub const CONNECTOR_INTERFACES: &[&str] = &["data-sources", "presign", "webhooks"];

/// The fields of a *noted value*: a record rendered as its `value`, with its
/// `notice` given to the caller apart (listObjects' keys and "more follow").
pub const NOTED_FIELDS: [&str; 2] = ["value", "notice"];

/// JSON naming style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `objectKey`
    Camel,
    /// `ObjectKey`
    Pascal,
}

/// Convert a WIT name to `style`.
pub fn convert(kebab: &str, style: Style) -> String {
    let mut s = String::with_capacity(kebab.len());
    for (i, word) in kebab.split('-').enumerate() {
        let acronym = word.chars().all(|c| !c.is_ascii_lowercase());
        if i == 0 && style == Style::Camel {
            s.push_str(&word.to_ascii_lowercase());
        } else if acronym {
            s.push_str(word);
        } else {
            let mut c = word.chars();
            s.extend(c.next().map(|f| f.to_ascii_uppercase()));
            s.push_str(c.as_str());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_and_pascal() {
        assert_eq!(convert("object-key", Style::Camel), "objectKey");
        assert_eq!(convert("bucket", Style::Camel), "bucket");
        assert_eq!(convert("http-status-code", Style::Camel), "httpStatusCode");
        assert_eq!(convert("e-tag", Style::Pascal), "ETag");
        assert_eq!(convert("version-id", Style::Pascal), "VersionId");
        assert_eq!(convert("ID", Style::Pascal), "ID");
        assert_eq!(convert("SSE-KMS-key-id", Style::Pascal), "SSEKMSKeyId");
        assert_eq!(convert("checksum-CRC32", Style::Pascal), "ChecksumCRC32");
    }
}
