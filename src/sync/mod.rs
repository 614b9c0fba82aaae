//! Sync: mirror a site into a host's store, a batch per call, resumable and
//! incremental.
//!
//! A run is a plan of phases (spaces, pages, blog posts, folders, comments,
//! attachments, then on incremental runs a scan for what disappeared, then
//! users, space permissions, groups, members and audit records). Each `read`
//! does one step of the current phase — at most one list request, or one bulk
//! user lookup — and returns its records with the state to continue from.
//! Content is read through CQL (`/wiki/rest/api/content/search`), so every
//! filter applies before anything is downloaded; an incremental run asks only
//! for what changed since the previous run started, minus an overlap, and
//! skips items whose version the host already holds. Deletions are found by
//! comparing what the host holds with what still exists under the filters.

pub mod config;
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
use crate::errors::Error;
use crate::http::{Client, Confluence};
use crate::input::is_token;
use crate::paging::{LoopGuard, next_link, resolve_next};
use base64::Engine as _;
use config::{BodyFormat, Config, Kind};
use connector_sdk::platform::{HttpRequest, LogLevel, Method, Platform};
use serde_json::{Map, Value, json};
use state::{Run, SyncState};
use std::collections::BTreeMap;

/// The most account ids one bulk user lookup asks for.
const USERS_PER_LOOKUP: usize = 100;

/// Items per request of the scan that finds deleted content.
const SCAN_PAGE: u32 = 250;

/// Attachments per request when their bytes are downloaded too.
const ATTACHMENTS_WITH_BYTES: u32 = 10;

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

/// One phase of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Spaces,
    Content(Kind),
    Scan(Kind),
    Users,
    SpacePermissions,
    Groups,
    GroupMembers,
    Audit,
}

/// The phases of a run under `config`.
fn plan(config: &Config, incremental: bool) -> Vec<Phase> {
    let s = &config.streams;
    let mut kinds = Vec::new();
    if s.pages {
        kinds.push(Kind::Page);
    }
    if s.blog_posts {
        kinds.push(Kind::Blogpost);
    }
    if s.folders {
        kinds.push(Kind::Folder);
    }
    if s.page_comments || s.blog_post_comments {
        kinds.push(Kind::Comment);
    }
    if s.page_attachments || s.blog_post_attachments {
        kinds.push(Kind::Attachment);
    }
    let mut phases = Vec::new();
    if s.spaces || s.space_permissions {
        phases.push(Phase::Spaces);
    }
    phases.extend(kinds.iter().map(|k| Phase::Content(*k)));
    if incremental {
        phases.extend(kinds.iter().map(|k| Phase::Scan(*k)));
    }
    if s.users {
        phases.push(Phase::Users);
    }
    if s.space_permissions {
        phases.push(Phase::SpacePermissions);
    }
    if s.groups {
        phases.extend([Phase::Groups, Phase::GroupMembers]);
    }
    if s.audit {
        phases.push(Phase::Audit);
    }
    phases
}

/// The stream key of a content kind (comments split by place later).
fn stream_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Page => "pages",
        Kind::Blogpost => "blog-posts",
        Kind::Folder => "folders",
        Kind::Comment => "footer-comments",
        Kind::Attachment => "attachments",
    }
}

/// The streams a content kind's items live in.
fn streams_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Comment => &["footer-comments", "inline-comments"],
        Kind::Page => &["pages"],
        Kind::Blogpost => &["blog-posts"],
        Kind::Folder => &["folders"],
        Kind::Attachment => &["attachments"],
    }
}

