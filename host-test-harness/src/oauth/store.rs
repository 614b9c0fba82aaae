//! The token store: where the host keeps what an OAuth 2.0 login obtained,
//! one [`TokenEntry`] per connection, outside the connection file and out of
//! the guest's reach.
//!
//! [`FileStore`] (the default; [`KeyringStore`] when a user chooses the OS
//! keyring) keeps every entry in one JSON file in the user's
//! configuration directory (mode 0600, replaced atomically, so a crash leaves
//! the old file or the new one, never half of either). Refreshing one entry
//! holds a lock of its own ([`TokenStore::lock`]), so two processes never
//! refresh with the same refresh token; the file as a whole is locked only
//! for the moment of a read-modify-write.

use crate::files;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// The variable that chooses the token store: a file's path, in place of
/// the default (`<configuration directory>/connector-host/tokens.json`), or
/// [`KEYRING`] for the OS keyring.
pub const STORE_VARIABLE: &str = "CONNECTOR_HOST_TOKEN_STORE";

/// The value of [`STORE_VARIABLE`] that keeps the tokens in the OS keyring.
pub const KEYRING: &str = "keyring";

/// The store [`STORE_VARIABLE`] chooses: the OS keyring, a file it names,
/// or the default file.
pub fn chosen() -> Result<std::sync::Arc<dyn TokenStore>> {
    Ok(match std::env::var(STORE_VARIABLE) {
        Ok(value) if value.trim() == KEYRING => std::sync::Arc::new(KeyringStore::new()?),
        _ => std::sync::Arc::new(FileStore::default_location()?),
    })
}

/// The largest token store file read: 16 MiB.
pub const MAX_STORE_BYTES: u64 = 16 << 20;

/// How the tokens of an entry were obtained, which says how to get new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    /// A user consented in a browser; new tokens come from the refresh token.
    AuthorizationCode,
    /// A service account (`client_credentials`); new tokens are asked for
    /// with the client id and secret again, as there is no refresh token.
    ClientCredentials,
}

/// What the host keeps for one connection. `Debug` shows no token or secret.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct TokenEntry {
    /// How the tokens were obtained.
    pub grant: Grant,
    /// The token the guest is handed as secret `access-token`.
    pub access_token: String,
    /// The refresh token, when the service issued one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires, in seconds since 1970; `None` when the
    /// service did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// When the access token was obtained, in seconds since 1970.
    pub obtained_at: u64,
    /// The scopes the service granted (as it listed them), or those asked
    /// for when it did not list them.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The token endpoint that issued the tokens (refreshes go there).
    pub token_url: String,
    /// The client id the tokens were issued to.
    pub client_id: String,
    /// The client secret used at login, so unattended refreshes need no
    /// environment variable (one given at call time takes its place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The site the login resolved, as the connector's `check` named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Set when the service refused the refresh token for good: why, so
    /// every later call says "log in again" at once instead of sending the
    /// refused token again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_login: Option<String>,
}

impl std::fmt::Debug for TokenEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEntry")
            .field("grant", &self.grant)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| crate::REDACTED),
            )
            .field("expires_at", &self.expires_at)
            .field("obtained_at", &self.obtained_at)
            .field("scopes", &self.scopes)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("site", &self.site)
            .field("needs_login", &self.needs_login)
            .finish_non_exhaustive()
    }
}

impl TokenEntry {
    /// Every secret value the entry holds, for redaction.
    pub fn secret_values(&self) -> impl Iterator<Item = &str> {
        [
            Some(self.access_token.as_str()),
            self.refresh_token.as_deref(),
            self.client_secret.as_deref(),
        ]
        .into_iter()
        .flatten()
    }
}

