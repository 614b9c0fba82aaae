//! The process-wide wasmtime machinery: one [`Engine`] (async, pooling
//! allocator, epoch interruption ticked by a background thread), the
//! component compiled once and cached on disk as a `.cwasm`, and the
//! [`Linker`]/[`InstancePre`] every call instantiates from.

use crate::bindings::{self, ExportIndices};
use crate::state::State;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasmtime::component::{Component, HasSelf, InstancePre, Linker};
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

/// The directory compiled components are cached in, when there is one this
/// user can trust: `$CONNECTOR_HOST_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/connector-host`, else `$HOME/.cache/connector-host`,
/// else (Unix) `connector-host-{uid}` in the temp dir.
///
/// The directory is made with mode 0700 when missing. One that exists is
/// used only when it is a real directory (not a symbolic link) owned by the
/// current user that group and others have no access to; one of the default
/// places that group or others may only read (as earlier versions of this
/// host made it) is narrowed to 0700 first. Anything else gives `None`:
/// components are then compiled in memory and nothing is written.
pub fn cache_dir() -> Option<PathBuf> {
    let (dir, ours) = configured_cache_dir()?;
    trusted_dir(&dir, ours).then_some(dir)
}

/// Where the cache should be, and whether that is one of the default
/// places (a directory named for this tool), which it may narrow to 0700.
fn configured_cache_dir() -> Option<(PathBuf, bool)> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("CONNECTOR_HOST_CACHE_DIR") {
        return Some((PathBuf::from(dir), false));
    }
    if let Some(dir) = var("XDG_CACHE_HOME").map(PathBuf::from)
        && dir.is_absolute()
    {
        return Some((dir.join("connector-host"), true));
    }
    if let Some(home) = var("HOME") {
        let dir = PathBuf::from(home).join(".cache").join("connector-host");
        return Some((dir, true));
    }
    #[cfg(unix)]
    return Some((
        std::env::temp_dir().join(format!("connector-host-{}", current_uid())),
        false,
    ));
    #[cfg(not(unix))]
    None
}

/// The effective user id of this process.
#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Makes `dir` (mode 0700) or checks it, as [`cache_dir`] says; `narrow`
/// allows narrowing one that group or others may only read.
#[cfg(unix)]
fn trusted_dir(dir: &Path, narrow: bool) -> bool {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    if let Some(parent) = dir.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(_) => return false,
    }
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return false;
    };
    let mode = meta.mode() & 0o777;
    if !meta.is_dir() || meta.uid() != current_uid() || mode & 0o022 != 0 {
        return false;
    }
    mode & 0o077 == 0
        || (narrow && std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).is_ok())
}

#[cfg(not(unix))]
fn trusted_dir(_dir: &Path, _narrow: bool) -> bool {
    false
}

/// What starts every cache entry: then the SHA-256 digests of the `.wasm`
/// bytes, of the engine's `precompile_compatibility_hash` and of the
/// compiled code, then the code (`Engine::precompile_component`'s output).
const CACHE_MAGIC: &[u8; 8] = b"CHCWASM1";
const CACHE_HEADER: usize = CACHE_MAGIC.len() + 3 * 32;
/// The largest cache entry read.
const MAX_CACHE_ENTRY: u64 = 1 << 30;

/// Feeds what a `Hash` impl writes into a SHA-256.
struct DigestHasher(Sha256);

impl Hasher for DigestHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// Not used: only the digest is read (see [`engine_digest`]).
    fn finish(&self) -> u64 {
        0
    }
}

/// The SHA-256 of the engine's compatibility hash: compiled code works in
/// an engine whose digest is the same.
fn engine_digest(engine: &Engine) -> [u8; 32] {
    let mut hasher = DigestHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().into()
}

