//! [`Platform`] over the component's imports: `wasi:http` for requests,
//! `wasi:clocks` (through std) for waits and dates, `wasi:random` for jitter,
//! `wasi:logging` for logs and the contract's `secrets` for credentials (with
//! the `standalone` feature, `wasi:config/store` for credentials and stderr
//! for logs).

#[cfg(not(feature = "standalone"))]
use crate::bindings::integration::connector::secrets;
#[cfg(feature = "standalone")]
use crate::bindings::wasi::config::store;
#[cfg(not(feature = "standalone"))]
use crate::bindings::wasi::logging::logging;
use crate::platform::{HttpRequest, HttpResponse, LogLevel, Method, Platform, TransportFailure};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    self as http, ErrorCode, Fields, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::StreamError;

/// How long to wait for a connection, for the first response byte, and between bytes.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(60);
const BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(60);

/// The platform of the WebAssembly build; its log lines carry `context`
/// (the connector's name) as their `wasi:logging` context.
pub struct WasiPlatform {
    /// The context of every log line, such as the connector's metadata name.
    pub context: &'static str,
}

impl Platform for WasiPlatform {
    fn send(
        &self,
        request: &HttpRequest,
        max_body: usize,
    ) -> Result<HttpResponse, TransportFailure> {
        send(request, max_body)
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn random_u64(&self) -> u64 {
        wasip2::random::random::get_random_u64()
    }

    fn now_unix_secs(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    #[cfg(not(feature = "standalone"))]
    fn log(&self, level: LogLevel, message: &str) {
        let level = match level {
            LogLevel::Debug => logging::Level::Debug,
            LogLevel::Info => logging::Level::Info,
            LogLevel::Warn => logging::Level::Warn,
        };
        logging::log(level, self.context, message);
    }

    /// Without `wasi:logging`: one line on stderr, `WARN context: message`.
    #[cfg(feature = "standalone")]
    fn log(&self, level: LogLevel, message: &str) {
        let level = match level {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
        };
        eprintln!("{level} {}: {message}", self.context);
    }

    #[cfg(not(feature = "standalone"))]
    fn secret(&self, key: &str) -> Option<String> {
        secrets::get(key)
    }

    /// The host's configuration value `key`, else the first of its
    /// environment-style names (see [`config_names`]); a store that fails to
    /// answer is a secret it does not have (the error, which may echo the
    /// store's own details, is not passed on).
    #[cfg(feature = "standalone")]
    fn secret(&self, key: &str) -> Option<String> {
        std::iter::once(key.to_string())
            .chain(config_names(self.context, key))
            .find_map(|name| store::get(&name).ok().flatten())
    }
}

/// The environment-style names a standalone build also reads secret `key` of
/// connector `name` under, in order: `CONNECTOR_<KEY>`, then `<NAME>_<KEY>`,
/// upper-cased with `-` and `.` as `_` (an `api-token` of connector `acme`:
/// `CONNECTOR_API_TOKEN`, `ACME_API_TOKEN`), as `connector-host` reads
/// the environment. Hosts that fill `wasi:config` from environment variables
/// (Wassette hands each variable its policy allows over under its own name)
/// then need no variable named `api-token`.
pub fn config_names(name: &str, key: &str) -> [String; 2] {
    let upper = |text: &str| text.to_ascii_uppercase().replace(['-', '.'], "_");
    [
        format!("CONNECTOR_{}", upper(key)),
        format!("{}_{}", upper(name), upper(key)),
    ]
}

/// Sends one request through `wasi:http` and reads the whole response body.
fn send(request: &HttpRequest, max_body: usize) -> Result<HttpResponse, TransportFailure> {
    let url = url::Url::parse(&request.url)
        .map_err(|e| TransportFailure::Refused(format!("bad URL: {e}")))?;
    let pairs: Vec<(String, Vec<u8>)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), value.as_bytes().to_vec()))
        .collect();
    let headers = Fields::from_list(&pairs)
        .map_err(|e| TransportFailure::Refused(format!("a request header was refused: {e:?}")))?;
    let outgoing = OutgoingRequest::new(headers);
    let method = match request.method {
        Method::Get => http::Method::Get,
        Method::Post => http::Method::Post,
        Method::Put => http::Method::Put,
        Method::Patch => http::Method::Patch,
        Method::Delete => http::Method::Delete,
    };
    let scheme = if url.scheme() == "http" {
        Scheme::Http
    } else {
        Scheme::Https
    };
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let path = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    };
    let refused =
        |what: &str| TransportFailure::Refused(format!("the host refused the request's {what}"));
    outgoing
        .set_method(&method)
        .map_err(|()| refused("method"))?;
    outgoing
        .set_scheme(Some(&scheme))
        .map_err(|()| refused("scheme"))?;
    outgoing
        .set_authority(Some(&authority))
        .map_err(|()| refused("authority"))?;
    outgoing
        .set_path_with_query(Some(&path))
        .map_err(|()| refused("path"))?;
    let body = outgoing.body().map_err(|()| refused("body"))?;
    let options = RequestOptions::new();
    // A host may not support every timeout; those it refuses keep its defaults.
    let _ = options.set_connect_timeout(Some(CONNECT_TIMEOUT.as_nanos() as u64));
    let first_byte = request.timeout.unwrap_or(FIRST_BYTE_TIMEOUT);
    let between_bytes = request.timeout.unwrap_or(BETWEEN_BYTES_TIMEOUT);
    let _ = options.set_first_byte_timeout(Some(first_byte.as_nanos() as u64));
    let _ = options.set_between_bytes_timeout(Some(between_bytes.as_nanos() as u64));
    let pending = outgoing_handler::handle(outgoing, Some(options))
        .map_err(|code| failure(code, max_body))?;
    {
        let stream = body.write().map_err(|()| refused("body stream"))?;
        for chunk in request.body.as_deref().unwrap_or_default().chunks(4096) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| format!("sending the body failed: {}", stream_error(e)))?;
        }
    }
    OutgoingBody::finish(body, None).map_err(|code| failure(code, max_body))?;
    let response = loop {
        match pending.get() {
            Some(result) => break result,
            None => pending.subscribe().block(),
        }
    };
    let response = response
        .map_err(|()| "the response was already taken".to_string())?
        .map_err(|code| failure(code, max_body))?;
    let status = response.status();
    let headers = response
        .headers()
        .entries()
        .into_iter()
        .map(|(name, value)| {
            (
                name.to_ascii_lowercase(),
                String::from_utf8_lossy(&value).into_owned(),
            )
        })
        .collect();
    let incoming = response
        .consume()
        .map_err(|()| "the response body was already taken".to_string())?;
    let stream = incoming
        .stream()
        .map_err(|()| "the response body stream was already taken".to_string())?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => {
                if bytes.len() + chunk.len() > max_body {
                    return Err(TransportFailure::BodyTooLarge(max_body));
                }
                bytes.extend_from_slice(&chunk);
            }
            Err(StreamError::Closed) => break,
            Err(e) => {
                return Err(
                    format!("reading the response body failed: {}", stream_error(e)).into(),
                );
            }
        }
    }
    drop(stream);
    Ok(HttpResponse {
        status,
        headers,
        body: bytes,
    })
}

