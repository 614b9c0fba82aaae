//! The catalog: one table of every action, each a key, its inputs and the
//! Confluence call it makes.
//!
//! An action that is one HTTP call is pure data here and runs through
//! [`crate::exec`]; an action that does more names a handler in
//! [`crate::actions`]. Paths and parameters follow Atlassian's OpenAPI
//! documents for Confluence Cloud REST v2 (`/wiki/api/v2`) and v1 (`/wiki/rest/api`).

use crate::actions;
use crate::bindings::integration::connector::types::Output;
use crate::errors::Error;
use crate::exec::Ctx;
use crate::input::{Args, Kind, Param, Target};
use crate::platform::Method;

/// A handler for an action that is more than one HTTP call.
pub type Handler = fn(&Ctx, &Action, &mut Args) -> Result<Output, Error>;

/// One action of the catalog.
pub struct Action {
    /// Stable key, in kebab-case.
    pub key: &'static str,
    /// Short human label.
    pub label: &'static str,
    /// What it does and returns.
    pub description: &'static str,
    /// Catalog group.
    pub group: &'static str,
    /// The HTTP method of its (main) call.
    pub method: Method,
    /// The path template of its (main) call, with `{name}` placeholders.
    pub path: &'static str,
    /// Its own inputs; `debug` and, for lists, the paging inputs are added to every action.
    pub params: &'static [Param],
    /// Whether it returns one page of a cursor-paginated list.
    pub paged: bool,
    /// Code for an action that is more than one call; `None` runs the table entry as it is.
    pub handler: Option<Handler>,
}

impl Action {
    /// Every input of the action: its own, the paging inputs if it is a list, and `debug`.
    pub fn all_params(&self) -> Vec<Param> {
        let mut params = self.params.to_vec();
        if self.paged {
            params.extend_from_slice(PAGING);
        }
        params.push(DEBUG);
        params
    }
}

// ---- Inputs shared by many actions -------------------------------------------------

/// `debug`: log the exchange.
pub const DEBUG: Param = Param::new(
    "debug",
    "Debug Request",
    "Log each request and response through the host's log, with credentials redacted.",
    Kind::Boolean,
    Target::Local,
)
.default("false");

/// The paging inputs of every list action.
pub const PAGING: &[Param] = &[
    Param::new("limit", "Limit", "How many results one page holds (1 to 250). With fetch-all the connector asks for 250 per page unless this is set.", Kind::Integer { min: 1, max: 250 }, Target::Query("limit")).default("25"),
    Param::new("cursor", "Cursor", "Where to continue: the cursor from the `next` link of a previous page. Empty starts at the beginning.", Kind::String, Target::Query("cursor")),
    Param::new("fetch-all", "Fetch All", "Follow every next link and return all results in one list, up to max-results.", Kind::Boolean, Target::Local).default("false"),
    Param::new("max-results", "Max Results", "With fetch-all, stop after this many results.", Kind::Integer { min: 1, max: 1_000_000 }, Target::Local).default("1000"),
];

