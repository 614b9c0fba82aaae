//! The authenticated HTTP client every action goes through.
//!
//! It joins API paths to the connection's base, adds the credentials, refuses to
//! send them anywhere else, retries by [`RetryPolicy`], caps response bodies,
//! logs exchanges when the user asked for `debug` (credentials redacted), and
//! turns non-2xx answers into the contract's [`Error`] (by the [`Api`] it
//! talks to: a connector says how its service's errors read).

use crate::errors::{self, Error, UpstreamError};
use crate::paging::ListPage;
use crate::platform::{HttpRequest, HttpResponse, LogLevel, Method, Platform, TransportFailure};
use crate::retry::{self, Decision, Outcome, RetryPolicy};
use serde_json::Value;
use serde_json::value::RawValue;

/// The largest response body read, in bytes.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// How much of a body a debug log line shows.
const DEBUG_BODY_CHARS: usize = 4096;

/// The most redirects a GET follows.
pub const MAX_REDIRECTS: usize = 5;

/// The longest request address sent, in bytes. Most front ends refuse far
/// shorter ones; this only keeps an absurd input (a megabyte of CQL) from
/// travelling to the host at all.
pub const MAX_URL_BYTES: usize = 32 * 1024;

/// How much of a URL an error message or log line shows.
const SHOWN_URL_CHARS: usize = 300;

/// What differs between the services a [`Client`] talks to: their name in
/// messages, the headers they want on every request, how their error answers
/// read, and how their lists are paged (see [`crate::paging`]). Every method
/// has a default.
pub trait Api: Sync {
    /// The service's name, as messages put it (`{name} answered 500 ...`).
    fn name(&self) -> &str {
        "the service"
    }

    /// Headers (lower-case names) every request to the service carries, such
    /// as a `user-agent` or an API version; a header the request already has
    /// is kept as it is. None by default.
    fn headers(&self) -> &[(&'static str, &'static str)] {
        &[]
    }

    /// The contract's error for a final non-2xx answer to `method` `url`
    /// (its body with the credential scrubbed). The default maps the status
    /// and reads the usual body shapes ([`errors::from_status`]).
    fn error(
        &self,
        method: Method,
        url: &str,
        status: u16,
        body: &[u8],
        retry_after_secs: Option<u64>,
    ) -> Error {
        let _ = (method, url);
        errors::from_status(status, body, retry_after_secs)
    }

    /// The raw link to the page after this list answer, if any. The default
    /// reads the `Link` header's `rel="next"`.
    fn next_link(&self, response: &HttpResponse, body: &Value) -> Option<String> {
        let _ = body;
        response
            .header("link")
            .and_then(crate::paging::link_header_next)
    }

    /// Reads a list answer (its JSON text) into its items, each kept as the
    /// service sent it, and the rest; `None` when it holds no list. The
    /// default takes the `results` array ([`ListPage::of_field`]).
    fn items<'b>(&self, body: &'b str) -> Option<ListPage<'b>> {
        ListPage::of_field(body, "results")
    }

    /// The id of a list item (its JSON text), by which a walk sees a page it
    /// has read before. The default is its `id` ([`crate::paging::field_text`]).
    fn item_id(&self, item: &RawValue) -> Option<String> {
        crate::paging::field_text(item, &["id"])
    }
}

/// An [`Api`] with every default: a service with nothing special.
pub struct AnyService;

impl Api for AnyService {}

/// A client bound to one API base and one credential.
#[derive(Clone)]
pub struct Client<'p> {
    platform: &'p dyn Platform,
    api: &'p dyn Api,
    api_base: String,
    authorization: String,
    debug: bool,
    policy: RetryPolicy,
    max_body: usize,
    /// Time spent waiting before retries in this call, shared by the client's
    /// clones, against the policy's `wait_budget`.
    waited: std::rc::Rc<std::cell::Cell<std::time::Duration>>,
    /// The forms the credential takes in text (see [`credential_forms`]),
    /// scrubbed from error messages and debug logs made of what a server sent.
    credential_forms: std::rc::Rc<Vec<String>>,
}

