//! The two ways to connect (Basic and OAuth 2.0), and resolving a stored
//! connection to the site its requests go to.
//!
//! OAuth 2.0 tokens are not tied to one site: the site is picked from
//! `GET https://api.atlassian.com/oauth/token/accessible-resources`, by the
//! API Site Override (a site name or URL) or else the first site. A connection
//! that already carries a `cloud-id` (as `check` asks the host to store it)
//! skips that call.

use crate::bindings::integration::connector::types::{
    AuthScheme, BasicSettings, Connection, ConnectionDefinition, ConnectionInfo, Input, InputKind,
    Oauth2Settings,
};
use crate::errors::{Error, invalid_connection};
use crate::http::{Client, Confluence};
use crate::site;
use connector_sdk::connection::{
    basic_authorization, check_basic_user, field, secret, text, values,
};
use connector_sdk::platform::Platform;
use serde_json::{Map, Value};

/// Where OAuth 2.0 requests go, and where the accessible sites are listed.
pub const GATEWAY: &str = "https://api.atlassian.com";
/// Whether `client`'s requests go through Atlassian's gateway
/// (`{GATEWAY}/ex/confluence/{cloudId}`, as OAuth 2.0's do) rather than to
/// the site itself. The gateway has removed REST v1's content and space
/// endpoints; v2, CQL search, the current user, attachment upload and labels
/// answer there.
pub fn through_gateway(client: &Client) -> bool {
    client.api_base().starts_with(&format!("{GATEWAY}/"))
}

/// The host of [`GATEWAY`].
pub const GATEWAY_HOST: &str = "api.atlassian.com";

/// The default OAuth 2.0 authorize URL.
pub const AUTHORIZE_URL: &str =
    "https://auth.atlassian.com/authorize?audience=api.atlassian.com&prompt=consent";
/// The default OAuth 2.0 token URL.
pub const TOKEN_URL: &str = "https://auth.atlassian.com/oauth/token";
/// Atlassian's media host: attachment downloads are redirected there.
pub const MEDIA_HOST: &str = "api.media.atlassian.com";
/// The scopes an OAuth 2.0 connection asks for by default, space-separated
/// (as the `scopes` input holds them): a refresh token, every scope of every
/// curated action ([`crate::catalog::scopes`]), and the sync's users and
/// groups (its audit stream also needs `read:audit-log:confluence`).
pub const DEFAULT_SCOPES: &str = "offline_access \
read:space:confluence read:page:confluence write:page:confluence delete:page:confluence \
read:hierarchical-content:confluence read:content.metadata:confluence \
read:attachment:confluence write:attachment:confluence delete:attachment:confluence \
read:custom-content:confluence write:custom-content:confluence delete:custom-content:confluence \
read:comment:confluence write:comment:confluence delete:comment:confluence \
read:confluence-content.summary write:confluence-content write:confluence-file \
search:confluence read:confluence-user read:confluence-groups";

/// Secret keys: a host answers these through `secrets`, never in connection values.
pub const SECRET_KEYS: [&str; 3] = ["api-token", "access-token", "client-secret"];

/// The Confluence site a connection resolves to.
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// The Atlassian cloud id, where known (always for OAuth 2.0).
    pub cloud_id: Option<String>,
    /// The site's own address, such as `https://acme.atlassian.net`, where known.
    pub url: Option<String>,
    /// The site's name, such as `acme`, where known.
    pub name: Option<String>,
    /// The origin every API path is joined to: the site itself for Basic,
    /// `https://api.atlassian.com/ex/confluence/{cloud-id}` for OAuth 2.0.
    pub api_base: String,
}

impl Site {
    /// What `check` reports: the site's name and address, and for OAuth 2.0
    /// the cloud id for the host to store, so later calls skip the lookup.
    pub fn info(&self) -> ConnectionInfo {
        let mut store = Map::new();
        if let Some(cloud_id) = &self.cloud_id {
            store.insert("cloud-id".into(), Value::String(cloud_id.clone()));
        }
        ConnectionInfo {
            display_name: self.name.clone(),
            url: self.url.clone(),
            store: Value::Object(store).to_string(),
        }
    }
}

