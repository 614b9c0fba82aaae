//! The cross-host cases (`tests/cross-host/cases.json`): each fixture
//! replayed through the Rust host, its output or error compared with the
//! case's `expect`, which the Node host's tests compare with too, so both
//! hosts give the same answers. `CROSS_HOST_BLESS=1 cargo test cross_host
//! -- --test-threads=1` writes `expect` from this host (then review the file
//! with `git diff`).

use crate::common::{fixture, host, replay, replay_lenient};
use base64::Engine as _;
use host_test_harness::har::{Har, Replayer};
use host_test_harness::{
    Body, CallOptions, Connection, ConnectorError, HttpMode, Operation, Output,
};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

fn cases_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cross-host/cases.json")
}

/// The cases file, and its connection.
fn read_cases() -> (Value, Connection) {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(cases_path()).unwrap()).unwrap();
    let connection = serde_json::from_value(doc["connection"].clone()).unwrap();
    (doc, connection)
}

/// Whether `CROSS_HOST_BLESS=1` asks for the expectations to be written.
fn blessing() -> bool {
    std::env::var_os("CROSS_HOST_BLESS").is_some_and(|v| v == "1")
}

/// Writes the cases file back, with the expectations this host gave.
fn write_cases(doc: &Value) {
    let text = serde_json::to_string_pretty(doc).unwrap();
    std::fs::write(cases_path(), format!("{text}\n")).unwrap();
}

/// An output as the cases write it: status, content type, the body's kind and the body
/// (JSON parsed, binary as base64, empty as null).
fn output_json(output: &Output) -> Value {
    let (kind, body) = match &output.body {
        Body::Json(text) => ("json", serde_json::from_str(text).expect("valid JSON")),
        Body::Text(text) => ("text", json!(text)),
        Body::Binary(bytes) => (
            "binary",
            json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
        ),
        Body::Empty => ("empty", Value::Null),
    };
    json!({"status": output.status, "contentType": output.content_type, "kind": kind, "body": body})
}

/// An error as the cases write it: its case, its message, and its field or status.
fn error_json(error: &ConnectorError) -> Value {
    let (kind, message, extra) = match error {
        ConnectorError::InvalidInput(e) => ("invalid-input", &e.message, json!({"field": e.field})),
        ConnectorError::InvalidConnection(m) => ("invalid-connection", m, json!({})),
        ConnectorError::Unauthorized(m) => ("unauthorized", m, json!({})),
        ConnectorError::Forbidden(m) => ("forbidden", m, json!({})),
        ConnectorError::NotFound(m) => ("not-found", m, json!({})),
        ConnectorError::Conflict(m) => ("conflict", m, json!({})),
        ConnectorError::RateLimited(r) => ("rate-limited", &r.message, json!({})),
        ConnectorError::Upstream(u) => ("upstream", &u.message, json!({"status": u.status})),
        ConnectorError::Transport(m) => ("transport", m, json!({})),
        ConnectorError::Unsupported(m) => ("unsupported", m, json!({})),
        ConnectorError::Internal(m) => ("internal", m, json!({})),
    };
    let mut out = json!({"kind": kind, "message": message});
    if let (Some(out), Some(extra)) = (out.as_object_mut(), extra.as_object()) {
        out.extend(extra.clone());
    }
    json!({"error": out})
}

/// Reads batches from `state` until the run is complete (or `max` batches),
/// every batch answered from one replay of `fixture`: the records, as the
/// cases write them, the last state, and the replay.
fn sync_run(
    connection: &Connection,
    case: &Value,
    state: Option<String>,
    max: Option<usize>,
) -> (Vec<Value>, String, Arc<Mutex<Replayer>>) {
    let har = Har::read(&fixture(case["fixture"].as_str().unwrap())).unwrap();
    let replayer = Arc::new(Mutex::new(Replayer::new(har)));
    let options = CallOptions {
        http: HttpMode::ReplayShared(replayer.clone()),
        wall_clock: Some(UNIX_EPOCH + Duration::from_secs(case["clock"].as_u64().unwrap())),
        ..CallOptions::default()
    };
    let config = case["config"].to_string();
    let (mut records, mut state, mut batches) = (Vec::new(), state, 0);
    loop {
        let outcome = host()
            .sync_read(connection, &config, state.as_deref(), &options)
            .unwrap();
        let batch = outcome.result.expect("the batch");
        for r in &batch.records {
            records.push(json!({
                "stream": r.stream,
                "id": r.id,
                "operation": match r.operation {
                    Operation::Upsert => "upsert",
                    Operation::Delete => "delete",
                },
                "data": serde_json::from_str::<Value>(&r.data).unwrap(),
            }));
        }
        state = Some(batch.state);
        batches += 1;
        if !batch.more || max.is_some_and(|m| batches >= m) {
            return (records, state.unwrap_or_default(), replayer);
        }
    }
}

