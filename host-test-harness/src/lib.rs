//! A wasmtime host for any connector component built on the contract
//! (`integration:connector@0.2.0`, in `../wit`).
//!
//! [`Host`] loads the component once per process (compiled with Cranelift,
//! cached on disk) and runs each call in a fresh store with memory and time
//! limits, the call's secrets, and HTTP answered by replaying a HAR, by the
//! network for allow-listed hosts, or by the network while recording a
//! redacted HAR. Tests and the `connector-host` CLI both use this API.

#![warn(missing_docs)]

pub mod bindings;
pub mod engine;
pub mod files;
pub mod har;
pub mod host;
pub mod http;
pub mod json;
pub mod logging;
pub mod mcp;
pub mod oauth;
pub mod pool;
pub mod secrets;
pub mod state;
pub mod sync;

pub use bindings::{
    ActionDefinition, ActionHints, Batch, Body, ConnectionDefinition, ConnectionInfo,
    ConnectorError, ConnectorMetadata, Input, InputKind, Operation, Output, StreamDefinition,
    SyncRecord, World,
};
pub use har::Har;
pub use host::{
    CallFailure, CallOptions, Connection, DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, Host, Outcome,
};
pub use http::{Exchange, HttpMode, RequestObserver};
pub use logging::LogLine;
pub use secrets::{REDACTED, Redactor, Secrets};
pub use sync::{SyncJob, SyncSummary, run_sync};
