//! Site addresses and raw-request paths, as a user types them.
//!
//! `normalise_site`: an accepted address becomes an origin (`https://host`,
//! or `http://` for a loopback host) with no path, user info, query or
//! fragment, and normalising it again gives it back unchanged.
//! `check_path`: an accepted path, appended to the site, still names the site
//! and keeps every segment (no `.`/`..` the URL parser would resolve).

#![no_main]

use confluence_connector::site;
use libfuzzer_sys::fuzz_target;
use url::{Host, Url};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = site::comparable(text);
    if let Ok(origin) = site::normalise_site(text) {
        check_origin(text, &origin);
    }
    if site::check_path(text).is_ok() {
        check_on_site(text);
    }
});

fn check_origin(typed: &str, origin: &str) {
    let url = Url::parse(origin).unwrap_or_else(|e| panic!("{typed:?} gave {origin:?}: {e}"));
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{typed:?} -> {origin}"
    );
    assert!(
        url.query().is_none() && url.fragment().is_none(),
        "{typed:?} -> {origin}"
    );
    assert_eq!(url.path(), "/", "{typed:?} -> {origin}");
    assert_eq!(url.origin().ascii_serialization(), origin, "{typed:?}");
    let host = url
        .host()
        .unwrap_or_else(|| panic!("{typed:?} -> {origin} has no host"));
    match url.scheme() {
        "https" => {}
        "http" => assert!(
            match host {
                Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
                Host::Ipv4(ip) => ip.is_loopback(),
                Host::Ipv6(ip) => ip.is_loopback(),
            },
            "{typed:?} -> plain http to {origin}"
        ),
        other => panic!("{typed:?} -> scheme {other}"),
    }
    assert_eq!(
        site::normalise_site(origin).as_deref(),
        Ok(origin),
        "{typed:?}"
    );
}

fn check_on_site(path: &str) {
    let full = format!("https://acme.atlassian.net{path}");
    let url = Url::parse(&full).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(url.host_str(), Some("acme.atlassian.net"), "{path:?}");
    assert_eq!(url.port(), None, "{path:?}");
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{path:?}"
    );
    assert!(url.fragment().is_none(), "{path:?}");
    let route = path.split('?').next().unwrap_or_default();
    let kept = url.path().split('/').count();
    assert_eq!(
        kept,
        route.split('/').count(),
        "{path:?} normalises to {}",
        url.path()
    );
    assert!(
        !url.path().split('/').any(|s| s == "." || s == ".."),
        "{path:?} -> {}",
        url.path()
    );
}
