//! Atlassian's OpenAPI documents (vendored in `tests/openapi/`) as a checker of
//! the requests the component sends: the method and path template exist,
//! every query parameter is one the operation declares, and a body validates
//! against the operation's request-body schema (JSON) or is a form the
//! operation accepts (multipart).

use serde_json::Value;
use std::path::PathBuf;

/// Why a request the component may send is in neither document, or `None`
/// for an API request the documents must cover.
pub fn outside_the_documents(url: &str) -> Option<&'static str> {
    let parsed = url::Url::parse(url).ok()?;
    let path = parsed.path();
    if path == "/oauth/token/accessible-resources" {
        Some("Atlassian's OAuth platform lists a token's sites")
    } else if path.ends_with("/graphql") {
        Some("Atlassian's GraphQL gateway, checked by the GraphQL tests")
    } else if path.contains("/wiki/download/") {
        Some("an attachment's download link, a site address the attachment gives")
    } else if parsed.host_str() == Some("api.media.atlassian.com") {
        Some("the media service a download redirects to, reached without credentials")
    } else {
        None
    }
}

/// Both documents: v2 (paths under `/wiki/api/v2`) and v1 (absolute paths).
pub fn both() -> [Spec; 2] {
    [
        load("confluence-cloud-rest-v2.openapi.json", "/wiki/api/v2"),
        load("confluence-cloud-rest-v1.swagger.v3.json", ""),
    ]
}

/// One OpenAPI document and the prefix its paths are relative to.
pub struct Spec {
    doc: Value,
    /// `/wiki/api/v2` for v2 (its server URL ends there); empty for v1 (absolute paths).
    prefix: &'static str,
}

pub fn load(name: &str, prefix: &'static str) -> Spec {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/openapi")
        .join(name);
    let mut doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    to_json_schema(&mut doc);
    Spec { doc, prefix }
}

/// Rewrites the OpenAPI 3.0 dialect into plain JSON Schema: `nullable: true`
/// becomes a `"null"` type, and `oneOf` becomes `anyOf`, because the v2
/// document's body alternatives (`PageBodyWrite` and `PageNestedBodyWrite`)
/// declare no required fields, so any body matches both and a strict `oneOf`
/// would reject every body Confluence accepts.
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(t)) = map.get("type").cloned()
            {
                map.insert("type".into(), serde_json::json!([t, "null"]));
            }
            if let Some(one_of) = map.remove("oneOf") {
                map.insert("anyOf".into(), one_of);
            }
            map.values_mut().for_each(to_json_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

/// Follows a local `$ref`.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .expect(reference),
        None => value,
    }
}

/// Whether `path` fills the template `template` (`/pages/{id}`).
fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            if t.starts_with('{') {
                !p.is_empty() && !p.contains('{')
            } else {
                t == p
            }
        })
}

/// Checks a query parameter's text against its declared schema: enums, and
/// arrays (sent comma-separated) of enums, integers within bounds, booleans.
fn check_value(doc: &Value, schema: &Value, text: &str) -> Result<(), String> {
    if schema["type"] == "array" {
        let items = resolve(doc, &schema["items"]);
        return text
            .split(',')
            .try_for_each(|item| check_value(doc, items, item));
    }
    if let Some(choices) = schema["enum"].as_array() {
        return choices
            .iter()
            .any(|c| c.as_str() == Some(text) || text.parse::<Value>().ok().as_ref() == Some(c))
            .then_some(())
            .ok_or_else(|| format!("not one of {}", Value::Array(choices.clone())));
    }
    match schema["type"].as_str() {
        Some("integer") => {
            let n: i64 = text.parse().map_err(|_| "not an integer".to_string())?;
            let low = schema["minimum"].as_i64().unwrap_or(i64::MIN);
            let high = schema["maximum"].as_i64().unwrap_or(i64::MAX);
            (low..=high)
                .contains(&n)
                .then_some(())
                .ok_or_else(|| format!("outside {low}..={high}"))
        }
        Some("boolean") => ["true", "false"]
            .contains(&text)
            .then_some(())
            .ok_or_else(|| "not true or false".to_string()),
        _ => Ok(()),
    }
}

