//! The few things the connector needs from the world outside its sandbox.
//!
//! Everything else in the crate is plain Rust that talks to [`Platform`]; the
//! WebAssembly build answers it through `wasi:http`, `wasi:clocks`,
//! `wasi:random`, `wasi:logging` and the contract's `secrets` import
//! (`wasi_platform.rs`), and native unit tests answer it with a script.

use std::time::Duration;

/// An HTTP method the connector sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether sending the request twice has the effect of sending it once,
    /// so that a retry after an unclear failure cannot duplicate a write.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    /// Parses a method name, in any case.
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }
}

/// A request ready to go on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
    /// The longest wait for the response to start and between its parts;
    /// `None` keeps the platform's default.
    pub timeout: Option<Duration>,
}

/// A response as received, its body read whole.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no HTTP response.
#[derive(Clone, Debug, PartialEq)]
pub enum TransportFailure {
    /// The response body grew past the cap, in bytes.
    BodyTooLarge(usize),
    /// The exchange could not be completed (connection, timeout, a broken
    /// answer); the text says why. Worth a retry.
    Failed(String),
    /// The host would not send the request at all (its allow-list, or a limit
    /// on the address, headers or body); the text says which. A retry cannot help.
    Refused(String),
}

impl From<String> for TransportFailure {
    fn from(reason: String) -> Self {
        TransportFailure::Failed(reason)
    }
}

/// Severity of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    /// Request and response dumps asked for with `debug`.
    Debug,
    /// Notable events, such as a retry.
    Info,
    /// Something the user should know about.
    Warn,
}

/// The connector's view of its host.
pub trait Platform {
    /// Sends one request and reads the whole response body, up to `max_body` bytes.
    fn send(
        &self,
        request: &HttpRequest,
        max_body: usize,
    ) -> Result<HttpResponse, TransportFailure>;
    /// Waits, before a retry.
    fn sleep(&self, duration: Duration);
    /// A random number, for retry jitter.
    fn random_u64(&self) -> u64;
    /// Seconds since the Unix epoch, to read `Retry-After` dates.
    fn now_unix_secs(&self) -> u64;
    /// Emits a log line.
    fn log(&self, level: LogLevel, message: &str);
    /// The host's value for the secret input `key`, if it has one.
    fn secret(&self, key: &str) -> Option<String>;
}
