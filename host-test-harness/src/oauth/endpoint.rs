//! The host's own requests to an OAuth 2.0 token endpoint (RFC 6749 §4.1.3,
//! §4.4 and §6): exchanging a code, refreshing, and the client-credentials
//! grant. They leave from the host, never through the guest, and what they
//! answer is read only for its tokens: no message ever quotes a body.

use crate::pool::Pool;
use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::Full;
use serde::Deserialize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The largest token endpoint answer read: 1 MiB.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// How long a token request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A token endpoint's successful answer. `Debug` shows no token.
#[derive(Clone, Deserialize)]
pub struct TokenAnswer {
    /// The new access token.
    pub access_token: String,
    /// The new refresh token, when the service issued one (a rotating
    /// service issues one with every refresh).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The access token's lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// The scopes granted, space-separated, when the service lists them.
    #[serde(default)]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Why a token request failed.
#[derive(Debug)]
pub enum TokenError {
    /// The endpoint refused the grant with an OAuth error (RFC 6749 §5.2),
    /// such as `invalid_grant` for a refresh token it no longer accepts.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The `error` code.
        error: String,
        /// The `error_description`, when there is one.
        description: Option<String>,
    },
    /// Anything else: the network, a non-OAuth answer, a malformed one.
    Failed(anyhow::Error),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Refused {
                status,
                error,
                description,
            } => {
                write!(
                    f,
                    "the token endpoint refused the request (HTTP {status}, {error}"
                )?;
                if let Some(description) = description {
                    write!(f, ": {description}")?;
                }
                write!(f, ")")
            }
            TokenError::Failed(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for TokenError {}

/// Seconds since 1970, now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Fails unless `url` is an `https` address, or an `http` one on a loopback
/// host (a test server, a local identity provider): credentials never
/// travel in the clear over a network. `what` names the setting.
pub fn require_secure(url: &str, what: &str) -> Result<url::Url> {
    let parsed =
        url::Url::parse(url).map_err(|e| anyhow!("{what} `{url}` is not an absolute URL ({e})"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err(anyhow!(
            "{what} `{url}` must be an https:// address (http:// only on 127.0.0.1 or localhost)"
        )),
    }
}

/// Sends `form` to the token endpoint at `token_url` and reads the answer.
pub async fn request(token_url: &str, form: &[(&str, &str)]) -> Result<TokenAnswer, TokenError> {
    let url = require_secure(token_url, "the token URL").map_err(TokenError::Failed)?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let authority = url[url::Position::BeforeHost..url::Position::AfterPort].to_string();
    let request = http::Request::post(url.as_str())
        .header(http::header::HOST, authority)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json")
        .header(
            http::header::USER_AGENT,
            concat!("connector-host/", env!("CARGO_PKG_VERSION")),
        )
        .body(Full::new(Bytes::from(body)))
        .context("building the token request")
        .map_err(TokenError::Failed)?;
    let answer = tokio::time::timeout(TIMEOUT, async {
        let pool = Pool::local();
        let (head, body, _lease) = pool.send(request, None).await?;
        let bytes = Pool::read_body(body, MAX_ANSWER_BYTES, None).await?;
        Ok::<_, wasmtime_wasi_http::Error>((head.status.as_u16(), bytes))
    })
    .await;
    let (status, bytes) = match answer {
        Err(_) => {
            return Err(TokenError::Failed(anyhow!(
                "the token endpoint {token_url} did not answer within {} s",
                TIMEOUT.as_secs()
            )));
        }
        Ok(Err(e)) => {
            return Err(TokenError::Failed(anyhow!(
                "cannot reach the token endpoint {token_url}: {e}"
            )));
        }
        Ok(Ok(answer)) => answer,
    };
    read_answer(token_url, status, &bytes)
}

/// Reads a token endpoint's answer: tokens on 2xx, the OAuth error otherwise.
fn read_answer(token_url: &str, status: u16, bytes: &[u8]) -> Result<TokenAnswer, TokenError> {
    #[derive(Deserialize)]
    struct OAuthError {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    if (200..300).contains(&status) {
        return serde_json::from_slice::<TokenAnswer>(bytes)
            .ok()
            .filter(|a| !a.access_token.is_empty())
            .ok_or_else(|| {
                TokenError::Failed(anyhow!(
                    "the token endpoint {token_url} answered HTTP {status} without a JSON access_token"
                ))
            });
    }
    match serde_json::from_slice::<OAuthError>(bytes) {
        Ok(e) if (400..500).contains(&status) => Err(TokenError::Refused {
            status,
            error: printable(&e.error, 64),
            description: e.error_description.map(|d| printable(&d, 300)),
        }),
        _ => Err(TokenError::Failed(anyhow!(
            "the token endpoint {token_url} answered HTTP {status}"
        ))),
    }
}

/// `text` cut to `max` characters, control characters dropped (it goes to a terminal).
fn printable(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_carries_credentials() {
        assert!(require_secure("https://auth.example.com/oauth/token", "t").is_ok());
        assert!(require_secure("http://127.0.0.1:9/token", "t").is_ok());
        assert!(require_secure("http://localhost:9/token", "t").is_ok());
        assert!(require_secure("http://[::1]:9/token", "t").is_ok());
        let e = require_secure("http://auth.example.com/token", "the token URL").unwrap_err();
        assert!(e.to_string().contains("must be an https:// address"), "{e}");
        assert!(require_secure("auth.example.com/token", "t").is_err());
    }

    #[test]
    fn an_oauth_error_is_read_without_the_rest_of_the_body() {
        let body = br#"{"error":"invalid_grant","error_description":"Unknown or invalid refresh token.","echo":"rt-secret"}"#;
        let e = read_answer("https://t", 403, body).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, TokenError::Refused { ref error, .. } if error == "invalid_grant"));
        assert!(text.contains("Unknown or invalid refresh token."), "{text}");
        assert!(!text.contains("rt-secret"), "{text}");
        let e = read_answer("https://t", 502, b"<html>rt-secret</html>").unwrap_err();
        assert!(!e.to_string().contains("rt-secret"));
        assert!(read_answer("https://t", 200, br#"{"token_type":"bearer"}"#).is_err());
        let ok = read_answer(
            "https://t",
            200,
            br#"{"access_token":"a","expires_in":3600}"#,
        )
        .unwrap();
        assert_eq!(ok.expires_in, Some(3600));
    }
}
