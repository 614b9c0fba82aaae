//! Spaces: list, get, and search by name.

use super::{Action, QUERY_PARAMETERS, SPACE_ID, include_flag};
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::platform::Method;

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
const INCLUDE_ICON: Param =
    include_flag("include-icon", "Include Icon", "Include each space's icon.");

/// The spaces group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "list-spaces",
        label: "List Spaces",
        description: "Lists the spaces the connection can see, filtered by ids, keys, type, status or labels.",
        group: "Spaces",
        method: Method::Get,
        path: "/wiki/api/v2/spaces",
        params: &[
            Param::new(
                "ids",
                "Ids",
                "Only spaces with these numeric ids.",
                Kind::IdList,
                Target::Query("ids"),
            ),
            SPACE_KEYS,
            SPACE_TYPE,
            SPACE_STATUS,
            Param::new(
                "labels",
                "Labels",
                "Only spaces with any of these labels.",
                Kind::List,
                Target::Query("labels"),
            ),
            Param::new(
                "sort",
                "Sort",
                "The order of the results; a leading minus reverses it.",
                Kind::Select(&["id", "-id", "key", "-key", "name", "-name"]),
                Target::Query("sort"),
            ),
            DESCRIPTION_FORMAT,
            INCLUDE_ICON,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
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
            include_flag(
                "include-labels",
                "Include Labels",
                "Include the space's labels (up to 50).",
            ),
            include_flag(
                "include-properties",
                "Include Properties",
                "Include the space's properties (up to 50).",
            ),
            include_flag(
                "include-operations",
                "Include Operations",
                "Include what the user may do in the space (up to 50).",
            ),
            include_flag(
                "include-permissions",
                "Include Permissions",
                "Include the space's permissions (up to 50).",
            ),
            QUERY_PARAMETERS,
        ],
        paging: None,
        handler: None,
        rules: &[],
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
            Param::new(
                "title",
                "Title",
                "Only spaces whose name contains this text, ignoring case.",
                Kind::String,
                Target::Local,
            )
            .example(r#""engineering""#),
            SPACE_TYPE,
            SPACE_STATUS,
            Param::new(
                "max-results",
                "Max Results",
                "Stop after this many matching spaces.",
                Kind::Integer {
                    min: 1,
                    max: 1_000_000,
                },
                Target::Local,
            )
            .default("100"),
        ],
        paging: None,
        handler: Some(actions::search_spaces),
        rules: &[],
    },
];
