//! `connector-host mcp`: a connector's actions as the tools of a Model Context
//! Protocol server, for AI agents, over stdio.
//!
//! The server is written by hand over the catalog (tools are data here, not
//! Rust functions) on the official Rust SDK, `rmcp`. Every action the filter
//! admits becomes one tool: its key is the tool's name (kebab-case, as MCP's
//! naming rules allow, and as stable as the key), its label the title, its
//! JSON Schema the input schema, and its hints the annotations. A call runs
//! the action in the sandbox exactly as `invoke` does; the contract's `error`
//! becomes a tool result with `isError` that names the case, the field and
//! the fix, so an agent can correct its call. Only protocol misuse (an
//! unknown or disabled tool) is a JSON-RPC error.

use crate::bindings::{ActionDefinition, ActionHints, Body, ConnectorError, Output};
use crate::host::{CallOptions, Connection, Host};
use crate::http::RequestObserver;
use crate::json;
use anyhow::{Context, Result, bail};
use base64::Engine as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParam, RequestParamsMeta,
    ResourceContents, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Which actions a server offers as tools: by default all of them.
#[derive(Clone, Debug, Default)]
pub struct ToolFilter {
    /// Only these action keys (none: every key).
    pub keys: Vec<String>,
    /// Only actions of these groups, compared without case (none: every group).
    pub groups: Vec<String>,
    /// Only read-only actions.
    pub read_only: bool,
}

impl ToolFilter {
    /// Whether `action` is served.
    pub fn admits(&self, action: &ActionDefinition) -> bool {
        (self.keys.is_empty() || self.keys.contains(&action.key))
            && (self.groups.is_empty()
                || self
                    .groups
                    .iter()
                    .any(|g| g.eq_ignore_ascii_case(&action.group)))
            && (!self.read_only || action.hints.contains(ActionHints::READ_ONLY))
    }

    /// Why `action`, which this filter does not admit, is not served.
    fn why_not(&self, action: &ActionDefinition) -> &'static str {
        if self.read_only && !action.hints.contains(ActionHints::READ_ONLY) {
            "the server was started with --read-only, and this action changes data"
        } else {
            "the server's --tools or --groups leave it out"
        }
    }

    /// Refuses a key or group the catalog does not have, naming what it has.
    fn check(&self, actions: &[ActionDefinition]) -> Result<()> {
        if let Some(key) = self
            .keys
            .iter()
            .find(|k| !actions.iter().any(|a| &a.key == *k))
        {
            let keys: Vec<&str> = actions.iter().map(|a| a.key.as_str()).collect();
            bail!(
                "--tools: the connector has no action `{key}`; it has: {}",
                keys.join(", ")
            );
        }
        let mut groups: Vec<&str> = actions.iter().map(|a| a.group.as_str()).collect();
        groups.dedup();
        if let Some(group) = self
            .groups
            .iter()
            .find(|g| !groups.iter().any(|known| known.eq_ignore_ascii_case(g)))
        {
            bail!(
                "--groups: the connector has no group `{group}`; it has: {}",
                groups.join(", ")
            );
        }
        Ok(())
    }
}

/// The tool of one action.
pub fn tool(action: &ActionDefinition) -> Result<Tool> {
    let schema: serde_json::Map<String, Value> = serde_json::from_str(&action.input_schema)
        .with_context(|| format!("the input schema of `{}` is not a JSON object", action.key))?;
    let hints = action.hints;
    let read_only = hints.contains(ActionHints::READ_ONLY);
    let annotations = ToolAnnotations::with_title(action.label.clone())
        .read_only(read_only)
        .destructive(!read_only && hints.contains(ActionHints::DESTRUCTIVE))
        .idempotent(read_only || hints.contains(ActionHints::IDEMPOTENT))
        // Every action reaches the connector's service.
        .open_world(true);
    Ok(
        Tool::new(action.key.clone(), action.description.clone(), schema)
            .with_title(action.label.clone())
            .with_annotations(annotations),
    )
}

