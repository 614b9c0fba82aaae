//! Calls through the real component: live mode and its allow-list, record
//! mode and its redaction, replay (strict and not) of what was recorded,
//! and the host-level failures (missing component, replay miss, limits).

use crate::common::host;
use crate::local_server::serve;
use base64::Engine as _;
use host_test_harness::{CallOptions, Connection, ConnectorError, Host, HttpMode, REDACTED};
use std::time::{Duration, Instant};

const TOKEN: &str = "tok-3f9a8b7c6d";

fn connection(origin: &str) -> Connection {
    Connection::new(
        "basic",
        serde_json::json!({"email": "a@b.c", "host": origin}),
    )
}

fn temp_har(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("connector-host-{}-{name}.har", std::process::id()))
}

#[test]
fn a_missing_component_is_a_clear_error() {
    let err = Host::new("/nonexistent/connector.wasm").err().unwrap();
    assert!(err.to_string().contains("does not exist"), "{err:#}");
}

/// What a host relies on in the definitions: both connection kinds, and
/// for every action a unique key, the texts a catalog shows, and an input
/// schema that describes an object with each of the action's inputs.
#[test]
fn definitions_load() {
    let connections = host().connection_definitions().unwrap();
    let keys: Vec<&str> = connections.iter().map(|c| c.key.as_str()).collect();
    for known in ["basic", "oauth2"] {
        assert!(keys.contains(&known), "no `{known}` connection in {keys:?}");
    }
    assert_unique("connection", &keys);
    for connection in &connections {
        assert!(!connection.label.is_empty(), "{}", connection.key);
        assert!(!connection.description.is_empty(), "{}", connection.key);
        assert!(!connection.inputs.is_empty(), "{}", connection.key);
    }

    let actions = host().action_definitions().unwrap();
    assert!(!actions.is_empty(), "no actions");
    let keys: Vec<&str> = actions.iter().map(|a| a.key.as_str()).collect();
    assert_unique("action", &keys);
    for action in &actions {
        let key = &action.key;
        assert!(!key.is_empty(), "an action without a key");
        assert!(!action.label.is_empty(), "{key}: no label");
        assert!(!action.description.is_empty(), "{key}: no description");
        assert!(!action.group.is_empty(), "{key}: no group");
        let schema: serde_json::Value = serde_json::from_str(&action.input_schema)
            .unwrap_or_else(|e| panic!("{key}: the input schema is not JSON: {e}"));
        assert!(
            schema.is_object(),
            "{key}: the input schema is not an object"
        );
        assert_eq!(schema["type"], "object", "{key}: {schema}");
        let inputs: Vec<&str> = action.inputs.iter().map(|i| i.key.as_str()).collect();
        assert_unique(&format!("{key} input"), &inputs);
        for input in inputs {
            assert!(
                schema["properties"].get(input).is_some(),
                "{key}: the schema lacks the input `{input}`"
            );
        }
    }
}

/// Fails when `keys` holds one twice.
fn assert_unique(what: &str, keys: &[&str]) {
    let mut seen = std::collections::BTreeSet::new();
    for key in keys {
        assert!(seen.insert(key), "{what} key `{key}` is given twice");
    }
}

