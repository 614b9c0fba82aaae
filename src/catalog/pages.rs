//! Pages: list, get, create, update, delete, and the page tree (children,
//! ancestors, descendants) and version history.

use super::{
    Action, BODY_WRITE, CONTENT_SORT, CONTENT_STATUS, LIST_BODY_FORMAT, PAGE_ID, PURGE,
    QUERY_PARAMETERS, SPACE_ID, SPACE_IDS, STATUS_WRITE, TITLE_FILTER, VERSION_WRITE,
};
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::input::rules::Rule;
use connector_sdk::platform::Method;

/// The `private` flag of a create.
pub(crate) const PRIVATE: Param = Param::new(
    "private",
    "Private",
    "Only the creator can see and edit the new content.",
    Kind::Boolean,
    Target::Query("private"),
)
.default("false");

/// The title of content being created.
pub(crate) const TITLE_CREATE: Param = Param::new(
    "title",
    "Title",
    "The title; required unless the status is draft.",
    Kind::String,
    Target::Body("title"),
)
.example(r#""Release notes""#);

/// The title of content being updated.
pub(crate) const TITLE_UPDATE: Param = Param::new(
    "title",
    "Title",
    "The new title; empty keeps the current one.",
    Kind::String,
    Target::Body("title"),
);

/// The `draft` flag of a delete.
pub(crate) const DELETE_DRAFT: Param = Param::new(
    "draft",
    "Draft",
    "Delete the unpublished draft rather than the published content.",
    Kind::Boolean,
    Target::Query("draft"),
)
.default("false");

/// The pages group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "list-pages",
        label: "List Pages",
        description: "Lists pages across the site, filtered by ids, spaces, status or title, optionally with their bodies.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages",
        params: &[
            Param::new("id", "Id", "Only pages with these numeric ids.", Kind::IdList, Target::Query("id")),
            SPACE_IDS,
            CONTENT_SORT,
            CONTENT_STATUS,
            TITLE_FILTER,
            LIST_BODY_FORMAT,
            Param::new("subtype", "Subtype", "Only pages of this subtype: `page` for classic pages, `live` for live docs.", Kind::Select(&["live", "page"]), Target::Query("subtype")),
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "list-pages-in-space",
        label: "List Pages in Space",
        description: "Lists the pages of one space: all of them, or only those at its root.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/spaces/{id}/pages",
        params: &[
            SPACE_ID,
            Param::new("depth", "Depth", "`all` for every page of the space, `root` for only its top-level pages.", Kind::Select(&["all", "root"]), Target::Query("depth")).default(r#""all""#),
            CONTENT_SORT,
            CONTENT_STATUS,
            TITLE_FILTER,
            LIST_BODY_FORMAT,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-page",
        label: "Get Page",
        description: "Returns one page by its id, optionally with its body in a chosen format, an older version, or the draft.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}",
        params: content_get_params!(PAGE_ID, super::READ_STATUS),
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "create-page",
        label: "Create Page",
        description: "Creates a page in a space, under a parent page or at the root, published or as a draft.",
        group: "Pages",
        method: Method::Post,
        path: "/wiki/api/v2/pages",
        params: &[
            SPACE_ID.to(Target::Body("spaceId")),
            STATUS_WRITE.default(r#""current""#),
            TITLE_CREATE,
            Param::new("parent-id", "Parent Id", "The numeric id of the parent page; empty puts the page under the space's home page.", Kind::Id, Target::Body("parentId")),
            BODY_WRITE,
            Param::new("embedded", "Embedded", "Create the page as embedded content (stored in the new content service).", Kind::Boolean, Target::Query("embedded")).default("false"),
            PRIVATE,
            Param::new("root-level", "Root Level", "Create the page at the root of the space instead of under its home page; do not give a parent id with it.", Kind::Boolean, Target::Query("root-level")).default("false"),
            QUERY_PARAMETERS,
        ],
        paging: None,
        handler: None,
        rules: &[
            Rule::RequiredUnless { field: "title", unless: "status", value: "draft" },
            Rule::NotBoth("parent-id", &["root-level"]),
        ],
    },
    Action {
        key: "update-page",
        label: "Update Page",
        description: "Changes a page's title, body, status or parent. Fields left out keep their current values, and without a version number the connector sends the current version plus one.",
        group: "Pages",
        method: Method::Put,
        path: "/wiki/api/v2/pages/{id}",
        params: &[
            PAGE_ID,
            STATUS_WRITE,
            TITLE_UPDATE,
            BODY_WRITE,
            VERSION_WRITE,
            Param::new("space-id", "Space Id", "The id of the page's space (pages cannot move between spaces).", Kind::Id, Target::Body("spaceId")),
            Param::new("parent-id", "Parent Id", "Move the page under this parent, in the same space.", Kind::Id, Target::Body("parentId")),
        ],
        paging: None,
        handler: Some(actions::update_versioned),
        rules: &[],
    },
    Action {
        key: "delete-page",
        label: "Delete Page",
        description: "Moves a page to the trash, or with purge deletes a trashed page for good.",
        group: "Pages",
        method: Method::Delete,
        path: "/wiki/api/v2/pages/{id}",
        params: &[PAGE_ID, PURGE, DELETE_DRAFT],
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-page-children",
        label: "Get Page Children",
        description: "Lists the direct children of a page (pages, folders, whiteboards, databases and embeds), in their order in the tree.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/direct-children",
        params: &[
            PAGE_ID,
            Param::new("sort", "Sort", "The order of the children, such as `child-position` (the tree's order), `title` or `-modified-date`.", Kind::Select(&["id", "-id", "child-position", "-child-position", "created-date", "-created-date", "modified-date", "-modified-date", "title", "-title"]), Target::Query("sort")),
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-page-ancestors",
        label: "Get Page Ancestors",
        description: "Lists the pages above a page in its tree, from the top of the space down to its parent.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/ancestors",
        params: &[
            PAGE_ID,
            Param::new("limit", "Limit", "At most this many ancestors (1 to 250), counted from the page's parent upwards.", Kind::Integer { min: 1, max: 250 }, Target::Query("limit")).default("25"),
        ],
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-page-descendants",
        label: "Get Page Descendants",
        description: "Lists everything below a page in its tree, down to a chosen depth.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/descendants",
        params: &[
            PAGE_ID,
            Param::new("depth", "Depth", "How many levels below the page to include (1 to 10).", Kind::Integer { min: 1, max: 10 }, Target::Query("depth")).default("2"),
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-page-versions",
        label: "Get Page Versions",
        description: "Lists the versions of a page, with who changed it, when and the version message.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/versions",
        params: &[
            PAGE_ID,
            LIST_BODY_FORMAT,
            Param::new("sort", "Sort", "The order of the versions; `-modified-date` puts the newest first.", Kind::Select(&["modified-date", "-modified-date"]), Target::Query("sort")),
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
];
