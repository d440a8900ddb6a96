//! Generates the operation catalog from the WIT package: keys, export paths,
//! descriptions, every input (type, whether required, its doc comment) and
//! every output field, so that `s3-host actions`, `call KEY --help`,
//! `docs/actions.md` and the JSON bridge all read the contract itself.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use wit_parser::{Resolve, Type, TypeDefKind};

#[path = "src/naming.rs"]
#[allow(dead_code, reason = "the build script uses only part of the naming rules")]
mod naming;

fn main() -> anyhow::Result<()> {
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    println!("cargo:rerun-if-changed={}", wit.display());
    println!("cargo:rerun-if-changed=src/naming.rs");
    let mut resolve = Resolve::default();
    let (pkg, files) = resolve.push_dir(&wit)?;
    let mut param_docs = HashMap::new();
    for f in files.paths() {
        println!("cargo:rerun-if-changed={}", f.display());
        scan_param_docs(&std::fs::read_to_string(f)?, &mut param_docs);
    }
    let world = resolve.select_world(&[pkg], Some("connector"))?;
    let mut out = String::from("/// Every exported operation, in WIT order.\npub const OPERATIONS: &[Operation] = &[\n");
    for (_, item) in &resolve.worlds[world].exports {
        let wit_parser::WorldItem::Interface { id, .. } = item else { continue };
        let iface = &resolve.interfaces[*id];
        let name = iface.name.as_deref().unwrap_or_default();
        let package = &resolve.packages[iface.package.unwrap()].name;
        let version = package.version.as_ref().map(|v| format!("@{v}")).unwrap_or_default();
        let instance = format!("{}:{}/{name}{version}", package.namespace, package.name);
        let style = if naming::CONNECTOR_INTERFACES.contains(&name) { naming::Style::Camel } else { naming::Style::Pascal };
        for (fname, func) in &iface.functions {
            let docs = func.docs.contents.as_deref().unwrap_or("");
            let mut inputs = String::new();
            for p in &func.params {
                if p.name == "conn" || is_output_stream(&resolve, &p.ty) {
                    continue;
                }
                let (ty, required) = optional(&resolve, &p.ty);
                let doc = param_docs.get(&(name.to_owned(), fname.clone(), p.name.clone())).cloned().unwrap_or_default();
                let input_name = naming::convert(&p.name, naming::Style::Camel);
                writeln!(
                    inputs,
                    "        Field {{ name: {input_name:?}, ty: {:?}, required: {required}, docs: {:?} }},",
                    describe(&resolve, ty),
                    one_line(&doc)
                )?;
                nested_inputs(&resolve, ty, &input_name, &mut inputs)?;
            }
            let mut outputs = String::new();
            if let Some(result) = &func.result {
                let ok = match result {
                    Type::Id(id) => match &resolve.types[*id].kind {
                        TypeDefKind::Result(r) => r.ok,
                        _ => Some(*result),
                    },
                    _ => Some(*result),
                };
                if ok.is_none() {
                    writeln!(
                        outputs,
                        "        Field {{ name: \"(value)\", ty: \"null\", required: true, docs: \"Nothing: `data` is null.\" }},"
                    )?;
                }
                if let Some(ok) = ok {
                    for p in &func.params {
                        if is_output_stream(&resolve, &p.ty) {
                            let field = naming::convert(&p.name, naming::Style::Camel);
                            writeln!(
                                outputs,
                                "        Field {{ name: {field:?}, ty: \"bytes\", required: true, docs: \"The object's bytes (inline text or base64, or written to --output).\" }},"
                            )?;
                        }
                    }
                    output_fields(&resolve, ok, "", style, 0, &mut outputs)?;
                }
            }
            writeln!(
                out,
                "    Operation {{ key: {:?}, interface: {name:?}, instance: {instance:?}, function: {fname:?}, summary: {:?}, docs: {:?},\n      inputs: &[\n{inputs}      ],\n      outputs: &[\n{outputs}      ] }},",
                naming::convert(fname, naming::Style::Camel),
                first_sentence(docs),
                one_line(docs),
            )?;
        }
    }
    out.push_str("];\n");
    std::fs::write(Path::new(&std::env::var("OUT_DIR")?).join("catalog.rs"), out)?;
    Ok(())
}

