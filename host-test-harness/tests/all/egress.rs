//! What the host builds from a connection definition, knowing no connector:
//! the allow-list from its declared egress, the secrets it reads from the
//! environment, and the values a check asks it to store.

use crate::common::{self, host};
use crate::local_server::{basic_authorization, serve_json, serve_request};
use host_test_harness::{CallOptions, Connection, ConnectionDefinition, HttpMode};
use serde_json::json;
use std::io::Write;

fn definition(key: &str) -> ConnectionDefinition {
    host()
        .connection_definitions()
        .unwrap()
        .into_iter()
        .find(|d| d.key == key)
        .unwrap()
}

#[test]
fn egress_templates_are_filled_from_the_connection_values() {
    let basic = definition("basic");
    for (site, expected) in [
        ("acme.atlassian.net", "acme.atlassian.net"),
        ("https://Acme.atlassian.net/wiki/", "acme.atlassian.net"),
        ("http://127.0.0.1:8080", "127.0.0.1"),
        ("acme.atlassian.net:8443", "acme.atlassian.net"),
    ] {
        let conn = Connection::new("basic", json!({"email": "a@b.c", "host": site}));
        assert_eq!(
            conn.egress_hosts(&basic),
            [expected, "api.media.atlassian.com"],
            "{site}"
        );
    }
    // A template naming a value the connection lacks stands for no host.
    let no_host = Connection::new("basic", json!({"email": "a@b.c"}));
    assert_eq!(no_host.egress_hosts(&basic), ["api.media.atlassian.com"]);
    let oauth = definition("oauth2");
    assert_eq!(
        common::oauth(json!({})).egress_hosts(&oauth),
        ["api.atlassian.com", "api.media.atlassian.com"]
    );
}

#[test]
fn what_a_check_asks_to_store_is_merged_into_the_values() {
    let mut conn = common::oauth(json!({}));
    let store = r#"{"cloud-id": "1324a887-45db-1bf4-1e99-ef0ff456d421"}"#;
    assert!(conn.merge_store(store).unwrap());
    assert_eq!(
        conn.values["cloud-id"],
        "1324a887-45db-1bf4-1e99-ef0ff456d421"
    );
    assert_eq!(conn.values["client-id"], "test-client", "other values stay");
    assert!(
        !conn.merge_store(store).unwrap(),
        "nothing new the second time"
    );
    assert!(!conn.merge_store("{}").unwrap());
    assert!(conn.merge_store("[1]").is_err());

    // The stored connection then makes no site lookup.
    let outcome = host()
        .invoke(
            "get-page",
            &conn,
            r#"{"page-id": "11"}"#,
            &CallOptions {
                http: HttpMode::Respond {
                    status: 200,
                    content_type: "application/json".into(),
                    body: r#"{"id":"11"}"#.into(),
                },
                ..CallOptions::default()
            }
            .secret("access-token", "at-123456"),
        )
        .unwrap();
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    assert_eq!(outcome.exchanges.len(), 1);
    assert!(
        outcome.exchanges[0].url.starts_with(
            "https://api.atlassian.com/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421/"
        ),
        "{}",
        outcome.exchanges[0].url
    );
}

fn connection_file(name: &str, origin: &str) -> String {
    let path = std::env::temp_dir().join(format!("egress-{}-{name}.json", std::process::id()));
    let text = json!({"definition": "basic", "values": {"email": "a@b.c", "host": origin}});
    std::fs::write(&path, text.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn the_cli_reaches_the_declared_hosts_with_the_secret_from_connector_env() {
    let site = serve_json(r#"{"results":[],"_links":{}}"#);
    let file = connection_file("live", &site.origin());
    // No --allow-host: the definition's `{host}` allows the site.
    let out = common::cli::run(
        &["invoke", "list-spaces", "--connection", &file, "--live"],
        &[("CONNECTOR_API_TOKEN", "connector-env-token")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let received = site.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].header("authorization"),
        Some(basic_authorization("a@b.c", "connector-env-token").as_str())
    );

    // --allow-host adds to the declared hosts; it does not replace them.
    let out = common::cli::run(
        &[
            "invoke",
            "list-spaces",
            "--connection",
            &file,
            "--live",
            "--allow-host",
            "example.org",
        ],
        &[("CONFLUENCE_API_TOKEN", "confluence-env-token")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(site.received().len(), 2);
    assert_eq!(
        site.received()[1].header("authorization"),
        Some(basic_authorization("a@b.c", "confluence-env-token").as_str())
    );
}

#[test]
fn a_host_not_declared_is_refused() {
    // The site redirects to localhost: its connection declares 127.0.0.1
    // (its `{host}`) and the media host, not localhost, so the redirect's
    // request is refused and never reaches the server.
    let site = serve_request(|request, stream| {
        let host = request
            .headers
            .iter()
            .find(|(n, _)| n == "host")
            .map(|(_, v)| v.replace("127.0.0.1", "localhost"))
            .unwrap_or_default();
        let answer = format!(
            "HTTP/1.1 302 Found\r\nlocation: http://{host}/elsewhere\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        let _ = stream.write_all(answer.as_bytes());
    });
    let file = connection_file("refused", &site.origin());
    let out = common::cli::run(
        &["invoke", "list-spaces", "--connection", &file, "--live"],
        &[("CONNECTOR_API_TOKEN", "connector-env-token")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refused a request to localhost"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let received = site.received();
    assert_eq!(received.len(), 1, "only the site was reached");
    assert!(received[0].target.starts_with("/wiki/api/v2/spaces"));
}

#[test]
fn the_host_knows_no_connector() {
    // Its sources name no service's host and use no service's words outside
    // doc comments (which may cite the first connector as an example). The
    // words are spelt in halves so this file does not hold them either.
    let host_name = format!("{}{}", "atlas", "sian");
    let service = format!("{}{}", "confl", "uence");
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut read = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        read += 1;
        for (n, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            assert!(
                !lower.contains(&host_name),
                "{}:{}: {line}",
                path.display(),
                n + 1
            );
            let code = lower.split("//").next().unwrap_or_default();
            assert!(
                !code.contains(&service),
                "{}:{}: {line}",
                path.display(),
                n + 1
            );
        }
    }
    assert!(read > 10, "read {read} files");
}
