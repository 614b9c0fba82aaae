//! The sync side of a [`Host`]: the component's streams and configuration
//! schema, one `read` per call, and [`run_sync`], the loop a host runs to
//! mirror a site into a JSON-lines file with a state file it can resume from.

use crate::bindings::exports::integration::connector::sync::Guest as SyncGuest;
use crate::bindings::{Batch, Exports, Operation, StreamDefinition, World};
use crate::files;
use crate::har::Replayer;
use crate::host::{CallOptions, Connection, Host, Outcome};
use crate::http::HttpMode;
use anyhow::{Context, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

impl Host {
    /// Every stream the component's sync emits.
    pub fn sync_streams(&self) -> Result<Vec<StreamDefinition>> {
        self.require_sync()?;
        self.definitions(|b, s| Box::pin(async move { sync_of(b)?.call_streams(s).await }))
    }

    /// The JSON Schema of the sync configuration, as text.
    pub fn sync_config_schema(&self) -> Result<String> {
        self.require_sync()?;
        self.definitions(|b, s| Box::pin(async move { sync_of(b)?.call_config_schema(s).await }))
    }

    /// Reads one batch (blocking). `Err` is a host-level failure.
    pub fn sync_read(
        &self,
        connection: &Connection,
        config: &str,
        state: Option<&str>,
        options: &CallOptions,
    ) -> Result<Outcome<Batch>> {
        self.require_sync()?;
        let conn = connection.to_wit();
        let config = config.to_string();
        let state = state.map(str::to_string);
        self.block_on(self.run_for(Some(connection), options, move |b, s| {
            let (conn, config, state) = (conn.clone(), config.clone(), state.clone());
            Box::pin(async move {
                sync_of(b)?
                    .call_read(s, &conn, &config, state.as_deref())
                    .await
            })
        }))
    }

    /// Fails, saying what the component offers instead, when it does not
    /// export `sync` (it targets world `connector`).
    pub fn require_sync(&self) -> Result<()> {
        if self.world() == World::SyncConnector {
            return Ok(());
        }
        let name = self
            .metadata()
            .map(|m| format!("`{}`", m.name))
            .unwrap_or_else(|_| "this connector".into());
        bail!(
            "the connector {name} has no sync: it targets the contract's world `connector` \
             (connections and actions only), not `sync-connector`; use `invoke` with its actions instead"
        )
    }
}

/// The `sync` export of an instance whose component [`Host::require_sync`] has checked.
fn sync_of(exports: &Exports) -> wasmtime::Result<&SyncGuest> {
    exports
        .sync
        .as_ref()
        .ok_or_else(|| wasmtime::format_err!("the component does not export `sync`"))
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
    /// Start over: remove the state and the records file first (once the
    /// state is locked), so the run is a full one.
    pub fresh: bool,
}

/// Runs a sync to the end of its run: reads batches, appends each batch's
/// records to `out` as JSON lines, then saves the batch's state to
/// `state_path` (written to a temporary file of its own and renamed, so a
/// crash leaves the previous state whole).
///
/// Refuses, before touching any file, a connector without sync, a
/// `state_path` and an `out` that are one file, and a state that another run
/// holds (see [`lock_path`]). Before appending, a torn last line of `out`
/// (left by a run killed mid-write) is cut off, and said so on stderr.
pub fn run_sync(host: &Host, job: &SyncJob, progress: Progress) -> Result<SyncSummary> {
    let SyncJob {
        connection,
        config,
        state_path,
        out,
        options,
        max_batches,
        fresh,
    } = *job;
    // Before any file is touched: a connector without sync leaves none behind.
    host.require_sync()?;
    files::ensure_distinct(state_path, out, ("--state", "--out"))?;
    let _lock = lock_state(state_path, out)?;
    if fresh {
        for path in [state_path, out] {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
                _ => {}
            }
        }
    }
    let mut summary = SyncSummary::default();
    let mut state = if state_path.exists() {
        let text = files::read_text_capped(state_path, files::MAX_STATE_BYTES, "state file")?;
        (!text.trim().is_empty()).then_some(text)
    } else {
        None
    };
    if let Some(cut) = repair_tail(out)? {
        eprintln!(
            "[sync] {}: removed a torn last line ({cut} bytes, cut short by an interrupted run) before appending",
            out.display()
        );
    }
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
        files::write_atomic(state_path, batch.state.as_bytes(), 0o666)?;
        state = Some(batch.state);
        summary.batches += 1;
        progress(&summary);
        if !batch.more {
            if let (true, HttpMode::ReplayShared(replayer)) = (strict, &options.http) {
                let unused = replayer.lock().unwrap_or_else(|e| e.into_inner()).unused();
                if !unused.is_empty() {
                    bail!("{}", crate::har::unused_message(&unused));
                }
            }
            return Ok(summary);
        }
    }
}

/// The lock file of a state: `{state}.lock` beside it (`site.state.json.lock`).
/// A run holds an advisory lock (`flock`) on it from start to end, so a
/// second run on the same state fails at once; the system releases the lock
/// when the process ends, however it ends, so a killed run leaves nothing
/// stale. The file itself stays (removing it would let two runs lock two
/// different files of one name).
pub fn lock_path(state_path: &Path) -> PathBuf {
    let mut name = state_path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    state_path.with_file_name(name)
}

/// Takes the state's lock for this run (see [`lock_path`]); the lock is held
/// until the returned file is dropped.
fn lock_state(state_path: &Path, out: &Path) -> Result<File> {
    let path = lock_path(state_path);
    files::ensure_distinct(out, &path, ("--out", "the state's lock file"))?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another sync is running with the state {} (it holds {}); wait for it to end, or give this one its own --state",
            state_path.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// Makes the records file end with a whole line before records are appended
/// to it: a last line without its newline is cut off when it is not
/// complete JSON (a run was killed while writing it), and finished with a
/// newline when it is. Returns how many bytes were cut, if any were.
fn repair_tail(out: &Path) -> Result<Option<u64>> {
    let context = || format!("cannot repair the end of {}", out.display());
    let mut file = match OpenOptions::new().read(true).write(true).open(out) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(context),
    };
    let len = file.metadata().with_context(context)?.len();
    // Where the last line starts: after the last newline, found from the end.
    let mut start = 0;
    let mut at = len;
    let mut chunk = vec![0u8; 64 * 1024];
    while at > 0 {
        let n = chunk.len().min(at as usize);
        at -= n as u64;
        file.seek(SeekFrom::Start(at)).with_context(context)?;
        file.read_exact(&mut chunk[..n]).with_context(context)?;
        if let Some(i) = chunk[..n].iter().rposition(|&b| b == b'\n') {
            start = at + i as u64 + 1;
            break;
        }
    }
    if start == len {
        return Ok(None);
    }
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(start)).with_context(context)?;
    file.read_to_end(&mut tail).with_context(context)?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&tail).is_ok() {
        file.write_all(b"\n").with_context(context)?;
        file.sync_data().with_context(context)?;
        return Ok(None);
    }
    file.set_len(start).with_context(context)?;
    file.sync_data().with_context(context)?;
    Ok(Some(len - start))
}
