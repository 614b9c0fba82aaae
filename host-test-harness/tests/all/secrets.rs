//! Secrets never reach an output, an error, a log line or a recorded HAR, and
//! the credential goes only to the connection's site or api.atlassian.com:
//! every fixture's call, and every action recorded against a local server,
//! runs with known secret values and `debug` on, and every text the call
//! produced is searched for those values and their base64 forms.

use crate::common::scenarios_sync::{SYNC_SCENARIOS, T0, T1, run_over, scratch, sync_options};
use crate::common::{all_scenarios, basic_with, cli, example_input, fixture, host, oauth_stored};
use crate::local_server;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use host_test_harness::{
    Body, CallOptions, Connection, Exchange, HttpMode, Outcome, Output, SyncJob, json as render,
    run_sync,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const API_TOKEN: &str = "tok-6c1f0e9d-SECRET";
const ACCESS_TOKEN: &str = "at-2b7e44a1-SECRET";
const CLIENT_SECRET: &str = "cs-91d3a5f0-SECRET";

/// The secrets of the reflecting-site tests: their `+`, `/` and `=` make the
/// percent-encoded forms differ from the plain ones, and a run of `~` and of
/// `?` puts `+` and `/` in their base64 (so the URL-safe forms differ too)
/// wherever they are aligned.
const REFLECTED_EMAIL: &str = "jane+ci@acme.com";
const REFLECTED_TOKEN: &str = "ATATT3xFf+G/0-k_SECRET=A1B2~~~~~~??????";
const REFLECTED_ACCESS_TOKEN: &str = "eyJhbGc+iOi/JSUzI1-SECRET==~~~~~~??????";

/// `text` percent-encoded as a URL carries it: every byte but the unreserved
/// ones as `%XX`.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every form `value` can take in an output: itself, its standard and
/// URL-safe base64 (padded and not), and the percent-encoding of each.
fn forms(value: &str) -> Vec<String> {
    let mut plain = vec![value.to_string()];
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        plain.push(engine.encode(value));
    }
    let mut all: Vec<String> = plain.iter().flat_map(|p| [p.clone(), percent(p)]).collect();
    all.sort();
    all.dedup();
    all
}

/// Every form of the Basic credential the component sends: the token,
/// `email:token` and the whole `Authorization` value, each in all its forms.
fn basic_forms(email: &str, token: &str) -> Vec<String> {
    let credential = format!("{email}:{token}");
    let authorization = format!("Basic {}", STANDARD.encode(&credential));
    [token, &credential, &authorization]
        .iter()
        .flat_map(|v| forms(v))
        .collect()
}

/// Every form of a bearer credential: the token and the `Authorization` value.
fn bearer_forms(token: &str) -> Vec<String> {
    [token, &format!("Bearer {token}")]
        .iter()
        .flat_map(|v| forms(v))
        .collect()
}

/// Every form of every secret a leak could take.
fn needles() -> Vec<String> {
    let mut needles: Vec<String> = [API_TOKEN, ACCESS_TOKEN, CLIENT_SECRET]
        .iter()
        .flat_map(|s| forms(s))
        .collect();
    // The Basic credential as the component builds it, and the bearer one.
    needles.extend(basic_forms("jane@acme.com", API_TOKEN));
    needles.extend(bearer_forms(ACCESS_TOKEN));
    needles
}

/// Fails when one of `texts` (what `what` produced) holds one of `needles`.
fn assert_clean(what: &str, texts: &[String], needles: &[String]) {
    for text in texts {
        for needle in needles {
            assert!(
                !text.contains(needle.as_str()),
                "{what}: a secret ({needle}) leaked into: {text}"
            );
        }
    }
}

/// An output's body as text (binary bytes lossily, so a secret among them shows).
fn body_text(out: &Output) -> String {
    match &out.body {
        Body::Json(t) | Body::Text(t) => t.clone(),
        Body::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        Body::Empty => String::new(),
    }
}

