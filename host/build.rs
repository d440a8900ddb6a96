//! Generates the operation catalog (keys, export paths, one-line summaries)
//! from the WIT package, so that `s3-host actions` and the JSON bridge read
//! the contract's own names and doc comments.

use std::fmt::Write as _;
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    println!("cargo:rerun-if-changed={}", wit.display());
    let mut resolve = wit_parser::Resolve::default();
    let (pkg, files) = resolve.push_dir(&wit)?;
    for f in files.paths() {
        println!("cargo:rerun-if-changed={}", f.display());
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
        for (fname, func) in &iface.functions {
            let summary = first_sentence(func.docs.contents.as_deref().unwrap_or(""));
            writeln!(
                out,
                "    Operation {{ key: {:?}, interface: {name:?}, instance: {instance:?}, function: {fname:?}, summary: {summary:?} }},",
                camel(fname)
            )?;
        }
    }
    out.push_str("];\n");
    std::fs::write(Path::new(&std::env::var("OUT_DIR")?).join("catalog.rs"), out)?;
    Ok(())
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

/// `put-object` to `putObject` (the same rule as `naming::camel`).
fn camel(kebab: &str) -> String {
    let mut s = String::new();
    for (i, word) in kebab.split('-').enumerate() {
        if i == 0 {
            s.push_str(&word.to_lowercase());
        } else {
            let mut c = word.chars();
            s.extend(c.next().map(|f| f.to_ascii_uppercase()));
            s.push_str(c.as_str());
        }
    }
    s
}