/// The key under which a run counts the items of a kind it saw.
fn seen_key(kind: Kind) -> &'static str {
    match kind {
        Kind::Comment => "comments",
        other => stream_of(other),
    }
}

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
    fn fetch(
        &mut self,
        first: impl FnOnce(&Client) -> String,
    ) -> Result<(Value, Option<String>), Error> {
        let url = match self.run().next.take() {
            Some(next) if self.client.owns(&next) => next,
            _ => first(&self.client),
        };
        let (response, body) = self.client.get_json(&url)?;
        let link = next_link(&response, &body);
        let results = body.get("results").and_then(Value::as_array);
        self.run().walk.page(
            &Confluence,
            &url,
            results.map_or(&[], Vec::as_slice),
            link.is_some(),
            response.status,
        )?;
        let next = match link {
            Some(link) => {
                let next = resolve_next(&self.client, &link)?;
                self.run()
                    .walk
                    .follow(&Confluence, &next, &link, response.status)?;
                Some(next)
            }
            None => None,
        };
        Ok((body, next))
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

    fn spaces(&mut self) -> Result<Progress, Error> {
        let config = self.config;
        let (body, next) = self.fetch(|c| {
            let mut query = vec![("limit".to_string(), config.batch_size.to_string())];
            if !config.spaces.r#in.is_empty() {
                query.push(("keys".to_string(), config.spaces.r#in.join(",")));
            }
            c.url("/wiki/api/v2/spaces", &query)
        })?;
        let site = self.site(&body);
        for space in Self::results(&body) {
            let (Some(id), Some(key)) = (
                records::id_of(&space),
                space.get("key").and_then(Value::as_str),
            ) else {
                continue;
            };
            if config.spaces.not_in.iter().any(|k| k == key) {
                continue;
            }
            self.run().spaces.push((id.clone(), key.to_string()));
            if config.streams.spaces {
                self.see("spaces", &id);
                self.hold("spaces", &id, 0);
                self.emit("spaces", &id, records::space_record(&space, &site));
            }
        }
        let progress = self.paged(next);
        if matches!(progress, Progress::Done) && config.streams.spaces {
            self.delete_unseen(&["spaces"], "spaces");
        }
        Ok(progress)
    }

    /// The `expand` of a content kind's search.
    fn expand(&self, kind: Kind, scan: bool) -> String {
        let mut fields: Vec<&str> = Vec::new();
        if matches!(kind, Kind::Comment | Kind::Attachment) {
            fields.push("container");
        }
        if scan {
            return fields.join(",");
        }
        fields.extend(["version", "space", "history"]);
        match kind {
            Kind::Page | Kind::Blogpost | Kind::Folder => {
                fields.extend(["ancestors", "metadata.labels"]);
                if self.config.streams.content_restrictions {
                    fields.extend([
                        "restrictions.read.restrictions.user",
                        "restrictions.read.restrictions.group",
                        "restrictions.update.restrictions.user",
                        "restrictions.update.restrictions.group",
                    ]);
                }
            }
            Kind::Comment => fields.extend(["ancestors", "extensions.inlineProperties"]),
            Kind::Attachment => {}
        }
        if matches!(kind, Kind::Page | Kind::Blogpost | Kind::Comment) {
            match self.config.body_format {
                BodyFormat::Html => fields.push("body.view"),
                BodyFormat::None => {}
                _ => fields.push("body.storage"),
            }
        }
        fields.join(",")
    }

    /// One page of a content kind (or of its scan for deletions).
    fn content(&mut self, kind: Kind, scan: bool) -> Result<Progress, Error> {
        let config = self.config;
        let run = self.run();
        let window = (run.incremental && !scan).then(|| {
            let since = self.state.since.unwrap_or(0);
            let elapsed = self.run().started.saturating_sub(since);
            elapsed.div_ceil(60) + u64::from(config.overlap_minutes)
        });
        let limit = if scan {
            SCAN_PAGE
        } else if kind == Kind::Attachment && config.attachment_bytes.include {
            config.batch_size.min(ATTACHMENTS_WITH_BYTES)
        } else {
            config.batch_size
        };
        let expand = self.expand(kind, scan);
        let (body, next) = self.fetch(|c| {
            let mut query = vec![
                ("cql".to_string(), config::content_cql(config, kind, window)),
                ("limit".to_string(), limit.to_string()),
            ];
            if !expand.is_empty() {
                query.push(("expand".to_string(), expand));
            }
            c.url("/wiki/rest/api/content/search", &query)
        })?;
        let site = self.site(&body);
        for item in Self::results(&body) {
            if let Some(id) = records::id_of(&item)
                && self.admits(kind, &item)
            {
                self.see(seen_key(kind), &id);
                if !scan {
                    self.content_item(kind, &id, &item, &site);
                }
            }
        }
        let progress = self.paged(next);
        // A full run sees everything under the filters; an incremental run
        // finds what disappeared in its scan.
        if matches!(progress, Progress::Done) && (scan || !self.run().incremental) {
            self.delete_unseen(streams_of(kind), seen_key(kind));
        }
        Ok(progress)
    }

    /// Whether a comment or attachment belongs to content the configuration admits.
    fn admits(&self, kind: Kind, item: &Value) -> bool {
        if !matches!(kind, Kind::Comment | Kind::Attachment) {
            return true;
        }
        let Some((container, container_type)) = records::container_of(item) else {
            return false;
        };
        let s = &self.config.streams;
        let comments = kind == Kind::Comment;
        let (wanted, filter, stream) = match container_type.as_str() {
            "page" => (
                if comments {
                    s.page_comments
                } else {
                    s.page_attachments
                },
                &self.config.pages,
                "pages",
            ),
            "blogpost" => (
                if comments {
                    s.blog_post_comments
                } else {
                    s.blog_post_attachments
                },
                &self.config.blog_posts,
                "blog-posts",
            ),
            _ => return false,
        };
        if !wanted {
            return false;
        }
        if filter.r#in.is_empty() && filter.not_in.is_empty() {
            return true;
        }
        let held = self
            .state
            .known
            .get(stream)
            .is_some_and(|m| m.contains_key(&container));
        let seen = self
            .state
            .run
            .as_ref()
            .and_then(|r| r.seen.get(stream))
            .is_some_and(|s| s.contains(&container));
        held || seen
    }

    /// Emits one content item (unless the host holds this version) with its labels, restrictions and people.
    fn content_item(&mut self, kind: Kind, id: &str, item: &Value, site: &str) {
        let stream = match kind {
            Kind::Comment if records::comment_location(item) == "inline" => "inline-comments",
            other => stream_of(other),
        };
        let version = records::version_of(item);
        if self.holds(stream, id, version) {
            return;
        }
        let config = self.config;
        let mut record = records::content_record(item, site);
        match kind {
            Kind::Comment => {
                let (container, container_type) = records::container_of(item).unwrap_or_default();
                record.insert("container-id".into(), json!(container));
                record.insert("container-type".into(), json!(container_type));
                record.insert("location".into(), json!(records::comment_location(item)));
                let parent = item
                    .get("ancestors")
                    .and_then(Value::as_array)
                    .and_then(|a| a.iter().rev().find(|x| x["type"] == "comment"))
                    .and_then(records::id_of);
                record.insert("parent-comment-id".into(), json!(parent));
                record.insert(
                    "inline-text".into(),
                    item.pointer("/extensions/inlineProperties/originalSelection")
                        .cloned()
                        .unwrap_or(Value::Null),
                );
            }
            Kind::Attachment => self.attachment_fields(item, site, &mut record),
            _ => {}
        }
        if matches!(kind, Kind::Page | Kind::Blogpost | Kind::Comment) {
            record.insert("body".into(), self.body(item, site));
        }
        self.hold(stream, id, version);
        self.emit(stream, id, Value::Object(record));
        if config.streams.labels {
            for (label_id, name, prefix) in records::labels_of(item) {
                if self.run().labels.insert(label_id.clone()) {
                    self.emit(
                        "labels",
                        &label_id,
                        json!({"id": label_id, "name": name, "prefix": prefix}),
                    );
                }
            }
        }
        if config.streams.content_restrictions
            && matches!(kind, Kind::Page | Kind::Blogpost | Kind::Folder)
        {
            self.emit(
                "content-restrictions",
                id,
                records::restrictions_record(item),
            );
        }
        if config.streams.users {
            let people = records::people_of(item);
            self.run().users.extend(people);
        }
    }

    /// The body of a page, blog post or comment in the configured format.
    fn body(&self, item: &Value, site: &str) -> Value {
        let format = self.config.body_format;
        let storage = || {
            item.pointer("/body/storage/value")
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let value = match format {
            BodyFormat::None => return Value::Null,
            BodyFormat::Storage => storage().to_string(),
            BodyFormat::Html => item
                .pointer("/body/view/value")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            BodyFormat::Text | BodyFormat::Markdown => render(format, storage(), item, site),
        };
        let name = serde_json::to_value(format).unwrap_or(Value::Null);
        json!({"format": name, "value": value})
    }

    /// Attachment fields, and the file's bytes when asked for and small enough.
    fn attachment_fields(&self, item: &Value, site: &str, record: &mut Map<String, Value>) {
        let (container, container_type) = records::container_of(item).unwrap_or_default();
        let size = item.pointer("/extensions/fileSize").and_then(Value::as_u64);
        let media = item
            .pointer("/extensions/mediaType")
            .or_else(|| item.pointer("/metadata/mediaType"))
            .cloned()
            .unwrap_or(Value::Null);
        let download = item.pointer("/_links/download").and_then(Value::as_str);
        record.insert(
            "file-name".into(),
            record.get("title").cloned().unwrap_or(Value::Null),
        );
        record.insert("media-type".into(), media);
        record.insert("file-size".into(), json!(size));
        record.insert(
            "comment".into(),
            item.pointer("/extensions/comment")
                .cloned()
                .unwrap_or(Value::Null),
        );
        record.insert("container-id".into(), json!(container));
        record.insert("container-type".into(), json!(container_type));
        record.insert(
            "download-url".into(),
            download.map_or(Value::Null, |d| records::web_url(site, &json!(d))),
        );
        let (bytes, omitted) = self.attachment_bytes(download, size);
        record.insert(
            "bytes".into(),
            bytes.map_or(Value::Null, |b| {
                json!(base64::engine::general_purpose::STANDARD.encode(b))
            }),
        );
        record.insert("bytes-omitted".into(), json!(omitted));
    }

    /// Downloads an attachment's bytes through the site (the download link is
    /// relative to `/wiki`); a failure is noted in the record, not fatal.
    fn attachment_bytes(
        &self,
        download: Option<&str>,
        size: Option<u64>,
    ) -> (Option<Vec<u8>>, Option<String>) {
        let limit = self.config.attachment_bytes.max_bytes;
        if !self.config.attachment_bytes.include {
            return (None, None);
        }
        let Some(link) = download.filter(|l| l.starts_with('/') && !l.starts_with("//")) else {
            return (
                None,
                Some("the attachment has no download link on the site".into()),
            );
        };
        if size.is_none_or(|s| s > limit) {
            return (
                None,
                Some(format!("larger than attachment-bytes.max-bytes ({limit})")),
            );
        }
        let url = format!("{}/wiki{link}", self.client.api_base());
        let request = HttpRequest {
            method: Method::Get,
            url,
            headers: vec![("accept".into(), "*/*".into())],
            body: None,
            timeout: None,
        };
        match self.client.send(request) {
            Ok(response) if response.body.len() as u64 <= limit => (Some(response.body), None),
            Ok(_) => (
                None,
                Some(format!("larger than attachment-bytes.max-bytes ({limit})")),
            ),
            Err(e) => (None, Some(format!("the download failed: {e:?}"))),
        }
    }

    fn users(&mut self) -> Result<Progress, Error> {
        let batch: Vec<String> = self
            .run()
            .users
            .iter()
            .take(USERS_PER_LOOKUP)
            .cloned()
            .collect();
        if batch.is_empty() {
            return Ok(Progress::Done);
        }
        let query: Vec<(String, String)> = batch
            .iter()
            .map(|id| ("accountId".to_string(), id.clone()))
            .collect();
        let url = self.client.url("/wiki/rest/api/user/bulk", &query);
        let (_, body) = self.client.get_json(&url)?;
        for user in Self::results(&body) {
            let record = records::user_record(&user);
            if let Some(id) = record["account-id"].as_str().map(str::to_string) {
                self.emit("users", &id, record);
            }
        }
        let run = self.run();
        for id in &batch {
            run.users.remove(id);
        }
        Ok(if run.users.is_empty() {
            Progress::Done
        } else {
            Progress::More
        })
    }

    /// The lists that need administrator rights.
    fn admin(&mut self, phase: Phase) -> Result<Progress, Error> {
        let limit = self.config.batch_size.to_string();
        match phase {
            Phase::SpacePermissions => {
                let run = self.run();
                let Some((space_id, space_key)) = run.spaces.get(run.item).cloned() else {
                    self.delete_unseen(&["space-permissions"], "space-permissions");
                    return Ok(Progress::Done);
                };
                let (body, next) = self.fetch(|c| {
                    c.url(
                        &format!("/wiki/api/v2/spaces/{space_id}/permissions"),
                        &[("limit".into(), limit)],
                    )
                })?;
                for permission in Self::results(&body) {
                    if let Some(id) = records::id_of(&permission) {
                        self.see("space-permissions", &id);
                        self.hold("space-permissions", &id, 0);
                        self.emit(
                            "space-permissions",
                            &id,
                            records::permission_record(&permission, &space_id, &space_key),
                        );
                    }
                }
                self.next_item(next)
            }
            Phase::Groups => {
                let (results, next) = self.offset_page("/wiki/rest/api/group", &[])?;
                for group in results {
                    if let Some(id) = records::id_of(&group).filter(|id| is_token(id)) {
                        self.run().groups.push(id.clone());
                        self.see("groups", &id);
                        self.hold("groups", &id, 0);
                        self.emit("groups", &id, records::group_record(&group));
                    }
                }
                let progress = self.paged(next);
                if matches!(progress, Progress::Done) {
                    self.delete_unseen(&["groups"], "groups");
                }
                Ok(progress)
            }
            Phase::GroupMembers => {
                let run = self.run();
                let Some(group) = run.groups.get(run.item).cloned() else {
                    self.delete_unseen(&["group-members"], "group-members");
                    return Ok(Progress::Done);
                };
                let (results, next) = self.offset_page(
                    &format!("/wiki/rest/api/group/{group}/membersByGroupId"),
                    &[],
                )?;
                for user in results {
                    let record = records::member_record(&group, &user);
                    if let Some(id) = record["id"].as_str().map(str::to_string) {
                        self.see("group-members", &id);
                        self.hold("group-members", &id, 0);
                        self.emit("group-members", &id, record);
                    }
                }
                self.next_item(next)
            }
            _ => {
                let run = self.run();
                let end = run.started.saturating_mul(1000);
                let mut query = vec![("endDate".to_string(), end.to_string())];
                if run.incremental {
                    let overlap = u64::from(self.config.overlap_minutes) * 60;
                    let since = self.state.since.unwrap_or(0).saturating_sub(overlap);
                    query.push(("startDate".to_string(), (since * 1000).to_string()));
                }
                let (results, next) = self.offset_page("/wiki/rest/api/audit", &query)?;
                for entry in results {
                    let record = records::audit_record(&entry);
                    if let Some(id) = record["id"].as_str().map(str::to_string) {
                        self.emit("audit-records", &id, record);
                    }
                }
                Ok(self.paged(next))
            }
        }
    }

    /// One page of a v1 list paged by `start` and `limit`; the next is asked
    /// for only while pages come back full.
    fn offset_page(
        &mut self,
        path: &str,
        extra: &[(String, String)],
    ) -> Result<(Vec<Value>, Option<String>), Error> {
        let limit = self.config.batch_size as usize;
        let start: usize = self
            .run()
            .next
            .take()
            .and_then(|n| n.strip_prefix("start=").and_then(|s| s.parse().ok()))
            .unwrap_or(0);
        let mut query = extra.to_vec();
        query.push(("start".to_string(), start.to_string()));
        query.push(("limit".to_string(), limit.to_string()));
        let url = self.client.url(path, &query);
        let (response, body) = self.client.get_json(&url)?;
        let results = Self::results(&body);
        let next = (results.len() >= limit && !results.is_empty())
            .then(|| format!("start={}", start + limit));
        self.run()
            .walk
            .page(&Confluence, &url, &results, next.is_some(), response.status)?;
        Ok((results, next))
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

/// A storage-format body as plain text or Markdown, with links resolved
/// against the site (page links by space and title, attachment links on the
/// item's own page).
fn render(format: BodyFormat, storage: &str, item: &Value, site: &str) -> String {
    let space = item
        .pointer("/space/key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // A comment's attachments live on its container.
    let page = records::container_of(item)
        .map(|(id, _)| id)
        .or_else(|| records::id_of(item))
        .unwrap_or_default();
    let context = crate::convert::LinkContext::new(site, space, page);
    match format {
        BodyFormat::Markdown => crate::convert::storage_to_markdown(storage, &context),
        _ => crate::convert::storage_to_text(storage, &context),
    }
}
