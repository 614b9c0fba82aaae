//! The fixture scenarios of the page tree, labels, comments and search.

use super::*;

/// Every fixture of this group with the call that uses all of its entries.
pub const SCENARIOS: &[Scenario] = &[
    // ---- Page tree ----
    Scenario {
        fixture: "tree-children",
        connection: basic,
        action: Some("get-page-children"),
        input: r#"{"page-id": "983061", "sort": "child-position", "limit": 2}"#,
    },
    Scenario {
        fixture: "tree-children-all",
        connection: basic,
        action: Some("get-page-children"),
        input: r#"{"page-id": "983061", "fetch-all": true}"#,
    },
    Scenario {
        fixture: "tree-children-404",
        connection: basic,
        action: Some("get-page-children"),
        input: r#"{"page-id": "404404"}"#,
    },
    Scenario {
        fixture: "tree-ancestors",
        connection: basic,
        action: Some("get-page-ancestors"),
        input: r#"{"page-id": "11", "limit": 5}"#,
    },
    Scenario {
        fixture: "tree-ancestors-404",
        connection: basic,
        action: Some("get-page-ancestors"),
        input: r#"{"page-id": "404404"}"#,
    },
    Scenario {
        fixture: "tree-descendants",
        connection: basic,
        action: Some("get-page-descendants"),
        input: r#"{"page-id": "983061", "depth": 3, "limit": 10}"#,
    },
    Scenario {
        fixture: "tree-versions",
        connection: basic,
        action: Some("get-page-versions"),
        input: r#"{"page-id": "11", "body-format": "storage", "sort": "-modified-date"}"#,
    },
    Scenario {
        fixture: "tree-versions-404",
        connection: basic,
        action: Some("get-page-versions"),
        input: r#"{"page-id": "404404"}"#,
    },
    // ---- Labels ----
    Scenario {
        fixture: "labels-page",
        connection: basic,
        action: Some("get-page-labels"),
        input: r#"{"page-id": "11", "prefix": "global", "sort": "name"}"#,
    },
    Scenario {
        fixture: "labels-page-404",
        connection: basic,
        action: Some("get-page-labels"),
        input: r#"{"page-id": "404404"}"#,
    },
    Scenario {
        fixture: "labels-pages-by-label",
        connection: basic,
        action: Some("get-pages-by-label"),
        input: r#"{"label": "release-notes", "space-id": "98306", "limit": 5}"#,
    },
    Scenario {
        fixture: "labels-pages-by-label-unknown",
        connection: basic,
        action: Some("get-pages-by-label"),
        input: r#"{"label": "no-such-label"}"#,
    },
    Scenario {
        fixture: "labels-pages-by-label-403",
        connection: basic,
        action: Some("get-pages-by-label"),
        input: r#"{"label": "release-notes"}"#,
    },
    Scenario {
        fixture: "labels-add",
        connection: basic,
        action: Some("add-labels"),
        input: r#"{"content-id": "11", "labels": "release-notes, q4"}"#,
    },
    Scenario {
        fixture: "labels-add-403",
        connection: basic,
        action: Some("add-labels"),
        input: r#"{"content-id": "11", "labels": ["favourite"], "prefix": "my"}"#,
    },
    Scenario {
        fixture: "labels-remove",
        connection: basic,
        action: Some("remove-label"),
        input: r#"{"content-id": "11", "label": "q4"}"#,
    },
    Scenario {
        fixture: "labels-remove-404",
        connection: basic,
        action: Some("remove-label"),
        input: r#"{"content-id": "404404", "label": "q4"}"#,
    },
    // ---- Comments ----
    Scenario {
        fixture: "comments-page-footer",
        connection: basic,
        action: Some("list-page-footer-comments"),
        input: r#"{"page-id": "11", "body-format": "storage", "status": "current", "sort": "-created-date"}"#,
    },
    Scenario {
        fixture: "comments-page-footer-404",
        connection: basic,
        action: Some("list-page-footer-comments"),
        input: r#"{"page-id": "404404"}"#,
    },
    Scenario {
        fixture: "comments-blog-footer",
        connection: basic,
        action: Some("list-blog-post-footer-comments"),
        input: r#"{"blog-post-id": "23456789", "limit": 5}"#,
    },
    Scenario {
        fixture: "comments-get-footer",
        connection: basic,
        action: Some("get-footer-comment"),
        input: r#"{"comment-id": "45678901", "body-format": "storage", "include-likes": true}"#,
    },
    Scenario {
        fixture: "comments-get-footer-404",
        connection: basic,
        action: Some("get-footer-comment"),
        input: r#"{"comment-id": "404404"}"#,
    },
    Scenario {
        fixture: "comments-create-page",
        connection: basic,
        action: Some("create-footer-comment"),
        input: r#"{"page-id": "11", "body": "<p>Looks good to me.</p>"}"#,
    },
    Scenario {
        fixture: "comments-create-blog",
        connection: basic,
        action: Some("create-footer-comment"),
        input: r#"{"blog-post-id": "23456789", "body": {"representation": "wiki", "value": "*Great* kickoff"}}"#,
    },
    Scenario {
        fixture: "comments-create-reply",
        connection: basic,
        action: Some("create-footer-comment"),
        input: r#"{"parent-comment-id": "45678901", "body": "<p>Thanks!</p>"}"#,
    },
    Scenario {
        fixture: "comments-create-404",
        connection: basic,
        action: Some("create-footer-comment"),
        input: r#"{"page-id": "404404", "body": "<p>Looks good to me.</p>"}"#,
    },
    Scenario {
        fixture: "comments-update",
        connection: basic,
        action: Some("update-footer-comment"),
        input: r#"{"comment-id": "45678901", "body": "<p>Looks good; ship it.</p>", "version": {"message": "Clearer"}}"#,
    },
    Scenario {
        fixture: "comments-update-conflict",
        connection: basic,
        action: Some("update-footer-comment"),
        input: r#"{"comment-id": "45678901", "body": "<p>x</p>", "version": 3}"#,
    },
    Scenario {
        fixture: "comments-update-race",
        connection: basic,
        action: Some("update-footer-comment"),
        input: r#"{"comment-id": "45678901", "body": "<p>x</p>"}"#,
    },
    Scenario {
        fixture: "comments-delete",
        connection: basic,
        action: Some("delete-footer-comment"),
        input: r#"{"comment-id": "45678901"}"#,
    },
    Scenario {
        fixture: "comments-delete-404",
        connection: basic,
        action: Some("delete-footer-comment"),
        input: r#"{"comment-id": "404404"}"#,
    },
    Scenario {
        fixture: "comments-page-inline",
        connection: basic,
        action: Some("list-page-inline-comments"),
        input: r#"{"page-id": "11", "body-format": "storage", "resolution-status": ["open", "reopened"]}"#,
    },
    Scenario {
        fixture: "comments-page-inline-404",
        connection: basic,
        action: Some("list-page-inline-comments"),
        input: r#"{"page-id": "404404"}"#,
    },
    Scenario {
        fixture: "comments-blog-inline",
        connection: basic,
        action: Some("list-blog-post-inline-comments"),
        input: r#"{"blog-post-id": "23456789", "status": "current", "resolution-status": "resolved"}"#,
    },
    Scenario {
        fixture: "comments-blog-inline-403",
        connection: basic,
        action: Some("list-blog-post-inline-comments"),
        input: r#"{"blog-post-id": "23456789"}"#,
    },
    Scenario {
        fixture: "comments-get-inline",
        connection: basic,
        action: Some("get-inline-comment"),
        input: r#"{"comment-id": "56789012", "body-format": "storage"}"#,
    },
    Scenario {
        fixture: "comments-get-inline-404",
        connection: basic,
        action: Some("get-inline-comment"),
        input: r#"{"comment-id": "404404"}"#,
    },
    // ---- Search ----
    Scenario {
        fixture: "search-cql",
        connection: basic,
        action: Some("search"),
        input: r#"{"cql": "type = page AND text ~ \"release notes\"", "excerpt": "highlight", "expand": ["content.space", "content.version"], "limit": 2}"#,
    },
    Scenario {
        fixture: "search-all",
        connection: basic,
        action: Some("search"),
        input: r#"{"cql": "label = \"q4\"", "fetch-all": true}"#,
    },
    Scenario {
        fixture: "search-oauth-all",
        connection: oauth_stored,
        action: Some("search"),
        input: r#"{"cql": "label = \"q4\"", "fetch-all": true}"#,
    },
    Scenario {
        fixture: "search-foreign-next",
        connection: basic,
        action: Some("search"),
        input: r#"{"cql": "label = \"q4\"", "fetch-all": true}"#,
    },
    Scenario {
        fixture: "search-foreign-context",
        connection: basic,
        action: Some("search"),
        input: r#"{"cql": "label = \"q4\"", "fetch-all": true}"#,
    },
    Scenario {
        fixture: "search-bad-cql",
        connection: basic,
        action: Some("search"),
        input: r#"{"cql": "type = = page"}"#,
    },
    Scenario {
        fixture: "search-pages",
        connection: basic,
        action: Some("search-pages"),
        input: r#"{"query": "the \"beta\" plan", "space-key": "~jane", "cql": "label = \"q4\"", "excerpt": "none", "limit": 10}"#,
    },
    Scenario {
        fixture: "search-pages-403",
        connection: basic,
        action: Some("search-pages"),
        input: r#"{"cql": "creator = currentUser()"}"#,
    },
];
