//! Secrets never reach an output, an error, a log line or a recorded HAR, and
//! the credential goes only to the connection's site or api.atlassian.com:
//! every fixture's call, and every action recorded against a local server,
//! runs with known secret values and `debug` on, and every text the call
//! produced is searched for those values and their base64 forms.

mod common;
mod local_server;

use base64::Engine as _;
use common::scenarios_sync::{SYNC_SCENARIOS, T0, T1, run_in, scratch, sync_options};
use common::{all_scenarios, basic_with, example_input, fixture, host};
use host_test_harness::{Body, CallOptions, HttpMode};
use serde_json::{Value, json};

const API_TOKEN: &str = "tok-6c1f0e9d-SECRET";
const ACCESS_TOKEN: &str = "at-2b7e44a1-SECRET";
const CLIENT_SECRET: &str = "cs-91d3a5f0-SECRET";

/// Every form of every secret a leak could take.
fn needles() -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut needles = Vec::new();
    for secret in [API_TOKEN, ACCESS_TOKEN, CLIENT_SECRET] {
        needles.push(secret.to_string());
        needles.push(b64(secret));
    }
    // The Basic credential as the component builds it.
    needles.push(b64(&format!("jane@acme.com:{API_TOKEN}")));
    needles
}

#[test]
fn no_secret_in_any_output_error_or_log_line() {
    let needles = needles();
    let mut calls = 0;
    let scenarios = all_scenarios();
    for scenario in &scenarios {
        let options = CallOptions::replay_file(fixture(scenario.fixture), true)
            .unwrap()
            .secret("api-token", API_TOKEN)
            .secret("access-token", ACCESS_TOKEN)
            .secret("client-secret", CLIENT_SECRET);
        let connection = (scenario.connection)();
        let mut texts: Vec<String> = Vec::new();
        let outcome = match scenario.action {
            Some(action) => {
                let mut input: serde_json::Value = serde_json::from_str(scenario.input).unwrap();
                input["debug"] = serde_json::Value::Bool(true);
                let outcome = host()
                    .invoke(action, &connection, &input.to_string(), &options)
                    .unwrap();
                match &outcome.result {
                    Ok(out) => texts.push(match &out.body {
                        Body::Json(t) | Body::Text(t) => t.clone(),
                        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
                        Body::Empty => String::new(),
                    }),
                    Err(e) => texts.push(format!("{e:?}")),
                }
                (outcome.logs, outcome.exchanges)
            }
            None => {
                let outcome = host().check(&connection, &options).unwrap();
                texts.push(format!("{:?}", outcome.result));
                (outcome.logs, outcome.exchanges)
            }
        };
        let (logs, exchanges) = outcome;
        for exchange in &exchanges {
            if exchange.authorization.is_some() {
                let host = url::Url::parse(&exchange.url).unwrap();
                assert!(
                    matches!(
                        host.host_str(),
                        Some("acme.atlassian.net" | "beta.atlassian.net" | "api.atlassian.com")
                    ),
                    "{}: the credential went to {}",
                    scenario.fixture,
                    exchange.url
                );
            }
        }
        texts.extend(logs.iter().map(|l| format!("{} {}", l.context, l.message)));
        for exchange in &exchanges {
            texts.push(exchange.url.clone());
            texts.push(exchange.request_body.clone());
            texts.extend(
                exchange
                    .request_headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}")),
            );
        }
        for text in &texts {
            for needle in &needles {
                assert!(
                    !text.contains(needle.as_str()),
                    "{}: a secret leaked into: {text}",
                    scenario.fixture
                );
            }
        }
        calls += 1;
    }
    println!("{calls} calls scanned for {} secret forms", needles.len());
    assert_eq!(calls, scenarios.len());
}

#[test]
fn a_secret_stored_in_the_connection_values_is_refused_without_echoing_it() {
    let connection = host_test_harness::Connection::new(
        "basic",
        serde_json::json!({"email": "jane@acme.com", "host": "acme.atlassian.net", "api-token": API_TOKEN}),
    );
    let options = CallOptions::replay_file(fixture("list-spaces"), false).unwrap();
    let outcome = host()
        .invoke("list-spaces", &connection, "{}", &options)
        .unwrap();
    let message = format!("{:?}", outcome.result.unwrap_err());
    assert!(
        message.contains("InvalidConnection") && message.contains("api-token"),
        "{message}"
    );
    assert!(!message.contains(API_TOKEN));
    assert!(outcome.exchanges.is_empty());
}