#[test]
fn every_cross_host_sync_gives_its_expected_records_whole_and_resumed() {
    let (mut doc, connection) = read_cases();
    let bless = blessing();
    for case in doc["syncs"].as_array_mut().unwrap() {
        let name = case["name"].as_str().unwrap().to_string();
        let (records, state, replayer) = sync_run(&connection, case, None, None);
        assert!(
            replayer.lock().unwrap().unused().is_empty(),
            "{name}: every entry used"
        );
        let stop = case["stopAfter"].as_u64().map(|n| n as usize);
        let (mut first, at, _) = sync_run(&connection, case, None, stop);
        let (rest, resumed, _) = sync_run(&connection, case, Some(at), None);
        first.extend(rest);
        assert_eq!(
            first, records,
            "{name}: the resumed run reads what the whole one did"
        );
        assert_eq!(resumed, state, "{name}: and ends in the same state");
        let actual = json!({"records": records, "state": state});
        if bless {
            case["expect"] = actual;
        } else {
            assert_eq!(case["expect"], actual, "{name}");
        }
    }
    if bless {
        write_cases(&doc);
    }
}

/// The output or error of `case`'s action through this host, as the cases write it.
fn answer(case: &Value, connection: &Connection, options: &CallOptions) -> Value {
    let outcome = host()
        .invoke(
            case["action"].as_str().unwrap(),
            connection,
            &case["input"].to_string(),
            options,
        )
        .unwrap_or_else(|e| panic!("{}: {e:#}", case["name"]));
    match &outcome.result {
        Ok(output) => output_json(output),
        Err(error) => error_json(error),
    }
}

#[test]
fn every_cross_host_case_gives_its_expected_answer() {
    let (mut doc, connection) = read_cases();
    let bless = blessing();
    let cases = doc["cases"].as_array_mut().unwrap();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases.iter_mut() {
        let name = case["name"].as_str().unwrap().to_string();
        let fixture = case["fixture"].as_str().unwrap();
        let options = if case["strict"] == json!(false) {
            replay_lenient(fixture)
        } else {
            replay(fixture)
        };
        let actual = answer(case, &connection, &options);
        if bless {
            case["expect"] = actual;
        } else if case["expect"] != actual {
            failures.push(format!(
                "{name}:\n  expected {}\n  actual   {actual}",
                case["expect"]
            ));
        }
    }
    if bless {
        write_cases(&doc);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The HARs the Node host recorded of the cases (`CROSS_HOST_RECORD=1 npm
/// test` in `node/` writes them: each case recorded from a loopback site that
/// answers from its fixture) replay here, strictly, to the cases' answers: a
/// recording of either host replays in the other.
#[test]
fn the_node_hosts_recordings_of_the_cases_replay_here_to_the_same_answers() {
    let (doc, connection) = read_cases();
    let dir = cases_path().with_file_name("recorded-by-node");
    for (index, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
        let path = dir.join(format!("{index}.har"));
        let har = Har::read(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
        // The site the recording was made from, a loopback address.
        let origin = har.log.entries.first().map(|entry| {
            let url = url::Url::parse(&entry.request.url).unwrap();
            url.origin().ascii_serialization()
        });
        let mut site = connection.clone();
        if let Some(origin) = &origin {
            site.values["host"] = json!(origin);
        }
        let options = CallOptions {
            http: HttpMode::Replay { har, strict: true },
            ..CallOptions::default()
        };
        let mut actual = answer(case, &site, &options).to_string();
        if let Some(origin) = &origin {
            actual = actual.replace(origin.as_str(), "https://acme.atlassian.net");
        }
        let actual: Value = serde_json::from_str(&actual).unwrap();
        assert_eq!(actual, case["expect"], "{}", case["name"]);
    }
}
