//! The fixture scenarios of Raw Request and Raw GraphQL Request.

use super::*;

/// Every fixture of this group with the call that uses all of its entries.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        fixture: "raw-get",
        connection: basic,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/api/v2/spaces", "query-parameter": {"limit": "5"}, "header": {"X-Trace": "42"}}"#,
    },
    Scenario {
        fixture: "raw-post-json",
        connection: basic,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/api/v2/pages", "method": "POST", "data": {"spaceId": "98306", "title": "From raw", "status": "current", "body": {"representation": "storage", "value": "<p>raw</p>"}}}"#,
    },
    Scenario {
        fixture: "raw-multipart",
        connection: basic,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/rest/api/content/11/child/attachment", "method": "POST",
            "form-data": {"comment": "From the raw request", "minorEdit": "true"},
            "file-data": {"file": "TWVldGluZyBub3RlcwpTaGlwIG9uIEZyaWRheS4K"},
            "file-data-file-names": {"file": "notes.txt"},
            "header": {"X-Atlassian-Token": "no-check"}}"#,
    },
    Scenario {
        fixture: "raw-text",
        connection: basic,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/api/v2/pages/11?body-format=storage", "response-type": "text"}"#,
    },
    Scenario {
        fixture: "raw-retry-post",
        connection: basic,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/api/v2/pages", "method": "POST", "data": {"spaceId": "98306", "title": "Retried"}, "max-retry-count": 2, "retry-delay-ms": 10}"#,
    },
    Scenario {
        fixture: "raw-post-503",
        connection: basic,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/api/v2/pages", "method": "POST", "data": {"spaceId": "98306", "title": "Once"}}"#,
    },
    Scenario {
        fixture: "raw-404",
        connection: basic,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/api/v2/pages/404404"}"#,
    },
    Scenario {
        fixture: "raw-oauth",
        connection: oauth_stored,
        action: Some("raw-request"),
        input: r#"{"url": "/wiki/api/v2/spaces", "query-parameter": [{"key": "limit", "value": "5"}]}"#,
    },
    Scenario {
        fixture: "graphql-basic",
        connection: basic,
        action: Some("raw-graphql-request"),
        input: r#"{"query": "query Me($n: Int) { me { user { accountId name } } }", "variables": {"n": 1}}"#,
    },
    Scenario {
        fixture: "graphql-errors",
        connection: basic,
        action: Some("raw-graphql-request"),
        input: r#"{"query": "{ nope }"}"#,
    },
    Scenario {
        fixture: "graphql-oauth",
        connection: oauth_stored,
        action: Some("raw-graphql-request"),
        input: r#"{"query": "{ me { user { name } } }"}"#,
    },
];

/// The scenario of fixture `name`.
pub fn scenario(name: &str) -> &'static Scenario {
    SCENARIOS
        .iter()
        .find(|s| s.fixture == name)
        .unwrap_or_else(|| panic!("no raw scenario {name}"))
}