/// A tool result for an action's output: JSON as structured content (when it
/// is an object) and as text, text as text, an image as an image, other bytes
/// as an embedded resource with their media type.
pub fn success(action: &str, output: Output) -> CallToolResult {
    let media_type = output.content_type.clone();
    match output.body {
        Body::Json(text) => match serde_json::from_str::<Value>(&text) {
            Ok(value @ Value::Object(_)) => {
                let mut result = CallToolResult::structured(value);
                result.content = vec![ContentBlock::text(text)];
                result
            }
            _ => CallToolResult::success(vec![ContentBlock::text(text)]),
        },
        Body::Text(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
        Body::Binary(bytes) => {
            let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let media_type = media_type.unwrap_or_else(|| "application/octet-stream".into());
            let block = if media_type.starts_with("image/") {
                ContentBlock::image(data, media_type)
            } else {
                let uri = format!("connector://{action}/output");
                ContentBlock::resource(ResourceContents::blob(data, uri).with_mime_type(media_type))
            };
            CallToolResult::success(vec![block])
        }
        Body::Empty => CallToolResult::success(vec![ContentBlock::text(format!(
            "done: the service answered {} with no body",
            output.status
        ))]),
    }
}

/// A tool result for the contract's error: `isError`, a line naming the case,
/// the field where there is one and the message (which says the fix), and
/// the error as structured content.
pub fn failure(error: &ConnectorError) -> CallToolResult {
    let structured = json::error(error);
    let case = structured["error"].as_str().unwrap_or("error");
    let message = structured["message"].as_str().unwrap_or_default();
    let line = match &structured["field"] {
        Value::String(field) => format!("{case} (field `{field}`): {message}"),
        _ => format!("{case}: {message}"),
    };
    let mut result = CallToolResult::structured_error(structured.clone());
    result.content = vec![ContentBlock::text(line)];
    result
}

/// The server: one loaded connector, one connection, the tools it offers.
/// Cloning it is cheap: a call runs on a clone, on a thread of its own.
#[derive(Clone)]
pub struct McpServer {
    host: Arc<Host>,
    connection: Arc<Connection>,
    options: Arc<CallOptions>,
    tools: Arc<[Tool]>,
    info: Implementation,
    /// Why each action left out is not served, by key.
    why_not: Arc<std::collections::HashMap<String, &'static str>>,
}

impl McpServer {
    /// A server of `host`'s actions that `filter` admits, each call through
    /// `connection` with `options` (its secrets, HTTP mode and limits).
    pub fn new(
        host: Arc<Host>,
        connection: Connection,
        options: CallOptions,
        filter: &ToolFilter,
    ) -> Result<McpServer> {
        let actions = host.action_definitions()?;
        filter.check(&actions)?;
        let tools = actions
            .iter()
            .filter(|a| filter.admits(a))
            .map(tool)
            .collect::<Result<Vec<_>>>()?;
        let metadata = host.metadata()?;
        let mut info = Implementation::new(metadata.name, metadata.version);
        info.title = Some(metadata.label);
        info.description = Some(metadata.description);
        let why_not = actions
            .iter()
            .filter(|a| !filter.admits(a))
            .map(|a| (a.key.clone(), filter.why_not(a)))
            .collect();
        Ok(McpServer {
            host,
            connection: Arc::new(connection),
            options: Arc::new(options),
            tools: tools.into(),
            info,
            why_not: Arc::new(why_not),
        })
    }

    /// The tools offered, in catalog order.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// Runs tool `name` with `arguments`: the action's output or error as a
    /// tool result, or a JSON-RPC error for a tool this server does not offer.
    /// `on_request` is told of each request the call sends; `cancel` stops it.
    pub fn call(
        &self,
        name: &str,
        arguments: Option<serde_json::Map<String, Value>>,
        on_request: Option<RequestObserver>,
        cancel: Option<CancellationToken>,
    ) -> Result<CallToolResult, ErrorData> {
        if !self.tools.iter().any(|t| t.name == name) {
            return Err(ErrorData::invalid_params(
                format!(
                    "there is no tool `{}` here: {}; tools/list names those there are",
                    clip(name),
                    self.why_not
                        .get(name)
                        .copied()
                        .unwrap_or("the connector has no such action")
                ),
                None,
            ));
        }
        let input = Value::Object(arguments.unwrap_or_default()).to_string();
        let redactor = self
            .options
            .secrets
            .with_connection_context(&self.connection);
        let options = CallOptions {
            on_request,
            cancel,
            ..(*self.options).clone()
        };
        match self.host.invoke(name, &self.connection, &input, &options) {
            Ok(outcome) => {
                for line in &outcome.logs {
                    eprintln!("{}", redactor.redact(&line.to_string()));
                }
                Ok(match outcome.result {
                    Ok(output) => success(name, output),
                    Err(error) => failure(&error),
                })
            }
            // The host stopped the call (a limit, a replay miss): the agent
            // sees why, redacted, as a failed call it may retry or change.
            Err(e) => {
                let message = redactor.redact(&format!("{e:#}"));
                Ok(CallToolResult::structured_error(
                    serde_json::json!({"error": "host", "message": message}),
                ))
            }
        }
    }
}

/// At most 80 characters of a name a client sent.
fn clip(name: &str) -> String {
    name.chars().take(80).collect()
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(self.info.clone())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.to_vec()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // With a progress token, each request the call sends is one step of
        // progress (a `fetch-all` reports every page), its message the
        // request's method and path (no query: it may hold what the user
        // searched for).
        let token = request
            .progress_token()
            .or_else(|| context.meta.get_progress_token());
        let (observer, progress) = match token {
            Some(token) => {
                let (steps, mut step) = tokio::sync::mpsc::unbounded_channel::<String>();
                let observer = RequestObserver(Arc::new(move |method: &str, url: &str| {
                    let path = url.split('?').next().unwrap_or_default();
                    let _ = steps.send(format!("{method} {path}"));
                }));
                let peer = context.peer.clone();
                let forward = tokio::spawn(async move {
                    let mut sent = 0u32;
                    while let Some(message) = step.recv().await {
                        sent += 1;
                        let note = ProgressNotificationParam::new(token.clone(), f64::from(sent))
                            .with_message(format!("request {sent}: {message}"));
                        if peer.notify_progress(note).await.is_err() {
                            break;
                        }
                    }
                });
                (Some(observer), Some(forward))
            }
            None => (None, None),
        };
        // A call blocks on the sandbox; it runs on a thread of its own so the
        // server keeps reading (and answering, and cancelling) meanwhile.
        let server = self.clone();
        let name = request.name.to_string();
        let arguments = request.arguments;
        let cancel = Some(context.ct.clone());
        let result =
            tokio::task::spawn_blocking(move || server.call(&name, arguments, observer, cancel))
                .await
                .map_err(|e| {
                    ErrorData::internal_error(format!("the call did not finish: {e}"), None)
                })?;
        // Every progress step is sent before the result.
        if let Some(forward) = progress {
            let _ = forward.await;
        }
        result.map(CallToolResponse::from)
    }
}

