//! `connector-host`: run a connector component from a terminal.
//!
//! Prints an action's output (or what a check learned, or the definitions) as JSON
//! on stdout. A connector error goes to stderr as JSON with exit code 1; a
//! host-level failure as `{"error":"host",...}` with exit code 2.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use host_test_harness::har::{self, Replayer};
use host_test_harness::secrets::{Redactor, secret_keys};
use host_test_harness::{
    Body, CallFailure, CallOptions, Connection, Har, Host, HttpMode, Outcome, Output, Secrets,
    SyncJob, SyncSummary, World, files, json, mcp, run_sync,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "connector-host",
    version,
    about = "Run a connector component (integration:connector contract) with wasmtime"
)]
struct Cli {
    /// The component to load (default: the one this crate's build produced).
    #[arg(long, global = true)]
    component: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the connector's metadata, every connection kind and action, and
    /// its sync streams (when it has sync) as JSON.
    Definitions,
    /// Prove a connection's credentials and print what the connector learned;
    /// the values it asks to store are merged into the connection file
    /// (not with --replay or --no-store).
    Check {
        /// The connection file: {"definition":"basic","values":{...}}.
        #[arg(long)]
        connection: PathBuf,
        /// Leave the connection file as it is.
        #[arg(long)]
        no_store: bool,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Run one action and print its output.
    Invoke {
        /// The action key, such as list-spaces.
        action: String,
        /// The connection file: {"definition":"basic","values":{...}}.
        #[arg(long)]
        connection: PathBuf,
        /// The input object as JSON text, or @file.json.
        #[arg(long, default_value = "{}")]
        input: String,
        /// Write a binary or text body (such as a downloaded attachment) to this
        /// file instead of printing it.
        #[arg(long, value_name = "FILE")]
        save: Option<PathBuf>,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Serve the connector's actions as the tools of a Model Context Protocol
    /// server over stdin and stdout, for AI agents; every call runs in the
    /// sandbox as `invoke` does. Log lines go to stderr.
    Mcp {
        /// The connection file: {"definition":"basic","values":{...}}.
        #[arg(long)]
        connection: PathBuf,
        /// Serve only these actions (keys, comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "KEY,...")]
        tools: Vec<String>,
        /// Serve only the actions of these groups (comma-separated, any case).
        #[arg(long, value_delimiter = ',', value_name = "GROUP,...")]
        groups: Vec<String>,
        /// Serve only read-only actions.
        #[arg(long)]
        read_only: bool,
        /// Serve MCP's streamable HTTP transport (path /mcp) instead of stdio,
        /// at this address (127.0.0.1:8977 when none is given). Every request
        /// needs `Authorization: Bearer <token>`: the token is read from
        /// CONNECTOR_MCP_TOKEN, or made up and printed on stderr.
        #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:8977")]
        http: Option<std::net::SocketAddr>,
        /// With --http: a browser origin allowed to call, such as
        /// https://agents.example.com (repeatable); any other is refused.
        #[arg(long, value_name = "ORIGIN", requires = "http")]
        allow_origin: Vec<String>,
        /// With --http: a host name the requests' Host header may carry
        /// besides loopback ones, as behind a reverse proxy (repeatable).
        #[arg(long, value_name = "HOST", requires = "http")]
        allow_http_host: Vec<String>,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Mirror the service: read batches until the run is complete, appending
    /// records to --out as JSON lines and saving the state after every batch;
    /// run it again with the same --state to resume, or later to read only what changed.
    Sync {
        /// The connection file: {"definition":"basic","values":{...}}.
        #[arg(long)]
        connection: PathBuf,
        /// The sync configuration (JSON: filters, streams, body format); none syncs everything.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where the state is kept between batches and runs (created when missing).
        #[arg(long)]
        state: PathBuf,
        /// The JSON-lines file records are appended to.
        #[arg(long)]
        out: PathBuf,
        /// Start over: remove the state and the records file first, so the run is a full one.
        #[arg(long)]
        fresh: bool,
        #[command(flatten)]
        call: CallArgs,
    },
}

#[derive(Args)]
struct CallArgs {
    /// Answer HTTP requests from this HAR file.
    #[arg(long, value_name = "FILE.har", conflicts_with_all = ["live", "record"])]
    replay: Option<PathBuf>,
    /// With --replay: fail when a HAR entry is never used.
    #[arg(long, requires = "replay")]
    strict: bool,
    /// Send requests to the network (allow-listed hosts only).
    #[arg(long)]
    live: bool,
    /// Send requests to the network and write them, secrets redacted, to this HAR file.
    #[arg(long, value_name = "FILE.har")]
    record: Option<PathBuf>,
    /// A secret as key=value (repeatable). A secret input the flag does not
    /// give is read from CONNECTOR_<KEY>, else <NAME>_<KEY> (NAME the
    /// connector's metadata name): api-token from CONNECTOR_API_TOKEN or,
    /// for the Confluence connector, CONFLUENCE_API_TOKEN.
    #[arg(long, value_name = "KEY=VALUE")]
    secret: Vec<String>,
    /// A host the component may reach in live/record mode besides those the
    /// connection definition declares (its egress) (repeatable).
    #[arg(long, value_name = "HOST")]
    allow_host: Vec<String>,
    /// Time limit of the call, in seconds (more than 0, at most 86400: a day).
    #[arg(long, value_name = "SECS", default_value_t = 60.0, value_parser = parse_time_limit,
          allow_negative_numbers = true)]
    time_limit: f64,
    /// Memory limit of the component, in MiB (1 to 1024, the engine's most).
    #[arg(long, value_name = "MIB", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..=MAX_MEMORY_MIB))]
    memory_limit: u64,
}

/// The largest `--time-limit`, in seconds: a day.
const MAX_TIME_LIMIT_SECS: f64 = 86_400.0;

/// The largest `--memory-limit`, in MiB: what the engine gives any memory.
const MAX_MEMORY_MIB: u64 = (host_test_harness::engine::MAX_MEMORY_BYTES >> 20) as u64;

/// Reads `--time-limit`: seconds, more than 0 and at most a day.
fn parse_time_limit(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if secs > 0.0 && secs <= MAX_TIME_LIMIT_SECS {
        Ok(secs)
    } else {
        Err(format!(
            "{text} is outside the accepted range: more than 0 and at most {MAX_TIME_LIMIT_SECS} seconds"
        ))
    }
}

impl CallArgs {
    /// The options of a call through `connection`: its secrets (flags, then
    /// the environment, for the secret inputs its definition declares) and
    /// its allow-list (the definition's egress, then `--allow-host`).
    fn options(
        &self,
        host: &Host,
        connection: &Connection,
        need_http: bool,
    ) -> Result<CallOptions> {
        let mut secrets = Secrets::new();
        for flag in &self.secret {
            let (k, v) = Secrets::parse_flag(flag)?;
            secrets.insert(k, v);
        }
        let definitions = host.connection_definitions()?;
        let definition = definitions.iter().find(|d| d.key == connection.definition);
        let mut allowed = Vec::new();
        if let Some(definition) = definition {
            let name = host.metadata()?.name;
            secrets.add_from_env(&name, secret_keys(definition));
            allowed = connection.egress_hosts(definition);
        }
        for extra in &self.allow_host {
            if !allowed.contains(extra) {
                allowed.push(extra.clone());
            }
        }
        let http = if let Some(path) = &self.replay {
            // Shared, so the calls use the HAR as read, never a copy of it;
            // `CallArgs::check_strict` then looks for unused entries.
            HttpMode::ReplayShared(Arc::new(Mutex::new(Replayer::new(Har::read(path)?))))
        } else if let Some(output) = &self.record {
            HttpMode::Record {
                allowed_hosts: allowed,
                output: output.clone(),
            }
        } else if self.live {
            HttpMode::Live {
                allowed_hosts: allowed,
            }
        } else if need_http {
            bail!("pick where HTTP requests go: --replay FILE.har, --live, or --record FILE.har");
        } else {
            HttpMode::Off
        };
        Ok(CallOptions {
            http,
            secrets,
            time_limit: Duration::from_secs_f64(self.time_limit),
            memory_limit: (self.memory_limit as usize) << 20,
            ..CallOptions::default()
        })
    }

