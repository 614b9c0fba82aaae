//! Every Confluence answer the component reads. Input layout: two bytes of
//! status (big-endian), then NUL-separated parts: the body, a `Link` header,
//! a `Retry-After` value, and an API Site Override. Missing parts are absent.
//!
//! Asserts: error messages are never empty and stay within their cap; the
//! status picks the error case; `parse_json` agrees with serde_json; a
//! resolved next link is under the client's base even after URL normalisation;
//! accessible sites have safe cloud ids and `choose_site` picks one of them
//! that matches; `Retry-After` values are read as documented and clamped.

#![no_main]

mod common;

use common::{NoPlatform, assert_under, clients};
use confluence_connector::connection::{self, GATEWAY};
use confluence_connector::errors::{self, Error};
use connector_sdk::platform::{HttpResponse, Method};
use connector_sdk::retry::{self, Decision, Outcome, RetryPolicy};
use confluence_connector::{http, paging, site};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Some((status, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = u16::from_be_bytes(*status);
    let mut parts = rest.split(|&b| b == 0);
    let body = parts.next().unwrap_or_default();
    let mut text = || {
        parts
            .next()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
    let (link, retry_after, wanted) = (text(), text(), text());

    check_errors(status, body, retry_after.as_deref());

    let response = HttpResponse {
        status,
        headers: link.into_iter().map(|l| ("link".to_string(), l)).collect(),
        body: body.to_vec(),
    };
    let json = match http::parse_json(&response) {
        Ok(json) => {
            assert_eq!(
                Some(&json),
                serde_json::from_slice::<Value>(body).ok().as_ref()
            );
            json
        }
        Err(Error::Upstream(e)) => {
            assert!(serde_json::from_slice::<Value>(body).is_err());
            assert_eq!(e.status, status);
            Value::Null
        }
        Err(other) => panic!("parse_json gave {other:?}"),
    };

    let platform = NoPlatform;
    if let Some(next) = paging::next_link(&response, &json) {
        for client in clients(&platform) {
            if let Ok(url) = paging::resolve_next(&client, &next) {
                assert_under(&client, &url, "");
            }
        }
    }

    if let Ok(sites) = connection::accessible_sites(&json) {
        check_sites(&sites, wanted.as_deref());
    }
});

fn check_errors(status: u16, body: &[u8], retry_after: Option<&str>) {
    let message = errors::message_from_body(status, body);
    assert!(!message.is_empty());
    assert!(
        message.chars().count() <= 1001,
        "{} chars",
        message.chars().count()
    );

    let secs = retry_after.and_then(|v| retry::parse_retry_after(v, 1_700_000_000));
    if let Some(v) = retry_after {
        let v = v.trim();
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            assert_eq!(secs, Some(v.parse().unwrap_or(u64::MAX)));
        }
        // The same date, read at the epoch and much later, never grows.
        if let (Some(early), Some(late)) = (
            retry::parse_retry_after(v, 0),
            retry::parse_retry_after(v, u64::MAX),
        ) {
            assert!(late <= early);
        }
    }
    let policy = RetryPolicy::default();
    match policy.decide(
        Method::Get,
        0,
        Outcome::Status(429, secs),
        u64::from(status),
    ) {
        Decision::RetryAfter(wait) => assert!(wait <= Duration::from_secs(30), "{wait:?}"),
        Decision::GiveUp => panic!("a first 429 is always retried"),
    }

    let reported = secs.map(|s| s.min(retry::MAX_REPORTED_RETRY_AFTER_SECS));
    let same = |m: &String| *m == message;
    match (status, errors::from_status(status, body, reported)) {
        (401, Error::Unauthorized(m))
        | (403, Error::Forbidden(m))
        | (404, Error::NotFound(m))
        | (409, Error::Conflict(m)) => assert!(same(&m)),
        (429, Error::RateLimited(r)) => {
            assert!(same(&r.message));
            assert_eq!(r.retry_after_seconds, reported);
        }
        (s, Error::Upstream(u)) if ![401, 403, 404, 409, 429].contains(&s) => {
            assert_eq!(u.status, s);
            assert!(same(&u.message));
        }
        (s, other) => panic!("status {s} mapped to {other:?}"),
    }
}

fn check_sites(sites: &[connection::AccessibleSite], wanted: Option<&str>) {
    assert!(!sites.is_empty());
    let platform = NoPlatform;
    for s in sites {
        assert!(
            !s.id.is_empty() && s.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "cloud id {:?}",
            s.id
        );
        // The API base a chosen site gets is one fixed-depth path under the gateway.
        let base = format!("{GATEWAY}/ex/confluence/{}", s.id);
        let client = confluence_connector::http::Client::new(&platform, &base, "x".into());
        assert_under(&client, &format!("{base}/wiki/api/v2/spaces"), "/wiki/");
    }
    assert_eq!(connection::choose_site(sites, None).ok(), Some(&sites[0]));
    if let Some(wanted) = wanted
        && let Ok(chosen) = connection::choose_site(sites, Some(wanted))
    {
        assert!(sites.iter().any(|s| std::ptr::eq(s, chosen)));
        assert!(
            chosen.name.eq_ignore_ascii_case(wanted.trim())
                || site::comparable(&chosen.url) == site::comparable(wanted),
            "{wanted:?} chose {chosen:?}"
        );
    }
}
