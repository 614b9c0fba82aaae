//! Following Confluence's cursor pagination.
//!
//! A list answer carries `_links.next`, a path relative to the site (v2:
//! `/wiki/api/v2/pages?cursor=..`) or to `_links.context` (v1 search:
//! `/rest/api/search?cursor=..` with context `/wiki`), and sometimes a `Link`
//! header. The next URL is joined to the connection's API base (the site, or
//! `api.atlassian.com/ex/confluence/{cloudId}`), never to `_links.base`, and a
//! link that leaves the API base or repeats is refused.

use crate::errors::{Error, UpstreamError};
use crate::http::Client;
use crate::platform::HttpResponse;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The most results a `fetch-all` returns unless the user sets `max-results`.
pub const DEFAULT_MAX_RESULTS: u64 = 1000;

/// How many empty pages in a row a walk accepts before it gives up: Confluence
/// may thin a page out to nothing by permissions, but not forever.
pub const MAX_EMPTY_PAGES: usize = 20;

/// The raw `next` link of a list answer: `_links.next` in the body, else the
/// `Link` header's `rel="next"`.
pub fn next_link(response: &HttpResponse, body: &Value) -> Option<String> {
    let links = body.get("_links");
    if let Some(next) = links.and_then(|l| l.get("next")).and_then(Value::as_str) {
        let context = links
            .and_then(|l| l.get("context"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if !context.is_empty() && next.starts_with('/') && !next.starts_with(&format!("{context}/"))
        {
            return Some(format!("{context}{next}"));
        }
        return Some(next.to_string());
    }
    response.header("link").and_then(link_header_next)
}

/// The `rel="next"` target of a `Link` header.
fn link_header_next(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            p.trim()
                .replace(' ', "")
                .eq_ignore_ascii_case("rel=\"next\"")
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| target.to_string())
    })
}

/// Turns a `next` link into an absolute URL under the client's API base.
pub fn resolve_next(client: &Client, next: &str) -> Result<String, Error> {
    let base = client.api_base();
    let absolute = if next.starts_with('/') && !next.starts_with("//") {
        // A link that already carries the base's path prefix (`/ex/confluence/{id}/wiki/..`)
        // is joined to the origin; any other is joined to the whole base.
        let origin_end = base.find("://").map_or(0, |i| i + 3);
        let origin = &base[..base[origin_end..]
            .find('/')
            .map_or(base.len(), |i| origin_end + i)];
        let prefix = &base[origin.len()..];
        if !prefix.is_empty() && next.starts_with(&format!("{prefix}/")) {
            format!("{origin}{next}")
        } else {
            format!("{base}{next}")
        }
    } else {
        next.to_string()
    };
    if client.owns(&absolute) {
        Ok(absolute)
    } else {
        Err(Error::Upstream(UpstreamError {
            status: 200,
            message: format!("refused to follow a pagination link that leaves {base}: {next}"),
        }))
    }
}

/// Whether a walk goes on to the next page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Fetch the next page, if there is one.
    Continue,
    /// Stop here.
    Stop,
}

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walked {
    /// The status of the last page.
    pub status: u16,
    /// Whether the visitor stopped the walk while pages remained.
    pub stopped_early: bool,
}

/// Fetches `first_url` and follows its next links, handing each page's
/// `results` to `visit` (which may take them) until it says [`Flow::Stop`]
/// or no page remains.
/// A next link that leaves the API base, or one already fetched, is an error.
pub fn walk(
    client: &Client,
    first_url: &str,
    mut visit: impl FnMut(&mut Vec<Value>) -> Flow,
) -> Result<Walked, Error> {
    let mut seen = HashSet::new();
    let mut url = first_url.to_string();
    let mut empty_in_a_row = 0;
    loop {
        seen.insert(url.clone());
        let (response, mut body) = client.get_json(&url)?;
        let status = response.status;
        let mut page = match body.get_mut("results").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(Error::Upstream(UpstreamError {
                    status,
                    message: "a list answer has no `results` array".to_string(),
                }));
            }
        };
        empty_in_a_row = if page.is_empty() {
            empty_in_a_row + 1
        } else {
            0
        };
        let flow = visit(&mut page);
        let Some(next) = next_link(&response, &body) else {
            return Ok(Walked {
                status,
                stopped_early: false,
            });
        };
        if flow == Flow::Stop {
            return Ok(Walked {
                status,
                stopped_early: true,
            });
        }
        if empty_in_a_row >= MAX_EMPTY_PAGES {
            return Err(Error::Upstream(UpstreamError {
                status,
                message: format!(
                    "Confluence returned {empty_in_a_row} empty pages in a row, each with a next link; stopped to avoid an endless walk"
                ),
            }));
        }
        let next_url = resolve_next(client, &next)?;
        if !seen.insert(next_url.clone()) {
            return Err(Error::Upstream(UpstreamError {
                status,
                message: format!(
                    "Confluence returned the same page link twice ({next}); stopped to avoid a loop"
                ),
            }));
        }
        url = next_url;
    }
}

