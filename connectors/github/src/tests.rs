//! The connector's logic, natively, against the SDK's scripted platform.

use super::*;
use connector_sdk::bindings::integration::connector::types::Body;
use connector_sdk::platform::HttpResponse;
use connector_sdk::testing::ScriptedPlatform;
use serde_json::{Value, json};

fn connection() -> Connection {
    Connection {
        definition: "basic".into(),
        values: r#"{"username": "octocat"}"#.into(),
    }
}

fn page(items: Value, next: Option<&str>) -> HttpResponse {
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    if let Some(next) = next {
        headers.push((
            "link".into(),
            format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\""),
        ));
    }
    HttpResponse {
        status: 200,
        headers,
        body: items.to_string().into_bytes(),
    }
}

fn json_of(body: Body) -> Value {
    match body {
        Body::Json(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn fetch_all_follows_the_link_header_with_githubs_headers() {
    let next = "https://api.github.com/repositories/1296269/issues?state=open&per_page=100&page=2";
    let platform = ScriptedPlatform::new(vec![
        Ok(page(
            json!([{"id": 1, "number": 3}, {"id": 2, "number": 2}]),
            Some(next),
        )),
        Ok(page(json!([{"id": 3, "number": 1}]), None)),
    ])
    .with_secret("token", "ghp_secret");
    let input = r#"{"owner": "octocat", "repo": "hello-world", "fetch-all": true}"#;
    let output = GitHubConnector::invoke(&platform, "list-issues", &connection(), input).unwrap();
    let numbers: Vec<i64> = json_of(output.body)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| issue["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    let sent = platform.sent();
    assert_eq!(
        sent[0].url,
        "https://api.github.com/repos/octocat/hello-world/issues?per_page=100"
    );
    assert_eq!(sent[1].url, next);
    for request in &sent {
        for header in [
            ("user-agent", "github-connector"),
            ("x-github-api-version", "2022-11-28"),
        ] {
            assert!(
                request
                    .headers
                    .contains(&(header.0.into(), header.1.into())),
                "{request:?}"
            );
        }
        let basic = request
            .headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .unwrap();
        assert_eq!(
            basic.1, "Basic b2N0b2NhdDpnaHBfc2VjcmV0",
            "octocat:ghp_secret"
        );
    }
}

#[test]
fn create_issue_sends_a_json_body_and_bad_input_sends_nothing() {
    let created = HttpResponse {
        status: 201,
        headers: vec![],
        body: br#"{"number": 1348}"#.to_vec(),
    };
    let platform = ScriptedPlatform::new(vec![Ok(created)]).with_secret("token", "t");
    let input = r#"{"owner": "octocat", "repo": "hello-world", "title": "Found a bug", "labels": "bug, ui"}"#;
    let output = GitHubConnector::invoke(&platform, "create-issue", &connection(), input).unwrap();
    assert_eq!(
        (output.status, json_of(output.body)["number"].clone()),
        (201, json!(1348))
    );
    let sent = platform.sent();
    let body: Value = serde_json::from_slice(sent[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"title": "Found a bug", "labels": ["bug", "ui"]})
    );

    let platform = ScriptedPlatform::new(vec![]).with_secret("token", "t");
    let Err(Error::InvalidInput(error)) = GitHubConnector::invoke(
        &platform,
        "create-issue",
        &connection(),
        r#"{"owner": "o", "repo": "r"}"#,
    ) else {
        panic!("an issue without a title was sent");
    };
    assert_eq!(error.field, "title");
    assert!(platform.sent().is_empty());
}

#[test]
fn check_names_the_account_and_a_missing_token() {
    let user = page(
        json!({"login": "octocat", "html_url": "https://github.com/octocat"}),
        None,
    );
    let platform = ScriptedPlatform::new(vec![Ok(user)]).with_secret("token", "t");
    let info = GitHubConnector::check(&platform, &connection()).unwrap();
    assert_eq!(info.display_name.as_deref(), Some("octocat"));
    assert_eq!(info.url.as_deref(), Some("https://github.com/octocat"));
    let Err(Error::InvalidConnection(message)) =
        GitHubConnector::check(&ScriptedPlatform::new(vec![]), &connection())
    else {
        panic!("checked without a token");
    };
    assert!(message.contains("`token`"), "{message}");
}

#[test]
fn the_definitions_come_from_the_table() {
    let definitions = GitHubConnector::action_definitions();
    let keys: Vec<&str> = definitions.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "get-authenticated-user",
            "list-issues",
            "get-issue",
            "create-issue"
        ]
    );
    let list: Value = serde_json::from_str(&definitions[1].input_schema).unwrap();
    assert_eq!(list["required"], json!(["owner", "repo"]));
    assert_eq!(list["properties"]["per-page"]["maximum"], 100);
    assert!(list["properties"]["fetch-all"].is_object() && list["properties"]["debug"].is_object());
    assert_eq!(GitHubConnector::metadata().name, GitHubConnector::NAME);
}

fn oauth(values: Value) -> Connection {
    Connection {
        definition: "oauth2".into(),
        values: values.to_string(),
    }
}

#[test]
fn an_oauth_connection_sends_the_hosts_access_token_to_its_api_url() {
    let user = page(json!({"login": "octocat"}), None);
    let platform = ScriptedPlatform::new(vec![Ok(user.clone()), Ok(user)])
        .with_secret("access-token", "ghu_token");
    let enterprise =
        oauth(json!({"client-id": "Iv1.x", "api-url": "https://ghe.example.com/api/v3/"}));
    GitHubConnector::check(&platform, &enterprise).unwrap();
    GitHubConnector::check(&platform, &oauth(json!({"client-id": "Iv1.x"}))).unwrap();
    let sent = platform.sent();
    assert_eq!(sent[0].url, "https://ghe.example.com/api/v3/user");
    assert_eq!(sent[1].url, "https://api.github.com/user");
    let authorization = sent[0]
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .map(|(_, v)| v.as_str());
    assert_eq!(authorization, Some("Bearer ghu_token"));
}

#[test]
fn an_api_url_that_is_not_https_is_refused_by_name() {
    let platform = ScriptedPlatform::new(vec![]).with_secret("access-token", "t");
    for bad in [
        "http://ghe.example.com/api/v3",
        "ghe.example.com",
        "https://",
        "https://x/?a",
    ] {
        let Err(Error::InvalidConnection(message)) =
            GitHubConnector::check(&platform, &oauth(json!({"api-url": bad})))
        else {
            panic!("accepted {bad}");
        };
        assert!(message.contains("`api-url`"), "{message}");
    }
    assert!(platform.sent().is_empty());
    let local = oauth(json!({"api-url": "http://127.0.0.1:8080/api"}));
    let platform =
        ScriptedPlatform::new(vec![Ok(page(json!({}), None))]).with_secret("access-token", "t");
    GitHubConnector::check(&platform, &local).unwrap();
    assert_eq!(platform.sent()[0].url, "http://127.0.0.1:8080/api/user");
}
