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
use serde_json::value::RawValue;

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

/// Where a list item's id may be: its `id`, a search result's `content.id`,
/// a user's `accountId`, or a user search result's `user.accountId`.
const ID_PATHS: [&[&str]; 4] = [
    &["id"],
    &["content", "id"],
    &["accountId"],
    &["user", "accountId"],
];

/// The id of a list item (its JSON text), from the first of [`ID_PATHS`] it has.
pub fn item_id(item: &RawValue) -> Option<String> {
    ID_PATHS.iter().find_map(|path| field_text(item, path))
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

    #[test]
    fn an_items_id_is_read_wherever_confluence_puts_it() {
        let ids: Vec<Option<String>> = [
            r#"{"title":"T","id":"123","version":{"number":2}}"#,
            r#"{"content":{"type":"page","id":"77"},"title":"In search"}"#,
            r#"{"accountId":"5b10ac8d82e05b22cc7d4ef5","displayName":"A"}"#,
            r#"{"user":{"accountId":"u-1"},"entityType":"user"}"#,
            r#"{"id":42}"#,
            r#"{"id":{"nested":"no"},"name":"x"}"#,
        ]
        .iter()
        .map(|text| item_id(&RawValue::from_string(text.to_string()).unwrap()))
        .collect();
        assert_eq!(
            ids,
            [
                Some("123"),
                Some("77"),
                Some("5b10ac8d82e05b22cc7d4ef5"),
                Some("u-1"),
                Some("42"),
                None
            ]
            .map(|id| id.map(str::to_string))
        );
    }
}
