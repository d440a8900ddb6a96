//! The generic JSON bridge: JSON to WIT values and back, driven only by the
//! component's own type information. There is no per-action code here.
//!
//! Inputs are lenient the way integration platforms are: numbers and booleans
//! may come as strings, a blank string means "not set" for an optional input,
//! bytes may be text, `{"base64": ...}` or a Node Buffer's JSON. Unknown keys
//! are rejected, so a typo never silently drops an input.

use crate::naming::{CONNECTOR_FIELDS, RESPONSE_METADATA, Style, convert};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use wasmtime::component::Val;
use wasmtime::component::types::{self, Type};
use wasmtime_wasi_io::streams::{DynInputStream, DynOutputStream};

/// Why an input could not be converted: says which input and what is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The error code: `InvalidInput`, or a more precise one
    /// (`MissingConnection`, `UnknownUploadStream`).
    pub code: &'static str,
    /// What is wrong, naming the input.
    pub message: String,
}

impl InputError {
    /// An input error with its own code. A binder (see [`params`]) may return
    /// one inside its `anyhow::Error`; it reaches the caller unchanged.
    pub fn coded(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

type InResult<T> = Result<T, InputError>;

fn fail<T>(path: &str, what: impl std::fmt::Display) -> InResult<T> {
    Err(InputError::coded("InvalidInput", format!("Input {path}: {what}")))
}

/// The parameter that receives the connection rather than an input.
pub const CONNECTION_PARAM: &str = "conn";

/// What the bridge asks its caller to bind for a streamed parameter.
#[derive(Debug)]
pub enum Bind<'a> {
    /// A `byte-source` input named `name`: its bytes are inline content from
    /// the JSON input (`Some`), or given out of band (`None`: a file, stdin).
    Source {
        /// The input's camelCase name.
        name: &'a str,
        /// The bytes of inline JSON content, and what they are (`text/plain`,
        /// `application/json` or `application/octet-stream`).
        inline: Option<(Vec<u8>, &'static str)>,
    },
    /// A `borrow<output-stream>` parameter: where the call writes its bytes.
    Sink {
        /// The parameter's camelCase name (also its key in the output).
        name: &'a str,
    },
    /// A secret of the connection (its text): the host keeps it and lends
    /// the component a handle.
    Secret(Secret),
    /// A resource the component exported earlier in this execution (an
    /// upload stream), named by the id the host gave it.
    Handle {
        /// The input's camelCase name.
        name: &'a str,
        /// The id given.
        id: &'a str,
        /// Whether the call takes ownership (`own<...>`) rather than borrowing it.
        owned: bool,
    },
}

/// A secret string the host keeps for the component
/// (`connector:aws-s3/secrets.secret`). Its `Debug` never shows the text.
pub struct Secret(String);

impl Secret {
    /// The secret's text.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(******)")
    }
}

/// The kind of streamed parameter a WIT type is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streamed {
    /// `record { stream: borrow<input-stream>, size: option<u64>, content-type: option<string> }`.
    Source,
    /// `borrow<output-stream>`.
    Sink,
}

