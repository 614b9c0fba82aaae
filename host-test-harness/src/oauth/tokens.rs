//! [`Tokens`]: the access token of one stored connection, renewed before it
//! expires and after the service refused it, safely for a service that
//! rotates refresh tokens.
//!
//! The order of a refresh: take the entry's lock (another process refreshing
//! the same entry makes this one wait), read the entry again (that process
//! may have refreshed it meanwhile: then its token is used, with no request),
//! ask the token endpoint, store the answer, and only then hand out the new
//! access token. A crash after the endpoint answered and before the store was
//! written leaves the previous refresh token stored: the next refresh sends
//! it again, which a rotating service accepts within its reuse window; past
//! it the service refuses (`invalid_grant`), the entry is marked, and every
//! later call says "log in again" at once, sending nothing more.

use super::endpoint::{self, TokenAnswer, TokenError};
use super::store::{Grant, TokenEntry, TokenStore};
use anyhow::{Result, anyhow, bail};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most time before expiry at which a token is renewed: five minutes
/// (less for tokens that live less than ten: half their life).
pub const MAX_MARGIN_SECS: u64 = 300;

/// The access token of one stored connection.
pub struct Tokens {
    store: Arc<dyn TokenStore>,
    key: String,
    /// A client secret given for this run, in place of the stored one.
    client_secret: Option<String>,
    /// What to run to log in, for messages.
    login_hint: String,
    /// One renewal at a time within this process (the store's lock covers
    /// other processes).
    renewing: tokio::sync::Mutex<()>,
    requests: AtomicUsize,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("store", &self.store.describe())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Whether the access token of `entry` expires within the margin.
fn expiring(entry: &TokenEntry, now: u64) -> bool {
    let Some(expires_at) = entry.expires_at else {
        return false;
    };
    let life = expires_at.saturating_sub(entry.obtained_at);
    now + (life / 2).min(MAX_MARGIN_SECS) >= expires_at
}

impl Tokens {
    /// The tokens of entry `key` of `store`. `login_hint` is the command that
    /// logs this connection in, for "log in again" messages.
    pub fn new(store: Arc<dyn TokenStore>, key: String, login_hint: String) -> Tokens {
        Tokens {
            store,
            key,
            client_secret: None,
            login_hint,
            renewing: tokio::sync::Mutex::new(()),
            requests: AtomicUsize::new(0),
        }
    }

    /// Uses `secret` as the client secret of renewals, in place of the stored one.
    pub fn with_client_secret(mut self, secret: Option<String>) -> Tokens {
        self.client_secret = secret.filter(|s| !s.is_empty());
        self
    }

    /// The entry key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// How many token endpoint requests this value has sent.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The stored entry, as it is now.
    pub fn entry(&self) -> Result<TokenEntry> {
        self.store.load(&self.key)?.ok_or_else(|| {
            anyhow!(
                "no OAuth tokens are stored for this connection (in {}): log in first with `{}`",
                self.store.describe(),
                self.login_hint
            )
        })
    }

    /// A current access token: the stored one, or a renewed one when it
    /// expires within the margin.
    pub async fn access_token(&self) -> Result<String> {
        self.obtain(|entry| expiring(entry, endpoint::now())).await
    }

    /// A new access token after the service refused `used`; when another
    /// call or process renewed it meanwhile, its token, with no request.
    pub async fn renew(&self, used: &str) -> Result<String> {
        self.obtain(|entry| entry.access_token == used).await
    }

