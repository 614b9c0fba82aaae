//! Sync: mirror a site into a host's store, a batch per call, resumable and
//! incremental.
//!
//! A run is a plan of phases (spaces, pages, blog posts, folders, comments,
//! attachments, then on incremental runs a scan for what disappeared, then
//! users, space permissions, groups, members and audit records). Each `read`
//! does one step of the current phase — at most one list request, or one bulk
//! user lookup — and returns its records with the state to continue from.
//! Content is read through CQL (`/wiki/rest/api/content/search` on the site;
//! `/wiki/rest/api/search` through Atlassian's gateway, which has removed
//! the first), so every filter applies before anything is downloaded; an incremental run asks only
//! for what changed since the previous run started, minus an overlap, and
//! skips items whose version the host already holds. Deletions are found by
//! comparing what the host holds with what still exists under the filters.
//!
//! Here: the entry points and the reader's mechanics (a step of a phase,
//! emitting, holding, paging). `plan.rs` lays out a run's phases,
//! `content.rs` reads spaces and content (bodies, attachments), and
//! `people.rs` users and the admin streams.

pub mod config;
mod content;
mod people;
mod plan;
pub mod records;
pub mod state;
pub mod streams;
#[cfg(test)]
mod tests;

use crate::bindings::exports::integration::connector::sync::{
    Batch, Operation, StreamDefinition, SyncRecord,
};
use crate::bindings::integration::connector::types::Connection;
use crate::connection;
use crate::errors::{Error, UpstreamError};
use crate::http::{Client, Confluence};
use crate::input::is_token;
use crate::paging::{ListPage, LoopGuard, next_link, read_page, resolve_next};
use base64::Engine as _;
use config::{BodyFormat, Config, Kind};
use connector_sdk::platform::{HttpRequest, HttpResponse, LogLevel, Method, Platform};
use serde_json::{Map, Value, json};
use state::{Run, SyncState};
use std::collections::BTreeMap;

/// Every stream the sync emits.
pub fn streams() -> Vec<StreamDefinition> {
    streams::STREAMS
        .iter()
        .map(|s| StreamDefinition {
            key: s.key.into(),
            label: s.label.into(),
            description: s.description.into(),
            primary_key: s.primary_key.iter().map(|k| k.to_string()).collect(),
            record_schema: streams::record_schema(s).to_string(),
        })
        .collect()
}

/// The configuration's JSON Schema, as text.
pub fn config_schema() -> String {
    config::schema().to_string()
}

use plan::{Phase, plan, seen_key, stream_of, streams_of};

