//! Object basics: byte-exact round trips and the seed's output shapes.

use s3_e2e::{Fs, bucket, bytes, get_bytes, host, host_with, ok, put_bytes};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_of_every_size_round_trip_byte_exact() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("sizes");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    for (i, len) in [0, 1, 5 * 1024 * 1024 + 1, 20 * 1024 * 1024].into_iter().enumerate() {
        let data = bytes(len, u32::try_from(i).unwrap());
        let key = format!("blob-{len}");
        let put = put_bytes(&conn, &b, &key, data.clone()).await;
        assert_eq!(put["data"]["$metadata"]["httpStatusCode"], 200);
        assert!(put["data"]["ETag"].as_str().is_some_and(|e| e.starts_with('"')), "{put}");
        let (got, out) = get_bytes(&conn, &b, &key).await;
        assert_eq!(got.len(), len, "length of {key}");
        assert!(got == data, "{key} came back different");
        assert_eq!(out["object"]["ContentLength"], len);
        assert_eq!(out["object"]["ETag"], put["data"]["ETag"]);
        let head = ok("headObject", json!({ "bucket": b, "objectKey": key }), &conn).await;
        assert_eq!(head["data"]["ContentLength"], len);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_have_the_seed_shapes() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("shapes");
    let created = ok("createBucket", json!({ "bucket": b }), &conn).await;
    assert_eq!(created["data"]["$metadata"]["httpStatusCode"], 200);

    let put = ok(
        "putObject",
        json!({ "bucket": b, "objectKey": "a.txt", "fileContents": "Example File Contents", "contentType": "text/plain" }),
        &conn,
    )
    .await;
    let data = put["data"].as_object().unwrap();
    assert!(data.contains_key("ETag") && data.contains_key("$metadata"), "{put}");
    assert!(!data.contains_key("VersionId"), "unset fields are left out: {put}");
    assert_eq!(put["data"]["$metadata"]["attempts"], 1);
    assert!(put["data"]["$metadata"].as_object().unwrap().contains_key("cfId"));

    let got = ok("getObject", json!({ "bucket": b, "objectKey": "a.txt" }), &conn).await;
    assert_eq!(got["data"], "Example File Contents");
    assert_eq!(got["contentType"], "text/plain");
    // On request, the seed's example payload exactly: a Node Buffer's JSON.
    let seed = host_with(|c| c.node_buffers = true);
    let got = seed.call("getObject", &json!({ "bucket": b, "objectKey": "a.txt" }), Some(&conn)).await.unwrap();
    let bytes: Vec<u8> = b"Example File Contents".to_vec();
    assert_eq!(got["data"], json!({ "type": "Buffer", "data": bytes }));
    assert_eq!(got["contentType"], "text/plain");

    let head = ok("headObject", json!({ "bucket": b, "objectKey": "a.txt" }), &conn).await;
    assert_eq!(head["data"]["ContentType"], "text/plain");
    assert_eq!(head["data"]["ContentLength"], 21);
    let modified = head["data"]["LastModified"].as_str().unwrap();
    assert!(modified.len() == 24 && modified.ends_with(".000Z"), "{modified}");

    let copy =
        ok("copyObject", json!({ "sourceBucket": b, "sourceKey": "a.txt", "destinationBucket": b, "destinationKey": "b.txt" }), &conn)
            .await;
    assert_eq!(copy["data"]["CopyObjectResult"]["ETag"], put["data"]["ETag"]);
    assert!(copy["data"]["CopyObjectResult"]["LastModified"].as_str().unwrap().ends_with('Z'));

    let buckets = ok("listBuckets", json!({}), &conn).await;
    let names: Vec<&str> = buckets["data"].as_array().unwrap().iter().map(|b| b["Name"].as_str().unwrap()).collect();
    assert_eq!(names, [b.as_str()]);
    assert!(buckets["data"][0]["CreationDate"].as_str().unwrap().ends_with('Z'));

    let picks = ok("selectBucket", json!({}), &conn).await;
    assert_eq!(picks, json!({ "result": [{ "label": b, "key": b }] }));

    let regions = host().call("selectRegion", &json!({}), None).await.unwrap();
    let regions = regions["result"].as_array().unwrap();
    assert_eq!(regions.len(), 36);
    assert_eq!(regions[0], json!({ "label": "af-south-1", "key": "af-south-1" }));

    assert_eq!(ok("headBucket", json!({ "bucket": b }), &conn).await["data"]["$metadata"]["httpStatusCode"], 200);
    assert_eq!(ok("getBucketLocation", json!({ "bucket": b }), &conn).await, json!({ "data": "us-east-1" }));

    let deleted = ok("deleteObject", json!({ "bucket": b, "objectKey": "a.txt" }), &conn).await;
    assert_eq!(deleted["data"]["$metadata"]["httpStatusCode"], 204);
    ok("deleteObject", json!({ "bucket": b, "objectKey": "b.txt" }), &conn).await;
    let gone = ok("deleteBucket", json!({ "bucket": b }), &conn).await;
    assert_eq!(gone["data"]["$metadata"]["httpStatusCode"], 204);
    assert_eq!(ok("listBuckets", json!({}), &conn).await, json!({ "data": [] }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_sends_type_and_tags_and_moto_reads_them_back() {
    let conn = s3_e2e::moto();
    let b = bucket("tags");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let input = json!({
        "bucket": b, "objectKey": "t.json", "fileContents": "{}", "contentType": "application/json",
        "tagging": [{ "key": "env", "value": "prod" }, { "key": "team", "value": "data ml/x=y+z" }], "acl": "private",
    });
    ok("putObject", input, &conn).await;
    let head = ok("headObject", json!({ "bucket": b, "objectKey": "t.json" }), &conn).await;
    assert_eq!(head["data"]["ContentType"], "application/json");
    assert_eq!(head["data"]["TagCount"], 2);
    let tags = ok("getObjectTagging", json!({ "bucket": b, "objectKey": "t.json" }), &conn).await;
    assert_eq!(
        tags["data"]["TagSet"],
        json!([{ "Key": "env", "Value": "prod" }, { "Key": "team", "Value": "data ml/x=y+z" }]),
        "keys and values survive the URL-encoded header: {tags}"
    );
}
