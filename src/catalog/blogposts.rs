//! Blog posts: list, get, create, update, delete.

use super::pages::{DELETE_DRAFT, PRIVATE, TITLE_CREATE, TITLE_UPDATE};
use super::{
    Action, BLOG_POST_ID, BODY_WRITE, LIST_BODY_FORMAT, PURGE, SPACE_ID, SPACE_IDS, STATUS_WRITE,
    TITLE_FILTER, VERSION_WRITE,
};
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::input::rules::Rule;
use connector_sdk::platform::Method;

/// The order of a blog post list (blog posts have no title sort).
const BLOG_SORT: Param = Param::new(
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
    ]),
    Target::Query("sort"),
);

/// Filter of a blog post list by status (blog posts are never archived).
const BLOG_STATUS: Param = Param::new(
    "status",
    "Status",
    "Only blog posts with these statuses; Confluence returns current ones by default.",
    Kind::SelectList(&["current", "deleted", "trashed"]),
    Target::Query("status"),
);

/// Which statuses a get of a blog post accepts.
const BLOG_READ_STATUS: Param = Param::new(
    "status",
    "Status",
    "Return the blog post only if it has one of these statuses.",
    Kind::SelectList(&["current", "trashed", "deleted", "historical", "draft"]),
    Target::Query("status"),
);

/// The blog posts group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "list-blog-posts",
        label: "List Blog Posts",
        description: "Lists blog posts across the site, filtered by ids, spaces, status or title, optionally with their bodies.",
        group: "Blog Posts",
        method: Method::Get,
        path: "/wiki/api/v2/blogposts",
        params: &[
            Param::new(
                "id",
                "Id",
                "Only blog posts with these numeric ids.",
                Kind::IdList,
                Target::Query("id"),
            ),
            SPACE_IDS,
            BLOG_SORT,
            BLOG_STATUS,
            TITLE_FILTER,
            LIST_BODY_FORMAT,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-blog-post",
        label: "Get Blog Post",
        description: "Returns one blog post by its id, optionally with its body in a chosen format, an older version, or the draft.",
        group: "Blog Posts",
        method: Method::Get,
        path: "/wiki/api/v2/blogposts/{id}",
        params: content_get_params!(BLOG_POST_ID, BLOG_READ_STATUS),
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "create-blog-post",
        label: "Create Blog Post",
        description: "Creates a blog post in a space, published or as a draft.",
        group: "Blog Posts",
        method: Method::Post,
        path: "/wiki/api/v2/blogposts",
        params: &[
            SPACE_ID.to(Target::Body("spaceId")),
            STATUS_WRITE.default(r#""current""#),
            TITLE_CREATE,
            BODY_WRITE,
            PRIVATE,
        ],
        paging: None,
        handler: None,
        rules: &[Rule::RequiredUnless {
            field: "title",
            unless: "status",
            value: "draft",
        }],
    },
    Action {
        key: "update-blog-post",
        label: "Update Blog Post",
        description: "Changes a blog post's title, body or status. Fields left out keep their current values, and without a version number the connector sends the current version plus one.",
        group: "Blog Posts",
        method: Method::Put,
        path: "/wiki/api/v2/blogposts/{id}",
        params: &[
            BLOG_POST_ID,
            STATUS_WRITE,
            TITLE_UPDATE,
            BODY_WRITE,
            VERSION_WRITE,
            Param::new(
                "space-id",
                "Space Id",
                "The id of the blog post's space (blog posts cannot move between spaces).",
                Kind::Id,
                Target::Body("spaceId"),
            ),
        ],
        paging: None,
        handler: Some(actions::update_versioned),
        rules: &[],
    },
    Action {
        key: "delete-blog-post",
        label: "Delete Blog Post",
        description: "Moves a blog post to the trash, or with purge deletes a trashed blog post for good.",
        group: "Blog Posts",
        method: Method::Delete,
        path: "/wiki/api/v2/blogposts/{id}",
        params: &[BLOG_POST_ID, PURGE, DELETE_DRAFT],
        paging: None,
        handler: None,
        rules: &[],
    },
];
