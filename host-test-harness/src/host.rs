//! The public entry point: a [`Host`] loads the component once and runs
//! calls, each in a fresh `Store` with its own limits, secrets and HTTP mode.

use crate::bindings::{
    ActionDefinition, ConnectionDefinition, ConnectionInfo, ConnectorError, ConnectorMetadata,
    ExportIndices, Exports, Output, WitConnection, World,
};
use crate::engine;
use crate::files;
use crate::har::Har;
use crate::http::{CallHooks, Exchange, HttpMode, RequestObserver};
use crate::logging::LogLine;
use crate::pool::Pool;
use crate::secrets::{Redact, Redactor, Secrets};
use crate::state::{MemoryLimitExceeded, State};
use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use wasmtime::component::InstancePre;
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

/// The default time limit of a call.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);
/// The default memory limit of a call, in bytes.
pub const DEFAULT_MEMORY_LIMIT: usize = 256 * 1024 * 1024;

fn time_limit_message(limit: Duration) -> String {
    format!(
        "the component exceeded its time limit of {} s",
        limit.as_secs_f64()
    )
}

/// Turns a trap or instantiation failure into the host-level error a user
/// sees: the time or memory limit when one was hit, else the trap itself
/// (with secret values redacted).
pub fn call_failure(
    err: wasmtime::Error,
    time_limit: Duration,
    secrets: &Secrets,
) -> anyhow::Error {
    if let Some(m) = err.downcast_ref::<MemoryLimitExceeded>() {
        return anyhow!("{m}");
    }
    if matches!(err.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
        return anyhow!(time_limit_message(time_limit));
    }
    let message = secrets.redact(&format!("{err:?}"));
    anyhow!("the component failed: {message}")
}

/// A call that failed in the host rather than in the component: a time or
/// memory limit, a trap, a replay miss, strict replay's unused entries. It
/// keeps what the call gathered until it failed; the blocking and async
/// call methods return it inside their `anyhow::Error`, so
/// `err.downcast_ref::<CallFailure>()` gives the guest's log lines so far
/// (the CLI prints them before the error).
#[derive(Debug)]
pub struct CallFailure {
    /// What went wrong (secret values redacted), as the error displays it.
    pub message: String,
    /// Every `wasi:logging` line the guest wrote before the failure (secret
    /// values redacted, see [`LogLine`]).
    pub logs: Vec<LogLine>,
    /// Every HTTP request the guest sent before the failure.
    pub exchanges: Vec<Exchange>,
}

impl std::fmt::Display for CallFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CallFailure {}

/// A stored connection: which definition, and its non-secret values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// The `key` of a connection definition, such as `basic`.
    pub definition: String,
    /// The definition's non-secret input values, by key.
    #[serde(default = "empty_object")]
    pub values: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

/// The host an egress entry stands for: `acme.example.com`,
/// `https://acme.example.com/wiki` and `http://127.0.0.1:8080` alike.
fn host_of(entry: &str) -> Option<String> {
    let entry = entry.trim();
    let with_scheme = if entry.contains("://") {
        entry.to_string()
    } else {
        format!("https://{entry}")
    };
    url::Url::parse(&with_scheme)
        .ok()?
        .host_str()
        .filter(|h| !h.is_empty())
        .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
}

impl Connection {
    /// A connection from its definition key and values.
    pub fn new(definition: &str, values: serde_json::Value) -> Connection {
        Connection {
            definition: definition.to_string(),
            values,
        }
    }

    /// Reads a connection file (`{"definition":"basic","values":{...}}`), at
    /// most [`MAX_CONNECTION_BYTES`](crate::files::MAX_CONNECTION_BYTES);
    /// a key given twice in one object is refused.
    pub fn read(path: &Path) -> Result<Connection> {
        let text =
            crate::json::read_unique_keys(path, files::MAX_CONNECTION_BYTES, "connection file")?;
        serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a connection file (want {{\"definition\":\"basic\",\"values\":{{...}}}})",
                path.display()
            )
        })
    }

    /// The hosts `definition` declares this connection's calls may reach
    /// (its `egress`), each template filled in from the values: `{key}` is
    /// the value of input `key`, and an address (`https://acme.example.com/x`,
    /// `acme.example.com:8443`) stands for its host. A template naming a value
    /// the connection lacks, or that does not give a host, is left out.
    pub fn egress_hosts(&self, definition: &ConnectionDefinition) -> Vec<String> {
        let mut hosts = Vec::new();
        for template in &definition.egress {
            if let Some(host) = self.fill(template).as_deref().and_then(host_of)
                && !hosts.contains(&host)
            {
                hosts.push(host);
            }
        }
        hosts
    }

