//! SNS actions on moto: topics, subscriptions of a webhook, the topic policy
//! upserted by Sid with every other statement kept, and the refusals made
//! before any request.

use s3_e2e::*;
use serde_json::{Value, json};

/// The topic's policy, read back with a plain query-protocol request.
fn policy(conn: &Value, topic: &str) -> Value {
    let endpoint = conn["endpointUrl"].as_str().unwrap();
    let scope = "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00";
    let body = format!("Action=GetTopicAttributes&Version=2010-03-31&TopicArn={}", topic.replace(':', "%3A"));
    let headers = [("authorization", scope), ("content-type", "application/x-www-form-urlencoded")];
    let (status, _, answer) = plain_http("POST", &format!("{endpoint}/"), &headers, body.as_bytes());
    let answer = String::from_utf8(answer).unwrap();
    assert_eq!(status, 200, "{answer}");
    let start = answer.find("<key>Policy</key>").expect("a policy") + "<key>Policy</key>".len();
    let value = &answer[start..];
    let value = &value[value.find("<value>").unwrap() + 7..value.find("</value>").unwrap()];
    let text = value.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").replace("&amp;", "&");
    serde_json::from_str(&text).unwrap()
}

fn sids(policy: &Value) -> Vec<String> {
    policy["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_subscriptions_and_policies() {
    let conn = moto();
    let name = bucket("uploads");
    let created = ok("createTopic", json!({ "name": name, "signatureVersion": 2 }), &conn).await;
    let topic = created["data"]["TopicArn"].as_str().unwrap().to_owned();
    assert_eq!(topic, format!("arn:aws:sns:us-east-1:123456789012:{name}"));
    assert_eq!(created["data"].as_object().unwrap().keys().collect::<Vec<_>>(), ["TopicArn", "$metadata"]);

    let before = sids(&policy(&conn, &topic));
    let update = |b: &str| json!({ "bucket": b, "snsTopicArn": topic, "bucketOwnerAccountid": "123456789012" });
    let out = ok("updateTopicPolicy", update("photos"), &conn).await;
    assert_eq!(out["data"].as_object().unwrap().keys().collect::<Vec<_>>(), ["$metadata"], "the seed's shape");
    ok("updateTopicPolicy", update("photos"), &conn).await;
    ok("updateTopicPolicy", update("docs"), &conn).await;
    let after = policy(&conn, &topic);
    let mut expected = before.clone();
    expected.extend(["allow-s3-to-publish-photos".to_owned(), "allow-s3-to-publish-docs".to_owned()]);
    assert_eq!(sids(&after), expected, "replaced, not duplicated; the default statement kept");
    let ours = &after["Statement"][before.len()];
    assert_eq!(ours["Principal"], json!({ "Service": "s3.amazonaws.com" }));
    assert_eq!(ours["Condition"]["ArnLike"]["aws:SourceArn"], "arn:aws:s3:*:*:photos");

    let sub = ok("subscribeToTopic", json!({ "snsTopicArn": topic, "endpoint": "http://127.0.0.1:9/sns" }), &conn).await;
    let subscription = sub["data"]["SubscriptionArn"].as_str().unwrap().to_owned();
    assert!(subscription.starts_with(&format!("{topic}:")), "{sub}");
    let gone = ok("unsubscribeFromTopic", json!({ "subscriptionArn": subscription }), &conn).await;
    assert_eq!(gone["data"]["$metadata"]["httpStatusCode"], 200);

    ok("deleteTopic", json!({ "snsTopicArn": topic }), &conn).await;
    let e = err("subscribeToTopic", json!({ "snsTopicArn": topic, "endpoint": "https://hooks.example.com/in" }), &conn).await;
    assert_eq!((e["kind"].as_str(), e["code"].as_str()), (Some("service"), Some("NotFound")), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sns_inputs_are_refused_before_sending() {
    let conn = moto();
    let topic = "arn:aws:sns:us-east-1:123456789012:t";
    refused_before_sending(
        &conn,
        &[
            ("createTopic", json!({ "name": "has space" }), "InvalidTopicName", "name"),
            ("createTopic", json!({ "name": "t", "signatureVersion": 3 }), "InvalidSignatureVersion", "signatureVersion"),
            ("subscribeToTopic", json!({ "snsTopicArn": "arn:aws:sns:t", "endpoint": "https://h/" }), "InvalidArn", "snsTopicArn"),
            ("subscribeToTopic", json!({ "snsTopicArn": topic, "endpoint": "http://hooks.example.com/" }), "InvalidEndpoint", "endpoint"),
            ("subscribeToTopic", json!({ "snsTopicArn": topic, "endpoint": "hooks.example.com" }), "InvalidEndpoint", "endpoint"),
            ("unsubscribeFromTopic", json!({ "subscriptionArn": topic }), "InvalidArn", "subscriptionArn"),
            (
                "updateTopicPolicy",
                json!({ "bucket": "b-1", "snsTopicArn": topic, "bucketOwnerAccountid": "12" }),
                "InvalidAccountId",
                "bucketOwnerAccountid",
            ),
            (
                "updateTopicPolicy",
                json!({ "bucket": "b 1", "snsTopicArn": topic, "bucketOwnerAccountid": "123456789012" }),
                "InvalidBucketName",
                "Bucket name",
            ),
            ("deleteTopic", json!({ "snsTopicArn": "arn:aws:sqs:us-east-1:123456789012:q" }), "InvalidArn", "snsTopicArn"),
        ],
    )
    .await;
}