    /// With `--strict`, fails when the run left a HAR entry unused.
    fn check_strict(&self, options: &CallOptions) -> Result<()> {
        if let (true, HttpMode::ReplayShared(replayer)) = (self.strict, &options.http) {
            let unused = replayer.lock().unwrap_or_else(|e| e.into_inner()).unused();
            if !unused.is_empty() {
                bail!("{}", har::unused_message(&unused));
            }
        }
        Ok(())
    }
}

/// Prints a call's log lines and its result, every form of every secret
/// redacted (the library did already; this is the last line of defence);
/// the exit code says which.
fn print_outcome<T>(
    outcome: Outcome<T>,
    redactor: &Redactor,
    render: impl Fn(&T) -> String,
) -> Result<ExitCode> {
    for line in &outcome.logs {
        eprintln!("{}", redactor.redact(&line.to_string()));
    }
    for host in &outcome.refused_hosts {
        eprintln!("[host] refused a request to {host}: not in the allow-list (see --allow-host)");
    }
    match &outcome.result {
        Ok(value) => {
            let text = render(value);
            print_stdout(&redactor.redact(&text))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}", redactor.redact(&json::error(e).to_string()));
            Ok(ExitCode::from(1))
        }
    }
}

/// Writes a binary or text body to `path` and leaves in its place a note of
/// where it went.
fn save_body(output: &mut Output, path: &Path) -> Result<()> {
    let bytes = match &output.body {
        Body::Binary(b) => b.clone(),
        Body::Text(t) => t.clone().into_bytes(),
        Body::Json(t) => t.clone().into_bytes(),
        Body::Empty => Vec::new(),
    };
    std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    output.body = Body::Json(
        serde_json::json!({"saved": path.display().to_string(), "bytes": bytes.len()}).to_string(),
    );
    Ok(())
}

