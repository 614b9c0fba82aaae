//! What a plug-in author implements: [`Connector`] (and, for a connector that
//! mirrors its service, [`SyncConnector`]), exported once with
//! [`export_connector!`](crate::export_connector) or
//! [`export_sync_connector!`](crate::export_sync_connector).
//!
//! Every method takes the [`Platform`] it runs on, so the same code runs in
//! the component (over `wasi:http`) and in native unit tests (over
//! [`crate::testing::ScriptedPlatform`]). A connector whose actions are table
//! entries writes [`Connector::actions`] and [`Connector::client`], and gets
//! validation, JSON Schemas, paging and retries from the defaults.

use crate::action::Action;
use crate::bindings::integration::connector::types::{
    ActionDefinition, Connection, ConnectionDefinition, ConnectionInfo, ConnectorMetadata, Error,
    Output,
};
use crate::http::Client;
use crate::platform::Platform;

/// A connector: its connections and its catalog of actions (world `connector`).
pub trait Connector {
    /// The connector's name, as its metadata gives it; its log lines carry it.
    const NAME: &'static str;

    /// Who the connector is: name, label, version, vendor, contract version.
    fn metadata() -> ConnectorMetadata;

    /// The kinds of connection it offers, with their forms and egress.
    fn connection_definitions() -> Vec<ConnectionDefinition>;

    /// Checks that `connection` works, and says what the host should know
    /// and store about it.
    fn check(platform: &dyn Platform, connection: &Connection) -> Result<ConnectionInfo, Error>;

    /// The catalog, in the order a host should show it.
    fn actions() -> &'static [Action];

    /// The authenticated client for `connection`, logging its exchanges when
    /// `debug` is set; an action's input has been checked before this is asked.
    fn client<'p>(
        platform: &'p dyn Platform,
        connection: &Connection,
        debug: bool,
    ) -> Result<Client<'p>, Error>;

    /// The action with key `key`.
    fn find(key: &str) -> Option<&'static Action> {
        Self::actions().iter().find(|action| action.key == key)
    }

    /// The authorization scopes action `key` needs (an OAuth 2.0 grant's, or
    /// a scoped token's); none by default. They are named in the action's
    /// description and in the error of a call refused for a missing scope.
    fn scopes(key: &str) -> &'static [&'static str] {
        let _ = key;
        &[]
    }

    /// Every action's definition, from [`Connector::actions`], each naming
    /// its [`Connector::scopes`].
    fn action_definitions() -> Vec<ActionDefinition> {
        let mut definitions = crate::definitions::actions(Self::actions());
        for definition in &mut definitions {
            crate::definitions::name_scopes(definition, Self::scopes(&definition.key));
        }
        definitions
    }

    /// Runs action `key` with `input` (JSON text) through `connection`; by
    /// default as its table entry says ([`crate::exec::invoke`]). A refusal
    /// for a missing scope names the action's [`Connector::scopes`].
    fn invoke(
        platform: &dyn Platform,
        key: &str,
        connection: &Connection,
        input: &str,
    ) -> Result<Output, Error> {
        crate::exec::invoke(Self::find, key, input, |debug| {
            Self::client(platform, connection, debug)
        })
        .map_err(|error| crate::errors::naming_scopes(error, Self::scopes(key)))
    }
}

/// A connector that also mirrors its service's data (world `sync-connector`,
/// with the SDK's `sync` feature).
#[cfg(feature = "sync")]
pub trait SyncConnector: Connector {
    /// The streams a sync can emit.
    fn streams() -> Vec<crate::bindings::exports::integration::connector::sync::StreamDefinition>;

    /// The JSON Schema of a sync's configuration.
    fn config_schema() -> String;

    /// Reads the next batch of records: from the start without `state`, else
    /// from where the batch that returned `state` ended.
    fn read(
        platform: &dyn Platform,
        connection: &Connection,
        config: &str,
        state: Option<&str>,
    ) -> Result<crate::bindings::exports::integration::connector::sync::Batch, Error>;
}