/// A connection resolved to a site and a credential.
pub struct Resolved {
    /// The site, as `check` reports it.
    pub site: Site,
    /// The `Authorization` header value.
    pub authorization: String,
}

impl Resolved {
    /// A client for this connection's API base.
    pub fn client<'p>(&self, platform: &'p dyn Platform) -> Client<'p> {
        Client::new(platform, &self.site.api_base, self.authorization.clone()).with_api(&Confluence)
    }
}

/// How an account's e-mail address and API token authenticate (Basic).
fn account_auth() -> AuthScheme {
    AuthScheme::Basic(BasicSettings {
        username_input: "email".into(),
        password_secret: "api-token".into(),
    })
}

/// An account's inputs: its e-mail address, its API token and its site,
/// with `token` and `host` as the help of the last two.
#[rustfmt::skip]
fn account_inputs(token: &str, host: &str) -> Vec<Input> {
    vec![
        field("email", "Email", "The e-mail address of the Atlassian account the API token belongs to.", InputKind::String, true, None, Some("jane@acme.com")),
        field("api-token", "API Token", token, InputKind::Secret, true, None, None),
        field("host", "Host", host, InputKind::String, true, None, Some("acme.atlassian.net")),
    ]
}

/// The connection kinds this connector offers.
pub fn definitions() -> Vec<ConnectionDefinition> {
    vec![
        ConnectionDefinition {
            key: "basic".into(),
            label: "Confluence Basic".into(),
            description: "Connects as one Atlassian account with its e-mail address and an API token \
                          (create one at id.atlassian.com under Security, API tokens)."
                .into(),
            auth: account_auth(),
            inputs: account_inputs(
                "An API token of that account; Confluence Cloud does not accept account passwords here.",
                "Your Confluence site, such as acme.atlassian.net; https:// and a trailing /wiki are optional.",
            ),
            egress: vec!["{host}".into(), MEDIA_HOST.into()],
        },
        ConnectionDefinition {
            key: "scoped-api-token".into(),
            label: "Confluence scoped API token".into(),
            description: "Connects as one Atlassian account with its e-mail address and a scoped API token (one created with scopes). \
                          Atlassian answers scoped tokens only through api.atlassian.com, so requests go there, to the site's cloud id; \
                          REST v1's content and space endpoints are not served on that route."
                .into(),
            auth: account_auth(),
            inputs: [
                account_inputs(
                    "A scoped API token of that account.",
                    "Your Confluence site, such as acme.atlassian.net, where the site's cloud id is looked up.",
                ),
                vec![field("cloud-id", "Cloud ID", "The site's cloud id, which check asks the host to store. Leave empty to look it up from the site (one request to /_edge/tenant_info).", InputKind::String, false, None, None)],
            ]
            .concat(),
            egress: vec![GATEWAY_HOST.into(), "{host}".into(), MEDIA_HOST.into()],
        },
        ConnectionDefinition {
            key: "oauth2".into(),
            label: "Confluence OAuth 2.0".into(),
            description: "Connects through an Atlassian OAuth 2.0 (3LO) app; the host runs the consent flow and \
                          supplies the access token. Requests go through api.atlassian.com to the chosen site."
                .into(),
            auth: AuthScheme::Oauth2(Oauth2Settings {
                authorize_url: AUTHORIZE_URL.into(),
                token_url: TOKEN_URL.into(),
                default_scopes: DEFAULT_SCOPES.split(' ').map(str::to_string).collect(),
            }),
            inputs: vec![
                field("authorize-url", "Authorize URL", "Where the user is sent to grant access.", InputKind::String, true, Some(AUTHORIZE_URL), None),
                field("token-url", "Token URL", "Where authorization codes and refresh tokens are exchanged for access tokens.", InputKind::String, true, Some(TOKEN_URL), None),
                field("scopes", "Scopes", "Space-separated OAuth scopes to request; keep offline_access to get refresh tokens.", InputKind::Text, true, Some(DEFAULT_SCOPES), None),
                field("client-id", "Client ID", "The client id of your app in the Atlassian developer console.", InputKind::String, true, None, None),
                field("client-secret", "Client Secret", "The secret of that app.", InputKind::Secret, true, None, None),
                field("api-site-override", "API Site Override", "Which site to use when the user can reach several: its name (acme) or address (https://acme.atlassian.net). Empty means the first site the token can reach.", InputKind::String, false, None, Some("acme")),
                field("cloud-id", "Cloud ID", "The site's cloud id, which check asks the host to store. Storing it saves one site lookup per call; leave empty to look the site up.", InputKind::String, false, None, None),
            ],
            egress: vec![GATEWAY_HOST.into(), MEDIA_HOST.into()],
        },
    ]
}

