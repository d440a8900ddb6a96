//! Glue from the generated bindings to the core and the wasi:http transport.

#[cfg(target_arch = "wasm32")]
use crate::bindings::export;
use crate::buckets::{self, Bucket, CreateBucketOutput, EmptyOutput, HeadBucketOutput};
use crate::client::Client;
use crate::conn::Conn;
use crate::data_sources::{self, PicklistItem};
use crate::error::Result;
use crate::objects::{
    self, CopyObjectOutput, DeleteObjectOutput, GetObjectOutput, HeadObjectOutput, ListObjectsOutput,
    Pagination, PutObjectOutput,
};
use crate::ops::*;
use crate::transport::WasiTransport;
use crate::types::{Connection, KeyValue, ObjectCannedAcl};

struct Component;

fn client(conn: &Connection) -> Result<Client<WasiTransport>> {
    Ok(Client::new(Conn::new(conn)?, WasiTransport))
}

impl objects::Guest for Component {
    fn put_object(
        conn: Connection,
        bucket: String,
        object_key: String,
        file_contents: Vec<u8>,
        content_type: Option<String>,
        tagging: Option<Vec<KeyValue>>,
        acl: Option<ObjectCannedAcl>,
    ) -> Result<PutObjectOutput> {
        let c = client(&conn)?;
        let req = put_object::request(&c.conn, &bucket, &object_key, file_contents, content_type.as_deref(), tagging.as_deref(), acl)?;
        put_object::parse(&c.execute(req)?)
    }

    fn get_object(conn: Connection, bucket: String, object_key: String, version_id: Option<String>) -> Result<GetObjectOutput> {
        let c = client(&conn)?;
        get_object::parse(c.execute(get_object::request(&c.conn, &bucket, &object_key, version_id.as_deref())?)?)
    }

    fn head_object(conn: Connection, bucket: String, object_key: String, version_id: Option<String>) -> Result<HeadObjectOutput> {
        let c = client(&conn)?;
        let req = head_object::request(&c.conn, http::Method::HEAD, &bucket, &object_key, version_id.as_deref())?;
        head_object::parse(&c.execute(req)?)
    }

    fn delete_object(conn: Connection, bucket: String, object_key: String) -> Result<DeleteObjectOutput> {
        let c = client(&conn)?;
        delete_object::parse(&c.execute(delete_object::request(&c.conn, &bucket, &object_key)?)?)
    }

    fn copy_object(
        conn: Connection,
        source_bucket: String,
        destination_bucket: String,
        source_key: String,
        destination_key: String,
        acl: Option<ObjectCannedAcl>,
    ) -> Result<CopyObjectOutput> {
        let c = client(&conn)?;
        let req = copy_object::request(&c.conn, &source_bucket, &destination_bucket, &source_key, &destination_key, acl)?;
        copy_object::parse(&c.execute(req)?)
    }

    fn list_objects(
        conn: Connection,
        bucket: String,
        include_metadata: Option<bool>,
        pagination: Option<Pagination>,
        prefix: Option<String>,
        delimiter: Option<String>,
        all_pages: Option<bool>,
    ) -> Result<ListObjectsOutput> {
        let c = client(&conn)?;
        let input = list_objects::Input::new(bucket, pagination, prefix, delimiter);
        list_objects::run(&c, input, include_metadata.unwrap_or(false), all_pages.unwrap_or(false))
    }
}

impl buckets::Guest for Component {
    fn list_buckets(conn: Connection, prefix: Option<String>) -> Result<Vec<Bucket>> {
        list_buckets::run(&client(&conn)?, prefix.as_deref())
    }

    fn head_bucket(conn: Connection, bucket: String) -> Result<HeadBucketOutput> {
        let c = client(&conn)?;
        head_bucket::parse(&c.execute(head_bucket::request(&c.conn, &bucket)?)?)
    }

    fn get_bucket_location(conn: Connection, bucket: String) -> Result<String> {
        let c = client(&conn)?;
        get_bucket_location::parse(&c.execute(get_bucket_location::request(&c.conn, &bucket)?)?)
    }

    fn create_bucket(
        conn: Connection,
        bucket: String,
        location_constraint: Option<String>,
        object_lock_enabled: Option<bool>,
    ) -> Result<CreateBucketOutput> {
        let c = client(&conn)?;
        let req = create_bucket::request(&c.conn, &bucket, location_constraint.as_deref(), object_lock_enabled.unwrap_or(false))?;
        create_bucket::parse(&c.execute(req)?)
    }

    fn delete_bucket(conn: Connection, bucket: String) -> Result<EmptyOutput> {
        let c = client(&conn)?;
        delete_bucket::parse(&c.execute(delete_bucket::request(&c.conn, &bucket)?)?)
    }
}

fn item(name: &str) -> PicklistItem {
    PicklistItem { label: name.to_owned(), key: name.to_owned() }
}

impl data_sources::Guest for Component {
    fn select_region() -> Vec<PicklistItem> {
        crate::regions::REGIONS.iter().map(|r| item(r)).collect()
    }

    fn select_bucket(conn: Connection) -> Result<Vec<PicklistItem>> {
        Ok(list_buckets::run(&client(&conn)?, None)?.iter().map(|b| item(&b.name)).collect())
    }
}

// Native builds (unit tests) have no component ABI to export.
#[cfg(target_arch = "wasm32")]
export!(Component with_types_in crate::bindings);
