//! The catalog: one table of every action, each a key, its inputs and the
//! Confluence call it makes.
//!
//! An action that is one HTTP call is pure data here (a
//! [`connector_sdk::action`] entry) and runs through [`connector_sdk::exec`];
//! an action that does more names a handler in [`crate::actions`].
//! [`crate::Confluence`] runs one by key (the SDK's `Connector::invoke`). Paths and parameters follow Atlassian's OpenAPI
//! documents for Confluence Cloud REST v2 (`/wiki/api/v2`) and v1 (`/wiki/rest/api`).
//!
//! The table is kept in one file per group; [`actions`] joins them, in catalog order.

/// The inputs of a get of a page or blog post: its id, then the shared ones.
macro_rules! content_get_params {
    ($id:expr, $status:expr) => {{
        use $crate::catalog::*;
        &[
            $id,
            BODY_FORMAT,
            GET_DRAFT,
            $status,
            VERSION_READ,
            INCLUDE_LABELS,
            INCLUDE_PROPERTIES,
            INCLUDE_OPERATIONS,
            INCLUDE_LIKES,
            INCLUDE_VERSIONS,
            INCLUDE_VERSION,
            INCLUDE_FAVORITED,
        ]
    }};
}

mod attachments;
mod blogposts;
mod comments;
mod labels;
mod markdown;
mod pages;
mod properties;
mod raw;
pub mod scopes;
mod search;
mod spaces;
mod users;

use crate::input::{self, Kind, Param, Target};
use connector_sdk::action::Paging;
use std::sync::OnceLock;

pub use connector_sdk::action::{Action, DEBUG, Handler};

/// Every action, in catalog order.
pub fn actions() -> &'static [Action] {
    static ALL: OnceLock<Vec<Action>> = OnceLock::new();
    ALL.get_or_init(|| {
        [
            spaces::ACTIONS,
            pages::ACTIONS,
            markdown::ACTIONS,
            blogposts::ACTIONS,
            attachments::ACTIONS,
            &properties::actions(),
            labels::ACTIONS,
            comments::ACTIONS,
            search::ACTIONS,
            users::ACTIONS,
            raw::ACTIONS,
        ]
        .concat()
    })
}

/// How Confluence's lists page: up to 250 results a page, continued from the
/// cursor of the `next` link.
pub(crate) const PAGING: Paging = Paging {
    params: &[
        Param::new("limit", "Limit", "How many results one page holds (1 to 250). With fetch-all the connector asks for 250 per page unless this is set.", Kind::Integer { min: 1, max: 250 }, Target::Query("limit")).default("25"),
        Param::new("cursor", "Cursor", "Where to continue: the cursor from the `next` link of a previous page. Empty starts at the beginning.", Kind::String, Target::Query("cursor")),
    ],
    fetch_all_size: Some(("limit", 250)),
};

// ---- Inputs shared by many actions -------------------------------------------------

/// Extra query parameters passed through as they are.
pub(crate) const QUERY_PARAMETERS: Param = Param::new(
    "query-parameters",
    "Query Parameters",
    "Extra query parameters sent as they are, as an object such as {\"include-versions\": true}.",
    Kind::Object,
    Target::ExtraQuery,
);

