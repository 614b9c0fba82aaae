//! The `wasi:http` hooks of one call: every outgoing request is answered
//! from a HAR (replay), by the network for allow-listed hosts (live), or by
//! the network while writing a redacted HAR (record). Each exchange is kept
//! so tests can assert what the component sent.

use crate::har::{self, Content, Entry, Har, NameValue, Replayer};
use crate::pool::Pool;
use crate::secrets::{REDACTED, Redactor, Secrets};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

/// The largest response body the host reads from the network, in bytes:
/// the component's own cap (`MAX_RESPONSE_BYTES` in the component's
/// `src/http.rs`), so the host never holds more than the guest may accept.
/// A longer body (announced by `Content-Length`, or found while reading)
/// fails the exchange with `ErrorCode::HttpResponseBodySize`.
pub const MAX_RESPONSE_BODY: usize = 32 * 1024 * 1024;

/// The largest response body record mode buffers: [`MAX_RESPONSE_BODY`].
pub const MAX_RECORDED_BODY: usize = MAX_RESPONSE_BODY;

/// Where a call's HTTP requests are answered from.
#[derive(Clone, Debug, Default)]
pub enum HttpMode {
    /// No HTTP: every request is refused (enough for definitions).
    #[default]
    Off,
    /// Answer from a HAR; `strict` makes unused entries a failure.
    Replay {
        /// The recorded exchanges.
        har: Har,
        /// Fail the call when an entry was never used.
        strict: bool,
    },
    /// Send requests to the network, only to these hosts.
    Live {
        /// Hosts (`host` or `host:port`) the guest may reach.
        allowed_hosts: Vec<String>,
    },
    /// Answer from one replay shared by several calls, such as the batches of
    /// a sync run: each entry still answers once, across all of them.
    ReplayShared(Arc<Mutex<Replayer>>),
    /// Answer every request with the same response, whatever it asks: for
    /// tests that look at the requests a call sends rather than at the answers
    /// (the catalog-wide conformance test).
    Respond {
        /// The status of every answer.
        status: u16,
        /// The `Content-Type` of every answer.
        content_type: String,
        /// The body of every answer.
        body: String,
    },
    /// As `Live`, and write every exchange, redacted, to a HAR at `output`.
    Record {
        /// Hosts (`host` or `host:port`) the guest may reach.
        allowed_hosts: Vec<String>,
        /// Where the HAR is written when the call ends.
        output: PathBuf,
    },
}

/// One request the component sent and what became of it.
#[derive(Clone, Serialize)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// Absolute URL (secret values redacted).
    pub url: String,
    /// Request headers; `Authorization`, `Cookie` and secret values redacted.
    pub request_headers: Vec<(String, String)>,
    /// The request body as text (lossy UTF-8, secret values redacted).
    pub request_body: String,
    /// The response status, when a response came back.
    pub status: Option<u16>,
    /// Why no response came back (refused, replay miss, transport error).
    pub error: Option<String>,
    /// The `Authorization` header value with its credential redacted:
    /// `Bearer REDACTED`, or `Basic base64(user:REDACTED)` (as a replay
    /// without secrets sends it), so tests can see which scheme and user
    /// were sent. Never serialised or printed.
    #[serde(skip)]
    pub authorization: Option<String>,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("request_headers", &self.request_headers)
            .field("request_body", &self.request_body)
            .field("status", &self.status)
            .field("error", &self.error)
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| REDACTED),
            )
            .finish()
    }
}

impl Exchange {
    /// The request body parsed as JSON, if it is JSON.
    pub fn request_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.request_body).ok()
    }

    /// The value of request header `name` (case-insensitive), as kept.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the hooks collected during one call.
#[derive(Debug, Default)]
pub struct HttpRecord {
    /// Every exchange, in order.
    pub exchanges: Vec<Exchange>,
    /// Hosts refused because they are not allow-listed.
    pub refused_hosts: Vec<String>,
    /// Replay misses: each message names the request and the closest entry.
    pub replay_misses: Vec<String>,
    /// Redacted HAR entries (record mode).
    pub recorded: Vec<Entry>,
}

enum Answer {
    Off,
    Replay(Arc<Mutex<Replayer>>),
    Respond(har::Response),
    Network { allowed: Vec<String>, record: bool },
}

/// The [`WasiHttpHooks`] of one call.
pub struct CallHooks {
    answer: Arc<Answer>,
    record: Arc<Mutex<HttpRecord>>,
    redactor: Redactor,
    pool: Arc<Pool>,
    observer: Option<RequestObserver>,
}

