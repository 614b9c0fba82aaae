//! A GitHub connector on `connector-sdk`, in one file: two connections (Basic
//! with a user name and a personal access token; OAuth 2.0 through a GitHub
//! App or OAuth app, on github.com or GitHub Enterprise Server), four actions as table entries,
//! and what sets GitHub apart from the SDK's defaults ([`GitHub`] as an
//! [`Api`]). It targets world `connector`: it has no sync.

use connector_sdk::Connector;
use connector_sdk::action::{Action, Paging};
use connector_sdk::bindings::integration::connector::types::{
    AuthScheme, BasicSettings, Connection, ConnectionDefinition, ConnectionInfo, ConnectorMetadata,
    Error, InputKind, Oauth2Settings,
};
use connector_sdk::connection::{basic_authorization, field, secret, text, values};
use connector_sdk::definitions::CONTRACT_VERSION;
use connector_sdk::errors::invalid_connection;
use connector_sdk::http::{Api, Client};
use connector_sdk::input::{Kind, Param, Target};
use connector_sdk::paging::ListPage;
use connector_sdk::platform::{Method, Platform};

/// Where every request goes, unless an OAuth connection names its own `api-url`.
const API_BASE: &str = "https://api.github.com";

/// Where a GitHub user consents to an app.
const AUTHORIZE_URL: &str = "https://github.com/login/oauth/authorize";

/// Where GitHub exchanges codes and refresh tokens.
const TOKEN_URL: &str = "https://github.com/login/oauth/access_token";

/// GitHub as the SDK's client reads it: its name, the headers it asks every
/// request to carry, and list answers that are bare JSON arrays. Errors
/// (`{"message": ..}`) and paging (the `Link` header) are the SDK's defaults.
pub struct GitHub;

impl Api for GitHub {
    fn name(&self) -> &str {
        "GitHub"
    }

    fn headers(&self) -> &[(&'static str, &'static str)] {
        &[
            ("user-agent", "github-connector"),
            ("x-github-api-version", "2022-11-28"),
        ]
    }

    fn items<'b>(&self, body: &'b str) -> Option<ListPage<'b>> {
        ListPage::of_array(body)
    }
}

/// A page of a list: `per_page` (up to 100) and `page`.
#[rustfmt::skip]
const PAGING: Paging = Paging {
    params: &[
        Param::new("per-page", "Per Page", "Results per page (1 to 100).", Kind::Integer { min: 1, max: 100 }, Target::Query("per_page")).default("30"),
        Param::new("page", "Page", "The page to read, from 1.", Kind::Integer { min: 1, max: 100_000 }, Target::Query("page")),
    ],
    fetch_all_size: Some(("per-page", 100)),
};

