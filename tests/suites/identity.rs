//! Identity: getCurrentAccount and assume-role connections on moto's STS
//! (auth mode on for wrong keys), and the seed's per-call credential and
//! region inputs.

use s3_e2e::*;
use s3_host::hooks::RequestLog;
use s3_host::{CallError, Transfers};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/reader";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_account_and_an_assumed_role_reused_within_an_execution() {
    let conn = moto();
    let me = ok("getCurrentAccount", json!({}), &conn).await;
    assert_eq!(me["data"]["Account"], "123456789012", "{me}");
    assert!(me["data"]["Arn"].as_str().unwrap().starts_with("arn:aws:"), "{me}");
    assert_eq!(me["data"]["$metadata"]["httpStatusCode"], 200);

    let mut role = conn.clone();
    role["roleARN"] = json!(ROLE);
    role["externalId"] = json!("shared-common-secret");
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let mut execution = host.execution().await.unwrap();
    let who = execution.call("getCurrentAccount", &json!({}), Some(&role), Transfers::default()).await.unwrap();
    assert!(who["data"]["Arn"].as_str().unwrap().contains("assumed-role/reader/integration-session"), "{who}");
    execution.call("listBuckets", &json!({}), Some(&role), Transfers::default()).await.unwrap();
    execution.call("getCurrentAccount", &json!({}), Some(&role), Transfers::default()).await.unwrap();
    execution.finish().await;
    let posts = log.lock().unwrap().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 3, "one AssumeRole for the execution, two GetCallerIdentity: {:?}", log.lock().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_keys_are_refused_when_moto_checks_signatures() {
    let alice = moto_with_auth();
    let me = ok("getCurrentAccount", json!({}), &alice).await;
    assert!(me["data"]["Arn"].as_str().unwrap().ends_with(":user/alice"), "{me}");
    let mut wrong = alice.clone();
    wrong["secretAccessKey"] = json!("not-alices-secret");
    let e = err("getCurrentAccount", json!({}), &wrong).await;
    assert_eq!((e["kind"].as_str(), e["httpStatus"].as_u64()), (Some("service"), Some(403)), "{e}");
    assert_eq!(e["code"], "SignatureDoesNotMatch", "{e}");
    assert!(!e.to_string().contains("not-alices-secret"));
    let mut unknown = alice.clone();
    unknown["accessKeyId"] = json!("AKIAUNKNOWNKEY000000");
    assert_eq!(err("getCurrentAccount", json!({}), &unknown).await["code"], "InvalidClientTokenId");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_region_replaces_the_connections_region_for_one_call() {
    let conn = moto();
    let b = bucket("region");
    ok("createBucket", json!({ "bucket": b, "awsRegion": "eu-west-3" }), &conn).await;
    let location = ok("getBucketLocation", json!({ "bucket": b }), &conn).await;
    assert_eq!(location["data"], "eu-west-3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_credentials_without_a_connection_go_to_the_regions_hosts() {
    // No connection: AWS itself, in the region given. The resolver sends every
    // name to loopback (where nothing answers on 443), so nothing leaves the machine.
    let log = RequestLog::default();
    let host = host_with(|c| {
        c.request_log = Some(log.clone());
        c.resolver = std::sync::Arc::new(ToLoopback);
        c.max_connect = std::time::Duration::from_secs(2);
    });
    let input = json!({ "dynamicAccessKeyId": "AKIDYNAMIC", "dynamicSecretAccessKey": "dynamic-secret", "awsRegion": "eu-west-3" });
    match host.call("listBuckets", &input, None).await {
        Err(CallError::Failed(e)) => {
            assert_eq!(e["kind"], "transport", "{e}");
            assert!(!e.to_string().contains("dynamic-secret"));
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    let sent: Vec<(String, bool)> = log.lock().unwrap().iter().map(|r| (r.uri.clone(), r.allowed)).collect();
    assert!(sent.iter().all(|(uri, allowed)| uri.starts_with("https://s3.eu-west-3.amazonaws.com/") && *allowed), "{sent:?}");
    assert!(!sent.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credential_inputs_are_refused_before_sending() {
    let conn = moto();
    let log = RequestLog::default();
    let host = host_with(|c| c.request_log = Some(log.clone()));
    let refused = |result: Result<Value, CallError>| match result {
        Err(CallError::Failed(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let both = json!({ "bucket": "b", "dynamicAccessKeyId": "AK", "dynamicSecretAccessKey": "SK" });
    let e = refused(host.call("headBucket", &both, Some(&conn)).await);
    assert_eq!((e["kind"].as_str(), e["code"].as_str()), (Some("invalid-input"), Some("ConflictingCredentials")), "{e}");
    let half = json!({ "bucket": "b", "dynamicAccessKeyId": "AK" });
    let e = refused(host.call("headBucket", &half, None).await);
    assert_eq!(e["code"], "MissingCredentials", "{e}");
    assert!(e["message"].as_str().unwrap().contains("dynamicSecretAccessKey"));
    for (field, value, code) in [
        ("roleARN", "arn:aws:iam::123:role/x", "InvalidRoleArn"),
        ("roleARN", "arn:aws:s3:::bucket", "InvalidRoleArn"),
        ("roleDurationSeconds", "60", "InvalidRoleDuration"),
    ] {
        let mut c = conn.clone();
        c["roleARN"] = json!(ROLE);
        c[field] = json!(value);
        let e = refused(host.call("getCurrentAccount", &json!({}), Some(&c)).await);
        assert_eq!((e["kind"].as_str(), e["code"].as_str()), (Some("invalid-connection"), Some(code)), "{e}");
        assert!(e["message"].as_str().unwrap().contains(field), "{e}");
    }
    assert!(log.lock().unwrap().is_empty(), "{:?}", log.lock().unwrap());
}
