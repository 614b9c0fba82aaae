//! Search: CQL over the whole site, and a page search that writes the CQL for you.

use super::Action;
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::input::rules::Rule;
use connector_sdk::platform::Method;

const EXCERPT: Param = Param::new(
    "excerpt",
    "Excerpt",
    "How each result's excerpt is made: `highlight` marks the matched words, `indexed` gives the start of the indexed text, `none` leaves it out.",
    Kind::Select(&[
        "highlight",
        "indexed",
        "none",
        "highlight_unescaped",
        "indexed_unescaped",
    ]),
    Target::Query("excerpt"),
)
.default(r#""highlight""#);

const EXPAND: Param = Param::new(
    "expand",
    "Expand",
    "Extra fields to include in each result, such as content.version or content.space.",
    Kind::List,
    Target::Query("expand"),
)
.example(r#"["content.space"]"#);

/// The search group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "search",
        label: "Search",
        description: "Runs a CQL (Confluence Query Language) search over pages, blog posts, attachments, comments, spaces and people.",
        group: "Search",
        method: Method::Get,
        path: "/wiki/rest/api/search",
        params: &[
            Param::new(
                "cql",
                "CQL",
                "The CQL query, such as type = page AND space = \"ENG\" AND text ~ \"release\".",
                Kind::Text,
                Target::Query("cql"),
            )
            .required()
            .example(r#""type = page AND text ~ \"release notes\"""#),
            EXCERPT,
            EXPAND,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "search-pages",
        label: "Search Pages",
        description: "Finds pages by free text or by a CQL condition, optionally in one space; the connector writes the CQL and quotes every value as Confluence requires.",
        group: "Search",
        method: Method::Get,
        path: "/wiki/rest/api/search",
        params: &[
            Param::new(
                "query",
                "Query",
                "Words to find in the pages' titles and text.",
                Kind::String,
                Target::Local,
            )
            .example(r#""release notes""#),
            Param::new(
                "cql",
                "CQL",
                "A CQL condition the pages must also meet, such as label = \"q4\"; combined with the others by AND.",
                Kind::Text,
                Target::Local,
            ),
            Param::new(
                "space-key",
                "Space Key",
                "Only pages in the space with this key, such as ENG or a personal space's ~jane.",
                Kind::String,
                Target::Local,
            ),
            EXCERPT,
            EXPAND,
        ],
        paging: Some(&super::PAGING),
        handler: Some(actions::search_pages),
        rules: &[Rule::AtLeastOne(&["query", "cql"])],
    },
];