/// Parameters carry no docs in wit-parser: read each `///` block that stands
/// before a parameter line inside `name: func(`.
fn scan_param_docs(text: &str, docs: &mut HashMap<(String, String, String), String>) {
    let (mut iface, mut func, mut pending) = (String::new(), None::<String>, Vec::new());
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("interface ") {
            iface = rest.trim_end_matches('{').trim().to_owned();
        } else if let Some(doc) = line.strip_prefix("///") {
            pending.push(doc.trim().to_owned());
        } else if let Some((name, _)) = line.split_once(": func(") {
            func = Some(name.trim().to_owned());
            pending.clear();
        } else if line.starts_with(')') {
            func = None;
            pending.clear();
        } else if let (Some(f), Some((param, _))) = (&func, line.split_once(':')) {
            docs.insert((iface.clone(), f.clone(), param.trim().trim_start_matches('%').to_owned()), pending.join(" "));
            pending.clear();
        } else if !line.is_empty() {
            pending.clear();
        }
    }
}

fn is_output_stream(resolve: &Resolve, ty: &Type) -> bool {
    let Type::Id(id) = ty else { return false };
    match &resolve.types[*id].kind {
        TypeDefKind::Handle(wit_parser::Handle::Borrow(r)) => resolve.types[*r].name.as_deref() == Some("output-stream"),
        TypeDefKind::Type(t) => is_output_stream(resolve, t),
        _ => false,
    }
}

/// The type under an `option`, and whether the input is required.
fn optional<'a>(resolve: &'a Resolve, ty: &'a Type) -> (&'a Type, bool) {
    if let Type::Id(id) = ty
        && let TypeDefKind::Option(inner) = &resolve.types[*id].kind
    {
        return (inner, false);
    }
    (ty, true)
}

/// A type as a reader of the docs would name it.
fn describe(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "boolean".into(),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 | Type::S8 | Type::S16 | Type::S32 | Type::S64 => "integer".into(),
        Type::F32 | Type::F64 => "number".into(),
        Type::Char | Type::String => "string".into(),
        Type::ErrorContext => "error".into(),
        Type::Id(id) => {
            let def = &resolve.types[*id];
            match &def.kind {
                TypeDefKind::Record(r) if r.fields.iter().any(|f| f.name == "stream") => {
                    "bytes: text, {\"base64\": ...}, a Buffer's JSON or a JSON value; or --file NAME=PATH".into()
                }
                TypeDefKind::Record(r) if is_noted(r) => describe(resolve, &r.fields[0].ty),
                TypeDefKind::Record(_) => "object".into(),
                TypeDefKind::Enum(e) => format!("one of {}", e.cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")),
                TypeDefKind::Variant(v) => format!("one of: {}", v.cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")),
                TypeDefKind::Option(t) => describe(resolve, t),
                TypeDefKind::List(t) if is_string_pair(resolve, t) => "object of strings".into(),
                TypeDefKind::List(t) => format!("list of {}", describe(resolve, t)),
                TypeDefKind::Tuple(t) => format!("[{}]", t.types.iter().map(|t| describe(resolve, t)).collect::<Vec<_>>().join(", ")),
                TypeDefKind::Handle(_) | TypeDefKind::Resource => "id (string) of an upload stream".into(),
                TypeDefKind::Type(t) => describe(resolve, t),
                other => format!("{other:?}"),
            }
        }
    }
}

fn is_string_pair(resolve: &Resolve, ty: &Type) -> bool {
    matches!(ty, Type::Id(id) if matches!(&resolve.types[*id].kind, TypeDefKind::Tuple(t) if t.types == [Type::String, Type::String]))
}

/// The record behind `ty` (through options, lists and aliases), if any.
fn record_of<'a>(resolve: &'a Resolve, ty: &Type) -> Option<(&'a wit_parser::Record, bool)> {
    let Type::Id(id) = ty else { return None };
    match &resolve.types[*id].kind {
        TypeDefKind::Record(r) if !r.fields.iter().any(|f| f.name == "stream") => Some((r, false)),
        TypeDefKind::Option(t) | TypeDefKind::Type(t) => record_of(resolve, t),
        TypeDefKind::List(t) => record_of(resolve, t).map(|(r, _)| (r, true)),
        _ => None,
    }
}

/// The fields of a structured input, as `parent.field` rows.
fn nested_inputs(resolve: &Resolve, ty: &Type, parent: &str, out: &mut String) -> std::fmt::Result {
    let Some((record, list)) = record_of(resolve, ty) else { return Ok(()) };
    for f in &record.fields {
        let (ty, required) = optional(resolve, &f.ty);
        let name = format!("{parent}{}.{}", if list { "[]" } else { "" }, naming::convert(&f.name, naming::Style::Camel));
        let docs = one_line(f.docs.contents.as_deref().unwrap_or(""));
        writeln!(out, "        Field {{ name: {name:?}, ty: {:?}, required: {required}, docs: {docs:?} }},", describe(resolve, ty))?;
        if parent.matches('.').count() < 2 {
            nested_inputs(resolve, ty, &name, out)?;
        }
    }
    Ok(())
}

