//! The `connector-host` binary: JSON on stdout, connector errors as JSON on
//! stderr with exit code 1, host failures as `{"error":"host"}` with code 2.

use crate::common;
use serde_json::Value;
use std::process::Output;

/// Runs the CLI from the workspace root, as the README's commands are run.
fn run(args: &[&str]) -> Output {
    common::cli::run(args, &[])
}

fn json(bytes: &[u8]) -> Value {
    let text = String::from_utf8_lossy(bytes);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn write(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const CONNECTION: &str =
    r#"{"definition":"basic","values":{"email":"a@b.c","host":"http://127.0.0.1:9"}}"#;

fn har(status: u16, body: &str) -> String {
    serde_json::json!({"log": {"entries": [{
        "request": {"method": "GET", "url": "http://127.0.0.1:9/wiki/api/v2/spaces"},
        "response": {"status": status, "headers": [{"name": "Content-Type", "value": "application/json"}],
                     "content": {"mimeType": "application/json", "text": body}}
    }]}})
    .to_string()
}

#[test]
fn definitions_print_connections_and_actions() {
    let out = run(&["definitions"]);
    assert!(out.status.success());
    let defs: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(defs["metadata"]["name"], "confluence");
    assert_eq!(defs["metadata"]["contract-version"], "0.2.0");
    assert_eq!(defs["metadata"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(defs["world"], "sync-connector");
    let connections = defs["connections"].as_array().unwrap();
    let basic = connections.iter().find(|c| c["key"] == "basic").unwrap();
    assert_eq!(
        basic["egress"],
        serde_json::json!(["{host}", "api.media.atlassian.com"])
    );
    assert_eq!(
        basic["auth"],
        serde_json::json!({"basic": {"username-input": "email", "password-secret": "api-token"}})
    );
    let oauth = connections.iter().find(|c| c["key"] == "oauth2").unwrap();
    assert_eq!(
        oauth["egress"],
        serde_json::json!(["api.atlassian.com", "api.media.atlassian.com"])
    );
    assert!(
        oauth["auth"]["oauth2"]["default-scopes"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == "offline_access"))
    );
    assert!(defs["actions"].as_array().is_some_and(|a| a.len() >= 64));
    assert!(
        defs["sync"]["streams"]
            .as_array()
            .is_some_and(|s| s.len() == 14)
    );
}

#[test]
fn a_replayed_check_prints_what_it_learned_and_leaves_the_connection_file_alone() {
    // The OAuth check finds the cloud id; a replay proves nothing about the
    // real site, so the file is not rewritten.
    let file = write(
        "oauth-check.json",
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/connection.oauth2.json"
        ))
        .unwrap(),
    );
    let before = std::fs::read_to_string(&file).unwrap();
    let har = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oauth-check.har"
    );
    let out = common::cli::run(
        &["check", "--connection", &file, "--replay", har],
        &[("CONNECTOR_ACCESS_TOKEN", "at-123456")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["display-name"], "acme");
    assert_eq!(
        info["store"],
        serde_json::json!({"cloud-id": "1324a887-45db-1bf4-1e99-ef0ff456d421"})
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

#[test]
fn invoke_without_an_http_mode_is_refused() {
    let conn = write("conn-nomode.json", CONNECTION);
    let out = run(&["invoke", "list-spaces", "--connection", &conn]);
    assert_eq!(out.status.code(), Some(2));
    let err = json(&out.stderr);
    assert_eq!(err["error"], "host");
    assert!(
        err["message"].as_str().unwrap().contains("--replay"),
        "{err}"
    );
}

#[test]
fn bad_flags_and_missing_files_are_host_errors() {
    let out = run(&["invoke", "list-spaces", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out.stderr)["error"], "host");
    let out = run(&["check", "--connection", "/nonexistent.json", "--live"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        json(&out.stderr)["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent.json")
    );
}

#[test]
fn invoke_replays_and_prints_the_output_or_the_error() {
    let conn = write("conn.json", CONNECTION);
    let ok = write(
        "ok.har",
        &har(200, r#"{"results":[{"id":"1"}],"_links":{}}"#),
    );
    let input = write("input.json", "{}");
    let at_input = format!("@{input}");
    let out = run(&[
        "invoke",
        "list-spaces",
        "--connection",
        &conn,
        "--input",
        &at_input,
        "--replay",
        &ok,
        "--strict",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["status"], 200);
    assert_eq!(printed["content-type"], "application/json");
    assert_eq!(printed["body"]["results"][0]["id"], "1");

    let missing = write(
        "404.har",
        &har(404, r#"{"errors":[{"status":404,"title":"Not Found"}]}"#),
    );
    let out = run(&[
        "invoke",
        "list-spaces",
        "--connection",
        &conn,
        "--replay",
        &missing,
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out.stderr)["error"], "not-found");
}

/// The README's one-line commands against the demo fixture, run exactly as
/// written (from the workspace root), so the README cannot drift from what
/// works. The first is the main job: the list of three spaces.
#[test]
fn the_readme_demo_commands_work_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| {
            // The MCP server's command is run by an MCP client (tests/all/mcp.rs).
            l.starts_with("cargo run -p host-test-harness -- ")
                && !l.starts_with("cargo run -p host-test-harness -- mcp ")
                && l.ends_with("--replay examples/fixtures/demo.har")
        })
        .collect();
    assert!(commands.len() >= 4, "{commands:?}");
    let saved = root.join("hello.txt");
    for (n, command) in commands.iter().enumerate() {
        let out = run_words(&words(command));
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let output: Value = serde_json::from_slice(&out.stdout).unwrap();
        if command.contains(" -- check ") {
            assert_eq!(output["url"], "https://acme.atlassian.net", "{command}");
            assert_eq!(output["display-name"], "acme", "{command}");
            continue;
        }
        assert_eq!(output["status"], 200, "{command}");
        if n == 0 {
            assert_eq!(output["body"]["results"].as_array().unwrap().len(), 3);
        }
    }
    // The download's --save wrote the file the media service answered.
    assert_eq!(
        std::fs::read_to_string(&saved).unwrap(),
        "Hello from the demo site.\n"
    );
    std::fs::remove_file(saved).unwrap();
}

/// The words of a README command: a tiny shell-word splitter for commands
/// that quote their JSON input with '...'.
fn words(command: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut rest = command.trim_start_matches("cargo run -p host-test-harness -- ");
    while !rest.is_empty() {
        rest = rest.trim_start();
        let (word, tail) = match rest.strip_prefix('\'') {
            Some(quoted) => quoted.split_once('\'').expect("closing quote"),
            None => rest.split_once(' ').unwrap_or((rest, "")),
        };
        args.push(word.to_string());
        rest = tail;
    }
    args
}

fn run_words(args: &[String]) -> Output {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The README's sync command, run as written: the example site's 33 records.
#[test]
fn the_readme_sync_command_works_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let command = readme
        .lines()
        .find(|l| l.starts_with("cargo run -p host-test-harness -- sync "))
        .expect("the README shows a sync command");
    let dir = std::env::temp_dir().join(format!("cli-sync-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The same command, with its files in a scratch directory.
    let args: Vec<String> = words(command)
        .into_iter()
        .map(|w| w.replace("target/", &format!("{}/", dir.display())))
        .collect();
    let out = run_words(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["batches"], 10);
    let lines = std::fs::read_to_string(dir.join("site.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 33);
    assert!(String::from_utf8_lossy(&out.stderr).contains("batch 10: 33 records"));
    std::fs::remove_dir_all(dir).unwrap();
}
