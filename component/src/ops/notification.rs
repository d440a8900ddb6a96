//! [GetBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html)
//! and [PutBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html),
//! and the read-modify-write that adds one SNS topic configuration.
//!
//! The XML names differ from the JSON ones: `Topic`, `Queue`,
//! `CloudFunction`, `Event` (repeated), `Filter/S3Key/FilterRule`.

use crate::client::{self, metadata};
use crate::conn::Conn;
use crate::error::{Error, Result};
use crate::notifications::{
    FilterRule, GetBucketNotificationConfigurationOutput, KeyFilter, LambdaFunctionConfiguration, NotificationFilter, QueueConfiguration,
    TopicConfiguration,
};
use crate::{validate, xml};
use serde::Deserialize;

/// The event names S3 accepts.
pub const EVENTS: [&str; 27] = [
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
];

/// A whole notification configuration, as sent and as read.
#[derive(Debug, Clone, Default)]
pub struct Configuration {
    /// SNS destinations.
    pub topics: Vec<TopicConfiguration>,
    /// SQS destinations.
    pub queues: Vec<QueueConfiguration>,
    /// Lambda destinations.
    pub lambdas: Vec<LambdaFunctionConfiguration>,
    /// Whether events also go to EventBridge.
    pub event_bridge: bool,
}

/// Build the GET request; `expected_owner` is sent as `x-amz-expected-bucket-owner`.
pub fn get_request(conn: &Conn, bucket: &str, expected_owner: Option<&str>) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    let mut headers = Vec::new();
    if let Some(owner) = validate::non_blank(expected_owner).map(str::trim) {
        validate::account_id("bucketOwnerAccountid", owner)?;
        headers.push(("x-amz-expected-bucket-owner", owner.to_owned()));
    }
    client::request(http::Method::GET, conn.url(Some(bucket), None, "notification"), &headers, Vec::new())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct ConfigurationXml {
    #[serde(default, rename = "TopicConfiguration")]
    topics: Vec<DestinationXml>,
    #[serde(default, rename = "QueueConfiguration")]
    queues: Vec<DestinationXml>,
    #[serde(default, rename = "CloudFunctionConfiguration")]
    lambdas: Vec<DestinationXml>,
    event_bridge_configuration: Option<EmptyXml>,
}

