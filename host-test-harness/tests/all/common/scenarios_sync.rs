//! The sync fixture site's runs: each fixture with the configuration, the
//! clock and (for an incremental run) the run it follows. The configurations
//! are the ones `fixtures/scenarios_sync.py` plays the connector's side of.

use super::*;
use host_test_harness::{SyncJob, SyncSummary, run_sync};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// When the first run of every scenario starts: 2026-11-02T08:00:00Z.
pub const T0: u64 = 1_793_606_400;
/// When the incremental runs start, an hour later.
pub const T1: u64 = T0 + 3600;

/// One sync run over the fixture site.
pub struct SyncScenario {
    /// The fixture answering the run.
    pub fixture: &'static str,
    /// The configuration, JSON.
    pub config: &'static str,
    /// The run this one continues from (an incremental run), if any.
    pub after: Option<&'static str>,
    /// Whether it runs over OAuth 2.0 (through Atlassian's gateway, with the
    /// cloud id stored) rather than Basic.
    pub oauth: bool,
}

/// Content streams only, three items per request (the fixture site's main config).
pub const CONTENT_ONLY: &str = r#"{"batch-size": 3, "streams": {"groups": false, "space-permissions": false, "audit": false}}"#;
/// The Guides subtree with its comments and attachments, bytes included.
pub const PAGE_TREE: &str = r#"{"pages": {"in": ["1001"]}, "streams": {"spaces": false, "blog-posts": false, "folders": false, "groups": false, "space-permissions": false, "audit": false, "users": false}, "attachment-bytes": {"include": true}}"#;
/// The admin streams only, two items per request.
pub const ADMIN: &str = r#"{"batch-size": 2, "streams": {"pages": false, "blog-posts": false, "page-attachments": false, "page-comments": false, "blog-post-attachments": false, "blog-post-comments": false, "folders": false, "users": false}}"#;

