//! Glue from the generated bindings to the core and the wasi:http transport.

use crate::account::{self, GetCurrentAccountOutput};
#[cfg(target_arch = "wasm32")]
use crate::bindings::export;
use crate::bindings::wasi::io::streams::OutputStream;
use crate::buckets::{self, Bucket, CreateBucketOutput, EmptyOutput, HeadBucketOutput};
use crate::client::{Client, Transport as _};
use crate::conn::Conn;
use crate::data_sources::{self, PicklistItem};
use crate::error::Result;
use crate::multipart::{
    self as mp, AbortMultipartUploadOutput, CompleteMultipartUploadOutput, CompletedPart, CreateMultipartUploadOutput,
    ListMultipartUploadsOutput, ListPartsOutput, UploadPartOutput,
};
use crate::notifications::{
    self, GetBucketNotificationConfigurationOutput, LambdaFunctionConfiguration, NotificationWriteOutput, QueueConfiguration,
    TopicConfiguration,
};
use crate::object_lock::{self, GetObjectLockConfigurationOutput, GetObjectRetentionOutput, ObjectLockWriteOutput, RetentionMode};
use crate::objects::{
    self, CopyObjectOutput, DeleteObjectOutput, DeleteObjectsOutput, GetObjectAttributesOutput, GetObjectOutput, GetObjectTaggingOutput,
    HeadObjectOutput, ListObjectsOutput, MetadataDirective, ObjectIdentifier, Pagination, PutObjectOutput,
};
use crate::ops::multipart::{abort, complete, create, list_parts, list_uploads};
use crate::ops::object_lock as lock;
use crate::ops::{self, *};
use crate::presign::{self, PresignAction, PresignedPart};
use crate::sns::{self, CreateTopicOutput, SnsWriteOutput, SubscribeToTopicOutput};
use crate::transfer::{self, StreamUpload};
use crate::transport::{StreamSink, StreamSource, WasiTransport};
use crate::triggers::{self, ChangedFilesOutput, NewBucketsOutput, PollState};
use crate::types::{ByteSource, ChecksumAlgorithm, Connection, KeyValue, ObjectCannedAcl, TransferOptions};
use crate::upload_streams as us;
use crate::validate;
use crate::webhooks::{self, WebhookOutcome, WebhookRequest};
use std::cell::RefCell;

struct Component;

fn client(conn: &Connection<'_>) -> Result<Client<WasiTransport>> {
    Client::connect(Conn::new(conn)?, WasiTransport)
}

impl objects::Guest for Component {
    fn put_object(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        file_contents: ByteSource<'_>,
        content_type: Option<String>,
        tagging: Option<Vec<KeyValue>>,
        acl: Option<ObjectCannedAcl>,
        metadata: Option<Vec<(String, String)>>,
        cache_control: Option<String>,
        content_disposition: Option<String>,
        content_encoding: Option<String>,
        content_language: Option<String>,
        storage_class: Option<String>,
        server_side_encryption: Option<String>,
        kms_key_id: Option<String>,
        transfer: Option<TransferOptions>,
    ) -> Result<PutObjectOutput> {
        let c = client(&conn)?;
        let input = put_object::Input {
            bucket,
            key: object_key,
            // As the seed: the type of inline content unless one is given.
            content_type: validate::non_blank(content_type.as_deref()).map(str::to_owned).or(file_contents.content_type),
            tagging: tagging.unwrap_or_default(),
            acl,
            metadata: metadata.unwrap_or_default(),
            cache_control,
            content_disposition,
            content_encoding,
            content_language,
            storage_class,
            server_side_encryption,
            kms_key_id,
        };
        let mut source = StreamSource { stream: file_contents.stream, size: file_contents.size };
        transfer::upload(&c, &input, &mut source, transfer.as_ref())
    }

    fn get_object(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        version_id: Option<String>,
        range: Option<String>,
        if_match: Option<String>,
        if_none_match: Option<String>,
        data: &OutputStream,
    ) -> Result<GetObjectOutput> {
        let c = client(&conn)?;
        let read = head_object::Read { version_id, range, if_match, if_none_match };
        let req = get_object::request(&c.conn, &bucket, &object_key, &read)?;
        transfer::download(&c, req, &mut StreamSink(data))
    }