/// Resolves a connection to its site and credential (one site lookup for an
/// OAuth 2.0 connection without a stored `cloud-id`).
pub fn resolve(
    platform: &dyn Platform,
    connection: &Connection,
    debug: bool,
) -> Result<Resolved, Error> {
    let values = values(connection, &SECRET_KEYS)?;
    match connection.definition.as_str() {
        definition @ ("basic" | "scoped-api-token") => {
            let email = text(&values, "email")
                .ok_or_else(|| invalid_connection("`email` is required: the e-mail address of the account that owns the API token"))?;
            check_basic_user("email", email)?;
            if !email.contains('@') {
                return Err(invalid_connection(format!(
                    "`email` must be an e-mail address such as jane@acme.com; got `{email}`"
                )));
            }
            let host = text(&values, "host").unwrap_or("");
            let origin = site::normalise_site(host)
                .map_err(|m| invalid_connection(format!("`host`: {m}")))?;
            let token = secret(
                platform,
                "api-token",
                "create an API token for this account and give it to the host",
            )?;
            let authorization = basic_authorization("email", email, &token)?;
            let name = origin
                .split("://")
                .nth(1)
                .and_then(|h| h.split('.').next())
                .map(str::to_string);
            if definition == "basic" {
                return Ok(Resolved {
                    site: Site {
                        cloud_id: None,
                        url: Some(origin.clone()),
                        name,
                        api_base: origin,
                    },
                    authorization,
                });
            }
            // A scoped token: through the gateway, to the site's cloud id.
            let cloud_id = match stored_cloud_id(&values)? {
                Some(id) => id.to_string(),
                None => {
                    let site = Client::new(platform, &origin, authorization.clone())
                        .with_api(&Confluence)
                        .with_debug(debug);
                    let (_, tenant) = site.get_json(&format!("{origin}/_edge/tenant_info"))?;
                    tenant_cloud_id(&tenant)?
                }
            };
            Ok(Resolved {
                site: Site {
                    api_base: format!("{GATEWAY}/ex/confluence/{cloud_id}"),
                    cloud_id: Some(cloud_id),
                    url: Some(origin),
                    name,
                },
                authorization,
            })
        }
        "oauth2" => {
            let token = secret(
                platform,
                "access-token",
                "complete the OAuth 2.0 consent flow so the host holds an access token",
            )?;
            let authorization = format!("Bearer {token}");
            if let Some(cloud_id) = stored_cloud_id(&values)? {
                return Ok(Resolved {
                    site: Site {
                        cloud_id: Some(cloud_id.to_string()),
                        url: None,
                        name: None,
                        api_base: format!("{GATEWAY}/ex/confluence/{cloud_id}"),
                    },
                    authorization,
                });
            }
            let gateway = Client::new(platform, GATEWAY, authorization.clone())
                .with_api(&Confluence)
                .with_debug(debug);
            let (_, json) =
                gateway.get_json(&format!("{GATEWAY}/oauth/token/accessible-resources"))?;
            let sites = accessible_sites(&json)?;
            let chosen = choose_site(&sites, text(&values, "api-site-override"))?;
            Ok(Resolved {
                site: Site {
                    api_base: format!("{GATEWAY}/ex/confluence/{}", chosen.id),
                    cloud_id: Some(chosen.id.clone()),
                    url: Some(chosen.url.clone()),
                    name: Some(chosen.name.clone()),
                },
                authorization,
            })
        }
        other => Err(invalid_connection(format!(
            "unknown connection definition `{other}`: use `basic`, `scoped-api-token` or `oauth2`"
        ))),
    }
}

