//! The host's file handling: reads bounded by a size cap (so a path such as
//! `/dev/zero` or a runaway file cannot exhaust memory), replacing a file
//! atomically through a temporary file of its own, and telling whether two
//! paths name the same file.

use anyhow::{Context, Result, bail};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The cap on a connection file, in bytes.
pub const MAX_CONNECTION_BYTES: u64 = 1 << 20;
/// The cap on a sync configuration file, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// The cap on an input file (`--input @file`), in bytes: the component's own
/// cap on an input.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;
/// The cap on a sync state file, in bytes.
pub const MAX_STATE_BYTES: u64 = 256 << 20;
/// The cap on a HAR file, in bytes.
pub const MAX_HAR_BYTES: u64 = 256 << 20;

/// `bytes` as a short size: `1 MiB`, `256 MiB`, `512 KiB`, `100 bytes`.
pub fn show_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// The error of a file over its cap.
fn too_large(what: &str, path: &Path, cap: u64) -> anyhow::Error {
    anyhow::anyhow!(
        "the {what} {} is larger than the limit of {}",
        path.display(),
        show_size(cap)
    )
}

/// A reader that fails once more than `cap` bytes came through it, with an
/// error [`read_capped`] recognises: a bounded reader for parsers that read
/// as they go (see `Har::read`).
pub struct CappedReader<R> {
    inner: R,
    left: u64,
    /// Set when the cap was passed.
    pub exceeded: bool,
}

impl<R: Read> CappedReader<R> {
    /// Reads at most `cap` bytes of `inner`.
    pub fn new(inner: R, cap: u64) -> CappedReader<R> {
        CappedReader {
            inner,
            left: cap,
            exceeded: false,
        }
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for one byte past the cap, to tell "exactly the cap" from "more".
        let want = buf
            .len()
            .min(usize::try_from(self.left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            self.exceeded = true;
            return Err(io::Error::other("over the size cap"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Opens `path` for a bounded read: refuses at once a regular file larger
/// than `cap`; anything else (a pipe, a device) is bounded while reading.
pub fn open_capped(path: &Path, cap: u64, what: &str) -> Result<CappedReader<File>> {
    let file =
        File::open(path).with_context(|| format!("cannot read the {what} {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read the {what} {}", path.display()))?;
    if meta.is_file() && meta.len() > cap {
        return Err(too_large(what, path, cap));
    }
    Ok(CappedReader::new(file, cap))
}

/// Reads the whole of `path`, at most `cap` bytes; `what` names the file in
/// errors ("connection file", "HAR file").
pub fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>> {
    let mut reader = open_capped(path, cap, what)?;
    let mut bytes = Vec::new();
    match reader.read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(_) if reader.exceeded => Err(too_large(what, path, cap)),
        Err(e) => Err(e).with_context(|| format!("cannot read the {what} {}", path.display())),
    }
}

/// [`read_capped`], as UTF-8 text.
pub fn read_text_capped(path: &Path, cap: u64, what: &str) -> Result<String> {
    String::from_utf8(read_capped(path, cap, what)?)
        .map_err(|_| anyhow::anyhow!("the {what} {} is not UTF-8 text", path.display()))
}

/// Whether `a` and `b` name the same file: the same device and inode when
/// both exist, else the same path once made absolute and resolved as far as
/// it exists (so `x.json` and `./x.json` are one file before either exists).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return ma.dev() == mb.dev() && ma.ino() == mb.ino();
    }
    resolved(a) == resolved(b)
}

/// `path` made absolute, with its longest existing ancestor canonicalised.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut base = absolute.as_path();
    loop {
        if let Ok(real) = base.canonicalize() {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            _ => return absolute,
        }
    }
}

/// Creates a new file beside `target`, under a name no one else uses: a
/// hidden name made of the target's, this process's id, the time and a
/// counter, created exclusively (`O_CREAT|O_EXCL`, so an existing file or
/// symbolic link of that name is never opened or followed; another name is
/// tried instead). `mode` is the Unix permission bits of the new file.
pub fn create_temporary(target: &Path, mode: u32) -> io::Result<(File, PathBuf)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for _ in 0..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(
            ".{name}.{}-{nanos:08x}-{count}.tmp",
            std::process::id()
        ));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        #[cfg(not(unix))]
        let _ = mode;
        match options.open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// Replaces `target` with `bytes` atomically: writes a temporary file of its
/// own beside it (see [`create_temporary`]), flushes it to disk, then renames
/// it over `target` (replacing a symbolic link there rather than following
/// it). A failure leaves `target` as it was and removes the temporary file.
pub fn write_atomic(target: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let (mut file, temporary) = create_temporary(target, mode)
        .with_context(|| format!("cannot create a temporary file beside {}", target.display()))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", temporary.display()))
        .and_then(|()| {
            std::fs::rename(&temporary, target)
                .with_context(|| format!("cannot replace {}", target.display()))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Fails unless `a` and `b` are different files; `flags` names them for the
/// message, such as `("--state", "--out")`.
pub fn ensure_distinct(a: &Path, b: &Path, flags: (&str, &str)) -> Result<()> {
    if same_file(a, b) {
        bail!(
            "{} and {} name the same file ({} and {}); give each its own file",
            flags.0,
            flags.1,
            a.display(),
            b.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_capped_read_refuses_a_device_without_end() {
        let err = read_capped(Path::new("/dev/zero"), 1 << 20, "connection file").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the connection file /dev/zero is larger than the limit of 1 MiB"
        );
    }

    #[test]
    fn a_capped_read_takes_a_file_of_exactly_the_cap() {
        let dir = scratch("exact");
        let path = dir.join("f");
        std::fs::write(&path, vec![b'x'; 1024]).unwrap();
        assert_eq!(read_capped(&path, 1024, "file").unwrap().len(), 1024);
        assert!(read_capped(&path, 1023, "file").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_replaces_a_symbolic_link_without_following_it() {
        let dir = scratch("link");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let target = dir.join("state.json");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write_atomic(&target, b"new", 0o600).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&target).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // Nothing is left beside it but the two files.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    }

    #[test]
    fn the_same_file_is_recognised_before_and_after_it_exists() {
        let dir = scratch("same");
        let a = dir.join("x.json");
        let b = dir.join(".").join("x.json");
        assert!(same_file(&a, &b));
        assert!(!same_file(&a, &dir.join("y.json")));
        std::fs::write(&a, "").unwrap();
        assert!(same_file(&a, &b));
    }
}