    fn head_object(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        version_id: Option<String>,
        range: Option<String>,
        if_match: Option<String>,
        if_none_match: Option<String>,
    ) -> Result<HeadObjectOutput> {
        let c = client(&conn)?;
        let read = head_object::Read { version_id, range, if_match, if_none_match };
        head_object::parse(&c.execute(head_object::request(&c.conn, http::Method::HEAD, &bucket, &object_key, &read)?)?)
    }

    fn delete_object(conn: Connection<'_>, bucket: String, object_key: String, version_id: Option<String>) -> Result<DeleteObjectOutput> {
        let c = client(&conn)?;
        delete_object::parse(&c.execute(delete_object::request(&c.conn, &bucket, &object_key, version_id.as_deref())?)?)
    }

    fn copy_object(
        conn: Connection<'_>,
        source_bucket: String,
        destination_bucket: String,
        source_key: String,
        destination_key: String,
        acl: Option<ObjectCannedAcl>,
        source_version_id: Option<String>,
        metadata_directive: Option<MetadataDirective>,
        metadata: Option<Vec<(String, String)>>,
        content_type: Option<String>,
        copy_source_if_match: Option<String>,
        copy_source_if_none_match: Option<String>,
    ) -> Result<CopyObjectOutput> {
        let c = client(&conn)?;
        let input = copy_object::Input {
            source_bucket,
            source_key,
            source_version_id,
            destination_bucket,
            destination_key,
            acl,
            replace_metadata: metadata_directive == Some(MetadataDirective::Replace),
            metadata: metadata.unwrap_or_default(),
            content_type,
            if_match: copy_source_if_match,
            if_none_match: copy_source_if_none_match,
        };
        copy_object::parse(&c.execute(copy_object::request(&c.conn, &input)?)?)
    }

    fn list_objects(
        conn: Connection<'_>,
        bucket: String,
        include_metadata: Option<bool>,
        pagination: Option<Pagination>,
        prefix: Option<String>,
        delimiter: Option<String>,
        all_pages: Option<bool>,
        start_after: Option<String>,
        fetch_owner: Option<bool>,
    ) -> Result<ListObjectsOutput> {
        let c = client(&conn)?;
        let mut input = list_objects::Input::new(bucket, pagination, prefix, delimiter);
        input.start_after = start_after;
        input.fetch_owner = fetch_owner.unwrap_or(false);
        list_objects::run(&c, input, include_metadata.unwrap_or(false), all_pages.unwrap_or(false))
    }

    fn delete_objects(
        conn: Connection<'_>,
        bucket: String,
        object_keys: Option<Vec<String>>,
        objects: Option<Vec<ObjectIdentifier>>,
        quiet: Option<bool>,
    ) -> Result<DeleteObjectsOutput> {
        let all = delete_objects::objects(object_keys, objects)?;
        delete_objects::run(&client(&conn)?, &bucket, &all, quiet.unwrap_or(false))
    }

    fn get_object_tagging(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        version_id: Option<String>,
    ) -> Result<GetObjectTaggingOutput> {
        let c = client(&conn)?;
        get_object_tagging::parse(&c.execute(get_object_tagging::request(&c.conn, &bucket, &object_key, version_id.as_deref())?)?)
    }

    fn get_object_attributes(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        object_attributes: Vec<String>,
        version_id: Option<String>,
        max_parts: Option<u32>,
        part_number_marker: Option<u32>,
    ) -> Result<GetObjectAttributesOutput> {
        let c = client(&conn)?;
        let input = get_object_attributes::Input {
            bucket,
            key: object_key,
            attributes: object_attributes,
            version_id,
            max_parts,
            part_number_marker,
        };
        get_object_attributes::parse(&c.execute(get_object_attributes::request(&c.conn, &input)?)?)
    }
}

