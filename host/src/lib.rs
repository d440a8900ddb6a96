//! The reference host of the Amazon S3 connector component.
//!
//! - [`runtime`]: engine, compiled-component cache, executions with limits.
//! - [`flow`]: several calls in one execution, steps referring to earlier outputs.
//! - [`hooks`]: the `wasi:http` send hook (egress policy, request log, faults).
//! - [`sender`]: resolves, checks the addresses (after DNS), connects and sends.
//! - [`streams`]: the `wasi:io` streams that carry bodies in and out.
//! - [`bridge`] and [`naming`]: the generic JSON bridge.
//! - [`catalog`]: the exported operations, generated from `wit/`.
//! - [`connection`]: `--connection`, AWS environment variables and profiles.
//! - [`local_s3`]: the embedded S3 endpoint (s3s-fs) for the demo and tests.
//! - [`serve`]: the HTTP server of the SNS webhook trigger.

pub mod bridge;
pub mod catalog;
pub mod connection;
pub mod flow;
pub mod hooks;
pub mod local_s3;
pub mod naming;
pub mod runtime;
pub mod sender;
pub mod serve;
pub mod streams;

pub use runtime::{ByteInput, ByteOutput, CallError, Execution, Host, HostConfig, Transfers};