/// What a [`RequestObserver`] calls: with a request's method and its URL.
pub type ObserveRequest = dyn Fn(&str, &str) + Send + Sync;

/// Told of each request a call sends, as it sends it: its method and its
/// URL with secret values redacted (for progress reports).
#[derive(Clone)]
pub struct RequestObserver(pub Arc<ObserveRequest>);

impl std::fmt::Debug for RequestObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestObserver")
    }
}

impl CallHooks {
    /// Hooks for `mode`; `secrets` are the values to redact.
    pub fn new(mode: &HttpMode, secrets: Secrets) -> CallHooks {
        CallHooks::with_redactor(mode, secrets.redactor())
    }

    /// Hooks for `mode` that redact with `redactor`, and teach it every
    /// `Authorization` value the guest sends.
    pub fn with_redactor(mode: &HttpMode, redactor: Redactor) -> CallHooks {
        let answer = match mode {
            HttpMode::Off => Answer::Off,
            HttpMode::Replay { har, .. } => {
                Answer::Replay(Arc::new(Mutex::new(Replayer::new(har.clone()))))
            }
            HttpMode::ReplayShared(replayer) => Answer::Replay(replayer.clone()),
            HttpMode::Respond {
                status,
                content_type,
                body,
            } => Answer::Respond(har::Response {
                status: *status,
                status_text: String::new(),
                http_version: "HTTP/1.1".into(),
                cookies: Vec::new(),
                headers: Vec::new(),
                content: Content::from_bytes(body.as_bytes(), content_type),
                redirect_url: String::new(),
                headers_size: -1,
                body_size: body.len() as i64,
            }),
            HttpMode::Live { allowed_hosts } => Answer::Network {
                allowed: allowed_hosts.clone(),
                record: false,
            },
            HttpMode::Record { allowed_hosts, .. } => Answer::Network {
                allowed: allowed_hosts.clone(),
                record: true,
            },
        };
        CallHooks {
            answer: Arc::new(answer),
            record: Arc::default(),
            redactor,
            pool: Arc::new(Pool::local()),
            observer: None,
        }
    }

    /// Sends network requests on `pool`'s connections (a [`Host`](crate::Host)
    /// shares one pool among all its calls); without it the hooks keep a
    /// pool of their own, for this call only.
    pub fn with_pool(mut self, pool: Arc<Pool>) -> CallHooks {
        self.pool = pool;
        self
    }

    /// The same hooks, telling `observer` of each request.
    pub fn with_observer(mut self, observer: Option<RequestObserver>) -> CallHooks {
        self.observer = observer;
        self
    }

    /// The redactor of the call, with what it learnt from the requests so far.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The shared record the hooks fill; read it after the call.
    pub fn record(&self) -> Arc<Mutex<HttpRecord>> {
        self.record.clone()
    }

    /// HAR entries never used (replay mode; empty otherwise).
    pub fn unused_entries(&self) -> Vec<String> {
        match &*self.answer {
            Answer::Replay(r) => r.lock().unwrap().unused(),
            _ => Vec::new(),
        }
    }

    /// Sends `request` as the guest would, outside any store: used by the
    /// hooks and directly by tests.
    pub async fn send(
        &self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<http::Response<WasiBody>, HttpError> {
        handle(
            self.answer.clone(),
            self.record.clone(),
            self.redactor.clone(),
            self.pool.clone(),
            self.observer.clone(),
            request,
            options,
        )
        .await
    }
}

/// Whether `uri`'s host is in `allowed` (`host` or `host:port`, case-insensitive).
pub fn host_allowed(allowed: &[String], uri: &http::Uri) -> bool {
    let host = uri.host().unwrap_or("").trim_matches(['[', ']']);
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
    allowed.iter().any(|a| {
        let a = a.trim();
        a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(authority)
    })
}

fn full(bytes: impl Into<Bytes>) -> WasiBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

fn is_dropped_response_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with(':')
        || matches!(
            name.as_str(),
            "connection"
                | "keep-alive"
                | "proxy-connection"
                | "proxy-authenticate"
                | "proxy-authorization"
                | "te"
                | "trailer"
                | "transfer-encoding"
                | "upgrade"
                | "content-length"
                | "content-encoding"
        )
}

/// Rebuilds a response from a HAR entry.
pub fn response_from_entry(entry: &Entry) -> Result<http::Response<WasiBody>, String> {
    response_from(&entry.response)
}