impl mp::Guest for Component {
    fn create_multipart_upload(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        tagging: Option<Vec<KeyValue>>,
        acl: Option<ObjectCannedAcl>,
        content_type: Option<String>,
        metadata: Option<Vec<(String, String)>>,
        checksum_algorithm: Option<ChecksumAlgorithm>,
    ) -> Result<CreateMultipartUploadOutput> {
        let c = client(&conn)?;
        let input = put_object::Input {
            bucket,
            key: object_key,
            content_type,
            tagging: tagging.unwrap_or_default(),
            acl,
            metadata: metadata.unwrap_or_default(),
            ..Default::default()
        };
        let req = create::request(&c.conn, &input, checksum_algorithm)?;
        create::parse(&c.execute(req)?)
    }

    fn upload_part(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        upload_id: String,
        part_number: u32,
        file_chunk: ByteSource<'_>,
        checksum_algorithm: Option<ChecksumAlgorithm>,
    ) -> Result<UploadPartOutput> {
        let c = client(&conn)?;
        let input = put_object::Input { bucket, key: object_key, ..Default::default() };
        let mut source = StreamSource { stream: file_chunk.stream, size: file_chunk.size };
        transfer::upload_part(&c, &input, &upload_id, part_number, &mut source, checksum_algorithm)
    }

    fn complete_multipart_upload(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        upload_id: String,
        parts: Vec<CompletedPart>,
    ) -> Result<CompleteMultipartUploadOutput> {
        let c = client(&conn)?;
        complete::parse(&c.execute(complete::request(&c.conn, &bucket, &object_key, &upload_id, &parts)?)?)
    }

    fn abort_multipart_upload(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        upload_id: String,
    ) -> Result<AbortMultipartUploadOutput> {
        let c = client(&conn)?;
        abort::parse(&c.execute(abort::request(&c.conn, &bucket, &object_key, &upload_id)?)?)
    }

    fn list_multipart_uploads(
        conn: Connection<'_>,
        bucket: String,
        prefix: Option<String>,
        max_uploads: Option<u32>,
        key_marker: Option<String>,
        upload_id_marker: Option<String>,
        all_pages: Option<bool>,
    ) -> Result<ListMultipartUploadsOutput> {
        let input = list_uploads::Input { bucket, prefix, max_uploads, key_marker, upload_id_marker };
        list_uploads::run(&client(&conn)?, input, all_pages.unwrap_or(false))
    }

    fn list_parts(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        upload_id: String,
        max_parts: Option<u32>,
        part_number_marker: Option<u32>,
        all_pages: Option<bool>,
    ) -> Result<ListPartsOutput> {
        let input = list_parts::Input { bucket, key: object_key, upload_id, max_parts, part_number_marker };
        list_parts::run(&client(&conn)?, input, all_pages.unwrap_or(false))
    }
}

/// An upload stream of this execution. Dropping one that was never closed
/// (the host ends the execution) aborts its multipart upload.
struct Stream(RefCell<Option<StreamUpload<WasiTransport>>>);

impl us::GuestUploadStream for Stream {}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(upload) = self.0.get_mut().as_mut() {
            upload.abandon();
        }
    }
}

impl us::Guest for Component {
    type UploadStream = Stream;

    fn create_upload_stream(
        conn: Connection<'_>,
        object_key: String,
        bucket: String,
        tagging: Option<Vec<KeyValue>>,
        acl: Option<ObjectCannedAcl>,
        transfer: Option<TransferOptions>,
    ) -> Result<us::UploadStream> {
        let input = put_object::Input { bucket, key: object_key, tagging: tagging.unwrap_or_default(), acl, ..Default::default() };
        let upload = StreamUpload::new(client(&conn)?, input, transfer.as_ref())?;
        Ok(us::UploadStream::new(Stream(RefCell::new(Some(upload)))))
    }

    fn write_upload_stream(upload_id: us::UploadStreamBorrow<'_>, file_contents: ByteSource<'_>) -> Result<()> {
        let stream = upload_id.get::<Stream>();
        let mut slot = stream.0.borrow_mut();
        let upload = slot.as_mut().ok_or_else(closed)?;
        upload.write(&mut StreamSource { stream: file_contents.stream, size: file_contents.size })
    }

