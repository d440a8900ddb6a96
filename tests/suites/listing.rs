//! listObjects over 2,500 keys: prefixes, page sizes, continuation, all pages.

use s3_e2e::{Fs, bucket, host, ok};
use serde_json::{Value, json};

const KEYS: usize = 2500;

fn key(i: usize) -> String {
    // Three prefixes of uneven size: 0-1499 in logs/, 1500-2399 in img/, the rest at the top.
    match i {
        0..1500 => format!("logs/{i:05}.log"),
        1500..2400 => format!("img/{i:05}.png"),
        _ => format!("top-{i:05}"),
    }
}

async fn fill(conn: &Value, b: &str) -> Vec<String> {
    ok("createBucket", json!({ "bucket": b }), conn).await;
    let mut tasks = Vec::new();
    for chunk in (0..KEYS).collect::<Vec<_>>().chunks(KEYS / 8) {
        let (conn, b, chunk) = (conn.clone(), b.to_owned(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for i in chunk {
                let input = json!({ "bucket": b, "objectKey": key(i), "fileContents": i.to_string() });
                host().call("putObject", &input, Some(&conn)).await.expect("put");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut all: Vec<String> = (0..KEYS).map(key).collect();
    all.sort();
    all
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_prefixes_and_continuation_over_2500_keys() {
    let fs = Fs::start().await;
    let conn = fs.conn();
    let b = bucket("many");
    let all = fill(&conn, &b).await;

    // Default: one page of S3's default size, keys only.
    let first = ok("listObjects", json!({ "bucket": b }), &conn).await;
    assert_eq!(strings(&first["data"]), all[..1000]);

    // All pages merged.
    let every = ok("listObjects", json!({ "bucket": b, "allPages": true }), &conn).await;
    assert_eq!(strings(&every["data"]), all);

    // Caller-driven paging with includeMetadata and a page size given as a string.
    let mut seen = Vec::new();
    let mut token = Value::Null;
    let mut pages = 0;
    loop {
        let page = ok(
            "listObjects",
            json!({ "bucket": b, "includeMetadata": "true", "pagination": { "maxKeys": "300", "continuationToken": token } }),
            &conn,
        )
        .await;
        let data = &page["data"];
        let contents = data["Contents"].as_array().unwrap();
        assert!(contents.len() <= 300);
        assert_eq!(data["KeyCount"], contents.len());
        assert_eq!(data["MaxKeys"], 300);
        seen.extend(contents.iter().map(|c| c["Key"].as_str().unwrap().to_owned()));
        // (s3s-fs leaves ETag out of listings; Size and LastModified are there.)
        assert!(contents.iter().all(|c| c["Size"].as_u64().is_some() && c["LastModified"].is_string()));
        pages += 1;
        if data["IsTruncated"] == json!(false) {
            assert!(data.get("NextContinuationToken").is_none());
            break;
        }
        token = data["NextContinuationToken"].clone();
        assert!(token.is_string(), "truncated page without a token: {data}");
    }
    assert_eq!(pages, KEYS.div_ceil(300));
    assert_eq!(seen, all);

    // Prefixes.
    let logs = ok("listObjects", json!({ "bucket": b, "prefix": "logs/", "allPages": true }), &conn).await;
    assert_eq!(strings(&logs["data"]), all.iter().filter(|k| k.starts_with("logs/")).cloned().collect::<Vec<_>>());
    assert_eq!(strings(&logs["data"]).len(), 1500);
    let img = ok("listObjects", json!({ "bucket": b, "prefix": "img/", "pagination": { "maxKeys": 1000 } }), &conn).await;
    assert_eq!(strings(&img["data"]).len(), 900);
    let none = ok("listObjects", json!({ "bucket": b, "prefix": "nothing/" }), &conn).await;
    assert_eq!(none, json!({ "data": [] }));

    // all pages with metadata: one merged page.
    let merged =
        ok("listObjects", json!({ "bucket": b, "includeMetadata": true, "allPages": true, "pagination": { "maxKeys": 700 } }), &conn).await;
    assert_eq!(merged["data"]["Contents"].as_array().unwrap().len(), KEYS);
    assert_eq!(merged["data"]["KeyCount"], KEYS);
    assert_eq!(merged["data"]["IsTruncated"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delimiter_groups_common_prefixes() {
    let conn = s3_e2e::moto();
    let b = bucket("delim");
    ok("createBucket", json!({ "bucket": b }), &conn).await;
    for k in ["a/1", "a/2", "b/1", "c"] {
        ok("putObject", json!({ "bucket": b, "objectKey": k, "fileContents": k }), &conn).await;
    }
    let out = ok("listObjects", json!({ "bucket": b, "delimiter": "/", "includeMetadata": true }), &conn).await;
    let prefixes: Vec<&str> = out["data"]["CommonPrefixes"].as_array().unwrap().iter().map(|p| p["Prefix"].as_str().unwrap()).collect();
    assert_eq!(prefixes, ["a/", "b/"]);
    let keys: Vec<&str> = out["data"]["Contents"].as_array().unwrap().iter().map(|c| c["Key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["c"]);
}