/// Serves `server` over stdin and stdout until the client closes them.
/// Nothing else may write to stdout meanwhile; log lines go to stderr.
pub fn serve_stdio(server: McpServer) -> Result<()> {
    serving(server, async |server| {
        // rmcp drops a line over its default 16 MiB unanswered; room for
        // the component's whole 16 MiB input and the JSON-RPC around it, so
        // such a call gets the component's own error.
        let (stdin, stdout) = rmcp::transport::stdio();
        let transport =
            rmcp::transport::async_rw::AsyncRwTransport::<RoleServer, _, _>::new(stdin, stdout)
                .with_max_line_length(MAX_MESSAGE_BYTES);
        let running = server
            .serve(transport)
            .await
            .context("the MCP client did not initialize")?;
        running.waiting().await.context("the MCP session failed")?;
        Ok(())
    })
}

/// Runs `serve` with `server` on a runtime of its own, until it returns.
fn serving(server: McpServer, serve: impl AsyncFnOnce(McpServer) -> Result<()>) -> Result<()> {
    // The host owns runtimes of its own, which must not be dropped inside
    // this one: keep it alive until this runtime is gone.
    let host = server.host.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let served = runtime.block_on(serve(server));
    drop(runtime);
    drop(host);
    served
}

/// How the streamable HTTP transport is served.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Where to listen; a loopback address unless the user asks otherwise.
    pub addr: std::net::SocketAddr,
    /// The bearer token every request must carry.
    pub token: String,
    /// Browser origins allowed to call (`Origin` header); any other is
    /// refused, and so is any origin when this is empty. Requests without an
    /// `Origin` (agent hosts, not browsers) pass.
    pub allowed_origins: Vec<String>,
    /// Host names the `Host` header may carry (DNS rebinding): loopback
    /// names by default.
    pub allowed_hosts: Vec<String>,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
}

