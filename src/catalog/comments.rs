//! Comments: footer comments on pages and blog posts (list, get, create,
//! reply, update, delete) and inline comments (list, get).

use super::{
    ALL_STATUSES, Action, BLOG_POST_ID, DATE_SORT, INCLUDE_LIKES, INCLUDE_OPERATIONS,
    INCLUDE_PROPERTIES, INCLUDE_VERSION, INCLUDE_VERSIONS, LIST_BODY_FORMAT, PAGE_ID, VERSION_READ,
};
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::input::rules::Rule;
use connector_sdk::platform::Method;

/// The id of a comment, filling the path's `{comment-id}`.
const COMMENT_ID: Param = Param::new(
    "comment-id",
    "Comment Id",
    "The numeric id of the comment.",
    Kind::Id,
    Target::Path("comment-id"),
)
.required()
.example(r#""45678901""#);

const STATUS_FILTER: Param = Param::new(
    "status",
    "Status",
    "Only comments with these statuses.",
    Kind::SelectList(ALL_STATUSES),
    Target::Query("status"),
);

/// The statuses the blog post comment lists accept (no `archived`).
const BLOG_STATUS_FILTER: Param = Param::new(
    "status",
    "Status",
    "Only comments with these statuses.",
    Kind::SelectList(&["current", "deleted", "trashed", "historical", "draft"]),
    Target::Query("status"),
);

const RESOLUTION: Param = Param::new(
    "resolution-status",
    "Resolution Status",
    "Only inline comments in these states: open, reopened, resolved or dangling (their text was removed).",
    Kind::SelectList(&["resolved", "open", "dangling", "reopened"]),
    Target::Query("resolution-status"),
);

/// The inputs of a get of one comment.
const GET_COMMENT: &[Param] = &[
    COMMENT_ID,
    Param::new(
        "body-format",
        "Body Format",
        "Include the comment's body in this format.",
        Kind::Select(&["storage", "atlas_doc_format", "view"]),
        Target::Query("body-format"),
    ),
    VERSION_READ,
    INCLUDE_PROPERTIES,
    INCLUDE_OPERATIONS,
    INCLUDE_LIKES,
    INCLUDE_VERSIONS,
    INCLUDE_VERSION,
];

const COMMENT_BODY: Param = Param::new(
    "body",
    "Body",
    "The comment: a storage-format (XHTML) string, or {\"representation\": \"storage\" | \"atlas_doc_format\" | \"wiki\", \"value\": \"...\"}.",
    crate::input::BODY,
    Target::Body("body"),
)
.required()
.example(r#""<p>Looks good to me.</p>""#);

/// The comments group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "list-page-footer-comments",
        label: "List Page Footer Comments",
        description: "Lists the top-level comments at the bottom of a page.",
        group: "Comments",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/footer-comments",
        params: &[PAGE_ID, LIST_BODY_FORMAT, STATUS_FILTER, DATE_SORT],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "list-blog-post-footer-comments",
        label: "List Blog Post Footer Comments",
        description: "Lists the top-level comments at the bottom of a blog post.",
        group: "Comments",
        method: Method::Get,
        path: "/wiki/api/v2/blogposts/{id}/footer-comments",
        params: &[
            BLOG_POST_ID,
            LIST_BODY_FORMAT,
            BLOG_STATUS_FILTER,
            DATE_SORT,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-footer-comment",
        label: "Get Footer Comment",
        description: "Returns one footer comment by its id, optionally with its body.",
        group: "Comments",
        method: Method::Get,
        path: "/wiki/api/v2/footer-comments/{comment-id}",
        params: GET_COMMENT,
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "create-footer-comment",
        label: "Create Footer Comment",
        description: "Adds a comment at the bottom of a page or blog post, or replies to a comment. Give exactly one of page id, blog post id or parent comment id.",
        group: "Comments",
        method: Method::Post,
        path: "/wiki/api/v2/footer-comments",
        params: &[
            Param::new(
                "page-id",
                "Page Id",
                "Comment on this page.",
                Kind::Id,
                Target::Body("pageId"),
            )
            .example(r#""12345678""#),
            Param::new(
                "blog-post-id",
                "Blog Post Id",
                "Comment on this blog post.",
                Kind::Id,
                Target::Body("blogPostId"),
            ),
            Param::new(
                "parent-comment-id",
                "Parent Comment Id",
                "Reply to this comment.",
                Kind::Id,
                Target::Body("parentCommentId"),
            ),
            COMMENT_BODY,
        ],
        paging: None,
        handler: None,
        rules: &[Rule::ExactlyOne(&[
            "page-id",
            "blog-post-id",
            "parent-comment-id",
        ])],
    },
    Action {
        key: "update-footer-comment",
        label: "Update Footer Comment",
        description: "Replaces the body of a footer comment; without a version number the connector sends the current version plus one.",
        group: "Comments",
        method: Method::Put,
        path: "/wiki/api/v2/footer-comments/{comment-id}",
        params: &[
            COMMENT_ID,
            COMMENT_BODY,
            Param::new(
                "version",
                "Version",
                "The new version: {\"number\": current + 1, \"message\": \"...\"}. Leave the number out to let the connector read the current version and add one.",
                crate::input::VERSION,
                Target::Body("version"),
            ),
        ],
        paging: None,
        handler: Some(actions::update_versioned),
        rules: &[],
    },
    Action {
        key: "delete-footer-comment",
        label: "Delete Footer Comment",
        description: "Deletes a footer comment for good.",
        group: "Comments",
        method: Method::Delete,
        path: "/wiki/api/v2/footer-comments/{comment-id}",
        params: &[COMMENT_ID],
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "list-page-inline-comments",
        label: "List Page Inline Comments",
        description: "Lists the comments anchored to text in a page, filtered by status or resolution.",
        group: "Comments",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/inline-comments",
        params: &[
            PAGE_ID,
            LIST_BODY_FORMAT,
            STATUS_FILTER,
            RESOLUTION,
            DATE_SORT,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "list-blog-post-inline-comments",
        label: "List Blog Post Inline Comments",
        description: "Lists the comments anchored to text in a blog post, filtered by status or resolution.",
        group: "Comments",
        method: Method::Get,
        path: "/wiki/api/v2/blogposts/{id}/inline-comments",
        params: &[
            BLOG_POST_ID,
            LIST_BODY_FORMAT,
            BLOG_STATUS_FILTER,
            RESOLUTION,
            DATE_SORT,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-inline-comment",
        label: "Get Inline Comment",
        description: "Returns one inline comment by its id, with the text it is anchored to.",
        group: "Comments",
        method: Method::Get,
        path: "/wiki/api/v2/inline-comments/{comment-id}",
        params: GET_COMMENT,
        paging: None,
        handler: None,
        rules: &[],
    },
];
