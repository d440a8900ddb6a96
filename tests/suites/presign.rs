//! Presigned URLs, used by a plain HTTP client against s3s-fs, which checks
//! presigned signatures and their expiry.

use s3_e2e::*;
use serde_json::json;

fn header<'a>(answer: &'a PlainAnswer, name: &str) -> Option<&'a str> {
    answer.1.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Keys with reserved and non-ASCII characters.
const KEY: &str = "dir/a b+c&d=e?f#g%h é😀.txt";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_download_and_upload_urls_work_for_a_plain_client() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("presign");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let data = bytes(70_000, 3);
    put_bytes(&conn, &b, KEY, data.clone()).await;

    let out = ok("generatePresignedUrl", json!({ "bucket": b, "objectKey": KEY }), &conn).await;
    let url = out["data"].as_str().unwrap();
    assert!(url.contains("X-Amz-Expires=3600&"), "{url}");
    let got = plain_http("GET", url, &[], b"");
    assert_eq!(got.0, 200, "{}", String::from_utf8_lossy(&got.2));
    assert_eq!(got.2, data);

    // Upload with a signed content type: the uploader must send it.
    let input = json!({ "bucket": b, "objectKey": "up/ü ploaded.csv", "actionType": "upload", "contentType": "text/csv", "expirationSeconds": "120" });
    let url = ok("generatePresignedUrl", input, &conn).await["data"].as_str().unwrap().to_owned();
    let wrong = plain_http("PUT", &url, &[("content-type", "text/html")], b"a,b\n");
    assert_eq!(wrong.0, 403, "another content type breaks the signature: {}", String::from_utf8_lossy(&wrong.2));
    let put = plain_http("PUT", &url, &[("content-type", "text/csv")], b"a,b\n1,2\n");
    assert_eq!(put.0, 200, "{}", String::from_utf8_lossy(&put.2));
    let (stored, out) = get_bytes(&conn, &b, "up/ü ploaded.csv").await;
    assert_eq!(stored, b"a,b\n1,2\n");
    assert_eq!(out["contentType"], "text/csv");

    // Without a content type, any body goes.
    let url = ok("generatePresignedUrl", json!({ "bucket": b, "objectKey": KEY, "actionType": "upload" }), &conn).await;
    let put = plain_http("PUT", url["data"].as_str().unwrap(), &[], b"replaced");
    assert_eq!(put.0, 200, "{}", String::from_utf8_lossy(&put.2));
    assert_eq!(get_bytes(&conn, &b, KEY).await.0, b"replaced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tampered_and_foreign_urls_are_refused_by_the_server() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("presignbad");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    put_bytes(&conn, &b, KEY, b"secret stuff".to_vec()).await;
    let presign = |input| async { ok("generatePresignedUrl", input, &conn).await["data"].as_str().unwrap().to_owned() };

    let url = presign(json!({ "bucket": b, "objectKey": KEY })).await;
    assert_eq!(plain_http("GET", &url, &[], b"").0, 200);
    // Another key, or a longer lifetime, under the same signature.
    let other_key = url.replacen("secret", "other", 1).replacen("dir/", "dix/", 1);
    let longer = url.replacen("X-Amz-Expires=3600", "X-Amz-Expires=7200", 1);
    for tampered in [other_key, longer] {
        let got = plain_http("GET", &tampered, &[], b"");
        assert_eq!(got.0, 403, "{tampered}: {}", String::from_utf8_lossy(&got.2));
        assert!(String::from_utf8_lossy(&got.2).contains("SignatureDoesNotMatch"), "{}", String::from_utf8_lossy(&got.2));
    }
    // A download URL does not allow an upload.
    assert_eq!(plain_http("PUT", &url, &[], b"overwrite").0, 403);

    // Signed with another secret.
    let mut foreign = conn.clone();
    foreign["secretAccessKey"] = json!("not-the-secret");
    let url = ok("generatePresignedUrl", json!({ "bucket": b, "objectKey": KEY }), &foreign).await;
    let got = plain_http("GET", url["data"].as_str().unwrap(), &[], b"");
    assert_eq!(got.0, 403, "{}", String::from_utf8_lossy(&got.2));

    // Expired.
    let url = presign(json!({ "bucket": b, "objectKey": KEY, "expirationSeconds": 1 })).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let got = plain_http("GET", &url, &[], b"");
    assert_eq!(got.0, 403, "{}", String::from_utf8_lossy(&got.2));
    assert!(String::from_utf8_lossy(&got.2).contains("expired"), "{}", String::from_utf8_lossy(&got.2));
    assert_eq!(get_bytes(&conn, &b, KEY).await.0, b"secret stuff", "nothing was overwritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_part_urls_build_a_multipart_object() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("presignmp");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    let created = ok("createMultipartUpload", json!({ "bucket": b, "objectKey": KEY }), &conn).await;
    let upload_id = created["data"]["UploadId"].as_str().unwrap();
    // The seed's misspelled key and the corrected one give the same shape.
    let input = json!({ "bucket": b, "objectKey": KEY, "uploadId": upload_id, "urlsToGenerate": 2 });
    let seed = ok("generatePresignedForMultiparUploads", input.clone(), &conn).await;
    let parts = ok("generatePresignedForMultipartUploads", input, &conn).await["data"].clone();
    assert_eq!(seed["data"].as_array().unwrap().len(), 2);
    assert_eq!(parts.as_array().unwrap().iter().map(|p| p["partNumber"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(parts[0].as_object().unwrap().keys().collect::<Vec<_>>(), ["url", "partNumber"], "the seed's shape");

    let chunks = [bytes(5 << 20, 1), bytes(1000, 2)];
    let mut completed = Vec::new();
    for (part, chunk) in parts.as_array().unwrap().iter().zip(&chunks) {
        let put = plain_http("PUT", part["url"].as_str().unwrap(), &[], chunk);
        assert_eq!(put.0, 200, "{}", String::from_utf8_lossy(&put.2));
        completed.push(json!({ "ETag": header(&put, "etag").unwrap(), "PartNumber": part["partNumber"] }));
    }
    let done =
        ok("completeMultipartUpload", json!({ "bucket": b, "objectKey": KEY, "uploadId": upload_id, "parts": completed }), &conn).await;
    assert!(done["data"]["ETag"].as_str().unwrap().ends_with("-2\""), "{done}");
    assert_eq!(get_bytes(&conn, &b, KEY).await.0, chunks.concat());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_presign_inputs_are_refused_before_signing() {
    let conn = Fs::start().await.conn();
    let obj = |extra: serde_json::Value| {
        let mut input = json!({ "bucket": "fine-bucket", "objectKey": "k" });
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        input
    };
    refused_before_sending(
        &conn,
        &[
            ("generatePresignedUrl", obj(json!({ "expirationSeconds": 0 })), "InvalidExpiration", "expirationSeconds"),
            ("generatePresignedUrl", obj(json!({ "expirationSeconds": 604_801 })), "InvalidExpiration", "expirationSeconds"),
            ("generatePresignedUrl", obj(json!({ "actionType": "delete" })), "InvalidInput", "actionType"),
            ("generatePresignedUrl", obj(json!({ "contentType": "text/plain" })), "InvalidContentType", "contentType"),
            ("generatePresignedUrl", obj(json!({ "objectKey": "" })), "InvalidObjectKey", "objectKey"),
            (
                "generatePresignedForMultipartUploads",
                obj(json!({ "uploadId": "u", "urlsToGenerate": 10_001 })),
                "InvalidUrlsToGenerate",
                "urlsToGenerate",
            ),
            ("generatePresignedForMultiparUploads", obj(json!({ "uploadId": " " })), "InvalidUploadId", "uploadId"),
            (
                "generatePresignedForMultipartUploads",
                obj(json!({ "uploadId": "u", "expirationSeconds": 700_000 })),
                "InvalidExpiration",
                "expirationSeconds",
            ),
        ],
    )
    .await;
}
