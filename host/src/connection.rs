//! Where the connection comes from: `--connection`, else the AWS environment
//! variables, else the shared credentials and config files (`AWS_PROFILE`).

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
