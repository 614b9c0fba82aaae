//! The per-call store data: a WASI context that grants nothing, the
//! `wasi:http` context with this call's hooks, the secrets answered to the
//! guest (through the contract's `secrets`, or `wasi:config` for the
//! standalone worlds), the log lines it wrote, and the memory limiter.

use crate::bindings::{self, LogLevel};
use crate::http::CallHooks;
use crate::logging::LogLine;
use crate::secrets::Secrets;
use std::sync::{Arc, Mutex};
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The error a call ends with when the guest asks for more memory than its limit.
#[derive(Debug)]
pub struct MemoryLimitExceeded {
    /// The limit, in bytes.
    pub limit: usize,
}

impl std::fmt::Display for MemoryLimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the component exceeded its memory limit of {} MiB",
            self.limit / (1024 * 1024)
        )
    }
}

impl std::error::Error for MemoryLimitExceeded {}

/// Refuses (with a trap) any linear memory growth beyond `limit` bytes.
pub struct Limiter {
    /// The memory limit, in bytes, for each linear memory.
    pub limit: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            return Err(MemoryLimitExceeded { limit: self.limit }.into());
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// Everything one call's `Store` holds.
pub struct State {
    wasi: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    hooks: CallHooks,
    secrets: Secrets,
    /// The same secrets as `wasi:config` variables, for the standalone
    /// worlds: made on their first read, so other components never pay for them.
    config: std::sync::OnceLock<WasiConfigVariables>,
    logs: Arc<Mutex<Vec<LogLine>>>,
    /// The memory limit; `State` itself is the limiter installed with
    /// `Store::limiter`, and asks this one.
    pub limiter: Limiter,
    peak_memory: usize,
}

impl State {
    /// A state whose WASI context has an empty environment, no arguments,
    /// closed stdin, discarded stdout/stderr, no preopens and no sockets.
    pub fn new(
        hooks: CallHooks,
        secrets: Secrets,
        logs: Arc<Mutex<Vec<LogLine>>>,
        memory_limit: usize,
    ) -> State {
        let wasi = WasiCtx::builder()
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        State {
            wasi,
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            hooks,
            config: std::sync::OnceLock::new(),
            secrets,
            logs,
            limiter: Limiter {
                limit: memory_limit,
            },
            peak_memory: 0,
        }
    }

    /// The same state with the guest's wall clock stopped at `at` (for
    /// reproducible tests: every read of the time gives `at`).
    pub fn with_wall_clock(mut self, at: std::time::SystemTime) -> State {
        let since_epoch = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        self.wasi = WasiCtx::builder()
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(FixedClock(since_epoch))
            .build();
        self
    }

    /// The largest size, in bytes, granted to any one linear memory of this
    /// store so far (its initial size included). Linear memories never
    /// shrink, so after a call this is the guest's peak memory.
    pub fn peak_memory(&self) -> usize {
        self.peak_memory
    }
}

/// A wall clock that always answers the same time.
struct FixedClock(std::time::Duration);

impl wasmtime_wasi::HostWallClock for FixedClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }

    fn now(&self) -> std::time::Duration {
        self.0
    }
}

/// Asks [`State::limiter`], and remembers the largest memory size granted.
impl ResourceLimiter for State {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let granted = self.limiter.memory_growing(current, desired, maximum)?;
        if granted {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(granted)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limiter.table_growing(current, desired, maximum)
    }
}

impl State {
    /// This call's HTTP hooks.
    pub fn hooks(&self) -> &CallHooks {
        &self.hooks
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl State {
    /// The `wasi:config/store` the standalone worlds read secrets through.
    pub fn config(&mut self) -> WasiConfig<'_> {
        let secrets = &self.secrets;
        WasiConfig::from(self.config.get_or_init(|| secrets.config_variables()))
    }
}

impl bindings::integration::connector::secrets::Host for State {
    fn get(&mut self, key: String) -> Option<String> {
        self.secrets.get(&key)
    }
}

impl bindings::wasi::logging::logging::Host for State {
    fn log(&mut self, level: LogLevel, context: String, message: String) {
        let line = LogLine {
            level: crate::logging::level_name(level).to_string(),
            context,
            message,
        };
        self.logs.lock().unwrap().push(line);
    }
}
