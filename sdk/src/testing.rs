//! A [`Platform`] that answers from a script, for native unit tests.

use crate::platform::{HttpRequest, HttpResponse, LogLevel, Platform, TransportFailure};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Answers each request with the next scripted result and records what happened.
pub struct ScriptedPlatform {
    answers: RefCell<VecDeque<Result<HttpResponse, TransportFailure>>>,
    sent: RefCell<Vec<HttpRequest>>,
    sleeps: RefCell<Vec<Duration>>,
    logs: RefCell<Vec<String>>,
    secrets: HashMap<String, String>,
}

impl ScriptedPlatform {
    /// A platform that gives `answers` in order and fails once they run out.
    pub fn new(answers: Vec<Result<HttpResponse, TransportFailure>>) -> Self {
        ScriptedPlatform {
            answers: RefCell::new(answers.into()),
            sent: RefCell::default(),
            sleeps: RefCell::default(),
            logs: RefCell::default(),
            secrets: HashMap::new(),
        }
    }

    /// Adds a secret the platform answers.
    pub fn with_secret(mut self, key: &str, value: &str) -> Self {
        self.secrets.insert(key.to_string(), value.to_string());
        self
    }

    /// A 200 answer with a JSON body.
    pub fn json(body: &str) -> Result<HttpResponse, TransportFailure> {
        Ok(HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        })
    }

    /// The requests sent so far.
    pub fn sent(&self) -> Vec<HttpRequest> {
        self.sent.borrow().clone()
    }

    /// The waits asked for so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.borrow().clone()
    }

    /// The log lines so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.borrow().clone()
    }
}

impl Platform for ScriptedPlatform {
    fn send(
        &self,
        request: &HttpRequest,
        _max_body: usize,
    ) -> Result<HttpResponse, TransportFailure> {
        self.sent.borrow_mut().push(request.clone());
        self.answers.borrow_mut().pop_front().unwrap_or_else(|| {
            Err(TransportFailure::Failed(format!(
                "script has no answer for {}",
                request.url
            )))
        })
    }

    fn sleep(&self, duration: Duration) {
        self.sleeps.borrow_mut().push(duration);
    }

    fn random_u64(&self) -> u64 {
        4
    }

    fn now_unix_secs(&self) -> u64 {
        1_700_000_000
    }

    fn log(&self, _level: LogLevel, message: &str) {
        self.logs.borrow_mut().push(message.to_string());
    }

    fn secret(&self, key: &str) -> Option<String> {
        self.secrets.get(key).cloned()
    }
}
