//! Logging in: the authorization-code flow (RFC 6749 §4.1) with a loopback
//! redirect (RFC 8252 §7.3) and a checked `state`, and the client-credentials
//! grant (§4.4) of service accounts.

use super::endpoint::{self, TokenAnswer, require_secure};
use super::store::{Grant, TokenEntry};
use super::{CLIENT_SECRET, tokens};
use crate::Connection;
use crate::bindings::{AuthScheme, ConnectionDefinition};
use anyhow::{Context, Result, anyhow, bail};
use bytes::Bytes;
use http_body_util::Full;
use std::time::Duration;
use tokio::sync::mpsc;

/// The redirect URI `login` listens on unless told another: most services
/// require it registered exactly, port and path included.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8976/callback";

/// The scope that asks for a refresh token (OpenID Connect's, which many services use).
pub const OFFLINE_ACCESS: &str = "offline_access";

/// The OAuth 2.0 app a connection logs in with. `Debug` hides the secret.
#[derive(Clone)]
pub struct App {
    /// Where the user consents.
    pub authorize_url: String,
    /// Where codes and refresh tokens are exchanged.
    pub token_url: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret, when one was given.
    pub client_secret: Option<String>,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// The definition's default scopes: those its actions need.
    pub default_scopes: Vec<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// The string value `key` of `connection`, trimmed, when it is not empty.
fn value<'a>(connection: &'a Connection, key: &str) -> Option<&'a str> {
    connection
        .values
        .get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl App {
    /// The app of `connection`, an OAuth 2.0 connection of `definition`,
    /// with `client_secret` when one was given.
    pub fn of(
        connection: &Connection,
        definition: &ConnectionDefinition,
        client_secret: Option<String>,
    ) -> Result<App> {
        let AuthScheme::Oauth2(settings) = &definition.auth else {
            bail!(
                "connection definition `{}` does not use OAuth 2.0: nothing to log in to (its credentials are secrets given to every command)",
                definition.key
            );
        };
        let authorize_url = value(connection, "authorize-url").unwrap_or(&settings.authorize_url);
        let token_url = value(connection, "token-url").unwrap_or(&settings.token_url);
        require_secure(authorize_url, "the authorize URL (`authorize-url`)")?;
        require_secure(token_url, "the token URL (`token-url`)")?;
        let client_id = value(connection, "client-id").ok_or_else(|| {
            anyhow!("the connection has no `client-id`: add the client id of your OAuth app to its values")
        })?;
        let scopes = match value(connection, "scopes") {
            Some(text) => text.split_whitespace().map(str::to_string).collect(),
            None => settings.default_scopes.clone(),
        };
        Ok(App {
            authorize_url: authorize_url.to_string(),
            token_url: token_url.to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.filter(|s| !s.is_empty()),
            scopes,
            default_scopes: settings.default_scopes.clone(),
        })
    }

    /// The client secret, or an error saying how to give it.
    fn require_secret(&self, connector: &str) -> Result<&str> {
        self.client_secret.as_deref().ok_or_else(|| {
            let [first, second] = crate::secrets::env_var_names(connector, CLIENT_SECRET);
            anyhow!("this flow needs the app's client secret: give it with --secret client-secret=..., or in {first} or {second}")
        })
    }

    /// The scopes of an authorization-code login: the app's, with
    /// [`OFFLINE_ACCESS`] added when missing (no refresh token without it).
    pub fn login_scopes(&self) -> Vec<String> {
        let mut scopes = self.scopes.clone();
        if !scopes.iter().any(|s| s == OFFLINE_ACCESS) {
            scopes.push(OFFLINE_ACCESS.to_string());
        }
        scopes
    }

    /// The address the user opens to consent.
    pub fn authorization_url(&self, redirect_uri: &str, state: &str) -> Result<url::Url> {
        let mut url = require_secure(&self.authorize_url, "the authorize URL")?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id)
            .append_pair("scope", &self.login_scopes().join(" "))
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("response_type", "code");
        Ok(url)
    }

    /// The stored entry for what the token endpoint answered.
    fn entry(&self, grant: Grant, answer: TokenAnswer, asked: &[String]) -> TokenEntry {
        let blank = TokenEntry {
            grant,
            access_token: String::new(),
            refresh_token: None,
            expires_at: None,
            obtained_at: 0,
            scopes: asked.to_vec(),
            token_url: self.token_url.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            site: None,
            needs_login: None,
        };
        tokens::renewed(&blank, answer)
    }
}