/// The environment variable a token is read from, before one is made up.
pub const TOKEN_VARIABLE: &str = "CONNECTOR_MCP_TOKEN";

/// The largest MCP message, a stdio line or an HTTP body: the component's
/// own input cap (16 MiB) and room for the JSON-RPC envelope around it.
pub const MAX_MESSAGE_BYTES: usize = 17 << 20;

/// Serves `server` over MCP's streamable HTTP transport at `settings.addr`
/// (path `/mcp`) until the process ends; `ready` is told the bound address.
pub fn serve_http(
    server: McpServer,
    settings: HttpSettings,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<()> {
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    };
    serving(server, async move |server| {
        let config = StreamableHttpServerConfig::default()
            .with_allowed_hosts(settings.allowed_hosts.clone())
            .with_allowed_origins(settings.allowed_origins.clone())
            .enforce_origin_validation();
        let service = StreamableHttpService::new(
            move || Ok(server.clone()),
            LocalSessionManager::default().into(),
            config,
        );
        let listener = tokio::net::TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("cannot listen on {}", settings.addr))?;
        ready(listener.local_addr()?);
        let settings = Arc::new(settings);
        loop {
            let (stream, _) = listener.accept().await?;
            let (service, settings) = (service.clone(), settings.clone());
            tokio::spawn(async move {
                let handle = hyper::service::service_fn(move |request| {
                    guard(request, service.clone(), settings.clone())
                });
                let io = wasmtime_wasi_http::io::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, handle)
                    .await;
            });
        }
    })
}

/// The MCP service behind [`guard`].
type HttpService = rmcp::transport::streamable_http_server::StreamableHttpService<
    McpServer,
    rmcp::transport::streamable_http_server::session::local::LocalSessionManager,
>;

/// The body of every HTTP answer.
type HttpBody = http_body_util::combinators::UnsyncBoxBody<bytes::Bytes, std::io::Error>;

/// What every HTTP request passes before MCP sees it: the bearer token, and
/// the size cap (a declared length over it at once, a longer body as it
/// streams).
async fn guard(
    request: hyper::Request<hyper::body::Incoming>,
    mut service: HttpService,
    settings: Arc<HttpSettings>,
) -> Result<hyper::Response<HttpBody>, std::convert::Infallible> {
    use http_body_util::BodyExt as _;
    use tower_service::Service as _;
    let plain = |status: u16, text: &str| {
        let body = http_body_util::Full::new(bytes::Bytes::from(text.to_string()))
            .map_err(|never| match never {})
            .boxed_unsync();
        let mut response = hyper::Response::new(body);
        *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
        response
    };
    let given = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !same_text(given, &settings.token) {
        let mut refused = plain(
            401,
            "a bearer token is required: Authorization: Bearer <token>\n",
        );
        refused.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            hyper::header::HeaderValue::from_static("Bearer"),
        );
        return Ok(refused);
    }
    let declared = request
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > settings.max_body as u64) {
        return Ok(plain(
            413,
            &format!("a request body is at most {} bytes\n", settings.max_body),
        ));
    }
    let request = request.map(|body| http_body_util::Limited::new(body, settings.max_body));
    let response = match service.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    Ok(response.map(|body| body.map_err(std::io::Error::other).boxed_unsync()))
}

/// Whether two texts are equal, in time that does not depend on where they
/// differ (a token compared this way leaks nothing through timing).
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
