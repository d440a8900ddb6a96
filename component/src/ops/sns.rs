//! SNS (the AWS query protocol) for S3 event notifications:
//! [CreateTopic](https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html),
//! [Subscribe](https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html),
//! [Unsubscribe](https://docs.aws.amazon.com/sns/latest/api/API_Unsubscribe.html),
//! [GetTopicAttributes](https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html) /
//! [SetTopicAttributes](https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html)
//! for the topic policy, and
//! [DeleteTopic](https://docs.aws.amazon.com/sns/latest/api/API_DeleteTopic.html).

use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::ops::notification::arn_of;
use crate::{validate, xml};
use serde::Deserialize;
use serde_json::{Value, json};

const VERSION: &str = "2010-03-31";

fn request(conn: &Conn, params: &[(&str, &str)]) -> Result<http::Request<Vec<u8>>> {
    super::query_request(conn.service_url("sns"), VERSION, params)
}

/// Build CreateTopic: a standard topic, signed with `signature_version` (1 or 2).
pub fn create_topic_request(conn: &Conn, name: &str, signature_version: Option<u8>) -> Result<http::Request<Vec<u8>>> {
    let name = name.trim();
    if name.is_empty() || name.len() > 256 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::invalid_input(
            "InvalidTopicName",
            format!("name {:?} is not a topic name: use 1 to 256 letters, digits, '-' and '_'.", name.chars().take(64).collect::<String>()),
        ));
    }
    let version = match signature_version {
        None => None,
        Some(v @ (1 | 2)) => Some(v.to_string()),
        Some(v) => return Err(Error::invalid_input("InvalidSignatureVersion", format!("signatureVersion must be 1 or 2, got {v}."))),
    };
    let mut params =
        vec![("Action", "CreateTopic"), ("Name", name), ("Attributes.entry.1.key", "FifoTopic"), ("Attributes.entry.1.value", "false")];
    if let Some(v) = &version {
        params.extend([("Attributes.entry.2.key", "SignatureVersion"), ("Attributes.entry.2.value", v.as_str())]);
    }
    request(conn, &params)
}

/// Build Subscribe of a webhook: `https`, or `http` on a loopback host.
pub fn subscribe_request(conn: &Conn, topic_arn: &str, endpoint: &str) -> Result<http::Request<Vec<u8>>> {
    arn_of("snsTopicArn", "sns", topic_arn)?;
    let endpoint = endpoint.trim();
    let uri: http::Uri = endpoint.parse().map_err(|_| bad_endpoint(endpoint, "it is not a URL"))?;
    let host = uri.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if endpoint.contains('@') {
        return Err(bad_endpoint(endpoint, "it carries user info"));
    }
    let protocol = match uri.scheme_str() {
        Some("https") if !host.is_empty() => "https",
        Some("http") if loopback => "http",
        Some("http") => return Err(bad_endpoint(endpoint, "plain http is allowed only on a loopback host (local tests); use https")),
        _ => return Err(bad_endpoint(endpoint, "it must be an https URL")),
    };
    request(conn, &[("Action", "Subscribe"), ("TopicArn", topic_arn.trim()), ("Protocol", protocol), ("Endpoint", endpoint)])
}

fn bad_endpoint(endpoint: &str, why: &str) -> Error {
    Error::invalid_input("InvalidEndpoint", format!("endpoint {:?} is not usable: {why}.", endpoint.chars().take(128).collect::<String>()))
}

/// Check a subscription ARN (a topic ARN and the subscription's id).
pub fn subscription_arn(arn: &str) -> Result<()> {
    let arn = arn.trim();
    match arn.rsplit_once(':') {
        Some((topic, id)) if !id.is_empty() && arn_of("subscriptionArn", "sns", topic).is_ok() => Ok(()),
        _ => Err(Error::invalid_input(
            "InvalidArn",
            format!(
                "subscriptionArn {:?} is not a subscription ARN such as arn:aws:sns:us-east-1:123456789012:topic:8a21d249-4329-4871-acc6-7be709c6ea7f.",
                arn.chars().take(128).collect::<String>()
            ),
        )),
    }
}

/// Build Unsubscribe.
pub fn unsubscribe_request(conn: &Conn, subscription: &str) -> Result<http::Request<Vec<u8>>> {
    subscription_arn(subscription)?;
    request(conn, &[("Action", "Unsubscribe"), ("SubscriptionArn", subscription.trim())])
}