impl<'p> Client<'p> {
    /// A client that sends `authorization` to URLs under `api_base` (an origin, or an
    /// origin plus a path prefix such as `https://gateway.example.com/ex/service/{id}`),
    /// reading errors as [`AnyService`] does until [`Client::with_api`].
    pub fn new(platform: &'p dyn Platform, api_base: &str, authorization: String) -> Self {
        Client {
            platform,
            api: &AnyService,
            api_base: api_base.trim_end_matches('/').to_string(),
            debug: false,
            policy: RetryPolicy::default(),
            max_body: MAX_RESPONSE_BYTES,
            waited: Default::default(),
            credential_forms: std::rc::Rc::new(credential_forms(&authorization)),
            authorization,
        }
    }

    /// Logs every request and response at debug level when `debug` is set.
    pub fn with_debug(mut self, debug: bool) -> Self {
        self.debug = debug;
        self
    }

    /// Reads answers as `api` says (its name in messages, its error bodies).
    pub fn with_api(mut self, api: &'p dyn Api) -> Self {
        self.api = api;
        self
    }

    /// Replaces the retry rules.
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The same client and credential bound to another base, such as a
    /// service's GraphQL gateway. Only ever called with a base the
    /// connector itself chose, never one from input or a response.
    pub fn rebased(&self, api_base: &str) -> Client<'p> {
        Client {
            api_base: api_base.trim_end_matches('/').to_string(),
            ..self.clone()
        }
    }

    /// How this client reads its service's answers.
    pub fn api(&self) -> &'p dyn Api {
        self.api
    }

    /// The base every API path is joined to.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The platform this client sends through.
    pub fn platform(&self) -> &'p dyn Platform {
        self.platform
    }

    /// The absolute URL of `path` (which starts with `/wiki/...`) with `query` appended.
    pub fn url(&self, path: &str, query: &[(String, String)]) -> String {
        with_query(&format!("{}{}", self.api_base, path), query)
    }

    /// Whether `url` lies under this client's API base, so the credential may go with it.
    ///
    /// The text must start with the base, and so must the URL the platform
    /// actually sends: `url::Url` resolves `.` and `..` segments (also
    /// percent-encoded), so `{base}/../x` would otherwise leave a base that has
    /// a path, such as a gateway's `/ex/service/{id}`.
    pub fn owns(&self, url: &str) -> bool {
        let under = |text: &str| {
            text.strip_prefix(&self.api_base).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')
            })
        };
        under(url) && url::Url::parse(url).is_ok_and(|parsed| under(parsed.as_str()))
    }

    /// Sends a request with an optional JSON body; a non-2xx answer becomes an [`Error`].
    pub fn send_json(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<HttpResponse, Error> {
        let mut headers = vec![("accept".to_string(), "application/json".to_string())];
        let body = body.map(|value| {
            headers.push(("content-type".to_string(), "application/json".to_string()));
            value.to_string().into_bytes()
        });
        self.send(HttpRequest {
            method,
            url: url.to_string(),
            headers,
            body,
            timeout: None,
        })
    }

    /// GETs `url` and parses the answer as JSON.
    pub fn get_json(&self, url: &str) -> Result<(HttpResponse, Value), Error> {
        let response = self.send_json(Method::Get, url, None)?;
        let json = self.parse_json(&response)?;
        Ok((response, json))
    }

    /// Sends `request` with the credential, retrying as the policy allows; a non-2xx
    /// final answer becomes an [`Error`].
    ///
    /// A GET answered with a redirect follows it (at most [`MAX_REDIRECTS`] times):
    /// with the credential while the target stays under the API base, without it
    /// once the target leaves (as a download's redirect to a media service
    /// does), and never back to the credential after that.
    pub fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, Error> {
        if !self.owns(&request.url) {
            return Err(Error::InvalidInput(errors::FieldError {
                field: "url".to_string(),
                message: format!(
                    "refused to send the connection's credentials to `{}`: only addresses under {} are allowed",
                    request.url, self.api_base
                ),
            }));
        }
        if request.url.len() > MAX_URL_BYTES {
            return Err(errors::invalid_input(
                "input",
                format!(
                    "the request's address would be {} bytes ({}); the limit is {} KiB: shorten the inputs that go into it, such as a CQL query or a list of ids",
                    request.url.len(),
                    redact_query(&request.url),
                    MAX_URL_BYTES / 1024
                ),
            ));
        }
        let mut credentials = true;
        for hop in 0..=MAX_REDIRECTS {
            let response = self.attempt(&request, credentials)?;
            let Some(location) = redirect_target(&request, &response) else {
                return Ok(response);
            };
            if hop == MAX_REDIRECTS {
                break;
            }
            let next = url::Url::parse(&request.url)
                .and_then(|base| base.join(location))
                .ok()
                .filter(|u| {
                    matches!(u.scheme(), "https" | "http")
                        && u.username().is_empty()
                        && u.password().is_none()
                })
                .ok_or_else(|| {
                    Error::Upstream(UpstreamError {
                        status: response.status,
                        message: format!(
                            "{} redirected to an address that cannot be followed: {location}",
                            self.api.name()
                        ),
                    })
                })?;
            credentials = credentials && self.owns(next.as_str());
            if !credentials {
                self.platform.log(
                    LogLevel::Info,
                    &format!(
                        "following a redirect to {} without the connection's credentials",
                        next.host_str().unwrap_or_default()
                    ),
                );
            }
            request = HttpRequest {
                url: next.into(),
                body: None,
                ..request
            };
        }
        Err(Error::Upstream(UpstreamError {
            status: 0,
            message: format!(
                "more than {MAX_REDIRECTS} redirects for {}",
                redact_query(&request.url)
            ),
        }))
    }

    /// One request with its retries: a 2xx answer, a redirect [`Client::send`] may
    /// follow, or the error the last answer maps to.
    fn attempt(&self, request: &HttpRequest, credentials: bool) -> Result<HttpResponse, Error> {
        let mut request = request.clone();
        for (name, value) in self.api.headers() {
            if !request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                request.headers.push((name.to_string(), value.to_string()));
            }
        }
        if credentials {
            request
                .headers
                .push(("authorization".to_string(), self.authorization.clone()));
        }
        let mut attempt = 0;
        loop {
            self.log_request(&request, attempt);
            let result = self.platform.send(&request, self.max_body);
            let (outcome, failure) = match result {
                Ok(response) => {
                    self.log_response(&response);
                    if (200..300).contains(&response.status)
                        || redirect_target(&request, &response).is_some()
                    {
                        return Ok(response);
                    }
                    let retry_after = response
                        .header("retry-after")
                        .and_then(|v| retry::parse_retry_after(v, self.platform.now_unix_secs()));
                    (Outcome::Status(response.status, retry_after), Err(response))
                }
                Err(TransportFailure::BodyTooLarge(limit)) => {
                    return Err(Error::Upstream(UpstreamError {
                        status: 0,
                        message: format!(
                            "the response to {} {} is larger than the connector's limit of {} MiB",
                            request.method.as_str(),
                            redact_query(&request.url),
                            limit / (1024 * 1024)
                        ),
                    }));
                }
                Err(TransportFailure::Refused(reason)) => {
                    return Err(Error::Transport(format!(
                        "{} {}: {reason}",
                        request.method.as_str(),
                        redact_query(&request.url)
                    )));
                }
                Err(TransportFailure::Failed(reason)) => (Outcome::Transport, Ok(reason)),
            };
            let decision = match self.policy.decide(
                request.method,
                attempt,
                outcome,
                self.platform.random_u64(),
            ) {
                // A wait that does not fit what is left of the call's budget
                // ends the call now, as the error the answer maps to, instead
                // of running into the host's time limit.
                Decision::RetryAfter(wait)
                    if self.waited.get() + wait > self.policy.wait_budget =>
                {
                    self.platform.log(
                        LogLevel::Info,
                        &format!(
                            "{} {} failed ({}); not retrying: a wait of {} ms would pass the call's retry budget of {} s",
                            request.method.as_str(),
                            redact_query(&request.url),
                            describe(&outcome),
                            wait.as_millis(),
                            self.policy.wait_budget.as_secs()
                        ),
                    );
                    Decision::GiveUp
                }
                decision => decision,
            };
            match decision {
                Decision::RetryAfter(wait) => {
                    self.waited.set(self.waited.get() + wait);
                    self.platform.log(
                        LogLevel::Info,
                        &format!(
                            "{} {} failed ({}); retry {} of {} in {} ms",
                            request.method.as_str(),
                            redact_query(&request.url),
                            describe(&outcome),
                            attempt + 1,
                            self.policy.max_retries,
                            wait.as_millis()
                        ),
                    );
                    self.platform.sleep(wait);
                    attempt += 1;
                }
                Decision::GiveUp => {
                    return Err(match failure {
                        Err(response) => {
                            let retry_after = match outcome {
                                Outcome::Status(_, secs) => {
                                    secs.map(|s| s.min(retry::MAX_REPORTED_RETRY_AFTER_SECS))
                                }
                                Outcome::Transport => None,
                            };
                            // A server may quote the request's credential back.
                            let body = self.scrub(&String::from_utf8_lossy(&response.body));
                            self.api.error(
                                request.method,
                                &request.url,
                                response.status,
                                body.as_bytes(),
                                retry_after,
                            )
                        }
                        Ok(reason) => Error::Transport(format!(
                            "{} {}: {reason}",
                            request.method.as_str(),
                            redact_query(&request.url)
                        )),
                    });
                }
            }
        }
    }

    /// `text` with every form of the credential replaced by `REDACTED`.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for form in self.credential_forms.iter() {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), "REDACTED");
            }
        }
        text
    }

    /// A URL as a debug log may show it: whole under the API base; elsewhere
    /// without its query, which may carry a token (as a media download link does).
    fn loggable(&self, url: &str) -> String {
        if self.owns(url) || (url.starts_with('/') && !url.starts_with("//")) {
            url.to_string()
        } else {
            redact_query(url)
        }
    }

    fn log_request(&self, request: &HttpRequest, attempt: u32) {
        if !self.debug {
            return;
        }
        let mut text = format!(
            "request (attempt {}): {} {}\n",
            attempt + 1,
            request.method.as_str(),
            self.loggable(&request.url)
        );
        for (name, value) in &request.headers {
            let shown = if name.eq_ignore_ascii_case("authorization") {
                "REDACTED"
            } else {
                value
            };
            text.push_str(&format!("{name}: {shown}\n"));
        }
        if let Some(body) = &request.body {
            text.push('\n');
            text.push_str(&preview(body));
        }
        self.platform.log(LogLevel::Debug, &text);
    }

    fn log_response(&self, response: &HttpResponse) {
        if !self.debug {
            return;
        }
        let mut text = format!("response: {}\n", response.status);
        for (name, value) in &response.headers {
            let shown = if name.eq_ignore_ascii_case("location") {
                self.loggable(value)
            } else {
                value.clone()
            };
            text.push_str(&format!("{name}: {}\n", self.scrub(&shown)));
        }
        text.push('\n');
        text.push_str(&self.scrub(&preview(&response.body)));
        self.platform.log(LogLevel::Debug, &text);
    }
}

