//! Following a list's pages: where the next page is comes from the client's
//! [`Api`] (the `Link` header's `rel="next"` by default, a connector's own
//! body links otherwise), and so do a page's items and their ids. The next URL
//! is joined to the connection's API base (an origin, or an origin and a path
//! prefix such as a gateway's `/ex/service/{id}`), and a link that leaves the
//! API base, repeats, or brings back items already read is refused.
//!
//! Pages are read shallowly ([`ListPage`]): each item stays the JSON text the
//! service sent, so a `fetch-all` copies items into its answer instead of
//! parsing every one into a tree and writing it out again.

use crate::errors::{Error, UpstreamError};
use crate::http::{Api, Client, parse_json_from};
use crate::platform::{HttpResponse, Method};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The most results a `fetch-all` returns unless the user sets `max-results`.
pub const DEFAULT_MAX_RESULTS: u64 = 1000;

/// How many empty pages in a row a walk accepts before it gives up: a service
/// may thin a page out to nothing by permissions, but not forever.
pub const MAX_EMPTY_PAGES: usize = 20;

/// The `rel="next"` target of a `Link` header (RFC 8288), as [`Api::next_link`]
/// reads it by default.
pub fn link_header_next(header: &str) -> Option<String> {
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

/// One page of a list answer, read shallowly.
pub struct ListPage<'b> {
    /// The items, each the JSON text the service sent for it.
    pub items: Vec<&'b RawValue>,
    /// The answer without its items (links, counts), as [`Api::next_link`]
    /// reads it; `null` when the answer is a bare array.
    pub rest: Value,
}

impl<'b> ListPage<'b> {
    /// The page of an object answer whose `key` field is the array of items,
    /// such as `{"results": [..], "_links": {..}}`; `None` when `body` is not
    /// such an object.
    pub fn of_field(body: &'b str, key: &str) -> Option<ListPage<'b>> {
        let mut fields: BTreeMap<String, &'b RawValue> = serde_json::from_str(body).ok()?;
        let items = serde_json::from_str(fields.remove(key)?.get()).ok()?;
        let rest = fields
            .into_iter()
            .map(|(name, value)| Some((name, serde_json::from_str(value.get()).ok()?)))
            .collect::<Option<Map<String, Value>>>()?;
        Some(ListPage {
            items,
            rest: Value::Object(rest),
        })
    }

    /// The items parsed into values, for a reader that needs more of them
    /// than their text.
    pub fn values(&self) -> Result<Vec<Value>, serde_json::Error> {
        self.items
            .iter()
            .map(|item| serde_json::from_str(item.get()))
            .collect()
    }

    /// The page of an answer that is a bare JSON array of items.
    pub fn of_array(body: &'b str) -> Option<ListPage<'b>> {
        Some(ListPage {
            items: serde_json::from_str(body).ok()?,
            rest: Value::Null,
        })
    }
}

/// Reads a list answer of `api`'s service shallowly ([`Api::items`]). An
/// answer that is not JSON, or holds no list, is an upstream error.
pub fn read_page<'b>(api: &dyn Api, response: &'b HttpResponse) -> Result<ListPage<'b>, Error> {
    let page = std::str::from_utf8(&response.body)
        .ok()
        .and_then(|text| api.items(text));
    page.ok_or_else(|| match parse_json_from(api.name(), response) {
        Err(not_json) => not_json,
        Ok(_) => Error::Upstream(UpstreamError {
            status: response.status,
            message: format!("a list answer from {} holds no list of items", api.name()),
        }),
    })
}

/// The string or integer at `path` (object keys, outermost first) in the JSON
/// text `item`, as text: `Some("42")` for `"42"` and for `42`; `None` when
/// there is none. The item is scanned once and nothing is kept of the rest.
pub fn field_text(item: &RawValue, path: &[&str]) -> Option<String> {
    let mut reader = serde_json::Deserializer::from_str(item.get());
    Pick(path).deserialize(&mut reader).ok().flatten()
}

