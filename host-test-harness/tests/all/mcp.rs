//! `connector-host mcp` through a real MCP client (rmcp's), as an agent host
//! runs it: a child process speaking MCP over stdio, replaying HAR fixtures.

use crate::common::{self, cli, host};
use crate::local_server::serve_with;
use host_test_harness::ActionHints;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientRequest, ContentBlock, ProgressNotificationParam,
    Request, ResourceContents, Tool,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ServiceError, ServiceExt};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The workspace root, where the README's commands run.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Runs `body` with an MCP client connected to `connector-host <args> mcp ...`.
fn with_server<T>(
    args: &[&str],
    body: impl AsyncFnOnce(&RunningService<RoleClient, ()>) -> T,
) -> T {
    with_client((), args, body)
}

/// As [`with_server`], with `handler` taking the server's notifications.
fn with_client<H: ClientHandler, T>(
    handler: H,
    args: &[&str],
    body: impl AsyncFnOnce(&RunningService<RoleClient, H>) -> T,
) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let command = tokio::process::Command::from(cli::command(args));
        let transport = TokioChildProcess::builder(command)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
            .0;
        let client = handler
            .serve(transport)
            .await
            .expect("the server initializes");
        let out = body(&client).await;
        client.cancel().await.unwrap();
        out
    })
}

/// The arguments of a server over the example connection, replaying `har`.
fn replaying(har: &str) -> Vec<String> {
    [
        "mcp",
        "--connection",
        "examples/connection.basic.json",
        "--replay",
        har,
    ]
    .map(String::from)
    .to_vec()
}

/// How many actions the component has: every one is a tool by default.
/// (Read on a thread of its own: the tests ask from inside async code, where
/// the host's blocking calls may not run.)
fn catalog_size() -> usize {
    static SIZE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *SIZE.get_or_init(|| {
        std::thread::spawn(|| host().action_definitions().unwrap().len())
            .join()
            .unwrap()
    })
}

fn fixture(name: &str) -> String {
    common::fixture(name).display().to_string()
}

