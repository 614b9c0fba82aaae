//! HAR 1.2: the model (lenient: optional fields default when missing), the
//! reader and writer, and the replay matcher.
//!
//! Matching: method, origin (scheme, host, port) and path exactly; query
//! parameters as an order-insensitive multiset after percent-decoding; when
//! the entry has JSON `postData` the request body must be equal as JSON,
//! other `postData` text must be equal exactly (a body kept in base64, with
//! the custom field `"_encoding": "base64"` on `postData`, is decoded first).
//! Each entry answers at most once, and the first unused match in file order
//! answers.

use crate::files;
use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use std::path::Path;
use url::Url;

/// A HAR file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Har {
    /// The only top-level field.
    pub log: Log,
}

/// The `log` object.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    /// Format version, `1.2`.
    #[serde(default = "default_version")]
    pub version: String,
    /// The tool that wrote the file.
    #[serde(default)]
    pub creator: Creator,
    /// The exchanges, in order.
    #[serde(default, deserialize_with = "entries")]
    pub entries: Vec<Entry>,
}

/// Reads `log.entries` one entry at a time, so an entry that does not fit
/// the model is named in the error: its number, method and URL.
fn entries<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Entry>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<Entry>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of entries")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Vec<Entry>, A::Error> {
            let mut entries = Vec::new();
            while let Some(value) = seq.next_element::<serde_json::Value>()? {
                let text =
                    |field: &str| value["request"][field].as_str().unwrap_or("?").to_string();
                let name = entry_name(entries.len(), &text("method"), &text("url"));
                let entry = serde_json::from_value(value)
                    .map_err(|e| serde::de::Error::custom(format!("{name}: {e}")))?;
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    d.deserialize_seq(Entries)
}

/// How errors name entry `index` (0-based): `entry #3 (GET https://...)`.
fn entry_name(index: usize, method: &str, url: &str) -> String {
    const SHOWN: usize = 200;
    let url = match url.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}...", &url[..at]),
        None => url.to_string(),
    };
    format!("entry #{} ({method} {url})", index + 1)
}

impl Default for Log {
    fn default() -> Log {
        Log {
            version: default_version(),
            creator: Creator::default(),
            entries: Vec::new(),
        }
    }
}

fn default_version() -> String {
    "1.2".into()
}

fn default_http_version() -> String {
    "HTTP/1.1".into()
}

fn minus_one() -> i64 {
    -1
}

/// The `creator` object.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Creator {
    /// Tool name.
    #[serde(default)]
    pub name: String,
    /// Tool version.
    #[serde(default)]
    pub version: String,
}

impl Default for Creator {
    fn default() -> Creator {
        Creator {
            name: "connector-host".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// One request/response pair.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// ISO 8601 start time.
    #[serde(default)]
    pub started_date_time: String,
    /// Total time in milliseconds.
    #[serde(default)]
    pub time: f64,
    /// The request.
    pub request: Request,
    /// The response.
    pub response: Response,
    /// Cache info (kept as is).
    #[serde(default = "empty_object")]
    pub cache: serde_json::Value,
    /// Timings (kept as is).
    #[serde(default = "default_timings")]
    pub timings: serde_json::Value,
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

fn default_timings() -> serde_json::Value {
    serde_json::json!({"send": 0, "wait": 0, "receive": 0})
}

/// A header or query parameter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValue {
    /// Name.
    pub name: String,
    /// Value.
    #[serde(default)]
    pub value: String,
}

/// A recorded request.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// HTTP method.
    pub method: String,
    /// Absolute URL, query included.
    pub url: String,
    /// `HTTP/1.1` unless said otherwise.
    #[serde(default = "default_http_version")]
    pub http_version: String,
    /// Cookies (kept as is).
    #[serde(default)]
    pub cookies: Vec<serde_json::Value>,
    /// Headers.
    #[serde(default)]
    pub headers: Vec<NameValue>,
    /// Query parameters (informative; matching reads the URL).
    #[serde(default)]
    pub query_string: Vec<NameValue>,
    /// The body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    /// `-1` when unknown.
    #[serde(default = "minus_one")]
    pub headers_size: i64,
    /// `-1` when unknown.
    #[serde(default = "minus_one")]
    pub body_size: i64,
}

/// A request body.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    /// Media type.
    #[serde(default)]
    pub mime_type: String,
    /// The body text (base64 when `encoding` says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Form parameters (kept as is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<serde_json::Value>,
    /// `base64` when `text` is the body in base64: a custom field
    /// (`_encoding`; HAR 1.2 has no encoding on `postData`) written for
    /// request bodies that are not UTF-8, such as a binary upload.
    #[serde(default, rename = "_encoding", skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

impl PostData {
    /// `postData` holding `body` as text when it is UTF-8, else as base64
    /// with `_encoding: base64`.
    pub fn from_bytes(body: &[u8], mime_type: &str) -> PostData {
        use base64::Engine as _;
        let (text, encoding) = match std::str::from_utf8(body) {
            Ok(text) => (text.to_string(), None),
            Err(_) => (
                base64::engine::general_purpose::STANDARD.encode(body),
                Some("base64".to_string()),
            ),
        };
        PostData {
            mime_type: mime_type.to_string(),
            text: Some(text),
            params: Vec::new(),
            encoding,
        }
    }

