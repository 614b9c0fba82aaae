//! The SDK's second connector (`connectors/github`, world `connector`),
//! loaded by the same host as the first: its metadata, definitions and
//! egress, every action against its own HAR fixture, and the host's refusal
//! to sync a connector that has no sync.

use crate::common::{body_json, cli};
use host_test_harness::har::Replayer;
use host_test_harness::{
    CallOptions, Connection, ConnectorError, Har, Host, HttpMode, Outcome, Output, World,
};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

const WASM: &str = env!("GITHUB_CONNECTOR_WASM");

fn github() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| Host::new(WASM).expect("load the GitHub connector"))
}

fn har() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../connectors/github/fixtures/github.har")
}

fn connection() -> Connection {
    Connection::new("basic", json!({"username": "octocat"}))
}

#[test]
fn it_targets_world_connector_and_says_who_it_is() {
    let host = github();
    assert_eq!(host.world(), World::Connector);
    let metadata = host.metadata().unwrap();
    assert_eq!(
        (metadata.name.as_str(), metadata.contract_version.as_str()),
        ("github", "0.2.0")
    );
    let keys: Vec<String> = host
        .action_definitions()
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect();
    assert_eq!(
        keys,
        [
            "get-authenticated-user",
            "list-issues",
            "get-issue",
            "create-issue"
        ]
    );
    let definitions = host.connection_definitions().unwrap();
    assert_eq!(
        connection().egress_hosts(&definitions[0]),
        ["api.github.com"]
    );
    let sync = host.require_sync().unwrap_err().to_string();
    assert!(
        sync.contains("`github` has no sync") && sync.contains("world `connector`"),
        "{sync}"
    );
}

#[test]
fn every_action_replays_from_its_own_har_fixture() {
    let replayer = Arc::new(Mutex::new(Replayer::new(Har::read(&har()).unwrap())));
    let options = || CallOptions {
        http: HttpMode::ReplayShared(replayer.clone()),
        ..CallOptions::default()
    };
    let host = github();
    let info = host
        .check(&connection(), &options())
        .unwrap()
        .result
        .unwrap();
    assert_eq!(info.display_name.as_deref(), Some("octocat"));
    let invoke = |action: &str, input: Value| -> Outcome<Output> {
        host.invoke(action, &connection(), &input.to_string(), &options())
            .unwrap()
    };

    let all = invoke(
        "list-issues",
        json!({"owner": "octocat", "repo": "hello-world", "fetch-all": true}),
    );
    assert_eq!(
        all.exchanges.len(),
        2,
        "two pages, joined by the Link header"
    );
    let listed = body_json(&all.result.unwrap());
    let numbers: Vec<&Value> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["number"])
        .collect();
    assert_eq!(numbers, [1349, 1348, 1347]);
    assert_eq!(listed["truncated"], false);

    let issue = invoke(
        "get-issue",
        json!({"owner": "octocat", "repo": "hello-world", "issue-number": 1347}),
    );
    assert_eq!(body_json(&issue.result.unwrap())["title"], "Found a bug");

    let created = invoke(
        "create-issue",
        json!({"owner": "octocat", "repo": "hello-world", "title": "Export drops the last row", "body": "Exporting 10 rows gives 9.", "labels": ["bug"]}),
    );
    let created = created.result.unwrap();
    assert_eq!(
        (created.status, body_json(&created)["number"].clone()),
        (201, json!(1350))
    );

    let missing = invoke(
        "get-issue",
        json!({"owner": "octocat", "repo": "hello-world", "issue-number": 404404}),
    );
    assert!(
        matches!(missing.result, Err(ConnectorError::NotFound(ref m)) if m.contains("Not Found")),
        "{:?}",
        missing.result
    );
    let unused = replayer.lock().unwrap().unused();
    assert!(
        unused.is_empty(),
        "every entry of the fixture is used: {unused:?}"
    );
}

#[test]
fn the_cli_runs_it_and_refuses_to_sync_it() {
    let connection = "connectors/github/connection.json";
    let har = "connectors/github/fixtures/github.har";
    let input = r#"{"owner": "octocat", "repo": "hello-world", "issue-number": "1347"}"#;
    let args = [
        "--component",
        WASM,
        "invoke",
        "get-issue",
        "--connection",
        connection,
        "--input",
        input,
        "--replay",
        har,
    ];
    let out = cli::run(&args, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["body"]["number"], 1347);

    let out = cli::run(&["--component", WASM, "definitions"], &[]);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["metadata"]["name"], "github", "{printed}");
    assert_eq!(printed["world"], "connector", "{printed}");

    let scratch = std::env::temp_dir().join(format!("github-sync-{}", std::process::id()));
    let (state, records) = (
        scratch.with_extension("state"),
        scratch.with_extension("jsonl"),
    );
    let (state_arg, records_arg) = (state.to_str().unwrap(), records.to_str().unwrap());
    let sync = [
        "--component",
        WASM,
        "sync",
        "--connection",
        connection,
        "--state",
        state_arg,
    ];
    let out = cli::run(
        &[&sync[..], &["--out", records_arg, "--replay", har]].concat(),
        &[],
    );
    assert!(
        !state.exists() && !records.exists(),
        "a refused sync writes nothing"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("has no sync"),
        "{stderr}"
    );
}