/// Reads the next batch of a sync. See the module documentation.
pub fn read(
    platform: &dyn Platform,
    connection: &Connection,
    config: &str,
    state: Option<&str>,
) -> Result<Batch, Error> {
    let config = Config::parse(config)?;
    if config.filters_content_ids() {
        let s = &config.streams;
        if (!config.pages.r#in.is_empty() || !config.pages.not_in.is_empty())
            && !s.pages
            && (s.page_comments || s.page_attachments)
        {
            return Err(crate::errors::invalid_input(
                "config.streams.pages",
                "page id filters reach comments and attachments through their pages: keep `pages` on, or turn off page comments and attachments",
            ));
        }
        if (!config.blog_posts.r#in.is_empty() || !config.blog_posts.not_in.is_empty())
            && !s.blog_posts
            && (s.blog_post_comments || s.blog_post_attachments)
        {
            return Err(crate::errors::invalid_input(
                "config.streams.blog-posts",
                "blog post id filters reach comments and attachments through their blog posts: keep `blog-posts` on, or turn off blog post comments and attachments",
            ));
        }
    }
    let mut state = SyncState::parse(state)?;
    let resolved = connection::resolve(platform, connection, false)?;
    let client = resolved.client(platform);
    let fingerprint = config.fingerprint();
    let restart = state.run.is_some() && state.config != fingerprint;
    let site = client.api_base().to_string();
    if !state.site.is_empty() && state.site != site {
        return Err(crate::errors::invalid_input(
            "state",
            format!(
                "this state was written for {} and the connection reaches {site}; keep one state per site, or start over without a state",
                state.site
            ),
        ));
    }
    state.site = site;
    let now = platform.now_unix_secs();
    if state.run.is_none() || restart {
        let future = state.since.filter(|since| *since > now);
        if let Some(since) = future {
            platform.log(
                LogLevel::Warn,
                &format!(
                    "the state says the last run started at {since} (Unix seconds), after now ({now}); reading everything again"
                ),
            );
        }
        // A run under another configuration reads everything, and emits every
        // item again even where the host holds its version: a changed body
        // format, attachment bytes or stream choice changes what the records hold.
        let changed = state.config != fingerprint;
        state.run = Some(Run {
            started: now,
            incremental: state.since.is_some() && !changed && future.is_none(),
            reemit: changed && !state.known.is_empty(),
            ..Run::default()
        });
        state.config = fingerprint;
        state.version = state::STATE_VERSION;
    }
    let mut reader = Reader {
        platform,
        client,
        config: &config,
        state,
        records: Vec::new(),
    };
    let more = reader.step()?;
    Ok(Batch {
        records: reader.records,
        state: reader.state.to_text(),
        more,
    })
}

/// One page of a list, as a reader gets it.
struct Listed {
    /// Its items.
    results: Vec<Value>,
    /// The answer without its items (`_links` and counts).
    rest: Value,
    /// The link to the next page, if any.
    next: Option<String>,
    /// The answer's status.
    status: u16,
}

/// One call's work.
struct Reader<'a, 'p> {
    platform: &'p dyn Platform,
    client: Client<'p>,
    config: &'a Config,
    state: SyncState,
    records: Vec<SyncRecord>,
}

/// Whether a phase step left the phase with more to do.
enum Progress {
    /// The phase has more; the call is done.
    More,
    /// The phase is finished.
    Done,
}

impl Reader<'_, '_> {
    fn run(&mut self) -> &mut Run {
        self.state.run.get_or_insert_with(Run::default)
    }

    /// Does the next step; returns whether the run has more.
    fn step(&mut self) -> Result<bool, Error> {
        let incremental = self.run().incremental;
        let plan = plan(self.config, incremental);
        loop {
            let index = self.run().phase;
            let Some(phase) = plan.get(index).copied() else {
                let started = self.run().started;
                self.state.since = Some(started);
                self.state.run = None;
                return Ok(false);
            };
            let requested = self.run().next.is_some() || self.phase_requests(phase);
            match self.phase_step(phase)? {
                Progress::More => return Ok(true),
                Progress::Done => {
                    let run = self.run();
                    run.phase += 1;
                    run.next = None;
                    run.walk = Default::default();
                    run.item = 0;
                    let finished = run.phase >= plan.len();
                    if (requested || !self.records.is_empty()) && !finished {
                        return Ok(true);
                    }
                }
            }
        }
    }

    /// Whether a phase's first step sends a request (false for a phase with nothing to do).
    fn phase_requests(&mut self, phase: Phase) -> bool {
        match phase {
            Phase::Users => !self.run().users.is_empty(),
            Phase::SpacePermissions => !self.run().spaces.is_empty(),
            Phase::GroupMembers => !self.run().groups.is_empty(),
            _ => true,
        }
    }

    fn phase_step(&mut self, phase: Phase) -> Result<Progress, Error> {
        match phase {
            Phase::Spaces => self.spaces(),
            Phase::Content(kind) => self.content(kind, false),
            Phase::Scan(kind) => self.content(kind, true),
            Phase::Users => self.users(),
            Phase::SpacePermissions | Phase::Groups | Phase::GroupMembers | Phase::Audit => {
                match self.admin(phase) {
                    // These lists need administrator rights: without them the
                    // stream is skipped, and the rest of the sync goes on.
                    Err(Error::Forbidden(message)) | Err(Error::Unauthorized(message)) => {
                        self.platform.log(
                            LogLevel::Warn,
                            &format!("skipped {phase:?}: Confluence refused it ({message})"),
                        );
                        Ok(Progress::Done)
                    }
                    other => other,
                }
            }
        }
    }

    fn emit(&mut self, stream: &str, id: &str, data: Value) {
        self.records.push(SyncRecord {
            stream: stream.to_string(),
            id: id.to_string(),
            operation: Operation::Upsert,
            data: data.to_string(),
        });
    }

    fn emit_delete(&mut self, stream: &str, id: &str) {
        self.records.push(SyncRecord {
            stream: stream.to_string(),
            id: id.to_string(),
            operation: Operation::Delete,
            data: json!({"id": id}).to_string(),
        });
    }

    /// Deletes what the host holds in `streams` that this run did not see under `seen`.
    fn delete_unseen(&mut self, streams: &[&str], seen: &str) {
        let seen = self.run().seen.remove(seen).unwrap_or_default();
        for stream in streams {
            let held = self.state.known.remove(*stream).unwrap_or_default();
            let (kept, gone): (BTreeMap<_, _>, BTreeMap<_, _>) =
                held.into_iter().partition(|(id, _)| seen.contains(id));
            let restricted = self.config.streams.content_restrictions
                && matches!(*stream, "pages" | "blog-posts" | "folders");
            for id in gone.keys() {
                self.emit_delete(stream, id);
                if restricted {
                    self.emit_delete("content-restrictions", id);
                }
            }
            if !kept.is_empty() {
                self.state.known.insert(stream.to_string(), kept);
            }
        }
    }

    fn see(&mut self, key: &str, id: &str) {
        self.run()
            .seen
            .entry(key.to_string())
            .or_default()
            .insert(id.to_string());
    }

    fn hold(&mut self, stream: &str, id: &str, version: u64) {
        self.state
            .known
            .entry(stream.to_string())
            .or_default()
            .insert(id.to_string(), version);
    }

    fn holds(&self, stream: &str, id: &str, version: u64) -> bool {
        let reemit = self.state.run.as_ref().is_some_and(|r| r.reemit);
        !reemit
            && self
                .state
                .known
                .get(stream)
                .and_then(|m| m.get(id))
                .is_some_and(|v| *v == version)
    }

    /// Fetches the current page of a phase: the stored next link, else `first`.
    /// A walk that goes round in circles is stopped (see [`LoopGuard`]).
    fn fetch(&mut self, first: impl FnOnce(&Client) -> String) -> Result<Listed, Error> {
        let url = match self.run().next.take() {
            Some(next) if self.client.owns(&next) => next,
            _ => first(&self.client),
        };
        let mut listed = self.read_list(&url, |response, page| next_link(response, &page.rest))?;
        listed.next = match listed.next.take() {
            Some(link) => {
                let next = resolve_next(&self.client, &link)?;
                self.run()
                    .walk
                    .follow(&Confluence, &next, &link, listed.status)?;
                Some(next)
            }
            None => None,
        };
        Ok(listed)
    }

    /// Reads the list page at `url` and notes it in the run's loop guard, with
    /// the next link `next` finds in it (raw, not yet resolved).
    fn read_list(
        &mut self,
        url: &str,
        next: impl FnOnce(&HttpResponse, &ListPage) -> Option<String>,
    ) -> Result<Listed, Error> {
        let response = self.client.send_json(Method::Get, url, None)?;
        let page = read_page(&Confluence, &response)?;
        let next = next(&response, &page);
        self.run().walk.page(
            &Confluence,
            url,
            &page.items,
            next.is_some(),
            response.status,
        )?;
        let results = page.values().map_err(|e| {
            Error::Upstream(UpstreamError {
                status: response.status,
                message: format!("a list item from Confluence could not be read: {e}"),
            })
        })?;
        Ok(Listed {
            results,
            rest: page.rest,
            next,
            status: response.status,
        })
    }

    /// The `results` of a list answer.
    fn results(body: &Value) -> Vec<Value> {
        body.get("results")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The site's `/wiki` address for web URLs: the answer's `_links.base`
    /// (display only, never requested), else the API base.
    fn site(&self, body: &Value) -> String {
        body.pointer("/_links/base")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}/wiki", self.client.api_base()))
    }

    /// Ends a paged step: keep the next link, or say the phase is done.
    fn paged(&mut self, next: Option<String>) -> Progress {
        match next {
            Some(next) => {
                self.run().next = Some(next);
                Progress::More
            }
            None => Progress::Done,
        }
    }

    /// Moves a per-item phase on: the item's next page, else the next item.
    fn next_item(&mut self, next: Option<String>) -> Result<Progress, Error> {
        let run = self.run();
        match next {
            Some(next) => run.next = Some(next),
            None => {
                run.item += 1;
                run.walk = LoopGuard::default();
            }
        }
        Ok(Progress::More)
    }
}
