//! Every request in the HAR fixtures, checked against Atlassian's OpenAPI
//! documents (vendored in `tests/openapi/`).
//!
//! Strict replay already proves the component sends exactly these requests, so
//! checking the fixtures checks the component: the method and path template
//! exist, every query parameter is one the operation declares, and a JSON body
//! validates against the operation's request-body schema.

use crate::common;
use crate::common::openapi::{check, check_typed, load, outside_the_documents};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn har_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "har"))
        .collect();
    files.push(root.join("../examples/fixtures/demo.har"));
    files.sort();
    files
}

#[test]
fn every_fixture_request_is_an_operation_of_the_openapi_documents() {
    let specs = common::openapi::both();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for file in har_files() {
        let har: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        for entry in har["log"]["entries"].as_array().unwrap() {
            let request = &entry["request"];
            let url = request["url"].as_str().unwrap();
            if let Some(reason) = outside_the_documents(url) {
                skipped.push(format!("{url} ({reason})"));
                continue;
            }
            let method = request["method"].as_str().unwrap();
            let body = request.pointer("/postData/text").and_then(Value::as_str);
            let mime = request
                .pointer("/postData/mimeType")
                .and_then(Value::as_str)
                .unwrap_or("application/json");
            match check_typed(&specs, method, url, body, mime) {
                Ok(_) => checked += 1,
                Err(problem) => {
                    failures.push(format!("{}: {method} {url}: {problem}", file.display()))
                }
            }
        }
    }
    println!(
        "checked {checked} fixture requests against the OpenAPI documents; {} are not API operations: {}",
        skipped.len(),
        skipped.join(", ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 30);
}

#[test]
fn the_checker_catches_what_it_should() {
    let specs = [load(
        "confluence-cloud-rest-v2.openapi.json",
        "/wiki/api/v2",
    )];
    let site = "https://acme.atlassian.net/wiki/api/v2";
    assert!(check(&specs, "GET", &format!("{site}/pages?space-id=1"), None).is_ok());
    assert!(
        check(&specs, "GET", &format!("{site}/pages?spaceId=1"), None)
            .unwrap_err()
            .contains("spaceId")
    );
    assert!(check(&specs, "PATCH", &format!("{site}/pages/1"), None).is_err());
    assert!(check(&specs, "GET", &format!("{site}/nowhere"), None).is_err());
    assert!(
        check(
            &specs,
            "POST",
            &format!("{site}/pages"),
            Some(r#"{"title":"no space"}"#)
        )
        .unwrap_err()
        .contains("spaceId")
    );
    assert!(
        check(
            &specs,
            "POST",
            &format!("{site}/pages"),
            Some(r#"{"spaceId":"1","status":"published"}"#)
        )
        .is_err()
    );
}
