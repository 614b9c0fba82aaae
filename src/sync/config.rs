//! The configuration of a sync: which content the filters admit (applied in
//! the CQL, before anything is downloaded), which streams to read, the body
//! format, and the knobs of incremental runs.

use crate::cql::quote as cql_quote;
use crate::errors::{Error, invalid_input};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Space keys a sync includes or leaves out.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct KeyFilter {
    /// Only these (empty: all).
    #[serde(default)]
    pub r#in: Vec<String>,
    /// Never these.
    #[serde(default)]
    pub not_in: Vec<String>,
}

/// Dates a sync keeps content between (either end may be open).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DateRange {
    /// On or after this date (`2024-06-01` or `2024-06-01T09:30`).
    pub after: Option<String>,
    /// On or before this date.
    pub before: Option<String>,
}

/// Which streams a sync reads; every one is on unless turned off.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Streams {
    /// Spaces.
    pub spaces: bool,
    /// Pages.
    pub pages: bool,
    /// Blog posts.
    pub blog_posts: bool,
    /// Attachments of pages.
    pub page_attachments: bool,
    /// Footer and inline comments of pages.
    pub page_comments: bool,
    /// Attachments of blog posts.
    pub blog_post_attachments: bool,
    /// Footer and inline comments of blog posts.
    pub blog_post_comments: bool,
    /// Folders.
    pub folders: bool,
    /// The labels on synced content.
    pub labels: bool,
    /// The people who appear as authors and editors of synced content.
    pub users: bool,
    /// Groups and their members (needs permission to list groups).
    pub groups: bool,
    /// The permissions of synced spaces (needs space admin or site admin).
    pub space_permissions: bool,
    /// The view and edit restrictions of synced content.
    pub content_restrictions: bool,
    /// The site's audit records (needs site admin).
    pub audit: bool,
}

impl Default for Streams {
    fn default() -> Streams {
        Streams {
            spaces: true,
            pages: true,
            blog_posts: true,
            page_attachments: true,
            page_comments: true,
            blog_post_attachments: true,
            blog_post_comments: true,
            folders: true,
            labels: true,
            users: true,
            groups: true,
            space_permissions: true,
            content_restrictions: true,
            audit: true,
        }
    }
}

/// The form of the bodies of pages, blog posts and comments.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BodyFormat {
    /// Confluence's storage format (XHTML with `ac:` and `ri:` elements), as kept.
    #[default]
    Storage,
    /// The rendered view, as HTML.
    Html,
    /// Plain text.
    Text,
    /// Markdown.
    Markdown,
    /// No bodies.
    None,
}

/// Whether attachment records carry the file's bytes.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct AttachmentBytes {
    /// Download each attachment and add its bytes (base64) to its record.
    pub include: bool,
    /// Larger files keep only their metadata (the record says so).
    pub max_bytes: u64,
}

