//! Connections to the network, kept open and reused: within a call (the 40
//! pages of a `fetch-all`) and across the calls of one [`Host`](crate::Host),
//! so a real site costs one TCP connect and one TLS handshake per origin, not
//! one per request.
//!
//! Each connection is HTTP/1.1 with keep-alive (what `wasi:http` speaks to
//! the guest). Its I/O task runs on the host's multi-thread runtime, which
//! always runs, so an idle connection stays served between calls whichever
//! thread the next call runs on. A connection is lent to one exchange at a
//! time and comes back to the pool once the response body has been read
//! ([`Lease::release`]); a connection the server closed while idle is
//! dropped, and a request that finds its reused connection closed under it
//! is sent again on a new one (when it was never written, or its method is
//! idempotent).

use bytes::Bytes;
use http::uri::Scheme;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions};

/// At most this many idle connections are kept per origin.
const MAX_IDLE_PER_ORIGIN: usize = 4;
/// An idle connection older than this is closed rather than reused (servers
/// close idle keep-alive connections after a minute or so).
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The timeouts of a request whose options set none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

type Sender = SendRequest<Full<Bytes>>;

struct Idle {
    sender: Sender,
    since: Instant,
}

/// Open connections by origin, and how many were ever opened.
pub struct Pool {
    /// Where connection tasks run; `None` runs them on the runtime of the
    /// call that opens them (fine for a pool that lives within one call).
    runtime: Option<tokio::runtime::Handle>,
    idle: Mutex<HashMap<String, Vec<Idle>>>,
    opened: AtomicUsize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("opened", &self.opened())
            .finish()
    }
}

/// A connection lent to one exchange; give it back with [`Lease::release`]
/// once the response body has been read.
pub struct Lease<'p> {
    pool: &'p Pool,
    origin: String,
    sender: Sender,
}

impl Lease<'_> {
    /// Returns the connection to the pool, if it can take another request.
    pub async fn release(mut self) {
        let ready = tokio::time::timeout(Duration::from_secs(1), self.sender.ready()).await;
        if matches!(ready, Ok(Ok(()))) {
            self.pool.put(self.origin, self.sender);
        }
    }
}

/// The timeouts of one request.
#[derive(Clone, Copy)]
struct Timeouts {
    connect: Duration,
    first_byte: Duration,
    between_bytes: Duration,
}

impl Timeouts {
    fn of(options: Option<RequestOptions>) -> Timeouts {
        let or_default = |t: Option<Duration>| t.unwrap_or(DEFAULT_TIMEOUT);
        Timeouts {
            connect: or_default(options.and_then(|o| o.connect_timeout)),
            first_byte: or_default(options.and_then(|o| o.first_byte_timeout)),
            // A zero interval would never let a byte through.
            between_bytes: or_default(options.and_then(|o| o.between_bytes_timeout))
                .max(Duration::from_nanos(1)),
        }
    }
}

impl Pool {
    /// A pool whose connection tasks run on `runtime`.
    pub fn new(runtime: tokio::runtime::Handle) -> Pool {
        Pool::running_on(Some(runtime))
    }

    /// A pool for the calls of one runtime: connection tasks run on the
    /// runtime of the call that opens them.
    pub fn local() -> Pool {
        Pool::running_on(None)
    }

    fn running_on(runtime: Option<tokio::runtime::Handle>) -> Pool {
        Pool {
            runtime,
            idle: Mutex::new(HashMap::new()),
            opened: AtomicUsize::new(0),
        }
    }

    /// How many connections this pool has opened so far.
    pub fn opened(&self) -> usize {
        self.opened.load(Ordering::Relaxed)
    }

    /// Sends `request` (an absolute URI) on a pooled connection to its
    /// origin, or a new one; returns the response head, its body and the
    /// lease of the connection.
    pub async fn send(
        &self,
        request: http::Request<Full<Bytes>>,
        options: Option<RequestOptions>,
    ) -> Result<(http::response::Parts, hyper::body::Incoming, Lease<'_>), HttpError> {
        let timeouts = Timeouts::of(options);
        let (origin, authority, tls) = origin_of(request.uri())?;
        let (mut parts, body) = request.into_parts();
        let idempotent = parts.method.is_idempotent();
        // On the wire the request line carries only the path and query.
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        parts.uri = http::Uri::builder()
            .path_and_query(path)
            .build()
            .map_err(|_| HttpError::HttpRequestUriInvalid)?;
        loop {
            let (sender, reused) = match self.take(&origin) {
                Some(sender) => (sender, true),
                None => (self.connect(&authority, tls, timeouts).await?, false),
            };
            let mut sender = sender;
            let request = http::Request::from_parts(parts.clone(), body.clone());
            let sent =
                tokio::time::timeout(timeouts.first_byte, sender.send_request(request)).await;
            match sent {
                Err(_) => return Err(HttpError::ConnectionReadTimeout),
                Ok(Ok(response)) => {
                    let (head, incoming) = response.into_parts();
                    let lease = Lease {
                        pool: self,
                        origin,
                        sender,
                    };
                    return Ok((head, incoming, lease));
                }
                // The server closed a kept-alive connection as we sent on
                // it and nothing was answered: send once more on a new one
                // when the request cannot have been taken (canceled before
                // it was written) or may be repeated (an idempotent method).
                Ok(Err(e))
                    if reused
                        && (e.is_canceled()
                            || (idempotent && (e.is_closed() || e.is_incomplete_message()))) =>
                {
                    continue;
                }
                Ok(Err(e)) => return Err(HttpError::from(e)),
            }
        }
    }