    fn close_upload_stream(upload_id: us::UploadStream) -> Result<()> {
        let stream: Stream = upload_id.into_inner();
        let upload = stream.0.borrow_mut().take().ok_or_else(closed)?;
        upload.close().map(drop)
    }
}

fn closed() -> crate::Error {
    crate::Error::invalid_input("StreamClosed", "This upload stream is already closed.")
}

impl buckets::Guest for Component {
    fn list_buckets(conn: Connection<'_>, prefix: Option<String>) -> Result<Vec<Bucket>> {
        list_buckets::run(&client(&conn)?, prefix.as_deref())
    }

    fn head_bucket(conn: Connection<'_>, bucket: String) -> Result<HeadBucketOutput> {
        let c = client(&conn)?;
        head_bucket::parse(&c.execute(head_bucket::request(&c.conn, &bucket)?)?)
    }

    fn get_bucket_location(conn: Connection<'_>, bucket: String) -> Result<String> {
        let c = client(&conn)?;
        get_bucket_location::parse(&c.execute(get_bucket_location::request(&c.conn, &bucket)?)?)
    }

    fn create_bucket(
        conn: Connection<'_>,
        bucket: String,
        location_constraint: Option<String>,
        object_lock_enabled: Option<bool>,
    ) -> Result<CreateBucketOutput> {
        let c = client(&conn)?;
        let req = create_bucket::request(&c.conn, &bucket, location_constraint.as_deref(), object_lock_enabled.unwrap_or(false))?;
        create_bucket::parse(&c.execute(req)?)
    }

    fn delete_bucket(conn: Connection<'_>, bucket: String) -> Result<EmptyOutput> {
        let c = client(&conn)?;
        delete_bucket::parse(&c.execute(delete_bucket::request(&c.conn, &bucket)?)?)
    }
}

impl presign::Guest for Component {
    fn generate_presigned_url(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        action_type: Option<PresignAction>,
        expiration_seconds: Option<u32>,
        content_type: Option<String>,
    ) -> Result<String> {
        let input = ops::presign::Input { bucket, key: object_key, action: action_type, expires: expiration_seconds, content_type };
        ops::presign::object_url(&Conn::new(&conn)?, &input, WasiTransport.now())
    }

    fn generate_presigned_for_multipart_uploads(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        urls_to_generate: Option<u32>,
        upload_id: String,
        expiration_seconds: Option<u32>,
    ) -> Result<Vec<PresignedPart>> {
        let conn = Conn::new(&conn)?;
        ops::presign::part_urls(&conn, &bucket, &object_key, &upload_id, urls_to_generate, expiration_seconds, WasiTransport.now())
    }
}

impl object_lock::Guest for Component {
    fn get_object_lock_configuration(conn: Connection<'_>, bucket: String) -> Result<GetObjectLockConfigurationOutput> {
        let c = client(&conn)?;
        lock::configuration::parse_get(&c.execute(lock::configuration::get_request(&c.conn, &bucket)?)?)
    }

    fn put_object_lock_configuration(
        conn: Connection<'_>,
        bucket: String,
        default_retention_mode: Option<RetentionMode>,
        default_retention_days: Option<u32>,
        default_retention_years: Option<u32>,
    ) -> Result<ObjectLockWriteOutput> {
        let c = client(&conn)?;
        let req =
            lock::configuration::put_request(&c.conn, &bucket, default_retention_mode, default_retention_days, default_retention_years)?;
        Ok(lock::parse_write(&c.execute(req)?))
    }

    fn get_object_retention(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        version_id: Option<String>,
    ) -> Result<GetObjectRetentionOutput> {
        let c = client(&conn)?;
        lock::retention::parse_get(&c.execute(lock::retention::get_request(&c.conn, &bucket, &object_key, version_id.as_deref())?)?)
    }