    /// The body bytes, decoding base64 when `encoding` says so; `None` when
    /// the entry keeps no body text.
    pub fn bytes(&self) -> Option<Result<Vec<u8>>> {
        use base64::Engine as _;
        let text = self.text.as_deref()?;
        Some(match self.encoding.as_deref() {
            None => Ok(text.as_bytes().to_vec()),
            Some("base64") => base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .context("request.postData.text is not valid base64 (its _encoding is base64)"),
            Some(other) => Err(anyhow!(
                "request.postData._encoding {other:?} is not known (only \"base64\" is)"
            )),
        })
    }
}

/// A recorded response.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Reason phrase.
    #[serde(default)]
    pub status_text: String,
    /// `HTTP/1.1` unless said otherwise.
    #[serde(default = "default_http_version")]
    pub http_version: String,
    /// Cookies (kept as is).
    #[serde(default)]
    pub cookies: Vec<serde_json::Value>,
    /// Headers.
    #[serde(default)]
    pub headers: Vec<NameValue>,
    /// The body.
    #[serde(default)]
    pub content: Content,
    /// `Location`, if any.
    #[serde(default, rename = "redirectURL")]
    pub redirect_url: String,
    /// `-1` when unknown.
    #[serde(default = "minus_one")]
    pub headers_size: i64,
    /// `-1` when unknown.
    #[serde(default = "minus_one")]
    pub body_size: i64,
}

/// A response body.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// Length in bytes.
    #[serde(default)]
    pub size: i64,
    /// Media type.
    #[serde(default)]
    pub mime_type: String,
    /// The body, as text or base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `base64` when `text` is base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

impl Content {
    /// The body bytes (decoding base64 when `encoding` says so).
    pub fn bytes(&self) -> Result<Vec<u8>> {
        use base64::Engine as _;
        let text = self.text.as_deref().unwrap_or("");
        if self.encoding.as_deref() == Some("base64") {
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .context("response.content.text is not valid base64 (its encoding is base64)")
        } else {
            Ok(text.as_bytes().to_vec())
        }
    }

    /// Content holding `body` as text when it is UTF-8, else as base64.
    pub fn from_bytes(body: &[u8], mime_type: &str) -> Content {
        use base64::Engine as _;
        let (text, encoding) = match std::str::from_utf8(body) {
            Ok(text) => (text.to_string(), None),
            Err(_) => (
                base64::engine::general_purpose::STANDARD.encode(body),
                Some("base64".to_string()),
            ),
        };
        Content {
            size: body.len() as i64,
            mime_type: mime_type.to_string(),
            text: if body.is_empty() { None } else { Some(text) },
            encoding,
        }
    }
}