/// Where entries are kept. Every method blocks; [`TokenStore::lock`] may
/// wait for another process.
pub trait TokenStore: Send + Sync {
    /// Where the entries are, for messages ("the file ~/.config/…").
    fn describe(&self) -> String;
    /// The entry of `key`, if there is one.
    fn load(&self, key: &str) -> Result<Option<TokenEntry>>;
    /// Sets the entry of `key`; when this returns `Ok`, the entry is on disk.
    fn save(&self, key: &str, entry: &TokenEntry) -> Result<()>;
    /// Removes the entry of `key`; says whether there was one.
    fn remove(&self, key: &str) -> Result<bool>;
    /// Waits for, then holds, the refresh lock of `key` until the returned
    /// guard is dropped (or the process ends, however it ends).
    fn lock(&self, key: &str) -> Result<Box<dyn Send>>;
}

/// The file's shape: `{"version": 1, "entries": {key: entry}}`.
#[derive(Default, Serialize, Deserialize)]
struct StoreFile {
    version: u32,
    #[serde(default)]
    entries: BTreeMap<String, TokenEntry>,
}

/// Entries in one JSON file (see the module's documentation).
#[derive(Clone, Debug)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store in the file at `path` (created on the first save).
    pub fn new(path: impl Into<PathBuf>) -> FileStore {
        FileStore { path: path.into() }
    }

    /// The store [`STORE_VARIABLE`] names, else the default file in the
    /// user's configuration directory.
    pub fn default_location() -> Result<FileStore> {
        if let Some(path) = std::env::var_os(STORE_VARIABLE).filter(|p| !p.is_empty()) {
            return Ok(FileStore::new(path));
        }
        let dir = config_dir().with_context(|| {
            format!("cannot tell where the user's configuration directory is (no HOME); set {STORE_VARIABLE} to the token store's path")
        })?;
        Ok(FileStore::new(
            dir.join("connector-host").join("tokens.json"),
        ))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<StoreFile> {
        if !self.path.exists() {
            return Ok(StoreFile::default());
        }
        let text = files::read_text_capped(&self.path, MAX_STORE_BYTES, "token store")?;
        // The message never quotes the file: it holds secrets.
        serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "the token store {} is not valid (line {}, column {}); remove it and log in again",
                self.path.display(),
                e.line(),
                e.column()
            )
        })
    }

    fn write(&self, file: &StoreFile) -> Result<()> {
        let text = serde_json::to_string_pretty(file).context("serialising the token store")?;
        files::write_atomic(&self.path, text.as_bytes(), 0o600)
    }

    /// Creates the store's directory (mode 0700) when it is missing.
    fn ensure_dir(&self) -> Result<()> {
        let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) else {
            return Ok(());
        };
        if dir.is_dir() {
            return Ok(());
        }
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))
    }

    /// Runs `change` on the file's contents under the file's own lock, then
    /// writes them back.
    fn modify<T>(&self, change: impl FnOnce(&mut StoreFile) -> T) -> Result<T> {
        self.ensure_dir()?;
        let _lock = lock_file(&sibling(&self.path, ".lock"))?;
        let mut file = self.read()?;
        file.version = 1;
        let out = change(&mut file);
        self.write(&file)?;
        Ok(out)
    }
}

impl TokenStore for FileStore {
    fn describe(&self) -> String {
        format!("the file {}", self.path.display())
    }

    fn load(&self, key: &str) -> Result<Option<TokenEntry>> {
        Ok(self.read()?.entries.remove(key))
    }

    fn save(&self, key: &str, entry: &TokenEntry) -> Result<()> {
        self.modify(|file| {
            file.entries.insert(key.to_string(), entry.clone());
        })
    }

    fn remove(&self, key: &str) -> Result<bool> {
        if !self.path.exists() {
            return Ok(false);
        }
        self.modify(|file| file.entries.remove(key).is_some())
    }

    fn lock(&self, key: &str) -> Result<Box<dyn Send>> {
        self.ensure_dir()?;
        Ok(Box::new(lock_file(&sibling(
            &self.path,
            &format!(".{}.lock", key_digest(key)),
        ))?))
    }
}

