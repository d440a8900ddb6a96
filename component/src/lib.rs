//! The Amazon S3 connector as a WebAssembly component.
//!
//! Three layers, kept apart:
//! - **core** (everything but [`transport`] and [`exports`]): plain Rust, tested natively.
//!   [`ops`] holds one file per S3 operation, each a pure pair of `request` (build an
//!   unsigned [`http::Request`]) and `parse` (read an [`http::Response`] into the WIT
//!   output type). [`sign`], [`validate`], [`encode`], [`xml`] and [`time`] are the
//!   shared pieces; [`client`] ties them together over any [`client::Transport`].
//! - **transport** ([`transport`]): the only code that touches `wasi:http`.
//! - **exports** ([`exports`]): thin glue from the generated bindings to core + transport.
//!
//! The WIT types generated from `../wit` are the data model of the core too, so an
//! output is defined once: in the contract.

pub mod checksum;
pub mod client;
pub mod conn;
pub mod encode;
pub mod error;
#[allow(unsafe_code, reason = "the export! macro generates the ABI entry points")]
mod exports;
pub mod ops;
pub mod paging;
pub mod regions;
pub mod sign;
pub mod sns_message;
pub mod time;
pub mod transfer;
mod transport;
pub mod validate;
pub mod xml;

/// Bindings generated from the WIT package in `../wit`.
#[allow(missing_debug_implementations, unsafe_code, reason = "generated code")]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "connector",
        generate_all,
    });
}

pub use bindings::connector::aws_s3::secrets;
pub use bindings::exports::connector::aws_s3::{
    account, buckets, data_sources, multipart, notifications, object_lock, objects, presign, sns, triggers, types, upload_streams, webhooks,
};
pub use error::Error;
