//! Object Lock on moto: a bucket's default retention, a version's retention
//! that really blocks deleting it, and the refusals made before any request.

use s3_e2e::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_configuration_and_retention_protect_a_version() {
    let conn = moto();
    let (locked, plain) = (bucket("locked"), bucket("unlocked"));
    ok("createBucket", json!({ "bucket": locked, "objectLockEnabled": true }), &conn).await;
    ok("createBucket", json!({ "bucket": plain }), &conn).await;

    let none = err("getObjectLockConfiguration", json!({ "bucket": plain }), &conn).await;
    assert_eq!(none["code"], "ObjectLockConfigurationNotFoundError", "{none}");
    assert_eq!(none["httpStatus"], 404);

    let put = ok(
        "putObjectLockConfiguration",
        json!({ "bucket": locked, "defaultRetentionMode": "GOVERNANCE", "defaultRetentionDays": "1" }),
        &conn,
    )
    .await;
    assert_eq!(put["data"]["$metadata"]["httpStatusCode"], 200, "{put}");
    assert_eq!(put["data"].as_object().unwrap().keys().collect::<Vec<_>>(), ["$metadata"], "the seed's shape: {put}");
    let got = ok("getObjectLockConfiguration", json!({ "bucket": locked }), &conn).await;
    assert_eq!(
        got["data"]["ObjectLockConfiguration"],
        json!({ "ObjectLockEnabled": "Enabled", "Rule": { "DefaultRetention": { "Mode": "GOVERNANCE", "Days": 1 } } }),
        "{got}"
    );

    let version = put_bytes(&conn, &locked, "contract.pdf", b"signed".to_vec()).await["data"]["VersionId"].as_str().unwrap().to_owned();
    let until = "2099-06-30T12:00:00+02:00";
    let input = json!({ "bucket": locked, "objectKey": "contract.pdf", "retentionMode": "COMPLIANCE", "retainUntilDate": until, "versionId": version });
    let set = ok("putObjectRetention", input, &conn).await;
    assert_eq!(set["data"]["$metadata"]["httpStatusCode"], 200, "{set}");
    assert_eq!(set["data"].as_object().unwrap().keys().collect::<Vec<_>>(), ["$metadata"], "the seed's shape: {set}");
    let head = ok("headObject", json!({ "bucket": locked, "objectKey": "contract.pdf", "versionId": version }), &conn).await;
    assert_eq!(head["data"]["ObjectLockMode"], "COMPLIANCE", "{head}");
    assert_eq!(head["data"]["ObjectLockRetainUntilDate"], "2099-06-30T10:00:00.000Z", "{head}");

    // The version cannot be deleted, alone or in a batch (where the refusal is a per-key error).
    let refused = err("deleteObject", json!({ "bucket": locked, "objectKey": "contract.pdf", "versionId": version }), &conn).await;
    assert_eq!(refused["code"], "AccessDenied", "{refused}");
    let batch = ok("deleteObjects", json!({ "bucket": locked, "objects": [{ "Key": "contract.pdf", "VersionId": version }] }), &conn).await;
    let errors = batch["data"]["Errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{batch}");
    assert_eq!(errors[0]["Key"], "contract.pdf");
    assert_eq!(errors[0]["Code"], "AccessDenied");
    assert_eq!(batch["data"]["Deleted"], json!([]));
    let still = ok("headObject", json!({ "bucket": locked, "objectKey": "contract.pdf", "versionId": version }), &conn).await;
    assert_eq!(still["data"]["VersionId"], version.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lock_inputs_are_refused_before_sending() {
    let conn = moto();
    let cfg = |extra: serde_json::Value| {
        let mut input = json!({ "bucket": "fine-bucket" });
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        input
    };
    let ret = |extra: serde_json::Value| {
        let mut input = json!({ "bucket": "fine-bucket", "objectKey": "k" });
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        input
    };
    refused_before_sending(
        &conn,
        &[
            (
                "putObjectLockConfiguration",
                cfg(json!({ "defaultRetentionMode": "GOVERNANCE", "defaultRetentionDays": 1, "defaultRetentionYears": 1 })),
                "InvalidDefaultRetention",
                "defaultRetentionDays",
            ),
            (
                "putObjectLockConfiguration",
                cfg(json!({ "defaultRetentionMode": "COMPLIANCE" })),
                "InvalidDefaultRetention",
                "defaultRetentionMode",
            ),
            ("putObjectLockConfiguration", cfg(json!({ "defaultRetentionYears": 3 })), "InvalidDefaultRetention", "defaultRetentionMode"),
            (
                "putObjectLockConfiguration",
                cfg(json!({ "defaultRetentionMode": "FOREVER", "defaultRetentionDays": 1 })),
                "InvalidInput",
                "defaultRetentionMode",
            ),
            ("putObjectRetention", ret(json!({ "retentionMode": "GOVERNANCE" })), "InvalidRetention", "retainUntilDate"),
            ("putObjectRetention", ret(json!({ "retainUntilDate": "2099-01-01T00:00:00Z" })), "InvalidRetention", "retentionMode"),
            (
                "putObjectRetention",
                ret(json!({ "retentionMode": "GOVERNANCE", "retainUntilDate": "next tuesday" })),
                "InvalidRetainUntilDate",
                "retainUntilDate",
            ),
            (
                "putObjectRetention",
                ret(json!({ "retentionMode": "GOVERNANCE", "retainUntilDate": "2020-01-01T00:00:00Z" })),
                "InvalidRetainUntilDate",
                "retainUntilDate",
            ),
            ("getObjectRetention", ret(json!({ "objectKey": "../k" })), "UnsafeObjectKey", "objectKey"),
        ],
    )
    .await;
}
