//! The fixture scenarios of Get Page as Markdown and Create or Update Page from Markdown.

use super::*;

/// Every fixture of this group with the call that uses all of its entries.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        fixture: "markdown-get",
        connection: basic,
        action: Some("get-page-as-markdown"),
        input: r#"{"page-id": "11"}"#,
    },
    Scenario {
        fixture: "markdown-get-404",
        connection: basic,
        action: Some("get-page-as-markdown"),
        input: r#"{"page-id": "404404"}"#,
    },
    Scenario {
        fixture: "markdown-get-oauth",
        connection: oauth_stored,
        action: Some("get-page-as-markdown"),
        input: r#"{"page-id": "11"}"#,
    },
    Scenario {
        fixture: "markdown-get-space-lookup",
        connection: basic,
        action: Some("get-page-as-markdown"),
        input: r#"{"page-id": "12", "format": "text"}"#,
    },
    Scenario {
        fixture: "markdown-create",
        connection: basic,
        action: Some("upsert-page-from-markdown"),
        input: r##"{"space-id": "98306", "title": "Release 2.4", "parent-id": "983061", "status": "current",
            "markdown": "# Release 2.4\n\nShips on **Friday**. See [the guide](https://example.com/guide).\n\n- [ ] Update the docs\n- [x] Tag the build\n\n```bash\n./release.sh --tag 2.4\n```\n\n| Area | Owner |\n| --- | --- |\n| Search | Jane |\n\n<script>alert(1)</script>\n"}"##,
    },
    Scenario {
        fixture: "markdown-create-400",
        connection: basic,
        action: Some("upsert-page-from-markdown"),
        input: r#"{"space-id": "98306", "title": "Release notes", "markdown": "Again"}"#,
    },
    Scenario {
        fixture: "markdown-update",
        connection: basic,
        action: Some("upsert-page-from-markdown"),
        input: r#"{"space-id": "98306", "title": "Release notes", "page-id": "11", "markdown": "Moved to **Monday**."}"#,
    },
    Scenario {
        fixture: "markdown-edit",
        connection: basic,
        action: Some("upsert-page-from-markdown"),
        input: r##"{"space-id": "98306", "title": "Release notes", "page-id": "11", "markdown": "# Release 2.4\n\n```confluence\n<ac:structured-macro ac:name=\"toc\" ac:schema-version=\"1\" ac:macro-id=\"3f2a\"><ac:parameter ac:name=\"maxLevel\">2</ac:parameter></ac:structured-macro>\n```\n\nShips on <time datetime=\"2026-11-06\">2026-11-06</time>. Read the [Upgrade guide](https://acme.atlassian.net/wiki/display/ENG/Upgrade+guide); tracked in <span data-macro=\"jira\" data-key=\"ENG-42\">macro: jira (key=ENG-42)</span>.\n\n<img src=\"https://acme.atlassian.net/wiki/download/attachments/11/architecture.png\" alt=\"architecture.png\" data-align=\"center\" width=\"480\">\n\n<div data-layout>\n<div data-section=\"two_equal\">\n<div data-cell>\n\nLeft\n\n</div>\n<div data-cell>\n\nRight 🙂\n\n</div>\n</div>\n</div>\n\n## Known issues\n\nSearch is slow in **large** spaces.\n\n## Thanks\n\nTo everyone.\n"}"##,
    },
    Scenario {
        fixture: "markdown-update-404",
        connection: basic,
        action: Some("upsert-page-from-markdown"),
        input: r#"{"space-id": "98306", "title": "Gone", "page-id": "404404", "markdown": "Never sent"}"#,
    },
];

/// The scenario of fixture `name`.
pub fn scenario(name: &str) -> &'static Scenario {
    SCENARIOS
        .iter()
        .find(|s| s.fixture == name)
        .unwrap_or_else(|| panic!("no markdown scenario {name}"))
}