async fn call<H: ClientHandler>(
    client: &RunningService<RoleClient, H>,
    tool: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let Value::Object(arguments) = arguments else {
        panic!("arguments are an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments))
        .await
}

fn text_of(result: &CallToolResult) -> String {
    match &result.content[0] {
        ContentBlock::Text(text) => text.text.clone(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn args(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// The README's MCP command, run as written by an MCP client.
#[test]
fn the_readme_command_serves_the_catalog() {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let prefix = "cargo run -p host-test-harness -- mcp ";
    let line = readme
        .lines()
        .find(|l| l.starts_with(prefix))
        .expect("the README shows the MCP command");
    let words: Vec<&str> = line["cargo run -p host-test-harness -- ".len()..]
        .split_whitespace()
        .collect();
    let count = with_server(&words, async |client| {
        client.list_all_tools().await.unwrap().len()
    });
    assert_eq!(count, host().action_definitions().unwrap().len());
}

#[test]
fn an_agent_sees_every_action_as_a_tool_with_its_schema_and_hints() {
    let actions = host().action_definitions().unwrap();
    let server = replaying("examples/fixtures/demo.har");
    let tools: Vec<Tool> = with_server(&args(&server), async |client| {
        let info = client.peer_info().expect("server info");
        assert_eq!(info.server_info.as_ref().unwrap().name, "confluence");
        client.list_all_tools().await.unwrap()
    });
    assert_eq!(tools.len(), actions.len());
    for (tool, action) in tools.iter().zip(&actions) {
        assert_eq!(tool.name, action.key);
        assert!(
            (1..=128).contains(&tool.name.len())
                && tool
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)),
            "{} breaks MCP's naming rules",
            tool.name
        );
        assert_eq!(tool.title.as_deref(), Some(action.label.as_str()));
        let schema: Value = serde_json::from_str(&action.input_schema).unwrap();
        assert_eq!(
            Value::Object((*tool.input_schema).clone()),
            schema,
            "{}",
            tool.name
        );
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", tool.name));
        let annotations = tool.annotations.as_ref().unwrap();
        let read_only = action.hints.contains(ActionHints::READ_ONLY);
        assert_eq!(annotations.read_only_hint, Some(read_only), "{}", tool.name);
        assert_eq!(
            annotations.destructive_hint,
            Some(!read_only && action.hints.contains(ActionHints::DESTRUCTIVE)),
            "{}",
            tool.name
        );
        assert_eq!(annotations.open_world_hint, Some(true));
    }
}

#[test]
fn a_call_returns_structured_content_and_errors_name_the_case_and_field() {
    let server = replaying("examples/fixtures/demo.har");
    with_server(&args(&server), async |client| {
        let listed = call(client, "list-spaces", json!({"limit": 3}))
            .await
            .unwrap();
        assert_eq!(listed.is_error, Some(false));
        let structured = listed.structured_content.as_ref().unwrap();
        assert_eq!(structured["results"][0]["key"], "ENG");
        let text: Value = serde_json::from_str(&text_of(&listed)).unwrap();
        assert_eq!(&text, structured, "the text block is the same JSON");

        let bad = call(client, "get-page", json!({})).await.unwrap();
        assert_eq!(bad.is_error, Some(true));
        let line = text_of(&bad);
        assert!(
            line.starts_with("invalid-input (field `page-id`): "),
            "{line}"
        );
        assert_eq!(bad.structured_content.as_ref().unwrap()["field"], "page-id");

        // An attachment's bytes come as an embedded resource with their media type.
        let file = call(
            client,
            "download-attachment",
            json!({"attachment-id": "att1001"}),
        )
        .await
        .unwrap();
        let ContentBlock::Resource(resource) = &file.content[0] else {
            panic!("{file:?}");
        };
        let ResourceContents::BlobResourceContents {
            mime_type, blob, ..
        } = &resource.resource
        else {
            panic!("{resource:?}");
        };
        assert!(
            mime_type.as_deref().unwrap().starts_with("text/plain"),
            "{mime_type:?}"
        );
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(blob)
            .unwrap();
        assert!(!bytes.is_empty());
    });
}

#[test]
fn a_write_call_and_an_upstream_404_through_the_tools() {
    let created = replaying(&fixture("create-page"));
    with_server(&args(&created), async |client| {
        let input = json!({"space-id": "98306", "title": "Release notes", "parent-id": "983061", "status": "current", "body": {"value": "<h1>Release notes</h1><p>Version <strong>2.4</strong> ships on Friday.</p>"}});
        let result = call(client, "create-page", input).await.unwrap();
        assert_eq!(result.is_error, Some(false), "{result:?}");
        assert_eq!(
            result.structured_content.as_ref().unwrap()["title"],
            "Release notes"
        );
    });
    let missing = replaying(&fixture("get-page-404"));
    with_server(&args(&missing), async |client| {
        let result = call(client, "get-page", json!({"page-id": "404404"}))
            .await
            .unwrap();
        assert_eq!(result.is_error, Some(true));
        assert!(
            text_of(&result).starts_with("not-found: "),
            "{}",
            text_of(&result)
        );
    });
}

#[test]
fn read_only_serves_only_read_only_tools_and_refuses_the_others() {
    let mut server = replaying("examples/fixtures/demo.har");
    server.push("--read-only".into());
    with_server(&args(&server), async |client| {
        let tools = client.list_all_tools().await.unwrap();
        assert!(tools.len() >= 20, "{} read-only tools", tools.len());
        assert!(
            tools
                .iter()
                .all(|t| t.annotations.as_ref().unwrap().read_only_hint == Some(true))
        );
        assert!(!tools.iter().any(|t| t.name == "create-page"));
        let refused = call(client, "create-page", json!({})).await.unwrap_err();
        assert!(refused.to_string().contains("--read-only"), "{refused}");
        // A name the connector lacks is said to be that, whatever the flags.
        let unknown = call(client, "make-coffee", json!({})).await.unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("the connector has no such action"),
            "{unknown}"
        );
        // The server goes on serving.
        let listed = call(client, "list-spaces", json!({"limit": 3}))
            .await
            .unwrap();
        assert_eq!(listed.is_error, Some(false));
    });
    let mut narrowed = replaying("examples/fixtures/demo.har");
    narrowed.extend(["--tools", "list-spaces,get-page", "--groups", "spaces"].map(String::from));
    let names: Vec<String> = with_server(&args(&narrowed), async |client| {
        client
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect()
    });
    assert_eq!(names, ["list-spaces"], "--tools and --groups both apply");
    let refusal = with_server(&args(&narrowed), async |client| {
        call(client, "get-page", json!({"page-id": "11"}))
            .await
            .unwrap_err()
            .to_string()
    });
    assert!(
        refusal.contains("--tools or --groups leave it out"),
        "{refusal}"
    );
}

#[test]
fn an_unknown_tool_or_group_stops_the_server_before_it_serves() {
    for (flag, value, says) in [
        (
            "--tools",
            "list-spaces,no-such-action",
            "no action `no-such-action`",
        ),
        ("--groups", "Nowhere", "no group `Nowhere`"),
    ] {
        let mut server = replaying("examples/fixtures/demo.har");
        server.extend([flag, value].map(String::from));
        let out = cli::command(&args(&server))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(says), "{stderr}");
        assert!(out.stdout.is_empty(), "nothing on the protocol's stream");
    }
}

#[test]
fn the_second_connector_is_served_the_same_way() {
    let server = [
        "--component",
        env!("GITHUB_CONNECTOR_WASM"),
        "mcp",
        "--connection",
        "connectors/github/connection.json",
        "--replay",
        "connectors/github/fixtures/github.har",
    ];
    with_server(&server, async |client| {
        let tools = client.list_all_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "get-authenticated-user",
                "list-issues",
                "get-issue",
                "create-issue"
            ]
        );
        let issue = call(
            client,
            "get-issue",
            json!({"owner": "octocat", "repo": "hello-world", "issue-number": 1347}),
        )
        .await
        .unwrap();
        assert_eq!(
            issue.structured_content.as_ref().unwrap()["title"],
            "Found a bug"
        );
    });
}

