//! Reading a Confluence site address the way people type it.
//!
//! `acme.atlassian.net`, `https://acme.atlassian.net`, `https://acme.atlassian.net/` and
//! `https://acme.atlassian.net/wiki` all mean the same site; anything that would send the
//! credentials somewhere unexpected (another scheme, a user name, a path, a query) is refused
//! with a message that says what to type instead.

use url::{Host, Url};

/// What the error messages suggest typing.
const EXAMPLE: &str = "acme.atlassian.net";

/// Normalises a typed site address to its origin, such as `https://acme.atlassian.net`.
///
/// Plain `http://` is accepted only for loopback hosts, so tests can point the
/// connector at a local server.
pub fn normalise_site(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    // What messages quote of the address.
    let shown = connector_sdk::text::quoted(trimmed);
    if trimmed.is_empty() {
        return Err(format!(
            "the site address is empty: type your Confluence site, such as {EXAMPLE}"
        ));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let url = Url::parse(&with_scheme).map_err(|e| {
        format!(
            "`{shown}` is not a site address ({e}): type your Confluence site, such as {EXAMPLE}"
        )
    })?;
    let host = url.host().ok_or_else(|| {
        format!("`{shown}` has no host name: type your Confluence site, such as {EXAMPLE}")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(format!(
                "`{shown}` uses http://, which would send the credentials unencrypted: type https://{} instead",
                url.host_str().unwrap_or(EXAMPLE)
            ));
        }
        other => {
            return Err(format!(
                "`{shown}` uses the scheme `{other}`: type an https:// address, such as https://{EXAMPLE}"
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{shown}` contains a user name or password: type only the site, such as {EXAMPLE}; \
             the e-mail and API token have fields of their own"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{shown}` has a query or fragment: type only the site, such as {EXAMPLE}"
        ));
    }
    let path = url.path().trim_end_matches('/');
    if !(path.is_empty() || path.eq_ignore_ascii_case("/wiki")) {
        return Err(format!(
            "`{shown}` has the path `{}`: type only the site, such as {}, without a page or space path",
            url.path(),
            url.origin().ascii_serialization()
        ));
    }
    if let Host::Domain(name) = &host
        && !name.contains('.')
        && !is_loopback(&host)
    {
        return Err(format!(
            "`{shown}` is not a full host name: type the whole site address, such as {name}.atlassian.net"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

/// A site address reduced for comparison: lower-case host (and port), no scheme,
/// no trailing slash, no `/wiki`. Used to match an API Site Override against a
/// site's URL.
pub fn comparable(address: &str) -> String {
    let lower = address.trim().to_ascii_lowercase();
    let without_scheme = lower
        .split_once("://")
        .map_or(lower.as_str(), |(_, rest)| rest);
    let trimmed = without_scheme.trim_end_matches('/');
    trimmed.strip_suffix("/wiki").unwrap_or(trimmed).to_string()
}

/// Whether `host` is this machine.
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Checks that `path` names a resource on the connected site and cannot be
/// turned into another address: it starts with one `/`, has no scheme, user
/// info, backslash, fragment, whitespace or control character, and no `.` or
/// `..` segment (also percent-encoded).
pub fn check_path(path: &str) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "{why}; give only a path on the connected site, such as /wiki/api/v2/attachments (the site's address is added for you, and the credentials never leave it)"
        ))
    };
    if !path.starts_with('/') {
        return refuse("the URL must be a path starting with /, not a full address");
    }
    if path.starts_with("//") {
        return refuse("a URL starting with // names another host");
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("the URL contains whitespace or a control character");
    }
    if path.contains(['\\', '#']) {
        return refuse("the URL contains a backslash or a fragment (#)");
    }
    let route = path.split('?').next().unwrap_or_default();
    if route.contains('@') {
        return refuse("the URL contains @, which could carry user info");
    }
    let dot_segment = route.split('/').any(|segment| {
        let decoded: String = url::form_urlencoded::parse(format!("x={segment}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        decoded == "." || decoded == ".." || segment.to_ascii_lowercase().contains("%2f")
    });
    if dot_segment {
        return refuse("the URL contains a . or .. segment or an encoded /");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_forms() {
        for typed in [
            "acme.atlassian.net",
            "https://acme.atlassian.net",
            "https://acme.atlassian.net/",
            "https://acme.atlassian.net/wiki",
            "https://acme.atlassian.net/wiki/",
            "  HTTPS://ACME.atlassian.net/wiki  ",
        ] {
            assert_eq!(
                normalise_site(typed).as_deref(),
                Ok("https://acme.atlassian.net"),
                "{typed}"
            );
        }
    }

    #[test]
    fn keeps_ports_and_allows_loopback_http() {
        assert_eq!(
            normalise_site("http://127.0.0.1:8080").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalise_site("http://localhost:9/wiki").as_deref(),
            Ok("http://localhost:9")
        );
        assert_eq!(
            normalise_site("http://[::1]:80").as_deref(),
            Ok("http://[::1]")
        );
        assert_eq!(
            normalise_site("https://wiki.example.com:8443").as_deref(),
            Ok("https://wiki.example.com:8443")
        );
    }

    #[test]
    fn refuses_what_is_not_a_site() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            (
                "http://acme.atlassian.net",
                "https://acme.atlassian.net instead",
            ),
            ("ftp://acme.atlassian.net", "scheme `ftp`"),
            (
                "https://user:pw@acme.atlassian.net",
                "user name or password",
            ),
            ("https://me@acme.atlassian.net", "user name or password"),
            ("https://acme.atlassian.net/wiki/spaces/ENG", "path"),
            ("https://acme.atlassian.net/other", "path"),
            ("https://acme.atlassian.net/?x=1", "query"),
            ("https://acme.atlassian.net/#top", "fragment"),
            ("acme", "acme.atlassian.net"),
            ("https://", "not a site address"),
            ("acme atlassian.net", "not a site address"),
        ];
        for (typed, expected) in cases {
            let err = normalise_site(typed).expect_err(typed);
            assert!(err.contains(expected), "{typed}: {err}");
        }
    }

    #[test]
    fn comparable_ignores_case_scheme_slash_and_wiki() {
        for typed in [
            "https://ACME.atlassian.net/",
            "acme.atlassian.net",
            "http://acme.atlassian.net/wiki",
        ] {
            assert_eq!(comparable(typed), "acme.atlassian.net");
        }
    }

    #[test]
    fn only_paths_on_the_site_pass() {
        for good in [
            "/wiki/api/v2/attachments",
            "/wiki/rest/api/search?cql=type%3Dpage",
            "/gateway/api/graphql",
            "/wiki/api/v2/pages/1..2",
        ] {
            assert!(check_path(good).is_ok(), "{good}");
        }
        for bad in [
            "https://evil.example/wiki",
            "//evil.example/wiki",
            "evil.example/wiki",
            "/wiki/../../oauth/token",
            "/wiki/%2e%2E/x",
            "/wiki/%2fevil",
            "/@evil.example/",
            "/wiki\\..\\x",
            "/wiki#x",
            "/wiki /x",
            "/wiki/./x",
            "",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }
}