/// The first 8 bytes of the SHA-256 digest of `key`, in hex: a lock file's
/// name that says nothing of the connection.
fn key_digest(key: &str) -> String {
    let digest = sha2::Sha256::digest(key.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Entries in the OS keyring (the `keyring` crate: the macOS Keychain, the
/// Windows Credential Manager, the Linux kernel keyring, which forgets them
/// when the user's session ends), one credential per entry under service
/// `connector-host`, holding the entry as JSON. The refresh locks are files,
/// holding nothing, in the configuration directory.
#[derive(Clone, Debug)]
pub struct KeyringStore {
    locks: PathBuf,
}

/// The keyring service name of every entry.
const KEYRING_SERVICE: &str = "connector-host";

impl KeyringStore {
    /// The OS keyring, with its locks in the configuration directory (or
    /// the temporary one when there is none).
    pub fn new() -> Result<KeyringStore> {
        let base = config_dir().unwrap_or_else(std::env::temp_dir);
        Ok(KeyringStore {
            locks: base.join("connector-host").join("keyring-locks"),
        })
    }

    fn credential(key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYRING_SERVICE, key)
            .map_err(|e| anyhow::anyhow!("the OS keyring cannot hold this entry: {e}"))
    }
}

/// What to add to a keyring failure on Linux, where the kernel keyring
/// needs the session keyring a login session provides (containers and
/// services often have none).
const LINUX_HINT: &str = if cfg!(target_os = "linux") {
    " (on Linux the kernel keyring needs a session keyring, which a login session provides: run under `keyctl session`, or use the file store)"
} else {
    ""
};

impl TokenStore for KeyringStore {
    fn describe(&self) -> String {
        "the OS keyring".to_string()
    }

    fn load(&self, key: &str) -> Result<Option<TokenEntry>> {
        match Self::credential(key)?.get_password() {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                anyhow::anyhow!(
                    "the keyring's entry for this connection is not valid (line {}, column {}); log out and log in again",
                    e.line(),
                    e.column()
                )
            }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => bail!("cannot read the OS keyring: {e}{LINUX_HINT}"),
        }
    }

    fn save(&self, key: &str, entry: &TokenEntry) -> Result<()> {
        let text = serde_json::to_string(entry).context("serialising the token entry")?;
        Self::credential(key)?
            .set_password(&text)
            .map_err(|e| anyhow::anyhow!("cannot write to the OS keyring: {e}{LINUX_HINT}"))
    }

    fn remove(&self, key: &str) -> Result<bool> {
        match Self::credential(key)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => bail!("cannot remove the entry from the OS keyring: {e}{LINUX_HINT}"),
        }
    }

    fn lock(&self, key: &str) -> Result<Box<dyn Send>> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&self.locks)
            .with_context(|| format!("cannot create {}", self.locks.display()))?;
        let path = self.locks.join(format!("{}.lock", key_digest(key)));
        Ok(Box::new(lock_file(&path)?))
    }
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Opens (creating it, mode 0600) and exclusively locks the file at `path`
/// (`flock`: the system releases it when the process ends, however it ends).
fn lock_file(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    file.lock()
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

/// The user's configuration directory: `$XDG_CONFIG_HOME`, else
/// `~/.config` (on macOS `~/Library/Application Support`; on Windows
/// `%APPDATA%`).
fn config_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return var("APPDATA");
    }
    if let Some(dir) = var("XDG_CONFIG_HOME").filter(|d| d.is_absolute()) {
        return Some(dir);
    }
    let home = var("HOME")?;
    Some(if cfg!(target_os = "macos") {
        home.join("Library").join("Application Support")
    } else {
        home.join(".config")
    })
}

/// The entry key of the connection in the file at `path` of connector
/// `connector`: the connector's name and the file's absolute path, so each
/// connection file has its own entry, whichever directory a command runs in.
pub fn entry_key(connector: &str, path: &Path) -> Result<String> {
    let absolute = std::fs::canonicalize(path)
        .with_context(|| format!("cannot find the connection file {}", path.display()))?;
    let Some(text) = absolute.to_str() else {
        bail!(
            "the connection file's path {} is not UTF-8; move it to a path that is",
            absolute.display()
        );
    };
    Ok(format!("{connector} {text}"))
}
