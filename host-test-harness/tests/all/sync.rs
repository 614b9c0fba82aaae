//! Sync through the compiled component: a full run of the fixture site, each
//! filter alone and combined, an incremental run after edits, additions,
//! deletions and a page moved out of a filtered tree, a crash after any batch
//! followed by a resume, the admin streams, and each body format.

use crate::common;
use crate::common::scenarios_sync::{
    ADMIN, CONTENT_ONLY, Record, SYNC_SCENARIOS, T0, run_in, run_scenario, run_scenario_over,
    scratch, sync_options,
};
use crate::common::{basic, host};
use host_test_harness::{CallOptions, ConnectorError};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// `stream operation` → ids, from a run's records.
fn by_stream(records: &[Record]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in records {
        out.entry(format!(
            "{} {}",
            r["stream"].as_str().unwrap(),
            r["operation"].as_str().unwrap()
        ))
        .or_default()
        .insert(r["id"].as_str().unwrap().to_string());
    }
    out
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn record<'a>(records: &'a [Record], stream: &str, id: &str) -> &'a Value {
    &records
        .iter()
        .rfind(|r| r["stream"] == stream && r["id"] == id)
        .unwrap_or_else(|| panic!("no {stream} record {id}"))["data"]
}

#[test]
fn a_full_run_reads_every_stream_of_the_site() {
    let run = run_scenario("sync-full");
    println!(
        "full run: {} records, {} requests, {} batches",
        run.summary.total(),
        run.summary.requests,
        run.summary.batches
    );
    let streams = by_stream(&run.records);
    let expected: BTreeMap<&str, BTreeSet<String>> = [
        ("spaces upsert", ids(&["98306", "98307"])),
        (
            "pages upsert",
            ids(&["1000", "1001", "1002", "1003", "1004", "2000", "2001"]),
        ),
        ("blog-posts upsert", ids(&["3000", "3001"])),
        ("folders upsert", ids(&["6000"])),
        ("footer-comments upsert", ids(&["4000", "4002", "4003"])),
        ("inline-comments upsert", ids(&["4001"])),
        ("attachments upsert", ids(&["att5000", "att5001"])),
        ("labels upsert", ids(&["700", "701", "702"])),
        (
            "content-restrictions upsert",
            ids(&[
                "1000", "1001", "1002", "1003", "1004", "2000", "2001", "3000", "3001", "6000",
            ]),
        ),
        (
            "users upsert",
            ids(&[
                "5b10ac8d82e05b22cc7d4ef5",
                "712020:0f1e9a7c-3b1d-4c55-9b0e-8d7f6e5d4c3b",
            ]),
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        streams.into_iter().collect::<Vec<_>>(),
        expected
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Vec<_>>()
    );
    // Ten requests: spaces, three pages of pages, blog posts, folders, two of comments, attachments, users.
    assert_eq!(run.summary.requests, 10);
    assert_eq!(run.summary.batches, 10);

    let deep = record(&run.records, "pages", "1004");
    assert_eq!(deep["title"], "Rollback Steps");
    assert_eq!(deep["parent-id"], "1003");
    assert_eq!(deep["path"], "Engineering Home / Guides / Deploy Guide");
    assert_eq!(deep["space-key"], "ENG");
    assert_eq!(deep["labels"], json!(["deploy"]));
    assert_eq!(deep["author"], "5b10ac8d82e05b22cc7d4ef5");
    assert_eq!(deep["owner"], "5b10ac8d82e05b22cc7d4ef5");
    assert_eq!(
        deep["web-url"],
        "https://acme.atlassian.net/wiki/spaces/ENG/pages/1004"
    );
    assert_eq!(deep["body"]["format"], "storage");
    assert!(
        deep["body"]["value"]
            .as_str()
            .unwrap()
            .contains("make rollback")
    );
    let reply = record(&run.records, "footer-comments", "4002");
    assert_eq!(reply["parent-comment-id"], "4000");
    assert_eq!(reply["container-id"], "1003");
    let inline = record(&run.records, "inline-comments", "4001");
    assert_eq!(inline["inline-text"], "On call only");
    let restricted = record(&run.records, "content-restrictions", "1003");
    assert_eq!(
        restricted["read"]["users"],
        json!(["712020:0f1e9a7c-3b1d-4c55-9b0e-8d7f6e5d4c3b"])
    );
    assert_eq!(restricted["update"]["groups"], json!(["eng-leads"]));
    let file = record(&run.records, "attachments", "att5000");
    assert_eq!(file["media-type"], "image/png");
    assert_eq!(file["file-size"], 68);
    assert_eq!(file["bytes"], Value::Null);
    assert_eq!(
        record(&run.records, "users", "5b10ac8d82e05b22cc7d4ef5")["display-name"],
        "Jane Doe"
    );

    let state: Value = serde_json::from_str(&run.state).unwrap();
    assert_eq!(state["since"], T0);
    assert_eq!(state["run"], Value::Null);
}

#[test]
fn every_record_matches_its_stream_schema() {
    let streams = host().sync_streams().unwrap();
    assert_eq!(streams.len(), 14);
    let mut records = run_scenario("sync-full").records;
    records.extend(run_scenario("sync-admin").records);
    for r in &records {
        let stream = streams.iter().find(|s| s.key == r["stream"]).unwrap();
        let schema: Value = serde_json::from_str(&stream.record_schema).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        if r["operation"] == "upsert" {
            assert!(
                validator.is_valid(&r["data"]),
                "{}: {}",
                stream.key,
                r["data"]
            );
        }
    }
}

#[test]
fn each_filter_alone_and_combined_selects_the_right_pages() {
    let cases: &[(&str, &[&str])] = &[
        (
            "sync-filter-spaces-in",
            &["1000", "1001", "1002", "1003", "1004"],
        ),
        ("sync-filter-spaces-not-in", &["2000", "2001"]),
        ("sync-filter-pages-in", &["1001", "1003", "1004"]),
        (
            "sync-filter-pages-not-in",
            &["1000", "1002", "2000", "2001"],
        ),
        (
            "sync-filter-modified-after",
            &["1003", "1004", "2000", "2001"],
        ),
        (
            "sync-filter-modified-between",
            &["1000", "1001", "1002", "1003"],
        ),
        ("sync-filter-created-before", &["1000", "1001", "1002"]),
        ("sync-filter-combined", &["1001", "1002"]),
    ];
    for (fixture, pages) in cases {
        let run = run_scenario(fixture);
        let streams = by_stream(&run.records);
        // Only pages (and the labels found on them) are read.
        assert!(
            streams
                .keys()
                .all(|k| k == "pages upsert" || k == "labels upsert"),
            "{fixture}: {streams:?}"
        );
        assert_eq!(streams["pages upsert"], ids(pages), "{fixture}");
        assert_eq!(
            run.summary.requests, 1,
            "{fixture}: filters go into the one CQL request"
        );
    }
}

#[test]
fn an_incremental_run_reads_only_changes_and_emits_deletes() {
    let run = run_scenario("sync-incremental");
    println!(
        "incremental run: {} records, {} requests, {} batches: {:?}",
        run.summary.total(),
        run.summary.requests,
        run.summary.batches,
        run.summary.records
    );
    let streams = by_stream(&run.records);
    // 1003 edited, 1004 moved to MKT (still synced: no page filter), 1006 new;
    // 3001 sits in the overlap window unchanged and is not repeated.
    assert_eq!(streams["pages upsert"], ids(&["1003", "1004", "1006"]));
    assert!(!streams.contains_key("blog-posts upsert"));
    assert_eq!(streams["footer-comments upsert"], ids(&["4004"]));
    assert_eq!(streams["pages delete"], ids(&["1002"]));
    assert_eq!(streams["inline-comments delete"], ids(&["4001"]));
    assert_eq!(streams["content-restrictions delete"], ids(&["1002"]));
    assert_eq!(record(&run.records, "pages", "1004")["space-key"], "MKT");
    assert_eq!(record(&run.records, "pages", "1003")["version"], 4);
    assert_eq!(run.summary.requests, 12);
    let state: Value = serde_json::from_str(&run.state).unwrap();
    assert_eq!(state["since"], T0 + 3600);
    assert!(state["known"]["pages"].get("1002").is_none());
    assert_eq!(state["known"]["pages"]["1003"], 4);
}

#[test]
fn a_page_moved_out_of_a_filtered_tree_is_deleted() {
    let full = run_scenario("sync-page-tree");
    let streams = by_stream(&full.records);
    assert_eq!(streams["pages upsert"], ids(&["1001", "1003", "1004"]));
    // Comments on pages outside the tree are left out; blog post comments stay (their own toggle).
    assert_eq!(
        streams["footer-comments upsert"],
        ids(&["4000", "4002", "4003"])
    );
    assert!(!streams.contains_key("inline-comments upsert"));
    // Attachment bytes follow the download redirect to the media service.
    let file = record(&full.records, "attachments", "att5000");
    assert_eq!(file["bytes"], json!(base64_of("bytes of diagram.png")));
    let later = run_scenario("sync-page-tree-incremental");
    let streams = by_stream(&later.records);
    assert_eq!(streams["pages upsert"], ids(&["1003", "1006"]));
    assert_eq!(streams["pages delete"], ids(&["1004"]));
    assert_eq!(streams["content-restrictions delete"], ids(&["1004"]));
    assert_eq!(streams["footer-comments upsert"], ids(&["4004"]));
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Every `(stream, id)` a run's records name.
fn keys(records: &[Record]) -> BTreeSet<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["stream"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_crash_after_any_batch_loses_no_record() {
    let whole = run_scenario("sync-full");
    let all = keys(&whole.records);
    for crash_after in 1..whole.summary.batches {
        let dir = scratch(&format!("crash-{crash_after}"));
        let first = run_in(
            &dir,
            CONTENT_ONLY,
            &sync_options("sync-full", false, T0),
            Some(crash_after),
        )
        .unwrap();
        assert_eq!(first.summary.batches, crash_after);
        // The host restarts: same state file, same records file, a new replay of the site.
        let rest = run_in(
            &dir,
            CONTENT_ONLY,
            &sync_options("sync-full", false, T0 + 60),
            None,
        )
        .unwrap();
        let got = keys(&rest.records);
        assert_eq!(got, all, "crash after batch {crash_after}");
        let state: Value = serde_json::from_str(&rest.state).unwrap();
        let whole_state: Value = serde_json::from_str(&whole.state).unwrap();
        assert_eq!(
            state["known"], whole_state["known"],
            "crash after batch {crash_after}"
        );
        assert_eq!(state["run"], Value::Null);
    }
}

#[test]
fn the_admin_streams_are_read_and_a_refused_one_is_skipped() {
    let run = run_scenario("sync-admin");
    let streams = by_stream(&run.records);
    assert_eq!(
        streams["space-permissions upsert"],
        ids(&["p1", "p2", "p3", "p4"])
    );
    assert_eq!(streams["groups upsert"], ids(&["g-eng", "g-mkt"]));
    assert_eq!(
        streams["group-members upsert"],
        ids(&[
            "g-eng:5b10ac8d82e05b22cc7d4ef5",
            "g-mkt:5b10ac8d82e05b22cc7d4ef5",
            "g-mkt:712020:0f1e9a7c-3b1d-4c55-9b0e-8d7f6e5d4c3b"
        ])
    );
    assert!(!streams.contains_key("audit-records upsert"));
    assert_eq!(
        record(&run.records, "space-permissions", "p2")["operation"],
        "administer"
    );
    let _ = ADMIN;
}

#[test]
fn each_body_format() {
    let html = run_scenario("sync-body-html");
    let body = &record(&html.records, "pages", "1000")["body"];
    assert_eq!(body["format"], "html");
    assert_eq!(
        body["value"],
        "<p>Welcome to <strong>Engineering</strong>.</p>"
    );
    let text = run_scenario("sync-body-text");
    let body = &record(&text.records, "pages", "1001")["body"];
    assert_eq!(body["format"], "text");
    assert!(!body["value"].as_str().unwrap().contains('<'), "{body}");
    assert!(body["value"].as_str().unwrap().contains("Deploy"), "{body}");
    let markdown = run_scenario("sync-body-markdown");
    let body = &record(&markdown.records, "pages", "1003")["body"];
    assert_eq!(body["format"], "markdown");
    let value = body["value"].as_str().unwrap();
    assert!(value.contains("## Steps"), "{value}");
    assert!(value.contains("```bash"), "{value}");
    assert!(value.contains("make deploy"), "{value}");
}

#[test]
fn a_bad_configuration_or_state_is_refused_before_any_request() {
    for (config, state, field) in [
        (r#"{"pages": {"in": ["abc"]}}"#, None, "config.pages.in"),
        (
            r#"{"modified": {"after": "yesterday"}}"#,
            None,
            "config.modified.after",
        ),
        (r#"{"spaces": "ENG"}"#, None, "config"),
        (
            r#"{"pages": {"in": ["1"]}, "streams": {"pages": false}}"#,
            None,
            "config.streams.pages",
        ),
        ("{}", Some("not a state"), "state"),
    ] {
        let outcome = host()
            .sync_read(&basic(), config, state, &CallOptions::default())
            .unwrap();
        assert!(outcome.exchanges.is_empty(), "{config}");
        match outcome.result {
            Err(ConnectorError::InvalidInput(f)) => assert_eq!(f.field, field, "{config}"),
            other => panic!("{config}: {other:?}"),
        }
    }
}

/// The sync fixtures on disk (`tests/fixtures/sync-*.har`, or any HAR whose
/// comment says it is a sync run) are exactly the ones the scenarios use,
/// each as a run of its own or as the run an incremental one follows: a new
/// fixture without a scenario fails, and so does a scenario naming a fixture
/// that is not there.
#[test]
fn the_scenarios_cover_every_sync_fixture() {
    let dir = common::fixture("sync-full").parent().unwrap().to_path_buf();
    let mut on_disk = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".har"))
        else {
            continue;
        };
        let har: Value = serde_json::from_slice(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let comment = har["log"]["comment"].as_str().unwrap_or_default();
        if name.starts_with("sync-") || comment.starts_with("sync:") {
            on_disk.insert(name.to_string());
        }
    }

    let mut scenarios = BTreeSet::new();
    for scenario in SYNC_SCENARIOS {
        assert!(
            scenarios.insert(scenario.fixture.to_string()),
            "two scenarios for {}",
            scenario.fixture
        );
    }
    let mut referenced = scenarios.clone();
    for scenario in SYNC_SCENARIOS {
        if let Some(first) = scenario.after {
            assert!(
                scenarios.contains(first),
                "{} follows {first}, which has no scenario",
                scenario.fixture
            );
            referenced.insert(first.to_string());
        }
    }

    let without_scenario: Vec<_> = on_disk.difference(&referenced).collect();
    assert!(
        without_scenario.is_empty(),
        "sync fixtures in {} without a scenario: {without_scenario:?}",
        dir.display()
    );
    let missing: Vec<_> = referenced.difference(&on_disk).collect();
    assert!(
        missing.is_empty(),
        "scenarios naming a sync fixture not in {}: {missing:?}",
        dir.display()
    );
    assert!(on_disk.len() >= 16, "only {} sync fixtures", on_disk.len());
}

/// The v1 endpoints Atlassian's gateway has removed (it answers them `410
/// Gone`), as prefixes of a path under the API base.
const REMOVED_ON_THE_GATEWAY: [&str; 2] = ["/wiki/rest/api/content", "/wiki/rest/api/space"];

#[test]
fn over_the_oauth_gateway_the_sync_avoids_removed_endpoints_and_emits_the_same_records() {
    for (gateway, site) in [
        ("sync-full-oauth", "sync-full"),
        ("sync-incremental-oauth", "sync-incremental"),
    ] {
        let har: Value =
            serde_json::from_slice(&std::fs::read(common::fixture(gateway)).unwrap()).unwrap();
        for entry in har["log"]["entries"].as_array().unwrap() {
            let url = entry["request"]["url"].as_str().unwrap();
            let path = url
                .strip_prefix(
                    "https://api.atlassian.com/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421",
                )
                .unwrap_or_else(|| panic!("{gateway}: {url} is not under the gateway"));
            assert!(
                !REMOVED_ON_THE_GATEWAY
                    .iter()
                    .any(|removed| path.starts_with(removed)),
                "{gateway} expects a removed endpoint: {path}"
            );
        }
        // Each run replays strictly: a request the fixture does not hold fails it.
        let over_gateway = run_scenario(gateway);
        let over_site = run_scenario(site);
        assert_eq!(over_gateway.records, over_site.records, "{gateway}");
        assert_eq!(
            over_gateway.summary.requests, over_site.summary.requests,
            "{gateway}: no more requests than over the site"
        );
        assert!(!over_gateway.records.is_empty(), "{gateway}");
        // A scoped API token takes the same route, with the same requests.
        let scoped = run_scenario_over(gateway, &common::scoped_stored());
        assert_eq!(
            scoped.records, over_site.records,
            "{gateway} with a scoped token"
        );
        assert_eq!(scoped.summary.requests, over_site.summary.requests);
    }
}