#[test]
fn live_mode_reaches_allowed_hosts_and_refuses_others() {
    let server = serve(
        200,
        &[("content-type", "application/json")],
        r#"{"results":[]}"#,
        Duration::ZERO,
    );
    let conn = connection(&server.origin());

    let allowed = CallOptions::live(&["127.0.0.1"]).secret("api-token", TOKEN);
    let outcome = host().invoke("list-spaces", &conn, "{}", &allowed).unwrap();
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    assert!(outcome.refused_hosts.is_empty());
    let sent = &outcome.exchanges[0];
    assert_eq!(sent.method, "GET");
    assert!(sent.url.contains("/wiki/api/v2/spaces"), "{}", sent.url);
    assert_eq!(sent.status, Some(200));
    assert_eq!(sent.header("authorization"), Some(REDACTED));
    // Shown with the token redacted, as a replay without secrets sends it.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("a@b.c:{REDACTED}"));
    assert_eq!(
        sent.authorization.as_deref(),
        Some(format!("Basic {basic}").as_str())
    );
    assert!(
        !format!("{outcome:?}").contains(TOKEN),
        "Debug output leaks the token"
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "GET");
    assert!(
        received[0].target.starts_with("/wiki/api/v2/spaces"),
        "{}",
        received[0].target
    );

    let refused = CallOptions::live(&["example.com"]).secret("api-token", TOKEN);
    let outcome = host().invoke("list-spaces", &conn, "{}", &refused).unwrap();
    assert_eq!(outcome.refused_hosts, vec!["127.0.0.1".to_string()]);
    // The host's refusal is final: not retried, and the error says why.
    assert_eq!(outcome.exchanges.len(), 1, "a refused request was retried");
    assert!(
        matches!(&outcome.result, Err(ConnectorError::Transport(m)) if m.contains("allow-list")),
        "{:?}",
        outcome.result
    );
    assert!(outcome.exchanges.iter().all(|e| e.status.is_none()));
    assert_eq!(
        server.received().len(),
        1,
        "a refused request reached the server"
    );
}

#[test]
fn record_redacts_secrets_and_replay_needs_no_credentials() {
    let b64 = base64::engine::general_purpose::STANDARD.encode(TOKEN);
    let body =
        format!(r#"{{"results":[{{"id":"1","key":"ENG","note":"{TOKEN} {b64}"}}],"_links":{{}}}}"#);
    let server = serve(
        200,
        &[("content-type", "application/json"), ("x-echo", TOKEN)],
        &body,
        Duration::ZERO,
    );
    let conn = connection(&server.origin());
    let har_path = temp_har("record");

    let options = CallOptions {
        http: HttpMode::Record {
            allowed_hosts: vec!["127.0.0.1".into()],
            output: har_path.clone(),
        },
        ..CallOptions::default()
    }
    .secret("api-token", TOKEN);
    let recorded = host().invoke("list-spaces", &conn, "{}", &options).unwrap();
    let live_output = recorded.result.expect("live call succeeds");

    let text = std::fs::read_to_string(&har_path).unwrap();
    assert!(!text.contains(TOKEN), "the HAR holds the token");
    assert!(!text.contains(&b64), "the HAR holds the token's base64");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("a@b.c:{TOKEN}"));
    assert!(
        !text.contains(&basic),
        "the HAR holds the Basic credentials"
    );
    let har = host_test_harness::Har::read(&har_path).unwrap();
    let auth = har.log.entries[0]
        .request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("authorization"))
        .unwrap();
    assert_eq!(auth.value, REDACTED);

    // Replay with no secrets at all: the guest is answered `REDACTED`.
    let replay = CallOptions::replay(har.clone(), true);
    let replayed = host().invoke("list-spaces", &conn, "{}", &replay).unwrap();
    let output = replayed.result.expect("replay succeeds");
    assert_eq!(output.status, live_output.status);
    let expected_auth =
        base64::engine::general_purpose::STANDARD.encode(format!("a@b.c:{REDACTED}"));
    assert_eq!(
        replayed.exchanges[0].authorization.as_deref(),
        Some(format!("Basic {expected_auth}").as_str())
    );
    assert_eq!(
        server.received().len(),
        1,
        "replay must not reach the network"
    );

    // One entry too many: strict fails, lenient lists it.
    let mut doubled = har.clone();
    doubled.log.entries.push(har.log.entries[0].clone());
    let err = host()
        .invoke(
            "list-spaces",
            &conn,
            "{}",
            &CallOptions::replay(doubled.clone(), true),
        )
        .expect_err("strict replay fails on an unused entry");
    assert!(err.to_string().contains("never used"), "{err:#}");
    let lenient = host()
        .invoke(
            "list-spaces",
            &conn,
            "{}",
            &CallOptions::replay(doubled, false),
        )
        .unwrap();
    assert_eq!(lenient.unused_har_entries.len(), 1);
    std::fs::remove_file(&har_path).unwrap();
}