/// Fetches `first_url` and every following page, up to `max_results` items, and
/// returns `{"results":[..],"truncated":bool}`; `truncated` says that
/// more results existed past `max_results`.
pub fn fetch_all(
    client: &Client,
    first_url: &str,
    max_results: u64,
) -> Result<(u16, Value), Error> {
    let max = usize::try_from(max_results).unwrap_or(usize::MAX);
    let mut results = Vec::new();
    let mut overflowed = false;
    let walked = walk(client, first_url, |page| {
        let room = max.saturating_sub(results.len());
        overflowed |= page.len() > room;
        page.truncate(room);
        results.append(page);
        if results.len() >= max {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })?;
    let mut out = Map::new();
    out.insert("results".to_string(), Value::Array(results));
    out.insert(
        "truncated".to_string(),
        Value::Bool(overflowed || walked.stopped_early),
    );
    Ok((walked.status, Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ScriptedPlatform;

    #[test]
    fn next_from_body_or_link_header() {
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: vec![],
        };
        let body = serde_json::json!({"_links":{"next":"/wiki/api/v2/pages?cursor=abc","base":"https://x.atlassian.net/wiki"}});
        assert_eq!(
            next_link(&response, &body).as_deref(),
            Some("/wiki/api/v2/pages?cursor=abc")
        );
        let v1 = serde_json::json!({"_links":{"next":"/rest/api/search?cursor=x&next=true","context":"/wiki"}});
        assert_eq!(
            next_link(&response, &v1).as_deref(),
            Some("/wiki/rest/api/search?cursor=x&next=true")
        );
        let header = HttpResponse {
            status: 200,
            headers: vec![("link".into(), "</wiki/api/v2/pages?cursor=h>; rel=\"next\", <https://x.atlassian.net/wiki>; rel=\"base\"".into())],
            body: vec![],
        };
        assert_eq!(
            next_link(&header, &serde_json::json!({})).as_deref(),
            Some("/wiki/api/v2/pages?cursor=h")
        );
        assert_eq!(
            next_link(&response, &serde_json::json!({"_links":{}})),
            None
        );
    }

    #[test]
    fn resolves_against_site_or_gateway_never_elsewhere() {
        let platform = ScriptedPlatform::new(vec![]);
        let site = Client::new(&platform, "https://acme.atlassian.net", "x".into());
        assert_eq!(
            resolve_next(&site, "/wiki/api/v2/pages?cursor=a").unwrap(),
            "https://acme.atlassian.net/wiki/api/v2/pages?cursor=a"
        );
        let gateway = Client::new(
            &platform,
            "https://api.atlassian.com/ex/confluence/c1",
            "x".into(),
        );
        assert_eq!(
            resolve_next(&gateway, "/wiki/api/v2/pages?cursor=a").unwrap(),
            "https://api.atlassian.com/ex/confluence/c1/wiki/api/v2/pages?cursor=a"
        );
        assert_eq!(
            resolve_next(&gateway, "/ex/confluence/c1/wiki/api/v2/pages?cursor=a").unwrap(),
            "https://api.atlassian.com/ex/confluence/c1/wiki/api/v2/pages?cursor=a"
        );
        for bad in [
            "https://evil.example/wiki/api/v2/pages",
            "//evil.example/wiki",
            "https://acme.atlassian.net.evil/x",
        ] {
            assert!(resolve_next(&site, bad).is_err(), "{bad}");
        }
        assert!(
            resolve_next(
                &site,
                "https://acme.atlassian.net/wiki/api/v2/pages?cursor=b"
            )
            .is_ok()
        );
    }

    #[test]
    fn a_next_link_cannot_climb_out_of_the_gateway_prefix() {
        // Minimised by fuzzing (fuzz target `responses`): `Link: </..>;rel="next"`.
        let platform = ScriptedPlatform::new(vec![]);
        let gateway = Client::new(
            &platform,
            "https://api.atlassian.com/ex/confluence/c1",
            "x".into(),
        );
        let response = HttpResponse {
            status: 200,
            headers: vec![("link".into(), "</..>;rel=\"next\"".into())],
            body: vec![],
        };
        let next = next_link(&response, &Value::Null).unwrap();
        assert_eq!(next, "/..");
        assert!(resolve_next(&gateway, &next).is_err());
        for bad in [
            "/%2E./api/v2/pages?cursor=h",
            "/wiki/../../c2/wiki/api/v2/pages",
            "https://api.atlassian.com/ex/confluence/c1/../../../oauth/token",
        ] {
            assert!(resolve_next(&gateway, bad).is_err(), "{bad}");
        }
    }

    fn page(
        ids: &[u32],
        next: Option<&str>,
    ) -> Result<HttpResponse, crate::platform::TransportFailure> {
        let results: Vec<Value> = ids
            .iter()
            .map(|id| serde_json::json!({"id": id.to_string()}))
            .collect();
        let mut body = serde_json::json!({"results": results, "_links": {"base": "https://elsewhere.example/wiki"}});
        if let Some(next) = next {
            body["_links"]["next"] = Value::String(next.to_string());
        }
        ScriptedPlatform::json(&body.to_string())
    }

    #[test]
    fn fetch_all_follows_cursors_and_bounds_results() {
        let platform = ScriptedPlatform::new(vec![
            page(&[1, 2], Some("/wiki/api/v2/spaces?cursor=b")),
            page(&[3, 4], Some("/wiki/api/v2/spaces?cursor=c")),
            page(&[5], None),
        ]);
        let client = Client::new(&platform, "https://a.atlassian.net", "x".into());
        let (_, all) =
            fetch_all(&client, "https://a.atlassian.net/wiki/api/v2/spaces", 100).unwrap();
        assert_eq!(all["results"].as_array().unwrap().len(), 5);
        assert_eq!(all["truncated"], false);
        assert_eq!(
            platform.sent()[1].url,
            "https://a.atlassian.net/wiki/api/v2/spaces?cursor=b"
        );

        let platform = ScriptedPlatform::new(vec![
            page(&[1, 2], Some("/wiki/api/v2/spaces?cursor=b")),
            page(&[3, 4], Some("/wiki/api/v2/spaces?cursor=c")),
        ]);
        let client = Client::new(&platform, "https://a.atlassian.net", "x".into());
        let (_, some) =
            fetch_all(&client, "https://a.atlassian.net/wiki/api/v2/spaces", 3).unwrap();
        assert_eq!(some["results"].as_array().unwrap().len(), 3);
        assert_eq!(some["truncated"], true);
        assert_eq!(platform.sent().len(), 2);
    }

    #[test]
    fn fetch_all_stops_on_a_repeated_cursor() {
        let platform = ScriptedPlatform::new(vec![
            page(&[1], Some("/wiki/api/v2/spaces?cursor=b")),
            page(&[2], Some("/wiki/api/v2/spaces?cursor=b")),
        ]);
        let client = Client::new(&platform, "https://a.atlassian.net", "x".into());
        let err =
            fetch_all(&client, "https://a.atlassian.net/wiki/api/v2/spaces", 100).unwrap_err();
        assert!(matches!(err, Error::Upstream(e) if e.message.contains("same page link twice")));
    }

    #[test]
    fn fetch_all_stops_after_too_many_empty_pages() {
        let answers = (0..30)
            .map(|n| page(&[], Some(&format!("/wiki/api/v2/spaces?cursor=e{n}"))))
            .collect();
        let platform = ScriptedPlatform::new(answers);
        let client = Client::new(&platform, "https://a.atlassian.net", "x".into());
        let err =
            fetch_all(&client, "https://a.atlassian.net/wiki/api/v2/spaces", 100).unwrap_err();
        assert!(
            matches!(&err, Error::Upstream(e) if e.message.contains("empty pages")),
            "{err:?}"
        );
        assert_eq!(platform.sent().len(), MAX_EMPTY_PAGES);
    }
}