/// The connection's stored `cloud-id`, checked, if it has one.
fn stored_cloud_id(values: &Map<String, Value>) -> Result<Option<&str>, Error> {
    let Some(cloud_id) = text(values, "cloud-id") else {
        return Ok(None);
    };
    if !cloud_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(invalid_connection(format!(
            "`cloud-id` must be an Atlassian cloud id such as 1324a887-45db-1bf4-1e99-ef0ff456d421; got `{cloud_id}`"
        )));
    }
    Ok(Some(cloud_id))
}

/// The cloud id in a site's `/_edge/tenant_info` answer (`{"cloudId": ...}`).
fn tenant_cloud_id(tenant: &Value) -> Result<String, Error> {
    tenant
        .get("cloudId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .ok_or_else(|| {
            Error::Upstream(crate::errors::UpstreamError {
                status: 200,
                message: "the site's /_edge/tenant_info did not answer with a cloudId: set `cloud-id` in the connection".into(),
            })
        })
}

/// One site from accessible-resources.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessibleSite {
    /// The cloud id.
    pub id: String,
    /// The site's address.
    pub url: String,
    /// The site's name.
    pub name: String,
}

/// The Confluence sites in an accessible-resources answer (sites whose scopes
/// include a Confluence scope; all sites when the answer lists no scopes).
pub fn accessible_sites(json: &Value) -> Result<Vec<AccessibleSite>, Error> {
    let entries = json.as_array().ok_or_else(|| {
        Error::Upstream(crate::errors::UpstreamError {
            status: 200,
            message: "accessible-resources did not answer with a list of sites".into(),
        })
    })?;
    let is_confluence = |entry: &Value| {
        entry
            .get("scopes")
            .and_then(Value::as_array)
            .is_none_or(|scopes| {
                scopes
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|s| s.contains("confluence"))
            })
    };
    let sites: Vec<AccessibleSite> = entries
        .iter()
        .filter(|entry| is_confluence(entry))
        .filter_map(|entry| {
            let field = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_string);
            let id = field("id")?;
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return None;
            }
            Some(AccessibleSite {
                url: field("url").unwrap_or_default(),
                name: field("name").unwrap_or_default(),
                id,
            })
        })
        .collect();
    if sites.is_empty() {
        return Err(invalid_connection(
            "this token can reach no Confluence site: check that the app has Confluence scopes and that the user granted access to a site",
        ));
    }
    Ok(sites)
}

/// Picks the site named by `wanted` (a name or an address), else the first.
pub fn choose_site<'a>(
    sites: &'a [AccessibleSite],
    wanted: Option<&str>,
) -> Result<&'a AccessibleSite, Error> {
    let Some(wanted) = wanted else {
        return Ok(&sites[0]);
    };
    let wanted_address = site::comparable(wanted);
    sites
        .iter()
        .find(|s| {
            s.name.eq_ignore_ascii_case(wanted.trim()) || site::comparable(&s.url) == wanted_address
        })
        .ok_or_else(|| {
            let names: Vec<&str> = sites.iter().map(|s| s.name.as_str()).collect();
            invalid_connection(format!(
                "API Site Override `{wanted}` matches none of the sites this token can reach: {}",
                names.join(", ")
            ))
        })
}

