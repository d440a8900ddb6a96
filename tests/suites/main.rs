//! End-to-end suites: the real component in the real host, against s3s-fs
//! (strict SigV4) and moto. One test binary; one module per area.

mod batch;
mod cli;
mod errors;
mod identity;
mod keys;
mod listing;
mod lock;
mod multipart;
mod notifications;
mod objects;
mod options;
mod poll;
mod presign;
mod runtime;
mod sns;
mod streams;
mod transfers;
mod webhook;
