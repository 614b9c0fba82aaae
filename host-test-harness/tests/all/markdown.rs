//! Get Page as Markdown and Create or Update Page from Markdown through the
//! compiled component: the page is read with its storage body and returned
//! converted, with links on the site (the connection's own for Basic, the
//! page's `_links.base` for OAuth, never a place requests go); Markdown is
//! converted to storage and sent by Create Page's call, or by Update Page's
//! read-then-write with the next version.

use crate::common::scenarios_markdown::scenario;
use crate::common::{basic, body_json, expect_error, host, replay};
use host_test_harness::{CallOptions, ConnectorError, Outcome, Output};
use serde_json::{Value, json};

/// Runs the scenario of fixture `name` against a strict replay.
fn run(name: &str) -> Outcome<Output> {
    let s = scenario(name);
    host()
        .invoke(s.action.unwrap(), &(s.connection)(), s.input, &replay(name))
        .unwrap()
}

/// Runs an action with `input` against the strict replay of fixture `name`.
fn run_with(action: &str, name: &str, input: &str) -> Outcome<Output> {
    let s = scenario(name);
    host()
        .invoke(action, &(s.connection)(), input, &replay(name))
        .unwrap()
}

/// The Markdown of the fixture page `markdown-get`, converted on the site `base`.
fn page_markdown(base: &str) -> String {
    format!(
        "# Release 2.4\n\n\
         Ships on <time datetime=\"2026-11-06\">2026-11-06</time>. Read the [Upgrade guide]({base}/display/ENG/Upgrade+guide) \
         and [the notes]({base}/download/attachments/11/notes%20v2.pdf).\n\n\
         > [!INFO]\n>\n> Back up first.\n\n\
         - [x] Tag the build\n"
    )
}

#[test]
fn a_page_comes_back_as_markdown_with_links_on_the_site() {
    let outcome = run("markdown-get");
    assert_eq!(outcome.exchanges.len(), 1);
    assert!(
        outcome.exchanges[0]
            .url
            .ends_with("/wiki/api/v2/pages/11?body-format=storage")
    );
    let out = body_json(&outcome.result.unwrap());
    assert_eq!(
        out,
        json!({
            "id": "11",
            "title": "Release notes",
            "spaceId": "98306",
            "version": 3,
            "webUrl": "https://acme.atlassian.net/wiki/spaces/ENG/pages/11/Release+notes",
            "format": "markdown",
            "markdown": page_markdown("https://acme.atlassian.net/wiki"),
        })
    );
}

#[test]
fn format_text_returns_the_words_without_markdown() {
    let outcome = run_with(
        "get-page-as-markdown",
        "markdown-get",
        r#"{"page-id": "11", "format": "text"}"#,
    );
    let out = body_json(&outcome.result.unwrap());
    assert_eq!(out["format"], "text");
    assert!(out.get("markdown").is_none());
    assert_eq!(
        out["text"],
        "Release 2.4\n\n\
         Ships on 2026-11-06. Read the Upgrade guide (https://acme.atlassian.net/wiki/display/ENG/Upgrade+guide) \
         and the notes (https://acme.atlassian.net/wiki/download/attachments/11/notes%20v2.pdf).\n\n\
         Info: Back up first.\n\n\
         [x] Tag the build\n"
    );
}