/// Every text a library call hands back: the outcome as `Debug`, the result
/// as the CLI renders it (and an output's body as text), every log line, and
/// every part of every exchange.
fn outcome_texts<T: std::fmt::Debug>(
    outcome: &Outcome<T>,
    rendered: impl Fn(&T) -> Vec<String>,
) -> Vec<String> {
    let mut texts = vec![format!("{outcome:?}")];
    match &outcome.result {
        Ok(value) => texts.extend(rendered(value)),
        Err(e) => texts.push(render::error(e).to_string()),
    }
    texts.extend(outcome.logs.iter().map(|l| l.to_string()));
    texts.extend(outcome.exchanges.iter().flat_map(exchange_texts));
    texts
}

/// Every part of an exchange, the raw `authorization` field included.
fn exchange_texts(exchange: &Exchange) -> Vec<String> {
    let mut texts = vec![exchange.url.clone(), exchange.request_body.clone()];
    texts.extend(
        exchange
            .request_headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}")),
    );
    texts.extend(exchange.authorization.clone());
    texts.extend(exchange.error.clone());
    texts
}

/// The texts of an action's outcome.
fn invoke_texts(outcome: &Outcome<Output>) -> Vec<String> {
    outcome_texts(outcome, |out| {
        vec![body_text(out), render::output(out).to_string()]
    })
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
        let (texts, exchanges, redactions) = match scenario.action {
            Some(action) => {
                let mut input: serde_json::Value = serde_json::from_str(scenario.input).unwrap();
                input["debug"] = serde_json::Value::Bool(true);
                let outcome = host()
                    .invoke(action, &connection, &input.to_string(), &options)
                    .unwrap();
                (
                    invoke_texts(&outcome),
                    outcome.exchanges,
                    outcome.redactions,
                )
            }
            None => {
                let outcome = host().check(&connection, &options).unwrap();
                let texts = outcome_texts(&outcome, |info| {
                    vec![render::connection_info(info).to_string()]
                });
                (texts, outcome.exchanges, outcome.redactions)
            }
        };
        // The component itself put no secret in its result or its logs: the
        // host had nothing to redact there.
        assert_eq!(redactions, 0, "{}", scenario.fixture);
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
        assert_clean(scenario.fixture, &texts, &needles);
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
                "{name}.har has no scenario in tests/all/common"
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
        "body":{"storage":{"representation":"storage","value":"<h2>Example</h2><p>x</p>"}},
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
        let mut texts = invoke_texts(&outcome);
        texts.push(std::fs::read_to_string(&har).unwrap());
        assert!(
            outcome.result.is_ok(),
            "{}: {:?}",
            action.key,
            outcome.result
        );
        assert_clean(&action.key, &texts, &needles);
    }
    // The server did see the credential: the redaction above is not an accident of nothing sent.
    let credential = STANDARD.encode(format!("jane@acme.com:{API_TOKEN}"));
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
    let mut scanned = 0;
    for scenario in SYNC_SCENARIOS {
        let dir = scratch(&format!("secrets-{}", scenario.fixture));
        let with_secrets = |fixture: &str, at: u64| {
            sync_options(fixture, true, at)
                .secret("api-token", API_TOKEN)
                .secret("access-token", ACCESS_TOKEN)
        };
        let connection = scenario.connection();
        if let Some(first) = scenario.after {
            let options = with_secrets(first, T0);
            run_over(&connection, &dir, scenario.config, &options, None).unwrap();
        }
        let at = if scenario.after.is_some() { T1 } else { T0 };
        let options = with_secrets(scenario.fixture, at);
        let run = run_over(&connection, &dir, scenario.config, &options, None).unwrap();
        // A run that wrote nothing would pass the scan below: both files must
        // be there, the records as many as the run reports, the state JSON.
        let records = std::fs::read_to_string(dir.join("records.jsonl"))
            .unwrap_or_else(|e| panic!("{}: no records file: {e}", scenario.fixture));
        let lines = records.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(
            lines >= run.records.len().max(1),
            "{}: {lines} records written, the run reports {}",
            scenario.fixture,
            run.records.len()
        );
        let state = std::fs::read_to_string(dir.join("state.json"))
            .unwrap_or_else(|e| panic!("{}: no state file: {e}", scenario.fixture));
        assert!(
            serde_json::from_str::<Value>(&state).is_ok_and(|s| s.is_object()),
            "{}: the state is not a JSON object: {state:?}",
            scenario.fixture
        );
        scanned += lines;
        let texts = [records, state];
        assert_clean(scenario.fixture, &texts, &needles);
        std::fs::remove_dir_all(dir).unwrap();
    }
    println!("{scanned} records scanned");
    // 181 records over every scenario when this bound was set.
    assert!(
        scanned >= 181,
        "only {scanned} records scanned; there were 181"
    );
}

