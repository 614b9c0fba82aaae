//! HAR reading and the replay matcher, without a component.

use host_test_harness::har::{Har, Replayer};

fn har(entries: &str) -> Har {
    Har::parse(&format!(r#"{{"log":{{"entries":[{entries}]}}}}"#)).unwrap()
}

fn entry(method: &str, url: &str, post: Option<(&str, &str)>, body: &str) -> String {
    let post = post
        .map(|(mime, text)| {
            format!(
                r#","postData":{{"mimeType":{},"text":{}}}"#,
                serde_json::to_string(mime).unwrap(),
                serde_json::to_string(text).unwrap()
            )
        })
        .unwrap_or_default();
    format!(
        r#"{{"request":{{"method":"{method}","url":"{url}"{post}}},
            "response":{{"status":200,"content":{{"mimeType":"application/json","text":{}}}}}}}"#,
        serde_json::to_string(body).unwrap()
    )
}

#[test]
fn lenient_reading_defaults_missing_fields() {
    let h = har(&entry("GET", "https://a.example/x", None, "{}"));
    let e = &h.log.entries[0];
    assert_eq!(e.request.http_version, "HTTP/1.1");
    assert!(e.request.headers.is_empty());
    assert_eq!(e.response.status_text, "");
    assert_eq!(h.log.version, "1.2");
}

#[test]
fn query_parameters_match_in_any_order_after_decoding() {
    let mut r = Replayer::new(har(&entry(
        "GET",
        "https://a.example/wiki/api/v2/pages?space-id=1&space-id=2&title=Hello%20World",
        None,
        r#"{"n":1}"#,
    )));
    let e = r
        .answer(
            "GET",
            "https://a.example/wiki/api/v2/pages?title=Hello+World&space-id=2&space-id=1",
            b"",
        )
        .unwrap();
    assert_eq!(e.response.content.text.as_deref(), Some(r#"{"n":1}"#));
}

#[test]
fn query_multiset_counts_repeats() {
    let mut r = Replayer::new(har(&entry(
        "GET",
        "https://a.example/p?id=1&id=1",
        None,
        "{}",
    )));
    assert!(r.answer("GET", "https://a.example/p?id=1", b"").is_err());
    assert!(
        r.answer("GET", "https://a.example/p?id=1&id=1", b"")
            .is_ok()
    );
}

#[test]
fn origin_and_port_must_match() {
    let mut r = Replayer::new(har(&entry("GET", "https://a.example/p", None, "{}")));
    assert!(r.answer("GET", "http://a.example/p", b"").is_err());
    assert!(r.answer("GET", "https://a.example:8443/p", b"").is_err());
    assert!(r.answer("GET", "https://a.example:443/p", b"").is_ok());
}

#[test]
fn json_bodies_compare_as_json() {
    let mut r = Replayer::new(har(&entry(
        "POST",
        "https://a.example/pages",
        Some(("application/json", r#"{"a": 1, "b": [1, 2]}"#)),
        "{}",
    )));
    assert!(
        r.answer("POST", "https://a.example/pages", br#"{"b":[2,1],"a":1}"#)
            .is_err()
    );
    let miss = r
        .answer("POST", "https://a.example/pages", br#"{"a":2,"b":[1,2]}"#)
        .unwrap_err();
    assert!(miss.contains("request body differs"), "{miss}");
    assert!(
        r.answer("POST", "https://a.example/pages", br#"{"b":[1,2],"a":1}"#)
            .is_ok()
    );
}

#[test]
fn other_bodies_compare_as_text() {
    let mut r = Replayer::new(har(&entry(
        "PUT",
        "https://a.example/f",
        Some(("text/plain", "hello")),
        "",
    )));
    assert!(r.answer("PUT", "https://a.example/f", b"hello ").is_err());
    assert!(r.answer("PUT", "https://a.example/f", b"hello").is_ok());
}

#[test]
fn each_entry_answers_once_in_file_order() {
    let entries = [
        entry("GET", "https://a.example/p", None, "first"),
        entry("GET", "https://a.example/p", None, "second"),
    ]
    .join(",");
    let mut r = Replayer::new(har(&entries));
    let first = r.answer("GET", "https://a.example/p", b"").unwrap();
    assert_eq!(first.response.content.text.as_deref(), Some("first"));
    let second = r.answer("GET", "https://a.example/p", b"").unwrap();
    assert_eq!(second.response.content.text.as_deref(), Some("second"));
    let miss = r.answer("GET", "https://a.example/p", b"").unwrap_err();
    assert!(miss.contains("already used"), "{miss}");
}

#[test]
fn a_miss_names_the_request_and_the_closest_entry() {
    let entries = [
        entry("DELETE", "https://a.example/wiki/api/v2/pages/1", None, ""),
        entry(
            "GET",
            "https://a.example/wiki/api/v2/spaces?limit=50",
            None,
            "{}",
        ),
        entry("GET", "https://b.example/other", None, "{}"),
    ]
    .join(",");
    let mut r = Replayer::new(har(&entries));
    let miss = r
        .answer("GET", "https://a.example/wiki/api/v2/spaces?limit=25", b"")
        .unwrap_err();
    assert!(
        miss.contains("GET https://a.example/wiki/api/v2/spaces?limit=25"),
        "{miss}"
    );
    assert!(miss.contains("entry #2"), "{miss}");
    assert!(miss.contains("entry has limit=50"), "{miss}");
    assert!(miss.contains("request has limit=25"), "{miss}");
}

#[test]
fn unused_entries_are_listed_for_strict_mode() {
    let entries = [
        entry("GET", "https://a.example/1", None, ""),
        entry("GET", "https://a.example/2", None, ""),
    ]
    .join(",");
    let mut r = Replayer::new(har(&entries));
    r.answer("GET", "https://a.example/2", b"").unwrap();
    assert_eq!(r.unused(), vec!["#1 GET https://a.example/1".to_string()]);
}

#[test]
fn base64_content_decodes_and_rebuilt_responses_drop_hop_by_hop_headers() {
    let h = Har::parse(
        r#"{"log":{"entries":[{"request":{"method":"GET","url":"https://a.example/f"},
        "response":{"status":201,"statusText":"Created","headers":[
            {"name":"Content-Type","value":"application/octet-stream"},
            {"name":"Content-Length","value":"999"},
            {"name":"Content-Encoding","value":"gzip"},
            {"name":"Transfer-Encoding","value":"chunked"},
            {"name":"X-Kept","value":"yes"}],
        "content":{"mimeType":"application/octet-stream","text":"AAEC","encoding":"base64"}}}]}}"#,
    )
    .unwrap();
    let entry = &h.log.entries[0];
    assert_eq!(entry.response.content.bytes().unwrap(), vec![0, 1, 2]);
    let res = host_test_harness::http::response_from_entry(entry).unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("content-length").is_none());
    assert!(res.headers().get("content-encoding").is_none());
    assert!(res.headers().get("transfer-encoding").is_none());
    assert_eq!(res.headers().get("x-kept").unwrap(), "yes");
}

#[test]
fn har_round_trips_through_write_and_read() {
    let h = har(&entry("GET", "https://a.example/p?x=1", None, "{}"));
    let path = std::env::temp_dir().join(format!("har-roundtrip-{}.har", std::process::id()));
    h.write(&path).unwrap();
    let back = Har::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back.log.entries.len(), 1);
    assert_eq!(back.log.entries[0].request.url, "https://a.example/p?x=1");
}
