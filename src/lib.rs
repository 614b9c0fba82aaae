//! A Confluence Cloud connector as a WebAssembly component.
//!
//! Built on `connector-sdk` (`sdk/`), which holds the contract's bindings and
//! the generic machinery. `lib.rs` only binds the contract (`wit/`, world
//! `sync-connector`) to the plain-Rust modules below; everything they do can
//! be tested natively through [`connector_sdk::platform::Platform`].

pub mod about;
pub mod actions;
pub mod catalog;
pub mod connection;
pub mod convert;
pub mod cql;
pub mod errors;
pub mod http;
pub mod input;
pub mod paging;
pub mod site;
pub mod sync;

/// The contract's bindings, from the SDK (which generates them from `wit/`).
pub use connector_sdk::bindings;

#[cfg(target_arch = "wasm32")]
mod component {
    use crate::bindings::exports::integration::connector::{actions, connections, metadata, sync};
    use crate::bindings::integration::connector::types::{
        ActionDefinition, Connection, ConnectionDefinition, ConnectionInfo, ConnectorMetadata,
        Error, Output,
    };
    use connector_sdk::wasi_platform::WasiPlatform;

    /// The platform of every call; log lines carry the connector's name.
    const PLATFORM: WasiPlatform = WasiPlatform {
        context: "confluence",
    };

    /// The exported component.
    struct Connector;

    impl metadata::Guest for Connector {
        fn about() -> ConnectorMetadata {
            crate::about::metadata()
        }
    }

    impl connections::Guest for Connector {
        fn definitions() -> Vec<ConnectionDefinition> {
            crate::connection::definitions()
        }

        fn check(connection: Connection) -> Result<ConnectionInfo, Error> {
            crate::connection::check(&PLATFORM, &connection)
        }
    }

    impl actions::Guest for Connector {
        fn definitions() -> Vec<ActionDefinition> {
            connector_sdk::definitions::actions(crate::catalog::actions())
        }

        fn invoke(action: String, connection: Connection, input: String) -> Result<Output, Error> {
            crate::catalog::invoke(&PLATFORM, &action, &connection, &input)
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
            crate::sync::read(&PLATFORM, &connection, &config, state.as_deref())
        }
    }

    connector_sdk::bindings::export!(Connector with_types_in connector_sdk::bindings);
}