/// The credential inside an `Authorization` value: `email:token` and the
/// token of a Basic one, the token (twice) of a bearer one.
fn credential_of(authorization: &str) -> (String, String) {
    match authorization.split_once(' ') {
        Some(("Basic", encoded)) => {
            let credential =
                String::from_utf8(STANDARD.decode(encoded).unwrap_or_default()).unwrap_or_default();
            let token = credential.split_once(':').map(|(_, t)| t.to_string());
            (credential.clone(), token.unwrap_or_default())
        }
        Some((_, token)) => (token.to_string(), token.to_string()),
        None => (String::new(), String::new()),
    }
}

/// What the reflecting site answers one request.
struct Reflection {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// How a site that echoes what it is sent answers a request to `target`
/// carrying `headers`: the request's headers and its credential in every
/// form (plain, base64, URL-safe base64, percent-encoded) in a JSON body
/// shaped like a Confluence item (and a list of one), in the response headers
/// (`X-Echo-Authorization`, `Set-Cookie: session=<authorization>`), in the
/// bytes of a binary body (downloads and `/binary` paths), and quoted in the
/// message of a 401 (`/unauthorized` paths, or every request when `refuse`).
fn reflection(target: &str, headers: &[(String, String)], refuse: bool) -> Reflection {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let authorization = header("authorization");
    let (credential, token) = credential_of(&authorization);
    let echo = json!({
        "target": target,
        "request-headers": headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("cookie"))
            .map(|(n, v)| (n.clone(), Value::String(v.clone())))
            .collect::<serde_json::Map<_, _>>(),
        "authorization": authorization,
        "credential": credential,
        "token": token,
        "authorization-base64": STANDARD.encode(&authorization),
        "authorization-base64url": URL_SAFE_NO_PAD.encode(&authorization),
        "credential-base64url": URL_SAFE.encode(&credential),
        "token-base64": STANDARD_NO_PAD.encode(&token),
        "authorization-percent": percent(&authorization),
        "credential-percent": percent(&credential),
        "token-percent": percent(&token),
    });
    let (status, content_type, body) = if refuse || target.contains("/unauthorized") {
        // Plain, and in forms a component's own scrubbing may not know.
        let message = format!(
            "Client must be authenticated: {authorization} was refused (token {token} {}, credential {credential} {} {})",
            percent(&token),
            STANDARD.encode(&token),
            URL_SAFE_NO_PAD.encode(&credential),
        );
        let body = json!({"statusCode": 401, "message": message, "echo": echo});
        (401, "application/json", body.to_string().into_bytes())
    } else if target.contains("/download/") || target.contains("/binary") {
        // Not UTF-8, so a HAR holds it as base64.
        let mut body = vec![0x89, b'B', b'I', b'N', 0x00, 0xff, 0xfe];
        for part in [&authorization, &credential, &token, &echo.to_string()] {
            body.extend_from_slice(part.as_bytes());
            body.extend_from_slice(&[0x00, 0xc3, 0x28]);
        }
        (200, "application/octet-stream", body)
    } else {
        let item = json!({
            "id": "1", "key": "ENG", "name": "Echo", "title": "Echo", "type": "known",
            "status": "current", "accountId": "557058:echo", "displayName": "Echo",
            "spaceId": "1", "pageId": "1",
            "version": {"number": 1, "createdAt": "2026-11-01T00:00:00.000Z"},
            "downloadLink": "/wiki/download/attachments/1/echo.bin",
            "mediaType": "application/octet-stream", "fileSize": 64,
            "body": {"storage": {"value": format!("<p>{authorization}</p>"), "representation": "storage"}},
            "echo": echo, "_links": {},
        });
        let mut body = item.clone();
        body["results"] = json!([item]);
        (200, "application/json", body.to_string().into_bytes())
    };
    Reflection {
        status,
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("x-echo-authorization".into(), authorization.clone()),
            (
                "set-cookie".into(),
                format!("session={authorization}; Path=/"),
            ),
            ("set-cookie".into(), format!("theme={PLAIN_COOKIE}; Path=/")),
        ],
        body,
    }
}