#[derive(Deserialize)]
struct EmptyXml {}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DestinationXml {
    id: Option<String>,
    // One of the three, by the element it sits in.
    topic: Option<String>,
    queue: Option<String>,
    cloud_function: Option<String>,
    #[serde(default, rename = "Event")]
    events: Vec<String>,
    filter: Option<FilterXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FilterXml {
    #[serde(rename = "S3Key")]
    key: Option<S3KeyXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3KeyXml {
    #[serde(default, rename = "FilterRule")]
    rules: Vec<RuleXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RuleXml {
    name: String,
    value: String,
}

/// Read a configuration (an empty body or document means none).
pub fn parse_configuration(resp: &http::Response<Vec<u8>>) -> Result<Configuration> {
    let doc: ConfigurationXml =
        if resp.body().iter().all(u8::is_ascii_whitespace) { ConfigurationXml::default() } else { xml::parse(resp)? };
    let filter = |f: Option<FilterXml>| {
        f.map(|f| NotificationFilter {
            key: KeyFilter {
                filter_rules: f
                    .key
                    .map(|k| k.rules)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| FilterRule { name: r.name, value: r.value })
                    .collect(),
            },
        })
    };
    Ok(Configuration {
        topics: doc
            .topics
            .into_iter()
            .map(|d| TopicConfiguration { id: d.id, topic_arn: d.topic.unwrap_or_default(), events: d.events, filter: filter(d.filter) })
            .collect(),
        queues: doc
            .queues
            .into_iter()
            .map(|d| QueueConfiguration { id: d.id, queue_arn: d.queue.unwrap_or_default(), events: d.events, filter: filter(d.filter) })
            .collect(),
        lambdas: doc
            .lambdas
            .into_iter()
            .map(|d| LambdaFunctionConfiguration {
                id: d.id,
                lambda_function_arn: d.cloud_function.unwrap_or_default(),
                events: d.events,
                filter: filter(d.filter),
            })
            .collect(),
        event_bridge: doc.event_bridge_configuration.is_some(),
    })
}

/// Read the GET answer into the output.
pub fn parse_get(resp: &http::Response<Vec<u8>>) -> Result<GetBucketNotificationConfigurationOutput> {
    let c = parse_configuration(resp)?;
    Ok(GetBucketNotificationConfigurationOutput {
        topic_configurations: c.topics,
        queue_configurations: c.queues,
        lambda_function_configurations: c.lambdas,
        event_bridge_configuration: c.event_bridge.then(Vec::new),
        response_metadata: metadata(resp),
    })
}

/// Check a configuration; messages name the input and the entry.
pub fn validate(c: &Configuration) -> Result<()> {
    let destinations = c.topics.iter().map(|t| ("topicConfigurations", "TopicArn", "sns", &t.topic_arn, &t.events, &t.filter));
    let destinations =
        destinations.chain(c.queues.iter().map(|q| ("queueConfigurations", "QueueArn", "sqs", &q.queue_arn, &q.events, &q.filter))).chain(
            c.lambdas
                .iter()
                .map(|l| ("lambdaFunctionConfigurations", "LambdaFunctionArn", "lambda", &l.lambda_function_arn, &l.events, &l.filter)),
        );
    let mut index = std::collections::HashMap::<&str, usize>::new();
    for (input, arn_field, service, arn, events, filter) in destinations {
        let i = index.entry(input).or_default();
        let at = format!("{input}[{i}]");
        *i += 1;
        arn_of(&format!("{at}.{arn_field}"), service, arn)?;
        events_of(&format!("{at}.Events"), events)?;
        if let Some(f) = filter {
            filter_rules(&format!("{at}.Filter.Key.FilterRules"), &f.key.filter_rules)?;
        }
    }
    Ok(())
}

/// Check an ARN of `service` (`arn:<partition>:<service>:<region>:<account>:<name>`).
pub fn arn_of(field: &str, service: &str, arn: &str) -> Result<()> {
    let parts: Vec<&str> = arn.trim().splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == service
        && !parts[3].is_empty()
        && validate::is_account_id(parts[4])
        && !parts[5].is_empty()
        && !arn.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "InvalidArn",
            format!(
                "{field} {:?} is not an {service} ARN such as arn:aws:{service}:us-east-1:123456789012:name.",
                arn.chars().take(128).collect::<String>()
            ),
        ))
    }
}

/// Check event names against S3's.
pub fn events_of(field: &str, events: &[String]) -> Result<()> {
    if events.is_empty() {
        return Err(Error::invalid_input(
            "InvalidEvent",
            format!("{field} is empty: give at least one S3 event, e.g. s3:ObjectCreated:*."),
        ));
    }
    for e in events {
        if !EVENTS.contains(&e.trim()) {
            return Err(Error::invalid_input(
                "InvalidEvent",
                format!("{field}: {:?} is not an S3 event name; S3's are: {}.", e.chars().take(64).collect::<String>(), EVENTS.join(", ")),
            ));
        }
    }
    Ok(())
}

fn filter_rules(field: &str, rules: &[FilterRule]) -> Result<()> {
    let mut seen = Vec::new();
    for r in rules {
        let name = r.name.trim().to_ascii_lowercase();
        if name != "prefix" && name != "suffix" {
            return Err(Error::invalid_input(
                "InvalidFilterRule",
                format!("{field}: a rule's Name must be prefix or suffix, not {:?}.", r.name),
            ));
        }
        if seen.contains(&name) {
            return Err(Error::invalid_input("InvalidFilterRule", format!("{field}: at most one {name} rule.")));
        }
        seen.push(name);
    }
    Ok(())
}

fn destination_xml(
    tag: &str,
    arn_tag: &str,
    id: Option<&str>,
    arn: &str,
    events: &[String],
    filter: Option<&NotificationFilter>,
) -> String {
    let mut s = format!("<{tag}>");
    if let Some(id) = validate::non_blank(id) {
        s.push_str(&format!("<Id>{}</Id>", xml::escape(id.trim())));
    }
    s.push_str(&format!("<{arn_tag}>{}</{arn_tag}>", xml::escape(arn.trim())));
    for e in events {
        s.push_str(&format!("<Event>{}</Event>", xml::escape(e.trim())));
    }
    if let Some(f) = filter.filter(|f| !f.key.filter_rules.is_empty()) {
        s.push_str("<Filter><S3Key>");
        for r in &f.key.filter_rules {
            s.push_str(&format!(
                "<FilterRule><Name>{}</Name><Value>{}</Value></FilterRule>",
                xml::escape(&r.name.trim().to_ascii_lowercase()),
                xml::escape_key(&r.value)
            ));
        }
        s.push_str("</S3Key></Filter>");
    }
    s.push_str(&format!("</{tag}>"));
    s
}