/// Shows a sync's progress on stderr: a live line with records per stream on
/// a terminal, a plain line per batch otherwise.
fn sync_progress() -> impl FnMut(&SyncSummary) {
    use std::io::IsTerminal;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    move |summary: &SyncSummary| {
        let streams: Vec<String> = summary
            .records
            .iter()
            .map(|(stream, n)| format!("{stream} {n}"))
            .collect();
        let line = format!(
            "batch {}: {} records ({})",
            summary.batches,
            summary.total(),
            streams.join(", ")
        );
        match &bar {
            Some(bar) => bar.set_message(line),
            None => eprintln!("{line}"),
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let path = cli.component.unwrap_or_else(Host::default_component_path);
    let host = Host::new(&path)?;
    match cli.command {
        Command::Definitions => {
            let metadata = host.metadata()?;
            let connections = host.connection_definitions()?;
            let actions = host.action_definitions()?;
            let sync = match host.world() {
                World::SyncConnector => {
                    let streams = host.sync_streams()?;
                    let config_schema: serde_json::Value =
                        serde_json::from_str(&host.sync_config_schema()?)?;
                    serde_json::json!({
                        "streams": streams.iter().map(json::stream_definition).collect::<Vec<_>>(),
                        "config-schema": config_schema,
                    })
                }
                World::Connector => serde_json::Value::Null,
            };
            let out = serde_json::json!({
                "metadata": json::metadata(&metadata),
                "world": host.world().name(),
                "connections": connections.iter().map(json::connection_definition).collect::<Vec<_>>(),
                "actions": actions.iter().map(json::action_definition).collect::<Vec<_>>(),
                "sync": sync,
            });
            print_stdout(&serde_json::to_string_pretty(&out)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            connection: path,
            no_store,
            call,
        } => {
            let mut connection = Connection::read(&path)?;
            let options = call.options(&host, &connection, true)?;
            let outcome = host
                .check(&connection, &options)
                .inspect_err(|e| print_failure_logs(e, &options, &connection))?;
            call.check_strict(&options)?;
            let redactor = options.secrets.with_connection_context(&connection);
            if let (Ok(info), false, None) = (&outcome.result, no_store, &call.replay)
                && connection.merge_store(&info.store)?
            {
                connection.write(&path)?;
                eprintln!(
                    "[host] stored what the check learned ({}) in {}",
                    redactor.redact(&info.store),
                    path.display()
                );
            }
            print_outcome(outcome, &redactor, |info| {
                serde_json::to_string_pretty(&json::connection_info(info))
                    .expect("JSON values serialise")
            })
        }
        Command::Invoke {
            action,
            connection,
            input,
            save,
            call,
        } => {
            let connection = Connection::read(&connection)?;
            let input = match input.strip_prefix('@') {
                Some(file) => {
                    json::read_unique_keys(file.as_ref(), files::MAX_INPUT_BYTES, "input file")?
                }
                None => {
                    json::refuse_duplicate_keys(&input, "--input")?;
                    input
                }
            };
            let options = call.options(&host, &connection, true)?;
            let mut outcome = host
                .invoke(&action, &connection, &input, &options)
                .inspect_err(|e| print_failure_logs(e, &options, &connection))?;
            call.check_strict(&options)?;
            if let (Some(path), Ok(output)) = (&save, &mut outcome.result) {
                save_body(output, path)?;
            }
            let redactor = options.secrets.with_connection_context(&connection);
            print_outcome(outcome, &redactor, json::output_pretty)
        }
        Command::Mcp {
            connection,
            tools,
            groups,
            read_only,
            http,
            allow_origin,
            allow_http_host,
            call,
        } => {
            let connection = Connection::read(&connection)?;
            let options = call.options(&host, &connection, true)?;
            let filter = mcp::ToolFilter {
                keys: tools,
                groups,
                read_only,
            };
            let server =
                mcp::McpServer::new(std::sync::Arc::new(host), connection, options, &filter)?;
            let tools = server.tools().len();
            let Some(addr) = http else {
                eprintln!("[host] serving {tools} tools over MCP on stdio");
                mcp::serve_stdio(server)?;
                return Ok(ExitCode::SUCCESS);
            };
            let (token, made_up) = match std::env::var(mcp::TOKEN_VARIABLE) {
                Ok(token) if !token.trim().is_empty() => (token.trim().to_string(), false),
                _ => (mcp::new_token()?, true),
            };
            let mut allowed_hosts: Vec<String> =
                ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
            if !addr.ip().is_unspecified() {
                allowed_hosts.push(addr.ip().to_string());
            }
            allowed_hosts.extend(allow_http_host);
            let settings = mcp::HttpSettings {
                addr,
                token: token.clone(),
                allowed_origins: allow_origin,
                allowed_hosts,
                max_body: mcp::MAX_MESSAGE_BYTES,
            };
            mcp::serve_http(server, settings, |bound| {
                eprintln!("[host] serving {tools} tools over MCP at http://{bound}/mcp");
                if made_up {
                    eprintln!(
                        "[host] bearer token (set {} to choose one): {token}",
                        mcp::TOKEN_VARIABLE
                    );
                }
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync {
            connection,
            config,
            state,
            out,
            fresh,
            call,
        } => {
            let connection = Connection::read(&connection)?;
            let config = match &config {
                Some(path) => json::read_unique_keys(path, files::MAX_CONFIG_BYTES, "config file")?,
                None => "{}".to_string(),
            };
            let options = call.options(&host, &connection, true)?;
            let mut progress = sync_progress();
            let job = SyncJob {
                connection: &connection,
                config: &config,
                state_path: &state,
                out: &out,
                options: &options,
                max_batches: None,
                fresh,
            };
            let summary = run_sync(&host, &job, &mut progress)
                .and_then(|summary| call.check_strict(&options).map(|()| summary));
            let redactor = options.secrets.with_connection_context(&connection);
            match summary {
                Ok(summary) => {
                    let out = serde_json::json!({
                        "batches": summary.batches,
                        "records": summary.records,
                        "requests": summary.requests,
                    });
                    print_stdout(&redactor.redact(&serde_json::to_string_pretty(&out)?))?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    print_failure_logs(&e, &options, &connection);
                    eprintln!("{}", secrets_safe(&redactor, &e));
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// Prints the log lines a call gathered before it failed in the host (a
/// limit, a replay miss: see [`CallFailure`]), redacted as a successful
/// call's are, so they come before the error.
fn print_failure_logs(error: &anyhow::Error, options: &CallOptions, connection: &Connection) {
    if let Some(failure) = error.downcast_ref::<CallFailure>() {
        let redactor = options.secrets.with_connection_context(connection);
        for line in &failure.logs {
            eprintln!("{}", redactor.redact(&line.to_string()));
        }
    }
}

/// Writing to stdout failed (a closed pipe, a full disk).
#[derive(Debug)]
struct OutputError(std::io::Error);

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write the output: {}", self.0)
    }
}

impl std::error::Error for OutputError {}

/// Writes `text` and a newline to stdout, and flushes it; a failure is an
/// [`OutputError`], which ends the process quietly.
fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|e| OutputError(e).into())
}

/// A sync failure as one JSON line, secret values redacted.
fn secrets_safe(redactor: &Redactor, error: &anyhow::Error) -> String {
    let text = redactor.redact(&format!("{error:#}"));
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| serde_json::json!({"error": "sync", "message": text}).to_string())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!(
                "{}",
                serde_json::json!({"error": "host", "message": e.to_string().trim()})
            );
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.is::<OutputError>() => {
            // stdout is gone (a closed pipe: nothing to say) or full.
            if let Some(OutputError(io)) = e.downcast_ref()
                && io.kind() != std::io::ErrorKind::BrokenPipe
            {
                eprintln!("{}", json::host_error(&e));
            }
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("{}", json::host_error(&e));
            ExitCode::from(2)
        }
    }
}