/// Rebuilds a response from a HAR response.
fn response_from(res: &har::Response) -> Result<http::Response<WasiBody>, String> {
    let body = res.content.bytes().map_err(|e| format!("{e:#}"))?;
    let mut builder = http::Response::builder().status(res.status);
    let mut has_content_type = false;
    for h in &res.headers {
        if is_dropped_response_header(&h.name) {
            continue;
        }
        has_content_type |= h.name.eq_ignore_ascii_case("content-type");
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(h.name.as_bytes()),
            http::HeaderValue::from_str(&h.value),
        ) {
            builder = builder.header(n, v);
        }
    }
    if !has_content_type
        && !res.content.mime_type.is_empty()
        && let Ok(v) = http::HeaderValue::from_str(&res.content.mime_type)
    {
        builder = builder.header(http::header::CONTENT_TYPE, v);
    }
    builder.body(full(body)).map_err(|e| e.to_string())
}

/// Headers as kept: credentials and cookies (which a site may fill with
/// anything, such as a session bound to the credential) as `REDACTED`,
/// every other value with the secrets redacted.
fn header_pairs(headers: &http::HeaderMap, redactor: &Redactor) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            let value = if [
                http::header::AUTHORIZATION,
                http::header::PROXY_AUTHORIZATION,
                http::header::COOKIE,
                http::header::SET_COOKIE,
            ]
            .contains(n)
            {
                REDACTED.to_string()
            } else {
                redactor.redact(&String::from_utf8_lossy(v.as_bytes()))
            };
            (n.as_str().to_string(), value)
        })
        .collect()
}