/// Exports a [`Connector`] as the component's `metadata`, `connections` and
/// `actions` (world `connector`), on the `wasi:http` platform. Call it once,
/// at the root of the connector's crate: `connector_sdk::export_connector!(MyConnector);`.
/// It expands to nothing outside WebAssembly, so the crate's native tests
/// build as they are.
#[cfg(not(feature = "sync"))]
#[macro_export]
macro_rules! export_connector {
    ($connector:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            $crate::__export_connector_interfaces!($connector);
    $crate::bindings::export!(__Component with_types_in $crate::bindings);
        };
    };
}

/// With the `sync` feature the SDK's bindings are those of `sync-connector`,
/// which a connector without a sync cannot export: this says so.
#[cfg(feature = "sync")]
#[macro_export]
macro_rules! export_connector {
    ($connector:ty) => {
        #[cfg(target_arch = "wasm32")]
        compile_error!(
            "export_connector! exports world `connector`, but connector-sdk was built with its \
             `sync` feature (world `sync-connector`): build this connector in a cargo invocation \
             of its own, or implement SyncConnector and use export_sync_connector!"
        );
    };
}

/// Exports a [`SyncConnector`] as the component's `metadata`, `connections`,
/// `actions` and `sync` (world `sync-connector`), on the `wasi:http` platform.
/// Call it once, at the root of the connector's crate:
/// `connector_sdk::export_sync_connector!(MyConnector);`. It needs the SDK's
/// `sync` feature, which makes the SDK's bindings those of `sync-connector`.
#[cfg(feature = "sync")]
#[macro_export]
macro_rules! export_sync_connector {
    ($connector:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            $crate::__export_connector_interfaces!($connector);
            use $crate::bindings::exports::integration::connector::sync;
            impl sync::Guest for __Component {
                fn streams() -> Vec<sync::StreamDefinition> {
                    <$connector as $crate::connector::SyncConnector>::streams()
                }
                fn config_schema() -> String {
                    <$connector as $crate::connector::SyncConnector>::config_schema()
                }
                fn read(
                    connection: $crate::bindings::integration::connector::types::Connection,
                    config: String,
                    state: Option<String>,
                ) -> Result<sync::Batch, $crate::bindings::integration::connector::types::Error>
                {
                    <$connector as $crate::connector::SyncConnector>::read(
                        &PLATFORM,
                        &connection,
                        &config,
                        state.as_deref(),
                    )
                }
            }
    $crate::bindings::export!(__Component with_types_in $crate::bindings);
        };
    };
}

/// Without the `sync` feature the SDK's bindings have no `sync` export: this says so.
#[cfg(not(feature = "sync"))]
#[macro_export]
macro_rules! export_sync_connector {
    ($connector:ty) => {
        #[cfg(target_arch = "wasm32")]
        compile_error!(
            "export_sync_connector! needs connector-sdk's `sync` feature: depend on it with \
             features = [\"sync\"]"
        );
    };
}

/// The part of both export macros that is the same: the component type, its
/// platform, and the `metadata`, `connections` and `actions` exports.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_connector_interfaces {
    ($connector:ty) => {
        use $crate::bindings::exports::integration::connector::{actions, connections, metadata};
        use $crate::bindings::integration::connector::types as __types;
        use $crate::connector::Connector as _;

        /// Every call's platform; log lines carry the connector's name.
        const PLATFORM: $crate::wasi_platform::WasiPlatform = $crate::wasi_platform::WasiPlatform {
            context: <$connector as $crate::connector::Connector>::NAME,
        };

        /// The exported component.
        struct __Component;

        impl metadata::Guest for __Component {
            fn about() -> __types::ConnectorMetadata {
                <$connector>::metadata()
            }
        }

        impl connections::Guest for __Component {
            fn definitions() -> Vec<__types::ConnectionDefinition> {
                <$connector>::connection_definitions()
            }
            fn check(
                connection: __types::Connection,
            ) -> Result<__types::ConnectionInfo, __types::Error> {
                <$connector>::check(&PLATFORM, &connection)
            }
        }

        impl actions::Guest for __Component {
            fn definitions() -> Vec<__types::ActionDefinition> {
                <$connector>::action_definitions()
            }
            fn invoke(
                action: String,
                connection: __types::Connection,
                input: String,
            ) -> Result<__types::Output, __types::Error> {
                <$connector>::invoke(&PLATFORM, &action, &connection, &input)
            }
        }
    };
}
