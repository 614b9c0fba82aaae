//! OAuth 2.0 in the host, end to end: `connector-host login` against a
//! loopback authorization server that rotates refresh tokens as Atlassian
//! does (each refresh issues a new refresh token; the old one is accepted
//! again only within a reuse window, and reusing it later revokes the whole
//! chain), then commands that use and renew the stored tokens. The
//! connector is the GitHub example, whose OAuth connection takes an
//! `api-url`, so its API is the same loopback server, which checks every
//! bearer token it is sent.

use crate::common::cli;
use crate::local_server::{self, Received, Server};
use host_test_harness::oauth::store::STORE_VARIABLE;
use host_test_harness::oauth::{FileStore, Grant, TokenEntry, TokenStore, Tokens, entry_key};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WASM: &str = env!("GITHUB_CONNECTOR_WASM");
const CLIENT_ID: &str = "app-1";
const CLIENT_SECRET: &str = "app-secret-s3cr3t";

/// The authorization server's state.
#[derive(Default)]
struct Auth {
    /// The lifetime of the access tokens it issues next, in seconds.
    expires_in: u64,
    /// How long a rotated refresh token is accepted again.
    reuse_window: Duration,
    /// Codes issued, with the redirect URI each was issued for.
    codes: Vec<(String, String)>,
    /// The access tokens the API accepts.
    access: Vec<String>,
    /// The refresh token it accepts.
    refresh: Option<String>,
    /// Refresh tokens rotated away, and when.
    rotated: Vec<(String, Instant)>,
    /// Tokens issued so far.
    issued: usize,
    /// The grant of every token request it answered with tokens, and
    /// `refused:<error>` for every one it refused.
    grants: Vec<String>,
    /// The bearer token of every API request, in order.
    api_tokens: Vec<String>,
}

impl Auth {
    /// Issues a new access token (and a refresh token, when `refresh`).
    fn issue(&mut self, grant: &str, refresh: bool) -> (u16, Value) {
        self.issued += 1;
        let access = format!("gho_access_{}", self.issued);
        self.access.push(access.clone());
        self.grants.push(grant.to_string());
        let mut answer = json!({"access_token": access, "token_type": "bearer", "expires_in": self.expires_in, "scope": "repo"});
        if refresh {
            let token = format!("ghr_refresh_{}", self.issued);
            if let Some(old) = self.refresh.replace(token.clone()) {
                self.rotated.push((old, Instant::now()));
            }
            answer["refresh_token"] = json!(token);
        }
        (200, answer)
    }

    fn refuse(&mut self, status: u16, error: &str, description: &str) -> (u16, Value) {
        self.grants.push(format!("refused:{error}"));
        (
            status,
            json!({"error": error, "error_description": description}),
        )
    }

    /// Answers a token request.
    fn token(&mut self, form: &[(String, String)]) -> (u16, Value) {
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if get("client_id") != Some(CLIENT_ID) || get("client_secret") != Some(CLIENT_SECRET) {
            return self.refuse(401, "invalid_client", "Unknown client or wrong secret.");
        }
        match get("grant_type") {
            Some("authorization_code") => {
                let code = get("code").unwrap_or("");
                let at = self.codes.iter().position(|(c, _)| c == code);
                match at {
                    Some(at) if Some(self.codes[at].1.as_str()) == get("redirect_uri") => {
                        self.codes.remove(at);
                        self.issue("authorization_code", true)
                    }
                    _ => self.refuse(400, "invalid_grant", "Unknown code or redirect URI."),
                }
            }
            Some("refresh_token") => {
                let token = get("refresh_token").unwrap_or("").to_string();
                if self.refresh.as_deref() == Some(token.as_str()) {
                    return self.issue("refresh_token", true);
                }
                let window = self.reuse_window;
                match self.rotated.iter().find(|(t, _)| *t == token) {
                    Some((_, at)) if at.elapsed() < window => self.issue("refresh_token", true),
                    Some(_) => {
                        // Reuse past the window: the whole chain is revoked.
                        self.refresh = None;
                        self.access.clear();
                        self.refuse(
                            403,
                            "invalid_grant",
                            "Refresh token reused: the chain is revoked.",
                        )
                    }
                    None => self.refuse(403, "invalid_grant", "Unknown or invalid refresh token."),
                }
            }
            Some("client_credentials") => self.issue("client_credentials", false),
            _ => self.refuse(400, "unsupported_grant_type", "Unknown grant."),
        }
    }
}

