//! Where the connection comes from: `--connection`, else the AWS environment
//! variables, else the shared credentials and config files (`AWS_PROFILE`).

use crate::bridge::InputError;
use anyhow::{Context as _, Result, bail};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Read a JSON argument given inline, as `@file`, or as `@-` (stdin).
pub fn json_arg(arg: &str) -> Result<Value> {
    let text = match arg.strip_prefix('@') {
        Some("-") => std::io::read_to_string(std::io::stdin()).context("cannot read stdin")?,
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?,
        None => arg.to_owned(),
    };
    serde_json::from_str(&text).context("not valid JSON")
}

/// The connection for a call, or `None` when nothing provides one.
pub fn resolve(arg: Option<&str>) -> Result<Option<Value>> {
    if let Some(arg) = arg {
        let v = json_arg(arg).context("--connection")?;
        if !v.is_object() {
            bail!("--connection must be a JSON object such as {{\"accessKeyId\": ..., \"secretAccessKey\": ...}}");
        }
        return Ok(Some(v));
    }
    from_env(|k| std::env::var(k).ok(), &profile_files())
}

/// The AWS environment variables, falling back to the profile's files.
fn from_env(var: impl Fn(&str) -> Option<String>, files: &ProfileFiles) -> Result<Option<Value>> {
    let var = |k: &str| var(k).filter(|v| !v.trim().is_empty());
    let named = var("AWS_PROFILE");
    let profile = named.clone().unwrap_or_else(|| "default".to_owned());
    let cred = |k: &str| files.credentials.as_deref().and_then(|t| ini_value(t, &profile, k));
    let conf = |k: &str| {
        let section = if profile == "default" { profile.clone() } else { format!("profile {profile}") };
        files.config.as_deref().and_then(|t| ini_value(t, &section, k))
    };
    if let Some(name) = &named {
        let in_credentials = files.credentials.as_deref().is_some_and(|t| has_section(t, name));
        let in_config = files
            .config
            .as_deref()
            .is_some_and(|t| has_section(t, &format!("profile {name}")) || (name == "default" && has_section(t, name)));
        if !in_credentials && !in_config {
            bail!(
                "AWS_PROFILE is {name:?}, but no such profile is in the shared credentials or config file (~/.aws/credentials, ~/.aws/config)"
            );
        }
    }
    let (key, secret, token) = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(k), Some(s)) => (k, s, var("AWS_SESSION_TOKEN")),
        (Some(_), None) | (None, Some(_)) => bail!("set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither"),
        (None, None) => match (cred("aws_access_key_id"), cred("aws_secret_access_key")) {
            (Some(k), Some(s)) => (k, s, cred("aws_session_token")),
            _ => return Ok(None),
        },
    };
    let mut conn = Map::new();
    conn.insert("accessKeyId".into(), key.into());
    conn.insert("secretAccessKey".into(), secret.into());
    let optional = [
        ("sessionToken", token),
        ("region", var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")).or_else(|| conf("region"))),
        ("endpointUrl", var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL")).or_else(|| conf("endpoint_url"))),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            conn.insert(k.into(), v.into());
        }
    }
    Ok(Some(Value::Object(conn)))
}

/// The seed's per-call credential and region inputs (SPEC 1.3), accepted by
/// every operation that takes a connection.
pub const CALL_INPUTS: [&str; 4] = ["awsRegion", "dynamicAccessKeyId", "dynamicSecretAccessKey", "dynamicSessionToken"];

/// The connection of one call: `connection` with the seed's per-call inputs
/// applied, which are taken out of `input`. As the seed resolves them:
/// - a connection and a dynamic key pair together are refused (a dynamic
///   session token alone is attached to the connection's keys);
/// - without a connection, the dynamic key pair is the connection (both or neither);
/// - `awsRegion` replaces the connection's region for this call.
///
/// `None` when there is neither a connection nor a dynamic key pair.
pub fn for_call(connection: Option<&Value>, input: &mut Map<String, Value>) -> Result<Option<Value>, InputError> {
    let mut given = std::collections::HashMap::new();
    for name in CALL_INPUTS {
        match input.remove(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.trim().is_empty() => {}
            Some(Value::String(s)) => {
                given.insert(name, s.trim().to_owned());
            }
            Some(_) => return Err(InputError::coded("InvalidInput", format!("Input {name}: must be a string"))),
        }
    }
    let dynamic_pair = (given.remove("dynamicAccessKeyId"), given.remove("dynamicSecretAccessKey"));
    let token = given.remove("dynamicSessionToken");
    let mut conn = match (connection, dynamic_pair) {
        (Some(_), (Some(_), _) | (_, Some(_))) => {
            return Err(InputError::coded(
                "ConflictingCredentials",
                "Input dynamicAccessKeyId/dynamicSecretAccessKey: a connection is given too; use the connection or the dynamic key pair, not both.",
            ));
        }
        (Some(c), (None, None)) => c.as_object().cloned().unwrap_or_default(),
        (None, (Some(key), Some(secret))) => {
            Map::from_iter([("accessKeyId".to_owned(), Value::String(key)), ("secretAccessKey".to_owned(), Value::String(secret))])
        }
        (None, (Some(_), None) | (None, Some(_))) => {
            return Err(InputError::coded(
                "MissingCredentials",
                "Input dynamicAccessKeyId and dynamicSecretAccessKey go together: give both, or a connection.",
            ));
        }
        (None, (None, None)) => return Ok(None),
    };
    if let Some(token) = token {
        conn.insert("sessionToken".into(), token.into());
    }
    if let Some(region) = given.remove("awsRegion") {
        conn.insert("region".into(), region.into());
    }
    Ok(Some(Value::Object(conn)))
}