    fn put_object_retention(
        conn: Connection<'_>,
        bucket: String,
        object_key: String,
        retention_mode: Option<RetentionMode>,
        retain_until_date: Option<String>,
        version_id: Option<String>,
        bypass_governance_retention: Option<bool>,
    ) -> Result<ObjectLockWriteOutput> {
        let c = client(&conn)?;
        let input = lock::retention::Input {
            bucket,
            key: object_key,
            mode: retention_mode,
            until: retain_until_date,
            version_id,
            bypass_governance: bypass_governance_retention.unwrap_or(false),
        };
        Ok(lock::parse_write(&c.execute(lock::retention::put_request(&c.conn, &input, WasiTransport.now())?)?))
    }
}

impl notifications::Guest for Component {
    fn get_bucket_notification_configuration(conn: Connection<'_>, bucket: String) -> Result<GetBucketNotificationConfigurationOutput> {
        let c = client(&conn)?;
        notification::parse_get(&c.execute(notification::get_request(&c.conn, &bucket, None)?)?)
    }

    fn put_bucket_notification_configuration(
        conn: Connection<'_>,
        bucket: String,
        topic_configurations: Option<Vec<TopicConfiguration>>,
        queue_configurations: Option<Vec<QueueConfiguration>>,
        lambda_function_configurations: Option<Vec<LambdaFunctionConfiguration>>,
        event_bridge_configuration: Option<Vec<(String, String)>>,
    ) -> Result<NotificationWriteOutput> {
        let c = client(&conn)?;
        if event_bridge_configuration.as_ref().is_some_and(|fields| !fields.is_empty()) {
            return Err(crate::Error::invalid_input(
                "InvalidInput",
                "eventBridgeConfiguration takes no fields: give {} to send events to EventBridge, or leave it out.",
            ));
        }
        let config = notification::Configuration {
            topics: topic_configurations.unwrap_or_default(),
            queues: queue_configurations.unwrap_or_default(),
            lambdas: lambda_function_configurations.unwrap_or_default(),
            event_bridge: event_bridge_configuration.is_some(),
        };
        notification::validate(&config)?;
        let resp = c.execute(notification::put_request(&c.conn, &bucket, &config)?)?;
        Ok(NotificationWriteOutput { response_metadata: crate::client::metadata(&resp) })
    }

    fn bucket_event_trigger_configuration(
        conn: Connection<'_>,
        sns_topic_arn: String,
        events_list: Vec<String>,
        bucket: String,
        event_notification_name: String,
        bucket_owner_accountid: Option<String>,
        prefix: Option<String>,
        suffix: Option<String>,
    ) -> Result<NotificationWriteOutput> {
        let c = client(&conn)?;
        let ours =
            notification::trigger_topic(&event_notification_name, &sns_topic_arn, &events_list, prefix.as_deref(), suffix.as_deref())?;
        let read = notification::get_request(&c.conn, &bucket, bucket_owner_accountid.as_deref())?;
        let mut config = notification::parse_configuration(&c.execute(read)?)?;
        notification::upsert_topic(&mut config, ours);
        let resp = c.execute(notification::put_request(&c.conn, &bucket, &config)?)?;
        Ok(NotificationWriteOutput { response_metadata: crate::client::metadata(&resp) })
    }
}

impl account::Guest for Component {
    fn get_current_account(conn: Connection<'_>) -> Result<GetCurrentAccountOutput> {
        let c = client(&conn)?;
        ops::sts::parse_caller_identity(&c.execute_service(ops::sts::caller_identity_request(&c.conn)?, "sts")?)
    }
}

impl sns::Guest for Component {
    fn create_topic(conn: Connection<'_>, name: String, signature_version: Option<u8>) -> Result<CreateTopicOutput> {
        let c = client(&conn)?;
        let resp = c.execute_service(ops::sns::create_topic_request(&c.conn, &name, signature_version)?, "sns")?;
        Ok(CreateTopicOutput { topic_arn: ops::sns::parse_create_topic(&resp)?, response_metadata: crate::client::metadata(&resp) })
    }

