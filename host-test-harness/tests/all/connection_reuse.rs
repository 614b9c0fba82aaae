//! Live requests reuse their connections: within a call (every page of a
//! `fetch-all`) and across the calls of one `Host`, counted both by the
//! server (connections accepted) and by the host (connections opened).

use crate::local_server::{serve_json, serve_keep_alive};
use host_test_harness::{CallOptions, Connection, Host};
use serde_json::{Value, json};

const TOKEN: &str = "reuse-token-1234";

/// A fresh host, so its connection count is this test's alone (the
/// compiled component comes from the cache).
fn own_host() -> Host {
    Host::new(Host::default_component_path()).expect("load the component")
}

fn connection(origin: &str) -> Connection {
    Connection::new("basic", json!({"email": "a@b.c", "host": origin}))
}

/// Page `n` of 40 of a v2 page list: one page each, a `next` link until the last.
fn page(target: &str) -> String {
    let n: u32 = target
        .split("cursor=")
        .nth(1)
        .and_then(|c| c.split('&').next())
        .and_then(|c| c.parse().ok())
        .unwrap_or(1);
    let mut body = json!({
        "results": [{"id": n.to_string(), "title": format!("Page {n}"), "status": "current"}],
        "_links": {},
    });
    if n < 40 {
        body["_links"]["next"] = Value::String(format!("/wiki/api/v2/pages?cursor={}", n + 1));
    }
    body.to_string()
}

#[test]
fn a_forty_page_fetch_all_opens_one_connection_and_later_calls_reuse_it() {
    let site = serve_keep_alive(|request| page(&request.target));
    let host = own_host();
    let conn = connection(&site.server.origin());
    let options = CallOptions::live(&["127.0.0.1"]).secret("api-token", TOKEN);

    let outcome = host
        .invoke("list-pages", &conn, r#"{"fetch-all": true}"#, &options)
        .unwrap();
    let output = outcome.result.expect("the listing succeeds");
    let host_test_harness::Body::Json(text) = &output.body else {
        panic!("a JSON body: {:?}", output.body)
    };
    let body: Value = serde_json::from_str(text).unwrap();
    assert_eq!(body["results"].as_array().map(Vec::len), Some(40), "{body}");
    assert_eq!(outcome.exchanges.len(), 40);
    assert_eq!(site.server.received().len(), 40);
    assert_eq!(site.connections(), 1, "40 requests, one connection");
    assert_eq!(host.connections_opened(), 1);

    // The next calls of the same host find the connection open.
    for _ in 0..3 {
        let again = host
            .invoke("list-pages", &conn, r#"{"limit": 5}"#, &options)
            .unwrap();
        assert!(again.result.is_ok(), "{:?}", again.result);
    }
    assert_eq!(site.server.received().len(), 43);
    assert_eq!(site.connections(), 1, "later calls reuse the connection");
    assert_eq!(host.connections_opened(), 1);
}

#[test]
fn a_server_that_closes_its_connections_gets_a_new_one_for_each_request() {
    // `connection: close` on every answer: nothing to reuse, nothing lost.
    let site = serve_json(r#"{"results":[],"_links":{}}"#);
    let host = own_host();
    let conn = connection(&site.origin());
    let options = CallOptions::live(&["127.0.0.1"]).secret("api-token", TOKEN);
    for _ in 0..3 {
        let outcome = host.invoke("list-spaces", &conn, "{}", &options).unwrap();
        assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    }
    assert_eq!(site.received().len(), 3);
    assert_eq!(host.connections_opened(), 3);
}
