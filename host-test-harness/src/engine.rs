//! The process-wide wasmtime machinery: one [`Engine`] (async, pooling
//! allocator, epoch interruption ticked by a background thread), the
//! component compiled once and cached on disk as a `.cwasm`, and the
//! [`Linker`]/[`InstancePre`] every call instantiates from.

use crate::bindings::{self, ConnectorPre};
use crate::state::State;
use anyhow::{Context, Result};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch ticks; time limits are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The largest linear memory any instance may have; a call's own memory
/// limit (see `CallOptions::memory_limit`) is enforced below this.
pub const MAX_MEMORY_BYTES: usize = 1 << 30;

/// How many instances may be alive at once in this process.
pub const MAX_CONCURRENT_INSTANCES: u32 = 16;

/// How much of each linear memory stays resident when an instance's slot
/// returns to the pool, where Linux's `PAGEMAP_SCAN` is available: wasmtime
/// then resets only the pages the call dirtied (memset, or a copy of the
/// initial image) instead of `madvise`-ing them away, so the next call in
/// that slot takes no page faults on them. Without `PAGEMAP_SCAN` this would
/// memset the whole range on every return, so it is left at zero there.
pub const KEEP_RESIDENT_BYTES: usize = 16 << 20;

/// Builds the engine: Cranelift (async support is always on in wasmtime 48), the pooling allocator sized
/// for [`MAX_CONCURRENT_INSTANCES`] (keeping [`KEEP_RESIDENT_BYTES`] of each
/// memory resident where it can), and epoch interruption with a detached
/// thread that increments the epoch every [`EPOCH_TICK`].
pub fn build_engine() -> Result<Engine> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(MAX_CONCURRENT_INSTANCES)
        .total_core_instances(MAX_CONCURRENT_INSTANCES * 8)
        .total_memories(MAX_CONCURRENT_INSTANCES * 2)
        .total_tables(MAX_CONCURRENT_INSTANCES * 8)
        .total_stacks(MAX_CONCURRENT_INSTANCES)
        .max_memories_per_component(2)
        .max_memory_size(MAX_MEMORY_BYTES);
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(Enabled::Yes)
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(1 << 20);
    }
    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    let engine = Engine::new(&config)
        .map_err(anyhow::Error::from)
        .context("creating the wasmtime engine")?;
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("epoch-ticker".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .context("starting the epoch thread")?;
    Ok(engine)
}

/// The directory compiled components are cached in:
/// `$CONNECTOR_HOST_CACHE_DIR`, else `$XDG_CACHE_HOME/connector-host`,
/// else `$HOME/.cache/connector-host`, else a folder in the temp dir.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CONNECTOR_HOST_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("connector-host");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".cache").join("connector-host");
    }
    std::env::temp_dir().join("connector-host")
}

/// Loads the component at `path`, from the on-disk cache when a `.cwasm`
/// for the same bytes and a compatible engine exists, else by compiling it
/// (and then storing the result; a failure to store is not an error).
pub fn load_component(engine: &Engine, path: &Path) -> Result<Component> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the component at {}", path.display()))?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let key = format!("{:016x}-{}.cwasm", hasher.finish(), bytes.len());
    let cached = cache_dir().join(key);
    if cached.exists() {
        // SAFETY: the file was written by `Engine::precompile_component` of
        // an engine with the same compatibility hash (it is in the name), in
        // a directory only this tool writes to.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &cached) } {
            return Ok(component);
        }
    }
    let serialized = engine
        .precompile_component(&bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot compile the component at {}", path.display()))?;
    if std::fs::create_dir_all(cached.parent().unwrap()).is_ok() {
        let tmp = cached.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &serialized).is_ok() {
            let _ = std::fs::rename(&tmp, &cached);
        }
    }
    // SAFETY: the bytes were produced just now by this engine.
    Ok(unsafe { Component::deserialize(engine, &serialized) }?)
}

/// Builds the linker: WASI p2 (its context grants nothing, see
/// `State::new`), `wasi:http`, and the contract's own `secrets` and
/// `wasi:logging` imports, answered from the [`State`].
pub fn build_linker(engine: &Engine) -> Result<Linker<State>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    bindings::integration::connector::secrets::add_to_linker::<State, HasSelf<State>>(
        &mut linker,
        |s| s,
    )?;
    bindings::wasi::logging::logging::add_to_linker::<State, HasSelf<State>>(&mut linker, |s| s)?;
    Ok(linker)
}

/// Links `component` and checks every import is satisfied, once.
pub fn prepare(linker: &Linker<State>, component: &Component) -> Result<ConnectorPre<State>> {
    let pre = linker
        .instantiate_pre(component)
        .map_err(anyhow::Error::from)
        .context("the component's imports cannot be satisfied by this host")?;
    ConnectorPre::new(pre)
        .map_err(anyhow::Error::from)
        .context("the component does not export the connector world")
}
