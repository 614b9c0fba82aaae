//! The `wasi:logging` lines a call wrote, kept in its outcome.

use crate::bindings::LogLevel;
use serde::Serialize;

/// One `wasi:logging/logging.log` call as the guest wrote it, with every
/// form of every secret redacted by the host (a debug log may show what a
/// site sent, and a site may reflect the credential). `Outcome::redactions`
/// says whether anything was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// `trace`, `debug`, `info`, `warn`, `error` or `critical`.
    pub level: String,
    /// The guest's context string (often empty).
    pub context: String,
    /// The message.
    pub message: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}: {}", self.level, self.context, self.message)
    }
}

/// The lower-case WIT name of a level.
pub fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
        LogLevel::Critical => "critical",
    }
}