#[test]
fn every_fixture_is_scanned() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "har") {
            let name = path.file_stem().unwrap().to_str().unwrap();
            assert!(
                all_scenarios().iter().any(|s| s.fixture == name)
                    || SYNC_SCENARIOS.iter().any(|s| s.fixture == name),
                "{name}.har has no scenario in tests/common"
            );
        }
    }
}

/// Every action, once, recorded against a server on 127.0.0.1 that answers
/// anything with one canned item: no secret in the output, the error, the
/// logs, the exchanges or the HAR written.
#[test]
fn every_action_recorded_leaks_no_secret() {
    let canned = r#"{"id":"1","key":"release","title":"Example","status":"current","version":{"number":1},
        "value":"x","downloadLink":"/download/attachments/1/a.txt","label":{"id":"1","name":"x"},
        "results":[],"_links":{}}"#;
    let server = local_server::serve(
        200,
        &[("content-type", "application/json")],
        canned,
        std::time::Duration::ZERO,
    );
    let connection = basic_with(json!({"email": "jane@acme.com", "host": server.origin()}));
    let needles = needles();
    let dir = std::env::temp_dir().join(format!("secrets-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let actions = host().action_definitions().unwrap();
    for action in &actions {
        let har = dir.join(format!("{}.har", action.key));
        let options = CallOptions {
            http: HttpMode::Record {
                allowed_hosts: vec!["127.0.0.1".into()],
                output: har.clone(),
            },
            ..CallOptions::default()
        }
        .secret("api-token", API_TOKEN)
        .secret("access-token", ACCESS_TOKEN)
        .secret("client-secret", CLIENT_SECRET);
        let mut input = example_input(action);
        input["debug"] = Value::Bool(true);
        let outcome = host()
            .invoke(&action.key, &connection, &input.to_string(), &options)
            .unwrap();
        let mut texts = vec![format!("{:?}", outcome.result)];
        if let Ok(out) = &outcome.result {
            texts.push(match &out.body {
                Body::Json(t) | Body::Text(t) => t.clone(),
                Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
                Body::Empty => String::new(),
            });
        }
        texts.extend(outcome.logs.iter().map(|l| l.to_string()));
        texts.extend(outcome.exchanges.iter().map(|e| format!("{e:?}")));
        texts.push(std::fs::read_to_string(&har).unwrap());
        assert!(
            outcome.result.is_ok(),
            "{}: {:?}",
            action.key,
            outcome.result
        );
        for text in &texts {
            for needle in &needles {
                assert!(
                    !text.contains(needle.as_str()),
                    "{}: a secret leaked into: {text}",
                    action.key
                );
            }
        }
    }
    // The server did see the credential: the redaction above is not an accident of nothing sent.
    let credential =
        base64::engine::general_purpose::STANDARD.encode(format!("jane@acme.com:{API_TOKEN}"));
    assert!(server.received().iter().any(|r| {
        r.headers
            .iter()
            .any(|(n, v)| n == "authorization" && v.contains(&credential))
    }));
    std::fs::remove_dir_all(dir).unwrap();
    println!("{} actions recorded and scanned", actions.len());
}

/// Every sync run of the fixture site with known secrets: no secret in the
/// records, the state or the errors.
#[test]
fn no_secret_in_any_sync_record_or_state() {
    let needles = needles();
    for scenario in SYNC_SCENARIOS {
        let dir = scratch(&format!("secrets-{}", scenario.fixture));
        let with_secrets = |fixture: &str, at: u64| {
            sync_options(fixture, true, at)
                .secret("api-token", API_TOKEN)
                .secret("access-token", ACCESS_TOKEN)
        };
        if let Some(first) = scenario.after {
            run_in(&dir, scenario.config, &with_secrets(first, T0), None).unwrap();
        }
        let at = if scenario.after.is_some() { T1 } else { T0 };
        let run = run_in(
            &dir,
            scenario.config,
            &with_secrets(scenario.fixture, at),
            None,
        )
        .unwrap();
        let texts = [
            std::fs::read_to_string(dir.join("records.jsonl")).unwrap_or_default(),
            run.state.clone(),
        ];
        for text in &texts {
            for needle in &needles {
                assert!(
                    !text.contains(needle.as_str()),
                    "{}: a secret leaked",
                    scenario.fixture
                );
            }
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