impl Har {
    /// Reads, parses and checks (see [`Har::check`]) a HAR file of at most
    /// [`MAX_HAR_BYTES`](files::MAX_HAR_BYTES), parsing as it reads.
    pub fn read(path: &Path) -> Result<Har> {
        let what = "HAR file";
        let mut reader = files::open_capped(path, files::MAX_HAR_BYTES, what)?;
        let parsed = serde_json::from_reader(std::io::BufReader::new(&mut reader));
        if reader.exceeded {
            bail!(
                "the {what} {} is larger than the limit of {}",
                path.display(),
                files::show_size(files::MAX_HAR_BYTES)
            );
        }
        let invalid = || format!("{} is not a valid HAR file", path.display());
        let har: Har = match parsed {
            Ok(har) => har,
            Err(e) if e.is_io() => {
                return Err(e)
                    .with_context(|| format!("cannot read the {what} {}", path.display()));
            }
            Err(e) => return Err(e).with_context(invalid),
        };
        har.check().with_context(invalid)?;
        Ok(har)
    }

    /// Parses and checks (see [`Har::check`]) HAR JSON text.
    pub fn parse(text: &str) -> Result<Har> {
        let har: Har = serde_json::from_str(text)?;
        har.check()?;
        Ok(har)
    }

    /// Checks what replay relies on, naming the first entry that fails (its
    /// number, method and URL) and the field: every `request.url` is an
    /// absolute URL, every `response.status` is in 100..=599, and every body
    /// in base64 (`content.text` with `encoding: base64`, `postData.text`
    /// with `_encoding: base64`) decodes.
    pub fn check(&self) -> Result<()> {
        for (i, entry) in self.log.entries.iter().enumerate() {
            let (req, res) = (&entry.request, &entry.response);
            let name = || entry_name(i, &req.method, &req.url);
            if RequestKey::new(&req.method, &req.url).is_err() {
                bail!("{}: request.url is not an absolute URL", name());
            }
            if !(100..=599).contains(&res.status) {
                bail!(
                    "{}: response.status {} is outside 100..=599",
                    name(),
                    res.status
                );
            }
            if res.content.encoding.as_deref() == Some("base64") {
                res.content.bytes().with_context(name)?;
            }
            if let Some(Err(e)) = req.post_data.as_ref().and_then(PostData::bytes) {
                return Err(e).with_context(name);
            }
        }
        Ok(())
    }

    /// Writes the HAR, pretty-printed, to `path` (replacing it atomically).
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut text = serde_json::to_vec_pretty(self)?;
        text.push(b'\n');
        files::write_atomic(path, &text, 0o666)
            .with_context(|| format!("cannot write the HAR file {}", path.display()))
    }
}

/// The error of a strict replay that left `unused` entries (`#N METHOD URL`).
pub fn unused_message(unused: &[String]) -> String {
    format!(
        "strict replay: {} HAR entr{} never used: {}",
        unused.len(),
        if unused.len() == 1 {
            "y was"
        } else {
            "ies were"
        },
        unused.join(", ")
    )
}

/// The parts of a request that matching looks at.
#[derive(Clone, Debug)]
pub struct RequestKey {
    /// Upper-case method.
    pub method: String,
    /// `scheme://host:port` with the port always explicit.
    pub origin: String,
    /// The path, as the URL parser normalises it.
    pub path: String,
    /// Decoded query pairs, sorted.
    pub query: Vec<(String, String)>,
    /// The URL as given.
    pub url: String,
}

impl RequestKey {
    /// Parses `method` and the absolute `url`.
    pub fn new(method: &str, url: &str) -> Result<RequestKey> {
        let parsed = Url::parse(url).with_context(|| format!("not an absolute URL: {url}"))?;
        let origin = format!(
            "{}://{}:{}",
            parsed.scheme(),
            parsed.host_str().unwrap_or(""),
            parsed.port_or_known_default().unwrap_or(0)
        );
        let mut query: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        query.sort();
        Ok(RequestKey {
            method: method.to_ascii_uppercase(),
            origin,
            path: parsed.path().to_string(),
            query,
            url: url.to_string(),
        })
    }
}

/// Whether `body` satisfies the entry's `postData` (always, when it has none).
fn body_matches(post: Option<&PostData>, body: &[u8]) -> bool {
    let Some(post) = post else { return true };
    let Some(text) = post.text.as_deref() else {
        return true;
    };
    if post.encoding.is_some() {
        return post
            .bytes()
            .and_then(Result::ok)
            .is_some_and(|want| want == body);
    }
    if post.mime_type.to_ascii_lowercase().contains("json") {
        let want: Result<serde_json::Value, _> = serde_json::from_str(text);
        let got: Result<serde_json::Value, _> = serde_json::from_slice(body);
        match (want, got) {
            (Ok(want), Ok(got)) => want == got,
            (Err(_), _) => text.as_bytes() == body,
            _ => false,
        }
    } else {
        text.as_bytes() == body
    }
}