/// A cookie with no secret in it: a recording keeps no cookie at all.
const PLAIN_COOKIE: &str = "plain-cookie-value";
/// The cookie a raw request sends.
const REQUEST_COOKIE: &str = "request-cookie-value";

/// The reflecting site on 127.0.0.1.
fn reflecting_site(refuse: bool) -> local_server::Server {
    local_server::serve_request(move |request, stream| {
        use std::io::Write;
        let answer = reflection(&request.target, &request.headers, refuse);
        let mut head = format!(
            "HTTP/1.1 {} X\r\nconnection: close\r\ncontent-length: {}\r\n",
            answer.status,
            answer.body.len()
        );
        for (n, v) in &answer.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&answer.body);
    })
}

/// The same answers as a HAR for `exchanges` (the requests a call sends, as a
/// dry run saw them), for credentials the 127.0.0.1 site cannot be sent to:
/// OAuth calls go to api.atlassian.com.
fn reflecting_har(exchanges: &[Exchange], authorization: &str, refuse: bool) -> Value {
    let entries: Vec<Value> = exchanges
        .iter()
        .map(|e| {
            let url = url::Url::parse(&e.url).unwrap();
            let target = &e.url[url.origin().ascii_serialization().len()..];
            let headers = [("authorization".to_string(), authorization.to_string())];
            let answer = reflection(target, &headers, refuse);
            let content_type = &answer.headers[0].1;
            let content = match std::str::from_utf8(&answer.body) {
                Ok(text) => json!({"mimeType": content_type, "text": text}),
                Err(_) => json!({"mimeType": content_type, "text": STANDARD.encode(&answer.body), "encoding": "base64"}),
            };
            let headers: Vec<Value> = answer
                .headers
                .iter()
                .map(|(n, v)| json!({"name": n, "value": v}))
                .collect();
            json!({
                "request": {"method": e.method, "url": e.url},
                "response": {"status": answer.status, "headers": headers, "content": content},
            })
        })
        .collect();
    json!({"log": {"entries": entries}})
}