/// The answer of `check`: resolve, then prove the credential with the current-user call.
pub fn check(platform: &dyn Platform, connection: &Connection) -> Result<ConnectionInfo, Error> {
    let resolved = resolve(platform, connection, false)?;
    let client = resolved.client(platform);
    let (_, user) = client.get_json(&client.url("/wiki/rest/api/user/current", &[]))?;
    if user.get("type").and_then(Value::as_str) == Some("anonymous") {
        return Err(Error::Unauthorized(
            "Confluence treated the request as anonymous: check the e-mail address and API token"
                .into(),
        ));
    }
    Ok(resolved.site.info())
}

#[cfg(test)]
mod tests {
    use super::*;
    use connector_sdk::testing::ScriptedPlatform;

    fn connection(definition: &str, values: &str) -> Connection {
        Connection {
            definition: definition.into(),
            values: values.into(),
        }
    }

    const SITES: &str = r#"[
        {"id":"11111111-aaaa","url":"https://jira-only.atlassian.net","name":"jira-only","scopes":["read:jira-work"]},
        {"id":"22222222-bbbb","url":"https://acme.atlassian.net","name":"acme","scopes":["read:page:confluence"]},
        {"id":"33333333-cccc","url":"https://beta.atlassian.net","name":"beta","scopes":["read:page:confluence"]}
    ]"#;

    #[test]
    fn basic_builds_the_header_from_email_and_token() {
        let platform = ScriptedPlatform::new(vec![]).with_secret("api-token", "tok");
        let resolved = resolve(
            &platform,
            &connection(
                "basic",
                r#"{"email":"a@b.c","host":"acme.atlassian.net/wiki"}"#,
            ),
            false,
        )
        .unwrap();
        assert_eq!(resolved.authorization, "Basic YUBiLmM6dG9r");
        assert_eq!(resolved.site.api_base, "https://acme.atlassian.net");
        assert_eq!(resolved.site.name.as_deref(), Some("acme"));
    }

    #[test]
    fn a_scoped_token_goes_through_the_gateway_to_the_sites_cloud_id() {
        let tenant = connector_sdk::platform::HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"cloudId":"1324a887-45db-1bf4-1e99-ef0ff456d421"}"#.to_vec(),
        };
        let platform = ScriptedPlatform::new(vec![Ok(tenant)]).with_secret("api-token", "tok");
        let values = r#"{"email":"a@b.c","host":"acme.atlassian.net"}"#;
        let resolved = resolve(&platform, &connection("scoped-api-token", values), false).unwrap();
        assert_eq!(
            platform.sent()[0].url,
            "https://acme.atlassian.net/_edge/tenant_info"
        );
        assert_eq!(
            resolved.site.api_base,
            "https://api.atlassian.com/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421"
        );
        assert_eq!(resolved.authorization, "Basic YUBiLmM6dG9r");
        assert_eq!(
            resolved.site.info().store,
            r#"{"cloud-id":"1324a887-45db-1bf4-1e99-ef0ff456d421"}"#
        );
        // A stored cloud id skips the lookup.
        let platform = ScriptedPlatform::new(vec![]).with_secret("api-token", "tok");
        let stored = r#"{"email":"a@b.c","host":"acme.atlassian.net","cloud-id":"abc-1"}"#;
        let resolved = resolve(&platform, &connection("scoped-api-token", stored), false).unwrap();
        assert_eq!(
            resolved.site.api_base,
            "https://api.atlassian.com/ex/confluence/abc-1"
        );
        assert!(platform.sent().is_empty());
        let bad = r#"{"email":"a@b.c","host":"acme.atlassian.net","cloud-id":"../x"}"#;
        let err = resolve(&platform, &connection("scoped-api-token", bad), false);
        assert!(matches!(err, Err(Error::InvalidConnection(m)) if m.contains("`cloud-id`")));
        assert!(tenant_cloud_id(&serde_json::json!({"cloudId": "../x"})).is_err());
    }

    #[test]
    fn basic_refusals() {
        let platform = ScriptedPlatform::new(vec![]).with_secret("api-token", "tok");
        for values in [
            r#"{"email":"a@b.c","host":"http://acme.atlassian.net"}"#,
            r#"{"email":"a@b.c"}"#,
            r#"{"host":"acme.atlassian.net"}"#,
            r#"{"email":"a@b.c","host":"acme.atlassian.net","api-token":"leak"}"#,
            r#"[1]"#,
            // Secrets in other spellings.
            r#"{"email":"a@b.c","host":"acme.atlassian.net","API-TOKEN":"leak"}"#,
            r#"{"email":"a@b.c","host":"acme.atlassian.net","apiToken":"leak"}"#,
            r#"{"email":"a@b.c","host":"acme.atlassian.net","token":"leak"}"#,
            r#"{"email":"a@b.c","host":"acme.atlassian.net","secrets":{"api-token":"leak"}}"#,
            r#"{"email":"a@b.c","host":"acme.atlassian.net","password":"leak"}"#,
            // The same key twice: which host would the credential go to?
            r#"{"email":"a@b.c","host":"acme.atlassian.net","host":"evil.example"}"#,
            // A `:` would end the e-mail address inside the Basic credential.
            r#"{"email":"a:b@b.c","host":"acme.atlassian.net"}"#,
        ] {
            assert!(
                matches!(
                    resolve(&platform, &connection("basic", values), false),
                    Err(Error::InvalidConnection(_))
                ),
                "{values}"
            );
        }
        let no_secret = ScriptedPlatform::new(vec![]);
        let err = resolve(
            &no_secret,
            &connection("basic", r#"{"email":"a@b.c","host":"acme.atlassian.net"}"#),
            false,
        );
        assert!(matches!(err, Err(Error::InvalidConnection(m)) if m.contains("api-token")));
    }

    #[test]
    fn oauth_picks_first_confluence_site_or_the_override() {
        let sites = accessible_sites(&serde_json::from_str(SITES).unwrap()).unwrap();
        assert_eq!(choose_site(&sites, None).unwrap().name, "acme");
        assert_eq!(
            choose_site(&sites, Some("BETA")).unwrap().id,
            "33333333-cccc"
        );
        assert_eq!(
            choose_site(&sites, Some("https://Beta.atlassian.net/wiki/"))
                .unwrap()
                .name,
            "beta"
        );
        let err = choose_site(&sites, Some("gamma")).unwrap_err();
        assert!(matches!(err, Error::InvalidConnection(m) if m.contains("acme, beta")));
        assert!(accessible_sites(&serde_json::json!([])).is_err());
    }

    #[test]
    fn oauth_with_cloud_id_makes_no_lookup() {
        let platform = ScriptedPlatform::new(vec![]).with_secret("access-token", "at");
        let resolved = resolve(
            &platform,
            &connection("oauth2", r#"{"cloud-id":"abc-123"}"#),
            false,
        )
        .unwrap();
        assert_eq!(
            resolved.site.api_base,
            "https://api.atlassian.com/ex/confluence/abc-123"
        );
        assert_eq!(resolved.authorization, "Bearer at");
        assert!(platform.sent().is_empty());
    }

    #[test]
    fn oauth_lookup_goes_to_accessible_resources() {
        let platform = ScriptedPlatform::new(vec![ScriptedPlatform::json(SITES)])
            .with_secret("access-token", "at");
        let resolved = resolve(
            &platform,
            &connection("oauth2", r#"{"api-site-override":"beta"}"#),
            false,
        )
        .unwrap();
        assert_eq!(
            resolved.site.api_base,
            "https://api.atlassian.com/ex/confluence/33333333-cccc"
        );
        assert_eq!(
            platform.sent()[0].url,
            "https://api.atlassian.com/oauth/token/accessible-resources"
        );
    }
}