/// `url` with `query` form-encoded and appended.
pub fn with_query(url: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return url.to_string();
    }
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}{encoded}")
}

/// The `Location` of a redirect answer to a GET, which [`Client::send`] follows.
fn redirect_target<'r>(request: &HttpRequest, response: &'r HttpResponse) -> Option<&'r str> {
    (request.method == Method::Get && matches!(response.status, 301 | 302 | 303 | 307 | 308))
        .then(|| response.header("location"))
        .flatten()
        .filter(|l| !l.trim().is_empty())
}

impl Client<'_> {
    /// Parses a 2xx body as JSON; an answer that is not JSON is an upstream
    /// error naming the service.
    pub fn parse_json(&self, response: &HttpResponse) -> Result<Value, Error> {
        parse_json_from(self.api.name(), response)
    }
}

/// Parses a 2xx body of `service` as JSON; an answer that is not JSON is an
/// upstream error.
pub fn parse_json_from(service: &str, response: &HttpResponse) -> Result<Value, Error> {
    serde_json::from_slice(&response.body).map_err(|e| {
        let text = String::from_utf8_lossy(&response.body);
        let start: String = text.trim().chars().take(120).collect();
        Error::Upstream(UpstreamError {
            status: response.status,
            message: format!("{service} answered {} with a body that is not valid JSON ({e}); it begins: {start}", response.status),
        })
    })
}

