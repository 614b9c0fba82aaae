//! The `connector-host` binary: JSON on stdout, connector errors as JSON on
//! stderr with exit code 1, host failures as `{"error":"host"}` with code 2.

use serde_json::Value;
use std::process::{Command, Output};

/// Runs the CLI from the workspace root, as the README's commands are run.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("CONFLUENCE_API_TOKEN")
        .output()
        .unwrap()
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
    assert!(
        defs["connections"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(defs["actions"].as_array().is_some());
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

/// The README's first command, run exactly as written (from the workspace
/// root), so the README cannot drift from what works.
#[test]
fn the_readme_main_command_works_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let command = readme
        .lines()
        .find(|l| l.starts_with("cargo run -p host-test-harness -- "))
        .expect("the README opens with a cargo run command");
    let mut args = Vec::new();
    // A tiny shell-word splitter: the command quotes its JSON input with '...'.
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
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let output: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(output["status"], 200);
    assert_eq!(output["body"]["results"].as_array().unwrap().len(), 3);
}
