//! The `wasi:http` hooks driven directly, with no guest: the allow-list,
//! what an exchange keeps, and replay of a buffered JSON request body.

use crate::local_server;
use bytes::Bytes;
use host_test_harness::http::{CallHooks, HttpMode};
use host_test_harness::{Har, REDACTED, Secrets};
use http_body_util::{BodyExt, Full};
use std::time::Duration;
use wasmtime_wasi_http::{Error as HttpError, WasiBody};

fn request(method: &str, url: &str, auth: Option<&str>, body: &str) -> http::Request<WasiBody> {
    let mut builder = http::Request::builder().method(method).uri(url);
    if let Some(auth) = auth {
        builder = builder.header("authorization", auth);
    }
    let body = Full::new(Bytes::from(body.to_string()))
        .map_err(|never| match never {})
        .boxed_unsync();
    builder.body(body).unwrap()
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn live_mode_refuses_hosts_outside_the_allow_list_and_reaches_the_others() {
    let server = local_server::serve(200, &[], "ok", Duration::ZERO);
    let mode = HttpMode::Live {
        allowed_hosts: vec!["127.0.0.1".into()],
    };
    let hooks = CallHooks::new(&mode, Secrets::new().with("api-token", "s3cret-value"));
    block_on(async {
        let refused = hooks
            .send(request("GET", "http://example.invalid/x", None, ""), None)
            .await;
        assert!(
            matches!(refused, Err(HttpError::HttpRequestDenied)),
            "{refused:?}"
        );

        let url = format!("{}/wiki/api/v2/spaces?q=s3cret-value", server.origin());
        let auth = "Basic YTpiOmM=";
        let res = hooks
            .send(
                request("POST", &url, Some(auth), r#"{"k":"s3cret-value"}"#),
                None,
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"ok");
    });
    let record = hooks.record();
    let record = record.lock().unwrap();
    assert_eq!(record.refused_hosts, vec!["example.invalid".to_string()]);
    assert!(
        record.exchanges[0]
            .error
            .as_deref()
            .unwrap()
            .contains("allow-list")
    );
    let sent = &record.exchanges[1];
    assert_eq!(sent.status, Some(200));
    assert_eq!(sent.header("authorization"), Some(REDACTED));
    // The scheme and the user ("a"), the credential ("b:c") redacted.
    assert_eq!(
        sent.authorization.as_deref(),
        Some("Basic YTpSRURBQ1RFRA==")
    );
    assert!(sent.url.ends_with("?q=REDACTED"), "{}", sent.url);
    assert_eq!(sent.request_body, r#"{"k":"REDACTED"}"#);
    assert!(!format!("{sent:?}").contains("YTpiOmM="));
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, br#"{"k":"s3cret-value"}"#);
}

#[test]
fn off_mode_refuses_everything() {
    let hooks = CallHooks::new(&HttpMode::Off, Secrets::new());
    let res = block_on(hooks.send(request("GET", "https://a.example/", None, ""), None));
    assert!(matches!(res, Err(HttpError::HttpRequestDenied)));
}

#[test]
fn replay_buffers_the_request_body_and_compares_it_as_json() {
    let har = Har::parse(
        r#"{"log":{"entries":[{"request":{"method":"POST","url":"https://a.example/pages",
            "postData":{"mimeType":"application/json","text":"{\"a\":1,\"b\":2}"}},
            "response":{"status":201,"headers":[{"name":"Content-Type","value":"application/json"}],
            "content":{"mimeType":"application/json","text":"{\"id\":\"7\"}"}}}]}}"#,
    )
    .unwrap();
    let hooks = CallHooks::new(&HttpMode::Replay { har, strict: true }, Secrets::new());
    block_on(async {
        let res = hooks
            .send(
                request("POST", "https://a.example/pages", None, r#"{"b":2,"a":1}"#),
                None,
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["content-type"], "application/json");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], br#"{"id":"7"}"#);
    });
    assert!(hooks.unused_entries().is_empty());
}