    /// Reads `body` whole: at most `limit` bytes (more fails with
    /// `HttpResponseBodySize`), each frame within the between-bytes timeout
    /// of `options`.
    pub async fn read_body(
        mut body: hyper::body::Incoming,
        limit: usize,
        options: Option<RequestOptions>,
    ) -> Result<Bytes, HttpError> {
        let between = Timeouts::of(options).between_bytes;
        let mut out = bytes::BytesMut::new();
        loop {
            let frame = match tokio::time::timeout(between, body.frame()).await {
                Err(_) => return Err(HttpError::ConnectionReadTimeout),
                Ok(None) => return Ok(out.freeze()),
                Ok(Some(frame)) => frame.map_err(HttpError::from)?,
            };
            if let Ok(data) = frame.into_data() {
                if out.len() + data.len() > limit {
                    return Err(HttpError::HttpResponseBodySize(Some(limit as u64)));
                }
                out.extend_from_slice(&data);
            }
        }
    }

    /// An idle connection to `origin` that can take a request now.
    fn take(&self, origin: &str) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.get_mut(origin)?;
        while let Some(entry) = list.pop() {
            if entry.since.elapsed() < IDLE_TIMEOUT && entry.sender.is_ready() {
                return Some(entry.sender);
            }
        }
        None
    }

    fn put(&self, origin: String, sender: Sender) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.entry(origin).or_default();
        list.retain(|entry| entry.since.elapsed() < IDLE_TIMEOUT && !entry.sender.is_closed());
        if list.len() < MAX_IDLE_PER_ORIGIN {
            list.push(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }

    /// Opens a connection to `authority` (`host:port`), over TLS when asked,
    /// and starts its I/O task.
    async fn connect(
        &self,
        authority: &str,
        tls: bool,
        timeouts: Timeouts,
    ) -> Result<Sender, HttpError> {
        let authority = authority.to_string();
        let opening = async move {
            let stream = tokio::net::TcpStream::connect(&authority);
            let stream = match tokio::time::timeout(timeouts.connect, stream).await {
                Ok(stream) => stream.map_err(HttpError::Connect)?,
                Err(_) => return Err(HttpError::ConnectionTimeout),
            };
            let _ = stream.set_nodelay(true);
            let handshake = async {
                if tls {
                    let stream = tls_connect(&authority, stream).await?;
                    handshake(TokioIo::new(stream)).await
                } else {
                    handshake(TokioIo::new(stream)).await
                }
            };
            match tokio::time::timeout(timeouts.connect, handshake).await {
                Ok(sender) => sender,
                Err(_) => Err(HttpError::ConnectionTimeout),
            }
        };
        let sender = match &self.runtime {
            Some(runtime) => runtime.spawn(opening).await.map_err(|_| {
                HttpError::InternalError(Some("the connection task failed".into()))
            })??,
            None => opening.await?,
        };
        self.opened.fetch_add(1, Ordering::Relaxed);
        Ok(sender)
    }
}

/// `scheme://host:port` (the pool's key), `host:port`, and whether it is TLS.
fn origin_of(uri: &http::Uri) -> Result<(String, String, bool), HttpError> {
    let authority = uri.authority().ok_or(HttpError::HttpRequestUriInvalid)?;
    let tls = uri.scheme() == Some(&Scheme::HTTPS);
    let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let host = authority.host();
    let authority = format!("{host}:{port}");
    let scheme = if tls { "https" } else { "http" };
    Ok((format!("{scheme}://{authority}"), authority, tls))
}

/// The HTTP/1.1 handshake on `io`; the connection's task is spawned on the
/// current runtime (the one [`Pool::connect`] runs on).
async fn handshake<I>(io: I) -> Result<Sender, HttpError>
where
    I: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::Builder::new()
        .handshake(io)
        .await
        .map_err(HttpError::from)?;
    tokio::spawn(async move {
        // A connection ends when the server closes it or the pool drops
        // its sender; either way there is nobody to tell.
        let _ = connection.await;
    });
    Ok(sender)
}

/// A TLS session with the host of `authority`, checked against the Web PKI roots.
async fn tls_connect(
    authority: &str,
    stream: tokio::net::TcpStream,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, HttpError> {
    use std::sync::{Arc, OnceLock};
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.into(),
        };
        Arc::new(
            rustls::ClientConfig::builder()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    });
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
        .trim_matches(['[', ']']);
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(HttpError::InvalidDnsNameError)?;
    tokio_rustls::TlsConnector::from(config.clone())
        .connect(name, stream)
        .await
        .map_err(HttpError::Tls)
}