/// Extra query parameters passed through as they are.
const QUERY_PARAMETERS: Param = Param::new(
    "query-parameters",
    "Query Parameters",
    "Extra query parameters sent as they are, as an object such as {\"include-versions\": true}.",
    Kind::Object,
    Target::ExtraQuery,
)
.example(r#"{"include-versions":true}"#);

const SPACE_ID: Param = Param::new(
    "space-id",
    "Space Id",
    "The numeric id of the space (not its key).",
    Kind::Id,
    Target::Path("id"),
)
.required()
.example(r#""98306""#);
const PAGE_ID: Param = Param::new(
    "page-id",
    "Page Id",
    "The numeric id of the page.",
    Kind::Id,
    Target::Path("id"),
)
.required()
.example(r#""12345678""#);

const PAGE_SORT: Param = Param::new(
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
const PAGE_STATUS: Param = Param::new(
    "status",
    "Status",
    "Only pages with these statuses; Confluence returns current and archived pages by default.",
    Kind::SelectList(&["current", "archived", "deleted", "trashed"]),
    Target::Query("status"),
);
const PAGE_TITLE: Param = Param::new(
    "title",
    "Title",
    "Only pages with exactly this title.",
    Kind::String,
    Target::Query("title"),
);
const LIST_BODY_FORMAT: Param = Param::new(
    "body-format",
    "Body Format",
    "Include each page's body in this format; empty leaves bodies out.",
    Kind::Select(&["storage", "atlas_doc_format"]),
    Target::Query("body-format"),
);
const DESCRIPTION_FORMAT: Param = Param::new(
    "description-format",
    "Description Format",
    "Include each space's description in this format.",
    Kind::Select(&["plain", "view"]),
    Target::Query("description-format"),
);
const SPACE_TYPE: Param = Param::new(
    "type",
    "Type",
    "Only spaces of this type.",
    Kind::Select(&[
        "global",
        "collaboration",
        "knowledge_base",
        "personal",
        "system",
        "onboarding",
        "xflow_sample_space",
    ]),
    Target::Query("type"),
);
const SPACE_STATUS: Param = Param::new(
    "status",
    "Status",
    "Only spaces with this status.",
    Kind::Select(&["current", "archived"]),
    Target::Query("status"),
);
const SPACE_KEYS: Param = Param::new(
    "keys",
    "Keys",
    "Only spaces with these keys, such as [\"ENG\", \"~jane\"].",
    Kind::List,
    Target::Query("keys"),
)
.example(r#"["ENG"]"#);
const INCLUDE_ICON: Param = Param::new(
    "include-icon",
    "Include Icon",
    "Include each space's icon.",
    Kind::Boolean,
    Target::Query("include-icon"),
)
.default("false");

const PAGE_STATUS_WRITE: Param = Param::new(
    "status",
    "Status",
    "`current` publishes the page; `draft` keeps it unpublished.",
    Kind::Select(&["current", "draft"]),
    Target::Body("status"),
);
const PAGE_BODY: Param = Param::new("body", "Body", "The page content: a storage-format (XHTML) string, or {\"representation\": \"storage\" | \"atlas_doc_format\" | \"wiki\", \"value\": \"...\"}.", Kind::Body, Target::Body("body")).example(r#"{"representation":"storage","value":"<p>Hello</p>"}"#);

/// Every action, in catalog order.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "list-spaces",
        label: "List Spaces",
        description: "Lists the spaces the connection can see, filtered by ids, keys, type, status or labels.",
        group: "Spaces",
        method: Method::Get,
        path: "/wiki/api/v2/spaces",
        params: &[
            Param::new("ids", "Ids", "Only spaces with these numeric ids.", Kind::IdList, Target::Query("ids")),
            SPACE_KEYS,
            SPACE_TYPE,
            SPACE_STATUS,
            Param::new("labels", "Labels", "Only spaces with any of these labels.", Kind::List, Target::Query("labels")),
            Param::new("sort", "Sort", "The order of the results; a leading minus reverses it.", Kind::Select(&["id", "-id", "key", "-key", "name", "-name"]), Target::Query("sort")),
            DESCRIPTION_FORMAT,
            INCLUDE_ICON,
        ],
        paged: true,
        handler: None,
    },
    Action {
        key: "get-space",
        label: "Get Space",
        description: "Returns one space by its numeric id.",
        group: "Spaces",
        method: Method::Get,
        path: "/wiki/api/v2/spaces/{id}",
        params: &[
            SPACE_ID,
            DESCRIPTION_FORMAT,
            INCLUDE_ICON,
            Param::new("include-labels", "Include Labels", "Include the space's labels (up to 50).", Kind::Boolean, Target::Query("include-labels")).default("false"),
            Param::new("include-properties", "Include Properties", "Include the space's properties (up to 50).", Kind::Boolean, Target::Query("include-properties")).default("false"),
            Param::new("include-operations", "Include Operations", "Include what the user may do in the space (up to 50).", Kind::Boolean, Target::Query("include-operations")).default("false"),
            Param::new("include-permissions", "Include Permissions", "Include the space's permissions (up to 50).", Kind::Boolean, Target::Query("include-permissions")).default("false"),
            QUERY_PARAMETERS,
        ],
        paged: false,
        handler: None,
    },
    Action {
        key: "search-spaces",
        label: "Search Spaces",
        description: "Finds spaces by keys and/or a piece of their name (case-insensitive), following every page of the space list.",
        group: "Spaces",
        method: Method::Get,
        path: "/wiki/api/v2/spaces",
        params: &[
            SPACE_KEYS,
            Param::new("title", "Title", "Only spaces whose name contains this text, ignoring case.", Kind::String, Target::Local).example(r#""engineering""#),
            SPACE_TYPE,
            SPACE_STATUS,
            Param::new("max-results", "Max Results", "Stop after this many matching spaces.", Kind::Integer { min: 1, max: 1_000_000 }, Target::Local).default("100"),
        ],
        paged: false,
        handler: Some(actions::search_spaces),
    },
    Action {
        key: "list-pages",
        label: "List Pages",
        description: "Lists pages across the site, filtered by ids, spaces, status or title, optionally with their bodies.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages",
        params: &[
            Param::new("id", "Id", "Only pages with these numeric ids.", Kind::IdList, Target::Query("id")),
            Param::new("space-id", "Space Id", "Only pages in these spaces (numeric ids).", Kind::IdList, Target::Query("space-id")),
            PAGE_SORT,
            PAGE_STATUS,
            PAGE_TITLE,
            LIST_BODY_FORMAT,
            Param::new("subtype", "Subtype", "Only pages of this subtype: `page` for classic pages, `live` for live docs.", Kind::Select(&["live", "page"]), Target::Query("subtype")),
        ],
        paged: true,
        handler: None,
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
            PAGE_SORT,
            PAGE_STATUS,
            PAGE_TITLE,
            LIST_BODY_FORMAT,
        ],
        paged: true,
        handler: None,
    },
    Action {
        key: "get-page",
        label: "Get Page",
        description: "Returns one page by its id, optionally with its body in a chosen format, an older version, or the draft.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}",
        params: &[
            PAGE_ID,
            Param::new("body-format", "Body Format", "Include the body in this format: storage (XHTML as stored), atlas_doc_format (JSON), or a rendered view.", Kind::Select(&["storage", "atlas_doc_format", "view", "export_view", "anonymous_export_view", "styled_view", "editor"]), Target::Query("body-format")),
            Param::new("get-draft", "Get Draft", "Return the page's unpublished draft instead of the published page.", Kind::Boolean, Target::Query("get-draft")).default("false"),
            Param::new("status", "Status", "Return the page only if it has one of these statuses.", Kind::SelectList(&["current", "archived", "trashed", "deleted", "historical", "draft"]), Target::Query("status")),
            Param::new("version", "Version", "Return this earlier published version instead of the latest.", Kind::Integer { min: 1, max: i32::MAX as i64 }, Target::Query("version")),
            Param::new("include-labels", "Include Labels", "Include the page's labels (up to 50).", Kind::Boolean, Target::Query("include-labels")).default("false"),
            Param::new("include-properties", "Include Properties", "Include the page's content properties (up to 50).", Kind::Boolean, Target::Query("include-properties")).default("false"),
            Param::new("include-operations", "Include Operations", "Include what the user may do with the page (up to 50).", Kind::Boolean, Target::Query("include-operations")).default("false"),
            Param::new("include-likes", "Include Likes", "Include who liked the page (up to 50).", Kind::Boolean, Target::Query("include-likes")).default("false"),
            Param::new("include-versions", "Include Versions", "Include the page's earlier versions (up to 50).", Kind::Boolean, Target::Query("include-versions")).default("false"),
            Param::new("include-version", "Include Version", "Include the current version's details.", Kind::Boolean, Target::Query("include-version")).default("true"),
            Param::new("include-favorited-by-current-user-status", "Include Favorited By Current User Status", "Include whether the connected user has marked the page as a favourite.", Kind::Boolean, Target::Query("include-favorited-by-current-user-status")).default("false"),
        ],
        paged: false,
        handler: None,
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
            PAGE_STATUS_WRITE.default(r#""current""#),
            Param::new("title", "Title", "The page title; required unless the status is draft.", Kind::String, Target::Body("title")).example(r#""Release notes""#),
            Param::new("parent-id", "Parent Id", "The numeric id of the parent page; empty puts the page under the space's home page.", Kind::Id, Target::Body("parentId")),
            PAGE_BODY,
            Param::new("embedded", "Embedded", "Create the page as embedded content (stored in the new content service).", Kind::Boolean, Target::Query("embedded")).default("false"),
            Param::new("private", "Private", "Only the creator can see and edit the page.", Kind::Boolean, Target::Query("private")).default("false"),
            Param::new("root-level", "Root Level", "Create the page at the root of the space instead of under its home page; do not give a parent id with it.", Kind::Boolean, Target::Query("root-level")).default("false"),
            QUERY_PARAMETERS,
        ],
        paged: false,
        handler: Some(actions::create_page),
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
            PAGE_STATUS_WRITE,
            Param::new("title", "Title", "The new title; empty keeps the current one.", Kind::String, Target::Body("title")),
            PAGE_BODY,
            Param::new("version", "Version", "The new version: {\"number\": current + 1, \"message\": \"...\"}. Leave the number out to let the connector read the current version and add one.", Kind::Version, Target::Body("version")).example(r#"{"message":"Fixed a typo"}"#),
            Param::new("space-id", "Space Id", "The id of the page's space (pages cannot move between spaces).", Kind::Id, Target::Body("spaceId")),
            Param::new("parent-id", "Parent Id", "Move the page under this parent, in the same space.", Kind::Id, Target::Body("parentId")),
        ],
        paged: false,
        handler: Some(actions::update_page),
    },
    Action {
        key: "delete-page",
        label: "Delete Page",
        description: "Moves a page to the trash, or with purge deletes a trashed page for good.",
        group: "Pages",
        method: Method::Delete,
        path: "/wiki/api/v2/pages/{id}",
        params: &[
            PAGE_ID,
            Param::new("purge", "Purge", "Delete permanently a page that is already in the trash.", Kind::Boolean, Target::Query("purge")).default("false"),
            Param::new("draft", "Draft", "Delete the page's draft rather than the page.", Kind::Boolean, Target::Query("draft")).default("false"),
        ],
        paged: false,
        handler: None,
    },
    Action {
        key: "get-current-user",
        label: "Get Current User",
        description: "Returns the account the connection acts as: its account id, display name and type.",
        group: "Users",
        method: Method::Get,
        path: "/wiki/rest/api/user/current",
        params: &[],
        paged: false,
        handler: None,
    },
];

/// The action with key `key`.
pub fn find(key: &str) -> Option<&'static Action> {
    ACTIONS.iter().find(|a| a.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_unique_and_every_input_is_described() {
        let mut keys = HashSet::new();
        for action in ACTIONS {
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
                    !param.label.is_empty() && !param.comments.is_empty(),
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