    async fn obtain(&self, stale: impl Fn(&TokenEntry) -> bool) -> Result<String> {
        let _renewing = self.renewing.lock().await;
        let entry = self.usable(self.entry()?)?;
        if !stale(&entry) {
            return Ok(entry.access_token);
        }
        let (store, key) = (self.store.clone(), self.key.clone());
        let _lock = tokio::task::spawn_blocking(move || store.lock(&key))
            .await
            .map_err(|e| anyhow!("waiting for the token store's lock: {e}"))??;
        // Another process may have renewed it while this one waited.
        let entry = self.usable(self.entry()?)?;
        if !stale(&entry) {
            return Ok(entry.access_token);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        match self.ask(&entry).await {
            Ok(answer) => {
                let renewed = renewed(&entry, answer);
                self.store.save(&self.key, &renewed).map_err(|e| {
                    anyhow!(
                        "the service issued new tokens, but they could not be stored ({e:#}); the next call sends the previous refresh token again, and if the service refuses it, log in again with `{}`",
                        self.login_hint
                    )
                })?;
                Ok(renewed.access_token)
            }
            Err(TokenError::Refused {
                status,
                error,
                description,
            }) if error == "invalid_grant" => {
                let why = TokenError::Refused {
                    status,
                    error,
                    description,
                }
                .to_string();
                let mut marked = entry;
                marked.needs_login = Some(why.clone());
                self.store.save(&self.key, &marked)?;
                bail!("{why}; log in again with `{}`", self.login_hint)
            }
            Err(e) => Err(anyhow!("cannot renew the OAuth access token: {e}")),
        }
    }

    /// `entry`, unless it was marked as needing a new login.
    fn usable(&self, entry: TokenEntry) -> Result<TokenEntry> {
        match &entry.needs_login {
            Some(why) => bail!(
                "the stored OAuth tokens no longer work ({why}); log in again with `{}`",
                self.login_hint
            ),
            None => Ok(entry),
        }
    }

    /// Asks the token endpoint for new tokens for `entry`.
    async fn ask(&self, entry: &TokenEntry) -> Result<TokenAnswer, TokenError> {
        let secret = self
            .client_secret
            .as_deref()
            .or(entry.client_secret.as_deref());
        let mut form = vec![("client_id", entry.client_id.as_str())];
        if let Some(secret) = secret {
            form.push(("client_secret", secret));
        }
        match entry.grant {
            Grant::AuthorizationCode => {
                let Some(refresh) = entry.refresh_token.as_deref() else {
                    return Err(TokenError::Failed(anyhow!(
                        "the access token expired and the service issued no refresh token (ask for scope offline_access); log in again with `{}`",
                        self.login_hint
                    )));
                };
                form.push(("grant_type", "refresh_token"));
                form.push(("refresh_token", refresh));
            }
            Grant::ClientCredentials => {
                form.push(("grant_type", "client_credentials"));
            }
        }
        endpoint::request(&entry.token_url, &form).await
    }
}

/// Whether a call that ended as `outcome` should run once more with a
/// renewed access token: the service refused the credentials (`unauthorized`)
/// for another reason than a missing scope (which a new token would not
/// change), and no request that may change something was accepted before
/// the refusal, so running the call again repeats no write.
pub fn worth_renewing<T>(outcome: &crate::Outcome<T>) -> bool {
    let Err(crate::ConnectorError::Unauthorized(message)) = &outcome.result else {
        return false;
    };
    if message.to_ascii_lowercase().contains("scope") {
        return false;
    }
    let safe = |method: &str| matches!(method, "GET" | "HEAD" | "OPTIONS");
    !outcome
        .exchanges
        .iter()
        .any(|e| !safe(&e.method) && e.status.is_some_and(|s| s != 401))
}

/// `entry` after the token endpoint answered `answer` to a renewal: a
/// rotating service's new refresh token replaces the old one, a service
/// that sent none keeps the old one valid.
pub fn renewed(entry: &TokenEntry, answer: TokenAnswer) -> TokenEntry {
    let now = endpoint::now();
    TokenEntry {
        access_token: answer.access_token,
        refresh_token: answer.refresh_token.or_else(|| entry.refresh_token.clone()),
        expires_at: answer.expires_in.map(|s| now.saturating_add(s)),
        obtained_at: now,
        scopes: answer
            .scope
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_else(|| entry.scopes.clone()),
        needs_login: None,
        ..entry.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(obtained_at: u64, expires_at: Option<u64>) -> TokenEntry {
        TokenEntry {
            grant: Grant::AuthorizationCode,
            access_token: "a".into(),
            refresh_token: Some("r".into()),
            expires_at,
            obtained_at,
            scopes: vec![],
            token_url: "https://t".into(),
            client_id: "c".into(),
            client_secret: None,
            site: None,
            needs_login: None,
        }
    }

    #[test]
    fn a_token_is_renewed_five_minutes_before_it_expires_or_at_half_its_life() {
        let hour = entry(1000, Some(4600));
        assert!(!expiring(&hour, 4299));
        assert!(expiring(&hour, 4300));
        let minute = entry(1000, Some(1060));
        assert!(!expiring(&minute, 1029));
        assert!(expiring(&minute, 1030));
        assert!(expiring(&entry(1000, Some(1000)), 1000));
        assert!(!expiring(&entry(1000, None), u64::MAX / 2));
    }

    #[test]
    fn a_renewal_keeps_the_refresh_token_when_none_came_and_clears_the_mark() {
        let mut old = entry(1, Some(2));
        old.needs_login = Some("x".into());
        let answer: TokenAnswer =
            serde_json::from_str(r#"{"access_token":"b","expires_in":60}"#).unwrap();
        let new = renewed(&old, answer);
        assert_eq!(new.refresh_token.as_deref(), Some("r"));
        assert_eq!(new.access_token, "b");
        assert!(new.needs_login.is_none());
        let answer: TokenAnswer =
            serde_json::from_str(r#"{"access_token":"c","refresh_token":"r2","scope":"x y"}"#)
                .unwrap();
        let new = renewed(&old, answer);
        assert_eq!(new.refresh_token.as_deref(), Some("r2"));
        assert_eq!(new.scopes, ["x", "y"]);
        assert_eq!(new.expires_at, None);
    }
}