/// Build DeleteTopic.
pub fn delete_topic_request(conn: &Conn, topic_arn: &str) -> Result<http::Request<Vec<u8>>> {
    arn_of("snsTopicArn", "sns", topic_arn)?;
    request(conn, &[("Action", "DeleteTopic"), ("TopicArn", topic_arn.trim())])
}

/// Build GetTopicAttributes (to read the policy).
pub fn get_attributes_request(conn: &Conn, topic_arn: &str) -> Result<http::Request<Vec<u8>>> {
    arn_of("snsTopicArn", "sns", topic_arn)?;
    request(conn, &[("Action", "GetTopicAttributes"), ("TopicArn", topic_arn.trim())])
}

/// Build SetTopicAttributes of the policy.
pub fn set_policy_request(conn: &Conn, topic_arn: &str, policy: &Value) -> Result<http::Request<Vec<u8>>> {
    let text = policy.to_string();
    request(
        conn,
        &[("Action", "SetTopicAttributes"), ("TopicArn", topic_arn.trim()), ("AttributeName", "Policy"), ("AttributeValue", &text)],
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateTopicResponse {
    create_topic_result: TopicArnXml,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TopicArnXml {
    topic_arn: Option<String>,
}

/// Read CreateTopic's topic ARN.
pub fn parse_create_topic(resp: &http::Response<Vec<u8>>) -> Result<Option<String>> {
    Ok(xml::parse::<CreateTopicResponse>(resp)?.create_topic_result.topic_arn)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SubscribeResponse {
    subscribe_result: SubscriptionXml,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SubscriptionXml {
    subscription_arn: Option<String>,
}

/// Read Subscribe's subscription ARN.
pub fn parse_subscribe(resp: &http::Response<Vec<u8>>) -> Result<Option<String>> {
    Ok(xml::parse::<SubscribeResponse>(resp)?.subscribe_result.subscription_arn)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributesResponse {
    get_topic_attributes_result: AttributesResult,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributesResult {
    attributes: Option<Entries>,
}

#[derive(Deserialize)]
struct Entries {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    key: String,
    value: Option<String>,
}

/// Read the topic's policy (an empty one when it has none).
pub fn parse_policy(resp: &http::Response<Vec<u8>>) -> Result<Value> {
    let doc: AttributesResponse = xml::parse(resp)?;
    let text =
        doc.get_topic_attributes_result.attributes.and_then(|a| a.entry.into_iter().find(|e| e.key == "Policy")).and_then(|e| e.value);
    match text.filter(|t| !t.trim().is_empty()) {
        None => Ok(json!({ "Version": "2012-10-17", "Statement": [] })),
        Some(t) => {
            serde_json::from_str(&t).map_err(|e| Error::unexpected(format!("The topic's policy is not JSON: {e}."), resp.status().as_u16()))
        }
    }
}

/// The Sid of the statement that lets `bucket` publish.
pub fn statement_id(bucket: &str) -> String {
    format!("allow-s3-to-publish-{bucket}")
}

/// Add (or replace, by its Sid) the statement that lets S3 publish events
/// of `bucket`, owned by `account`, to `topic_arn`; other statements stay.
pub fn upsert_publish_statement(policy: &mut Value, bucket: &str, topic_arn: &str, account: &str) -> Result<()> {
    validate::bucket(bucket)?;
    arn_of("snsTopicArn", "sns", topic_arn)?;
    let account = account.trim();
    validate::account_id("bucketOwnerAccountid", account)?;
    let sid = statement_id(bucket);
    let ours = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": { "Service": "s3.amazonaws.com" },
        "Action": "SNS:Publish",
        "Resource": topic_arn.trim(),
        "Condition": {
            "ArnLike": { "aws:SourceArn": format!("arn:aws:s3:*:*:{bucket}") },
            "StringEquals": { "aws:SourceAccount": account },
        },
    });
    let Some(doc) = policy.as_object_mut() else {
        return Err(Error::unexpected("The topic's policy is not a JSON object.", 200));
    };
    doc.entry("Version").or_insert_with(|| json!("2012-10-17"));
    let statements = doc.entry("Statement").or_insert_with(|| json!([]));
    // A policy may hold a single statement as an object.
    if statements.is_object() {
        *statements = Value::Array(vec![statements.take()]);
    }
    let Some(list) = statements.as_array_mut() else {
        return Err(Error::unexpected("The topic's policy has a Statement that is not a list.", 200));
    };
    match list.iter_mut().find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid.as_str())) {
        Some(existing) => *existing = ours,
        None => list.push(ours),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, response};

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:uploads";

    fn body(req: &http::Request<Vec<u8>>) -> String {
        String::from_utf8(req.body().clone()).unwrap()
    }

    #[test]
    fn creates_standard_topics_signed_as_asked() {
        let req = create_topic_request(&conn(), " uploads ", Some(2)).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/");
        assert_eq!(
            body(&req),
            "Version=2010-03-31&Action=CreateTopic&Name=uploads&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=false&Attributes.entry.2.key=SignatureVersion&Attributes.entry.2.value=2"
        );
        for bad in ["", "a b", "t.fifo", &"x".repeat(257)] {
            assert_eq!(create_topic_request(&conn(), bad, None).unwrap_err().code, "InvalidTopicName", "{bad}");
        }
        assert_eq!(create_topic_request(&conn(), "t", Some(3)).unwrap_err().code, "InvalidSignatureVersion");
        let xml = "<CreateTopicResponse><CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:123456789012:uploads</TopicArn></CreateTopicResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateTopicResponse>";
        assert_eq!(parse_create_topic(&response(200, &[], xml)).unwrap().as_deref(), Some(TOPIC));
    }

    #[test]
    fn webhooks_are_https_or_local_http() {
        let req = subscribe_request(&conn(), TOPIC, "https://hooks.example.com/in?key=1").unwrap();
        assert!(body(&req).contains("Protocol=https&Endpoint=https%3A%2F%2Fhooks.example.com%2Fin%3Fkey%3D1"), "{}", body(&req));
        assert!(body(&subscribe_request(&conn(), TOPIC, "http://127.0.0.1:8080/sns").unwrap()).contains("Protocol=http&"));
        for bad in ["http://hooks.example.com/in", "ftp://x/y", "hooks.example.com", "https://user:pw@hooks.example.com/", ""] {
            assert_eq!(subscribe_request(&conn(), TOPIC, bad).unwrap_err().code, "InvalidEndpoint", "{bad}");
        }
        assert_eq!(subscribe_request(&conn(), "arn:aws:sqs:us-east-1:123456789012:q", "https://h/").unwrap_err().code, "InvalidArn");
        subscription_arn(&format!("{TOPIC}:8a21d249-4329-4871-acc6-7be709c6ea7f")).unwrap();
        assert_eq!(subscription_arn(TOPIC).unwrap_err().code, "InvalidArn");
    }

    #[test]
    fn the_policy_statement_is_upserted_and_others_kept() {
        let xml = r#"<GetTopicAttributesResponse><GetTopicAttributesResult><Attributes>
<entry><key>Owner</key><value>123456789012</value></entry>
<entry><key>Policy</key><value>{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Subscribe"],"Resource":"arn:aws:sns:us-east-1:123456789012:uploads"}]}</value></entry>
</Attributes></GetTopicAttributesResult></GetTopicAttributesResponse>"#;
        let mut policy = parse_policy(&response(200, &[], xml)).unwrap();
        upsert_publish_statement(&mut policy, "photos", TOPIC, "123456789012").unwrap();
        upsert_publish_statement(&mut policy, "photos", TOPIC, "123456789012").unwrap();
        upsert_publish_statement(&mut policy, "docs", TOPIC, "123456789012").unwrap();
        let sids: Vec<&str> = policy["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap()).collect();
        assert_eq!(sids, ["__default_statement_ID", "allow-s3-to-publish-photos", "allow-s3-to-publish-docs"]);
        assert_eq!(policy["Statement"][1]["Condition"]["ArnLike"]["aws:SourceArn"], "arn:aws:s3:*:*:photos");
        assert_eq!(policy["Statement"][1]["Condition"]["StringEquals"]["aws:SourceAccount"], "123456789012");
        assert_eq!(policy["Version"], "2008-10-17", "the policy's own version is kept");
        let mut p = json!({});
        assert_eq!(upsert_publish_statement(&mut p, "b-1", TOPIC, "1234").unwrap_err().code, "InvalidAccountId");
        let req = set_policy_request(&conn(), TOPIC, &policy).unwrap();
        assert!(body(&req).starts_with("Version=2010-03-31&Action=SetTopicAttributes&TopicArn=arn%3Aaws%3Asns"), "{}", body(&req));
    }
}
