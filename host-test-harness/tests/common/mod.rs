//! What the integration tests share: one loaded component per test process,
//! the fixture connections, and shorthands for replays and results.
#![allow(dead_code)]

use host_test_harness::{Body, CallOptions, Connection, ConnectorError, Host, Outcome, Output};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The component, loaded once for the whole test binary.
pub fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| Host::new(Host::default_component_path()).expect("load the component"))
}

/// The path of fixture `name`.har.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.har"))
}

/// Strict replay of fixture `name`: every entry must be used.
pub fn replay(name: &str) -> CallOptions {
    CallOptions::replay_file(fixture(name), true).expect("read the fixture")
}

/// Replay of fixture `name` that tolerates unused entries.
pub fn replay_lenient(name: &str) -> CallOptions {
    CallOptions::replay_file(fixture(name), false).expect("read the fixture")
}

/// The fixture site's Basic connection.
pub fn basic() -> Connection {
    basic_with(json!({"email": "jane@acme.com", "host": "acme.atlassian.net"}))
}

/// A Basic connection with these values.
pub fn basic_with(values: Value) -> Connection {
    Connection::new("basic", values)
}

/// An OAuth 2.0 connection with these values (beside the defaults a host stores).
pub fn oauth(extra: Value) -> Connection {
    let mut values = json!({
        "authorize-url": "https://auth.atlassian.com/authorize?audience=api.atlassian.com&prompt=consent",
        "token-url": "https://auth.atlassian.com/oauth/token",
        "scopes": "offline_access read:page:confluence",
        "client-id": "test-client"
    });
    for (k, v) in extra.as_object().unwrap() {
        values[k] = v.clone();
    }
    Connection::new("oauth2", values)
}

/// The JSON body of an output.
pub fn body_json(output: &Output) -> Value {
    match &output.body {
        Body::Json(text) => serde_json::from_str(text).expect("valid JSON"),
        other => panic!("expected a JSON body, got {other:?}"),
    }
}

/// The error of an outcome that must have failed.
pub fn expect_error<T: std::fmt::Debug>(outcome: Outcome<T>) -> ConnectorError {
    outcome.result.expect_err("the call should have failed")
}