    /// `template` with each `{key}` replaced by the string value of `key`.
    fn fill(&self, template: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}')? + open;
            let value = self.values.get(&rest[open + 1..close])?.as_str()?.trim();
            if value.is_empty() {
                return None;
            }
            out.push_str(value);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// Merges `store`, a JSON object a `check` returned, into the values.
    /// Returns whether anything changed.
    pub fn merge_store(&mut self, store: &str) -> Result<bool> {
        let store: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(store).context("the connector's `store` is not a JSON object")?;
        if !self.values.is_object() {
            self.values = empty_object();
        }
        let mut changed = false;
        if let Some(values) = self.values.as_object_mut() {
            for (key, value) in store {
                if values.get(&key) != Some(&value) {
                    values.insert(key, value);
                    changed = true;
                }
            }
        }
        Ok(changed)
    }

    /// Writes the connection file at `path` (atomically, mode 0600, as
    /// [`Connection::read`] reads it).
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self).context("serialising the connection")?;
        text.push('\n');
        files::write_atomic(path, text.as_bytes(), 0o600)
    }

    pub(crate) fn to_wit(&self) -> WitConnection {
        WitConnection {
            definition: self.definition.clone(),
            values: self.values.to_string(),
        }
    }
}

/// How one call runs.
#[derive(Clone, Debug)]
pub struct CallOptions {
    /// Where HTTP requests are answered from.
    pub http: HttpMode,
    /// The secrets answered to the guest (in replay mode, missing ones are `REDACTED`).
    pub secrets: Secrets,
    /// Wall-clock limit of the whole call, instantiation included (one too
    /// far away for the clock, such as `Duration::MAX`, is no limit). When it
    /// passes, the call fails with a [`CallFailure`] keeping the logs so far.
    pub time_limit: Duration,
    /// Limit of each linear memory, in bytes.
    pub memory_limit: usize,
    /// The time the guest's wall clock shows, stopped, for reproducible runs;
    /// `None` is the real time.
    pub wall_clock: Option<std::time::SystemTime>,
    /// Told of every request as the call sends it, for progress reports.
    pub on_request: Option<RequestObserver>,
    /// Stops the call when cancelled, as the time limit does (the call fails
    /// with a [`CallFailure`] keeping the logs so far).
    pub cancel: Option<CancellationToken>,
    /// The stored OAuth 2.0 tokens of the connection: before the call, the
    /// guest's secret `access-token` is set to a current access token (renewed
    /// first when it expires soon), and a call the service refused as
    /// unauthorized is run once more with a renewed one (see
    /// [`oauth::tokens::worth_renewing`](crate::oauth::tokens::worth_renewing)).
    pub tokens: Option<Arc<crate::oauth::Tokens>>,
}

impl Default for CallOptions {
    fn default() -> CallOptions {
        CallOptions {
            http: HttpMode::Off,
            secrets: Secrets::new(),
            time_limit: DEFAULT_TIME_LIMIT,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            wall_clock: None,
            on_request: None,
            cancel: None,
            tokens: None,
        }
    }
}

impl CallOptions {
    /// Options replaying `har` (strict: unused entries fail the call).
    pub fn replay(har: Har, strict: bool) -> CallOptions {
        CallOptions {
            http: HttpMode::Replay { har, strict },
            ..CallOptions::default()
        }
    }

    /// Options replaying the HAR file at `path`.
    pub fn replay_file(path: impl AsRef<Path>, strict: bool) -> Result<CallOptions> {
        Ok(CallOptions::replay(Har::read(path.as_ref())?, strict))
    }

    /// Options reaching the network, only the `allowed_hosts`.
    pub fn live(allowed_hosts: &[&str]) -> CallOptions {
        CallOptions {
            http: HttpMode::Live {
                allowed_hosts: allowed_hosts.iter().map(|h| h.to_string()).collect(),
            },
            ..CallOptions::default()
        }
    }

    /// Adds a secret.
    pub fn secret(mut self, key: &str, value: &str) -> CallOptions {
        self.secrets.insert(key, value);
        self
    }
}

