//! OAuth 2.0 in the host, for any connector whose connection definition says
//! `auth-scheme::oauth2`: logging in ([`login`]), keeping the tokens
//! ([`store`]), and renewing them ([`tokens`]) so that the guest is only ever
//! handed a current access token, never a refresh token or a client secret.
//!
//! A connection names its app with the contract's conventions (see
//! `oauth2-settings` in `wit/types.wit`): value `client-id`, secret
//! `client-secret`, and optional values `scopes` (space-separated),
//! `authorize-url` and `token-url` in place of the definition's.

pub mod endpoint;
pub mod login;
pub mod store;
pub mod tokens;

pub use login::{App, Login};
pub use store::{FileStore, Grant, TokenEntry, TokenStore, entry_key};
pub use tokens::Tokens;

/// The secret key the guest reads the access token from.
pub const ACCESS_TOKEN: &str = "access-token";

/// The secret key of the app's client secret: the host's alone, never the guest's.
pub const CLIENT_SECRET: &str = "client-secret";
