//! `connector-host`: run a connector component from a terminal.
//!
//! Prints an action's output (or what a check learned, or the definitions) as JSON
//! on stdout. A connector error goes to stderr as JSON with exit code 1; a
//! host-level failure as `{"error":"host",...}` with exit code 2.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use host_test_harness::bindings::AuthScheme;
use host_test_harness::har::{self, Replayer};
use host_test_harness::secrets::{Redactor, secret_keys};
use host_test_harness::{
    Body, CallFailure, CallOptions, Connection, Har, Host, HttpMode, Outcome, Output, Secrets,
    SyncJob, SyncSummary, World, files, json, mcp, oauth, run_sync,
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
    /// Log an OAuth 2.0 connection in: open the service's consent page (or
    /// print its address with --no-browser), wait for its redirect to the
    /// loopback --redirect-uri, exchange the code, store the tokens in the
    /// token store, and check the connection (storing the site it resolves).
    /// Later commands on this connection file use and renew the stored tokens.
    Login {
        /// The connection file: {"definition":"oauth2","values":{"client-id":...}}.
        #[arg(long)]
        connection: PathBuf,
        /// Where the service sends the browser back: a loopback http address,
        /// registered exactly so with the app (port and path included).
        #[arg(long, value_name = "URI", default_value = oauth::login::DEFAULT_REDIRECT_URI)]
        redirect_uri: String,
        /// Print the consent page's address instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
        /// Log in as the app itself (a service account): the client-credentials
        /// grant, with no browser and no refresh token.
        #[arg(long, conflicts_with_all = ["no_browser"])]
        client_credentials: bool,
        /// How long to wait for the redirect, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300,
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        wait: u64,
        #[command(flatten)]
        call: CallArgs,
    },
    /// Remove the stored OAuth 2.0 tokens of a connection.
    Logout {
        /// The connection file the tokens were stored for.
        #[arg(long)]
        connection: PathBuf,
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
    /// The secrets the flags give.
    fn flag_secrets(&self) -> Result<Secrets> {
        let mut secrets = Secrets::new();
        for flag in &self.secret {
            let (k, v) = Secrets::parse_flag(flag)?;
            secrets.insert(k, v);
        }
        Ok(secrets)
    }

    /// The options of a call through `connection`, read from the file at
    /// `path`: its secrets (flags, then the environment, for the secret
    /// inputs its definition declares), its allow-list (the definition's
    /// egress, then `--allow-host`) and, for OAuth 2.0 on the network
    /// without a given access token, the token store's entry.
    fn options(
        &self,
        host: &Host,
        connection: &Connection,
        path: &Path,
        need_http: bool,
    ) -> Result<CallOptions> {
        let mut secrets = self.flag_secrets()?;
        let definitions = host.connection_definitions()?;
        let definition = definitions.iter().find(|d| d.key == connection.definition);
        let mut allowed = Vec::new();
        let mut oauth_app_secret = None;
        let name = host.metadata()?.name;
        if let Some(definition) = definition {
            if matches!(definition.auth, AuthScheme::Oauth2(_)) {
                // The app's secret is the host's, for its own token requests.
                oauth_app_secret = Some(client_secret(&mut secrets, &name));
            }
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
        let online = matches!(http, HttpMode::Live { .. } | HttpMode::Record { .. });
        let tokens = match oauth_app_secret {
            Some(app_secret) if online && !secrets.has(oauth::ACCESS_TOKEN) => {
                let store = oauth::store::chosen()?;
                let key = oauth::entry_key(&name, path)?;
                let tokens =
                    oauth::Tokens::new(store, key, login_hint(path)).with_client_secret(app_secret);
                Some(Arc::new(tokens))
            }
            _ => None,
        };
        Ok(CallOptions {
            http,
            secrets,
            time_limit: Duration::from_secs_f64(self.time_limit),
            memory_limit: (self.memory_limit as usize) << 20,
            tokens,
            ..CallOptions::default()
        })
    }

    /// Whether a flag says where HTTP requests go.
    fn has_mode(&self) -> bool {
        self.live || self.replay.is_some() || self.record.is_some()
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

/// The OAuth app's client secret, taken out of the secrets `flags` give (it
/// is the host's, never the guest's), else read from the environment.
fn client_secret(flags: &mut Secrets, connector: &str) -> Option<String> {
    flags.take(oauth::CLIENT_SECRET).or_else(|| {
        let mut env = Secrets::new();
        env.add_from_env(connector, [oauth::CLIENT_SECRET]);
        env.take(oauth::CLIENT_SECRET)
    })
}

/// The command that logs the connection in the file at `path` in.
fn login_hint(path: &Path) -> String {
    format!("connector-host login --connection {}", path.display())
}

/// The redactor of what a command prints: every secret of `options`, the
/// Basic credentials of `connection`, and the stored OAuth tokens.
fn redactor(options: &CallOptions, connection: &Connection) -> Redactor {
    let mut secrets = options.secrets.clone();
    if let Some(entry) = options.tokens.as_ref().and_then(|t| t.entry().ok()) {
        for (i, value) in entry.secret_values().enumerate() {
            secrets.insert(format!("stored-{i}"), value);
        }
    }
    secrets.with_connection_context(connection)
}

/// Opens `url` in the user's browser; says so when it cannot.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let opened = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if opened.is_err() {
        eprintln!("[host] could not open a browser: open the address above yourself");
    }
}

/// `connector-host login`: see [`Command::Login`].
fn login(
    host: &Host,
    path: &Path,
    redirect_uri: &str,
    no_browser: bool,
    client_credentials: bool,
    wait: Duration,
    mut call: CallArgs,
) -> Result<ExitCode> {
    let mut connection = Connection::read(path)?;
    let definitions = host.connection_definitions()?;
    let Some(definition) = definitions.iter().find(|d| d.key == connection.definition) else {
        let keys: Vec<&str> = definitions.iter().map(|d| d.key.as_str()).collect();
        bail!(
            "the connection file's definition `{}` is not one of this connector's ({})",
            connection.definition,
            keys.join(", ")
        );
    };
    let name = host.metadata()?.name;
    let secret = client_secret(&mut call.flag_secrets()?, &name);
    let app = oauth::App::of(&connection, definition, secret)?;
    let login = host.runtime().block_on(async {
        if client_credentials {
            oauth::login::client_credentials(&app, &name).await
        } else {
            oauth::login::authorization_code(
                &app,
                redirect_uri,
                wait,
                |url| {
                    eprintln!("[host] to log in, open this address and consent:\n{url}");
                    if !no_browser {
                        open_browser(url.as_str());
                    }
                    eprintln!("[host] waiting for the redirect to {redirect_uri}");
                },
                |note| eprintln!("[host] {note}"),
            )
            .await
        }
    })?;
    let store = oauth::store::chosen()?;
    let key = oauth::entry_key(&name, path)?;
    let mut entry = login.entry;
    store.save(&key, &entry)?;
    eprintln!("[host] stored the tokens in {}", store.describe());
    if !login.missing_scopes.is_empty() {
        eprintln!(
            "[host] the service did not grant these scopes, which were asked for or which the connector's actions need: {} (calls that need them will be refused; add them to the app and log in again)",
            login.missing_scopes.join(" ")
        );
    }
    // The check resolves the site (the connection's override applies), on
    // the network unless told otherwise.
    if !call.has_mode() {
        call.live = true;
    }
    let options = call.options(host, &connection, path, true)?;
    let outcome = host.check(&connection, &options)?;
    let redactor = redactor(&options, &connection);
    for line in &outcome.logs {
        eprintln!("{}", redactor.redact(&line.to_string()));
    }
    let info = match &outcome.result {
        Ok(info) => info,
        Err(e) => {
            eprintln!(
                "[host] logged in, but the connection's check failed: {}",
                redactor.redact(&json::error(e).to_string())
            );
            return Ok(ExitCode::from(1));
        }
    };
    if call.replay.is_none() && connection.merge_store(&info.store)? {
        connection.write(path)?;
        eprintln!("[host] stored what the check learned in {}", path.display());
    }
    // A renewal during the check may have replaced the entry: keep its tokens.
    if let Ok(Some(current)) = store.load(&key) {
        entry = current;
    }
    entry.site = info.url.clone().or_else(|| info.display_name.clone());
    store.save(&key, &entry)?;
    let out = serde_json::json!({
        "logged-in": connection.definition,
        "grant": entry.grant,
        "store": store.describe(),
        "scopes": entry.scopes,
        "expires-at": entry.expires_at,
        "refresh-token": entry.refresh_token.is_some(),
        "site": json::connection_info(info),
    });
    print_stdout(&redactor.redact(&serde_json::to_string_pretty(&out)?))?;
    Ok(ExitCode::SUCCESS)
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
        Command::Login {
            connection,
            redirect_uri,
            no_browser,
            client_credentials,
            wait,
            call,
        } => login(
            &host,
            &connection,
            &redirect_uri,
            no_browser,
            client_credentials,
            Duration::from_secs(wait),
            call,
        ),
        Command::Logout { connection } => {
            let name = host.metadata()?.name;
            let store = oauth::store::chosen()?;
            let removed = store.remove(&oauth::entry_key(&name, &connection)?)?;
            let out = serde_json::json!({"removed": removed, "store": store.describe()});
            print_stdout(&serde_json::to_string_pretty(&out)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            connection: path,
            no_store,
            call,
        } => {
            let mut connection = Connection::read(&path)?;
            let options = call.options(&host, &connection, &path, true)?;
            let outcome = host
                .check(&connection, &options)
                .inspect_err(|e| print_failure_logs(e, &options, &connection))?;
            call.check_strict(&options)?;
            let redactor = redactor(&options, &connection);
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
            let path = connection;
            let connection = Connection::read(&path)?;
            let input = match input.strip_prefix('@') {
                Some(file) => {
                    json::read_unique_keys(file.as_ref(), files::MAX_INPUT_BYTES, "input file")?
                }
                None => {
                    json::refuse_duplicate_keys(&input, "--input")?;
                    input
                }
            };
            let options = call.options(&host, &connection, &path, true)?;
            let mut outcome = host
                .invoke(&action, &connection, &input, &options)
                .inspect_err(|e| print_failure_logs(e, &options, &connection))?;
            call.check_strict(&options)?;
            if let (Some(path), Ok(output)) = (&save, &mut outcome.result) {
                save_body(output, path)?;
            }
            let redactor = redactor(&options, &connection);
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
            let path = connection;
            let connection = Connection::read(&path)?;
            let options = call.options(&host, &connection, &path, true)?;
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
                _ => (host_test_harness::secrets::random_token()?, true),
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
            let path = connection;
            let connection = Connection::read(&path)?;
            let config = match &config {
                Some(path) => json::read_unique_keys(path, files::MAX_CONFIG_BYTES, "config file")?,
                None => "{}".to_string(),
            };
            let options = call.options(&host, &connection, &path, true)?;
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
            let redactor = redactor(&options, &connection);
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
        let redactor = redactor(options, connection);
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