/// Build the PUT request for a whole configuration. Inputs are checked with
/// [`validate`] first; what was read back from S3 (an upsert) is sent as it was.
pub fn put_request(conn: &Conn, bucket: &str, c: &Configuration) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    let mut body = String::from("<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for t in &c.topics {
        body.push_str(&destination_xml("TopicConfiguration", "Topic", t.id.as_deref(), &t.topic_arn, &t.events, t.filter.as_ref()));
    }
    for q in &c.queues {
        body.push_str(&destination_xml("QueueConfiguration", "Queue", q.id.as_deref(), &q.queue_arn, &q.events, q.filter.as_ref()));
    }
    for l in &c.lambdas {
        body.push_str(&destination_xml(
            "CloudFunctionConfiguration",
            "CloudFunction",
            l.id.as_deref(),
            &l.lambda_function_arn,
            &l.events,
            l.filter.as_ref(),
        ));
    }
    if c.event_bridge {
        body.push_str("<EventBridgeConfiguration></EventBridgeConfiguration>");
    }
    body.push_str("</NotificationConfiguration>");
    let skip = [("x-amz-skip-destination-validation", "true".to_owned())];
    xml::request(http::Method::PUT, conn.url(Some(bucket), None, "notification"), &skip, body)
}

/// Add `ours` to `c`, replacing the topic configuration with the same id in
/// place, or appending it; everything else stays as it was.
pub fn upsert_topic(c: &mut Configuration, ours: TopicConfiguration) {
    match c.topics.iter_mut().find(|t| t.id.is_some() && t.id == ours.id) {
        Some(existing) => *existing = ours,
        None => c.topics.push(ours),
    }
}

