//! Confluence's cursor pagination, for the SDK's paged walks.
//!
//! A list answer carries `_links.next`, a path relative to the site (v2:
//! `/wiki/api/v2/pages?cursor=..`) or to `_links.context` (v1 search:
//! `/rest/api/search?cursor=..` with context `/wiki`), and sometimes a `Link`
//! header. The SDK joins the next URL to the connection's API base (the site,
//! or `api.atlassian.com/ex/confluence/{cloudId}`), never to `_links.base`,
//! and refuses a link that leaves the API base or repeats.

pub use connector_sdk::paging::*;
use connector_sdk::platform::HttpResponse;
use serde_json::Value;

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

/// The id of a list item: its `id`, a search result's `content.id`, or a
/// user's `accountId`.
pub fn item_id(item: &Value) -> Option<&Value> {
    item.get("id")
        .or_else(|| item.pointer("/content/id"))
        .or_else(|| item.get("accountId"))
        .or_else(|| item.pointer("/user/accountId"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