/// The path items `url` may be an operation of, one per document whose
/// prefix it starts with: the document, the path template and the item.
fn operations<'a>(
    specs: &'a [Spec],
    parsed: &url::Url,
) -> Result<Vec<(&'a Spec, &'a String, &'a Value)>, String> {
    let mut path = parsed.path().to_string();
    // The OAuth gateway prefixes every site path with /ex/confluence/{cloudId}.
    if parsed.host_str() == Some("api.atlassian.com") {
        match path
            .strip_prefix("/ex/confluence/")
            .and_then(|rest| rest.split_once('/'))
        {
            Some((_, rest)) => path = format!("/{rest}"),
            None => return Err("not a Confluence API path".into()),
        }
    }
    let mut found = Vec::new();
    for spec in specs {
        let Some(relative) = path.strip_prefix(spec.prefix) else {
            continue;
        };
        let best = spec.doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(template, _)| matches_template(template, relative))
            // Prefer a literal segment over a placeholder (`/spaces/permissions` over `/spaces/{id}`).
            .min_by_key(|(template, _)| template.matches('{').count());
        if let Some((template, item)) = best {
            found.push((spec, template, item));
        }
    }
    Ok(found)
}

/// The OAuth 2.0 scopes the documents' security requirements name for a
/// `method` request to `url`, or `None` when no operation matches.
pub fn scopes(specs: &[Spec], method: &str, url: &str) -> Option<Vec<String>> {
    let parsed = url::Url::parse(url).ok()?;
    let (_, _, item) = operations(specs, &parsed).ok()?.into_iter().next()?;
    let operation = item.get(method.to_ascii_lowercase())?;
    let requirements = operation["security"].as_array()?;
    Some(
        requirements
            .iter()
            .filter_map(|r| r["oAuthDefinitions"].as_array())
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

/// Checks one request; returns the operation it matched, or a complaint.
pub fn check(
    specs: &[Spec],
    method: &str,
    url: &str,
    body: Option<&str>,
) -> Result<String, String> {
    check_typed(specs, method, url, body, "application/json")
}

/// As [`check`], for a body of media type `content_type`.
pub fn check_typed(
    specs: &[Spec],
    method: &str,
    url: &str,
    body: Option<&str>,
    content_type: &str,
) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    if let Some((spec, template, item)) = operations(specs, &parsed)?.into_iter().next() {
        let operation = item
            .get(method.to_ascii_lowercase())
            .ok_or_else(|| format!("{method} is not an operation of {template}"))?;
        let params: Vec<&Value> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(item["parameters"].as_array().into_iter().flatten())
            .map(|p| resolve(&spec.doc, p))
            .collect();
        for (name, value) in parsed.query_pairs() {
            // Confluence's own next links for v1 content search carry `next=true`
            // (as /wiki/rest/api/search's do), but the v1 document declares
            // `next` only on /search: a link the component follows as given.
            if *template == "/wiki/rest/api/content/search" && name == "next" {
                continue;
            }
            let Some(declared) = params
                .iter()
                .find(|p| p["in"] == "query" && p["name"] == name.as_ref())
            else {
                return Err(format!(
                    "query parameter `{name}` is not declared by {method} {template}"
                ));
            };
            let schema = resolve(&spec.doc, &declared["schema"]);
            if let Err(problem) = check_value(&spec.doc, schema, &value) {
                return Err(format!(
                    "query parameter `{name}={value}` of {method} {template}: {problem}"
                ));
            }
        }
        if let Some(text) = body.filter(|t| !t.is_empty())
            && content_type.starts_with("multipart/form-data")
        {
            let request_body = resolve(&spec.doc, &operation["requestBody"]);
            let schema = request_body
                .pointer("/content/multipart~1form-data/schema")
                .ok_or_else(|| format!("{method} {template} declares no multipart body"))?;
            for field in schema["required"].as_array().into_iter().flatten() {
                let field = field.as_str().unwrap_or_default();
                if !text.contains(&format!("name=\"{field}\"")) {
                    return Err(format!("the form of {method} {template} lacks `{field}`"));
                }
            }
        } else if let Some(text) = body.filter(|t| !t.is_empty()) {
            let request_body = resolve(&spec.doc, &operation["requestBody"]);
            let schema = request_body
                .pointer("/content/application~1json/schema")
                .ok_or_else(|| format!("{method} {template} declares no JSON body"))?;
            let mut root = spec.doc.clone();
            root.as_object_mut()
                .unwrap()
                .insert("allOf".into(), serde_json::json!([schema]));
            let validator = jsonschema::draft7::new(&root).map_err(|e| e.to_string())?;
            let instance: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            let problems: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            if !problems.is_empty() {
                return Err(format!(
                    "body of {method} {template} is invalid: {}",
                    problems.join("; ")
                ));
            }
        }
        return Ok(format!("{method} {}{template}", spec.prefix));
    }
    Err(format!(
        "no operation in either document has the path {}",
        parsed.path()
    ))
}