/// Our topic configuration from the trigger's inputs (validated).
pub fn trigger_topic(
    name: &str,
    topic_arn: &str,
    events: &[String],
    prefix: Option<&str>,
    suffix: Option<&str>,
) -> Result<TopicConfiguration> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("InvalidInput", "eventNotificationName is empty: give the configuration a name (its Id)."));
    }
    arn_of("snsTopicArn", "sns", topic_arn)?;
    events_of("eventsList", events)?;
    let mut rules = Vec::new();
    for (name, value) in [("prefix", prefix), ("suffix", suffix)] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            rules.push(FilterRule { name: name.to_owned(), value: v.to_owned() });
        }
    }
    Ok(TopicConfiguration {
        id: Some(name.trim().to_owned()),
        topic_arn: topic_arn.trim().to_owned(),
        events: events.iter().map(|e| e.trim().to_owned()).collect(),
        filter: (!rules.is_empty()).then_some(NotificationFilter { key: KeyFilter { filter_rules: rules } }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{conn, header, response};

    const ARN: &str = "arn:aws:sns:us-east-2:123456789012:Topic";

    fn topic(id: &str, events: &[&str]) -> TopicConfiguration {
        TopicConfiguration {
            id: Some(id.into()),
            topic_arn: ARN.into(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            filter: None,
        }
    }

    #[test]
    fn reads_every_kind_of_destination() {
        let xml = r#"<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<TopicConfiguration><Id>Topic</Id><Topic>arn:aws:sns:us-east-2:1234:Topic</Topic><Event>s3:ObjectRestore:*</Event></TopicConfiguration>
<QueueConfiguration><Id>Queue</Id><Queue>arn:aws:sqs:us-east-2:1234:Queue</Queue><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event>
<Filter><S3Key><FilterRule><Name>prefix</Name><Value>images/</Value></FilterRule></S3Key></Filter></QueueConfiguration>
<CloudFunctionConfiguration><Id>Lambda</Id><CloudFunction>arn:aws:lambda:us-east-2:1234:function:Function</CloudFunction><Event>s3:ObjectRemoved:*</Event></CloudFunctionConfiguration>
<EventBridgeConfiguration/></NotificationConfiguration>"#;
        let out = parse_get(&response(200, &[], xml)).unwrap();
        assert_eq!(out.topic_configurations[0].topic_arn, "arn:aws:sns:us-east-2:1234:Topic");
        assert_eq!(out.queue_configurations[0].events, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]);
        let rule = &out.queue_configurations[0].filter.as_ref().unwrap().key.filter_rules[0];
        assert_eq!((rule.name.as_str(), rule.value.as_str()), ("prefix", "images/"));
        assert_eq!(out.lambda_function_configurations[0].lambda_function_arn, "arn:aws:lambda:us-east-2:1234:function:Function");
        assert_eq!(out.event_bridge_configuration, Some(Vec::new()));
        let empty = parse_get(&response(200, &[], "<NotificationConfiguration/>")).unwrap();
        assert!(empty.topic_configurations.is_empty() && empty.event_bridge_configuration.is_none());
    }

    #[test]
    fn writes_the_xml_names_with_md5_and_skip_validation() {
        let mut t = topic("t1", &["s3:ObjectCreated:*"]);
        t.filter =
            Some(NotificationFilter { key: KeyFilter { filter_rules: vec![FilterRule { name: "Suffix".into(), value: ".jpg".into() }] } });
        let c = Configuration { topics: vec![t], event_bridge: true, ..Default::default() };
        let req = put_request(&conn(), "bkt", &c).unwrap();
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt?notification");
        let body = String::from_utf8(req.body().clone()).unwrap();
        assert!(body.contains(&format!("<TopicConfiguration><Id>t1</Id><Topic>{ARN}</Topic><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter></TopicConfiguration>")), "{body}");
        assert!(body.ends_with("<EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>"));
        assert_eq!(header(&req, "x-amz-skip-destination-validation"), Some("true"));
        assert!(header(&req, "content-md5").is_some());
    }

    #[test]
    fn bad_configurations_name_the_input_and_entry() {
        let mut bad_arn = topic("a", &["s3:ObjectCreated:*"]);
        bad_arn.topic_arn = "arn:aws:sqs:us-east-1:123456789012:q".into();
        let bad_event = QueueConfiguration {
            id: None,
            queue_arn: "arn:aws:sqs:us-east-1:123456789012:q".into(),
            events: vec!["s3:ObjectCreated:Put".into(), "s3:Everything".into()],
            filter: None,
        };
        for (c, code, names) in [
            (
                Configuration { topics: vec![topic("ok", &["s3:ObjectCreated:*"]), bad_arn], ..Default::default() },
                "InvalidArn",
                "topicConfigurations[1].TopicArn",
            ),
            (Configuration { queues: vec![bad_event], ..Default::default() }, "InvalidEvent", "queueConfigurations[0].Events"),
            (
                Configuration { topics: vec![topic("e", &[])], ..Default::default() },
                "InvalidEvent",
                "topicConfigurations[0].Events is empty",
            ),
        ] {
            let e = validate(&c).unwrap_err();
            assert_eq!(e.code, code);
            assert!(e.message.contains(names), "{}", e.message);
        }
    }

    #[test]
    fn upserts_replace_by_id_and_keep_everything_else() {
        let mut c = Configuration {
            topics: vec![topic("other", &["s3:ObjectRemoved:*"]), topic("ours", &["s3:ObjectCreated:Put"])],
            event_bridge: true,
            ..Default::default()
        };
        upsert_topic(&mut c, topic("ours", &["s3:ObjectCreated:*"]));
        assert_eq!(c.topics.len(), 2);
        assert_eq!(c.topics[1].events, ["s3:ObjectCreated:*"]);
        upsert_topic(&mut c, topic("new", &["s3:ObjectCreated:*"]));
        assert_eq!(c.topics.iter().map(|t| t.id.clone().unwrap()).collect::<Vec<_>>(), ["other", "ours", "new"]);
        assert!(c.event_bridge);
    }

    #[test]
    fn trigger_inputs_are_checked() {
        let events = vec!["s3:ObjectCreated:*".to_owned()];
        let t = trigger_topic(" uploads ", ARN, &events, Some("in/"), None).unwrap();
        assert_eq!(t.id.as_deref(), Some("uploads"));
        assert_eq!(t.filter.unwrap().key.filter_rules[0].value, "in/");
        assert_eq!(trigger_topic("n", "arn:aws:sns:x", &events, None, None).unwrap_err().code, "InvalidArn");
        assert_eq!(trigger_topic("n", ARN, &["s3:Nope".into()], None, None).unwrap_err().code, "InvalidEvent");
        assert!(get_request(&conn(), "bkt", Some("12345")).is_err());
        assert_eq!(
            header(&get_request(&conn(), "bkt", Some("123456789012")).unwrap(), "x-amz-expected-bucket-owner"),
            Some("123456789012")
        );
    }
}