fn name_values(pairs: &[(String, String)]) -> Vec<NameValue> {
    pairs
        .iter()
        .map(|(name, value)| NameValue {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

async fn handle(
    answer: Arc<Answer>,
    record: Arc<Mutex<HttpRecord>>,
    redactor: Redactor,
    pool: Arc<Pool>,
    observer: Option<RequestObserver>,
    request: http::Request<WasiBody>,
    options: Option<RequestOptions>,
) -> Result<http::Response<WasiBody>, HttpError> {
    let (parts, body) = request.into_parts();
    // The credential the guest sends is redacted from everything the call
    // leaves, in every form, whatever the host was told of it.
    for value in parts.headers.get_all(http::header::AUTHORIZATION) {
        redactor.learn_authorization(&String::from_utf8_lossy(value.as_bytes()));
    }
    let body = body.collect().await?.to_bytes();
    let url = parts.uri.to_string();
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        url: redactor.redact(&url),
        request_headers: header_pairs(&parts.headers, &redactor),
        request_body: redactor.redact(&String::from_utf8_lossy(&body)),
        status: None,
        error: None,
        authorization: parts
            .headers
            .get(http::header::AUTHORIZATION)
            .map(|v| redactor.redact_authorization(&String::from_utf8_lossy(v.as_bytes()))),
    };
    if let Some(RequestObserver(observe)) = &observer {
        observe(&exchange.method, &exchange.url);
    }
    let finish = |exchange: Exchange| record.lock().unwrap().exchanges.push(exchange);
    match &*answer {
        Answer::Off => {
            exchange.error =
                Some("refused: no HTTP mode (replay, live or record) was chosen".into());
            finish(exchange);
            Err(HttpError::HttpRequestDenied)
        }
        Answer::Respond(canned) => match response_from(canned) {
            Ok(response) => {
                exchange.status = Some(response.status().as_u16());
                finish(exchange);
                Ok(response)
            }
            Err(message) => {
                exchange.error = Some(message.clone());
                finish(exchange);
                Err(HttpError::InternalError(Some(message)))
            }
        },
        Answer::Replay(replayer) => {
            let found = replayer
                .lock()
                .unwrap()
                .answer(parts.method.as_str(), &url, &body)
                .and_then(response_from_entry);
            match found {
                Ok(response) => {
                    exchange.status = Some(response.status().as_u16());
                    finish(exchange);
                    Ok(response)
                }
                Err(message) => {
                    let message = redactor.redact(&message);
                    exchange.error = Some(message.clone());
                    let mut rec = record.lock().unwrap();
                    rec.replay_misses.push(message);
                    rec.exchanges.push(exchange);
                    Err(HttpError::InternalError(Some(
                        "no recorded response matches this request".into(),
                    )))
                }
            }
        }
        Answer::Network {
            allowed,
            record: recording,
        } => {
            if !host_allowed(allowed, &parts.uri) {
                let host = parts.uri.host().unwrap_or("").to_string();
                exchange.error = Some(format!("refused: host {host} is not in the allow-list"));
                let mut rec = record.lock().unwrap();
                if !rec.refused_hosts.contains(&host) {
                    rec.refused_hosts.push(host);
                }
                rec.exchanges.push(exchange);
                return Err(HttpError::HttpRequestDenied);
            }
            let started = std::time::SystemTime::now();
            let request = http::Request::from_parts(parts.clone(), Full::new(body.clone()));
            let (res_parts, res_body, lease) = match pool.send(request, options).await {
                Ok(sent) => sent,
                Err(e) => {
                    exchange.error = Some(redactor.redact(&e.to_string()));
                    finish(exchange);
                    return Err(e);
                }
            };
            exchange.status = Some(res_parts.status.as_u16());
            // The host reads at most what the guest accepts; past that (or
            // when the announced length says so) the exchange fails.
            let announced = res_parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if let Some(len) = announced.filter(|&len| len > MAX_RESPONSE_BODY as u64) {
                exchange.error = Some(format!(
                    "the response body of {len} bytes is over the host's limit of {MAX_RESPONSE_BODY} bytes"
                ));
                finish(exchange);
                // The unread body makes the connection unusable: drop it.
                drop(lease);
                return Err(HttpError::HttpResponseBodySize(Some(len)));
            }
            let collected = Pool::read_body(res_body, MAX_RESPONSE_BODY, options).await;
            if collected.is_ok() {
                lease.release().await;
            }
            let res_bytes = match collected {
                Ok(bytes) => bytes,
                Err(e) => {
                    exchange.error = Some(redactor.redact(&e.to_string()));
                    finish(exchange);
                    return Err(e);
                }
            };
            if *recording {
                let entry =
                    recorded_entry(&exchange, &body, &res_parts, &res_bytes, &redactor, started);
                record.lock().unwrap().recorded.push(entry);
            }
            finish(exchange);
            Ok(http::Response::from_parts(res_parts, full(res_bytes)))
        }
    }
}

fn recorded_entry(
    exchange: &Exchange,
    req_body: &[u8],
    res: &http::response::Parts,
    res_body: &[u8],
    redactor: &Redactor,
    started: std::time::SystemTime,
) -> Entry {
    let header = |headers: &http::HeaderMap, name: http::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let query_string = url::Url::parse(&exchange.url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| NameValue {
                    name: redactor.redact(&name),
                    value: redactor.redact(&value),
                })
                .collect()
        })
        .unwrap_or_default();
    let req_mime = exchange.header("content-type").unwrap_or("").to_string();
    // A body that is not UTF-8 (a binary upload) is kept whole, in base64.
    let post_data = (!req_body.is_empty()).then(|| match std::str::from_utf8(req_body) {
        Ok(_) => har::PostData {
            mime_type: req_mime,
            text: Some(exchange.request_body.clone()),
            params: Vec::new(),
            encoding: None,
        },
        Err(_) => har::PostData::from_bytes(&redactor.redact_bytes(req_body), &req_mime),
    });
    let res_headers = header_pairs(&res.headers, redactor);
    // Redacted on the bytes, before a binary body becomes base64.
    let res_body = redactor.redact_bytes(res_body);
    let content = Content::from_bytes(&res_body, &header(&res.headers, http::header::CONTENT_TYPE));
    let millis = started
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Entry {
        started_date_time: format_rfc3339(millis),
        time: 0.0,
        request: har::Request {
            method: exchange.method.clone(),
            url: exchange.url.clone(),
            http_version: "HTTP/1.1".into(),
            cookies: Vec::new(),
            headers: name_values(&exchange.request_headers),
            query_string,
            post_data,
            headers_size: -1,
            body_size: req_body.len() as i64,
        },
        response: har::Response {
            status: res.status.as_u16(),
            status_text: res.status.canonical_reason().unwrap_or("").to_string(),
            http_version: "HTTP/1.1".into(),
            cookies: Vec::new(),
            headers: name_values(&res_headers),
            content,
            redirect_url: redactor.redact(&header(&res.headers, http::header::LOCATION)),
            headers_size: -1,
            body_size: res_body.len() as i64,
        },
        cache: serde_json::json!({}),
        timings: serde_json::json!({"send": 0, "wait": 0, "receive": 0}),
    }
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn format_rfc3339(millis: u128) -> String {
    let secs = (millis / 1000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        millis % 1000
    )
}

impl WasiHttpHooks for CallHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                    ),
                    HttpError,
                >,
            > + Send,
    > {
        let answer = self.answer.clone();
        let record = self.record.clone();
        let redactor = self.redactor.clone();
        let pool = self.pool.clone();
        let observer = self.observer.clone();
        Box::new(async move {
            let response =
                handle(answer, record, redactor, pool, observer, request, options).await?;
            Ok((
                response,
                Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}
