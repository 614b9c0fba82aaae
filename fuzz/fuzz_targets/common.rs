//! What several targets share: a platform that never reaches anything, the two
//! kinds of API base a connection can have, and the "stays under the base" check.

#![allow(dead_code)]

use confluence_connector::http::Client;
use connector_sdk::platform::{
    HttpRequest, HttpResponse, LogLevel, Platform, TransportFailure,
};
use std::time::Duration;
use url::Url;

/// The API base of a Basic connection.
pub const SITE: &str = "https://acme.atlassian.net";
/// The API base of an OAuth 2.0 connection: a path prefix on the gateway.
pub const GATEWAY_BASE: &str = "https://api.atlassian.com/ex/confluence/c0ffee-1";

/// A platform that sends nothing and knows no secrets; the targets only build
/// URLs and parse answers, so nothing here is ever asked to do real work.
pub struct NoPlatform;

impl Platform for NoPlatform {
    fn send(&self, request: &HttpRequest, _: usize) -> Result<HttpResponse, TransportFailure> {
        Err(TransportFailure::Failed(format!(
            "fuzzing: not sent: {}",
            request.url
        )))
    }
    fn sleep(&self, _: Duration) {}
    fn random_u64(&self) -> u64 {
        0
    }
    fn now_unix_secs(&self) -> u64 {
        0
    }
    fn log(&self, _: LogLevel, _: &str) {}
    fn secret(&self, _: &str) -> Option<String> {
        None
    }
}

/// A client for each kind of API base.
pub fn clients(platform: &NoPlatform) -> [Client<'_>; 2] {
    [
        Client::new(platform, SITE, "Basic x".into()),
        Client::new(platform, GATEWAY_BASE, "Bearer x".into()),
    ]
}

/// Asserts that `url`, read the way the WASI platform reads it before sending
/// (`url::Url`, which resolves `.`/`..` and their encoded forms), is still on
/// the client's origin and under its base path, with `extra` (an action's path
/// up to its first placeholder) after the base.
pub fn assert_under(client: &Client, url: &str, extra: &str) {
    assert!(
        client.owns(url),
        "not owned by {}: {url}",
        client.api_base()
    );
    let base = Url::parse(client.api_base()).unwrap();
    let got = Url::parse(url).unwrap_or_else(|e| panic!("unparseable URL {url:?}: {e}"));
    assert_eq!(got.scheme(), base.scheme(), "{url}");
    assert_eq!(got.host_str(), base.host_str(), "{url}");
    assert_eq!(got.port(), base.port(), "{url}");
    assert!(
        got.username().is_empty() && got.password().is_none(),
        "{url}"
    );
    let base_path = base.path().trim_end_matches('/');
    let inside = match extra {
        "" => got.path() == base_path || got.path().starts_with(&format!("{base_path}/")),
        _ => got.path().starts_with(&format!("{base_path}{extra}")),
    };
    assert!(
        inside,
        "{url} resolves to the path {}, outside {base_path}{extra}",
        got.path()
    );
}