#[derive(Debug, Default)]
struct ProfileFiles {
    credentials: Option<String>,
    config: Option<String>,
}

fn profile_files() -> ProfileFiles {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let path = |env: &str, default: &str| std::env::var_os(env).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(default)));
    let read = |p: Option<PathBuf>| p.and_then(|p| std::fs::read_to_string(p).ok());
    ProfileFiles {
        credentials: read(path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")),
        config: read(path("AWS_CONFIG_FILE", ".aws/config")),
    }
}

/// Whether an INI text has `[section]`.
fn has_section(text: &str, section: &str) -> bool {
    text.lines().filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']')).any(|name| name.trim() == section)
}

/// `key = value` in `[section]` of an INI text.
fn ini_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_owned();
        } else if current == section
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn environment_variables_make_a_connection() {
        let e = env(&[
            ("AWS_ACCESS_KEY_ID", "AK"),
            ("AWS_SECRET_ACCESS_KEY", "SK"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
        ]);
        let c = from_env(e, &ProfileFiles::default()).unwrap().unwrap();
        assert_eq!(c["accessKeyId"], "AK");
        assert_eq!(c["region"], "eu-west-1");
        assert_eq!(c["endpointUrl"], "http://127.0.0.1:1");
        assert!(c.get("sessionToken").is_none());
    }

    fn call(connection: Option<Value>, input: Value) -> Result<Option<Value>, InputError> {
        let mut input = input.as_object().unwrap().clone();
        let out = for_call(connection.as_ref(), &mut input);
        assert!(CALL_INPUTS.iter().all(|k| !input.contains_key(*k)), "the call inputs are taken out");
        out
    }

    #[test]
    fn per_call_inputs_follow_the_seeds_rules() {
        let conn = serde_json::json!({ "accessKeyId": "AK", "secretAccessKey": "SK", "region": "us-east-1" });
        let c = call(Some(conn.clone()), serde_json::json!({ "awsRegion": "eu-west-3", "dynamicSessionToken": "T", "bucket": "b" }))
            .unwrap()
            .unwrap();
        assert_eq!(
            (c["region"].as_str(), c["sessionToken"].as_str(), c["accessKeyId"].as_str()),
            (Some("eu-west-3"), Some("T"), Some("AK"))
        );
        let e = call(Some(conn.clone()), serde_json::json!({ "dynamicAccessKeyId": "X" })).unwrap_err();
        assert_eq!(e.code, "ConflictingCredentials");
        let c = call(None, serde_json::json!({ "dynamicAccessKeyId": " DK ", "dynamicSecretAccessKey": "DS" })).unwrap().unwrap();
        assert_eq!((c["accessKeyId"].as_str(), c["secretAccessKey"].as_str()), (Some("DK"), Some("DS")));
        assert_eq!(call(None, serde_json::json!({ "dynamicSecretAccessKey": "DS" })).unwrap_err().code, "MissingCredentials");
        assert_eq!(call(None, serde_json::json!({ "awsRegion": "eu-west-1", "dynamicAccessKeyId": "" })).unwrap(), None);
        assert_eq!(call(Some(conn), serde_json::json!({ "awsRegion": 5 })).unwrap_err().code, "InvalidInput");
    }

    #[test]
    fn half_a_key_pair_is_an_error_and_none_is_none() {
        assert!(from_env(env(&[("AWS_ACCESS_KEY_ID", "AK")]), &ProfileFiles::default()).is_err());
        assert!(from_env(env(&[]), &ProfileFiles::default()).unwrap().is_none());
    }

    #[test]
    fn profiles_are_read_from_the_shared_files() {
        let files = ProfileFiles {
            credentials: Some(
                "[default]\naws_access_key_id=A\naws_secret_access_key=B\n[dev]\naws_access_key_id = C\naws_secret_access_key = D\n".into(),
            ),
            config: Some("[profile dev]\nregion = ap-south-1\n".into()),
        };
        let c = from_env(env(&[("AWS_PROFILE", "dev")]), &files).unwrap().unwrap();
        assert_eq!(c["accessKeyId"], "C");
        assert_eq!(c["region"], "ap-south-1");
        let c = from_env(env(&[]), &files).unwrap().unwrap();
        assert_eq!(c["secretAccessKey"], "B");
        let missing = from_env(env(&[("AWS_PROFILE", "prod")]), &files).unwrap_err().to_string();
        assert!(missing.contains("\"prod\"") && missing.contains("no such profile"), "{missing}");
    }
}
