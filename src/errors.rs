//! Confluence's errors: the SDK's mapping of error answers onto the
//! contract's `error` (REST v2 `errors[]`, v1 and gateway `message`, plain
//! text), and what a `410 Gone` means here: an endpoint Atlassian removed.

pub use connector_sdk::errors::*;

/// The error of a `410 Gone`: Atlassian removed the endpoint (as the
/// api.atlassian.com gateway has removed much of REST v1). The message names
/// the endpoint and what to use instead, never a bare "upstream 410".
pub fn gone(method: &str, url: &str, body: &[u8]) -> Error {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| url.split('?').next().unwrap_or_default().to_string());
    let on_gateway = url.starts_with("https://api.atlassian.com/");
    // The path as the site knows it, without the gateway's `/ex/confluence/{cloudId}`.
    let path = match path.strip_prefix("/ex/confluence/") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]).to_string(),
        None => path,
    };
    let instead = replacement(&path);
    let place = if on_gateway {
        " from the api.atlassian.com gateway"
    } else {
        ""
    };
    Error::Upstream(UpstreamError {
        status: 410,
        message: format!(
            "{method} {} answered 410 Gone ({}): Atlassian has removed this endpoint{place}; use {instead} instead",
            shorten(&path),
            message_from_body(410, body)
        ),
    })
}

/// What replaces a removed endpoint, by its path on the site.
fn replacement(path: &str) -> &'static str {
    let v1 = path.strip_prefix("/wiki/rest/api/");
    match v1 {
        Some(rest) if rest.starts_with("content/search") => {
            "CQL search (/wiki/rest/api/search), which the gateway still serves"
        }
        Some(rest) if rest.starts_with("content") => {
            "REST v2: /wiki/api/v2/pages, /wiki/api/v2/blogposts and their /{id} (the catalog's page and blog post actions)"
        }
        Some(rest) if rest.starts_with("space") => {
            "REST v2: /wiki/api/v2/spaces and /wiki/api/v2/spaces/{id}"
        }
        Some(_) => {
            "its REST v2 equivalent under /wiki/api/v2, or Basic authentication against the site itself, which still serves REST v1"
        }
        None => "the endpoint Atlassian's changelog names as its replacement",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_endpoint_names_its_replacement() {
        let gone_body =
            br#"{"message":"GoneException: This deprecated endpoint has been removed"}"#;
        let Error::Upstream(e) = gone(
            "GET",
            "https://api.atlassian.com/ex/confluence/c1/wiki/rest/api/content/search?cql=x",
            gone_body,
        ) else {
            panic!("not upstream")
        };
        assert_eq!(e.status, 410);
        assert!(
            e.message
                .starts_with("GET /wiki/rest/api/content/search answered 410 Gone (GoneException"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("gateway") && e.message.contains("/wiki/rest/api/search"),
            "{}",
            e.message
        );
        let Error::Upstream(e) = gone(
            "POST",
            "https://api.atlassian.com/ex/confluence/c1/wiki/rest/api/space",
            b"",
        ) else {
            panic!("not upstream")
        };
        assert!(e.message.contains("/wiki/api/v2/spaces"), "{}", e.message);
        let Error::Upstream(e) = gone(
            "GET",
            "https://acme.atlassian.net/wiki/rest/api/content/12",
            b"",
        ) else {
            panic!("not upstream")
        };
        assert!(
            e.message.contains("/wiki/api/v2/pages") && !e.message.contains("gateway"),
            "{}",
            e.message
        );
    }
}