/// The loopback site: authorization server and API in one.
struct Site {
    server: Server,
    auth: Arc<Mutex<Auth>>,
    dir: PathBuf,
    connection: PathBuf,
    store: PathBuf,
}

fn pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn answer(stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
}

fn respond(auth: &Mutex<Auth>, request: &Received, stream: &mut TcpStream) {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let json_type = [("content-type", "application/json")];
    match (request.method.as_str(), path) {
        ("GET", "/authorize") => {
            let query = pairs(query);
            let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let (Some(redirect), Some(state)) = (get("redirect_uri"), get("state")) else {
                return answer(stream, 400, &[], "no redirect_uri or state");
            };
            assert_eq!(get("client_id").as_deref(), Some(CLIENT_ID));
            assert_eq!(get("response_type").as_deref(), Some("code"));
            let scope = get("scope").unwrap_or_default();
            assert!(scope.split(' ').any(|s| s == "offline_access"), "{scope}");
            let mut auth = auth.lock().unwrap();
            let code = format!("code-{}", auth.codes.len() + auth.issued + 1);
            auth.codes.push((code.clone(), redirect.clone()));
            let location = format!("{redirect}?code={code}&state={state}");
            answer(stream, 302, &[("location", &location)], "");
        }
        ("POST", "/token") => {
            let form = pairs(&String::from_utf8_lossy(&request.body));
            let (status, body) = auth.lock().unwrap().token(&form);
            answer(stream, status, &json_type, &body.to_string());
        }
        ("GET", "/api/user") => {
            let bearer = request
                .header("authorization")
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("")
                .to_string();
            let mut auth = auth.lock().unwrap();
            auth.api_tokens.push(bearer.clone());
            if auth.access.contains(&bearer) {
                let body = json!({"login": "octocat", "html_url": "https://github.com/octocat"});
                answer(stream, 200, &json_type, &body.to_string());
            } else {
                answer(stream, 401, &json_type, r#"{"message":"Bad credentials"}"#);
            }
        }
        _ => answer(stream, 404, &json_type, r#"{"message":"Not Found"}"#),
    }
}

impl Site {
    fn new(name: &str, expires_in: u64) -> Site {
        let auth = Arc::new(Mutex::new(Auth {
            expires_in,
            ..Auth::default()
        }));
        let shared = auth.clone();
        let server =
            local_server::serve_request(move |request, stream| respond(&shared, request, stream));
        let dir = std::env::temp_dir().join(format!("oauth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let connection = dir.join("connection.json");
        let origin = server.origin();
        let values = json!({"definition": "oauth2", "values": {
            "client-id": CLIENT_ID,
            "authorize-url": format!("{origin}/authorize"),
            "token-url": format!("{origin}/token"),
            "api-url": format!("{origin}/api"),
        }});
        std::fs::write(&connection, values.to_string()).unwrap();
        let store = dir.join("config").join("tokens.json");
        Site {
            server,
            auth,
            dir,
            connection,
            store,
        }
    }

    fn auth(&self) -> std::sync::MutexGuard<'_, Auth> {
        self.auth.lock().unwrap()
    }

    /// `connector-host` on the GitHub component with `args`, this site's
    /// token store, and the app's secret in the environment.
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut all = vec!["--component", WASM];
        all.extend_from_slice(args);
        let mut command = cli::command(&all);
        command
            .env(STORE_VARIABLE, &self.store)
            .env("CONNECTOR_CLIENT_SECRET", CLIENT_SECRET);
        command
    }

    fn connection(&self) -> &str {
        self.connection.to_str().unwrap()
    }

    fn invoke(&self) -> Output {
        self.command(&[
            "invoke",
            "get-authenticated-user",
            "--connection",
            self.connection(),
            "--live",
        ])
        .output()
        .unwrap()
    }

    /// Starts `login --no-browser`, returns the child and the consent
    /// address it printed.
    fn start_login(&self) -> (std::process::Child, String, Arc<Mutex<String>>) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let redirect = format!("http://127.0.0.1:{port}/callback");
        let mut child = self
            .command(&[
                "login",
                "--connection",
                self.connection(),
                "--no-browser",
                "--redirect-uri",
                &redirect,
                "--wait",
                "20",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = String::new();
        let url = loop {
            let line = lines
                .next()
                .expect("login ended before printing the address")
                .unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.starts_with("http://") {
                break line;
            }
        };
        // The listener is up once the wait is announced.
        for line in lines.by_ref() {
            let line = line.unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("waiting for the redirect") {
                break;
            }
        }
        let stderr = Arc::new(Mutex::new(seen));
        let rest = stderr.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut rest = rest.lock().unwrap();
                rest.push_str(&line);
                rest.push('\n');
            }
        });
        (child, url, stderr)
    }

    /// A whole login, the browser's part played by two GETs.
    fn login(&self) -> (Output, String) {
        let (child, url, stderr) = self.start_login();
        let (status, location, _) = get(&url);
        assert_eq!(status, 302);
        let (status, _, page) = get(&location.unwrap());
        assert_eq!(status, 200, "{page}");
        let output = child.wait_with_output().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let stderr = stderr.lock().unwrap().clone();
        (output, stderr)
    }

    fn entry(&self) -> TokenEntry {
        let key = entry_key("github", &self.connection).unwrap();
        FileStore::new(&self.store)
            .load(&key)
            .unwrap()
            .expect("an entry")
    }

    /// Every secret the site issued or knows, for leak checks.
    fn secrets(&self) -> Vec<String> {
        let auth = self.auth();
        let mut all = vec![CLIENT_SECRET.to_string()];
        for n in 1..=auth.issued {
            all.push(format!("gho_access_{n}"));
            all.push(format!("ghr_refresh_{n}"));
        }
        all
    }

    /// Fails when any secret is in `text`.
    fn assert_no_secret(&self, text: &str) {
        for secret in self.secrets() {
            assert!(!text.contains(&secret), "{secret} leaked into {text}");
        }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A GET with a new connection: status, `Location`, body.
fn get(url: &str) -> (u16, Option<String>, String) {
    let url = url::Url::parse(url).unwrap();
    let authority = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut stream = TcpStream::connect(&authority).unwrap();
    let target = &url[url::Position::BeforePath..];
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let location = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .map(str::to_string);
    (status, location, body.to_string())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn login_stores_the_tokens_privately_and_later_commands_use_them() {
    let site = Site::new("login", 3600);
    let (output, stderr) = site.login();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["logged-in"], "oauth2");
    assert_eq!(printed["refresh-token"], true);
    assert_eq!(printed["site"]["display-name"], "octocat");
    let entry = site.entry();
    assert_eq!(entry.grant, Grant::AuthorizationCode);
    assert_eq!(entry.access_token, "gho_access_1");
    assert_eq!(entry.refresh_token.as_deref(), Some("ghr_refresh_1"));
    assert_eq!(entry.site.as_deref(), Some("https://github.com/octocat"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&site.store).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the token store is mode {mode:o}");
    }
    // The connection file holds no token.
    let connection = std::fs::read_to_string(&site.connection).unwrap();
    site.assert_no_secret(&connection);

    let output = site.invoke();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("octocat"), "{stdout}");
    assert_eq!(site.auth().api_tokens, ["gho_access_1", "gho_access_1"]);
    assert_eq!(site.auth().grants, ["authorization_code"]);
    site.assert_no_secret(&format!("{stdout}{stderr}"));

    // A recorded HAR holds no token either.
    let har = site.dir.join("recorded.har");
    let output = site
        .command(&[
            "invoke",
            "get-authenticated-user",
            "--connection",
            site.connection(),
            "--record",
            har.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let recorded = std::fs::read_to_string(&har).unwrap();
    assert!(recorded.contains(r#""value": "REDACTED""#), "{recorded}");
    site.assert_no_secret(&recorded);

    // Logging out removes the entry; the next command says to log in.
    let output = site
        .command(&["logout", "--connection", site.connection()])
        .output()
        .unwrap();
    assert!(
        text(&output.stdout).contains(r#""removed": true"#),
        "{}",
        text(&output.stdout)
    );
    let output = site.invoke();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no OAuth tokens are stored")
            && stderr.contains("connector-host login --connection"),
        "{stderr}"
    );
}

#[test]
fn a_callback_with_another_state_is_refused_and_the_login_goes_on() {
    let site = Site::new("state", 3600);
    let (child, url, stderr) = site.start_login();
    let (_, location, _) = get(&url);
    let location = location.unwrap();
    let forged = location
        .replace("state=", "state=0")
        .replacen("code=", "code=forged", 1);
    let (status, _, page) = get(&forged);
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("state does not match"), "{page}");
    let (status, _, _) = get(&location);
    assert_eq!(status, 200);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr.lock().unwrap());
    // Only the genuine code was exchanged.
    assert_eq!(site.auth().grants, ["authorization_code"]);
    assert!(stderr.lock().unwrap().contains("state does not match"));
}

#[test]
fn a_token_about_to_expire_is_renewed_first_and_the_rotated_refresh_token_is_stored() {
    // Tokens that expire at once: the login's own check renews the first.
    let site = Site::new("expiry", 0);
    let (output, stderr) = site.login();
    assert!(output.status.success(), "{stderr}");
    assert_eq!(site.auth().grants, ["authorization_code", "refresh_token"]);
    site.auth().expires_in = 3600;
    let output = site.invoke();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let auth = site.auth();
    assert_eq!(
        auth.grants,
        ["authorization_code", "refresh_token", "refresh_token"]
    );
    // The API never saw an expiring token: only the renewed ones.
    assert_eq!(auth.api_tokens, ["gho_access_2", "gho_access_3"]);
    drop(auth);
    let entry = site.entry();
    assert_eq!(entry.refresh_token.as_deref(), Some("ghr_refresh_3"));
    assert!(entry.expires_at.unwrap() > entry.obtained_at + 3000);
}

#[test]
fn a_refused_token_is_renewed_once_and_the_call_runs_again() {
    let site = Site::new("refused", 3600);
    let (output, stderr) = site.login();
    assert!(output.status.success(), "{stderr}");
    // The service stops accepting the access token before its time.
    site.auth().access.clear();
    let output = site.invoke();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("octocat"));
    let auth = site.auth();
    assert_eq!(
        auth.api_tokens,
        ["gho_access_1", "gho_access_1", "gho_access_2"]
    );
    assert_eq!(auth.grants, ["authorization_code", "refresh_token"]);
    drop(auth);
    // A token refused again after the renewal is the call's error, not a loop.
    site.auth().access.clear();
    site.auth().refresh = None;
    let output = site.invoke();
    let stderr = text(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("log in again"), "{stderr}");
    assert_eq!(site.auth().grants.len(), 3, "{:?}", site.auth().grants);
    let output = site.invoke();
    assert!(text(&output.stderr).contains("log in again"));
    assert_eq!(
        site.auth().grants.len(),
        3,
        "a refused refresh token was sent again"
    );
    site.assert_no_secret(&format!("{stdout}{stderr}"));
}

#[test]
fn two_processes_renewing_at_once_send_one_refresh() {
    let site = Site::new("concurrent", 0);
    let (output, stderr) = site.login();
    assert!(output.status.success(), "{stderr}");
    // The login's check renewed once; make the stored token expire again, and
    // refuse any reuse of a rotated refresh token.
    site.auth().expires_in = 0;
    let output = site.invoke();
    assert!(output.status.success());
    site.auth().expires_in = 3600;
    let before = site.auth().grants.len();
    let children: Vec<_> = (0..2)
        .map(|_| {
            site.command(&[
                "invoke",
                "get-authenticated-user",
                "--connection",
                site.connection(),
                "--live",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let grants = site.auth().grants[before..].to_vec();
    assert_eq!(grants, ["refresh_token"], "one refresh for both processes");
}

#[test]
fn a_service_account_logs_in_with_client_credentials_and_gets_new_tokens_as_they_expire() {
    let site = Site::new("service", 0);
    let output = site
        .command(&[
            "login",
            "--connection",
            site.connection(),
            "--client-credentials",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert_eq!(site.entry().grant, Grant::ClientCredentials);
    assert!(site.entry().refresh_token.is_none());
    let output = site.invoke();
    assert!(output.status.success(), "{}", text(&output.stderr));
    // Each expired token was replaced by a new client-credentials grant.
    assert_eq!(site.auth().grants, SERVICE_ACCOUNT_GRANTS);
    site.assert_no_secret(&format!("{stdout}{stderr}{}", text(&output.stdout)));
    // Without the client secret, the flow says how to give it.
    let output = site
        .command(&[
            "login",
            "--connection",
            site.connection(),
            "--client-credentials",
        ])
        .env_remove("CONNECTOR_CLIENT_SECRET")
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--secret client-secret=") && stderr.contains("GITHUB_CLIENT_SECRET"),
        "{stderr}"
    );
}

/// A service account's token requests over a login and one call, when
/// every token expires at once: the login's, the check's, and the call's.
const SERVICE_ACCOUNT_GRANTS: [&str; 3] = [
    "client_credentials",
    "client_credentials",
    "client_credentials",
];

/// A store whose saves fail while `fail` is set: the process "crashed"
/// after the token endpoint answered and before the answer was stored.
struct Crashing {
    inner: FileStore,
    fail: AtomicBool,
    saves: AtomicUsize,
}

impl TokenStore for Crashing {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn load(&self, key: &str) -> anyhow::Result<Option<TokenEntry>> {
        self.inner.load(key)
    }
    fn save(&self, key: &str, entry: &TokenEntry) -> anyhow::Result<()> {
        self.saves.fetch_add(1, Ordering::Relaxed);
        if self.fail.load(Ordering::Relaxed) {
            anyhow::bail!("killed before the write");
        }
        self.inner.save(key, entry)
    }
    fn remove(&self, key: &str) -> anyhow::Result<bool> {
        self.inner.remove(key)
    }
    fn lock(&self, key: &str) -> anyhow::Result<Box<dyn Send>> {
        self.inner.lock(key)
    }
}

/// A site with a stored, expired entry whose refresh token is `ghr_seed`.
fn seeded(name: &str, reuse_window: Duration) -> (Site, String) {
    let site = Site::new(name, 3600);
    {
        let mut auth = site.auth();
        auth.refresh = Some("ghr_seed".into());
        auth.reuse_window = reuse_window;
    }
    let key = entry_key("github", &site.connection).unwrap();
    let entry = TokenEntry {
        grant: Grant::AuthorizationCode,
        access_token: "gho_seed".into(),
        refresh_token: Some("ghr_seed".into()),
        expires_at: Some(1),
        obtained_at: 0,
        scopes: vec!["repo".into()],
        token_url: format!("{}/token", site.server.origin()),
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.into()),
        site: None,
        needs_login: None,
    };
    FileStore::new(&site.store).save(&key, &entry).unwrap();
    (site, key)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The crash, then a fresh process (a new `Tokens` on the same file).
fn crash_then_renew(site: &Site, key: &str) -> anyhow::Result<String> {
    let crashing = Arc::new(Crashing {
        inner: FileStore::new(&site.store),
        fail: AtomicBool::new(true),
        saves: AtomicUsize::new(0),
    });
    let tokens = Tokens::new(crashing.clone(), key.to_string(), "log in".into());
    let error = block_on(tokens.access_token()).unwrap_err().to_string();
    assert!(
        error.contains("could not be stored") && error.contains("log in again"),
        "{error}"
    );
    assert_eq!(
        site.auth().grants,
        ["refresh_token"],
        "the service answered"
    );
    assert_eq!(
        site.entry().refresh_token.as_deref(),
        Some("ghr_seed"),
        "the answer was lost"
    );
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::new(&site.store));
    let tokens = Tokens::new(store, key.to_string(), "connector-host login".into());
    block_on(tokens.access_token())
}

#[test]
fn a_crash_before_the_refreshed_tokens_are_stored_ends_working_within_the_reuse_window() {
    let (site, key) = seeded("crash-window", Duration::from_secs(60));
    let token = crash_then_renew(&site, &key).unwrap();
    assert_eq!(token, "gho_access_2");
    assert_eq!(site.entry().refresh_token.as_deref(), Some("ghr_refresh_2"));
    assert_eq!(site.auth().grants, ["refresh_token", "refresh_token"]);
}

#[test]
fn a_crash_past_the_reuse_window_ends_in_one_clear_log_in_again() {
    let (site, key) = seeded("crash-late", Duration::ZERO);
    let error = crash_then_renew(&site, &key).unwrap_err().to_string();
    assert!(
        error.contains("invalid_grant")
            && error.contains("log in again with `connector-host login`"),
        "{error}"
    );
    assert!(site.entry().needs_login.is_some());
    // Later calls say the same at once, and send nothing.
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::new(&site.store));
    let tokens = Tokens::new(store, key.clone(), "connector-host login".into());
    let error = block_on(tokens.access_token()).unwrap_err().to_string();
    assert!(error.contains("log in again"), "{error}");
    assert_eq!(tokens.requests(), 0);
    assert_eq!(site.auth().grants.len(), 2, "{:?}", site.auth().grants);
    // Debug output of an entry shows no token.
    let shown = format!("{:?}", site.entry());
    assert!(
        !shown.contains("ghr_") && !shown.contains("gho_") && !shown.contains(CLIENT_SECRET),
        "{shown}"
    );
}

#[test]
fn the_store_keeps_one_entry_per_connection_and_survives_concurrent_saves() {
    let dir = std::env::temp_dir().join(format!("oauth-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Arc::new(FileStore::new(dir.join("nested").join("tokens.json")));
    let entry = |n: usize| TokenEntry {
        grant: Grant::ClientCredentials,
        access_token: format!("a{n}"),
        refresh_token: None,
        expires_at: None,
        obtained_at: n as u64,
        scopes: vec![],
        token_url: "https://t".into(),
        client_id: "c".into(),
        client_secret: None,
        site: None,
        needs_login: None,
    };
    let threads: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            std::thread::spawn(move || store.save(&format!("k{n}"), &entry(n)).unwrap())
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for n in 0..8 {
        assert_eq!(store.load(&format!("k{n}")).unwrap(), Some(entry(n)));
    }
    assert!(store.remove("k3").unwrap());
    assert!(!store.remove("k3").unwrap());
    assert_eq!(store.load("k3").unwrap(), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_confluence_oauth_connection_logs_in_the_same_way_and_its_check_resolves_the_site() {
    // The authorization server is the loopback one; the check's site lookup
    // (accessible-resources, then the current user) is replayed.
    let site = Site::new("confluence", 3600);
    let origin = site.server.origin();
    let mut values: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/connection.oauth2.json"
        ))
        .unwrap(),
    )
    .unwrap();
    values["values"]["authorize-url"] = json!(format!(
        "{origin}/authorize?audience=api.atlassian.com&prompt=consent"
    ));
    values["values"]["token-url"] = json!(format!("{origin}/token"));
    values["values"]["client-id"] = json!(CLIENT_ID);
    std::fs::write(&site.connection, values.to_string()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let har = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/oauth-check.har"
    );
    let mut command = cli::command(&[
        "login",
        "--connection",
        site.connection(),
        "--no-browser",
        "--redirect-uri",
        &redirect,
        "--replay",
        har,
    ]);
    let mut child = command
        .env(STORE_VARIABLE, &site.store)
        .env("CONFLUENCE_CLIENT_SECRET", CLIENT_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("http://"))
        .unwrap();
    assert!(
        url.contains("audience=api.atlassian.com") && url.contains("prompt=consent"),
        "{url}"
    );
    lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("waiting for the redirect"))
        .unwrap();
    let (_, location, _) = get(&url);
    assert_eq!(get(&location.unwrap()).0, 200);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let output = child.wait_with_output().unwrap();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", rest.join("\n"));
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["site"]["display-name"], "acme");
    assert_eq!(
        printed["site"]["store"]["cloud-id"],
        "1324a887-45db-1bf4-1e99-ef0ff456d421"
    );
    let key = entry_key("confluence", &site.connection).unwrap();
    let entry = FileStore::new(&site.store).load(&key).unwrap().unwrap();
    assert_eq!(entry.access_token, "gho_access_1");
    assert_eq!(entry.site.as_deref(), Some("https://acme.atlassian.net"));
    site.assert_no_secret(&format!("{stdout}{}", rest.join("\n")));
}

#[test]
fn an_mcp_server_renews_the_token_between_tool_calls_and_keeps_serving() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let site = Site::new("mcp", 3600);
    let (output, stderr) = site.login();
    assert!(output.status.success(), "{stderr}");
    let command = site.command(&["mcp", "--connection", site.connection(), "--live"]);
    let texts = block_on(async {
        let transport =
            rmcp::transport::TokioChildProcess::builder(tokio::process::Command::from(command))
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
                .0;
        let client = ().serve(transport).await.expect("the server initializes");
        let mut texts = Vec::new();
        for revoke in [false, true] {
            if revoke {
                // The service stops accepting the token between two calls.
                site.auth().access.clear();
            }
            let result = client
                .call_tool(CallToolRequestParams::new("get-authenticated-user"))
                .await
                .unwrap();
            assert_ne!(result.is_error, Some(true), "{result:?}");
            texts.push(format!("{result:?}"));
        }
        client.cancel().await.unwrap();
        texts
    });
    assert!(texts.iter().all(|t| t.contains("octocat")), "{texts:?}");
    let auth = site.auth();
    assert_eq!(auth.grants, ["authorization_code", "refresh_token"]);
    assert_eq!(
        auth.api_tokens,
        [
            "gho_access_1",
            "gho_access_1",
            "gho_access_1",
            "gho_access_2"
        ]
    );
    drop(auth);
    site.assert_no_secret(&texts.join(""));
}

#[test]
fn a_user_may_keep_the_tokens_in_the_os_keyring_instead_of_a_file() {
    let site = Site::new("keyring", 0);
    // Each command joins one named session keyring, as the processes of a
    // login session share theirs (a test runner may have none).
    let session =
        std::ffi::CString::new(format!("connector-host-test-{}", std::process::id())).unwrap();
    let keyring = |args: &[&str]| {
        let mut command = site.command(args);
        command
            .env(STORE_VARIABLE, "keyring")
            .env("XDG_CONFIG_HOME", site.dir.join("config-home"));
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::process::CommandExt;
            let name = session.as_ptr() as usize;
            // SAFETY: one system call between fork and exec, on memory
            // (`session`) that outlives the child's start.
            unsafe {
                command.pre_exec(move || {
                    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
                    if libc::syscall(libc::SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        command.output().unwrap()
    };
    let output = keyring(&[
        "login",
        "--connection",
        site.connection(),
        "--client-credentials",
    ]);
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(stdout.contains(r#""store": "the OS keyring""#), "{stdout}");
    // Renewed as the file store's entries are (the tokens expire at once).
    let invoke = [
        "invoke",
        "get-authenticated-user",
        "--connection",
        site.connection(),
        "--live",
    ];
    let output = keyring(&invoke);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(site.auth().grants, SERVICE_ACCOUNT_GRANTS);
    assert!(!site.store.exists(), "no token file was written");
    let output = keyring(&["logout", "--connection", site.connection()]);
    assert!(
        text(&output.stdout).contains(r#""removed": true"#),
        "{}",
        text(&output.stdout)
    );
    let output = keyring(&invoke);
    assert!(
        text(&output.stderr).contains("no OAuth tokens are stored"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn the_guest_is_answered_the_access_token_but_never_the_client_secret() {
    use host_test_harness::secrets::secret_keys;
    let definitions = crate::common::host().connection_definitions().unwrap();
    let keys = |key: &str| {
        let definition = definitions.iter().find(|d| d.key == key).unwrap();
        secret_keys(definition)
            .into_iter()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(keys("oauth2"), ["access-token"]);
    assert_eq!(keys("basic"), ["api-token"]);
    assert_eq!(keys("scoped-api-token"), ["api-token"]);
}