#[test]
fn a_replay_miss_names_the_closest_entry() {
    let har = host_test_harness::Har::parse(
        r#"{"log":{"entries":[{"request":{"method":"GET","url":"http://127.0.0.1:9/wiki/api/v2/pages"},
            "response":{"status":200,"content":{"mimeType":"application/json","text":"{}"}}}]}}"#,
    )
    .unwrap();
    let err = host()
        .invoke(
            "list-spaces",
            &connection("http://127.0.0.1:9"),
            "{}",
            &CallOptions::replay(har, false),
        )
        .expect_err("a miss is a host-level failure");
    let message = err.to_string();
    assert!(
        message.contains("no HAR entry matches GET http://127.0.0.1:9/wiki/api/v2/spaces"),
        "{message}"
    );
    assert!(message.contains("closest is entry #1"), "{message}");
}

#[test]
fn a_call_blocked_on_the_network_ends_at_its_time_limit() {
    let server = serve(200, &[], "{}", Duration::from_secs(30));
    let mut options = CallOptions::live(&["127.0.0.1"]).secret("api-token", TOKEN);
    options.time_limit = Duration::from_secs(2);
    let started = Instant::now();
    let err = host()
        .invoke("list-spaces", &connection(&server.origin()), "{}", &options)
        .expect_err("the call times out");
    assert_eq!(
        err.to_string(),
        "the component exceeded its time limit of 2 s"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_memory_limit_below_the_component_s_needs_is_a_clear_error() {
    let options = CallOptions {
        memory_limit: 1024 * 1024,
        ..CallOptions::default()
    };
    let err = host()
        .invoke(
            "list-spaces",
            &connection("http://127.0.0.1:9"),
            "{}",
            &options,
        )
        .expect_err("instantiation fails");
    assert_eq!(
        err.to_string(),
        "the component exceeded its memory limit of 1 MiB"
    );
}

#[test]
fn an_outcome_reports_the_guest_s_peak_memory() {
    let answering = |body: String| CallOptions {
        http: HttpMode::Respond {
            status: 200,
            content_type: "application/json".into(),
            body,
        },
        ..CallOptions::default()
    };
    let conn = connection("http://127.0.0.1:9");
    let small = host()
        .invoke(
            "get-space",
            &conn,
            r#"{"space-id": "1"}"#,
            &answering(r#"{"id":"1"}"#.into()),
        )
        .unwrap();
    assert!(small.result.is_ok(), "{:?}", small.result);
    assert!(small.peak_memory > 0);
    assert!(small.peak_memory <= host_test_harness::DEFAULT_MEMORY_LIMIT);

    // A 4 MiB answer is held in the guest's memory, so the peak grows past it.
    let big_body = format!(r#"{{"id":"1","name":"{}"}}"#, "x".repeat(4 << 20));
    let big = host()
        .invoke(
            "get-space",
            &conn,
            r#"{"space-id": "1"}"#,
            &answering(big_body),
        )
        .unwrap();
    assert!(big.result.is_ok(), "{:?}", big.result);
    assert!(
        big.peak_memory >= small.peak_memory + (4 << 20),
        "{} then {}",
        small.peak_memory,
        big.peak_memory
    );
}

#[test]
fn an_address_too_long_to_send_is_refused_once_without_echoing_it() {
    // 10 MB of path: before, the host refused it (64 KiB is its limit), the
    // guest called that a transport failure, retried it four times and
    // quoted the whole address in its error.
    let url = format!("/wiki/api/v2/pages/{}", "a".repeat(10 * 1024 * 1024));
    let input = serde_json::json!({"url": url, "method": "GET"}).to_string();
    let options = CallOptions::live(&["127.0.0.1"]).secret("api-token", TOKEN);
    let outcome = host()
        .invoke(
            "raw-request",
            &connection("http://127.0.0.1:9"),
            &input,
            &options,
        )
        .unwrap();
    assert!(
        outcome.exchanges.is_empty(),
        "{:?}",
        outcome.exchanges.len()
    );
    match &outcome.result {
        Err(ConnectorError::InvalidInput(f)) => {
            assert!(f.message.contains("32 KiB"), "{}", f.message);
            assert!(
                f.message.len() < 2000,
                "{} bytes of message",
                f.message.len()
            );
        }
        other => panic!("{other:?}"),
    }
}
