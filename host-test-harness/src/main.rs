//! `connector-host`: run the connector component from a terminal.
//!
//! Prints an action's output (or a check's site, or the definitions) as JSON
//! on stdout. A connector error goes to stderr as JSON with exit code 1; a
//! host-level failure as `{"error":"host",...}` with exit code 2.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use host_test_harness::{
    Body, CallOptions, Connection, Har, Host, HttpMode, Outcome, Output, Secrets, SyncJob,
    SyncSummary, json, run_sync,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "connector-host",
    version,
    about = "Run the Confluence connector component with wasmtime"
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
    /// Print every connection kind and action as JSON.
    Definitions,
    /// Prove a connection's credentials and print the site it resolves to.
    Check {
        /// The connection file: {"definition":"basic","values":{...}}.
        #[arg(long)]
        connection: PathBuf,
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
    /// Mirror the site: read batches until the run is complete, appending
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
    /// A secret as key=value (repeatable); CONFLUENCE_API_TOKEN, CONFLUENCE_ACCESS_TOKEN
    /// and CONFLUENCE_CLIENT_SECRET fill api-token, access-token and client-secret.
    #[arg(long, value_name = "KEY=VALUE")]
    secret: Vec<String>,
    /// A host the component may reach in live/record mode (repeatable; default:
    /// api.atlassian.com, api.media.atlassian.com and the connection's host).
    #[arg(long, value_name = "HOST")]
    allow_host: Vec<String>,
    /// Time limit of the call, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    time_limit: f64,
    /// Memory limit of the component, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    memory_limit: usize,
}

impl CallArgs {
    fn options(&self, connection: &Connection, need_http: bool) -> Result<CallOptions> {
        let mut secrets = Secrets::new();
        for flag in &self.secret {
            let (k, v) = Secrets::parse_flag(flag)?;
            secrets.insert(k, v);
        }
        secrets.add_from_env();
        let mut allowed = self.allow_host.clone();
        if allowed.is_empty() {
            allowed.push("api.atlassian.com".into());
            // Attachment downloads redirect here; the component follows
            // without the credentials (they only go to the site and the gateway).
            allowed.push("api.media.atlassian.com".into());
            allowed.extend(connection.site_host());
        }
        let http = if let Some(path) = &self.replay {
            HttpMode::Replay {
                har: Har::read(path)?,
                strict: self.strict,
            }
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
        if !(self.time_limit > 0.0 && self.time_limit.is_finite()) {
            bail!("--time-limit wants a positive number of seconds");
        }
        Ok(CallOptions {
            http,
            secrets,
            time_limit: Duration::from_secs_f64(self.time_limit),
            memory_limit: self.memory_limit.saturating_mul(1024 * 1024),
            wall_clock: None,
        })
    }
}

/// Prints a call's log lines (secret values redacted) and its result; the exit code says which.
fn print_outcome<T>(
    outcome: Outcome<T>,
    secrets: &Secrets,
    render: impl Fn(&T) -> serde_json::Value,
) -> ExitCode {
    for line in &outcome.logs {
        eprintln!("{}", secrets.redact(&line.to_string()));
    }
    for host in &outcome.refused_hosts {
        eprintln!("[host] refused a request to {host}: not in the allow-list (see --allow-host)");
    }
    match &outcome.result {
        Ok(value) => {
            println!("{}", serde_json::to_string_pretty(&render(value)).unwrap());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", json::error(e));
            ExitCode::from(1)
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
            let connections = host.connection_definitions()?;
            let actions = host.action_definitions()?;
            let streams = host.sync_streams()?;
            let config_schema: serde_json::Value =
                serde_json::from_str(&host.sync_config_schema()?)?;
            let out = serde_json::json!({
                "connections": connections.iter().map(json::connection_definition).collect::<Vec<_>>(),
                "actions": actions.iter().map(json::action_definition).collect::<Vec<_>>(),
                "sync": {
                    "streams": streams.iter().map(json::stream_definition).collect::<Vec<_>>(),
                    "config-schema": config_schema,
                },
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { connection, call } => {
            let connection = Connection::read(&connection)?;
            let options = call.options(&connection, true)?;
            let outcome = host.check(&connection, &options)?;
            Ok(print_outcome(outcome, &options.secrets, json::site))
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
                Some(file) => std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read the input file {file}"))?,
                None => input,
            };
            let options = call.options(&connection, true)?;
            let mut outcome = host.invoke(&action, &connection, &input, &options)?;
            if let (Some(path), Ok(output)) = (&save, &mut outcome.result) {
                save_body(output, path)?;
            }
            Ok(print_outcome(outcome, &options.secrets, json::output))
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
            if fresh {
                for path in [&state, &out] {
                    match std::fs::remove_file(path) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(e)
                                .with_context(|| format!("cannot remove {}", path.display()));
                        }
                        _ => {}
                    }
                }
            }
            let config = match &config {
                Some(path) => std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the config file {}", path.display()))?,
                None => "{}".to_string(),
            };
            let options = call.options(&connection, true)?;
            let mut progress = sync_progress();
            let job = SyncJob {
                connection: &connection,
                config: &config,
                state_path: &state,
                out: &out,
                options: &options,
                max_batches: None,
            };
            let summary = run_sync(&host, &job, &mut progress);
            match summary {
                Ok(summary) => {
                    let out = serde_json::json!({
                        "batches": summary.batches,
                        "records": summary.records,
                        "requests": summary.requests,
                    });
                    println!("{}", serde_json::to_string_pretty(&out)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{}", secrets_safe(&options.secrets, &e));
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// A sync failure as one JSON line, secret values redacted.
fn secrets_safe(secrets: &Secrets, error: &anyhow::Error) -> String {
    let text = secrets.redact(&format!("{error:#}"));
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
        Err(e) => {
            eprintln!("{}", json::host_error(&e));
            ExitCode::from(2)
        }
    }
}
