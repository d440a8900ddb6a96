//! [DeleteObjects](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html):
//! delete many objects, 1,000 per request.

use crate::client::{Client, Transport, header, metadata};
use crate::conn::Conn;
use crate::error::{self, Error, Result};
use crate::objects::{DeleteError, DeleteObjectsOutput, DeletedObject, ObjectIdentifier};
use crate::{validate, xml};
use serde::Deserialize;

/// S3's limit of objects per request.
pub const BATCH: usize = 1000;

/// What to delete: the keys (current versions) and the versioned objects, in that order.
pub fn objects(keys: Option<Vec<String>>, versioned: Option<Vec<ObjectIdentifier>>) -> Result<Vec<ObjectIdentifier>> {
    let mut all: Vec<ObjectIdentifier> =
        keys.unwrap_or_default().into_iter().map(|key| ObjectIdentifier { key, version_id: None }).collect();
    all.extend(versioned.unwrap_or_default());
    if all.is_empty() {
        return Err(Error::invalid_input("NoObjectsToDelete", "objectKeys is empty: give at least one key to delete."));
    }
    for (i, o) in all.iter().enumerate() {
        validate::key_in_body(&format!("objectKeys[{i}]"), &o.key)?;
    }
    Ok(all)
}

/// Build the request for one batch (at most [`BATCH`] objects).
pub fn request(conn: &Conn, bucket: &str, batch: &[ObjectIdentifier], quiet: bool) -> Result<http::Request<Vec<u8>>> {
    validate::bucket(bucket)?;
    let mut body = String::from("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    if quiet {
        body.push_str("<Quiet>true</Quiet>");
    }
    for o in batch {
        body.push_str(&format!("<Object><Key>{}</Key>", xml::escape_key(&o.key)));
        if let Some(v) = validate::non_blank(o.version_id.as_deref()) {
            body.push_str(&format!("<VersionId>{}</VersionId>", xml::escape(v.trim())));
        }
        body.push_str("</Object>");
    }
    body.push_str("</Delete>");
    xml::request(http::Method::POST, conn.url(Some(bucket), None, "delete"), &[], body)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteResult {
    #[serde(default)]
    deleted: Vec<DeletedXml>,
    #[serde(default, rename = "Error")]
    errors: Vec<ErrorXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeletedXml {
    key: Option<String>,
    version_id: Option<String>,
    delete_marker: Option<bool>,
    delete_marker_version_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorXml {
    key: Option<String>,
    version_id: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

/// Read one batch's answer into `out`. An `<Error>` document in a 200 fails the call.
pub fn parse(resp: &http::Response<Vec<u8>>, out: &mut DeleteObjectsOutput) -> Result<()> {
    if let Some(e) = error::embedded(resp) {
        return Err(e);
    }
    let doc: DeleteResult = xml::parse(resp)?;
    out.deleted.extend(doc.deleted.into_iter().map(|d| DeletedObject {
        key: d.key,
        version_id: d.version_id,
        delete_marker: d.delete_marker,
        delete_marker_version_id: d.delete_marker_version_id,
    }));
    out.errors.extend(doc.errors.into_iter().map(|e| DeleteError {
        key: e.key,
        version_id: e.version_id,
        code: e.code,
        message: e.message,
    }));
    out.request_charged = header(resp, "x-amz-request-charged").or(out.request_charged.take());
    out.response_metadata = metadata(resp);
    Ok(())
}

/// Delete every object, a batch at a time. A batch that fails as a whole
/// stops the call; what earlier batches deleted stays deleted (the error says how many).
pub fn run<T: Transport>(client: &Client<T>, bucket: &str, all: &[ObjectIdentifier], quiet: bool) -> Result<DeleteObjectsOutput> {
    validate::bucket(bucket)?;
    let mut out = DeleteObjectsOutput {
        deleted: Vec::new(),
        errors: Vec::new(),
        request_charged: None,
        response_metadata: metadata(&http::Response::new(())),
    };
    for (i, batch) in all.chunks(BATCH).enumerate() {
        let done = client.execute(request(&client.conn, bucket, batch, quiet)?).and_then(|resp| parse(&resp, &mut out));
        if let Err(mut e) = done {
            if i > 0 {
                e.message = format!(
                    "{} (batch {} of {}; the {} objects of the batches before it were processed)",
                    e.message,
                    i + 1,
                    all.len().div_ceil(BATCH),
                    i * BATCH
                );
            }
            return Err(e);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::testing::Script;
    use crate::ops::test_support::{conn, header};

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i}")).collect()
    }

    #[test]
    fn empty_lists_and_bad_keys_are_refused() {
        assert_eq!(objects(None, Some(Vec::new())).unwrap_err().code, "NoObjectsToDelete");
        let e = objects(Some(vec!["a".into(), String::new()]), None).unwrap_err();
        assert_eq!(e.code, "InvalidObjectKey");
        assert!(e.message.contains("objectKeys[1]"), "{}", e.message);
    }

    #[test]
    fn the_body_lists_keys_versions_and_quiet_with_its_md5() {
        let all = objects(
            Some(vec!["a&b".into(), "line\nbreak".into()]),
            Some(vec![ObjectIdentifier { key: "v".into(), version_id: Some("3".into()) }]),
        )
        .unwrap();
        let req = request(&conn(), "bkt", &all, true).unwrap();
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.uri().to_string(), "http://127.0.0.1:9000/bkt?delete");
        assert_eq!(
            String::from_utf8(req.body().clone()).unwrap(),
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>\
             <Object><Key>a&amp;b</Key></Object><Object><Key>line&#10;break</Key></Object>\
             <Object><Key>v</Key><VersionId>3</VersionId></Object></Delete>"
        );
        assert!(header(&req, "content-md5").is_some());
    }

    #[test]
    fn batches_of_a_thousand_merge_their_results() {
        let s = Script::default();
        let deleted = |range: std::ops::Range<usize>| {
            let items: String = range.map(|i| format!("<Deleted><Key>k{i}</Key></Deleted>")).collect();
            format!("<DeleteResult>{items}</DeleteResult>")
        };
        s.push(200, &[], deleted(0..1000).as_bytes());
        s.push(200, &[("x-amz-request-id", "R2")], b"<DeleteResult><Deleted><Key>k1000</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>dm</DeleteMarkerVersionId></Deleted><Error><Key>k1001</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>");
        let out = run(&Client::new(conn(), &s), "bkt", &objects(Some(keys(1002)), None).unwrap(), false).unwrap();
        assert_eq!(s.batches.borrow().len(), 2);
        let bodies: Vec<usize> = s.seen.borrow().iter().map(|r| String::from_utf8_lossy(r.body()).matches("<Object>").count()).collect();
        assert_eq!(bodies, [1000, 2]);
        assert_eq!(out.deleted.len(), 1001);
        assert_eq!(out.deleted[1000].delete_marker, Some(true));
        assert_eq!(out.deleted[1000].delete_marker_version_id.as_deref(), Some("dm"));
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].code.as_deref(), Some("AccessDenied"));
        assert_eq!(out.response_metadata.request_id.as_deref(), Some("R2"));
    }

    #[test]
    fn an_error_inside_a_200_fails_and_says_what_was_done() {
        let s = Script::default();
        s.push(200, &[], b"<DeleteResult/>");
        s.push(200, &[], b"<Error><Code>InternalError</Code><Message>Try again.</Message></Error>");
        let e = run(&Client::new(conn(), &s), "bkt", &objects(Some(keys(1500)), None).unwrap(), false).unwrap_err();
        assert_eq!(e.code, "InternalError");
        assert!(e.retryable);
        assert!(e.message.contains("batch 2 of 2") && e.message.contains("1000 objects"), "{}", e.message);
    }
}