/// Picks the scalar at a path of object keys, skipping everything else.
struct Pick<'p>(&'p [&'p str]);

impl<'de> DeserializeSeed<'de> for Pick<'_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pick<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<String>, E> {
        Ok(self.0.is_empty().then(|| v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Option<String>, E> {
        Ok(self.0.is_empty().then(|| v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Option<String>, E> {
        Ok(self.0.is_empty().then(|| v.to_string()))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let mut found = None;
        let wanted = self.0.first().copied();
        while let Some(matched) = map.next_key_seed(KeyIs(wanted))? {
            if matched && found.is_none() {
                found = map.next_value_seed(Pick(&self.0[1..]))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Reads an object key and says whether it is the one wanted.
struct KeyIs<'k>(Option<&'k str>);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(self.0 == Some(v))
    }
}

/// Turns a `next` link into an absolute URL under the client's API base.
pub fn resolve_next(client: &Client, next: &str) -> Result<String, Error> {
    let base = client.api_base();
    let absolute = if next.starts_with('/') && !next.starts_with("//") {
        // A link that already carries the base's path prefix (`/ex/service/{id}/api/..`)
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

/// What one paged walk has met so far, so that a server cannot send it round
/// in circles: a hash of every link fetched, a hash of every page's item ids,
/// and how many empty pages came in a row. A walk refuses a next link it has
/// fetched before (A → B → A), a page of items it has read before (fresh
/// cursors over the same items), and [`MAX_EMPTY_PAGES`] empty pages in a row.
/// It serialises, so a sync keeps it in its state between batches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LoopGuard {
    /// Hashes of the links fetched.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    links: BTreeSet<u64>,
    /// Hashes of the item ids of each non-empty page read.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pages: BTreeSet<u64>,
    /// Empty pages in a row, up to the last one read.
    #[serde(default)]
    empty_in_a_row: usize,
}

impl LoopGuard {
    /// Notes the page fetched from `url` with these `results`; `has_next` says
    /// whether it links to another. Fails when the page repeats one this walk
    /// has read, or is one empty page too many while the server keeps linking on.
    pub fn page(
        &mut self,
        api: &dyn Api,
        url: &str,
        results: &[&RawValue],
        has_next: bool,
        status: u16,
    ) -> Result<(), Error> {
        self.links.insert(crate::hash::fnv1a(url));
        if results.is_empty() {
            self.empty_in_a_row += 1;
            if has_next && self.empty_in_a_row >= MAX_EMPTY_PAGES {
                return Err(loop_error(
                    status,
                    format!(
                        "{} returned {} empty pages in a row, each with a next link; stopped to avoid an endless walk",
                        api.name(),
                        self.empty_in_a_row
                    ),
                ));
            }
            return Ok(());
        }
        self.empty_in_a_row = 0;
        if let Some(key) = page_key(api, results)
            && !self.pages.insert(key)
        {
            return Err(loop_error(
                status,
                format!(
                    "{} returned a page of items this walk has already read (at {}); stopped to avoid a loop",
                    api.name(),
                    crate::text::clip(url, SHOWN_LINK_CHARS)
                ),
            ));
        }
        Ok(())
    }

    /// Checks `next_url` (resolved from the raw link `next`) before it is
    /// followed: a link this walk has fetched before is refused.
    pub fn follow(
        &self,
        api: &dyn Api,
        next_url: &str,
        next: &str,
        status: u16,
    ) -> Result<(), Error> {
        if self.links.contains(&crate::hash::fnv1a(next_url)) {
            return Err(loop_error(
                status,
                format!(
                    "{} returned a page link this walk has already followed ({}); stopped to avoid a loop",
                    api.name(),
                    crate::text::clip(next, SHOWN_LINK_CHARS)
                ),
            ));
        }
        Ok(())
    }
}

/// A hash of the ids of a page's items (as [`Api::item_id`] finds them), or
/// `None` when no item has one.
fn page_key(api: &dyn Api, results: &[&RawValue]) -> Option<u64> {
    let mut ids = String::new();
    for id in results.iter().filter_map(|item| api.item_id(item)) {
        ids.push_str(&id);
        ids.push(',');
    }
    (!ids.is_empty()).then(|| crate::hash::fnv1a(&ids))
}

/// How much of a link an error message quotes.
const SHOWN_LINK_CHARS: usize = 200;

fn loop_error(status: u16, message: String) -> Error {
    Error::Upstream(UpstreamError { status, message })
}

/// Fetches `first_url` and follows its next links, handing each page's
/// items (their JSON text, see [`ListPage`]) to `visit` until it says
/// [`Flow::Stop`] or no page remains.
/// A next link that leaves the API base, and a walk that goes round in
/// circles (see [`LoopGuard`]), are errors.
pub fn walk(
    client: &Client,
    first_url: &str,
    mut visit: impl FnMut(&[&RawValue]) -> Flow,
) -> Result<Walked, Error> {
    let mut guard = LoopGuard::default();
    let mut url = first_url.to_string();
    loop {
        let response = client.send_json(Method::Get, &url, None)?;
        let status = response.status;
        let api = client.api();
        let page = read_page(api, &response)?;
        let next = api.next_link(&response, &page.rest);
        guard.page(api, &url, &page.items, next.is_some(), status)?;
        let flow = visit(&page.items);
        let Some(next) = next else {
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
        let next_url = resolve_next(client, &next)?;
        guard.follow(api, &next_url, &next, status)?;
        url = next_url;
    }
}

/// Fetches `first_url` and every following page, up to `max_results` items, and
/// returns the JSON text `{"results":[..],"truncated":bool}`, each item as the
/// service sent it; `truncated` says that more results existed past
/// `max_results`.
pub fn fetch_all(
    client: &Client,
    first_url: &str,
    max_results: u64,
) -> Result<(u16, String), Error> {
    let max = usize::try_from(max_results).unwrap_or(usize::MAX);
    let mut out = String::from("{\"results\":[");
    let mut count = 0usize;
    let mut overflowed = false;
    let walked = walk(client, first_url, |items| {
        let room = max.saturating_sub(count);
        overflowed |= items.len() > room;
        for item in items.iter().take(room) {
            if count > 0 {
                out.push(',');
            }
            out.push_str(item.get());
            count += 1;
        }
        if count >= max {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })?;
    let truncated = overflowed || walked.stopped_early;
    out.push_str(&format!("],\"truncated\":{truncated}}}"));
    Ok((walked.status, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::HttpResponse;
    use crate::testing::ScriptedPlatform;

    /// A service whose list answers link on in `_links.next`.
    struct Linked;

    impl Api for Linked {
        fn next_link(&self, _: &HttpResponse, body: &Value) -> Option<String> {
            body.pointer("/_links/next")?.as_str().map(str::to_string)
        }
    }

    #[test]
    fn the_default_next_link_is_the_link_header() {
        let header = HttpResponse {
            status: 200,
            headers: vec![(
                "link".into(),
                "</api/items?cursor=h>; rel=\"next\", <https://x.example.com/api>; rel=\"base\""
                    .into(),
            )],
            body: vec![],
        };
        let body = serde_json::json!({"_links": {"next": "/ignored"}});
        assert_eq!(
            crate::http::AnyService.next_link(&header, &body).as_deref(),
            Some("/api/items?cursor=h")
        );
        assert_eq!(link_header_next("<a>; rel=\"prev\""), None);
    }

    #[test]
    fn resolves_against_site_or_gateway_never_elsewhere() {
        let platform = ScriptedPlatform::new(vec![]);
        let site = Client::new(&platform, "https://acme.example.com", "x".into()).with_api(&Linked);
        assert_eq!(
            resolve_next(&site, "/wiki/api/v2/pages?cursor=a").unwrap(),
            "https://acme.example.com/wiki/api/v2/pages?cursor=a"
        );
        let gateway = Client::new(
            &platform,
            "https://gateway.example.com/ex/service/c1",
            "x".into(),
        )
        .with_api(&Linked);
        assert_eq!(
            resolve_next(&gateway, "/wiki/api/v2/pages?cursor=a").unwrap(),
            "https://gateway.example.com/ex/service/c1/wiki/api/v2/pages?cursor=a"
        );
        assert_eq!(
            resolve_next(&gateway, "/ex/service/c1/wiki/api/v2/pages?cursor=a").unwrap(),
            "https://gateway.example.com/ex/service/c1/wiki/api/v2/pages?cursor=a"
        );
        for bad in [
            "https://evil.example/wiki/api/v2/pages",
            "//evil.example/wiki",
            "https://acme.example.com.evil/x",
        ] {
            assert!(resolve_next(&site, bad).is_err(), "{bad}");
        }
        assert!(resolve_next(&site, "https://acme.example.com/wiki/api/v2/pages?cursor=b").is_ok());
    }

    #[test]
    fn a_next_link_cannot_climb_out_of_the_gateway_prefix() {
        // Minimised by fuzzing (fuzz target `responses`): `Link: </..>;rel="next"`.
        let platform = ScriptedPlatform::new(vec![]);
        let gateway = Client::new(
            &platform,
            "https://gateway.example.com/ex/service/c1",
            "x".into(),
        )
        .with_api(&Linked);
        let response = HttpResponse {
            status: 200,
            headers: vec![("link".into(), "</..>;rel=\"next\"".into())],
            body: vec![],
        };
        let next = crate::http::AnyService
            .next_link(&response, &Value::Null)
            .unwrap();
        assert_eq!(next, "/..");
        assert!(resolve_next(&gateway, &next).is_err());
        for bad in [
            "/%2E./api/v2/pages?cursor=h",
            "/wiki/../../c2/wiki/api/v2/pages",
            "https://gateway.example.com/ex/service/c1/../../../oauth/token",
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
        let client = Client::new(&platform, "https://a.example.com", "x".into()).with_api(&Linked);
        let (_, all) = fetch_all(&client, "https://a.example.com/wiki/api/v2/spaces", 100).unwrap();
        let all: Value = serde_json::from_str(&all).unwrap();
        assert_eq!(all["results"].as_array().unwrap().len(), 5);
        assert_eq!(all["truncated"], false);
        assert_eq!(
            platform.sent()[1].url,
            "https://a.example.com/wiki/api/v2/spaces?cursor=b"
        );

        let platform = ScriptedPlatform::new(vec![
            page(&[1, 2], Some("/wiki/api/v2/spaces?cursor=b")),
            page(&[3, 4], Some("/wiki/api/v2/spaces?cursor=c")),
        ]);
        let client = Client::new(&platform, "https://a.example.com", "x".into()).with_api(&Linked);
        let (_, some) = fetch_all(&client, "https://a.example.com/wiki/api/v2/spaces", 3).unwrap();
        let some: Value = serde_json::from_str(&some).unwrap();
        assert_eq!(some["results"].as_array().unwrap().len(), 3);
        assert_eq!(some["truncated"], true);
        assert_eq!(platform.sent().len(), 2);
    }

    /// A fetch-all of spaces against these answers must fail: its error's
    /// message, and how many requests were sent.
    fn failed_walk(
        answers: Vec<Result<HttpResponse, crate::platform::TransportFailure>>,
    ) -> (String, usize) {
        let platform = ScriptedPlatform::new(answers);
        let client = Client::new(&platform, "https://a.example.com", "x".into()).with_api(&Linked);
        let err = fetch_all(&client, "https://a.example.com/wiki/api/v2/spaces", 100).unwrap_err();
        match err {
            Error::Upstream(e) => (e.message, platform.sent().len()),
            other => panic!("{other:?}"),
        }
    }

    /// Pages of `ids`, each linking to a fresh cursor.
    fn fresh_cursors(
        ids: &[u32],
        count: usize,
    ) -> Vec<Result<HttpResponse, crate::platform::TransportFailure>> {
        (0..count)
            .map(|n| page(ids, Some(&format!("/wiki/api/v2/spaces?cursor=f{n}"))))
            .collect()
    }

    #[test]
    fn fetch_all_stops_on_a_repeated_cursor() {
        let (message, _) = failed_walk(vec![
            page(&[1], Some("/wiki/api/v2/spaces?cursor=b")),
            page(&[2], Some("/wiki/api/v2/spaces?cursor=b")),
        ]);
        assert!(message.contains("already followed"), "{message}");
    }

    #[test]
    fn fetch_all_stops_when_cursors_go_round_in_a_cycle() {
        // A links to B, B links back to A: not the same link twice in a row,
        // but a link this walk has fetched.
        let (message, sent) = failed_walk(vec![
            page(&[1], Some("/wiki/api/v2/spaces?cursor=b")),
            page(&[2], Some("/wiki/api/v2/spaces")),
            page(&[1], Some("/wiki/api/v2/spaces?cursor=b")),
        ]);
        assert!(message.contains("already followed"), "{message}");
        assert_eq!(sent, 2);
    }

    #[test]
    fn fetch_all_stops_when_fresh_cursors_bring_the_same_items() {
        let (message, sent) = failed_walk(fresh_cursors(&[7, 8], 5));
        assert!(message.contains("already read"), "{message}");
        assert_eq!(sent, 2);
    }

    #[test]
    fn fetch_all_stops_after_too_many_empty_pages() {
        let (message, sent) = failed_walk(fresh_cursors(&[], 30));
        assert!(message.contains("empty pages"), "{message}");
        assert_eq!(sent, MAX_EMPTY_PAGES);
    }

    #[test]
    fn a_loop_guard_survives_a_round_trip_through_json() {
        let mut guard = LoopGuard::default();
        let item = RawValue::from_string(r#"{"id":"1"}"#.to_string()).unwrap();
        let items = [&*item];
        guard
            .page(&Linked, "https://a/x", &items, true, 200)
            .unwrap();
        let text = serde_json::to_string(&guard).unwrap();
        let back: LoopGuard = serde_json::from_str(&text).unwrap();
        assert!(back.follow(&Linked, "https://a/x", "/x", 200).is_err());
        let mut back = back;
        assert!(
            back.page(&Linked, "https://a/y", &items, true, 200)
                .is_err()
        );
    }
}