/// The numeric id of a page, filling the path's `{id}`.
pub(crate) const PAGE_ID: Param = Param::new(
    "page-id",
    "Page Id",
    "The numeric id of the page.",
    Kind::Id,
    Target::Path("id"),
)
.required()
.example(r#""12345678""#);

/// The numeric id of a blog post, filling the path's `{id}`.
pub(crate) const BLOG_POST_ID: Param = Param::new(
    "blog-post-id",
    "Blog Post Id",
    "The numeric id of the blog post.",
    Kind::Id,
    Target::Path("id"),
)
.required()
.example(r#""23456789""#);

/// The numeric id of a space, filling the path's `{id}`.
pub(crate) const SPACE_ID: Param = Param::new(
    "space-id",
    "Space Id",
    "The numeric id of the space (not its key).",
    Kind::Id,
    Target::Path("id"),
)
.required()
.example(r#""98306""#);

/// Filter of a content list by a list of space ids.
pub(crate) const SPACE_IDS: Param = Param::new(
    "space-id",
    "Space Id",
    "Only content in these spaces (numeric ids), as a list or comma-separated.",
    Kind::IdList,
    Target::Query("space-id"),
);

/// The body format of content in a list.
pub(crate) const LIST_BODY_FORMAT: Param = Param::new(
    "body-format",
    "Body Format",
    "Include each item's body in this format; empty leaves bodies out.",
    Kind::Select(&["storage", "atlas_doc_format"]),
    Target::Query("body-format"),
);

/// The body format of one piece of content.
pub(crate) const BODY_FORMAT: Param = Param::new(
    "body-format",
    "Body Format",
    "Include the body in this format: storage (XHTML as stored), atlas_doc_format (JSON), or a rendered view.",
    Kind::Select(&[
        "storage",
        "atlas_doc_format",
        "view",
        "export_view",
        "anonymous_export_view",
        "styled_view",
        "editor",
    ]),
    Target::Query("body-format"),
);

/// The order of a content list.
pub(crate) const CONTENT_SORT: Param = Param::new(
    "sort",
    "Sort",
    "The order of the results; a leading minus reverses it.",
    Kind::Select(&[
        "id",
        "-id",
        "created-date",
        "-created-date",
        "modified-date",
        "-modified-date",
        "title",
        "-title",
    ]),
    Target::Query("sort"),
);

/// The order of a list sorted by dates only (attachments, comments).
pub(crate) const DATE_SORT: Param = Param::new(
    "sort",
    "Sort",
    "The order of the results by date; a leading minus puts the newest first.",
    Kind::Select(&[
        "created-date",
        "-created-date",
        "modified-date",
        "-modified-date",
    ]),
    Target::Query("sort"),
);

/// Filter of a page or blog post list by status.
pub(crate) const CONTENT_STATUS: Param = Param::new(
    "status",
    "Status",
    "Only content with these statuses; Confluence returns current and archived content by default.",
    Kind::SelectList(&["current", "archived", "deleted", "trashed"]),
    Target::Query("status"),
);

/// Filter of a content list by exact title.
pub(crate) const TITLE_FILTER: Param = Param::new(
    "title",
    "Title",
    "Only content with exactly this title.",
    Kind::String,
    Target::Query("title"),
);

/// The status of content being written.
pub(crate) const STATUS_WRITE: Param = Param::new(
    "status",
    "Status",
    "`current` publishes the content; `draft` keeps it unpublished.",
    Kind::Select(&["current", "draft"]),
    Target::Body("status"),
);

/// A content body being written.
pub(crate) const BODY_WRITE: Param = Param::new("body", "Body", "The content: a storage-format (XHTML) string, or {\"representation\": \"storage\" | \"atlas_doc_format\" | \"wiki\", \"value\": \"...\"}.", input::BODY, Target::Body("body")).example(r#"{"representation":"storage","value":"<p>Hello</p>"}"#);

/// A version being written.
pub(crate) const VERSION_WRITE: Param = Param::new("version", "Version", "The new version: {\"number\": current + 1, \"message\": \"...\"}. Leave the number out to let the connector read the current version and add one.", input::VERSION, Target::Body("version")).example(r#"{"message":"Fixed a typo"}"#);

/// Which published version to read.
pub(crate) const VERSION_READ: Param = Param::new(
    "version",
    "Version",
    "Return this earlier published version instead of the latest.",
    Kind::Integer {
        min: 1,
        max: i32::MAX as i64,
    },
    Target::Query("version"),
);

/// `purge` of a delete.
pub(crate) const PURGE: Param = Param::new(
    "purge",
    "Purge",
    "Delete for good content that is already in the trash, instead of moving it to the trash.",
    Kind::Boolean,
    Target::Query("purge"),
)
.default("false");

/// `include-labels` of a get.
pub(crate) const INCLUDE_LABELS: Param = include_flag(
    "include-labels",
    "Include Labels",
    "Include the labels (up to 50).",
);
/// `include-properties` of a get.
pub(crate) const INCLUDE_PROPERTIES: Param = include_flag(
    "include-properties",
    "Include Properties",
    "Include the content properties (up to 50).",
);
/// `include-operations` of a get.
pub(crate) const INCLUDE_OPERATIONS: Param = include_flag(
    "include-operations",
    "Include Operations",
    "Include what the user may do with it (up to 50).",
);
/// `include-likes` of a get.
pub(crate) const INCLUDE_LIKES: Param = include_flag(
    "include-likes",
    "Include Likes",
    "Include who liked it (up to 50).",
);
/// `include-versions` of a get.
pub(crate) const INCLUDE_VERSIONS: Param = include_flag(
    "include-versions",
    "Include Versions",
    "Include its earlier versions (up to 50).",
);
/// `include-version` of a get: on by default.
pub(crate) const INCLUDE_VERSION: Param = Param::new(
    "include-version",
    "Include Version",
    "Include the current version's details.",
    Kind::Boolean,
    Target::Query("include-version"),
)
.default("true");
/// `include-favorited-by-current-user-status` of a get of a page or blog post.
pub(crate) const INCLUDE_FAVORITED: Param = include_flag(
    "include-favorited-by-current-user-status",
    "Include Favorited By Current User Status",
    "Include whether the connected user has marked it as a favourite.",
);

pub(crate) const GET_DRAFT: Param = Param::new(
    "get-draft",
    "Get Draft",
    "Return the unpublished draft instead of the published content.",
    Kind::Boolean,
    Target::Query("get-draft"),
)
.default("false");

/// Every status a page, a blog post or a comment can have.
pub(crate) const ALL_STATUSES: &[&str] = &[
    "current",
    "archived",
    "trashed",
    "deleted",
    "historical",
    "draft",
];

pub(crate) const READ_STATUS: Param = Param::new(
    "status",
    "Status",
    "Return the content only if it has one of these statuses.",
    Kind::SelectList(ALL_STATUSES),
    Target::Query("status"),
);

/// The `include-*` flags a get of a page or blog post accepts.
pub(crate) const fn include_flag(
    key: &'static str,
    label: &'static str,
    comments: &'static str,
) -> Param {
    Param::new(key, label, comments, Kind::Boolean, Target::Query(key)).default("false")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_unique_and_every_input_is_described() {
        let mut keys = HashSet::new();
        for action in actions() {
            assert!(keys.insert(action.key), "duplicate {}", action.key);
            assert!(!action.description.is_empty());
            let mut inputs = HashSet::new();
            for param in action.all_params() {
                assert!(
                    inputs.insert(param.key),
                    "{}: duplicate input {}",
                    action.key,
                    param.key
                );
                assert!(
                    !param.label.is_empty() && !param.description.is_empty(),
                    "{}: {}",
                    action.key,
                    param.key
                );
                if let Target::Path(name) = param.target {
                    assert!(
                        action.path.contains(&format!("{{{name}}}")),
                        "{}: {}",
                        action.key,
                        name
                    );
                    assert!(param.required, "{}: path input {}", action.key, param.key);
                }
                if param.required {
                    assert!(
                        param.example.is_some(),
                        "{}: required {} has no example",
                        action.key,
                        param.key
                    );
                }
                for text in [param.default, param.example].into_iter().flatten() {
                    assert!(
                        serde_json::from_str::<serde_json::Value>(text).is_ok(),
                        "{}: {} {text}",
                        action.key,
                        param.key
                    );
                }
            }
        }
    }
}

/// `invoke` end to end over a scripted platform: the URL a table entry
/// builds, refusals that send nothing, an empty answer.
#[cfg(test)]
mod invoke_tests {
    use crate::Confluence;
    use crate::bindings::integration::connector::types::Body;
    use crate::bindings::integration::connector::types::Connection;
    use crate::errors::Error;
    use connector_sdk::Connector;
    use connector_sdk::platform::HttpResponse;
    use connector_sdk::testing::ScriptedPlatform;

    fn basic() -> Connection {
        Connection {
            definition: "basic".into(),
            values: r#"{"email":"a@b.c","host":"acme.atlassian.net"}"#.into(),
        }
    }

    #[test]
    fn builds_path_query_and_lists() {
        let platform = ScriptedPlatform::new(vec![ScriptedPlatform::json(r#"{"results":[]}"#)])
            .with_secret("api-token", "t");
        Confluence::invoke(
            &platform,
            "list-pages",
            &basic(),
            r#"{"space-id":["1","2"],"status":"current","limit":5,"title":"A & B"}"#,
        )
        .unwrap();
        assert_eq!(
            platform.sent()[0].url,
            "https://acme.atlassian.net/wiki/api/v2/pages?limit=5&space-id=1%2C2&status=current&title=A+%26+B"
        );
    }

    #[test]
    fn unknown_action_and_bad_input_send_nothing() {
        let platform = ScriptedPlatform::new(vec![]).with_secret("api-token", "t");
        assert!(
            matches!(Confluence::invoke(&platform, "nope", &basic(), "{}"), Err(Error::Unsupported(m)) if m.contains("`nope`"))
        );
        assert!(
            matches!(Confluence::invoke(&platform, "get-page", &basic(), "{}"), Err(Error::InvalidInput(f)) if f.field == "page-id")
        );
        assert!(platform.sent().is_empty());
    }

    #[test]
    fn delete_returns_an_empty_body() {
        let platform = ScriptedPlatform::new(vec![Ok(HttpResponse {
            status: 204,
            headers: vec![],
            body: vec![],
        })])
        .with_secret("api-token", "t");
        let out = Confluence::invoke(
            &platform,
            "delete-page",
            &basic(),
            r#"{"page-id":"9","purge":true}"#,
        )
        .unwrap();
        assert_eq!(out.status, 204);
        assert!(matches!(out.body, Body::Empty));
        assert_eq!(
            platform.sent()[0].url,
            "https://acme.atlassian.net/wiki/api/v2/pages/9?purge=true"
        );
    }
}
