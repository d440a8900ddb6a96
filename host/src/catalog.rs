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
    /// The first sentence of the function's doc comment.
    pub summary: &'static str,
    /// The whole doc comment, on one line.
    pub docs: &'static str,
    /// The inputs, in WIT order; fields of structured inputs follow their
    /// parent as `parent.field` (`parent[].field` in a list).
    pub inputs: &'static [Field],
    /// The output's fields as JSON paths (`Deleted[].Key`, `$metadata`).
    pub outputs: &'static [Field],
}

/// One input or output field of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The JSON name (or path).
    pub name: &'static str,
    /// Its type, in words (`string`, `list of string`, `one of download, upload`).
    pub ty: &'static str,
    /// Whether an input must be given.
    pub required: bool,
    /// Its doc comment, on one line (defaults are stated there).
    pub docs: &'static str,
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
        !crate::naming::CONNECTOR_INTERFACES.contains(&self.interface)
    }

    /// Whether this is a trigger: a polling one (its output is its own
    /// envelope, `{"payload", "polledNoChanges", "state"}`, as the seed's) or
    /// the webhook (`{"response", "branch", "payload"}`).
    pub fn is_trigger(&self) -> bool {
        self.interface == "triggers" || self.is_webhook()
    }

    /// What the operation is, in words: `action`, `data source`,
    /// `polling trigger` or `webhook trigger`.
    pub fn kind(&self) -> &'static str {
        if self.is_data_source() {
            "data source"
        } else if self.is_webhook() {
            "webhook trigger"
        } else if self.is_trigger() {
            "polling trigger"
        } else {
            "action"
        }
    }

    /// Whether this is the webhook, which reaches only SNS's hosts.
    pub fn is_webhook(&self) -> bool {
        self.interface == "webhooks"
    }

    /// Data sources answer `{"result": ...}`; actions answer `{"data": ...}`;
    /// triggers have no envelope (`None`).
    pub fn envelope_key(&self) -> Option<&'static str> {
        if self.is_trigger() {
            None
        } else if self.is_data_source() {
            Some("result")
        } else {
            Some("data")
        }
    }
}

/// The catalog as Markdown (`docs/actions.md`, written by `./x docs`).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Actions and data sources\n\n\
         Generated from the WIT contract (`wit/`) by `s3-host actions --markdown` (`./x docs`); a test\n\
         checks that this file is current. Inputs are the JSON keys of `s3-host call KEY --input`;\n\
         outputs are the fields under `data` (`result` for data sources; triggers have no envelope).\n",
    );
    for op in OPERATIONS {
        out.push('\n');
        out.push_str(&describe(op));
    }
    for (alias, key) in ALIASES {
        out.push_str(&format!("\n## {alias}\n\nThe seed's spelling of [{key}](#{}).\n", key.to_ascii_lowercase()));
    }
    out
}

/// One operation as a Markdown section: description, inputs and output fields.
pub fn describe(op: &Operation) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!("## {}\n\n*{}, `{}` in WIT interface `{}`*\n\n{}\n", op.key, op.kind(), op.function, op.interface, op.docs);
    if op.inputs.is_empty() {
        out.push_str("\nNo inputs besides the connection.\n");
    } else {
        out.push_str("\n| Input | Type | Required | Description |\n|---|---|---|---|\n");
        for f in op.inputs {
            let required = if f.required { "yes" } else { "no" };
            out.push_str(&format!("| `{}` | {} | {required} | {} |\n", f.name, cell(f.ty), cell(f.docs)));
        }
    }
    out.push_str("\n| Output | Type | Description |\n|---|---|---|\n");
    for f in op.outputs {
        out.push_str(&format!("| `{}` | {} | {} |\n", f.name, cell(f.ty), cell(f.docs)));
    }
    out
}

/// The catalog as JSON, for tools (`s3-host actions --json`).
pub fn json() -> serde_json::Value {
    let fields = |fields: &[Field]| -> Vec<serde_json::Value> {
        fields.iter().map(|f| serde_json::json!({ "name": f.name, "type": f.ty, "required": f.required, "description": f.docs })).collect()
    };
    let ops: Vec<serde_json::Value> = OPERATIONS
        .iter()
        .map(|op| {
            let aliases: Vec<&str> = ALIASES.iter().filter(|(_, k)| *k == op.key).map(|(a, _)| *a).collect();
            serde_json::json!({
                "key": op.key,
                "kind": if op.is_data_source() { "data-source" } else if op.is_trigger() { "trigger" } else { "action" },
                "aliases": aliases,
                "interface": op.interface,
                "function": op.function,
                "summary": op.summary,
                "description": op.docs,
                "envelope": op.envelope_key(),
                "inputs": fields(op.inputs),
                "outputs": fields(op.outputs),
            })
        })
        .collect();
    serde_json::Value::Array(ops)
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
        assert_eq!(find("selectBucket").unwrap().envelope_key(), Some("result"));
        assert_eq!(find("pollChangesFilesTrigger").unwrap().envelope_key(), None);
        assert!(find("nope").is_none());
        let kinds: Vec<&str> = ["putObject", "selectBucket", "pollNewBucketsTrigger", "snsS3NotificationWebhook"]
            .iter()
            .map(|k| find(k).unwrap().kind())
            .collect();
        assert_eq!(kinds, ["action", "data source", "polling trigger", "webhook trigger"]);
    }

    #[test]
    fn inputs_and_outputs_come_from_the_wit() {
        let put = find("putObject").unwrap();
        let bucket = put.inputs.iter().find(|f| f.name == "bucket").unwrap();
        assert!(bucket.required && bucket.ty == "string" && !bucket.docs.is_empty(), "{bucket:?}");
        let transfer = put.inputs.iter().find(|f| f.name == "transfer.partSizeMib").unwrap();
        assert!(!transfer.required && transfer.ty == "integer", "{transfer:?}");
        assert!(put.outputs.iter().any(|f| f.name == "ETag"));
        assert!(put.outputs.iter().any(|f| f.name == "$metadata"));
        assert!(!put.inputs.iter().any(|f| f.name == "conn"), "the connection is not an input");
        let presign = find("generatePresignedForMultiparUploads").unwrap();
        assert!(presign.outputs.iter().any(|f| f.name == "[].partNumber"), "{:?}", presign.outputs);
        let action = presign.inputs.iter().find(|f| f.name == "expirationSeconds").unwrap();
        assert!(action.docs.contains("604,800"), "{action:?}");
        let delete = find("deleteObjects").unwrap();
        assert!(delete.outputs.iter().any(|f| f.name == "Deleted[].Key"), "{:?}", delete.outputs);
        let get = find("getObject").unwrap();
        assert!(get.outputs.iter().any(|f| f.name == "data") && !get.inputs.iter().any(|f| f.name == "data"));
        assert!(markdown().contains("## generatePresignedForMultiparUploads"));
        for op in OPERATIONS {
            for f in op.inputs {
                assert!(!f.docs.is_empty(), "{}: input {} has no doc comment in the WIT", op.key, f.name);
            }
        }
    }
}