/// What a login obtained.
#[derive(Debug)]
pub struct Login {
    /// The entry to store.
    pub entry: TokenEntry,
    /// Scopes asked for, or that the definition's actions need, which the
    /// service did not grant (when it lists the scopes it granted).
    pub missing_scopes: Vec<String>,
}

/// The scopes of `wanted` the answer's `scope` lacks.
fn missing<'a>(wanted: impl IntoIterator<Item = &'a String>, answer: &TokenAnswer) -> Vec<String> {
    let Some(granted) = &answer.scope else {
        return Vec::new();
    };
    let granted: Vec<&str> = granted.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    for scope in wanted {
        if !granted.contains(&scope.as_str()) && !out.contains(scope) {
            out.push(scope.clone());
        }
    }
    out
}

/// The client-credentials grant: a token for the app itself (a service
/// account), with no browser and no refresh token.
pub async fn client_credentials(app: &App, connector: &str) -> Result<Login> {
    let secret = app.require_secret(connector)?;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app.client_id.as_str()),
        ("client_secret", secret),
    ];
    let answer = endpoint::request(&app.token_url, &form).await?;
    Ok(Login {
        missing_scopes: Vec::new(),
        entry: app.entry(Grant::ClientCredentials, answer, &[]),
    })
}

/// What the loopback listener learned from one request.
enum Callback {
    Code(String),
    Refused(String),
}

/// The authorization-code flow: listens on `redirect_uri` (a loopback
/// `http` address), hands `open` the address the user must visit, waits at
/// most `wait` for the service to redirect back with the `state` it was
/// given, and exchanges the code. A callback with another `state` is
/// answered 400 and told to `note`, and the wait goes on.
pub async fn authorization_code(
    app: &App,
    redirect_uri: &str,
    wait: Duration,
    open: impl FnOnce(&url::Url),
    note: impl Fn(&str) + Send + Sync + 'static,
) -> Result<Login> {
    let redirect = url::Url::parse(redirect_uri)
        .with_context(|| format!("--redirect-uri `{redirect_uri}` is not an absolute URL"))?;
    let loopback = matches!(
        redirect.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]")
    );
    if redirect.scheme() != "http" || !loopback {
        bail!(
            "--redirect-uri `{redirect_uri}` must be a loopback http:// address such as {DEFAULT_REDIRECT_URI}"
        );
    }
    let port = redirect.port().unwrap_or(80);
    let bind = match redirect.host_str() {
        Some("[::1]") => format!("[::1]:{port}"),
        _ => format!("127.0.0.1:{port}"),
    };
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| {
            format!("cannot listen on {bind} for the redirect (is another login running?)")
        })?;
    let state = crate::secrets::random_token()?;
    let url = app.authorization_url(redirect_uri, &state)?;
    let (tx, mut rx) = mpsc::channel::<Callback>(4);
    let path = redirect.path().to_string();
    let note = std::sync::Arc::new(note);
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (tx, path, state, note) = (tx.clone(), path.clone(), state.clone(), note.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let answer = callback(&request, &path, &state);
                    let (status, page, outcome) = match answer {
                        Err((status, page)) => {
                            if status == 400 {
                                note(page);
                            }
                            (status, page.to_string(), None)
                        }
                        Ok(Callback::Code(code)) => (
                            200,
                            "Logged in: you may close this window.".to_string(),
                            Some(Callback::Code(code)),
                        ),
                        Ok(Callback::Refused(why)) => (
                            400,
                            format!("The login was refused: {why}"),
                            Some(Callback::Refused(why)),
                        ),
                    };
                    let tx = tx.clone();
                    async move {
                        if let Some(outcome) = outcome {
                            let _ = tx.send(outcome).await;
                        }
                        http::Response::builder()
                            .status(status)
                            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
                            .header(http::header::CONNECTION, "close")
                            .body(Full::new(Bytes::from(page)))
                    }
                });
                let io = wasmtime_wasi_http::io::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    open(&url);
    let outcome = tokio::time::timeout(wait, rx.recv()).await;
    server.abort();
    let code = match outcome {
        Err(_) => bail!(
            "no answer came back to {redirect_uri} within {} s; run login again (with --no-browser to open the link yourself)",
            wait.as_secs()
        ),
        Ok(None) => bail!("the redirect listener stopped"),
        Ok(Some(Callback::Refused(why))) => bail!("the login was refused: {why}"),
        Ok(Some(Callback::Code(code))) => code,
    };
    let asked = app.login_scopes();
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", app.client_id.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(secret) = &app.client_secret {
        form.push(("client_secret", secret));
    }
    let answer = endpoint::request(&app.token_url, &form).await?;
    Ok(Login {
        missing_scopes: missing(asked.iter().chain(&app.default_scopes), &answer),
        entry: app.entry(Grant::AuthorizationCode, answer, &asked),
    })
}