/// What one call produced, besides its result: what was sent, logged, refused, left unused.
#[derive(Debug)]
pub struct Outcome<T> {
    /// The component's own answer, every form of every secret redacted.
    pub result: Result<T, ConnectorError>,
    /// How many secrets the host redacted from `result` and `logs`. The
    /// component puts none there itself, so anything but 0 is a site that
    /// reflected a credential back (or a component that leaked one).
    pub redactions: usize,
    /// Every HTTP request the component sent, in order.
    pub exchanges: Vec<Exchange>,
    /// Every `wasi:logging` line, secrets redacted.
    pub logs: Vec<LogLine>,
    /// HAR entries never used (replay mode).
    pub unused_har_entries: Vec<String>,
    /// Hosts refused because they are not allow-listed (live and record modes).
    pub refused_hosts: Vec<String>,
    /// The guest's peak linear memory, in bytes: the largest size the memory
    /// limiter granted to any one linear memory during the call,
    /// instantiation included (see `State::peak_memory`).
    pub peak_memory: usize,
}

/// What a call of one export returns to [`Host::run_once`]: the future of
/// the component's answer, borrowing the exports and the store.
pub(crate) type CallFuture<'a, T> = std::pin::Pin<
    Box<dyn Future<Output = wasmtime::Result<Result<T, ConnectorError>>> + Send + 'a>,
>;

/// A loaded component, ready to run calls; cheap to share (`&Host`) across threads.
///
/// The blocking methods run each call on a current-thread tokio runtime that
/// no other caller uses meanwhile (see `Host::block_on`); it also owns a small
/// multi-thread runtime ([`Host::runtime`]). Call the blocking methods from
/// plain threads, the `*_async` ones from async code, and do not drop a
/// `Host` inside an async context.
pub struct Host {
    engine: Engine,
    pre: InstancePre<State>,
    exports: ExportIndices,
    /// The network connections every call's live requests reuse.
    pool: Arc<Pool>,
    runtime: tokio::runtime::Runtime,
    /// Idle current-thread runtimes for `Host::block_on`: as many as calls
    /// have run at the same time.
    call_runtimes: Mutex<Vec<tokio::runtime::Runtime>>,
    component_path: PathBuf,
}

impl Host {
    /// The component built by this crate's build script (feature `component`).
    #[cfg(feature = "component")]
    pub fn default_component_path() -> PathBuf {
        PathBuf::from(env!("CONNECTOR_WASM"))
    }

    /// Loads (compiling once, then from the on-disk cache) and links the component at `path`.
    pub fn new(path: impl AsRef<Path>) -> Result<Host> {
        let path = path.as_ref();
        if !path.exists() {
            bail!("the component file {} does not exist", path.display());
        }
        let engine = engine::build_engine()?;
        let component = engine::load_component(&engine, path)?;
        let linker = engine::build_linker(&engine)?;
        let (pre, exports) = engine::prepare(&linker, &component)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the tokio runtime")?;
        let pool = Arc::new(Pool::new(runtime.handle().clone()));
        Ok(Host {
            engine,
            pre,
            exports,
            pool,
            runtime,
            call_runtimes: Mutex::new(Vec::new()),
            component_path: path.to_path_buf(),
        })
    }

    /// The path the component was loaded from.
    pub fn component_path(&self) -> &Path {
        &self.component_path
    }

    /// The engine every call's `Store` is created in (the benchmark builds
    /// its own stores in it to time instantiation alone).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The linked component every call instantiates from.
    pub fn instance_pre(&self) -> &InstancePre<State> {
        &self.pre
    }

    /// Where the component's exports are (load them into an instance of
    /// [`Host::instance_pre`] with [`ExportIndices::load`]).
    pub fn export_indices(&self) -> &ExportIndices {
        &self.exports
    }

    /// How many network connections the calls of this host have opened so
    /// far (live and record modes reuse them: see [`Pool`]).
    pub fn connections_opened(&self) -> usize {
        self.pool.opened()
    }

    /// The world of the contract the component targets: whether it has `sync`.
    pub fn world(&self) -> World {
        self.exports.world()
    }

    /// Who the connector is: name, version, vendor, contract version.
    pub fn metadata(&self) -> Result<ConnectorMetadata> {
        self.definitions(|b, s| Box::pin(b.metadata.call_about(s)))
    }

    /// A multi-thread runtime of the host's own (handy to spawn test servers
    /// on). The blocking methods do not run calls on it: see `Host::block_on`.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }

    /// Runs `future` to completion on the calling thread, as the blocking
    /// methods run calls: on a current-thread runtime that no other caller
    /// uses meanwhile (taken from a pool, or started). The tasks `wasi:http`
    /// spawns for each request then run on this thread between the guest's
    /// steps, where on a multi-thread runtime each request would wait for a
    /// worker thread to wake and then wake this one (about 40 µs a call).
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        let idle = self.call_runtimes.lock().unwrap().pop();
        let runtime = match idle {
            Some(runtime) => runtime,
            None => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("starting a tokio runtime"),
        };
        let output = runtime.block_on(future);
        // A call stopped early (a limit, a cancellation) drops its in-flight
        // requests, whose tasks are then only marked aborted: give the
        // runtime one turn so they are dropped now, with their connections,
        // rather than whenever this runtime next runs a call.
        runtime.block_on(tokio::task::yield_now());
        self.call_runtimes.lock().unwrap().push(runtime);
        output
    }

    /// Every connection kind the component offers.
    pub fn connection_definitions(&self) -> Result<Vec<ConnectionDefinition>> {
        self.definitions(|b, s| Box::pin(b.connections.call_definitions(s)))
    }

    /// Every action in the component's catalog.
    pub fn action_definitions(&self) -> Result<Vec<ActionDefinition>> {
        self.definitions(|b, s| Box::pin(b.actions.call_definitions(s)))
    }

    /// Runs an export that cannot fail inside the component, with no HTTP.
    pub(crate) fn definitions<T: Redact + Send + 'static>(
        &self,
        call: impl for<'a> FnOnce(
            &'a Exports,
            &'a mut Store<State>,
        ) -> std::pin::Pin<
            Box<dyn Future<Output = wasmtime::Result<T>> + Send + 'a>,
        > + Send,
    ) -> Result<T> {
        let outcome = self.block_on(self.run_once(None, &CallOptions::default(), |b, s| {
            let answer = call(b, s);
            Box::pin(async move { Ok(Ok(answer.await?)) })
        }))?;
        outcome
            .result
            .map_err(|e| anyhow!("unexpected connector error: {e:?}"))
    }

    /// Proves `connection` works (blocking) and returns what the connector
    /// learned, with the values to merge into the stored connection (see
    /// [`Connection::merge_store`]). `Err` is a host-level failure.
    pub fn check(
        &self,
        connection: &Connection,
        options: &CallOptions,
    ) -> Result<Outcome<ConnectionInfo>> {
        self.block_on(self.check_async(connection, options))
    }

    /// Async form of [`Host::check`].
    pub async fn check_async(
        &self,
        connection: &Connection,
        options: &CallOptions,
    ) -> Result<Outcome<ConnectionInfo>> {
        let conn = connection.to_wit();
        self.run_for(Some(connection), options, move |b, s| {
            let conn = conn.clone();
            Box::pin(async move { b.connections.call_check(s, &conn).await })
        })
        .await
    }

    /// Runs `action` with `input` (JSON text) through `connection` (blocking).
    /// `Err` is a host-level failure: limits, replay misses, strict leftovers, I/O.
    pub fn invoke(
        &self,
        action: &str,
        connection: &Connection,
        input: &str,
        options: &CallOptions,
    ) -> Result<Outcome<Output>> {
        self.block_on(self.invoke_async(action, connection, input, options))
    }

    /// Async form of [`Host::invoke`].
    pub async fn invoke_async(
        &self,
        action: &str,
        connection: &Connection,
        input: &str,
        options: &CallOptions,
    ) -> Result<Outcome<Output>> {
        let conn = connection.to_wit();
        let action = action.to_string();
        let input = input.to_string();
        self.run_for(Some(connection), options, move |b, s| {
            let (action, conn, input) = (action.clone(), conn.clone(), input.clone());
            Box::pin(async move { b.actions.call_invoke(s, &action, &conn, &input).await })
        })
        .await
    }

    /// Runs `call` through `connection` as [`Host::run_once`] does, with the
    /// access token of `options.tokens` when there are tokens: renewed before
    /// the call when it expires soon, and once more after the service refused
    /// it, when running the call again is safe.
    pub(crate) async fn run_for<T: Redact + Send + 'static>(
        &self,
        connection: Option<&Connection>,
        options: &CallOptions,
        call: impl for<'a> Fn(&'a Exports, &'a mut Store<State>) -> CallFuture<'a, T> + Send + Sync,
    ) -> Result<Outcome<T>> {
        let Some(tokens) = &options.tokens else {
            return self.run_once(connection, options, call).await;
        };
        let mut options = options.clone();
        let used = tokens.access_token().await?;
        options
            .secrets
            .insert(crate::oauth::ACCESS_TOKEN, used.clone());
        let outcome = self.run_once(connection, &options, &call).await?;
        if !crate::oauth::tokens::worth_renewing(&outcome) {
            return Ok(outcome);
        }
        let renewed = tokens.renew(&used).await?;
        options.secrets.insert(crate::oauth::ACCESS_TOKEN, renewed);
        self.run_once(connection, &options, &call).await
    }

    /// Runs `call` through `connection` (whose Basic credentials the
    /// redaction then knows too). Everything the call hands back (result,
    /// log lines, exchanges, a failure's message and logs, the recorded HAR)
    /// has every form of every secret redacted, including the
    /// `Authorization` values the guest sent.
    pub(crate) async fn run_once<T: Redact + Send + 'static>(
        &self,
        connection: Option<&Connection>,
        options: &CallOptions,
        call: impl for<'a> FnOnce(&'a Exports, &'a mut Store<State>) -> CallFuture<'a, T> + Send,
    ) -> Result<Outcome<T>> {
        let mut secrets = options.secrets.clone();
        secrets.redacted_fallback = matches!(
            options.http,
            HttpMode::Replay { .. } | HttpMode::ReplayShared(_) | HttpMode::Respond { .. }
        );
        let redactor = Redactor::new(&secrets, connection);
        let hooks = CallHooks::with_redactor(&options.http, redactor.clone())
            .with_pool(self.pool.clone())
            .with_observer(options.on_request.clone());
        let record = hooks.record();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let mut state = State::new(hooks, secrets.clone(), logs.clone(), options.memory_limit);
        if let Some(at) = options.wall_clock {
            state = state.with_wall_clock(at);
        }
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| s);
        // Every epoch tick: stop the guest once the time limit has passed,
        // or at once after a replay miss (the call has failed already; this
        // spares the guest's retries). Otherwise yield to other tasks.
        // A limit too far away for the clock is no limit (`None`).
        let deadline = Instant::now().checked_add(options.time_limit);
        let watched = record.clone();
        let cancel = options.cancel.clone();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            let missed = !watched.lock().unwrap().replay_misses.is_empty();
            let late = deadline.is_some_and(|deadline| Instant::now() >= deadline);
            let cancelled = cancel.as_ref().is_some_and(CancellationToken::is_cancelled);
            Ok(if missed || late || cancelled {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        // What the call gathered, for a failure: its logs and exchanges so far.
        let failure = |message: String| {
            let record = std::mem::take(&mut *record.lock().unwrap());
            let mut logs = std::mem::take(&mut *logs.lock().unwrap());
            logs.redact_with(&redactor);
            anyhow::Error::new(CallFailure {
                message: redactor.redact(&message),
                logs,
                exchanges: record.exchanges,
            })
        };

        let (pre, indices) = (&self.pre, &self.exports);
        let fut = async {
            let instance = pre.instantiate_async(&mut store).await?;
            let exports = indices.load(&mut store, &instance)?;
            call(&exports, &mut store).await
        };
        // A cancelled call stops at once, even while it waits on the network.
        let cancelled = async {
            match &options.cancel {
                Some(cancel) => cancel.cancelled().await,
                None => std::future::pending().await,
            }
        };
        let timed = tokio::select! {
            timed = tokio::time::timeout(options.time_limit, fut) => timed,
            () = cancelled => return Err(failure("the call was cancelled".to_string())),
        };
        let result = match timed {
            Err(_) => return Err(failure(time_limit_message(options.time_limit))),
            Ok(Err(e)) => {
                let miss = record.lock().unwrap().replay_misses.first().cloned();
                let message = match miss {
                    Some(miss) => miss,
                    None => call_failure(e, options.time_limit, &secrets).to_string(),
                };
                return Err(failure(message));
            }
            Ok(Ok(result)) => result,
        };

        let unused = store.data().hooks().unused_entries();
        let miss = record.lock().unwrap().replay_misses.first().cloned();
        if let Some(miss) = miss {
            return Err(failure(miss));
        }
        match &options.http {
            HttpMode::Replay { strict: true, .. } if !unused.is_empty() => {
                return Err(failure(crate::har::unused_message(&unused)));
            }
            HttpMode::Record { output, .. } => {
                let mut har = Har::default();
                har.log.entries = std::mem::take(&mut record.lock().unwrap().recorded);
                har.write(output)?;
            }
            _ => {}
        }
        let record = std::mem::take(&mut *record.lock().unwrap());
        let mut logs = std::mem::take(&mut *logs.lock().unwrap());
        let mut result = result;
        let redactions = result.redact_with(&redactor) + logs.redact_with(&redactor);
        Ok(Outcome {
            result,
            redactions,
            exchanges: record.exchanges,
            logs,
            unused_har_entries: unused,
            refused_hosts: record.refused_hosts,
            peak_memory: store.data().peak_memory(),
        })
    }
}