/// A `wasi:http` error code as a failure: the host's refusals (its
/// allow-list, its limits on the request) are not worth a retry.
fn failure(code: ErrorCode, max_body: usize) -> TransportFailure {
    let limit = |what: &str, size: Option<u64>| match size {
        Some(size) => format!(
            "the host refused the request: its {what} is over the host's limit of {size} bytes"
        ),
        None => format!("the host refused the request: its {what} is over the host's limit"),
    };
    match code {
        ErrorCode::HttpRequestDenied => TransportFailure::Refused(
            "the host does not allow requests to this address (it is not in the host's allow-list)"
                .to_string(),
        ),
        ErrorCode::HttpRequestUriTooLong => TransportFailure::Refused(limit("address", None)),
        ErrorCode::HttpRequestUriInvalid => TransportFailure::Refused(
            "the host refused the request's address as invalid".to_string(),
        ),
        ErrorCode::HttpRequestMethodInvalid => {
            TransportFailure::Refused("the host refused the request's method".to_string())
        }
        ErrorCode::HttpRequestHeaderSectionSize(size) => {
            TransportFailure::Refused(limit("headers", size.map(u64::from)))
        }
        ErrorCode::HttpRequestHeaderSize(_) => TransportFailure::Refused(limit("header", None)),
        ErrorCode::HttpRequestBodySize(size) => TransportFailure::Refused(limit("body", size)),
        // The host stops reading an answer at the connector's own cap.
        ErrorCode::HttpResponseBodySize(_) => TransportFailure::BodyTooLarge(max_body),
        other => TransportFailure::Failed(describe_error(other)),
    }
}

/// A readable description of a `wasi:http` error code.
fn describe_error(code: ErrorCode) -> String {
    match code {
        ErrorCode::HttpRequestDenied => {
            "the host does not allow requests to this address".to_string()
        }
        ErrorCode::ConnectionRefused => "the connection was refused".to_string(),
        ErrorCode::ConnectionTimeout => "connecting timed out".to_string(),
        ErrorCode::HttpResponseTimeout => "the server did not answer in time".to_string(),
        ErrorCode::ConnectionReadTimeout => {
            "the server stopped sending its answer: no data in time".to_string()
        }
        ErrorCode::ConnectionTerminated => "the server closed the connection early".to_string(),
        ErrorCode::HttpResponseBodySize(_) => {
            "the answer was larger than the host accepts".to_string()
        }
        ErrorCode::HttpProtocolError => "the server's answer broke the HTTP protocol".to_string(),
        ErrorCode::DestinationNotFound => "the host name does not exist".to_string(),
        ErrorCode::DnsError(e) => format!(
            "the host name could not be resolved ({})",
            e.rcode.unwrap_or_default()
        ),
        ErrorCode::TlsCertificateError => {
            "the server's TLS certificate was not accepted".to_string()
        }
        ErrorCode::InternalError(Some(message)) => message,
        other => format!("{other:?}"),
    }
}

/// A readable description of a stream error.
fn stream_error(error: StreamError) -> String {
    match error {
        StreamError::Closed => "the stream closed early".to_string(),
        StreamError::LastOperationFailed(e) => e.to_debug_string(),
    }
}