#[rustfmt::skip]
const OWNER: Param = Param::new("owner", "Owner", "The account that owns the repository.", Kind::String, Target::Path("owner")).required().example(r#""octocat""#);
#[rustfmt::skip]
const REPO: Param = Param::new("repo", "Repository", "The repository's name.", Kind::String, Target::Path("repo")).required().example(r#""hello-world""#);
#[rustfmt::skip]
const LABELS: Param = Param::new("labels", "Labels", "Label names, as a list or comma-separated.", Kind::List, Target::Query("labels"));

/// The catalog: every action is a table entry, run by the SDK's executor.
#[rustfmt::skip]
static ACTIONS: &[Action] = &[
    Action::new("get-authenticated-user", "Get Authenticated User", "Returns the account the token belongs to.", "Users", Method::Get, "/user"),
    Action::new("list-issues", "List Repository Issues", "Lists a repository's issues (and pull requests), newest first; only those with all the labels given.", "Issues", Method::Get, "/repos/{owner}/{repo}/issues")
        .params(&[OWNER, REPO, LABELS, Param::new("state", "State", "Only issues in this state.", Kind::Select(&["open", "closed", "all"]), Target::Query("state")).default(r#""open""#)])
        .paged(&PAGING),
    Action::new("get-issue", "Get Issue", "Returns one issue.", "Issues", Method::Get, "/repos/{owner}/{repo}/issues/{number}")
        .params(&[OWNER, REPO, Param::new("issue-number", "Issue Number", "The issue's number in its repository.", Kind::Id, Target::Path("number")).required().example("1347")]),
    Action::new("create-issue", "Create Issue", "Opens an issue; returns it with its number.", "Issues", Method::Post, "/repos/{owner}/{repo}/issues")
        .params(&[
            OWNER,
            REPO,
            LABELS.to(Target::Body("labels")),
            Param::new("title", "Title", "The issue's title.", Kind::String, Target::Body("title")).required(),
            Param::new("body", "Body", "The issue's text, in Markdown.", Kind::Text, Target::Body("body")),
        ]),
];

/// The connector.
pub struct GitHubConnector;

impl Connector for GitHubConnector {
    const NAME: &'static str = "github";

    fn metadata() -> ConnectorMetadata {
        ConnectorMetadata {
            name: Self::NAME.into(),
            label: "GitHub".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            vendor: "The connector-sdk authors".into(),
            contract_version: CONTRACT_VERSION.into(),
            description:
                "Issues of GitHub repositories over the REST API: the SDK's example connector."
                    .into(),
        }
    }

    #[rustfmt::skip]
    fn connection_definitions() -> Vec<ConnectionDefinition> {
        vec![ConnectionDefinition {
            key: "basic".into(),
            label: "GitHub token".into(),
            description: "Connects as one GitHub account with its user name and a personal access token.".into(),
            auth: AuthScheme::Basic(BasicSettings { username_input: "username".into(), password_secret: "token".into() }),
            inputs: vec![
                field("username", "Username", "The account's GitHub user name.", InputKind::String, true, None, Some("octocat")),
                field("token", "Token", "A personal access token of that account.", InputKind::Secret, true, None, None),
            ],
            egress: vec!["api.github.com".into()],
        }, ConnectionDefinition {
            key: "oauth2".into(),
            label: "GitHub app".into(),
            description: "Connects as the user who authorizes your GitHub App or OAuth app; the host runs the consent flow and renews the tokens (GitHub App user tokens expire after eight hours).".into(),
            auth: AuthScheme::Oauth2(Oauth2Settings { authorize_url: AUTHORIZE_URL.into(), token_url: TOKEN_URL.into(), default_scopes: vec!["repo".into()] }),
            inputs: vec![
                field("client-id", "Client ID", "The client id of your app, from its settings page.", InputKind::String, true, None, Some("Iv1.8a61f9b3a7aba766")),
                field("client-secret", "Client Secret", "A client secret of that app (the host's own: the connector never sees it).", InputKind::Secret, true, None, None),
                field("scopes", "Scopes", "Space-separated scopes for an OAuth app (a GitHub App has permissions instead, and ignores them).", InputKind::Text, false, Some("repo"), None),
                field("api-url", "API URL", "The REST API's address: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server.", InputKind::String, false, Some(API_BASE), None),
                field("authorize-url", "Authorize URL", "Where the user consents; on GitHub Enterprise Server https://HOST/login/oauth/authorize.", InputKind::String, false, Some(AUTHORIZE_URL), None),
                field("token-url", "Token URL", "Where codes and refresh tokens are exchanged; on GitHub Enterprise Server https://HOST/login/oauth/access_token.", InputKind::String, false, Some(TOKEN_URL), None),
            ],
            egress: vec!["api.github.com".into(), "{api-url}".into()],
        }]
    }

    fn check(platform: &dyn Platform, connection: &Connection) -> Result<ConnectionInfo, Error> {
        let client = Self::client(platform, connection, false)?;
        let (_, user) = client.get_json(&client.url("/user", &[]))?;
        let text_of = |key: &str| user[key].as_str().map(str::to_string);
        Ok(ConnectionInfo {
            display_name: text_of("login"),
            url: text_of("html_url"),
            store: "{}".into(),
        })
    }

    fn actions() -> &'static [Action] {
        ACTIONS
    }

    fn client<'p>(
        platform: &'p dyn Platform,
        connection: &Connection,
        _debug: bool,
    ) -> Result<Client<'p>, Error> {
        let values = values(connection, &["token", "client-secret", "access-token"])?;
        match connection.definition.as_str() {
            "basic" => {
                let user = text(&values, "username").ok_or_else(|| {
                    invalid_connection("`username` is required: the account's user name")
                })?;
                let hint = "create a personal access token on GitHub and give it to the host";
                let token = secret(platform, "token", hint)?;
                let authorization = basic_authorization("username", user, &token)?;
                Ok(Client::new(platform, API_BASE, authorization).with_api(&GitHub))
            }
            "oauth2" => {
                let base = api_url(text(&values, "api-url").unwrap_or(API_BASE))?;
                let hint = "log the connection in (connector-host login) so the host holds an access token";
                let token = secret(platform, "access-token", hint)?;
                Ok(Client::new(platform, &base, format!("Bearer {token}")).with_api(&GitHub))
            }
            other => Err(invalid_connection(format!(
                "unknown connection definition `{other}`: use `basic` or `oauth2`"
            ))),
        }
    }
}

/// Checks an `api-url`: an `https` address, or `http` on a loopback host
/// (a test server); returns it without a trailing `/`.
fn api_url(text: &str) -> Result<String, Error> {
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
    let trimmed = text.trim().trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").or_else(|| {
        loopback
            .iter()
            .any(|p| trimmed.starts_with(p))
            .then(|| trimmed.split_once("://").map_or("", |(_, r)| r))
    });
    match rest {
        Some(rest)
            if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(['?', '#', ' ']) =>
        {
            Ok(trimmed.to_string())
        }
        _ => Err(invalid_connection(format!(
            "`api-url` must be an https:// address such as https://github.example.com/api/v3; got `{text}`"
        ))),
    }
}

connector_sdk::export_connector!(GitHubConnector);

#[cfg(test)]
mod tests;