/// The first [`DEBUG_BODY_CHARS`] characters of a body, for a log line.
fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match crate::text::head(&text, DEBUG_BODY_CHARS) {
        Some(head) => format!("{head}… ({} bytes in all)", body.len()),
        None => text.into_owned(),
    }
}

/// A URL without its query, for messages that should not echo user data.
fn redact_query(url: &str) -> String {
    let path = url.split_once('?').map_or(url, |(path, _)| path);
    match crate::text::head(path, SHOWN_URL_CHARS) {
        Some(head) => format!("{head}… ({} bytes)", path.len()),
        None => path.to_string(),
    }
}

/// Every form the credential of an `Authorization` value can take in text a
/// server sends back: the whole value, the part after its scheme, and for
/// Basic the decoded `email:token`, the token alone, and `email:token`
/// percent-encoded. Forms shorter than 8 characters are left out, so that a
/// scrub cannot turn ordinary text into noise.
fn credential_forms(authorization: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut forms = vec![authorization.to_string()];
    if let Some((scheme, credential)) = authorization.split_once(' ') {
        forms.push(credential.to_string());
        if scheme.eq_ignore_ascii_case("basic")
            && let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credential)
            && let Ok(pair) = String::from_utf8(decoded)
        {
            if let Some((_, token)) = pair.split_once(':') {
                forms.push(token.to_string());
            }
            forms.push(pair.replace(':', "%3A"));
            forms.push(pair);
        }
    }
    forms.retain(|f| f.len() >= 8);
    // Longest first, so a form containing another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// A short description of an outcome for the retry log line.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Status(status, Some(secs)) => format!("HTTP {status}, Retry-After {secs}"),
        Outcome::Status(status, None) => format!("HTTP {status}"),
        Outcome::Transport => "no response".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ScriptedPlatform;
    use std::time::Duration;

    fn ok(status: u16, body: &str) -> Result<HttpResponse, TransportFailure> {
        Ok(HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        })
    }

    fn with_retry_after(status: u16, value: &str) -> Result<HttpResponse, TransportFailure> {
        Ok(HttpResponse {
            status,
            headers: vec![("retry-after".into(), value.into())],
            body: b"{\"message\":\"slow down\"}".to_vec(),
        })
    }

    #[test]
    fn adds_credentials_and_returns_success() {
        let platform = ScriptedPlatform::new(vec![ok(200, "{\"a\":1}")]);
        let client = Client::new(&platform, "https://acme.example.com", "Basic abc".into());
        let (_, json) = client
            .get_json(&client.url("/wiki/api/v2/spaces", &[("limit".into(), "2".into())]))
            .unwrap();
        assert_eq!(json["a"], 1);
        let sent = platform.sent();
        assert_eq!(
            sent[0].url,
            "https://acme.example.com/wiki/api/v2/spaces?limit=2"
        );
        assert!(
            sent[0]
                .headers
                .contains(&("authorization".into(), "Basic abc".into()))
        );
    }

    #[test]
    fn every_request_carries_the_services_headers_unless_it_set_them() {
        struct Versioned;
        impl Api for Versioned {
            fn headers(&self) -> &[(&'static str, &'static str)] {
                &[
                    ("user-agent", "sdk-test"),
                    ("accept", "application/vnd.test+json"),
                ]
            }
        }
        let platform = ScriptedPlatform::new(vec![ok(200, "{}")]);
        let client = Client::new(&platform, "https://api.example.com", "Basic abc".into())
            .with_api(&Versioned);
        client.get_json("https://api.example.com/user").unwrap();
        let headers = &platform.sent()[0].headers;
        assert!(
            headers.contains(&("user-agent".into(), "sdk-test".into())),
            "{headers:?}"
        );
        let accepts: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n == "accept")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            accepts,
            ["application/json"],
            "the request's own accept is kept"
        );
    }

    #[test]
    fn never_sends_credentials_elsewhere() {
        let platform = ScriptedPlatform::new(vec![]);
        let client = Client::new(&platform, "https://acme.example.com", "Basic abc".into());
        for url in [
            "https://evil.example/wiki",
            "https://acme.example.com.evil.example/wiki",
            "https://acme.example.com@evil.example/",
            "http://acme.example.com/wiki",
        ] {
            assert!(
                matches!(
                    client.send_json(Method::Get, url, None),
                    Err(Error::InvalidInput(_))
                ),
                "{url}"
            );
        }
        assert!(platform.sent().is_empty());
    }

    #[test]
    fn dot_segments_cannot_leave_a_base_with_a_path() {
        // Found by fuzzing (fuzz target `responses`): `{base}/..` passed the
        // prefix test, but the URL sent is `/ex/service/`, outside the site.
        let platform = ScriptedPlatform::new(vec![]);
        let gateway = Client::new(
            &platform,
            "https://gateway.example.com/ex/service/c1",
            "Bearer t".into(),
        );
        for url in [
            "https://gateway.example.com/ex/service/c1/..",
            "https://gateway.example.com/ex/service/c1/../c2/wiki/api/v2/pages",
            "https://gateway.example.com/ex/service/c1/%2E./%2e%2e/oauth/token",
            "https://gateway.example.com/ex/service/c1/wiki/../../../me",
        ] {
            assert!(!gateway.owns(url), "{url}");
        }
        assert!(gateway.owns("https://gateway.example.com/ex/service/c1/wiki/../wiki/x"));
        assert!(gateway.owns("https://gateway.example.com/ex/service/c1/wiki/a..b?q=/.."));
        let site = Client::new(&platform, "https://acme.example.com", "x".into());
        assert!(site.owns("https://acme.example.com/../wiki"));
        assert!(site.owns("https://acme.example.com"));
    }

    #[test]
    fn retries_429_with_retry_after_then_succeeds() {
        let platform = ScriptedPlatform::new(vec![with_retry_after(429, "2"), ok(200, "{}")]);
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        client
            .send_json(
                Method::Post,
                "https://a.example.com/wiki/api/v2/pages",
                Some(&Value::Null),
            )
            .unwrap();
        assert_eq!(platform.sleeps(), vec![Duration::from_secs(2)]);
        assert_eq!(platform.sent().len(), 2);
    }

    #[test]
    fn gives_up_after_bounded_retries() {
        let platform = ScriptedPlatform::new((0..10).map(|_| with_retry_after(503, "1")).collect());
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client
            .send_json(Method::Get, "https://a.example.com/wiki/x", None)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Upstream(UpstreamError { status: 503, .. })
        ));
        assert_eq!(platform.sent().len(), 5);
    }

    #[test]
    fn reports_clamped_retry_after_when_429_persists() {
        let platform = ScriptedPlatform::new(
            (0..10)
                .map(|_| with_retry_after(429, "9223372036854775807"))
                .collect(),
        );
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client
            .send_json(Method::Get, "https://a.example.com/wiki/x", None)
            .unwrap_err();
        match err {
            Error::RateLimited(limit) => {
                assert_eq!(limit.retry_after_seconds, Some(3600));
                assert_eq!(limit.message, "slow down");
            }
            other => panic!("{other:?}"),
        }
        // A wait that long cannot fit the call's retry budget: no wait at all.
        assert!(platform.sleeps().is_empty(), "{:?}", platform.sleeps());
        assert_eq!(platform.sent().len(), 1);
    }

    #[test]
    fn a_wait_that_does_not_fit_the_budget_ends_the_call_as_rate_limited() {
        // Retry-After 15 s, again and again: one wait fits the 20 s budget,
        // a second would not, so the call ends after ~15 s instead of
        // waiting 4 × 15 s into the host's time limit.
        let platform =
            ScriptedPlatform::new((0..10).map(|_| with_retry_after(429, "15")).collect());
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client
            .send_json(Method::Get, "https://a.example.com/wiki/x", None)
            .unwrap_err();
        assert!(
            matches!(&err, Error::RateLimited(l) if l.retry_after_seconds == Some(15)),
            "{err:?}"
        );
        assert_eq!(platform.sleeps(), vec![Duration::from_secs(15)]);
        // The budget is the call's, across requests and the client's clones.
        let again = client
            .rebased("https://a.example.com")
            .send_json(Method::Get, "https://a.example.com/wiki/y", None)
            .unwrap_err();
        assert!(matches!(again, Error::RateLimited(_)), "{again:?}");
        assert_eq!(platform.sleeps().len(), 1);
    }

    #[test]
    fn a_credential_a_server_quotes_back_is_scrubbed_from_errors_and_logs() {
        use base64::Engine as _;
        let pair = "jane@acme.com:s3cret-token-value";
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        );
        let echo = format!(
            "{{\"message\":\"bad credential {header} for jane@acme.com%3As3cret-token-value ({pair}); token s3cret-token-value\"}}"
        );
        let platform = ScriptedPlatform::new(vec![Ok(HttpResponse {
            status: 401,
            headers: vec![("x-echo".into(), header.clone())],
            body: echo.into_bytes(),
        })]);
        let client =
            Client::new(&platform, "https://a.example.com", header.clone()).with_debug(true);
        let err = client
            .send_json(Method::Get, "https://a.example.com/wiki/x", None)
            .unwrap_err();
        let Error::Unauthorized(message) = &err else {
            panic!("{err:?}")
        };
        let logs = platform.logs().join("\n");
        for text in [message.as_str(), logs.as_str()] {
            assert!(!text.contains("s3cret-token-value"), "{text}");
            assert!(!text.contains(header.split_once(' ').unwrap().1), "{text}");
        }
        assert!(message.contains("bad credential REDACTED"), "{message}");
    }

    #[test]
    fn a_host_refusal_is_not_retried() {
        let platform = ScriptedPlatform::new(vec![
            Err(TransportFailure::Refused(
                "the host refused the request: its address is over the host's limit".into(),
            )),
            ok(200, "{}"),
        ]);
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client
            .send_json(Method::Get, "https://a.example.com/wiki/x", None)
            .unwrap_err();
        assert!(
            matches!(&err, Error::Transport(m) if m.contains("limit")),
            "{err:?}"
        );
        assert_eq!(platform.sent().len(), 1);
    }

    #[test]
    fn an_address_over_the_limit_is_refused_before_sending_and_not_echoed_whole() {
        let platform = ScriptedPlatform::new(vec![]);
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let url = format!("https://a.example.com/wiki/{}", "é".repeat(5 * 1024 * 1024));
        let err = client.send_json(Method::Get, &url, None).unwrap_err();
        match &err {
            Error::InvalidInput(f) => {
                assert!(f.message.contains("32 KiB"), "{}", f.message);
                assert!(f.message.len() < 2000, "{} bytes", f.message.len());
            }
            other => panic!("{other:?}"),
        }
        assert!(platform.sent().is_empty());
    }

    #[test]
    fn a_create_is_never_repeated_after_a_server_error() {
        let platform = ScriptedPlatform::new(vec![ok(500, "boom"), ok(200, "{}")]);
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client
            .send_json(
                Method::Post,
                "https://a.example.com/wiki/api/v2/pages",
                None,
            )
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Upstream(UpstreamError { status: 500, .. })
        ));
        assert_eq!(platform.sent().len(), 1);
    }

    #[test]
    fn transport_failures_are_retried_for_reads() {
        let platform = ScriptedPlatform::new(vec![
            Err(TransportFailure::Failed("connection reset".into())),
            ok(200, "{}"),
        ]);
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        client.get_json("https://a.example.com/wiki/x").unwrap();
        assert_eq!(platform.sent().len(), 2);
    }

    #[test]
    fn malformed_json_is_an_upstream_error() {
        let platform = ScriptedPlatform::new(vec![ok(200, "<html>login</html>")]);
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client.get_json("https://a.example.com/wiki/x").unwrap_err();
        assert!(
            matches!(err, Error::Upstream(e) if e.message.contains("not valid JSON") && e.message.contains("<html>"))
        );
    }

    #[test]
    fn debug_logs_redact_authorization() {
        let platform = ScriptedPlatform::new(vec![ok(200, "{}")]);
        let client = Client::new(&platform, "https://a.example.com", "Basic c2VjcmV0".into())
            .with_debug(true);
        client.get_json("https://a.example.com/wiki/x").unwrap();
        let logs = platform.logs().join("\n");
        assert!(logs.contains("authorization: REDACTED"));
        assert!(!logs.contains("c2VjcmV0"));
    }

    #[test]
    fn a_redirect_off_the_site_is_followed_without_credentials_or_logged_tokens() {
        let platform = ScriptedPlatform::new(vec![
            Ok(HttpResponse {
                status: 302,
                headers: vec![(
                    "location".into(),
                    "https://media.example.com/file/f1/binary?token=media-secret".into(),
                )],
                body: vec![],
            }),
            ok(200, "bytes"),
        ]);
        let client =
            Client::new(&platform, "https://a.example.com", "Basic abc".into()).with_debug(true);
        let response = client
            .send_json(Method::Get, "https://a.example.com/wiki/download/x", None)
            .unwrap();
        assert_eq!(response.body, b"bytes");
        let sent = platform.sent();
        assert!(sent[0].headers.iter().any(|(n, _)| n == "authorization"));
        assert!(!sent[1].headers.iter().any(|(n, _)| n == "authorization"));
        assert_eq!(
            sent[1].url,
            "https://media.example.com/file/f1/binary?token=media-secret"
        );
        assert!(platform.logs().iter().all(|l| !l.contains("media-secret")));
    }

    #[test]
    fn redirects_are_bounded_and_writes_are_not_redirected() {
        let hop = || {
            Ok(HttpResponse {
                status: 302,
                headers: vec![("location".into(), "/wiki/again".into())],
                body: vec![],
            })
        };
        let platform = ScriptedPlatform::new((0..10).map(|_| hop()).collect());
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client
            .send_json(Method::Get, "https://a.example.com/wiki/x", None)
            .unwrap_err();
        assert!(
            matches!(&err, Error::Upstream(e) if e.message.contains("redirects")),
            "{err:?}"
        );
        assert_eq!(platform.sent().len(), MAX_REDIRECTS + 1);
        assert!(
            platform
                .sent()
                .iter()
                .all(|r| r.headers.iter().any(|(n, _)| n == "authorization"))
        );

        let platform = ScriptedPlatform::new(vec![hop()]);
        let client = Client::new(&platform, "https://a.example.com", "x".into());
        let err = client
            .send_json(
                Method::Post,
                "https://a.example.com/wiki/x",
                Some(&Value::Null),
            )
            .unwrap_err();
        assert!(
            matches!(&err, Error::Upstream(e) if e.status == 302),
            "{err:?}"
        );
        assert_eq!(platform.sent().len(), 1);
    }
}
