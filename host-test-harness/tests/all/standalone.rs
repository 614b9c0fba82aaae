//! The standalone build (the connector's `standalone` feature, the worlds of
//! `wit/standalone`), for hosts that link only standard WASI interfaces: it
//! imports neither the contract's `secrets` nor `wasi:logging`, links where
//! only WASI p2, `wasi:http` and `wasi:config` are, reads its secrets through
//! `wasi:config/store`, and answers as the contract's build does.

use crate::common::{basic, body_json, host, replay};
use crate::component_shape::top_level_names;
use crate::local_server::{basic_authorization, serve_json};
use host_test_harness::engine::{build_engine, build_standard_linker, load_component};
use host_test_harness::{CallOptions, Connection, ConnectorError, Host};
use serde_json::json;
use std::sync::OnceLock;
use wasmtime::component::types::ComponentItem;

const WASM: &str = env!("CONNECTOR_STANDALONE_WASM");

/// The contract's interface of types, which the exports use.
const TYPES: &str = "integration:connector/types@0.2.0";

/// The standalone build, loaded once.
fn standalone() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| Host::new(WASM).expect("load the standalone build"))
}

#[test]
fn the_standalone_build_imports_only_standard_interfaces_and_links_with_them_alone() {
    let bytes = std::fs::read(WASM).expect("the build script built it");
    let contract = std::fs::read(env!("CONNECTOR_WASM")).unwrap();
    println!(
        "standalone build: {} bytes; the contract's: {} bytes ({:+})",
        bytes.len(),
        contract.len(),
        bytes.len() as i64 - contract.len() as i64
    );
    let (imports, exports) = top_level_names(&bytes);
    assert!(
        imports.iter().any(|i| i == "wasi:config/store@0.2.0-rc.1"),
        "{imports:?}"
    );
    // Beyond standard WASI, only the contract's `types`, which holds types
    // alone: a host has nothing to provide for it.
    let foreign: Vec<&String> = imports
        .iter()
        .filter(|i| !i.starts_with("wasi:") || i.starts_with("wasi:logging"))
        .filter(|i| *i != TYPES)
        .collect();
    assert!(
        foreign.is_empty(),
        "imports beyond standard WASI: {foreign:?}"
    );
    assert_eq!(exports, top_level_names(&contract).1, "the same exports");

    // Links where only WASI p2, wasi:http and wasi:config are; the contract's build does not.
    let engine = build_engine().unwrap();
    let linker = build_standard_linker(&engine).unwrap();
    let component = load_component(&engine, std::path::Path::new(WASM)).unwrap();
    let component_type = component.component_type();
    let (_, types) = component_type
        .imports(&engine)
        .find(|(name, _)| *name == TYPES)
        .expect("imports the contract's types");
    let ComponentItem::ComponentInstance(types) = types.ty else {
        panic!("{TYPES} is not an instance");
    };
    for (name, item) in types.exports(&engine) {
        assert!(
            matches!(item.ty, ComponentItem::Type(_)),
            "{TYPES} has {name}, not a type"
        );
    }
    linker
        .instantiate_pre(&component)
        .expect("links with standard WASI alone");
    let component = load_component(&engine, std::path::Path::new(env!("CONNECTOR_WASM"))).unwrap();
    let refused = linker
        .instantiate_pre(&component)
        .err()
        .expect("the contract's build needs secrets and logging");
    let refused = format!("{refused:#}");
    assert!(
        refused.contains("wasi:logging") || refused.contains("integration:connector/secrets"),
        "{refused}"
    );
}

#[test]
fn the_standalone_build_answers_a_fixture_as_the_contracts_build_does() {
    let options = replay("markdown-get").secret("api-token", "REDACTED");
    let input = r#"{"page-id": "11"}"#;
    let ours = standalone()
        .invoke("get-page-as-markdown", &basic(), input, &options)
        .unwrap();
    let theirs = host()
        .invoke(
            "get-page-as-markdown",
            &basic(),
            input,
            &replay("markdown-get"),
        )
        .unwrap();
    assert_eq!(
        body_json(&ours.result.unwrap()),
        body_json(&theirs.result.unwrap())
    );
}

#[test]
fn the_secret_arrives_through_wasi_config() {
    arrives_as("api-token");

    // Without it, wasi:config has nothing to answer, and nothing is sent.
    let site = serve_json("{}");
    let connection = Connection::new("basic", json!({"email": "a@b.c", "host": site.origin()}));
    let outcome = standalone()
        .invoke(
            "list-spaces",
            &connection,
            "{}",
            &CallOptions::live(&["127.0.0.1"]),
        )
        .unwrap();
    assert!(site.received().is_empty());
    match outcome.result {
        Err(ConnectorError::InvalidConnection(message)) => {
            assert!(message.contains("no `api-token` secret"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

/// A host that fills `wasi:config` from its environment (Wassette hands over
/// each variable its policy allows, under the variable's name) can give the
/// token as `CONFLUENCE_API_TOKEN` or `CONNECTOR_API_TOKEN`: the names
/// `connector-host` reads the environment by.
#[test]
fn the_secret_may_come_under_its_environment_names() {
    let names = host_test_harness::secrets::env_var_names("confluence", "api-token");
    assert_eq!(names, ["CONNECTOR_API_TOKEN", "CONFLUENCE_API_TOKEN"]);
    for name in names {
        arrives_as(&name);
    }
}

/// A token given as the `wasi:config` value `name` reaches the site.
fn arrives_as(name: &str) {
    let site = serve_json(r#"{"results":[],"_links":{}}"#);
    let connection = Connection::new("basic", json!({"email": "a@b.c", "host": site.origin()}));
    let options = CallOptions::live(&["127.0.0.1"]).secret(name, "standalone-token");
    let outcome = standalone()
        .invoke("list-spaces", &connection, "{}", &options)
        .unwrap();
    assert!(outcome.result.is_ok(), "{name}: {:?}", outcome.result);
    assert_eq!(
        site.received()[0].header("authorization"),
        Some(basic_authorization("a@b.c", "standalone-token").as_str()),
        "{name}"
    );
}