/// A configuration with only the pages stream on, and the given filters.
macro_rules! pages_only {
    ($($filter:literal)?) => {
        concat!("{", $($filter, ", ",)? r#""streams": {"spaces": false, "blog-posts": false, "page-attachments": false, "page-comments": false, "blog-post-attachments": false, "blog-post-comments": false, "folders": false, "users": false, "groups": false, "space-permissions": false, "content-restrictions": false, "audit": false}"#, "}")
    };
}

/// Every sync fixture and its run.
pub const SYNC_SCENARIOS: &[SyncScenario] = &[
    SyncScenario {
        fixture: "sync-full",
        config: CONTENT_ONLY,
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-incremental",
        config: CONTENT_ONLY,
        after: Some("sync-full"),
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-full-oauth",
        config: CONTENT_ONLY,
        after: None,
        oauth: true,
    },
    SyncScenario {
        fixture: "sync-incremental-oauth",
        config: CONTENT_ONLY,
        after: Some("sync-full-oauth"),
        oauth: true,
    },
    SyncScenario {
        fixture: "sync-admin",
        config: ADMIN,
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-spaces-in",
        config: pages_only!(r#""spaces": {"in": ["ENG"]}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-spaces-not-in",
        config: pages_only!(r#""spaces": {"not-in": ["ENG"]}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-pages-in",
        config: pages_only!(r#""pages": {"in": ["1001"]}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-pages-not-in",
        config: pages_only!(r#""pages": {"not-in": ["1001"]}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-modified-after",
        config: pages_only!(r#""modified": {"after": "2026-11-01T00:40"}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-modified-between",
        config: pages_only!(r#""modified": {"after": "2026-11-01", "before": "2026-11-01T00:45"}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-created-before",
        config: pages_only!(r#""created": {"before": "2026-11-01T00:35"}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-filter-combined",
        config: pages_only!(
            r#""spaces": {"in": ["ENG"]}, "pages": {"in": ["1000"], "not-in": ["1003"]}, "created": {"after": "2026-11-01T00:15"}"#
        ),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-body-html",
        config: pages_only!(r#""body-format": "html", "spaces": {"in": ["ENG"]}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-body-text",
        config: pages_only!(r#""body-format": "text", "spaces": {"in": ["ENG"]}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-body-markdown",
        config: pages_only!(r#""body-format": "markdown", "spaces": {"in": ["ENG"]}"#),
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-page-tree",
        config: PAGE_TREE,
        after: None,
        oauth: false,
    },
    SyncScenario {
        fixture: "sync-page-tree-incremental",
        config: PAGE_TREE,
        after: Some("sync-page-tree"),
        oauth: false,
    },
];

impl SyncScenario {
    /// The connection it runs over.
    pub fn connection(&self) -> Connection {
        if self.oauth { oauth_stored() } else { basic() }
    }
}

/// The scenario of a sync fixture.
pub fn sync_scenario(fixture: &str) -> &'static SyncScenario {
    SYNC_SCENARIOS
        .iter()
        .find(|s| s.fixture == fixture)
        .unwrap_or_else(|| panic!("no sync scenario {fixture}"))
}

/// One record as the sync loop wrote it.
pub type Record = serde_json::Value;

/// A finished run: its records, the state it left, its summary and log lines.
pub struct SyncOutcome {
    /// Every record, in order.
    pub records: Vec<Record>,
    /// The state file's contents after the run.
    pub state: String,
    /// Counts.
    pub summary: SyncSummary,
}

/// A scratch directory for one run's files.
pub fn scratch(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sync-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Options replaying `fixture` (strict or not), the clock stopped at `at`, with `secrets`.
pub fn sync_options(fixture: &str, strict: bool, at: u64) -> CallOptions {
    let mut options = CallOptions::replay_file(fixture_path(fixture), strict).unwrap();
    options.wall_clock = Some(UNIX_EPOCH + Duration::from_secs(at));
    options
}

fn fixture_path(name: &str) -> PathBuf {
    super::fixture(name)
}

/// Runs a sync with `options` in `dir` (state and records files there), at
/// most `max_batches` batches, over the fixture site's Basic connection.
pub fn run_in(
    dir: &Path,
    config: &str,
    options: &CallOptions,
    max_batches: Option<usize>,
) -> anyhow::Result<SyncOutcome> {
    run_over(&basic(), dir, config, options, max_batches)
}

/// As [`run_in`], over `connection`.
pub fn run_over(
    connection: &Connection,
    dir: &Path,
    config: &str,
    options: &CallOptions,
    max_batches: Option<usize>,
) -> anyhow::Result<SyncOutcome> {
    let state_path = dir.join("state.json");
    let out = dir.join("records.jsonl");
    let job = SyncJob {
        connection,
        config,
        state_path: &state_path,
        out: &out,
        options,
        max_batches,
        fresh: false,
    };
    let summary = run_sync(host(), &job, &mut |_| {})?;
    let records = std::fs::read_to_string(&out)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Ok(SyncOutcome {
        records,
        state: std::fs::read_to_string(&state_path).unwrap_or_default(),
        summary,
    })
}

/// Runs a scenario from scratch, its earlier run first when it has one (each
/// strict, each with its own clock); returns the scenario's own run.
pub fn run_scenario(fixture: &str) -> SyncOutcome {
    run_scenario_over(fixture, &sync_scenario(fixture).connection())
}

/// As [`run_scenario`], over `connection`.
pub fn run_scenario_over(fixture: &str, connection: &Connection) -> SyncOutcome {
    let scenario = sync_scenario(fixture);
    let connection = connection.clone();
    let dir = scratch(fixture);
    if let Some(first) = scenario.after {
        let options = sync_options(first, true, T0);
        run_over(&connection, &dir, scenario.config, &options, None).unwrap();
        std::fs::remove_file(dir.join("records.jsonl")).unwrap();
    }
    let at = if scenario.after.is_some() { T1 } else { T0 };
    let options = sync_options(fixture, true, at);
    run_over(&connection, &dir, scenario.config, &options, None).unwrap()
}