    fn subscribe_to_topic(conn: Connection<'_>, sns_topic_arn: String, endpoint: String) -> Result<SubscribeToTopicOutput> {
        let c = client(&conn)?;
        let resp = c.execute_service(ops::sns::subscribe_request(&c.conn, &sns_topic_arn, &endpoint)?, "sns")?;
        Ok(SubscribeToTopicOutput {
            subscription_arn: ops::sns::parse_subscribe(&resp)?,
            response_metadata: crate::client::metadata(&resp),
        })
    }

    fn unsubscribe_from_topic(conn: Connection<'_>, subscription_arn: String) -> Result<SnsWriteOutput> {
        let c = client(&conn)?;
        let resp = c.execute_service(ops::sns::unsubscribe_request(&c.conn, &subscription_arn)?, "sns")?;
        Ok(SnsWriteOutput { response_metadata: crate::client::metadata(&resp) })
    }

    fn update_topic_policy(
        conn: Connection<'_>,
        bucket: String,
        sns_topic_arn: String,
        bucket_owner_accountid: String,
    ) -> Result<SnsWriteOutput> {
        let c = client(&conn)?;
        // Check the inputs on an empty policy before reading the real one.
        ops::sns::upsert_publish_statement(&mut serde_json::json!({}), &bucket, &sns_topic_arn, &bucket_owner_accountid)?;
        let mut policy = ops::sns::parse_policy(&c.execute_service(ops::sns::get_attributes_request(&c.conn, &sns_topic_arn)?, "sns")?)?;
        ops::sns::upsert_publish_statement(&mut policy, &bucket, &sns_topic_arn, &bucket_owner_accountid)?;
        let resp = c.execute_service(ops::sns::set_policy_request(&c.conn, &sns_topic_arn, &policy)?, "sns")?;
        Ok(SnsWriteOutput { response_metadata: crate::client::metadata(&resp) })
    }

    fn delete_topic(conn: Connection<'_>, sns_topic_arn: String) -> Result<SnsWriteOutput> {
        let c = client(&conn)?;
        let resp = c.execute_service(ops::sns::delete_topic_request(&c.conn, &sns_topic_arn)?, "sns")?;
        Ok(SnsWriteOutput { response_metadata: crate::client::metadata(&resp) })
    }
}

impl triggers::Guest for Component {
    fn poll_changes_files_trigger(
        conn: Connection<'_>,
        bucket: String,
        look_back_date: Option<String>,
        prefix: Option<String>,
        state: Option<PollState>,
        batch: Option<bool>,
    ) -> Result<ChangedFilesOutput> {
        let input = ops::poll::FilesInput { bucket, look_back_date, prefix, state, batch: batch.unwrap_or(false) };
        ops::poll::changed_files(&client(&conn)?, input)
    }

    fn poll_new_buckets_trigger(
        conn: Connection<'_>,
        look_back_date: Option<String>,
        state: Option<PollState>,
    ) -> Result<NewBucketsOutput> {
        ops::poll::new_buckets(&client(&conn)?, look_back_date.as_deref(), state)
    }
}

impl webhooks::Guest for Component {
    fn sns_s3_notification_webhook(
        request: WebhookRequest,
        expected_topic_arn: Option<String>,
        max_age_seconds: Option<u32>,
    ) -> Result<WebhookOutcome> {
        let max_age = max_age_seconds.unwrap_or(crate::sns_message::DEFAULT_MAX_AGE_SECONDS);
        Ok(crate::sns_message::handle(&WasiTransport, request, expected_topic_arn.as_deref(), max_age))
    }
}

fn item(name: &str) -> PicklistItem {
    PicklistItem { label: name.to_owned(), key: name.to_owned() }
}

impl data_sources::Guest for Component {
    fn select_region() -> Vec<PicklistItem> {
        crate::regions::REGIONS.iter().map(|r| item(r)).collect()
    }

    fn select_bucket(conn: Connection<'_>) -> Result<Vec<PicklistItem>> {
        Ok(list_buckets::run(&client(&conn)?, None)?.iter().map(|b| item(&b.name)).collect())
    }
}

// Native builds (unit tests) have no component ABI to export.
#[cfg(target_arch = "wasm32")]
export!(Component with_types_in crate::bindings);