/// Reads one request to the redirect listener: the code (or the service's
/// refusal) when it is the callback with the right `state`, else the status
/// and text to answer it with.
fn callback(
    request: &http::Request<hyper::body::Incoming>,
    path: &str,
    state: &str,
) -> Result<Callback, (u16, &'static str)> {
    if request.uri().path() != path {
        return Err((404, "Not the login's callback."));
    }
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    // Constant time: the state guards the login against a forged callback.
    let given = get("state").unwrap_or("");
    let same = given.len() == state.len()
        && given
            .bytes()
            .zip(state.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err((
            400,
            "refused a callback whose state does not match this login's (a stale tab, or a forged request); still waiting",
        ));
    }
    if let Some(error) = get("error") {
        let description = get("error_description").unwrap_or("");
        let text: String = format!("{error} {description}")
            .chars()
            .filter(|c| !c.is_control())
            .take(300)
            .collect();
        return Ok(Callback::Refused(text.trim().to_string()));
    }
    match get("code").filter(|c| !c.is_empty()) {
        Some(code) => Ok(Callback::Code(code.to_string())),
        None => Err((400, "refused a callback without a code; still waiting")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(authorize_url: &str, scopes: &[&str]) -> App {
        App {
            authorize_url: authorize_url.into(),
            token_url: "https://auth.example.com/oauth/token".into(),
            client_id: "id-1".into(),
            client_secret: Some("s".into()),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            default_scopes: vec!["read:page".into(), "search".into()],
        }
    }

    #[test]
    fn the_authorization_url_keeps_the_definitions_query_and_asks_for_a_refresh_token() {
        let consent = app(
            "https://auth.example.com/authorize?audience=api.example.com&prompt=consent",
            &["read:page", "write:page"],
        );
        let url = consent
            .authorization_url(DEFAULT_REDIRECT_URI, "st4te")
            .unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("audience"), Some("api.example.com"));
        assert_eq!(get("prompt"), Some("consent"));
        assert_eq!(get("client_id"), Some("id-1"));
        assert_eq!(get("scope"), Some("read:page write:page offline_access"));
        assert_eq!(get("redirect_uri"), Some(DEFAULT_REDIRECT_URI));
        assert_eq!(get("state"), Some("st4te"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_secret"), None, "no secret in the link: {url}");
        let asked = app("https://a.example.com/", &["offline_access", "x"]);
        assert_eq!(asked.login_scopes(), ["offline_access", "x"]);
    }

    #[test]
    fn missing_scopes_are_those_asked_for_and_not_granted() {
        let answer: TokenAnswer =
            serde_json::from_str(r#"{"access_token":"a","scope":"read:page offline_access"}"#)
                .unwrap();
        let asked = ["read:page", "write:page", "offline_access"].map(String::from);
        assert_eq!(missing(&asked, &answer), ["write:page"]);
        // What the actions need counts too, once each.
        let needed = ["search", "write:page"].map(String::from);
        assert_eq!(
            missing(asked.iter().chain(&needed), &answer),
            ["write:page", "search"]
        );
        let unlisted: TokenAnswer = serde_json::from_str(r#"{"access_token":"a"}"#).unwrap();
        assert!(missing(&asked, &unlisted).is_empty());
    }

    #[test]
    fn a_redirect_uri_off_the_loopback_is_refused_before_anything_is_sent() {
        let app = app("https://a.example.com/", &[]);
        for bad in [
            "https://127.0.0.1:8976/callback",
            "http://example.com:8976/callback",
            "callback",
        ] {
            let opened = std::sync::atomic::AtomicBool::new(false);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let result = runtime.block_on(authorization_code(
                &app,
                bad,
                Duration::from_secs(1),
                |_| opened.store(true, std::sync::atomic::Ordering::Relaxed),
                |_| {},
            ));
            let error = result.unwrap_err().to_string();
            assert!(error.contains("--redirect-uri"), "{error}");
            assert!(!opened.load(std::sync::atomic::Ordering::Relaxed));
        }
    }
}