#[test]
fn a_missing_page_is_not_found() {
    let outcome = run("markdown-get-404");
    assert_eq!(outcome.exchanges.len(), 1);
    match expect_error(outcome) {
        ConnectorError::NotFound(message) => assert!(message.contains("Not Found"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn through_oauth_links_use_the_pages_site_but_requests_stay_on_the_gateway() {
    let outcome = run("markdown-get-oauth");
    for exchange in &outcome.exchanges {
        assert!(
            exchange
                .url
                .starts_with("https://api.atlassian.com/ex/confluence/"),
            "{}",
            exchange.url
        );
    }
    let out = body_json(&outcome.result.unwrap());
    assert_eq!(
        out["markdown"],
        Value::String(page_markdown("https://acme.atlassian.net/wiki"))
    );
    assert_eq!(
        out["webUrl"],
        "https://acme.atlassian.net/wiki/spaces/ENG/pages/11/Release+notes"
    );
}

#[test]
fn without_a_web_address_the_space_is_read_for_its_key() {
    let outcome = run("markdown-get-space-lookup");
    assert_eq!(outcome.exchanges.len(), 2);
    assert!(
        outcome.exchanges[1]
            .url
            .ends_with("/wiki/api/v2/spaces/98306")
    );
    let out = body_json(&outcome.result.unwrap());
    assert_eq!(
        out["text"],
        "See the Upgrade guide (https://acme.atlassian.net/wiki/display/ENG/Upgrade+guide).\n"
    );
    assert_eq!(out["webUrl"], Value::Null);
}

#[test]
fn create_sends_the_markdown_as_storage() {
    let outcome = run("markdown-create");
    assert_eq!(outcome.exchanges.len(), 1);
    let sent = &outcome.exchanges[0];
    assert_eq!(sent.method, "POST");
    assert!(sent.url.ends_with("/wiki/api/v2/pages"));
    let body = sent.request_json().unwrap();
    assert_eq!(
        body["body"]["value"],
        "<h1>Release 2.4</h1>\
         <p>Ships on <strong>Friday</strong>. See <a href=\"https://example.com/guide\">the guide</a>.</p>\
         <ac:task-list>\
         <ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Update the docs</ac:task-body></ac:task>\
         <ac:task><ac:task-id>2</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Tag the build</ac:task-body></ac:task>\
         </ac:task-list>\
         <ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">bash</ac:parameter>\
         <ac:plain-text-body><![CDATA[./release.sh --tag 2.4]]></ac:plain-text-body></ac:structured-macro>\
         <table><tbody><tr><th>Area</th><th>Owner</th></tr><tr><td>Search</td><td>Jane</td></tr></tbody></table>\
         <p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    );
    assert_eq!(body["body"]["representation"], "storage");
    assert_eq!(body["spaceId"], "98306");
    assert_eq!(body["parentId"], "983061");
    assert_eq!(body["status"], "current");
    assert!(body.get("markdown").is_none() && body.get("page-id").is_none());
    assert_eq!(body_json(&outcome.result.unwrap())["id"], "13");
}

#[test]
fn create_reports_confluences_refusal() {
    let outcome = run("markdown-create-400");
    assert_eq!(
        outcome.exchanges.len(),
        1,
        "a failed create is never repeated"
    );
    match expect_error(outcome) {
        ConnectorError::Upstream(e) => {
            assert_eq!(e.status, 400);
            assert!(e.message.contains("already exists"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn update_reads_the_version_and_sends_the_next() {
    let outcome = run("markdown-update");
    let body = read_then_put(&outcome);
    assert_eq!(body["version"]["number"], 4);
    assert_eq!(body["id"], "11");
    assert_eq!(
        body["body"],
        json!({"representation": "storage", "value": "<p>Moved to <strong>Monday</strong>.</p>"})
    );
    assert_eq!(body_json(&outcome.result.unwrap())["version"]["number"], 4);
}

/// The page fixture `name` answers first.
fn fixture_page(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.har", env!("CARGO_MANIFEST_DIR"));
    let har: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let text = har["log"]["entries"][0]["response"]["content"]["text"]
        .as_str()
        .unwrap();
    serde_json::from_str(text).unwrap()
}

#[test]
fn a_page_read_edited_and_written_back_loses_nothing_but_the_edit() {
    // Read the page the fixture answers: what Markdown cannot say reads as a
    // confluence block, escaped text, a site address.
    let page = fixture_page("markdown-edit");
    let answer = answering(&page);
    let read = host()
        .invoke(
            "get-page-as-markdown",
            &basic(),
            r#"{"page-id": "11"}"#,
            &answer,
        )
        .unwrap();
    let markdown = body_json(&read.result.unwrap())["markdown"]
        .as_str()
        .unwrap()
        .to_string();
    // Edit one paragraph and add a section, as an agent would.
    let edited = markdown.replace(
        "None so far.\n",
        "Search is slow in **large** spaces.\n\n## Thanks\n\nTo everyone.\n",
    );
    assert_ne!(edited, markdown);
    let input: Value = serde_json::from_str(scenario("markdown-edit").input).unwrap();
    assert_eq!(
        input["markdown"],
        edited.as_str(),
        "the scenario's input is that edit"
    );

    let outcome = run("markdown-edit");
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    let body = read_then_put(&outcome);
    assert_eq!(body["version"]["number"], 6);
    let sent = body["body"]["value"].as_str().unwrap();
    let page = page["body"]["storage"]["value"].as_str().unwrap();
    // The toc with its macro id, the page link, the inline jira macro, the
    // image with its width, the layout and the emoticon: byte for byte (the
    // whitespace before an element goes with it, so the edited one's went too).
    let cut = page.find("\n<p>None so far.</p>").unwrap();
    assert_eq!(&sent[..cut], &page[..cut]);
    assert_eq!(
        &sent[cut..],
        "<p>Search is slow in <strong>large</strong> spaces.</p><h2>Thanks</h2><p>To everyone.</p>"
    );

    // Unedited, the page goes back exactly as it was; with keep-unchanged
    // off, the body is written from the Markdown: the dialect carries the
    // references and settings, not the macros' own attributes.
    let same = json!({"space-id": "98306", "title": "Release notes", "page-id": "11", "markdown": markdown}).to_string();
    let outcome = host()
        .invoke("upsert-page-from-markdown", &basic(), &same, &answer)
        .unwrap();
    let body = read_then_put(&outcome);
    assert_eq!(body["body"]["value"], page);
    let whole = json!({"space-id": "98306", "title": "Release notes", "page-id": "11", "markdown": markdown, "keep-unchanged": false}).to_string();
    let outcome = host()
        .invoke("upsert-page-from-markdown", &basic(), &whole, &answer)
        .unwrap();
    let body = read_then_put(&outcome);
    let sent = body["body"]["value"].as_str().unwrap();
    assert!(
        sent.contains("ac:macro-id=\"3f2a\""),
        "the confluence block is written back: {sent}"
    );
    assert!(sent.contains("ac:width=\"480\""), "{sent}");
    assert!(
        sent.contains("<ri:attachment ri:filename=\"architecture.png\" />"),
        "{sent}"
    );
    assert!(
        !sent.contains("ac:name=\"jira\" ac:schema-version"),
        "{sent}"
    );
}

#[test]
fn updating_a_missing_page_sends_nothing_after_the_read() {
    let outcome = run("markdown-update-404");
    assert_eq!(outcome.exchanges.len(), 1);
    assert!(matches!(expect_error(outcome), ConnectorError::NotFound(_)));
}

#[test]
fn inputs_are_checked_before_anything_is_sent() {
    let cases = [
        (
            "upsert-page-from-markdown",
            r#"{"space-id": "98306", "title": "T"}"#,
            "markdown",
        ),
        (
            "upsert-page-from-markdown",
            r#"{"space-id": "98306", "title": "T", "markdown": "x", "page-id": "abc"}"#,
            "page-id",
        ),
        (
            "get-page-as-markdown",
            r#"{"page-id": "11", "format": "html"}"#,
            "format",
        ),
    ];
    for (action, input, field) in cases {
        let outcome = host()
            .invoke(action, &basic(), input, &CallOptions::default())
            .unwrap();
        assert!(outcome.exchanges.is_empty(), "{action} {input}");
        match expect_error(outcome) {
            ConnectorError::InvalidInput(e) => assert_eq!(e.field, field, "{input}"),
            other => panic!("{input}: {other:?}"),
        }
    }
}

/// `page`, as the answer to every request.
fn answering(page: &Value) -> CallOptions {
    CallOptions {
        http: host_test_harness::HttpMode::Respond {
            status: 200,
            content_type: "application/json".into(),
            body: page.to_string(),
        },
        ..CallOptions::default()
    }
}

/// A page with sections, as Confluence answers it (and, here, every request).
fn page_with_sections(storage: &str) -> CallOptions {
    answering(&json!({
        "id": "11", "title": "Runbook", "status": "current", "spaceId": "98306",
        "version": {"number": 7},
        "body": {"storage": {"representation": "storage", "value": storage}},
    }))
}

const RUNBOOK: &str = concat!(
    "<h1>Runbook</h1><p>Owned by <ac:link><ri:user ri:account-id=\"5b10a\"/></ac:link>.</p>",
    "<h2>Deploy</h2><ac:structured-macro ac:name=\"info\" ac:schema-version=\"1\"><ac:rich-text-body><p>Freeze on Fridays.</p></ac:rich-text-body></ac:structured-macro><p>Run the pipeline.</p>",
    "<h3>Linux</h3><p>apt install</p>",
    "<h2>Rollback</h2><p>Revert.</p><h3>Linux</h3><p>apt remove</p>"
);

/// The body of the PUT an update of page 11 sent, after asserting it made
/// one read (with the page's storage) and that one write.
fn read_then_put(outcome: &Outcome<Output>) -> Value {
    assert_eq!(
        outcome.exchanges.len(),
        2,
        "one read, one write: {:?}",
        outcome.exchanges
    );
    assert_eq!(outcome.exchanges[0].method, "GET");
    assert!(
        outcome.exchanges[0]
            .url
            .ends_with("/wiki/api/v2/pages/11?body-format=storage")
    );
    let put = &outcome.exchanges[1];
    assert_eq!(put.method, "PUT");
    assert!(put.url.ends_with("/wiki/api/v2/pages/11"));
    put.request_json().unwrap()
}

/// The storage the update sent, after the read.
fn sent_storage(outcome: &Outcome<Output>) -> String {
    let body = read_then_put(outcome);
    assert_eq!(body["version"]["number"], 8, "the current version plus one");
    assert_eq!(body["title"], "Runbook");
    assert_eq!(body["status"], "current");
    assert_eq!(body["body"]["representation"], "storage");
    body["body"]["value"].as_str().unwrap().to_string()
}

#[test]
fn update_page_section_replaces_one_section_and_sends_every_other_byte_as_it_was() {
    let outcome = host()
        .invoke(
            "update-page-section",
            &basic(),
            r#"{"page-id": "11", "heading": "Rollback > Linux", "markdown": "Run `apt purge`."}"#,
            &page_with_sections(RUNBOOK),
        )
        .unwrap();
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    let sent = sent_storage(&outcome);
    let cut = RUNBOOK.rfind("<p>apt remove</p>").unwrap();
    assert_eq!(
        &sent[..cut],
        &RUNBOOK[..cut],
        "everything before the section, byte for byte"
    );
    assert_eq!(&sent[cut..], "<p>Run <code>apt purge</code>.</p>");

    // A section with sub-sections: the macro and the mention before it stay.
    let outcome = host()
        .invoke(
            "update-page-section",
            &basic(),
            r#"{"page-id": "11", "heading": "deploy", "markdown": "- one\n- two"}"#,
            &page_with_sections(RUNBOOK),
        )
        .unwrap();
    let sent = sent_storage(&outcome);
    let start = RUNBOOK.find("<h2>Deploy</h2>").unwrap() + "<h2>Deploy</h2>".len();
    let end = RUNBOOK.find("<h2>Rollback</h2>").unwrap();
    assert_eq!(&sent[..start], &RUNBOOK[..start]);
    assert!(sent.ends_with(&RUNBOOK[end..]), "{sent}");
    assert!(sent[start..].starts_with("<ul>"), "{sent}");
}

#[test]
fn update_page_section_names_the_headings_when_it_cannot_choose_and_sends_nothing_more() {
    for (heading, expected) in [
        (
            "Linux",
            "`Linux` names 2 headings: Runbook > Deploy > Linux; Runbook > Rollback > Linux",
        ),
        (
            "Windows",
            "the page has no heading `Windows`; its headings are: Runbook; Runbook > Deploy; Runbook > Deploy > Linux; Runbook > Rollback; Runbook > Rollback > Linux",
        ),
    ] {
        let input = json!({"page-id": "11", "heading": heading, "markdown": "x"}).to_string();
        let outcome = host()
            .invoke(
                "update-page-section",
                &basic(),
                &input,
                &page_with_sections(RUNBOOK),
            )
            .unwrap();
        assert_eq!(outcome.exchanges.len(), 1, "only the read");
        let ConnectorError::InvalidInput(e) = expect_error(outcome) else {
            panic!("not invalid input");
        };
        assert_eq!(e.field, "heading");
        assert!(e.message.contains(expected), "{}", e.message);
    }
}

#[test]
fn append_to_page_adds_at_the_end_and_keeps_the_page_as_it_was() {
    let outcome = host()
        .invoke(
            "append-to-page",
            &basic(),
            r###"{"page-id": "11", "markdown": "## Changelog\n\nAdded *rollback*."}"###,
            &page_with_sections(RUNBOOK),
        )
        .unwrap();
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    let sent = sent_storage(&outcome);
    assert_eq!(&sent[..RUNBOOK.len()], RUNBOOK);
    assert_eq!(
        &sent[RUNBOOK.len()..],
        "<h2>Changelog</h2><p>Added <em>rollback</em>.</p>"
    );
}