#[test]
fn malformed_messages_do_not_stop_the_server() {
    let mut child = cli::command(&args(&replaying("examples/fixtures/demo.har")))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut send = |message: &str| writeln!(stdin, "{message}").and_then(|()| stdin.flush());
    send("this is not JSON").unwrap();
    // A call before initialize is refused, and the session can still begin.
    send(r#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#).unwrap();
    send(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#).unwrap();
    let mut answer = |id: u64| -> Value {
        loop {
            let line = lines.next().expect("the server answers").unwrap();
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == id {
                return message;
            }
        }
    };
    assert!(answer(7)["error"]["code"].is_i64());
    assert!(answer(1)["result"]["serverInfo"].is_object());
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap();
    send(r#"{"jsonrpc":"2.0","id":2,"method":"no/such/method"}"#).unwrap();
    assert!(answer(2)["error"]["code"].is_i64());
    // A message over the 17 MiB cap cannot be read, so it is dropped unanswered.
    let giant = format!(
        r#"{{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{{"name":"search","arguments":{{"cql":"{}"}}}}}}"#,
        "x".repeat(18 << 20)
    );
    send(&giant).unwrap();
    send(r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#).unwrap();
    assert_eq!(
        answer(3)["result"]["tools"].as_array().unwrap().len(),
        catalog_size()
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// A connection file for a Basic connection to `origin`, in a scratch
/// folder of its own (removed by the caller), and the arguments of a live
/// server over it with API token `token`.
fn live_connection(name: &str, origin: &str, token: &str) -> (std::path::PathBuf, Vec<String>) {
    let dir = std::env::temp_dir().join(format!("mcp-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let connection = dir.join("connection.json");
    let values =
        json!({"definition": "basic", "values": {"email": "jane@acme.com", "host": origin}});
    std::fs::write(&connection, values.to_string()).unwrap();
    let server = [
        "mcp",
        "--connection",
        connection.to_str().unwrap(),
        "--live",
        "--secret",
    ]
    .map(String::from)
    .into_iter()
    .chain([format!("api-token={token}")])
    .collect();
    (dir, server)
}

/// A client that keeps the progress notifications it receives.
#[derive(Clone, Default)]
struct Watching(Arc<Mutex<Vec<ProgressNotificationParam>>>);

impl ClientHandler for Watching {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.0.lock().unwrap().push(params);
    }
}

/// Waits up to five seconds for `done`.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > Duration::from_secs(5) {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Lists every space of `list-spaces-all` (three pages) and waits for the
/// three progress notifications `seen` should receive.
async fn list_all_spaces<H: ClientHandler>(
    client: &RunningService<RoleClient, H>,
    seen: &Mutex<Vec<ProgressNotificationParam>>,
) {
    let all = call(
        client,
        "list-spaces",
        json!({"type": "global", "fetch-all": true}),
    )
    .await
    .unwrap();
    assert_eq!(all.is_error, Some(false), "{all:?}");
    assert!(
        eventually(|| seen.lock().unwrap().len() == 3).await,
        "{:?}",
        seen.lock().unwrap()
    );
}

#[test]
fn a_fetch_all_reports_each_page_as_progress() {
    let watching = Watching::default();
    let server = replaying(&fixture("list-spaces-all"));
    let seen = watching.0.clone();
    with_client(watching, &args(&server), async |client| {
        list_all_spaces(client, &seen).await;
    });
    let seen = seen.lock().unwrap();
    let steps: Vec<f64> = seen.iter().map(|p| p.progress).collect();
    assert_eq!(steps, [1.0, 2.0, 3.0], "one step per page, increasing");
    let first = seen[0].message.as_deref().unwrap();
    assert_eq!(
        first,
        "request 1: GET https://acme.atlassian.net/wiki/api/v2/spaces"
    );
}

#[test]
fn a_cancelled_call_stops_while_it_waits_on_the_network() {
    // A site that takes the request and never answers; it notes when the
    // host closes the connection.
    let closed = Arc::new(Mutex::new(false));
    let noted = closed.clone();
    let site = serve_with(move |stream| {
        let mut buf = [0u8; 64];
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
        *noted.lock().unwrap() = true;
    });
    let (dir, server) = live_connection("cancel", &site.origin(), "t");
    with_server(&args(&server), async |client| {
        let params = CallToolRequestParams::new("list-spaces")
            .with_arguments(json!({"limit": 3}).as_object().unwrap().clone());
        let request = ClientRequest::CallToolRequest(Request::new(params));
        let handle = client
            .send_cancellable_request(request, PeerRequestOptions::no_options())
            .await
            .unwrap();
        assert!(
            eventually(|| !site.received().is_empty()).await,
            "the request reached the site"
        );
        handle
            .cancel(Some("the user gave up".into()))
            .await
            .unwrap();
        assert!(
            eventually(|| *closed.lock().unwrap()).await,
            "the host let go of the request within five seconds (the time limit is 60)"
        );
        // The server goes on serving.
        assert_eq!(client.list_all_tools().await.unwrap().len(), catalog_size());
    });
    std::fs::remove_dir_all(dir).unwrap();
}

/// A `connector-host mcp --http` child on a free loopback port, with bearer
/// token `token` (none: the server makes one up); its address and the child.
fn http_server(token: Option<&str>, extra: &[&str]) -> (String, std::process::Child, Vec<String>) {
    http_server_replaying("examples/fixtures/demo.har", token, extra)
}

/// As [`http_server`], replaying `har`.
fn http_server_replaying(
    har: &str,
    token: Option<&str>,
    extra: &[&str],
) -> (String, std::process::Child, Vec<String>) {
    let mut command = cli::command(&args(&replaying(har)));
    command
        .args(["--http", "127.0.0.1:0"])
        .args(extra)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if let Some(token) = token {
        command.env("CONNECTOR_MCP_TOKEN", token);
    }
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = Vec::new();
    let addr = loop {
        let line = stderr
            .next()
            .expect("the server says where it listens")
            .unwrap();
        said.push(line.clone());
        if let Some(at) = line.split(" at http://").nth(1) {
            break at.trim_end_matches("/mcp").to_string();
        }
    };
    if token.is_none() {
        said.push(stderr.next().unwrap().unwrap());
    }
    (addr, child, said)
}

/// One POST to `/mcp`: its status, session id and body.
async fn post(addr: &str, headers: &[(&str, &str)], body: &str) -> (u16, Option<String>, String) {
    use http_body_util::BodyExt as _;
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(wasmtime_wasi_http::io::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let mut request = hyper::Request::post(format!("http://{addr}/mcp"))
        .header("host", addr)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status().as_u16();
    let session = response
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, session, String::from_utf8_lossy(&body).into_owned())
}

/// The JSON-RPC message of an answer (a JSON body, or an event stream's data).
fn message_of(body: &str) -> Value {
    let text = body
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .find(|d| d.starts_with('{'))
        .unwrap_or(body);
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn over_http_the_token_the_origin_and_the_size_are_enforced_and_calls_work() {
    let (addr, mut child, _) = http_server(Some("test-token"), &[]);
    let bearer = ("authorization", "Bearer test-token");
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(post(&addr, &[], initialize).await.0, 401, "no token");
        assert_eq!(post(&addr, &[("authorization", "Bearer guess")], initialize).await.0, 401);
        let foreign = [bearer, ("origin", "https://rebinding.example")];
        assert_eq!(post(&addr, &foreign, initialize).await.0, 403, "a foreign Origin");
        // A body over the cap is refused from its declared length, unread.
        let mut raw = tokio::net::TcpStream::connect(&addr).await.unwrap();
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let head = format!("POST /mcp HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer test-token\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", 18 << 20);
        raw.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 64];
        let n = raw.read(&mut answer).await.unwrap();
        assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&answer[..n]));

        // After all that, a client with the token is served.
        let (status, session, body) = post(&addr, &[bearer], initialize).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(message_of(&body)["result"]["serverInfo"]["name"], "confluence");
        let session = session.expect("a session id");
        let with_session = [bearer, ("mcp-session-id", session.as_str())];
        let (status, _, _) = post(&addr, &with_session, r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;
        assert!(status == 202 || status == 200, "{status}");
        let (_, _, body) = post(&addr, &with_session, r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#).await;
        assert_eq!(message_of(&body)["result"]["tools"].as_array().unwrap().len(), catalog_size());
        let call = r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list-spaces","arguments":{"limit":3}}}"#;
        let (_, _, body) = post(&addr, &with_session, call).await;
        let result = &message_of(&body)["result"];
        assert_eq!(result["structuredContent"]["results"][0]["key"], "ENG", "{body}");
    });
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn over_http_without_a_token_given_the_server_makes_one_and_says_it() {
    let (addr, mut child, said) = http_server(None, &[]);
    let line = said.last().unwrap();
    let token = line.rsplit(' ').next().unwrap();
    assert!(
        line.contains("CONNECTOR_MCP_TOKEN") && token.len() == 64,
        "{line}"
    );
    assert!(addr.starts_with("127.0.0.1:"), "loopback: {addr}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bearer = format!("Bearer {token}");
    let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let (status, _, _) = runtime.block_on(post(
        &addr,
        &[("authorization", bearer.as_str())],
        initialize,
    ));
    assert_eq!(status, 200);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_huge_argument_is_a_tool_error_and_the_server_goes_on() {
    let server = replaying("examples/fixtures/demo.har");
    with_server(&args(&server), async |client| {
        // Over the component's 16 MiB input cap, within the server's 17 MiB message cap.
        let huge = "x".repeat((16 << 20) + 1000);
        let result = call(client, "search", json!({"cql": huge})).await.unwrap();
        assert_eq!(result.is_error, Some(true));
        let line = text_of(&result);
        assert!(
            line.starts_with("invalid-input (field `input`): the input is "),
            "{}",
            &line[..120.min(line.len())]
        );
        let listed = call(client, "list-spaces", json!({"limit": 3}))
            .await
            .unwrap();
        assert_eq!(listed.is_error, Some(false));
    });
}

#[test]
fn a_credential_a_site_sends_back_never_reaches_a_tool_result() {
    // A site that quotes the request's Authorization header in its error.
    let site = crate::local_server::serve_request(|request, stream| {
        let quoted = request
            .header("authorization")
            .unwrap_or_default()
            .to_string();
        let body = json!({"message": format!("bad credential {quoted} (token sekret-api-token)")})
            .to_string();
        let _ = write!(
            stream,
            "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let (dir, server) = live_connection("secret", &site.origin(), "sekret-api-token");
    let result = with_server(&args(&server), async |client| {
        call(client, "list-spaces", json!({"limit": 3}))
            .await
            .unwrap()
    });
    std::fs::remove_dir_all(dir).unwrap();
    assert_eq!(result.is_error, Some(true));
    let everything = serde_json::to_string(&result).unwrap();
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode("jane@acme.com:sekret-api-token");
    assert!(everything.contains("bad credential"), "{everything}");
    assert!(
        !everything.contains("sekret-api-token") && !everything.contains(&basic),
        "{everything}"
    );
    assert!(site.received().iter().any(|r| {
        r.headers
            .iter()
            .any(|(n, v)| n == "authorization" && v.contains(&basic))
    }));
}

#[test]
fn a_downloaded_image_is_image_content() {
    let server = replaying(&fixture("attachments-download"));
    with_server(&args(&server), async |client| {
        let result = call(
            client,
            "download-attachment",
            json!({"attachment-id": "att2002"}),
        )
        .await
        .unwrap();
        let ContentBlock::Image(image) = &result.content[0] else {
            panic!("{result:?}");
        };
        assert_eq!(image.mime_type, "image/png");
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&image.data)
            .unwrap();
        assert!(!bytes.is_empty());
    });
}

#[test]
fn over_http_a_real_mcp_client_lists_calls_and_gets_progress_as_over_stdio() {
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let (addr, mut child, _) =
        http_server_replaying(&fixture("list-spaces-all"), Some("client-token"), &[]);
    let url = format!("http://{addr}/mcp");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let watching = Watching::default();
    let seen = watching.0.clone();
    runtime.block_on(async {
        // Without the token the client cannot even initialize.
        let refused = ()
            .serve(StreamableHttpClientTransport::from_config(
                StreamableHttpClientTransportConfig::with_uri(url.as_str()).auth_header("guess"),
            ))
            .await;
        assert!(refused.is_err(), "initialized without the token");

        let config =
            StreamableHttpClientTransportConfig::with_uri(url.as_str()).auth_header("client-token");
        let client = watching
            .serve(StreamableHttpClientTransport::from_config(config))
            .await
            .expect("the server initializes over HTTP");
        let tools = client.list_all_tools().await.unwrap();
        assert_eq!(tools.len(), catalog_size());
        let bad = call(&client, "get-page", json!({})).await.unwrap();
        assert_eq!(bad.is_error, Some(true));
        assert!(
            text_of(&bad).starts_with("invalid-input (field `page-id`): "),
            "{}",
            text_of(&bad)
        );
        list_all_spaces(&client, &seen).await;
        client.cancel().await.unwrap();
    });
    let _ = child.kill();
    let _ = child.wait();
}
