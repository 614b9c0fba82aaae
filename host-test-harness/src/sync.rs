//! The sync side of a [`Host`]: the component's streams and configuration
//! schema, one `read` per call, and [`run_sync`], the loop a host runs to
//! mirror a site into a JSON-lines file with a state file it can resume from.

use crate::bindings::{Batch, Operation, StreamDefinition};
use crate::har::Replayer;
use crate::host::{CallOptions, Connection, Host, Outcome};
use crate::http::HttpMode;
use anyhow::{Context, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

impl Host {
    /// Every stream the component's sync emits.
    pub fn sync_streams(&self) -> Result<Vec<StreamDefinition>> {
        self.definitions(|b, s| Box::pin(b.integration_connector_sync().call_streams(s)))
    }

    /// The JSON Schema of the sync configuration, as text.
    pub fn sync_config_schema(&self) -> Result<String> {
        self.definitions(|b, s| Box::pin(b.integration_connector_sync().call_config_schema(s)))
    }

    /// Reads one batch (blocking). `Err` is a host-level failure.
    pub fn sync_read(
        &self,
        connection: &Connection,
        config: &str,
        state: Option<&str>,
        options: &CallOptions,
    ) -> Result<Outcome<Batch>> {
        let conn = connection.to_wit();
        let config = config.to_string();
        let state = state.map(str::to_string);
        self.block_on(self.run(options, move |b, s| {
            Box::pin(async move {
                b.integration_connector_sync()
                    .call_read(s, &conn, &config, state.as_deref())
                    .await
            })
        }))
    }
}

/// What a sync loop did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SyncSummary {
    /// Batches read.
    pub batches: usize,
    /// Records written, by stream and operation (`pages upsert`).
    pub records: BTreeMap<String, usize>,
    /// HTTP requests the component sent.
    pub requests: usize,
}

impl SyncSummary {
    /// All records written.
    pub fn total(&self) -> usize {
        self.records.values().sum()
    }
}

/// Called after every batch with the summary so far.
pub type Progress<'a> = &'a mut dyn FnMut(&SyncSummary);

/// One sync run's settings.
pub struct SyncJob<'a> {
    /// The connection.
    pub connection: &'a Connection,
    /// The configuration, JSON text.
    pub config: &'a str,
    /// Where the state is kept; resumed from when it exists.
    pub state_path: &'a Path,
    /// The JSON-lines file records are appended to.
    pub out: &'a Path,
    /// How each call runs (HTTP mode, secrets, limits).
    pub options: &'a CallOptions,
    /// Stop after this many batches (a test of resuming stops early).
    pub max_batches: Option<usize>,
}

/// Runs a sync to the end of its run: reads batches, appends each batch's
/// records to `out` as JSON lines, then saves the batch's state to
/// `state_path` (written to a temporary file and renamed, so a crash leaves
/// the previous state whole).
pub fn run_sync(host: &Host, job: &SyncJob, progress: Progress) -> Result<SyncSummary> {
    let SyncJob {
        connection,
        config,
        state_path,
        out,
        options,
        max_batches,
    } = *job;
    let mut summary = SyncSummary::default();
    let mut state = match std::fs::read_to_string(state_path) {
        Ok(text) if !text.trim().is_empty() => Some(text),
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", state_path.display())),
    };
    // The batches of a run are separate calls: they share one replay, so each
    // recorded answer is used once across the whole run.
    let (options, strict) = match &options.http {
        HttpMode::Replay { har, strict } => (
            CallOptions {
                http: HttpMode::ReplayShared(Arc::new(Mutex::new(Replayer::new(har.clone())))),
                ..options.clone()
            },
            *strict,
        ),
        _ => (options.clone(), false),
    };
    let options = &options;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .with_context(|| format!("cannot open {}", out.display()))?;
    loop {
        if max_batches.is_some_and(|m| summary.batches >= m) {
            return Ok(summary);
        }
        let outcome = host.sync_read(connection, config, state.as_deref(), options)?;
        summary.requests += outcome.exchanges.len();
        let batch = outcome
            .result
            .map_err(|e| anyhow!("{}", crate::json::error(&e)))?;
        let mut lines = String::new();
        for record in &batch.records {
            let data: serde_json::Value =
                serde_json::from_str(&record.data).unwrap_or(serde_json::Value::Null);
            let operation = match record.operation {
                Operation::Upsert => "upsert",
                Operation::Delete => "delete",
            };
            let line = serde_json::json!({"stream": record.stream, "id": record.id, "operation": operation, "data": data});
            lines.push_str(&line.to_string());
            lines.push('\n');
            *summary
                .records
                .entry(format!("{} {operation}", record.stream))
                .or_default() += 1;
        }
        file.write_all(lines.as_bytes())?;
        file.sync_data()?;
        let temporary = state_path.with_extension("tmp");
        std::fs::write(&temporary, &batch.state)
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        std::fs::rename(&temporary, state_path)
            .with_context(|| format!("cannot replace {}", state_path.display()))?;
        state = Some(batch.state);
        summary.batches += 1;
        progress(&summary);
        if !batch.more {
            if let (true, HttpMode::ReplayShared(replayer)) = (strict, &options.http) {
                let unused = replayer.lock().unwrap_or_else(|e| e.into_inner()).unused();
                if !unused.is_empty() {
                    bail!(
                        "strict replay: {} HAR entries were never used: {}",
                        unused.len(),
                        unused.join(", ")
                    );
                }
            }
            return Ok(summary);
        }
    }
}