/// Whether `ty` is one of the streamed parameter types.
pub fn streamed(ty: &Type) -> Option<Streamed> {
    match ty {
        Type::Borrow(r) if *r == types::ResourceType::host::<DynOutputStream>() => Some(Streamed::Sink),
        Type::Record(r) => {
            let fields: Vec<_> = r.fields().collect();
            match fields.as_slice() {
                [stream, size, content_type]
                    if stream.name == "stream"
                        && matches!(&stream.ty, Type::Borrow(t) if *t == types::ResourceType::host::<DynInputStream>())
                        && size.name == "size"
                        && content_type.name == "content-type" =>
                {
                    Some(Streamed::Source)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Build the parameters of `func` from the input object and the connection.
/// Streamed parameters are bound by `bind`; `out_of_band` names the inputs
/// given outside the JSON (`--file`), which count as present.
pub fn params(
    func: &types::ComponentFunc,
    input: &Value,
    connection: Option<&Value>,
    out_of_band: &[String],
    bind: &mut dyn FnMut(Bind<'_>) -> anyhow::Result<Val>,
) -> InResult<Vec<Val>> {
    let empty = Map::new();
    let object = match input {
        Value::Object(map) => map,
        Value::Null => &empty,
        _ => return fail("", "the input must be a JSON object of named inputs"),
    };
    // Unknown names first: a typo is reported as such, not as a missing input.
    let known: Vec<&str> =
        func.params().filter(|(n, ty)| *n != CONNECTION_PARAM && streamed(ty) != Some(Streamed::Sink)).map(|(n, _)| n).collect();
    if let Some(unknown) = object.keys().chain(out_of_band).find(|k| !is_known(&known, k)) {
        return fail(unknown, format!("is not an input of this action; its inputs are: {}", camel_list(&known)));
    }
    let mut vals = Vec::new();
    for (name, ty) in func.params() {
        if name == CONNECTION_PARAM {
            let conn = connection.ok_or_else(|| {
                InputError::coded(
                    "MissingConnection",
                    "No connection: pass --connection or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
                )
            })?;
            vals.push(to_val(conn, &ty, "connection", bind)?);
            continue;
        }
        let key = convert(name, Style::Camel);
        let bound = |e: anyhow::Error| match e.downcast::<InputError>() {
            Ok(coded) => coded,
            Err(e) => InputError::coded("InvalidInput", format!("Input {key}: {e:#}")),
        };
        let val = match streamed(&ty) {
            Some(Streamed::Sink) => bind(Bind::Sink { name: &key }).map_err(bound)?,
            Some(Streamed::Source) => {
                let given = out_of_band.iter().any(|n| *n == key || n == name);
                match (given, lookup(object, name, &key)) {
                    (true, Some(_)) => return fail(&key, "is given both inline and as a file; give one"),
                    (true, None) => bind(Bind::Source { name: &key, inline: None }).map_err(bound)?,
                    (false, Some(v)) => bind(Bind::Source { name: &key, inline: Some(bytes(v, &key)?) }).map_err(bound)?,
                    (false, None) => return fail(&key, "is required"),
                }
            }
            None if matches!(ty, Type::Own(_) | Type::Borrow(_)) => {
                let Some(id) = lookup(object, name, &key).and_then(Value::as_str) else {
                    return fail(&key, "is required: give the id that created it");
                };
                bind(Bind::Handle { name: &key, id: id.trim(), owned: matches!(ty, Type::Own(_)) }).map_err(bound)?
            }
            None => match lookup(object, name, &key) {
                Some(v) => to_val(v, &ty, &key, bind)?,
                None => missing(&ty, &key)?,
            },
        };
        vals.push(val);
    }
    Ok(vals)
}

/// The name of the function's output stream parameter, if it has one.
pub fn sink_param(func: &types::ComponentFunc) -> Option<String> {
    func.params().find(|(_, ty)| streamed(ty) == Some(Streamed::Sink)).map(|(n, _)| convert(n, Style::Camel))
}

/// Whether `key` names one of the `known` WIT names: as camelCase, as the
/// WIT name itself, or as AWS PascalCase (an earlier output fed back in).
fn is_known(known: &[&str], key: &str) -> bool {
    known.iter().any(|n| *n == key || convert(n, Style::Camel) == key || convert(n, Style::Pascal) == key)
}

fn camel_list(names: &[&str]) -> String {
    names.iter().map(|n| convert(n, Style::Camel)).collect::<Vec<_>>().join(", ")
}

/// A value by camelCase key, by its WIT (kebab) name, or by its AWS PascalCase name.
fn lookup<'a>(object: &'a Map<String, Value>, wit_name: &str, camel: &str) -> Option<&'a Value> {
    object.get(camel).or_else(|| object.get(wit_name)).or_else(|| object.get(&convert(wit_name, Style::Pascal)))
}

fn missing(ty: &Type, path: &str) -> InResult<Val> {
    match ty {
        Type::Option(_) => Ok(Val::Option(None)),
        _ => fail(path, "is required"),
    }
}

/// Convert one JSON value to a WIT value of type `ty`.
pub fn to_val(v: &Value, ty: &Type, path: &str, bind: &mut dyn FnMut(Bind<'_>) -> anyhow::Result<Val>) -> InResult<Val> {
    // A structured input may come as JSON text (a platform's code field).
    if let (Value::String(text), Type::List(_) | Type::Record(_) | Type::Tuple(_)) = (v, ty) {
        let what = if matches!(ty, Type::Record(_)) { "an object" } else { "a list" };
        return match serde_json::from_str::<Value>(text) {
            Ok(parsed) if !parsed.is_string() => to_val(&parsed, ty, path, bind),
            Ok(_) => fail(path, format!("must be {what}")),
            Err(e) => fail(path, format!("must be {what}; as JSON text it does not parse: {e}")),
        };
    }
    Ok(match ty {
        Type::Option(o) => match v {
            Value::Null => Val::Option(None),
            // Blank means "not set"; for text only the empty string does, since
            // a space can be a value (a prefix). The component trims where it should.
            Value::String(s) if s.is_empty() || (s.trim().is_empty() && !matches!(o.ty(), Type::String)) => Val::Option(None),
            _ => Val::Option(Some(Box::new(to_val(v, &o.ty(), path, bind)?))),
        },
        Type::Bool => Val::Bool(match v {
            Value::Bool(b) => *b,
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => true,
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => false,
            _ => return fail(path, "must be true or false"),
        }),
        Type::U8 => Val::U8(int(v, path)?),
        Type::U16 => Val::U16(int(v, path)?),
        Type::U32 => Val::U32(int(v, path)?),
        Type::U64 => Val::U64(int(v, path)?),
        Type::S8 => Val::S8(int(v, path)?),
        Type::S16 => Val::S16(int(v, path)?),
        Type::S32 => Val::S32(int(v, path)?),
        Type::S64 => Val::S64(int(v, path)?),
        Type::Float32 | Type::Float64 => {
            let f = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            let Some(f) = f else { return fail(path, "must be a number") };
            #[expect(clippy::cast_possible_truncation, reason = "f32 inputs are rounded like any JSON number")]
            if matches!(ty, Type::Float32) { Val::Float32(f as f32) } else { Val::Float64(f) }
        }
        Type::Char => match v.as_str().map(|s| s.chars().collect::<Vec<_>>()) {
            Some(c) if c.len() == 1 => Val::Char(c[0]),
            _ => return fail(path, "must be a single character"),
        },
        Type::String => Val::String(match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return fail(path, "must be a string"),
        }),
        Type::List(l) => {
            let elem = l.ty();
            match (v, &elem) {
                (Value::Object(map), Type::Tuple(t)) if is_string_pair(t) => Val::List(
                    map.iter()
                        .map(|(k, v)| Ok(Val::Tuple(vec![Val::String(k.clone()), to_val(v, &Type::String, &format!("{path}.{k}"), bind)?])))
                        .collect::<InResult<_>>()?,
                ),
                (Value::Array(items), _) => Val::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| to_val(item, &elem, &format!("{path}[{i}]"), bind))
                        .collect::<InResult<_>>()?,
                ),
                _ => return fail(path, "must be a list"),
            }
        }
        Type::Record(r) => {
            let Value::Object(map) = v else { return fail(path, "must be an object") };
            let mut fields = Vec::new();
            let mut known = Vec::new();
            for field in r.fields() {
                known.push(field.name);
                let key = convert(field.name, Style::Camel);
                let sub = format!("{path}.{key}");
                let val = match lookup(map, field.name, &key) {
                    Some(v) => to_val(v, &field.ty, &sub, bind)?,
                    None => missing(&field.ty, &sub)?,
                };
                fields.push((field.name.to_owned(), val));
            }
            if let Some(unknown) = map.keys().find(|k| !is_known(&known, k)) {
                return fail(&format!("{path}.{unknown}"), format!("is not a field here; the fields are: {}", camel_list(&known)));
            }
            Val::Record(fields)
        }
        Type::Tuple(t) => {
            let types: Vec<Type> = t.types().collect();
            match v {
                Value::Array(items) if items.len() == types.len() => Val::Tuple(
                    items
                        .iter()
                        .zip(&types)
                        .enumerate()
                        .map(|(i, (item, ty))| to_val(item, ty, &format!("{path}[{i}]"), bind))
                        .collect::<InResult<_>>()?,
                ),
                _ => return fail(path, format!("must be a list of {} values", types.len())),
            }
        }
        Type::Enum(e) => {
            let names: Vec<&str> = e.names().collect();
            match v.as_str().map(str::trim) {
                Some(s) if names.contains(&s) => Val::Enum(s.to_owned()),
                _ => return fail(path, format!("must be one of: {}", names.join(", "))),
            }
        }
        Type::Variant(var) => {
            let cases: Vec<_> = var.cases().map(|c| (c.name.to_owned(), c.ty)).collect();
            let names = || cases.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
            let (name, payload) = match v {
                Value::String(s) => (s.as_str(), None),
                Value::Object(m) if m.len() == 1 => {
                    let (k, p) = m.iter().next().expect("one entry");
                    (k.as_str(), Some(p))
                }
                _ => return fail(path, format!("must be one of: {}", names())),
            };
            let Some((case, case_ty)) = cases.iter().find(|(n, _)| n == name || convert(n, Style::Camel) == name) else {
                return fail(path, format!("must be one of: {}", names()));
            };
            let payload = match (case_ty, payload) {
                (Some(t), Some(p)) => Some(Box::new(to_val(p, t, &format!("{path}.{name}"), bind)?)),
                (None, None) => None,
                _ => return fail(path, format!("case {name} takes {}a value", if case_ty.is_some() { "" } else { "no " })),
            };
            Val::Variant(case.clone(), payload)
        }
        // A secret's text never appears in an error.
        Type::Own(r) | Type::Borrow(r) if *r == types::ResourceType::host::<Secret>() => match v {
            Value::String(text) => match bind(Bind::Secret(Secret(text.clone()))) {
                Ok(val) => val,
                Err(e) => return fail(path, e),
            },
            _ => return fail(path, "must be a string"),
        },
        other => return fail(path, format!("has a type the JSON bridge does not support ({other:?})")),
    })
}

fn is_string_pair(t: &types::Tuple) -> bool {
    let types: Vec<Type> = t.types().collect();
    matches!(types.as_slice(), [Type::String, Type::String])
}

fn int<T: TryFrom<i128>>(v: &Value, path: &str) -> InResult<T> {
    let n: Option<i128> = match v {
        Value::Number(n) => n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match n.map(T::try_from) {
        Some(Ok(n)) => Ok(n),
        Some(Err(_)) => fail(path, "is out of range"),
        None => fail(path, "must be a whole number"),
    }
}

/// Inline content and its type, as the seed typed it: text (`text/plain`);
/// `{"base64": ...}`, a Node Buffer's JSON or a list of byte values
/// (`application/octet-stream`); any other JSON object or array, serialised
/// (`application/json`).
fn bytes(v: &Value, path: &str) -> InResult<(Vec<u8>, &'static str)> {
    const BINARY: &str = "application/octet-stream";
    match v {
        Value::String(s) => Ok((s.as_bytes().to_vec(), "text/plain")),
        Value::Object(m) if m.len() == 1 && m.get("base64").is_some_and(Value::is_string) => {
            Ok((BASE64.decode(m["base64"].as_str().unwrap_or_default()).or_else(|_| fail(path, "has invalid base64"))?, BINARY))
        }
        Value::Object(m) if m.get("type").and_then(Value::as_str) == Some("Buffer") => match m.get("data") {
            Some(Value::Array(items)) => {
                Ok((items.iter().map(|i| int::<u8>(i, &format!("{path}.data"))).collect::<InResult<_>>()?, BINARY))
            }
            _ => fail(path, "is a Buffer without a data list of bytes"),
        },
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.as_u64().is_some_and(|n| n <= 255)) => {
            Ok((items.iter().map(|i| int::<u8>(i, path)).collect::<InResult<_>>()?, BINARY))
        }
        Value::Object(_) | Value::Array(_) => Ok((v.to_string().into_bytes(), "application/json")),
        _ => fail(path, "must be text, {\"base64\": \"...\"}, a list of bytes, or a JSON object or array"),
    }
}

/// Inline rendering of bytes: UTF-8 text as a string, anything else as `{"base64": ...}`.
pub fn inline_bytes(bytes: Vec<u8>) -> Value {
    match String::from_utf8(bytes) {
        Ok(text) => Value::String(text),
        Err(e) => json!({ "base64": BASE64.encode(e.as_bytes()) }),
    }
}

/// Whether a record is a *noted value*: exactly the fields `value` and
/// `notice`. It renders as its value, and its notice (when set) is given to
/// the caller apart, so that an output keeps the seed's shape (listObjects'
/// array of keys) while still saying that more pages follow.
fn is_noted(r: &types::Record) -> bool {
    r.fields().map(|f| f.name).eq(crate::naming::NOTED_FIELDS)
}

/// The notices of an output's noted values (at the top, or in a variant case).
pub fn notices(val: &Val, ty: &Type) -> Vec<String> {
    match (val, ty) {
        (Val::Record(fields), Type::Record(r)) if is_noted(r) => fields
            .iter()
            .filter_map(|(name, v)| match (name.as_str(), v) {
                ("notice", Val::Option(Some(n))) => match n.as_ref() {
                    Val::String(s) => Some(s.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        (Val::Variant(case, Some(payload)), Type::Variant(v)) => {
            v.cases().find(|c| c.name == case).and_then(|c| c.ty).map(|t| notices(payload, &t)).unwrap_or_default()
        }
        (Val::Option(Some(inner)), Type::Option(o)) => notices(inner, &o.ty()),
        _ => Vec::new(),
    }
}

/// Bytes as a Node Buffer's JSON (the seed's getObject payload).
pub fn node_buffer(bytes: &[u8]) -> Value {
    json!({ "type": "Buffer", "data": bytes })
}

/// How a value is named when rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// AWS output shapes: PascalCase, unset fields left out.
    Aws,
    /// camelCase, unset fields as `null` (`$metadata`, errors, data sources).
    Camel,
    /// A record that is the envelope itself (has `data`): its own fields in
    /// camelCase, what they hold as AWS shapes.
    Envelope,
}

/// Render a WIT value of type `ty` as JSON.
pub fn to_json(val: &Val, ty: &Type, render: Render) -> anyhow::Result<Value> {
    Ok(match (val, ty) {
        (Val::Bool(b), _) => json!(b),
        (Val::U8(n), _) => json!(n),
        (Val::U16(n), _) => json!(n),
        (Val::U32(n), _) => json!(n),
        (Val::U64(n), _) => json!(n),
        (Val::S8(n), _) => json!(n),
        (Val::S16(n), _) => json!(n),
        (Val::S32(n), _) => json!(n),
        (Val::S64(n), _) => json!(n),
        (Val::Float32(n), _) => json!(n),
        (Val::Float64(n), _) => json!(n),
        (Val::Char(c), _) => json!(c.to_string()),
        (Val::String(s), _) => json!(s),
        (Val::Enum(s), _) => json!(s),
        (Val::List(items), Type::List(l)) => {
            let elem = l.ty();
            match &elem {
                Type::Tuple(t) if is_string_pair(t) => Value::Object(
                    items
                        .iter()
                        .filter_map(|i| match i {
                            Val::Tuple(kv) => match kv.as_slice() {
                                [Val::String(k), Val::String(v)] => Some((k.clone(), json!(v))),
                                _ => None,
                            },
                            _ => None,
                        })
                        .collect(),
                ),
                _ => Value::Array(items.iter().map(|i| to_json(i, &elem, inner(render))).collect::<anyhow::Result<_>>()?),
            }
        }
        (Val::Record(fields), Type::Record(r)) if is_noted(r) => {
            // A noted value is rendered as the value; the notice goes apart ([`notices`]).
            let (value, field) =
                fields.iter().zip(r.fields()).find(|((n, _), _)| n == "value").map(|((_, v), f)| (v, f)).expect("a value field");
            to_json(value, &field.ty, render)?
        }
        (Val::Record(fields), Type::Record(r)) => {
            let mut map = Map::new();
            for ((name, v), field) in fields.iter().zip(r.fields()) {
                if name == RESPONSE_METADATA {
                    map.insert("$metadata".into(), to_json(v, &field.ty, Render::Camel)?);
                    continue;
                }
                if render == Render::Aws && matches!(v, Val::Option(None)) {
                    continue;
                }
                let pascal = render == Render::Aws && !CONNECTOR_FIELDS.contains(&name.as_str());
                let key = convert(name, if pascal { Style::Pascal } else { Style::Camel });
                map.insert(key, to_json(v, &field.ty, inner(render))?);
            }
            Value::Object(map)
        }
        (Val::Tuple(items), Type::Tuple(t)) => {
            Value::Array(items.iter().zip(t.types()).map(|(i, ty)| to_json(i, &ty, inner(render))).collect::<anyhow::Result<_>>()?)
        }
        (Val::Option(None), _) => Value::Null,
        (Val::Option(Some(v)), Type::Option(o)) => to_json(v, &o.ty(), render)?,
        // Variants render untagged: the payload, or the case's name.
        (Val::Variant(case, payload), Type::Variant(var)) => match payload {
            Some(p) => {
                let case_ty = var.cases().find(|c| c.name == case).and_then(|c| c.ty);
                match case_ty {
                    Some(t) => to_json(p, &t, render)?,
                    None => anyhow::bail!("variant case {case} has a payload but no type"),
                }
            }
            None => json!(case),
        },
        (Val::Result(r), Type::Result(rt)) => match r {
            Ok(v) => opt_json(v.as_deref(), rt.ok(), render)?,
            Err(v) => json!({ "error": opt_json(v.as_deref(), rt.err(), Render::Camel)? }),
        },
        (val, ty) => anyhow::bail!("cannot render {val:?} as {ty:?}"),
    })
}

fn inner(render: Render) -> Render {
    if render == Render::Envelope { Render::Aws } else { render }
}

fn opt_json(v: Option<&Val>, ty: Option<Type>, render: Render) -> anyhow::Result<Value> {
    match (v, ty) {
        (Some(v), Some(ty)) => to_json(v, &ty, render),
        _ => Ok(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_content_is_typed_as_the_seed_typed_it() {
        assert_eq!(bytes(&json!("héllo"), "f").unwrap(), ("héllo".as_bytes().to_vec(), "text/plain"));
        assert_eq!(bytes(&json!({ "base64": "AAEC" }), "f").unwrap(), (vec![0, 1, 2], "application/octet-stream"));
        assert_eq!(bytes(&json!({ "type": "Buffer", "data": [104, 105] }), "f").unwrap(), (b"hi".to_vec(), "application/octet-stream"));
        assert_eq!(bytes(&json!({ "type": "Buffer", "data": [] }), "f").unwrap(), (Vec::new(), "application/octet-stream"));
        assert_eq!(bytes(&json!([1, 2, 255]), "f").unwrap(), (vec![1, 2, 255], "application/octet-stream"));
        assert_eq!(bytes(&json!({ "a": [1, 2] }), "f").unwrap(), (br#"{"a":[1,2]}"#.to_vec(), "application/json"));
        assert_eq!(bytes(&json!([1, "x"]), "f").unwrap(), (br#"[1,"x"]"#.to_vec(), "application/json"));
        let e = bytes(&json!({ "base64": "!!" }), "fileContents").unwrap_err();
        assert!(e.message.contains("fileContents") && e.message.contains("base64"), "{e}");
        assert!(bytes(&json!({ "type": "Buffer" }), "f").is_err());
        assert!(bytes(&json!(true), "f").is_err());
    }

    #[test]
    fn outputs_render_as_text_base64_or_a_node_buffer() {
        assert_eq!(inline_bytes(b"text".to_vec()), json!("text"));
        assert_eq!(inline_bytes(vec![0xff, 0]), json!({ "base64": "/wA=" }));
        assert_eq!(node_buffer(b"hi"), json!({ "type": "Buffer", "data": [104, 105] }));
    }

    #[test]
    fn names_are_known_in_three_spellings_only() {
        let known = ["object-key", "SSE-KMS-key-id"];
        for ok in ["objectKey", "object-key", "ObjectKey", "sseKMSKeyId", "SSEKMSKeyId"] {
            assert!(is_known(&known, ok), "{ok}");
        }
        for unknown in ["objectkey", "Object-Key", "content-Type", "object_key"] {
            assert!(!is_known(&known, unknown), "{unknown}");
        }
        let object = json!({ "ObjectKey": "a" });
        assert_eq!(lookup(object.as_object().unwrap(), "object-key", "objectKey"), Some(&json!("a")));
    }

    #[test]
    fn integers_are_whole_and_in_range() {
        assert_eq!(int::<u32>(&json!(" 7 "), "n").unwrap(), 7);
        assert_eq!(int::<u32>(&json!(7), "n").unwrap(), 7);
        assert_eq!(int::<u8>(&json!(256), "n").unwrap_err().message, "Input n: is out of range");
        assert_eq!(int::<u32>(&json!("3.9"), "n").unwrap_err().message, "Input n: must be a whole number");
        assert!(int::<u32>(&json!(-1), "n").is_err());
    }
}
