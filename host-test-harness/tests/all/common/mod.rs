//! What the integration tests share: one loaded component for the whole test
//! binary, the fixture connections, and shorthands for replays and results.

pub mod cli;
pub mod openapi;
pub mod scenarios_files;
pub mod scenarios_markdown;
pub mod scenarios_raw;
pub mod scenarios_sync;
pub mod scenarios_tree;

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

/// One fixture and the call it answers: an action with its input, or `check`.
pub struct Scenario {
    /// The fixture's name.
    pub fixture: &'static str,
    /// The connection the call uses.
    pub connection: fn() -> Connection,
    /// The action, or `None` for `check`.
    pub action: Option<&'static str>,
    /// The action's input.
    pub input: &'static str,
}

pub fn oauth_default() -> Connection {
    oauth(json!({}))
}

pub fn oauth_beta() -> Connection {
    oauth(json!({"api-site-override": "https://beta.atlassian.net"}))
}

pub fn oauth_gamma() -> Connection {
    oauth(json!({"api-site-override": "gamma"}))
}

pub fn oauth_stored() -> Connection {
    oauth(json!({"cloud-id": "1324a887-45db-1bf4-1e99-ef0ff456d421"}))
}

/// The fixture site's account with a scoped API token, its cloud id
/// stored: requests go through the gateway as OAuth 2.0's do.
pub fn scoped_stored() -> Connection {
    Connection::new(
        "scoped-api-token",
        json!({
            "email": "jane@acme.com",
            "host": "acme.atlassian.net",
            "cloud-id": "1324a887-45db-1bf4-1e99-ef0ff456d421"
        }),
    )
}

/// Every fixture's scenario: the foundation's below and each group's own.
pub fn all_scenarios() -> Vec<&'static Scenario> {
    SCENARIOS
        .iter()
        .chain(scenarios_files::SCENARIOS)
        .chain(scenarios_tree::SCENARIOS)
        .chain(scenarios_raw::SCENARIOS)
        .chain(scenarios_markdown::SCENARIOS)
        .collect()
}

/// Every fixture of the foundation with a call that uses all of its entries.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        fixture: "list-spaces",
        connection: basic,
        action: Some("list-spaces"),
        input: r#"{"limit": 2}"#,
    },
    Scenario {
        fixture: "list-spaces-all",
        connection: basic,
        action: Some("list-spaces"),
        input: r#"{"type": "global", "fetch-all": true}"#,
    },
    Scenario {
        fixture: "get-space",
        connection: basic,
        action: Some("get-space"),
        input: r#"{"space-id": "98306", "include-labels": true}"#,
    },
    Scenario {
        fixture: "search-spaces",
        connection: basic,
        action: Some("search-spaces"),
        input: r#"{"title": "engineering"}"#,
    },
    Scenario {
        fixture: "list-pages",
        connection: basic,
        action: Some("list-pages"),
        input: r#"{"space-id": "98306,98307", "status": "current", "body-format": "storage", "limit": 2}"#,
    },
    Scenario {
        fixture: "list-pages-in-space",
        connection: basic,
        action: Some("list-pages-in-space"),
        input: r#"{"space-id": "98306", "depth": "root", "sort": "title"}"#,
    },
    Scenario {
        fixture: "get-page",
        connection: basic,
        action: Some("get-page"),
        input: r#"{"page-id": "11", "body-format": "storage"}"#,
    },
    Scenario {
        fixture: "get-page-404",
        connection: basic,
        action: Some("get-page"),
        input: r#"{"page-id": "404404"}"#,
    },
    Scenario {
        fixture: "create-page",
        connection: basic,
        action: Some("create-page"),
        input: r#"{"space-id": "98306", "title": "Release notes", "parent-id": "983061", "status": "current", "body": {"value": "<h1>Release notes</h1><p>Version <strong>2.4</strong> ships on Friday.</p>"}}"#,
    },
    Scenario {
        fixture: "update-page",
        connection: basic,
        action: Some("update-page"),
        input: r#"{"page-id": "11", "body": "<p>Moved to Monday.</p>", "version": {"message": "New date"}}"#,
    },
    Scenario {
        fixture: "update-page-conflict",
        connection: basic,
        action: Some("update-page"),
        input: r#"{"page-id": "11", "title": "Release notes", "status": "current", "body": "<p>x</p>", "version": 3}"#,
    },
    Scenario {
        fixture: "delete-page",
        connection: basic,
        action: Some("delete-page"),
        input: r#"{"page-id": "11"}"#,
    },
    Scenario {
        fixture: "rate-limited-then-ok",
        connection: basic,
        action: Some("get-space"),
        input: r#"{"space-id": "98306"}"#,
    },
    Scenario {
        fixture: "rate-limited-pathological",
        connection: basic,
        action: Some("get-space"),
        input: r#"{"space-id": "98306"}"#,
    },
    Scenario {
        fixture: "unavailable-storm",
        connection: basic,
        action: Some("get-space"),
        input: r#"{"space-id": "98306"}"#,
    },
    Scenario {
        fixture: "forbidden-v1",
        connection: basic,
        action: Some("list-spaces"),
        input: r#"{"limit": 25}"#,
    },
    Scenario {
        fixture: "check-basic",
        connection: basic,
        action: None,
        input: "",
    },
    Scenario {
        fixture: "check-basic-password",
        connection: basic,
        action: None,
        input: "",
    },
    Scenario {
        fixture: "oauth-first-site",
        connection: oauth_default,
        action: Some("list-spaces"),
        input: r#"{"fetch-all": true}"#,
    },
    Scenario {
        fixture: "oauth-override",
        connection: oauth_beta,
        action: Some("get-space"),
        input: r#"{"space-id": "98306"}"#,
    },
    Scenario {
        fixture: "oauth-no-match",
        connection: oauth_gamma,
        action: Some("get-space"),
        input: r#"{"space-id": "98306"}"#,
    },
    Scenario {
        fixture: "oauth-no-sites",
        connection: oauth_default,
        action: Some("get-space"),
        input: r#"{"space-id": "98306"}"#,
    },
    Scenario {
        fixture: "oauth-cloud-id",
        connection: oauth_stored,
        action: Some("get-page"),
        input: r#"{"page-id": "11"}"#,
    },
    Scenario {
        fixture: "oauth-check",
        connection: oauth_default,
        action: None,
        input: "",
    },
    Scenario {
        fixture: "oauth-scope",
        connection: oauth_stored,
        action: Some("get-page"),
        input: r#"{"page-id": "11"}"#,
    },
];

/// The example input of an action: every input that declares an example,
/// as the catalog-wide tests run each action.
pub fn example_input(action: &host_test_harness::ActionDefinition) -> Value {
    let fields: serde_json::Map<String, Value> = action
        .inputs
        .iter()
        .filter_map(|i| {
            Some((
                i.key.clone(),
                serde_json::from_str(i.example.as_ref()?).ok()?,
            ))
        })
        .collect();
    Value::Object(fields)
}