/// The fields of an output, as `Parent.Field` rows (`$metadata` as one row).
fn output_fields(resolve: &Resolve, ty: Type, prefix: &str, style: naming::Style, depth: usize, out: &mut String) -> std::fmt::Result {
    let Type::Id(id) = ty else {
        if prefix.is_empty() {
            writeln!(out, "        Field {{ name: \"(value)\", ty: {:?}, required: true, docs: \"\" }},", describe(resolve, &ty))?;
        }
        return Ok(());
    };
    match &resolve.types[id].kind {
        TypeDefKind::Variant(v) if depth == 0 => {
            for case in &v.cases {
                let ty = case.ty.map_or_else(|| "(no value)".to_owned(), |t| describe(resolve, &t));
                let docs = one_line(case.docs.contents.as_deref().unwrap_or(""));
                writeln!(out, "        Field {{ name: {:?}, ty: {ty:?}, required: false, docs: {docs:?} }},", format!("({})", case.name))?;
                if let Some(t) = case.ty {
                    output_fields(resolve, t, prefix, style, depth + 1, out)?;
                }
            }
        }
        TypeDefKind::Option(t) | TypeDefKind::Type(t) => output_fields(resolve, *t, prefix, style, depth, out)?,
        TypeDefKind::List(t) if record_of(resolve, t).is_some() => {
            if prefix.is_empty() {
                writeln!(out, "        Field {{ name: \"[]\", ty: \"list of object\", required: true, docs: \"\" }},")?;
            }
            output_fields(resolve, *t, &format!("{prefix}[]."), style, depth + 1, out)?;
        }
        // A noted value (`value` + `notice`) renders as its value, already described.
        TypeDefKind::Record(r) if is_noted(r) => {}
        TypeDefKind::Record(r) => {
            for f in &r.fields {
                let name = if f.name == naming::RESPONSE_METADATA {
                    "$metadata".to_owned()
                } else if naming::CONNECTOR_FIELDS.contains(&f.name.as_str()) {
                    naming::convert(&f.name, naming::Style::Camel)
                } else {
                    naming::convert(&f.name, style)
                };
                let path = format!("{prefix}{name}");
                let (ty, _) = optional(resolve, &f.ty);
                let docs = one_line(f.docs.contents.as_deref().unwrap_or(""));
                writeln!(out, "        Field {{ name: {path:?}, ty: {:?}, required: false, docs: {docs:?} }},", describe(resolve, ty))?;
                if let Some((_, list)) = record_of(resolve, ty).filter(|_| f.name != naming::RESPONSE_METADATA && depth < 3) {
                    let child = format!("{path}{}.", if list { "[]" } else { "" });
                    let inner = if list { list_item(resolve, ty) } else { *ty };
                    output_fields(resolve, inner, &child, style, depth + 1, out)?;
                }
            }
        }
        _ if prefix.is_empty() => {
            writeln!(out, "        Field {{ name: \"(value)\", ty: {:?}, required: true, docs: \"\" }},", describe(resolve, &ty))?;
        }
        _ => {}
    }
    Ok(())
}

/// The element type of a list (through options and aliases).
fn list_item(resolve: &Resolve, ty: &Type) -> Type {
    match ty {
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::List(t) => *t,
            TypeDefKind::Option(t) | TypeDefKind::Type(t) => list_item(resolve, t),
            _ => *ty,
        },
        _ => *ty,
    }
}

/// Whether a record is a noted value (rendered as its `value`).
fn is_noted(r: &wit_parser::Record) -> bool {
    r.fields.iter().map(|f| f.name.as_str()).eq(naming::NOTED_FIELDS)
}

/// Doc text on one line.
fn one_line(docs: &str) -> String {
    docs.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first sentence of a doc comment's first paragraph, on one line.
fn first_sentence(docs: &str) -> String {
    let paragraph: Vec<&str> = docs.lines().map(str::trim).take_while(|l| !l.is_empty()).collect();
    let text = paragraph.join(" ");
    match text.find(". ") {
        Some(end) => text[..=end].to_owned(),
        None => text,
    }
}
