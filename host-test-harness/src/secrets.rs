//! The secrets answered to the guest through `integration:connector/secrets`,
//! and the redaction of their values from anything the host writes.

use base64::Engine as _;
use std::collections::BTreeMap;

/// What recorded HARs and redacted text hold in place of a secret.
pub const REDACTED: &str = "REDACTED";

/// Environment variables the CLI reads secrets from, and the keys they fill.
pub const SECRET_ENV_VARS: [(&str, &str); 3] = [
    ("CONFLUENCE_API_TOKEN", "api-token"),
    ("CONFLUENCE_ACCESS_TOKEN", "access-token"),
    ("CONFLUENCE_CLIENT_SECRET", "client-secret"),
];

/// The secret values of one call, by key. `Debug` never shows values.
#[derive(Clone, Default)]
pub struct Secrets {
    values: BTreeMap<String, String>,
    /// Answer `REDACTED` for keys without a value (replay mode: a recorded HAR
    /// holds `REDACTED` where the secret was, so replays need no credentials).
    pub redacted_fallback: bool,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .field("redacted_fallback", &self.redacted_fallback)
            .finish()
    }
}

impl Secrets {
    /// No secrets.
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.values.insert(key.into(), value.into());
    }

    /// Builder form of [`Secrets::insert`].
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Secrets {
        self.insert(key, value);
        self
    }

    /// Adds the secrets found in [`SECRET_ENV_VARS`], without overriding keys already set.
    pub fn add_from_env(&mut self) {
        for (var, key) in SECRET_ENV_VARS {
            if let Ok(value) = std::env::var(var)
                && !value.is_empty()
            {
                self.values.entry(key.to_string()).or_insert(value);
            }
        }
    }

    /// Parses one `key=value` flag.
    pub fn parse_flag(flag: &str) -> anyhow::Result<(String, String)> {
        match flag.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => anyhow::bail!(
                "--secret wants key=value (such as api-token=...), got a value without '='"
            ),
        }
    }

    /// The value answered to the guest for `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        match self.values.get(key) {
            Some(v) => Some(v.clone()),
            None if self.redacted_fallback => Some(REDACTED.to_string()),
            None => None,
        }
    }

    /// Every non-empty secret value and its standard base64 form.
    fn needles(&self) -> Vec<String> {
        let mut needles = Vec::new();
        for value in self
            .values
            .values()
            .filter(|v| !v.is_empty() && *v != REDACTED)
        {
            needles.push(value.clone());
            needles.push(base64::engine::general_purpose::STANDARD.encode(value));
        }
        // Longest first, so a secret containing another is replaced whole.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles
    }

    /// `text` with every secret value (and its base64) replaced by `REDACTED`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for needle in self.needles() {
            if out.contains(&needle) {
                out = out.replace(&needle, REDACTED);
            }
        }
        out
    }
}
