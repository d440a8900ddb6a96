//! The operations the component exports, generated at build time from `wit/`.

/// One exported function of the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The public key, e.g. `putObject` (the seed's action keys).
    pub key: &'static str,
    /// The WIT interface, e.g. `objects`.
    pub interface: &'static str,
    /// The component's export instance, e.g. `connector:aws-s3/objects@0.1.0`.
    pub instance: &'static str,
    /// The WIT function, e.g. `put-object`.
    pub function: &'static str,
    /// The first line of the function's doc comment.
    pub summary: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// Corrected spellings accepted for keys that keep a historical typo.
pub const ALIASES: &[(&str, &str)] = &[("generatePresignedForMultiparUploads", "generatePresignedForMultipartUploads")];

/// Find an operation by key (or a corrected alias), case-sensitively.
pub fn find(key: &str) -> Option<&'static Operation> {
    let key = ALIASES.iter().find(|(alias, _)| *alias == key).map_or(key, |(_, k)| k);
    OPERATIONS.iter().find(|op| op.key == key)
}

impl Operation {
    /// Whether this is a data source (a pick list) rather than an action.
    pub fn is_data_source(&self) -> bool {
        self.interface == "data-sources"
    }

    /// Whether the output is an AWS answer's shape (PascalCase). Data sources
    /// and presigned URLs are built by the connector itself, with no AWS
    /// answer behind them: their fields are camelCase (`partNumber`), as in the seed.
    pub fn output_is_aws(&self) -> bool {
        !matches!(self.interface, "data-sources" | "presign")
    }

    /// Data sources answer `{"result": ...}`; actions answer `{"data": ...}`.
    pub fn envelope_key(&self) -> &'static str {
        if self.is_data_source() { "result" } else { "data" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_the_seed_keys_with_summaries() {
        for key in [
            "listBuckets",
            "headBucket",
            "getBucketLocation",
            "deleteBucket",
            "createBucket",
            "putObject",
            "getObject",
            "headObject",
            "deleteObject",
            "copyObject",
            "listObjects",
            "selectRegion",
            "selectBucket",
        ] {
            let op = find(key).unwrap_or_else(|| panic!("{key} missing"));
            assert!(!op.summary.is_empty(), "{key} has no summary");
        }
        assert_eq!(find("putObject").unwrap().instance, "connector:aws-s3/objects@0.1.0");
        assert_eq!(find("selectBucket").unwrap().envelope_key(), "result");
        assert!(find("nope").is_none());
    }
}
