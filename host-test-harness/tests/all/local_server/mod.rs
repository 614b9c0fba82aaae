//! A tiny HTTP/1.1 server on 127.0.0.1 for live-mode tests: it answers every
//! request the same way and keeps what it received; one connection per
//! request, or kept alive (`serve_keep_alive`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// The value of header `name` (lower case), if it was sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The `Authorization` value of HTTP Basic for `user` and `password`.
pub fn basic_authorization(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {credentials}")
}

/// A running test server (it lives until the test process ends).
pub struct Server {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What it received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Starts a server answering every request with `status`, `headers` and
/// `body`, after `delay` (to test time limits).
pub fn serve(status: u16, headers: &[(&str, &str)], body: &str, delay: Duration) -> Server {
    let mut response = format!(
        "HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        response.push_str(&format!("{n}: {v}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(body);
    serve_with(move |stream| {
        std::thread::sleep(delay);
        let _ = stream.write_all(response.as_bytes());
    })
}

/// Starts a server answering every request with 200 and the JSON `body`, at once.
pub fn serve_json(body: &str) -> Server {
    serve(
        200,
        &[("content-type", "application/json")],
        body,
        Duration::ZERO,
    )
}

/// Starts a server that reads each request, keeps it, and then lets
/// `respond` write whatever it likes to the connection (a cut-short body, a
/// slow drip, a redirect).
pub fn serve_with(respond: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> Server {
    serve_request(move |_, stream| respond(stream))
}

/// Starts a server that reads each request, keeps it, and then lets
/// `respond` answer it knowing what was asked (to reflect the request back).
pub fn serve_request(
    respond: impl Fn(&Received, &mut TcpStream) + Send + Sync + 'static,
) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let respond = Arc::new(respond);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (log, respond) = (log.clone(), respond.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let Some(received) = read_request(&mut reader) else {
                    return;
                };
                log.lock().unwrap().push(received.clone());
                respond(&received, &mut stream);
            });
        }
    });
    Server { port, received }
}

/// Reads one request (line, headers, a `content-length` body) from a
/// connection; `None` when the client closed it.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Received> {
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = h.trim_end().split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0usize);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

/// A server that keeps connections open (HTTP/1.1 keep-alive): it answers
/// each request on a connection with `respond(&request)` as a JSON body
/// (status 200), then waits for the next one, and counts the connections it
/// accepted.
pub fn serve_keep_alive(
    respond: impl Fn(&Received) -> String + Send + Sync + 'static,
) -> KeepAliveServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (log, count) = (received.clone(), connections.clone());
    let respond = Arc::new(respond);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            count.fetch_add(1, Ordering::SeqCst);
            let (log, respond) = (log.clone(), respond.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                while let Some(request) = read_request(&mut reader) {
                    log.lock().unwrap().push(request.clone());
                    let body = respond(&request);
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    if stream.write_all(head.as_bytes()).is_err()
                        || stream.write_all(body.as_bytes()).is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    KeepAliveServer {
        server: Server { port, received },
        connections,
    }
}

/// A [`serve_keep_alive`] server.
pub struct KeepAliveServer {
    /// Its address and what it received.
    pub server: Server,
    connections: Arc<AtomicUsize>,
}

impl KeepAliveServer {
    /// How many TCP connections it has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