/// Replays a HAR: answers each request from the first unused matching entry.
#[derive(Debug)]
pub struct Replayer {
    entries: Vec<Entry>,
    keys: Vec<Option<RequestKey>>,
    used: Vec<bool>,
}

impl Replayer {
    /// A replayer over the entries of `har`.
    pub fn new(har: Har) -> Replayer {
        let keys = har
            .log
            .entries
            .iter()
            .map(|e| RequestKey::new(&e.request.method, &e.request.url).ok())
            .collect();
        let used = vec![false; har.log.entries.len()];
        Replayer {
            entries: har.log.entries,
            keys,
            used,
        }
    }

    /// Finds, marks used and returns the entry answering this request; on a
    /// miss, the error names the request and the closest entry.
    pub fn answer(&mut self, method: &str, url: &str, body: &[u8]) -> Result<&Entry, String> {
        let key = RequestKey::new(method, url).map_err(|e| format!("{e:#}"))?;
        let mut best: Option<(u32, usize, Vec<String>)> = None;
        for (i, entry_key) in self.keys.iter().enumerate() {
            let Some(entry_key) = entry_key else { continue };
            let diffs = differences(
                &key,
                entry_key,
                self.entries[i].request.post_data.as_ref(),
                body,
            );
            if diffs.is_empty() && !self.used[i] {
                self.used[i] = true;
                return Ok(&self.entries[i]);
            }
            let mut score: u32 = diffs.iter().map(|d| d.0).sum();
            let mut notes: Vec<String> = diffs.into_iter().map(|d| d.1).collect();
            if self.used[i] {
                score += 1;
                notes.push("already used by an earlier request".into());
            }
            if best.as_ref().is_none_or(|b| score < b.0) {
                best = Some((score, i, notes));
            }
        }
        let mut message = format!("no HAR entry matches {} {}", key.method, key.url);
        match best {
            Some((_, i, notes)) => {
                let req = &self.entries[i].request;
                message.push_str(&format!(
                    "; the closest is entry #{} {} {} ({})",
                    i + 1,
                    req.method,
                    req.url,
                    notes.join("; ")
                ));
            }
            None => message.push_str("; the HAR has no entries"),
        }
        Err(message)
    }

    /// `METHOD url` of every entry no request used, in file order.
    pub fn unused(&self) -> Vec<String> {
        self.entries
            .iter()
            .zip(&self.used)
            .enumerate()
            .filter(|(_, (_, used))| !**used)
            .map(|(i, (e, _))| format!("#{} {} {}", i + 1, e.request.method, e.request.url))
            .collect()
    }
}

/// How `got` differs from an entry, each difference with a weight.
fn differences(
    got: &RequestKey,
    want: &RequestKey,
    post: Option<&PostData>,
    body: &[u8],
) -> Vec<(u32, String)> {
    let mut diffs = Vec::new();
    if got.method != want.method {
        diffs.push((100, format!("method {} differs", want.method)));
    }
    if got.origin != want.origin {
        diffs.push((
            50,
            format!("origin {} differs from {}", want.origin, got.origin),
        ));
    }
    if got.path != want.path {
        diffs.push((40, format!("path {} differs from {}", want.path, got.path)));
    }
    if got.query != want.query {
        let mut missing = want.query.clone();
        let mut extra = Vec::new();
        for pair in &got.query {
            match missing.iter().position(|p| p == pair) {
                Some(at) => {
                    missing.remove(at);
                }
                None => extra.push(pair.clone()),
            }
        }
        let show = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        let mut note = String::from("query differs:");
        if !missing.is_empty() {
            note.push_str(&format!(" entry has {}", show(&missing)));
        }
        if !extra.is_empty() {
            note.push_str(&format!(" request has {}", show(&extra)));
        }
        diffs.push((2 * (missing.len() + extra.len()) as u32, note));
    }
    if !body_matches(post, body) {
        diffs.push((5, "request body differs".into()));
    }
    diffs
}