/// Loads the component at `path`, from the on-disk cache (see
/// [`cache_dir`]) when it holds a sound entry for the same bytes and a
/// compatible engine, else by compiling it and then storing the result (a
/// failure to store is not an error).
///
/// An entry is loaded only when it is a regular file (not a symbolic link)
/// owned by the current user that neither group nor others may write to, and
/// its header's digests match the `.wasm` bytes, the engine and the code
/// itself; anything else is compiled anew and the entry replaced. Entries
/// are written under a temporary name of their own, created exclusively
/// with mode 0600, then renamed.
pub fn load_component(engine: &Engine, path: &Path) -> Result<Component> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the component at {}", path.display()))?;
    let wasm_digest: [u8; 32] = Sha256::digest(&bytes).into();
    let engine_digest = engine_digest(engine);
    let key: [u8; 32] = Sha256::new()
        .chain_update(wasm_digest)
        .chain_update(engine_digest)
        .finalize()
        .into();
    let name: String = key[..16].iter().map(|b| format!("{b:02x}")).collect();
    let cached = cache_dir().map(|dir| dir.join(format!("{name}.cwasm")));
    if let Some(entry) = cached.as_deref().and_then(read_cache_entry)
        && entry.len() >= CACHE_HEADER
    {
        let (header, code) = entry.split_at(CACHE_HEADER);
        let code_digest: [u8; 32] = Sha256::digest(code).into();
        let sound = header[..8] == CACHE_MAGIC[..]
            && header[8..40] == wasm_digest
            && header[40..72] == engine_digest
            && header[72..104] == code_digest;
        if sound {
            // SAFETY: the code is what `Engine::precompile_component` of an
            // engine with the same compatibility hash wrote for these very
            // `.wasm` bytes (the header's digests say so, and the code's own
            // digest says it is unchanged since), in a file and a directory
            // only this user may write to.
            if let Ok(component) = unsafe { Component::deserialize(engine, code) } {
                return Ok(component);
            }
        }
    }
    let serialized = engine
        .precompile_component(&bytes)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot compile the component at {}", path.display()))?;
    if let Some(cached) = &cached {
        let mut entry = Vec::with_capacity(CACHE_HEADER + serialized.len());
        entry.extend_from_slice(CACHE_MAGIC);
        entry.extend_from_slice(&wasm_digest);
        entry.extend_from_slice(&engine_digest);
        entry.extend_from_slice(&Sha256::digest(&serialized));
        entry.extend_from_slice(&serialized);
        let _ = crate::files::write_atomic(cached, &entry, 0o600);
    }
    // SAFETY: the bytes were produced just now by this engine.
    Ok(unsafe { Component::deserialize(engine, &serialized) }?)
}

/// The bytes of the cache entry at `path`, if it may be trusted: a regular
/// file (opened without following a symbolic link) owned by the current
/// user, that neither group nor others may write to.
#[cfg(unix)]
fn read_cache_entry(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file()
        || meta.uid() != current_uid()
        || meta.mode() & 0o022 != 0
        || meta.len() > MAX_CACHE_ENTRY
    {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_CACHE_ENTRY).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

#[cfg(not(unix))]
fn read_cache_entry(_path: &Path) -> Option<Vec<u8>> {
    None
}

/// Builds the linker: WASI p2 (its context grants nothing, see
/// `State::new`), `wasi:http`, and the contract's own `secrets` and
/// `wasi:logging` imports, answered from the [`State`]; and `wasi:config`,
/// through which a component of the standalone worlds reads the same secrets.
pub fn build_linker(engine: &Engine) -> Result<Linker<State>> {
    let mut linker = build_standard_linker(engine)?;
    bindings::integration::connector::secrets::add_to_linker::<State, HasSelf<State>>(
        &mut linker,
        |s| s,
    )?;
    bindings::wasi::logging::logging::add_to_linker::<State, HasSelf<State>>(&mut linker, |s| s)?;
    Ok(linker)
}

/// A linker of standard interfaces alone: WASI p2, `wasi:http` and
/// `wasi:config` (the secrets, as a standalone-world component reads them),
/// as hosts such as Wassette, Spin and wasmCloud link them.
pub fn build_standard_linker(engine: &Engine) -> Result<Linker<State>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    wasmtime_wasi_config::add_to_linker(&mut linker, State::config)?;
    Ok(linker)
}

/// Links `component`, checking every import is satisfied, and finds its
/// exports (which tell the world it targets), once.
pub fn prepare(
    linker: &Linker<State>,
    component: &Component,
) -> Result<(InstancePre<State>, ExportIndices)> {
    let pre = linker
        .instantiate_pre(component)
        .map_err(anyhow::Error::from)
        .context("the component's imports cannot be satisfied by this host")?;
    let exports = ExportIndices::new(&pre)?;
    Ok((pre, exports))
}
