//! Flows: several calls in one execution, as an integration platform runs
//! the steps of a flow. A step's input may use earlier steps' outputs, and
//! resources (upload streams) live from one step to the next.
//!
//! ```json
//! {
//!   "connection": { "accessKeyId": "...", "secretAccessKey": "...", "endpointUrl": "..." },
//!   "steps": [
//!     { "name": "open", "action": "createUploadStream", "input": { "bucket": "b", "objectKey": "log.txt" } },
//!     { "action": "writeUploadStream", "input": { "uploadId": "{{open.data}}", "fileContents": "first line\n" } },
//!     { "action": "writeUploadStream", "input": { "uploadId": "{{open.data}}" }, "files": { "fileContents": "rest.txt" } },
//!     { "action": "closeUploadStream", "input": { "uploadId": "{{open.data}}" } }
//!   ]
//! }
//! ```
//!
//! - `name` is optional (default `step1`, `step2`, ...); `connection` per step
//!   overrides the flow's; `files` streams inputs from files (`-` is stdin) and
//!   `output` writes a step's output bytes to a file.
//! - References: a string that is exactly `{{step.path}}` becomes the value at
//!   `path` in that step's output (any JSON type); inside longer text it is
//!   replaced by the value's text. Paths are dot-separated keys and list indexes.
//! - The steps run in order; the first failure ends the flow. When the flow
//!   ends, anything left open is dropped: an unclosed upload stream is aborted.

use crate::runtime::{ByteInput, ByteOutput, CallError, Host, Transfers};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// What a flow did: each step's record, in order, and whether all succeeded.
#[derive(Debug)]
pub struct FlowResult {
    /// `{"step", "action", "output"}` per step run, or `{"step", "action", "error"}` for the one that failed.
    pub steps: Vec<Value>,
    /// Whether every step succeeded.
    pub ok: bool,
}

/// Run `flow` (see the module docs); `connection` is used where the flow names none.
pub async fn run(host: &Host, flow: &Value, connection: Option<&Value>) -> Result<FlowResult, CallError> {
    let steps = flow
        .get("steps")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("InvalidFlow", "The flow needs \"steps\": a list of {action, input}."))?;
    let flow_connection = flow.get("connection").filter(|c| !c.is_null()).or(connection);
    let mut execution = host.execution().await?;
    let mut outputs = Map::new();
    let mut records = Vec::new();
    let mut ok = true;
    for (i, step) in steps.iter().enumerate() {
        let name = step.get("name").and_then(Value::as_str).map_or_else(|| format!("step{}", i + 1), str::to_owned);
        let action = step.get("action").and_then(Value::as_str).unwrap_or_default().to_owned();
        let result = run_step(&mut execution, step, &outputs, flow_connection).await;
        match result {
            Ok(output) => {
                records.push(json!({ "step": name, "action": action, "output": output }));
                outputs.insert(name, output);
            }
            Err(e) => {
                let error = e.to_json()["error"].clone();
                records.push(json!({ "step": name, "action": action, "error": error }));
                ok = false;
                break;
            }
        }
    }
    execution.finish().await;
    Ok(FlowResult { steps: records, ok })
}

async fn run_step(
    execution: &mut crate::runtime::Execution<'_>,
    step: &Value,
    outputs: &Map<String, Value>,
    connection: Option<&Value>,
) -> Result<Value, CallError> {
    let action = step.get("action").and_then(Value::as_str).ok_or_else(|| invalid("InvalidFlow", "Each step needs an \"action\" key."))?;
    let input = resolve(step.get("input").unwrap_or(&Value::Null), outputs)?;
    let connection = match step.get("connection") {
        Some(c) if !c.is_null() => Some(resolve(c, outputs)?),
        _ => connection.cloned(),
    };
    let mut transfers = Transfers::default();
    if let Some(files) = step.get("files").and_then(Value::as_object) {
        let mut inputs = HashMap::new();
        for (name, path) in files {
            let path = path.as_str().ok_or_else(|| invalid("InvalidFlow", format!("files.{name} must be a path.")))?;
            let (reader, size) = crate::runtime::open_input(path).map_err(|why| invalid("InvalidFile", format!("Input {name}: {why}.")))?;
            inputs.insert(name.clone(), ByteInput::Reader { reader, size });
        }
        transfers.inputs = inputs;
    }
    if let Some(path) = step.get("output").and_then(Value::as_str) {
        let file = std::fs::File::create(path).map_err(|e| invalid("InvalidFile", format!("output {path}: {e}.")))?;
        transfers.output = Some(ByteOutput { writer: Box::new(file), label: path.to_owned() });
    }
    execution.call(action, &input, connection.as_ref(), transfers).await
}

fn invalid(code: &str, message: impl Into<String>) -> CallError {
    CallError::invalid_input(code, message.into())
}

/// Replace `{{step.path}}` references in `value` with earlier outputs.
pub fn resolve(value: &Value, outputs: &Map<String, Value>) -> Result<Value, CallError> {
    Ok(match value {
        Value::String(s) => match whole_reference(s) {
            Some(path) => lookup(path, outputs)?.clone(),
            None => Value::String(interpolate(s, outputs)?),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, outputs)).collect::<Result<_, _>>()?),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| Ok((k.clone(), resolve(v, outputs)?))).collect::<Result<_, CallError>>()?)
        }
        other => other.clone(),
    })
}

fn whole_reference(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then_some(inner.trim())
}

fn interpolate(s: &str, outputs: &Map<String, Value>) -> Result<String, CallError> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        match lookup(rest[start + 2..start + len].trim(), outputs)? {
            Value::String(text) => out.push_str(text),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn lookup<'a>(path: &str, outputs: &'a Map<String, Value>) -> Result<&'a Value, CallError> {
    let mut parts = path.split('.');
    let step = parts.next().unwrap_or_default();
    let mut value = outputs.get(step).ok_or_else(|| {
        invalid(
            "UnknownReference",
            format!("{{{{{path}}}}} names no earlier step: the steps so far are {:?}.", outputs.keys().collect::<Vec<_>>()),
        )
    })?;
    for part in parts {
        value = match value {
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Object(map) => map.get(part),
            _ => None,
        }
        .ok_or_else(|| invalid("UnknownReference", format!("{{{{{path}}}}}: step {step}'s output has nothing at {part:?}.")))?;
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs() -> Map<String, Value> {
        json!({ "open": { "data": "id-1" }, "list": { "data": [{ "Key": "a" }, { "Key": "b", "Size": 3 }] } }).as_object().unwrap().clone()
    }

    #[test]
    fn whole_references_keep_their_type_and_text_is_interpolated() {
        let input = json!({ "uploadId": "{{open.data}}", "second": "{{ list.data.1 }}", "note": "after {{list.data.1.Key}} came {{list.data.1.Size}}", "n": 5 });
        let out = resolve(&input, &outputs()).unwrap();
        assert_eq!(out, json!({ "uploadId": "id-1", "second": { "Key": "b", "Size": 3 }, "note": "after b came 3", "n": 5 }));
    }

    #[test]
    fn unknown_references_are_errors() {
        for bad in ["{{nope.data}}", "{{list.data.7}}", "x {{open.data.deeper}}"] {
            match resolve(&json!(bad), &outputs()) {
                Err(CallError::Failed(e)) => assert_eq!(e["code"], "UnknownReference", "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert_eq!(resolve(&json!("no {{ braces"), &outputs()).unwrap(), json!("no {{ braces"));
    }
}
