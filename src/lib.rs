//! A Confluence Cloud connector as a WebAssembly component.
//!
//! `lib.rs` only binds the WIT contract (`wit/`, world `sync-connector`) to the plain-Rust
//! modules below; everything they do can be tested natively through
//! [`platform::Platform`].

pub mod actions;
pub mod catalog;
pub mod connection;
pub mod convert;
pub mod definitions;
pub mod errors;
pub mod exec;
pub mod hash;
pub mod http;
pub mod input;
pub mod multipart;
pub mod paging;
pub mod platform;
pub mod retry;
pub mod rules;
pub mod site;
pub mod strict_json;
pub mod sync;
#[cfg(test)]
mod testing;
pub mod text;
#[cfg(target_arch = "wasm32")]
mod wasi_platform;

/// Bindings generated from the WIT contract.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "sync-connector",
        path: "wit",
        generate_all,
        with: {
            "wasi:http/types@0.2.12": wasip2::http::types,
            "wasi:http/outgoing-handler@0.2.12": wasip2::http::outgoing_handler,
            "wasi:io/error@0.2.12": wasip2::io::error,
            "wasi:io/poll@0.2.12": wasip2::io::poll,
            "wasi:io/streams@0.2.12": wasip2::io::streams,
            "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
        },
    });
}

#[cfg(target_arch = "wasm32")]
mod component {
    use crate::bindings::exports::integration::connector::{actions, connections, metadata, sync};
    use crate::bindings::integration::connector::types::{
        ActionDefinition, Connection, ConnectionDefinition, ConnectionInfo, Error, Output,
    };
    use crate::wasi_platform::WasiPlatform;

    /// The exported component.
    struct Connector;

    impl metadata::Guest for Connector {
        fn about() -> metadata::ConnectorMetadata {
            crate::definitions::metadata()
        }
    }

    impl connections::Guest for Connector {
        fn definitions() -> Vec<ConnectionDefinition> {
            crate::connection::definitions()
        }

        fn check(connection: Connection) -> Result<ConnectionInfo, Error> {
            crate::connection::check(&WasiPlatform, &connection)
        }
    }

    impl actions::Guest for Connector {
        fn definitions() -> Vec<ActionDefinition> {
            crate::definitions::actions()
        }

        fn invoke(action: String, connection: Connection, input: String) -> Result<Output, Error> {
            crate::exec::invoke(&WasiPlatform, &action, &connection, &input)
        }
    }

    impl sync::Guest for Connector {
        fn streams() -> Vec<sync::StreamDefinition> {
            crate::sync::streams()
        }

        fn config_schema() -> String {
            crate::sync::config_schema()
        }

        fn read(
            connection: Connection,
            config: String,
            state: Option<String>,
        ) -> Result<sync::Batch, Error> {
            crate::sync::read(&WasiPlatform, &connection, &config, state.as_deref())
        }
    }

    crate::bindings::export!(Connector with_types_in crate::bindings);
}
