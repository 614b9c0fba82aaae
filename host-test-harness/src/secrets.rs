//! The secrets answered to the guest through `integration:connector/secrets`
//! (or `wasi:config/store`, for the standalone worlds),
//! and the redaction of every form of their values ([`Redactor`]) from
//! anything the host writes.

use crate::host::Connection;
use base64::Engine as _;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};

/// What recorded HARs and redacted text hold in place of a secret.
pub const REDACTED: &str = "REDACTED";

/// The environment variables the CLI reads secret `key` of connector
/// `connector` from, in order: `CONNECTOR_<KEY>`, then `<CONNECTOR>_<KEY>`,
/// each name upper-cased with `-` and `.` as `_` (the Confluence
/// connector's `api-token`: `CONNECTOR_API_TOKEN`, then `CONFLUENCE_API_TOKEN`).
pub fn env_var_names(connector: &str, key: &str) -> [String; 2] {
    let upper = |text: &str| -> String {
        text.chars()
            .map(|c| match c {
                '-' | '.' | ' ' => '_',
                c => c.to_ascii_uppercase(),
            })
            .collect()
    };
    [
        format!("CONNECTOR_{}", upper(key)),
        format!("{}_{}", upper(connector), upper(key)),
    ]
}

/// The secret keys a connection of `definition` is answered: its inputs of
/// kind `secret`, and for OAuth 2.0 the `access-token` the host obtains but
/// not the app's `client-secret`, which only the host's own token requests
/// use (see [`crate::oauth`]).
pub fn secret_keys(definition: &crate::bindings::ConnectionDefinition) -> Vec<&str> {
    use crate::bindings::{AuthScheme, InputKind};
    use crate::oauth::{ACCESS_TOKEN, CLIENT_SECRET};
    let oauth = matches!(definition.auth, AuthScheme::Oauth2(_));
    let mut keys: Vec<&str> = definition
        .inputs
        .iter()
        .filter(|i| i.kind == InputKind::Secret && !(oauth && i.key == CLIENT_SECRET))
        .map(|i| i.key.as_str())
        .collect();
    if oauth && !keys.contains(&ACCESS_TOKEN) {
        keys.push(ACCESS_TOKEN);
    }
    keys
}

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

    /// Adds each secret `keys` names from the environment (see
    /// [`env_var_names`]), without overriding keys already set.
    pub fn add_from_env<'a>(&mut self, connector: &str, keys: impl IntoIterator<Item = &'a str>) {
        for key in keys {
            if self.values.contains_key(key) {
                continue;
            }
            let found = env_var_names(connector, key)
                .iter()
                .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()));
            if let Some(value) = found {
                self.values.insert(key.to_string(), value);
            }
        }
    }

    /// Takes the value of `key` out of these secrets.
    pub fn take(&mut self, key: &str) -> Option<String> {
        self.values.remove(key)
    }

    /// Whether these secrets hold a value for `key`.
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
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

    /// These secrets as `wasi:config` variables, for a component of the
    /// standalone worlds (`wit/standalone`), which reads them through
    /// `wasi:config/store`. Only the values given: a replay's `REDACTED`
    /// fallback has no keys to list, so give such a component its secrets
    /// (`REDACTED` will do) even in replay.
    pub fn config_variables(&self) -> wasmtime_wasi_config::WasiConfigVariables {
        self.values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The value answered to the guest for `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        match self.values.get(key) {
            Some(v) => Some(v.clone()),
            None if self.redacted_fallback => Some(REDACTED.to_string()),
            None => None,
        }
    }

    /// A [`Redactor`] for these secrets alone.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(self, None)
    }

    /// A [`Redactor`] for these secrets used through `connection`: it also
    /// knows the `user:password` credentials a Basic connection builds.
    pub fn with_connection_context(&self, connection: &Connection) -> Redactor {
        Redactor::new(self, Some(connection))
    }

    /// `text` with every form of every secret value replaced by `REDACTED`
    /// (see [`Redactor`]; this one knows no connection).
    pub fn redact(&self, text: &str) -> String {
        self.redactor().redact(text)
    }
}

/// A new random token (an MCP bearer token, an OAuth `state`): 32 bytes, hex.
pub fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Values shorter than this many bytes are never redacted (and an empty one
/// is ignored): replacing every `a` or `ab` of an output would destroy it and
/// hide nothing, as a secret that short is guessable anyway.
pub const MIN_REDACTED_LEN: usize = 4;

/// Replaces every form a call's secrets can take with `REDACTED`, in text and
/// in raw bytes, for every channel a host writes to: outputs, errors, log
/// lines, exchanges, recorded HARs, sync records and state.
///
/// It knows each secret value, each `email:token` credential a Basic
/// connection builds from it, and every `Authorization` value the guest sent
/// in the call (learnt by [`Redactor::learn_authorization`]: the whole value,
/// the part after the scheme, and a Basic one's decoded `user:password`).
/// Each of those is redacted as itself, its standard and URL-safe base64
/// (padded and unpadded, and the stretch of it that stays the same wherever
/// the value sits in a longer base64 text), its percent-encodings
/// (upper- and lower-case hex, and form encoding) and its JSON-escaped form.
/// Values shorter than [`MIN_REDACTED_LEN`] and the placeholder `REDACTED`
/// itself are skipped.
///
/// Clones share what was learnt: the hooks of a call learn the
/// `Authorization` values the guest sends, and the host redacts the call's
/// result and log lines with the same redactor.
#[derive(Clone, Default)]
pub struct Redactor {
    needles: Arc<RwLock<Needles>>,
}

#[derive(Default)]
struct Needles {
    /// The values whose forms are redacted.
    values: BTreeSet<String>,
    /// Every form of every value, longest first (so a form containing another
    /// is replaced whole).
    forms: Vec<memchr::memmem::Finder<'static>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let needles = self.needles.read().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("Redactor")
            .field("values", &needles.values.len())
            .field("forms", &needles.forms.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor for `secrets`, and for the Basic credentials they make
    /// with any of `connection`'s string values as the user name (the host
    /// need not know which input a connector takes the user name from).
    pub fn new(secrets: &Secrets, connection: Option<&Connection>) -> Redactor {
        let redactor = Redactor::default();
        let mut emails: Vec<&str> = Vec::new();
        if let Some(values) = connection.and_then(|c| c.values.as_object()) {
            for value in values.values().filter_map(|v| v.as_str()) {
                emails.push(value);
                if value.trim() != value {
                    emails.push(value.trim());
                }
            }
        }
        let mut values = Vec::new();
        for secret in secrets.values.values() {
            // A secret too short to redact must not make `email:` a needle.
            if secret.len() < MIN_REDACTED_LEN || secret == REDACTED {
                continue;
            }
            values.push(secret.clone());
            for email in &emails {
                values.push(format!("{email}:{secret}"));
            }
        }
        redactor.add_values(values);
        redactor
    }

    /// Redacts `value` (in all its forms) from now on.
    pub fn add_value(&self, value: &str) {
        self.add_values([value.to_string()]);
    }

    /// Redacts the `Authorization` value a request carried from now on: the
    /// whole value, the credential after the scheme and, for Basic, the
    /// decoded `user:password` and the password. A credential that is the
    /// `REDACTED` placeholder (replay without secrets) is nothing to hide.
    pub fn learn_authorization(&self, authorization: &str) {
        let authorization = authorization.trim();
        let (scheme, credential) = authorization
            .split_once(' ')
            .map(|(s, c)| (s, c.trim()))
            .unwrap_or(("", authorization));
        let mut values = vec![authorization.to_string(), credential.to_string()];
        if let Some((user, password)) = basic_pair(scheme, credential) {
            if password == REDACTED {
                return;
            }
            // As for secrets: a password too short to redact adds no `user:`.
            if password.len() >= MIN_REDACTED_LEN {
                values.push(format!("{user}:{password}"));
                values.push(password);
            }
        } else if credential == REDACTED {
            return;
        }
        self.add_values(values);
    }

    fn add_values(&self, values: impl IntoIterator<Item = String>) {
        let mut needles = self.needles.write().unwrap_or_else(|e| e.into_inner());
        let mut added = false;
        for value in values {
            if value.len() >= MIN_REDACTED_LEN && value != REDACTED {
                added |= needles.values.insert(value);
            }
        }
        if !added {
            return;
        }
        let mut forms: Vec<String> = needles.values.iter().flat_map(|v| forms_of(v)).collect();
        forms.retain(|f| f.len() >= MIN_REDACTED_LEN && f != REDACTED);
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        needles.forms = forms
            .iter()
            .map(|f| memchr::memmem::Finder::new(f.as_bytes()).into_owned())
            .collect();
    }

    /// Whether nothing would be redacted.
    pub fn is_empty(&self) -> bool {
        self.needles
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .forms
            .is_empty()
    }

    /// `text` with every form of every secret replaced by `REDACTED`.
    pub fn redact(&self, text: &str) -> String {
        self.redact_counted(text).0
    }

    /// [`Redactor::redact`], and how many replacements it made.
    pub fn redact_counted(&self, text: &str) -> (String, usize) {
        match self.replaced(text.as_bytes()) {
            Some((bytes, count)) => (utf8(bytes), count),
            None => (text.to_string(), 0),
        }
    }

    /// `bytes` with every form of every secret replaced by `REDACTED`
    /// (searched in the raw bytes, as in a binary body).
    pub fn redact_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        self.redact_bytes_counted(bytes).0
    }

    /// [`Redactor::redact_bytes`], and how many replacements it made.
    pub fn redact_bytes_counted(&self, bytes: &[u8]) -> (Vec<u8>, usize) {
        self.replaced(bytes).unwrap_or_else(|| (bytes.to_vec(), 0))
    }

    /// The redacted bytes and the number of replacements, or `None` (and no
    /// copy) when nothing matched. One linear search per form, longest first.
    fn replaced(&self, bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
        let needles = self.needles.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Option<Vec<u8>> = None;
        let mut count = 0;
        for finder in &needles.forms {
            let current = out.as_deref().unwrap_or(bytes);
            if finder.find(current).is_none() {
                continue;
            }
            let mut replaced = Vec::with_capacity(current.len());
            let mut rest = 0;
            for at in finder.find_iter(current) {
                // Matches never overlap: find_iter resumes after each one.
                replaced.extend_from_slice(&current[rest..at]);
                replaced.extend_from_slice(REDACTED.as_bytes());
                rest = at + finder.needle().len();
                count += 1;
            }
            replaced.extend_from_slice(&current[rest..]);
            out = Some(replaced);
        }
        out.map(|out| (out, count))
    }

    /// An `Authorization` value as an exchange may show it: the scheme, and
    /// `REDACTED` for the credential; a Basic one keeps its user, as
    /// `Basic base64(user:REDACTED)` (what a replay without secrets sends).
    pub fn redact_authorization(&self, authorization: &str) -> String {
        let trimmed = authorization.trim();
        let Some((scheme, credential)) = trimmed.split_once(' ') else {
            return REDACTED.to_string();
        };
        let credential = credential.trim();
        match basic_pair(scheme, credential) {
            Some((user, _)) => {
                let pair = format!("{}:{REDACTED}", self.redact(&user));
                format!(
                    "{scheme} {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            None => format!("{scheme} {REDACTED}"),
        }
    }
}

/// What a call hands back that may hold text from the guest or the site,
/// redacted in place; returns how many replacements were made.
pub trait Redact {
    /// Replaces every form of every secret `redactor` knows with `REDACTED`.
    fn redact_with(&mut self, redactor: &Redactor) -> usize;
}

impl Redact for String {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        match redactor.replaced(self.as_bytes()) {
            Some((bytes, count)) => {
                *self = utf8(bytes);
                count
            }
            None => 0,
        }
    }
}

impl<T: Redact> Redact for Vec<T> {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        self.iter_mut().map(|t| t.redact_with(redactor)).sum()
    }
}

impl<T: Redact> Redact for Option<T> {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        self.as_mut().map_or(0, |t| t.redact_with(redactor))
    }
}

impl<T: Redact, E: Redact> Redact for Result<T, E> {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        match self {
            Ok(t) => t.redact_with(redactor),
            Err(e) => e.redact_with(redactor),
        }
    }
}

impl Redact for crate::bindings::Output {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        use crate::bindings::Body;
        let mut count = self.content_type.redact_with(redactor);
        count += match &mut self.body {
            Body::Empty => 0,
            Body::Json(t) | Body::Text(t) => t.redact_with(redactor),
            Body::Binary(bytes) => match redactor.replaced(bytes) {
                Some((redacted, count)) => {
                    *bytes = redacted;
                    count
                }
                None => 0,
            },
        };
        count
    }
}

impl Redact for crate::bindings::ConnectionInfo {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        self.display_name.redact_with(redactor)
            + self.url.redact_with(redactor)
            + self.store.redact_with(redactor)
    }
}

impl Redact for crate::bindings::ConnectorMetadata {
    fn redact_with(&mut self, _: &Redactor) -> usize {
        0
    }
}

impl Redact for crate::bindings::SyncRecord {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        self.stream.redact_with(redactor)
            + self.id.redact_with(redactor)
            + self.data.redact_with(redactor)
    }
}

/// A batch's records and its state (which then goes back to the guest
/// redacted too: a state never needs a secret).
impl Redact for crate::bindings::Batch {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        self.records.redact_with(redactor) + self.state.redact_with(redactor)
    }
}

impl Redact for crate::bindings::ConnectorError {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        use crate::bindings::ConnectorError as E;
        match self {
            E::InvalidInput(f) => f.field.redact_with(redactor) + f.message.redact_with(redactor),
            E::RateLimited(r) => r.message.redact_with(redactor),
            E::Upstream(u) => u.message.redact_with(redactor),
            E::InvalidConnection(m)
            | E::Unauthorized(m)
            | E::Forbidden(m)
            | E::NotFound(m)
            | E::Conflict(m)
            | E::Transport(m)
            | E::Unsupported(m)
            | E::Internal(m) => m.redact_with(redactor),
        }
    }
}

impl Redact for crate::logging::LogLine {
    fn redact_with(&mut self, redactor: &Redactor) -> usize {
        self.context.redact_with(redactor) + self.message.redact_with(redactor)
    }
}

/// Definitions are the component's own text, read with no secrets at all.
macro_rules! nothing_to_redact {
    ($($t:ty),*) => {
        $(impl Redact for $t {
            fn redact_with(&mut self, _: &Redactor) -> usize {
                0
            }
        })*
    };
}

nothing_to_redact!(
    crate::bindings::ConnectionDefinition,
    crate::bindings::ActionDefinition,
    crate::bindings::StreamDefinition
);

/// Redacted text back as a `String`: every form is whole UTF-8, so it matches
/// only at character boundaries, and replacing it with ASCII leaves UTF-8.
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The `user` and `password` of a Basic credential.
fn basic_pair(scheme: &str, credential: &str) -> Option<(String, String)> {
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(credential)
        .ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    let (user, password) = pair.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// Every form `value` takes in text: itself, JSON-escaped, its base64
/// (standard and URL-safe, padded and unpadded, and the part of each that
/// does not depend on what precedes or follows the value in a longer base64
/// text), and the percent-encodings of all of these.
fn forms_of(value: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut plain = vec![value.to_string()];
    if let Ok(json) = serde_json::to_string(value) {
        plain.push(json[1..json.len() - 1].to_string());
    }
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        plain.push(engine.encode(value));
    }
    // Inside a longer base64 text the value starts at one of three offsets in
    // a 3-byte group; the 4-character groups made of its bytes alone are the
    // same whatever surrounds it.
    for offset in 1..3 {
        let mut shifted = vec![0u8; offset];
        shifted.extend_from_slice(value.as_bytes());
        let whole_groups = (shifted.len() / 3) * 4;
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&shifted);
            if whole_groups > 4 {
                plain.push(encoded[4..whole_groups].to_string());
            }
        }
    }
    let whole_groups = (value.len() / 3) * 4;
    for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        plain.push(engine.encode(value)[..whole_groups].to_string());
    }
    let mut all = Vec::with_capacity(plain.len() * 4);
    for form in plain {
        let upper = percent_encode(&form, false);
        let lower = percent_encode(&form, true);
        let form_encoded: String = url::form_urlencoded::byte_serialize(form.as_bytes()).collect();
        all.extend([form, upper, lower, form_encoded]);
    }
    all
}

/// `text` with every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
fn percent_encode(text: &str, lower: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else if lower {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_placeholder_values_are_not_redacted() {
        let secrets = Secrets::new()
            .with("api-token", "")
            .with("access-token", "abc")
            .with("client-secret", REDACTED);
        let connection = Connection::new("basic", serde_json::json!({"email": "a@b.c"}));
        let redactor = secrets.with_connection_context(&connection);
        assert!(redactor.is_empty());
        let text = "abc REDACTED x a@b.c: a@b.c:abc";
        assert_eq!(redactor.redact(text), text);
        // "a@b.c:" and "a@b.c:ab": passwords too short to redact.
        redactor.learn_authorization("Basic YUBiLmM6");
        redactor.learn_authorization("Basic YUBiLmM6YWI=");
        assert_eq!(redactor.redact(text), text);
    }

    #[test]
    fn every_form_of_a_basic_credential_is_redacted() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let token = "tok+/=SECRET";
        let connection = Connection::new("basic", serde_json::json!({"email": "a+b@c.d"}));
        let redactor = Secrets::new()
            .with("api-token", token)
            .with_connection_context(&connection);
        let pair = format!("a+b@c.d:{token}");
        let header = format!("Basic {}", STANDARD.encode(&pair));
        for form in [
            token.to_string(),
            pair.clone(),
            header.clone(),
            STANDARD.encode(token),
            URL_SAFE_NO_PAD.encode(&pair),
            URL_SAFE_NO_PAD.encode(&header),
            percent_encode(&pair, false),
            percent_encode(&STANDARD.encode(&pair), true),
            // The pair inside a longer base64 text, at another alignment.
            STANDARD.encode(format!("{{\"h\":\"{pair}\"}}")),
        ] {
            let text = format!("<{form}>");
            let redacted = redactor.redact(&text);
            assert!(!redacted.contains(token), "{form}: {redacted}");
            assert!(
                !redacted.contains(&STANDARD.encode(&pair)[..8]),
                "{form}: {redacted}"
            );
        }
    }

    #[test]
    fn learnt_authorization_values_are_redacted_and_shown_without_credential() {
        let redactor = Redactor::default();
        // "u@x.y:s3cr3t-value"
        let header = "Basic dUB4Lnk6czNjcjN0LXZhbHVl";
        redactor.learn_authorization(header);
        assert_eq!(redactor.redact(&format!("echo {header}")), "echo REDACTED");
        assert_eq!(redactor.redact("s3cr3t-value"), REDACTED);
        assert_eq!(
            redactor.redact_authorization(header),
            "Basic dUB4Lnk6UkVEQUNURUQ="
        );
        assert_eq!(
            redactor.redact_authorization("Bearer abcdef"),
            "Bearer REDACTED"
        );
        // A replay's placeholder credential teaches nothing.
        let replayed = Redactor::default();
        replayed.learn_authorization("Bearer REDACTED");
        replayed.learn_authorization("Basic dUB4Lnk6UkVEQUNURUQ=");
        assert!(replayed.is_empty());
    }

    #[test]
    fn binary_bodies_are_redacted_on_their_bytes() {
        let redactor = Secrets::new().with("api-token", "s3cr3t").redactor();
        let body = [&[0xff, 0x00][..], b"s3cr3t", &[0xfe], b"s3cr3t"].concat();
        let (out, count) = redactor.redact_bytes_counted(&body);
        assert_eq!(count, 2);
        assert_eq!(
            out,
            [&[0xff, 0x00][..], b"REDACTED", &[0xfe], b"REDACTED"].concat()
        );
    }
}
