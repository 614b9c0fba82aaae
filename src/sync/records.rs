//! Records as a search index wants them, built from Confluence's v1 content
//! objects (`/wiki/rest/api/content/search` with expansions) and the other
//! lists a sync reads. Every field is read defensively: a missing or odd
//! field becomes `null`, never a failure.

use serde_json::{Map, Value, json};

/// A string field at a JSON pointer, or null.
fn text(value: &Value, pointer: &str) -> Value {
    value
        .pointer(pointer)
        .and_then(|v| match v {
            Value::String(s) => Some(Value::String(s.clone())),
            Value::Number(n) => Some(Value::String(n.to_string())),
            _ => None,
        })
        .unwrap_or(Value::Null)
}

/// The content of a content search's item: the item itself from v1 content
/// search, the `content` of a search result from CQL search.
pub fn content_of(item: Value) -> Value {
    match item {
        Value::Object(mut result)
            if !result.contains_key("id") && result.contains_key("content") =>
        {
            result.remove("content").unwrap_or_default()
        }
        other => other,
    }
}

/// The id of a JSON object as a string (Confluence sends ids as strings or numbers).
pub fn id_of(value: &Value) -> Option<String> {
    match value.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The version number of a content object, 0 when it has none.
pub fn version_of(content: &Value) -> u64 {
    content
        .pointer("/version/number")
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// The account ids a content object names (creator, owner, last editor).
pub fn people_of(content: &Value) -> Vec<String> {
    [
        "/history/createdBy/accountId",
        "/history/ownedBy/accountId",
        "/version/by/accountId",
    ]
    .iter()
    .filter_map(|p| content.pointer(p).and_then(Value::as_str))
    .filter(|id| !id.is_empty())
    .map(str::to_string)
    .collect()
}

/// The labels on a content object: `(id, name, prefix)`.
pub fn labels_of(content: &Value) -> Vec<(String, String, String)> {
    content
        .pointer("/metadata/labels/results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|label| {
            let name = label.get("name")?.as_str()?.to_string();
            let id = id_of(label).unwrap_or_else(|| name.clone());
            let prefix = label
                .get("prefix")
                .and_then(Value::as_str)
                .unwrap_or("global");
            Some((id, name, prefix.to_string()))
        })
        .collect()
}

/// The container (page, blog post) of a comment or attachment: `(id, type)`.
pub fn container_of(content: &Value) -> Option<(String, String)> {
    let container = content.get("container")?;
    let kind = container
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some((id_of(container)?, kind.to_string()))
}

/// A comment's place: `footer`, `inline` or `resolved`.
pub fn comment_location(content: &Value) -> &str {
    content
        .pointer("/extensions/location")
        .and_then(Value::as_str)
        .unwrap_or("footer")
}

/// An absolute web URL from a `_links.webui` path and the site's `/wiki` base.
pub fn web_url(base: &str, webui: &Value) -> Value {
    match webui.as_str() {
        Some(path) if path.starts_with('/') => {
            json!(format!("{}{path}", base.trim_end_matches('/')))
        }
        Some(url) => json!(url),
        None => Value::Null,
    }
}

/// The fields every content record shares: ids, space, title, place in the
/// tree, people, dates, version, web URL and labels.
pub fn content_record(content: &Value, base: &str) -> Map<String, Value> {
    let ancestors: Vec<Value> = content
        .get("ancestors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|a| json!({"id": id_of(a), "type": text(a, "/type"), "title": text(a, "/title")}))
        .collect();
    let path: Vec<&str> = ancestors
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    let parent = ancestors
        .iter()
        .rev()
        .find(|a| a["type"] == "page" || a["type"] == "folder")
        .map(|a| a["id"].clone())
        .unwrap_or(Value::Null);
    let labels: Vec<Value> = labels_of(content)
        .into_iter()
        .map(|(_, name, _)| json!(name))
        .collect();
    let mut record = Map::new();
    for (key, value) in [
        ("id", json!(id_of(content))),
        ("type", text(content, "/type")),
        ("status", text(content, "/status")),
        ("title", text(content, "/title")),
        ("space-id", text(content, "/space/id")),
        ("space-key", text(content, "/space/key")),
        ("space-name", text(content, "/space/name")),
        ("parent-id", parent),
        ("ancestors", Value::Array(ancestors.clone())),
        ("path", json!(path.join(" / "))),
        ("author", text(content, "/history/createdBy/accountId")),
        ("owner", text(content, "/history/ownedBy/accountId")),
        ("last-modifier", text(content, "/version/by/accountId")),
        ("created", text(content, "/history/createdDate")),
        ("modified", text(content, "/version/when")),
        ("version", json!(version_of(content))),
        (
            "web-url",
            web_url(
                base,
                content.pointer("/_links/webui").unwrap_or(&Value::Null),
            ),
        ),
        ("labels", Value::Array(labels)),
    ] {
        record.insert(key.to_string(), value);
    }
    record
}

/// The restrictions of a content object: who may read and who may update it.
pub fn restrictions_record(content: &Value) -> Value {
    let people = |operation: &str, kind: &str, field: &str| -> Vec<Value> {
        content
            .pointer(&format!(
                "/restrictions/{operation}/restrictions/{kind}/results"
            ))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| text(p, field))
            .filter(|v| !v.is_null())
            .collect()
    };
    json!({
        "id": id_of(content),
        "content-type": text(content, "/type"),
        "read": {"users": people("read", "user", "/accountId"), "groups": people("read", "group", "/name")},
        "update": {"users": people("update", "user", "/accountId"), "groups": people("update", "group", "/name")},
    })
}

/// A space from the v2 space list.
pub fn space_record(space: &Value, base: &str) -> Value {
    json!({
        "id": id_of(space),
        "key": text(space, "/key"),
        "name": text(space, "/name"),
        "type": text(space, "/type"),
        "status": text(space, "/status"),
        "homepage-id": text(space, "/homepageId"),
        "author": text(space, "/authorId"),
        "created": text(space, "/createdAt"),
        "description": text(space, "/description/plain/value"),
        "web-url": web_url(base, space.pointer("/_links/webui").unwrap_or(&Value::Null)),
    })
}

/// A user from the v1 bulk user lookup.
pub fn user_record(user: &Value) -> Value {
    json!({
        "account-id": text(user, "/accountId"),
        "display-name": text(user, "/displayName"),
        "public-name": text(user, "/publicName"),
        "email": text(user, "/email"),
        "account-type": text(user, "/accountType"),
        "picture": text(user, "/profilePicture/path"),
    })
}

/// A space permission from the v2 list.
pub fn permission_record(permission: &Value, space_id: &str, space_key: &str) -> Value {
    json!({
        "id": id_of(permission),
        "space-id": space_id,
        "space-key": space_key,
        "principal-type": text(permission, "/principal/type"),
        "principal-id": text(permission, "/principal/id"),
        "operation": text(permission, "/operation/key"),
        "target": text(permission, "/operation/targetType"),
    })
}

/// A group from the v1 group list.
pub fn group_record(group: &Value) -> Value {
    json!({"id": id_of(group), "name": text(group, "/name"), "type": text(group, "/type")})
}

/// A membership from the v1 member list.
pub fn member_record(group_id: &str, user: &Value) -> Value {
    let account = text(user, "/accountId");
    json!({
        "id": format!("{group_id}:{}", account.as_str().unwrap_or_default()),
        "group-id": group_id,
        "account-id": account,
        "display-name": text(user, "/displayName"),
    })
}

/// An audit record; audit records carry no id, so one is made from their time and a hash of their content.
pub fn audit_record(entry: &Value) -> Value {
    let hash = connector_sdk::hash::fnv1a(&entry.to_string());
    let when = entry
        .get("creationDate")
        .map(|v| v.to_string())
        .unwrap_or_default();
    let mut record = json!({
        "id": format!("{when}-{hash:016x}"),
        "created": entry.get("creationDate").cloned().unwrap_or(Value::Null),
        "author": text(entry, "/author/accountId"),
        "summary": text(entry, "/summary"),
        "category": text(entry, "/category"),
        "description": text(entry, "/description"),
        "remote-address": text(entry, "/remoteAddress"),
    });
    if let Some(object) = entry.get("affectedObject") {
        record["affected-object"] =
            json!({"name": text(object, "/name"), "type": text(object, "/objectType")});
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_result_gives_its_content_and_content_stays_itself() {
        let page = json!({"id": "1", "type": "page", "content": "a field of the page"});
        assert_eq!(content_of(page.clone()), page);
        let result = json!({"content": {"id": "2", "type": "page"}, "title": "T", "excerpt": ""});
        assert_eq!(content_of(result), json!({"id": "2", "type": "page"}));
    }

    #[test]
    fn a_content_object_becomes_a_record_and_odd_fields_become_null() {
        let page = json!({
            "id": "104", "type": "page", "status": "current", "title": "Deep",
            "space": {"id": 98306, "key": "ENG", "name": "Engineering"},
            "ancestors": [{"id": "100", "type": "page", "title": "Home"}, {"id": "101", "type": "page", "title": "Guides"}],
            "history": {"createdBy": {"accountId": "a1"}, "createdDate": "2026-11-01T10:00:00.000Z"},
            "version": {"number": 3, "when": "2026-11-02T09:15:27.000Z", "by": {"accountId": "a2"}},
            "metadata": {"labels": {"results": [{"id": "7", "name": "runbook", "prefix": "global"}]}},
            "_links": {"webui": "/spaces/ENG/pages/104/Deep"}
        });
        let record = content_record(&page, "https://acme.atlassian.net/wiki");
        assert_eq!(record["parent-id"], "101");
        assert_eq!(record["path"], "Home / Guides");
        assert_eq!(record["space-id"], "98306");
        assert_eq!(
            record["web-url"],
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/104/Deep"
        );
        assert_eq!(record["labels"], json!(["runbook"]));
        assert_eq!(people_of(&page), ["a1", "a2"]);
        let odd = content_record(
            &json!({"id": 5, "ancestors": "no", "version": {"number": "x"}}),
            "",
        );
        assert_eq!(odd["id"], "5");
        assert_eq!(odd["title"], Value::Null);
        assert_eq!(odd["version"], 0);
    }
}
