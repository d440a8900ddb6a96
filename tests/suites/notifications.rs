//! Bucket notifications on moto: replace the whole configuration, read it
//! back field by field, and upsert our SNS topic configuration while every
//! other destination survives.

use s3_e2e::*;
use serde_json::{Value, json};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:uploads";
const OTHER_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:audit";
const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:jobs";
const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:thumbs";

async fn config(conn: &Value, b: &str) -> Value {
    let mut got = ok("getBucketNotificationConfiguration", json!({ "bucket": b }), conn).await;
    assert_eq!(got["data"]["$metadata"]["httpStatusCode"], 200, "{got}");
    got["data"].as_object_mut().unwrap().remove("$metadata");
    got["data"].take()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configurations_are_replaced_and_upserted_without_losing_others() {
    let conn = moto();
    let b = bucket("notify");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    assert_eq!(
        config(&conn, &b).await,
        json!({ "TopicConfigurations": [], "QueueConfigurations": [], "LambdaFunctionConfigurations": [] })
    );

    // JSON text (a platform's code input) and JSON values both work.
    let audit = json!([{ "Id": "audit", "TopicArn": OTHER_TOPIC, "Events": ["s3:ObjectRemoved:*"] }]);
    let queue = json!([{ "Id": "jobs", "QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
        "Filter": { "Key": { "FilterRules": [{ "Name": "prefix", "Value": "images/" }] } } }]);
    let lambda = json!([{ "Id": "thumbs", "LambdaFunctionArn": LAMBDA, "Events": ["s3:ObjectCreated:Put"] }]);
    let input = json!({
        "bucket": b,
        "topicConfigurations": serde_json::to_string_pretty(&audit).unwrap(),
        "queueConfigurations": queue,
        "lambdaFunctionConfigurations": lambda,
        "eventBridgeConfiguration": "{}",
    });
    let put = ok("putBucketNotificationConfiguration", input, &conn).await;
    assert_eq!(put["data"].as_object().unwrap().keys().collect::<Vec<_>>(), ["$metadata"], "the seed's shape: {put}");
    // moto keeps EventBridgeConfiguration but leaves it out of its answer; the
    // unit tests pin that it is sent and read back from S3's XML.
    let expected = json!({
        "TopicConfigurations": audit,
        "QueueConfigurations": queue,
        "LambdaFunctionConfigurations": lambda,
    });
    assert_eq!(config(&conn, &b).await, expected);

    // Our topic is added; a second upsert with the same name replaces it.
    let trigger = |events: Value| {
        json!({ "bucket": b, "snsTopicArn": TOPIC, "eventsList": events, "eventNotificationName": "new-files",
                "bucketOwnerAccountid": "123456789012", "prefix": "in/", "suffix": "" })
    };
    ok("bucketEventTriggerConfiguration", trigger(json!(["s3:ObjectCreated:Put"])), &conn).await;
    ok("bucketEventTriggerConfiguration", trigger(json!(["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"])), &conn).await;
    let ours = json!({ "Id": "new-files", "TopicArn": TOPIC, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
        "Filter": { "Key": { "FilterRules": [{ "Name": "prefix", "Value": "in/" }] } } });
    let mut after = expected.clone();
    after["TopicConfigurations"].as_array_mut().unwrap().push(ours);
    assert_eq!(config(&conn, &b).await, after);

    // Giving nothing removes every notification.
    ok("putBucketNotificationConfiguration", json!({ "bucket": b, "topicConfigurations": "" }), &conn).await;
    assert_eq!(
        config(&conn, &b).await,
        json!({ "TopicConfigurations": [], "QueueConfigurations": [], "LambdaFunctionConfigurations": [] })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_notification_inputs_are_refused_before_sending() {
    let conn = moto();
    let put = |name: &str, value: Value| json!({ "bucket": "fine-bucket", name: value });
    let trigger = |arn: &str, events: Value| json!({ "bucket": "fine-bucket", "snsTopicArn": arn, "eventsList": events, "eventNotificationName": "n" });
    refused_before_sending(
        &conn,
        &[
            ("putBucketNotificationConfiguration", put("topicConfigurations", json!("[{\"Id\": ")), "InvalidInput", "topicConfigurations"),
            (
                "putBucketNotificationConfiguration",
                put("queueConfigurations", json!({ "QueueArn": QUEUE })),
                "InvalidInput",
                "queueConfigurations",
            ),
            (
                "putBucketNotificationConfiguration",
                put("topicConfigurations", json!([{ "TopicArn": TOPIC, "Events": ["s3:ObjectCreated:Everything"] }])),
                "InvalidEvent",
                "topicConfigurations[0].Events",
            ),
            (
                "putBucketNotificationConfiguration",
                put("lambdaFunctionConfigurations", json!([{ "LambdaFunctionArn": QUEUE, "Events": ["s3:ObjectCreated:*"] }])),
                "InvalidArn",
                "lambdaFunctionConfigurations[0].LambdaFunctionArn",
            ),
            (
                "putBucketNotificationConfiguration",
                put("topicConfigurations", json!([{ "Events": ["s3:ObjectCreated:*"] }])),
                "InvalidInput",
                "topicArn",
            ),
            (
                "putBucketNotificationConfiguration",
                put("eventBridgeConfiguration", json!({ "on": "yes" })),
                "InvalidInput",
                "eventBridgeConfiguration",
            ),
            ("bucketEventTriggerConfiguration", trigger(TOPIC, json!(["s3:ObjectCreated"])), "InvalidEvent", "eventsList"),
            ("bucketEventTriggerConfiguration", trigger(TOPIC, json!([])), "InvalidEvent", "eventsList"),
            (
                "bucketEventTriggerConfiguration",
                trigger("arn:aws:sns:us-east-1:topic", json!(["s3:ObjectCreated:*"])),
                "InvalidArn",
                "snsTopicArn",
            ),
        ],
    )
    .await;
}
