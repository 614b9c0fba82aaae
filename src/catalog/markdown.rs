//! Pages as Markdown: read a page's body as Markdown or plain text, and
//! create or update a page from Markdown. Both go through [`crate::convert`].

use super::{Action, PAGE_ID, SPACE_ID, STATUS_WRITE};
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::platform::Method;

/// The Markdown group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "get-page-as-markdown",
        label: "Get Page as Markdown",
        description: "Returns a page's body converted from storage format to Markdown (or plain text), with its id, title, space id, version number and web address. Links to pages and attachments become full addresses on the site. A macro without a Markdown form that stands alone is kept whole as a ```confluence fenced block of its storage, which the Markdown actions write back as it was; one inside a sentence reads as a <span data-macro=\"name\"> carrying its parameters (with a body, as \\[macro: name\\]). Panels read as > [!NOTE] alerts, expand sections as <details>.",
        group: "Pages",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}",
        params: &[
            PAGE_ID,
            Param::new(
                "format",
                "Format",
                "`markdown` for CommonMark with GitHub tables and task lists; `text` for the words alone, with list items, table rows and links written out plainly.",
                Kind::Select(&["markdown", "text"]),
                Target::Local,
            )
            .default(r#""markdown""#),
        ],
        paging: None,
        handler: Some(actions::get_page_as_markdown),
        rules: &[],
    },
    Action {
        key: "upsert-page-from-markdown",
        label: "Create or Update Page from Markdown",
        description: "Converts Markdown to storage format and creates a page with it, or with a page id updates that page: the connector reads its current storage and version and sends the next version, in which every top-level element whose Markdown came back unchanged (from Get Page as Markdown) is kept byte for byte, macros, page links and attachments included, and only edited or added blocks are converted. Raw HTML in the Markdown is kept as visible text, except the few tags the Markdown output writes itself (<u>, <sub>, <sup>, <strong>, <em>, <s>, <br> and <a id> anchors).",
        group: "Pages",
        method: Method::Post,
        path: "/wiki/api/v2/pages",
        params: &[
            SPACE_ID.to(Target::Body("spaceId")),
            Param::new(
                "title",
                "Title",
                "The page's title; for an update, the new title (give the current one to keep it).",
                Kind::String,
                Target::Body("title"),
            )
            .required()
            .example(r#""Release notes""#),
            Param::new(
                "markdown",
                "Markdown",
                "The page's content in Markdown: CommonMark with GitHub tables, task lists (- [ ] and - [x]) and ~~strikethrough~~. Fenced code blocks become code macros with their language; > [!NOTE] alerts become panels; links to the site's pages and the page's attachments (as Get Page as Markdown writes them), bare file names (![](diagram.png)) and bare titles ([setup](<Setup guide>)) become page links and attachments.",
                Kind::Text,
                Target::Local,
            )
            .required()
            .example(r##""# Release 2.4\n\n- Faster search\n- [ ] Update the docs""##),
            Param::new(
                "parent-id",
                "Parent Id",
                "The numeric id of the parent page: where a new page goes (empty puts it under the space's home page), or where an updated page moves to.",
                Kind::Id,
                Target::Body("parentId"),
            ),
            Param::new(
                "page-id",
                "Page Id",
                "The numeric id of a page to update instead of creating one; its current version is read and the next one sent.",
                Kind::Id,
                Target::Local,
            ),
            Param::new(
                "keep-unchanged",
                "Keep Unchanged Elements",
                "For an update: keep every element of the page whose Markdown is unchanged exactly as it is in storage (true), or write the whole body from the Markdown (false).",
                Kind::Boolean,
                Target::Local,
            )
            .default("true"),
            STATUS_WRITE,
        ],
        paging: None,
        handler: Some(actions::upsert_page_from_markdown),
        rules: &[],
    },
    Action {
        key: "update-page-section",
        label: "Update Page Section",
        description: "Replaces the content under one heading of a page (up to the next heading of the same or a higher level) with Markdown converted to storage format; the heading itself and every other byte of the page stay as they were, and the connector sends the current version plus one.",
        group: "Pages",
        method: Method::Put,
        path: "/wiki/api/v2/pages/{id}",
        params: &[
            PAGE_ID,
            Param::new(
                "heading",
                "Heading",
                "The heading's text, whitespace and case aside; when several headings have that text, its path from the outermost heading, such as `Install > Linux`.",
                Kind::String,
                Target::Local,
            )
            .required()
            .example(r#""Example""#),
            MARKDOWN_CONTENT,
        ],
        paging: None,
        handler: Some(actions::update_page_section),
        rules: &[],
    },
    Action {
        key: "append-to-page",
        label: "Append to Page",
        description: "Adds Markdown, converted to storage format, to the end of a page; what the page holds stays as it was, and the connector sends the current version plus one.",
        group: "Pages",
        method: Method::Post,
        path: "/wiki/api/v2/pages/{id}",
        params: &[PAGE_ID, MARKDOWN_CONTENT],
        paging: None,
        handler: Some(actions::append_to_page),
        rules: &[],
    },
];

/// Markdown to put into a page.
const MARKDOWN_CONTENT: Param = Param::new(
    "markdown",
    "Markdown",
    "The content in Markdown: CommonMark with GitHub tables, task lists and ~~strikethrough~~; fenced code blocks become code macros.",
    Kind::Text,
    Target::Local,
)
.required()
.example(r###""## Notes\n\n- Reviewed on Monday""###);
