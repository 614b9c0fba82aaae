//! A Confluence Cloud connector as a WebAssembly component.
//!
//! Built on `connector-sdk` (`sdk/`), which holds the contract's bindings and
//! the generic machinery. `lib.rs` only implements the SDK's connector traits
//! (world `sync-connector`) with the plain-Rust modules below and exports
//! them; everything they do can be tested natively through
//! [`connector_sdk::platform::Platform`].

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

use crate::bindings::exports::integration::connector::sync::{Batch, StreamDefinition};
use crate::bindings::integration::connector::types::{
    Connection, ConnectionDefinition, ConnectionInfo, ConnectorMetadata, Error,
};
use connector_sdk::action::Action;
use connector_sdk::http::Client;
use connector_sdk::platform::Platform;

/// The Confluence connector, as the SDK's connector: its catalog runs through
/// the SDK's executor, and its sync is its own.
pub struct Confluence;

impl connector_sdk::Connector for Confluence {
    const NAME: &'static str = "confluence";

    fn metadata() -> ConnectorMetadata {
        about::metadata()
    }

    fn connection_definitions() -> Vec<ConnectionDefinition> {
        connection::definitions()
    }

    fn check(platform: &dyn Platform, connection: &Connection) -> Result<ConnectionInfo, Error> {
        connection::check(platform, connection)
    }

    fn actions() -> &'static [Action] {
        catalog::actions()
    }

    fn scopes(key: &str) -> &'static [&'static str] {
        catalog::scopes::of(key)
    }

    fn client<'p>(
        platform: &'p dyn Platform,
        connection: &Connection,
        debug: bool,
    ) -> Result<Client<'p>, Error> {
        Ok(connection::resolve(platform, connection, debug)?.client(platform))
    }
}

impl connector_sdk::SyncConnector for Confluence {
    fn streams() -> Vec<StreamDefinition> {
        sync::streams()
    }

    fn config_schema() -> String {
        sync::config_schema()
    }

    fn read(
        platform: &dyn Platform,
        connection: &Connection,
        config: &str,
        state: Option<&str>,
    ) -> Result<Batch, Error> {
        sync::read(platform, connection, config, state)
    }
}

connector_sdk::export_sync_connector!(Confluence);

#[cfg(test)]
mod tests {
    use super::*;
    use connector_sdk::Connector;

    #[test]
    fn the_log_name_is_the_metadata_name() {
        assert_eq!(Confluence::metadata().name, Confluence::NAME);
    }
}