impl Default for AttachmentBytes {
    fn default() -> AttachmentBytes {
        AttachmentBytes {
            include: false,
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// A sync's whole configuration.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Space keys in / not in.
    #[serde(default)]
    pub spaces: KeyFilter,
    /// Page ids in / not in, each with all its descendants.
    #[serde(default)]
    pub pages: KeyFilter,
    /// Blog post ids in / not in.
    #[serde(default)]
    pub blog_posts: KeyFilter,
    /// Last modification date after / before / between.
    #[serde(default)]
    pub modified: DateRange,
    /// Creation date after / before / between.
    #[serde(default)]
    pub created: DateRange,
    /// Streams to read.
    #[serde(default)]
    pub streams: Streams,
    /// Body format.
    #[serde(default)]
    pub body_format: BodyFormat,
    /// Attachment bytes.
    #[serde(default)]
    pub attachment_bytes: AttachmentBytes,
    /// Minutes an incremental run reaches back before the previous run's start,
    /// for clock skew and CQL's minute granularity.
    #[serde(default = "default_overlap")]
    pub overlap_minutes: u32,
    /// Items per request (and so at most per batch) for content, 1 to 250.
    #[serde(default = "default_batch")]
    pub batch_size: u32,
}

fn default_overlap() -> u32 {
    15
}

fn default_batch() -> u32 {
    100
}

impl Config {
    /// Parses and checks a configuration; every error names the field to fix.
    pub fn parse(text: &str) -> Result<Config, Error> {
        let text = if text.trim().is_empty() { "{}" } else { text };
        // Only an object: serde would also read a struct from a JSON array.
        if !text.trim_start().starts_with('{') {
            return Err(invalid_input(
                "config",
                "the sync configuration must be a JSON object such as {\"spaces\": {\"in\": [\"ENG\"]}}",
            ));
        }
        let config: Config = serde_json::from_str(text).map_err(|e| {
            invalid_input(
                "config",
                format!("the sync configuration is not valid: {e}; see the config schema"),
            )
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), Error> {
        for (field, keys) in [
            ("config.spaces.in", &self.spaces.r#in),
            ("config.spaces.not-in", &self.spaces.not_in),
        ] {
            if let Some(bad) = keys
                .iter()
                .find(|k| k.trim().is_empty() || k.contains(['"', '\\', '\n']))
            {
                return Err(invalid_input(field, format!("`{bad}` is not a space key")));
            }
        }
        for (field, ids) in [
            ("config.pages.in", &self.pages.r#in),
            ("config.pages.not-in", &self.pages.not_in),
            ("config.blog-posts.in", &self.blog_posts.r#in),
            ("config.blog-posts.not-in", &self.blog_posts.not_in),
        ] {
            if let Some(bad) = ids
                .iter()
                .find(|id| id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(invalid_input(
                    field,
                    format!("`{bad}` is not a numeric content id"),
                ));
            }
        }
        for (field, date) in [
            ("config.modified.after", &self.modified.after),
            ("config.modified.before", &self.modified.before),
            ("config.created.after", &self.created.after),
            ("config.created.before", &self.created.before),
        ] {
            if let Some(date) = date
                && cql_date(date).is_none()
            {
                return Err(invalid_input(
                    field,
                    format!("`{date}` is not a date; write 2024-06-01 or 2024-06-01T09:30"),
                ));
            }
        }
        if !(1..=250).contains(&self.batch_size) {
            return Err(invalid_input("config.batch-size", "must be from 1 to 250"));
        }
        if self.overlap_minutes > 7 * 24 * 60 {
            return Err(invalid_input(
                "config.overlap-minutes",
                "must be at most a week (10080)",
            ));
        }
        Ok(())
    }

    /// A short fingerprint of what the configuration selects and what its
    /// records contain: a run under another one starts over and emits every item.
    pub fn fingerprint(&self) -> String {
        let filters = json!([
            self.spaces,
            self.pages,
            self.blog_posts,
            self.modified,
            self.created,
            self.streams,
            self.body_format,
            self.attachment_bytes
        ]);
        format!("{:016x}", connector_sdk::hash::fnv1a(&filters.to_string()))
    }

    /// Whether the page-id or blog-post-id filters restrict content.
    pub fn filters_content_ids(&self) -> bool {
        [&self.pages, &self.blog_posts]
            .iter()
            .any(|f| !f.r#in.is_empty() || !f.not_in.is_empty())
    }
}

/// A user's date as CQL writes it (`"2024-06-01"` or `"2024-06-01 09:30"`), or none.
pub fn cql_date(date: &str) -> Option<String> {
    let date = date.trim();
    let (day, time) = match date.split_once(['T', ' ']) {
        Some((day, time)) => (day, Some(time.trim_end_matches('Z'))),
        None => (date, None),
    };
    let parts: Vec<&str> = day.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 3 || !digits(parts[0], 4) || !digits(parts[1], 2) || !digits(parts[2], 2) {
        return None;
    }
    match time {
        None => Some(day.to_string()),
        Some(time) => {
            let hm: Vec<&str> = time.split(':').collect();
            (hm.len() >= 2 && digits(hm[0], 2) && digits(hm[1], 2))
                .then(|| format!("{day} {}:{}", hm[0], hm[1]))
        }
    }
}

/// The content kinds a sync reads through CQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Pages.
    Page,
    /// Blog posts.
    Blogpost,
    /// Folders.
    Folder,
    /// Footer and inline comments.
    Comment,
    /// Attachments.
    Attachment,
}

impl Kind {
    /// The CQL `type` of the kind.
    pub fn cql_type(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Blogpost => "blogpost",
            Kind::Folder => "folder",
            Kind::Comment => "comment",
            Kind::Attachment => "attachment",
        }
    }
}

/// The CQL of one content kind under the configuration's filters, optionally
/// only what changed in the last `minutes`.
pub fn content_cql(config: &Config, kind: Kind, changed_within_minutes: Option<u64>) -> String {
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| cql_quote(i))
            .collect::<Vec<_>>()
            .join(",")
    };
    let ids = |items: &[String]| items.join(",");
    let mut clauses = vec![format!("type = {}", kind.cql_type())];
    if !config.spaces.r#in.is_empty() {
        clauses.push(format!("space in ({})", list(&config.spaces.r#in)));
    }
    if !config.spaces.not_in.is_empty() {
        clauses.push(format!("space not in ({})", list(&config.spaces.not_in)));
    }
    let (ids_in, ids_out) = match kind {
        Kind::Page | Kind::Folder => (&config.pages.r#in, &config.pages.not_in),
        Kind::Blogpost => (&config.blog_posts.r#in, &config.blog_posts.not_in),
        _ => (&Vec::new(), &Vec::new()),
    };
    match kind {
        // A page filter admits the page and its whole subtree.
        Kind::Page | Kind::Folder => {
            if !ids_in.is_empty() {
                clauses.push(format!("(id in ({0}) OR ancestor in ({0}))", ids(ids_in)));
            }
            if !ids_out.is_empty() {
                clauses.push(format!(
                    "id not in ({0}) AND ancestor not in ({0})",
                    ids(ids_out)
                ));
            }
        }
        Kind::Blogpost => {
            if !ids_in.is_empty() {
                clauses.push(format!("id in ({})", ids(ids_in)));
            }
            if !ids_out.is_empty() {
                clauses.push(format!("id not in ({})", ids(ids_out)));
            }
        }
        Kind::Comment | Kind::Attachment => {}
    }
    for (field, range) in [
        ("lastmodified", &config.modified),
        ("created", &config.created),
    ] {
        if let Some(after) = range.after.as_deref().and_then(cql_date) {
            clauses.push(format!("{field} >= {}", cql_quote(&after)));
        }
        if let Some(before) = range.before.as_deref().and_then(cql_date) {
            clauses.push(format!("{field} <= {}", cql_quote(&before)));
        }
    }
    if let Some(minutes) = changed_within_minutes {
        // Relative to Confluence's own clock: no time zone to get wrong.
        clauses.push(format!("lastmodified >= now(\"-{minutes}m\")"));
    }
    format!("{} ORDER BY lastmodified ASC", clauses.join(" AND "))
}

/// The JSON Schema of the configuration.
pub fn schema() -> Value {
    let keys = json!({"type": "object", "additionalProperties": false, "properties": {
        "in": {"type": "array", "items": {"type": "string"}},
        "not-in": {"type": "array", "items": {"type": "string"}}}});
    let ids = json!({"type": "object", "additionalProperties": false, "properties": {
        "in": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}},
        "not-in": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]+$"}}}});
    let dates = json!({"type": "object", "additionalProperties": false, "properties": {
        "after": {"type": "string", "description": "2024-06-01 or 2024-06-01T09:30"},
        "before": {"type": "string"}}});
    let streams: serde_json::Map<String, Value> = serde_json::to_value(Streams::default())
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|(k, _)| (k, json!({"type": "boolean", "default": true})))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Confluence sync configuration",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "spaces": {"description": "Space keys to include (in) or leave out (not-in).", "allOf": [keys]},
            "pages": {"description": "Page ids to include or leave out, each with all its descendants.", "allOf": [ids]},
            "blog-posts": {"description": "Blog post ids to include or leave out.", "allOf": [ids]},
            "modified": {"description": "Keep content last modified after and/or before these dates.", "allOf": [dates]},
            "created": {"description": "Keep content created after and/or before these dates.", "allOf": [dates]},
            "streams": {"description": "Streams to read; all are on by default.", "type": "object", "additionalProperties": false, "properties": streams},
            "body-format": {"description": "The form of page, blog post and comment bodies.", "enum": ["storage", "html", "text", "markdown", "none"], "default": "storage"},
            "attachment-bytes": {"type": "object", "additionalProperties": false, "properties": {
                "include": {"type": "boolean", "default": false, "description": "Add each attachment's bytes (base64) to its record."},
                "max-bytes": {"type": "integer", "minimum": 0, "default": 10485760, "description": "Larger files keep only their metadata."}}},
            "overlap-minutes": {"type": "integer", "minimum": 0, "maximum": 10080, "default": 15,
                "description": "How far an incremental run reaches back before the previous run started."},
            "batch-size": {"type": "integer", "minimum": 1, "maximum": 250, "default": 100,
                "description": "Content items per request, and so at most per batch."}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_cql() {
        let config = Config::parse(
            r#"{"spaces": {"in": ["ENG", "~jane"], "not-in": ["OLD"]}, "pages": {"in": ["11"], "not-in": ["12", "13"]},
                "modified": {"after": "2024-06-01", "before": "2024-07-01T10:30Z"}, "created": {"after": "2020-01-01"}}"#,
        )
        .unwrap();
        assert_eq!(
            content_cql(&config, Kind::Page, Some(75)),
            r#"type = page AND space in ("ENG","~jane") AND space not in ("OLD") AND (id in (11) OR ancestor in (11)) AND id not in (12,13) AND ancestor not in (12,13) AND lastmodified >= "2024-06-01" AND lastmodified <= "2024-07-01 10:30" AND created >= "2020-01-01" AND lastmodified >= now("-75m") ORDER BY lastmodified ASC"#
        );
        assert_eq!(
            content_cql(&Config::parse("{}").unwrap(), Kind::Comment, None),
            "type = comment ORDER BY lastmodified ASC"
        );
    }

    #[test]
    fn bad_configurations_name_the_field() {
        for (text, field) in [
            (r#"{"pages": {"in": ["12a"]}}"#, "config.pages.in"),
            (r#"{"spaces": {"not-in": [""]}}"#, "config.spaces.not-in"),
            (
                r#"{"modified": {"after": "June"}}"#,
                "config.modified.after",
            ),
            (r#"{"batch-size": 0}"#, "config.batch-size"),
            (r#"{"surprise": 1}"#, "config"),
            (r#"[]"#, "config"),
        ] {
            match Config::parse(text) {
                Err(Error::InvalidInput(f)) => assert_eq!(f.field, field, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
