//! When to try a request again, and how long to wait first.
//!
//! 429 answers are retried for every method: the service did not act on the request.
//! 503 answers, other 5xx answers and transport failures are retried only for
//! idempotent methods, so a retry never repeats a create. A `Retry-After` header
//! (seconds or an HTTP date) is honoured but clamped; without one the wait is an
//! exponential backoff with jitter.

use crate::platform::Method;
use std::time::Duration;

/// The retry rules of one client.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff step.
    pub base_delay: Duration,
    /// The longest backoff step.
    pub max_backoff: Duration,
    /// The longest wait a `Retry-After` may impose before a retry.
    pub max_retry_after: Duration,
    /// Retry server errors and transport failures of non-idempotent methods too
    /// (only when the user asked for it, as Raw Request's retry inputs do).
    pub retry_writes: bool,
    /// Retry every non-2xx answer, not only 429 and 5xx.
    pub retry_all_errors: bool,
    /// Wait this long between retries instead of the exponential backoff
    /// (a `Retry-After` still wins).
    pub fixed_delay: Option<Duration>,
    /// The most a whole call waits before retries, all requests together: a
    /// wait that would pass it ends the call at once (a 429 as `rate-limited`
    /// with the server's Retry-After), well inside a host's usual time limit
    /// (60 s in connector-host), so the caller gets the wait, not a time-out.
    pub wait_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(30),
            retry_writes: false,
            retry_all_errors: false,
            fixed_delay: None,
            wait_budget: DEFAULT_WAIT_BUDGET,
        }
    }
}

/// The default [`RetryPolicy::wait_budget`].
pub const DEFAULT_WAIT_BUDGET: Duration = Duration::from_secs(20);

/// The `Retry-After` reported in a `rate-limited` error is clamped to this.
pub const MAX_REPORTED_RETRY_AFTER_SECS: u64 = 3600;

/// What to do after an attempt that did not succeed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// Wait this long, then send again.
    RetryAfter(Duration),
    /// Give up and report the failure.
    GiveUp,
}

/// What an attempt ended with, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// An HTTP status that is not a success, with its `Retry-After` in seconds if any.
    Status(u16, Option<u64>),
    /// No response at all.
    Transport,
}

impl RetryPolicy {
    /// Decides about attempt number `attempt` (0 for the first) that ended with `outcome`.
    ///
    /// `random` supplies the jitter.
    pub fn decide(&self, method: Method, attempt: u32, outcome: Outcome, random: u64) -> Decision {
        if attempt >= self.max_retries {
            return Decision::GiveUp;
        }
        let repeatable = method.is_idempotent() || self.retry_writes;
        let retryable = match outcome {
            Outcome::Status(429, _) => true,
            Outcome::Status(500..=599, _) | Outcome::Transport => repeatable,
            Outcome::Status(..) => self.retry_all_errors && repeatable,
        };
        if !retryable {
            return Decision::GiveUp;
        }
        match outcome {
            Outcome::Status(_, Some(secs)) => {
                Decision::RetryAfter(Duration::from_secs(secs).min(self.max_retry_after))
            }
            _ => Decision::RetryAfter(
                self.fixed_delay
                    .unwrap_or_else(|| self.backoff(attempt, random)),
            ),
        }
    }

    /// Exponential backoff with "equal jitter": half the step fixed, half random.
    pub fn backoff(&self, attempt: u32, random: u64) -> Duration {
        let step = self
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_backoff);
        let half = step / 2;
        let half_ms = half.as_millis() as u64;
        let jitter = if half_ms == 0 {
            0
        } else {
            random % (half_ms + 1)
        };
        half + Duration::from_millis(jitter)
    }
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date, relative to `now_unix_secs`.
///
/// Garbage gives `None`; an absurd number saturates rather than overflowing.
pub fn parse_retry_after(value: &str, now_unix_secs: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<u64>().unwrap_or(u64::MAX));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    let when_secs = when
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Some(when_secs.saturating_sub(now_unix_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("0", 0), Some(0));
        assert_eq!(parse_retry_after(" 12 ", 0), Some(12));
        assert_eq!(
            parse_retry_after("9223372036854775807", 0),
            Some(9223372036854775807)
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", 0),
            Some(u64::MAX)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("-5", 0), None);
        assert_eq!(parse_retry_after("", 0), None);
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770),
            Some(7)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111999),
            Some(0)
        );
    }

    #[test]
    fn huge_retry_after_is_clamped() {
        let policy = RetryPolicy::default();
        let decision = policy.decide(Method::Get, 0, Outcome::Status(429, Some(u64::MAX)), 0);
        assert_eq!(decision, Decision::RetryAfter(Duration::from_secs(30)));
    }

    #[test]
    fn writes_are_retried_only_on_429() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(Method::Post, 0, Outcome::Status(503, Some(1)), 0),
            Decision::GiveUp
        );
        assert_eq!(
            policy.decide(Method::Post, 0, Outcome::Transport, 0),
            Decision::GiveUp
        );
        assert_eq!(
            policy.decide(Method::Post, 0, Outcome::Status(429, Some(1)), 0),
            Decision::RetryAfter(Duration::from_secs(1))
        );
        assert!(matches!(
            policy.decide(Method::Put, 0, Outcome::Status(502, None), 0),
            Decision::RetryAfter(_)
        ));
        assert!(matches!(
            policy.decide(Method::Delete, 0, Outcome::Transport, 0),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn client_errors_are_not_retried_and_retries_are_bounded() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(Method::Get, 0, Outcome::Status(404, None), 0),
            Decision::GiveUp
        );
        assert_eq!(
            policy.decide(Method::Get, 4, Outcome::Status(503, None), 0),
            Decision::GiveUp
        );
    }

    #[test]
    fn a_user_policy_can_retry_writes_and_every_error_with_a_fixed_delay() {
        let policy = RetryPolicy {
            max_retries: 2,
            retry_writes: true,
            retry_all_errors: true,
            fixed_delay: Some(Duration::from_millis(40)),
            ..RetryPolicy::default()
        };
        assert_eq!(
            policy.decide(Method::Post, 0, Outcome::Status(409, None), 9),
            Decision::RetryAfter(Duration::from_millis(40))
        );
        assert_eq!(
            policy.decide(Method::Post, 1, Outcome::Transport, 9),
            Decision::RetryAfter(Duration::from_millis(40))
        );
        assert_eq!(
            policy.decide(Method::Post, 2, Outcome::Transport, 9),
            Decision::GiveUp
        );
        let none = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(
            none.decide(Method::Get, 0, Outcome::Status(429, Some(1)), 0),
            Decision::GiveUp
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(0, 0), Duration::from_millis(125));
        assert_eq!(
            policy.backoff(0, u64::MAX),
            Duration::from_millis(125) + Duration::from_millis(u64::MAX % 126)
        );
        assert_eq!(policy.backoff(2, 0), Duration::from_millis(500));
        assert_eq!(policy.backoff(30, 0), Duration::from_secs(2));
        assert!(policy.backoff(30, 7) <= Duration::from_secs(4));
    }
}
