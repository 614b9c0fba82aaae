//! Rust bindings for the `integration:connector/connector` world, generated
//! by wasmtime's `bindgen!` from `../wit`.
//!
//! Exports are async (the store runs with async support so `wasi:http` can
//! await the network); the contract's own imports (`secrets`, `wasi:logging`)
//! are plain synchronous host functions. `wasi:http` and `wasi:io` reuse the
//! types of `wasmtime-wasi-http` and `wasmtime-wasi`.

#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "connector",
    exports: { default: async },
    require_store_data_send: true,
    with: {
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
    },
});

pub use exports::integration::connector::actions::{ActionDefinition, Output};
pub use exports::integration::connector::connections::{ConnectionDefinition, Site};
pub use exports::integration::connector::sync::{Batch, Operation, StreamDefinition, SyncRecord};
pub use integration::connector::types::{
    ActionHints, AuthScheme, Body, Connection as WitConnection, Error as ConnectorError,
    FieldError, Input, InputKind, Oauth2Settings, RateLimit, UpstreamError,
};
pub use wasi::logging::logging::Level as LogLevel;