/// The calls run against a reflecting site: `check` (no action), then actions
/// with their inputs (each also with `debug` on).
const REFLECTED_CALLS: &[(Option<&str>, &str)] = &[
    (None, ""),
    (Some("get-current-user"), "{}"),
    (Some("get-page"), r#"{"page-id": "1"}"#),
    (Some("download-attachment"), r#"{"attachment-id": "att1"}"#),
    (
        Some("raw-request"),
        r#"{"url": "/wiki/rest/api/echo", "header": {"Cookie": "sid=request-cookie-value"}}"#,
    ),
    (
        Some("raw-request"),
        r#"{"url": "/wiki/rest/api/binary", "response-type": "binary"}"#,
    ),
    (
        Some("raw-request"),
        r#"{"url": "/wiki/rest/api/unauthorized"}"#,
    ),
];

/// The sync the reflecting-site tests run: content streams, attachment bytes included.
const REFLECTED_SYNC_CONFIG: &str = r#"{"streams": {"groups": false, "space-permissions": false, "audit": false}, "attachment-bytes": {"include": true}}"#;

/// One of the two credentials the reflecting-site tests send.
struct Credential {
    connection: Connection,
    /// The secret's key and the environment variable the CLI reads it from.
    key: &'static str,
    env: &'static str,
    token: &'static str,
    /// Every form of it.
    needles: Vec<String>,
}

fn basic_credential(site: &str) -> Credential {
    Credential {
        connection: basic_with(json!({"email": REFLECTED_EMAIL, "host": site})),
        key: "api-token",
        env: "CONFLUENCE_API_TOKEN",
        token: REFLECTED_TOKEN,
        needles: basic_forms(REFLECTED_EMAIL, REFLECTED_TOKEN),
    }
}

fn bearer_credential() -> Credential {
    Credential {
        connection: oauth_stored(),
        key: "access-token",
        env: "CONFLUENCE_ACCESS_TOKEN",
        token: REFLECTED_ACCESS_TOKEN,
        needles: bearer_forms(REFLECTED_ACCESS_TOKEN),
    }
}

/// Where a reflected call is answered: the 127.0.0.1 site, recorded to a HAR
/// (Basic), or a HAR of its reflections, replayed strictly (OAuth).
enum Answered {
    Recorded,
    Replayed(PathBuf),
}

impl Answered {
    fn options(&self, har: &Path, credential: &Credential) -> CallOptions {
        let options = match self {
            Answered::Recorded => CallOptions {
                http: HttpMode::Record {
                    allowed_hosts: vec!["127.0.0.1".into()],
                    output: har.to_path_buf(),
                },
                ..CallOptions::default()
            },
            Answered::Replayed(path) => CallOptions::replay_file(path, true).unwrap(),
        };
        options.secret(credential.key, credential.token)
    }

    fn flags(&self, har: &Path) -> Vec<String> {
        match self {
            Answered::Recorded => vec![
                "--record".into(),
                har.display().to_string(),
                "--allow-host".into(),
                "127.0.0.1".into(),
            ],
            Answered::Replayed(path) => {
                vec![
                    "--replay".into(),
                    path.display().to_string(),
                    "--strict".into(),
                ]
            }
        }
    }
}

/// The action's input with `debug` on.
fn debug_input(input: &str) -> String {
    let mut input: Value = serde_json::from_str(input).unwrap();
    input["debug"] = Value::Bool(true);
    input.to_string()
}

/// A file's text (lossily), or nothing when the call wrote none.
fn file_text(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// A recording keeps no cookie: neither the one the request sent nor those the site set.
fn assert_no_cookie(what: &str, har: &str) {
    for cookie in [PLAIN_COOKIE, REQUEST_COOKIE] {
        assert!(
            !har.contains(cookie),
            "{what}: a cookie was recorded: {har}"
        );
    }
}

/// Runs one reflected call through the library and through the CLI, and
/// returns every text each produced (and the recorded HARs, checked for cookies).
fn reflected_call(
    dir: &Path,
    name: &str,
    call: (Option<&str>, &str),
    credential: &Credential,
    answered: &Answered,
    refused: bool,
) -> Vec<String> {
    let (action, input) = call;
    let what = format!("{name}: {}", action.unwrap_or("check"));
    let lib_har = dir.join(format!("{name}-lib.har"));
    let options = answered.options(&lib_har, credential);
    let (mut texts, redactions) = match action {
        None => {
            let outcome = host().check(&credential.connection, &options).unwrap();
            let texts = outcome_texts(&outcome, |info| {
                vec![render::connection_info(info).to_string()]
            });
            (texts, outcome.redactions)
        }
        Some(action) => {
            let outcome = host()
                .invoke(
                    action,
                    &credential.connection,
                    &debug_input(input),
                    &options,
                )
                .unwrap();
            (invoke_texts(&outcome), outcome.redactions)
        }
    };
    // The site did reflect the credential into what the component returned
    // or logged (a check's site and logs hold none of its answer).
    if action.is_some() || refused {
        assert!(
            redactions > 0,
            "{what}: nothing was reflected, nothing redacted"
        );
    }
    let connection_file = dir.join(format!("{name}-connection.json"));
    std::fs::write(
        &connection_file,
        serde_json::to_string(&credential.connection).unwrap(),
    )
    .unwrap();
    let cli_har = dir.join(format!("{name}-cli.har"));
    let saved = dir.join(format!("{name}-saved"));
    let mut args: Vec<String> = match action {
        None => vec!["check".into()],
        Some(action) => vec![
            "invoke".into(),
            action.into(),
            "--input".into(),
            debug_input(input),
            "--save".into(),
            saved.display().to_string(),
        ],
    };
    args.extend(["--connection".into(), connection_file.display().to_string()]);
    args.extend(answered.flags(&cli_har));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cli::run(&args, &[(credential.env, credential.token)]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{what}: the CLI failed: {stderr}"
    );
    texts.push(String::from_utf8_lossy(&out.stdout).into_owned());
    texts.push(stderr);
    texts.push(file_text(&saved));
    for har in [lib_har, cli_har] {
        let text = file_text(&har);
        assert_no_cookie(&what, &text);
        texts.push(text);
    }
    texts
}

/// A sync of the reflecting site through the library and through the CLI:
/// every text each produced (records, state, errors, summary, HARs).
fn reflected_sync(
    dir: &Path,
    name: &str,
    credential: &Credential,
    answered: &Answered,
    refused: bool,
) -> Vec<String> {
    let lib = dir.join(format!("{name}-lib"));
    std::fs::create_dir_all(&lib).unwrap();
    let har = lib.join("sync.har");
    let options = answered.options(&har, credential);
    let job = SyncJob {
        connection: &credential.connection,
        config: REFLECTED_SYNC_CONFIG,
        state_path: &lib.join("state.json"),
        out: &lib.join("records.jsonl"),
        options: &options,
        max_batches: Some(40),
        fresh: true,
    };
    let summary = run_sync(host(), &job, &mut |_| {});
    let mut texts = vec![
        format!("{summary:?}"),
        file_text(&lib.join("records.jsonl")),
        file_text(&lib.join("state.json")),
        file_text(&har),
    ];
    let cli_dir = dir.join(format!("{name}-cli"));
    std::fs::create_dir_all(&cli_dir).unwrap();
    let file = |n: &str| cli_dir.join(n).display().to_string();
    std::fs::write(
        file("connection.json"),
        serde_json::to_string(&credential.connection).unwrap(),
    )
    .unwrap();
    std::fs::write(file("config.json"), REFLECTED_SYNC_CONFIG).unwrap();
    let mut args: Vec<String> = ["sync", "--connection"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend([
        file("connection.json"),
        "--config".into(),
        file("config.json"),
        "--state".into(),
        file("state.json"),
        "--out".into(),
        file("records.jsonl"),
        "--fresh".into(),
    ]);
    args.extend(answered.flags(&cli_dir.join("sync.har")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = cli::run(&args, &[(credential.env, credential.token)]);
    // A reflecting site syncs (records that quote the credential); a
    // refusing one fails at once, quoting it.
    let records = |dir: &Path| file_text(&dir.join("records.jsonl")).lines().count();
    let ran = (summary.is_ok(), out.status.success());
    assert_eq!(ran, (!refused, !refused), "{name}: {summary:?}");
    assert_eq!(records(&lib) > 0, !refused, "{name}");
    assert_eq!(records(&cli_dir) > 0, !refused, "{name}");
    texts.push(String::from_utf8_lossy(&out.stdout).into_owned());
    texts.push(String::from_utf8_lossy(&out.stderr).into_owned());
    for name in ["records.jsonl", "state.json", "sync.har"] {
        texts.push(file_text(&cli_dir.join(name)));
    }
    for har in [&texts[3], texts.last().unwrap()] {
        assert_no_cookie(&format!("{name}: sync"), har);
    }
    texts
}

/// A site that reflects the Basic credential into everything it answers (and
/// one that refuses it with a 401 quoting it): `check`, actions (JSON,
/// binary, raw, errors) and a sync, each through the library and the CLI,
/// recorded, with `debug` on. No output, error, log line, exchange, saved
/// file, record, state or recorded HAR holds any form of the credential.
#[test]
fn a_site_reflecting_the_basic_credential_gets_it_into_no_output() {
    let dir = scratch("secrets-reflect-basic");
    for refuse in [false, true] {
        let site = reflecting_site(refuse);
        let credential = basic_credential(&site.origin());
        let kind = if refuse { "refusing" } else { "reflecting" };
        for (n, call) in REFLECTED_CALLS.iter().enumerate() {
            let name = format!("{kind}-{n}");
            let texts =
                reflected_call(&dir, &name, *call, &credential, &Answered::Recorded, refuse);
            assert_clean(&name, &texts, &credential.needles);
        }
        let name = format!("{kind}-sync");
        let texts = reflected_sync(&dir, &name, &credential, &Answered::Recorded, refuse);
        assert_clean(&name, &texts, &credential.needles);
        // The site did get the credential, so it did reflect it.
        let sent = format!(
            "Basic {}",
            STANDARD.encode(format!("{REFLECTED_EMAIL}:{REFLECTED_TOKEN}"))
        );
        let received = site.received();
        assert!(
            received.len() > 2 * REFLECTED_CALLS.len(),
            "{}",
            received.len()
        );
        assert!(received.iter().all(|r| {
            r.headers
                .iter()
                .any(|(n, v)| n == "authorization" && *v == sent)
        }));
    }
    let out = cli::run(
        &["definitions"],
        &[("CONFLUENCE_API_TOKEN", REFLECTED_TOKEN)],
    );
    assert!(out.status.success());
    let needles = basic_forms(REFLECTED_EMAIL, REFLECTED_TOKEN);
    let texts = [&out.stdout, &out.stderr].map(|b| String::from_utf8_lossy(b).into_owned());
    assert_clean("definitions", &texts, &needles);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The requests `run` sends when every answer is `status` with the reflecting
/// site's JSON body: a dry run to learn what a reflecting HAR must answer.
fn dry_run(
    credential: &Credential,
    refuse: bool,
    run: impl Fn(&CallOptions) -> Vec<Exchange>,
) -> Vec<Exchange> {
    let authorization = format!("Bearer {}", credential.token);
    let headers = [("authorization".to_string(), authorization)];
    let answer = reflection("/", &headers, refuse);
    let options = CallOptions {
        http: HttpMode::Respond {
            status: answer.status,
            content_type: "application/json".into(),
            body: String::from_utf8(answer.body).unwrap(),
        },
        ..CallOptions::default()
    }
    .secret(credential.key, credential.token);
    run(&options)
}

/// The same as a bearer (OAuth) credential, whose requests go through
/// api.atlassian.com: the reflecting site's answers come from a HAR built for
/// the requests each call sends, replayed strictly.
#[test]
fn a_reflected_bearer_token_gets_into_no_output() {
    let dir = scratch("secrets-reflect-bearer");
    let credential = bearer_credential();
    let authorization = format!("Bearer {}", credential.token);
    for refuse in [false, true] {
        let kind = if refuse { "refusing" } else { "reflecting" };
        for (n, (action, input)) in REFLECTED_CALLS.iter().enumerate() {
            let name = format!("{kind}-{n}");
            let exchanges = dry_run(&credential, refuse, |options| match action {
                None => {
                    host()
                        .check(&credential.connection, options)
                        .unwrap()
                        .exchanges
                }
                Some(action) => {
                    host()
                        .invoke(action, &credential.connection, input, options)
                        .unwrap()
                        .exchanges
                }
            });
            assert!(!exchanges.is_empty(), "{name}");
            let har = dir.join(format!("{name}-reflections.har"));
            let reflections = reflecting_har(&exchanges, &authorization, refuse);
            std::fs::write(&har, reflections.to_string()).unwrap();
            let answered = Answered::Replayed(har);
            let texts = reflected_call(
                &dir,
                &name,
                (*action, input),
                &credential,
                &answered,
                refuse,
            );
            assert_clean(&name, &texts, &credential.needles);
        }
        let exchanges = dry_run(&credential, refuse, |options| {
            let mut exchanges = Vec::new();
            let mut state: Option<String> = None;
            for _ in 0..40 {
                let outcome = host()
                    .sync_read(
                        &credential.connection,
                        REFLECTED_SYNC_CONFIG,
                        state.as_deref(),
                        options,
                    )
                    .unwrap();
                exchanges.extend(outcome.exchanges);
                match outcome.result {
                    Ok(batch) if batch.more => state = Some(batch.state),
                    _ => break,
                }
            }
            exchanges
        });
        let name = format!("{kind}-sync");
        let har = dir.join(format!("{name}-reflections.har"));
        let reflections = reflecting_har(&exchanges, &authorization, refuse);
        std::fs::write(&har, reflections.to_string()).unwrap();
        let texts = reflected_sync(&dir, &name, &credential, &Answered::Replayed(har), refuse);
        assert_clean(&name, &texts, &credential.needles);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
