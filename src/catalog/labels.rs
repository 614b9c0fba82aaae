//! Labels: a page's labels, the pages that carry a label, and adding and
//! removing labels on content.

use super::{Action, CONTENT_SORT, LIST_BODY_FORMAT, PAGE_ID, SPACE_IDS};
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::platform::Method;

/// The numeric id of a page or blog post for the v1 label calls.
const CONTENT_ID: Param = Param::new(
    "content-id",
    "Content Id",
    "The numeric id of the page or blog post.",
    Kind::Id,
    Target::Path("id"),
)
.required()
.example(r#""12345678""#);

/// The labels group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "get-page-labels",
        label: "Get Page Labels",
        description: "Lists the labels on a page, optionally only those with one prefix.",
        group: "Labels",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/labels",
        params: &[
            PAGE_ID,
            Param::new("prefix", "Prefix", "Only labels with this prefix: `global` (ordinary labels), `my` (personal), `team` or `system`.", Kind::Select(&["my", "team", "global", "system"]), Target::Query("prefix")),
            Param::new("sort", "Sort", "Sort the labels by `name` or `created-date`; a leading minus reverses it.", Kind::Select(&["name", "-name", "created-date", "-created-date"]), Target::Query("sort")),
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-pages-by-label",
        label: "Get Pages by Label",
        description: "Lists the pages that carry a label, given the label's name. A label that does not exist gives an empty list.",
        group: "Labels",
        method: Method::Get,
        path: "/wiki/api/v2/labels/{id}/pages",
        params: &[
            Param::new("label", "Label", "The label's name, such as release-notes (without a prefix).", Kind::String, Target::Local).required().example(r#""release-notes""#),
            SPACE_IDS,
            LIST_BODY_FORMAT,
            CONTENT_SORT,
        ],
        paging: Some(&super::PAGING),
        handler: Some(actions::pages_by_label),
        rules: &[],
    },
    Action {
        key: "add-labels",
        label: "Add Labels",
        description: "Adds labels to a page or blog post; labels it already has are kept. Returns the content's labels.",
        group: "Labels",
        method: Method::Post,
        path: "/wiki/rest/api/content/{id}/label",
        params: &[
            CONTENT_ID,
            Param::new("labels", "Labels", "The label names to add, as a list or comma-separated. Confluence stores names in lower case and refuses spaces.", crate::input::LABELS, Target::Local).required().example(r#"["release-notes","q4"]"#),
            Param::new("prefix", "Prefix", "The prefix of the new labels: `global` for ordinary labels, `my` for personal ones, `team` for team labels.", Kind::Select(&["global", "my", "team"]), Target::Local).default(r#""global""#),
        ],
        paging: None,
        handler: Some(actions::add_labels),
        rules: &[],
    },
    Action {
        key: "remove-label",
        label: "Remove Label",
        description: "Removes one label from a page or blog post.",
        group: "Labels",
        method: Method::Delete,
        path: "/wiki/rest/api/content/{id}/label",
        params: &[
            CONTENT_ID,
            Param::new("label", "Label", "The name of the label to remove.", Kind::String, Target::Query("name")).required().example(r#""release-notes""#),
        ],
        paging: None,
        handler: None,
        rules: &[],
    },
];
