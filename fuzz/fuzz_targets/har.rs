//! The host's HAR reader and replay matcher. Input: HAR text, optionally
//! followed by a NUL and one extra request, `METHOD URL` then a newline and
//! the body.
//!
//! Asserts: what parses writes back and parses again to the same text;
//! replaying every entry's own request, in file order, is answered by that
//! very entry (and leaves only unreadable entries unused); an entry that
//! answers an arbitrary request really matches it (method, origin, path,
//! query multiset); a response rebuilt from an entry keeps its status.

#![no_main]

use host_test_harness::Har;
use host_test_harness::har::{Entry, Replayer, RequestKey};
use host_test_harness::http::response_from_entry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (har_text, extra) = match text.split_once('\0') {
        Some((har, extra)) => (har, Some(extra)),
        None => (text, None),
    };
    let Ok(har) = Har::parse(har_text) else {
        return;
    };

    let written = serde_json::to_string_pretty(&har).expect("a parsed HAR serialises");
    let again =
        Har::parse(&written).unwrap_or_else(|e| panic!("written HAR unreadable: {e:#}\n{written}"));
    assert_eq!(serde_json::to_string_pretty(&again).unwrap(), written);

    for entry in &har.log.entries {
        check_response(entry);
    }

    // Every readable entry answers its own request, in order.
    let mut replayer = Replayer::new(har.clone());
    let mut unreadable = 0;
    for (i, entry) in har.log.entries.iter().enumerate() {
        let req = &entry.request;
        // A body recorded as base64 (`_encoding`) is matched on its bytes.
        let body = match req.post_data.as_ref().and_then(|p| p.bytes()) {
            Some(Ok(bytes)) => bytes,
            Some(Err(_)) => continue,
            None => Vec::new(),
        };
        match replayer.answer(&req.method, &req.url, &body) {
            Ok(got) => assert_eq!(
                json(got),
                json(entry),
                "request #{} was answered by another entry",
                i + 1
            ),
            Err(message) => {
                assert!(
                    RequestKey::new(&req.method, &req.url).is_err(),
                    "entry #{} does not answer its own request: {message}",
                    i + 1
                );
                unreadable += 1;
            }
        }
    }
    assert_eq!(replayer.unused().len(), unreadable);

    // An arbitrary request is answered only by an entry it matches.
    if let Some(extra) = extra {
        let (line, body) = extra.split_once('\n').unwrap_or((extra, ""));
        let (method, url) = line.split_once(' ').unwrap_or((line, ""));
        let mut replayer = Replayer::new(har);
        if let Ok(entry) = replayer.answer(method, url, body.as_bytes()) {
            let got = RequestKey::new(method, url).expect("an answered request has a URL");
            let want = RequestKey::new(&entry.request.method, &entry.request.url).unwrap();
            assert_eq!(got.method, want.method);
            assert_eq!(got.origin, want.origin);
            assert_eq!(got.path, want.path);
            assert_eq!(got.query, want.query);
        }
    }
});

fn json(entry: &Entry) -> String {
    serde_json::to_string(entry).unwrap()
}

fn check_response(entry: &Entry) {
    let res = &entry.response;
    match response_from_entry(entry) {
        Ok(response) => {
            assert_eq!(response.status().as_u16(), res.status);
            let body_ok = res.content.bytes().is_ok();
            assert!(body_ok);
        }
        Err(_) => {
            // Only an impossible status or undecodable base64 may fail the rebuild.
            assert!(
                !(100..=999).contains(&res.status) || res.content.bytes().is_err(),
                "status {} with a readable body did not rebuild",
                res.status
            );
        }
    }
}
