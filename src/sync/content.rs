//! The content phases: spaces, then pages, blog posts, folders, comments and
//! attachments through CQL (with their bodies and, when asked, attachment
//! bytes), and the scan that finds what disappeared.

use super::*;

/// Items per request of the scan that finds deleted content.
const SCAN_PAGE: u32 = 250;

/// Attachments per request when their bytes are downloaded too.
const ATTACHMENTS_WITH_BYTES: u32 = 10;

impl Reader<'_, '_> {
    pub(super) fn spaces(&mut self) -> Result<Progress, Error> {
        let config = self.config;
        let Listed {
            results,
            rest,
            next,
            ..
        } = self.fetch(|c| {
            let mut query = vec![("limit".to_string(), config.batch_size.to_string())];
            if !config.spaces.r#in.is_empty() {
                query.push(("keys".to_string(), config.spaces.r#in.join(",")));
            }
            c.url("/wiki/api/v2/spaces", &query)
        })?;
        let site = self.site(&rest);
        for space in results {
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
    pub(super) fn expand(&self, kind: Kind, scan: bool) -> String {
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
    pub(super) fn content(&mut self, kind: Kind, scan: bool) -> Result<Progress, Error> {
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
        // The gateway has removed v1 content search; its CQL search takes
        // the same query and answers each item as a search result around
        // the content, whose expansions are named under `content.`.
        let gateway = connection::through_gateway(&self.client);
        let mut expand = self.expand(kind, scan);
        if gateway && !expand.is_empty() {
            expand = expand
                .split(',')
                .map(|f| format!("content.{f}"))
                .collect::<Vec<_>>()
                .join(",");
        }
        let Listed {
            results,
            rest,
            next,
            ..
        } = self.fetch(|c| {
            let mut query = vec![
                ("cql".to_string(), config::content_cql(config, kind, window)),
                ("limit".to_string(), limit.to_string()),
            ];
            if !expand.is_empty() {
                query.push(("expand".to_string(), expand));
            }
            let path = if gateway {
                "/wiki/rest/api/search"
            } else {
                "/wiki/rest/api/content/search"
            };
            c.url(path, &query)
        })?;
        let site = self.site(&rest);
        for item in results.into_iter().map(records::content_of) {
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
    pub(super) fn admits(&self, kind: Kind, item: &Value) -> bool {
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
    pub(super) fn content_item(&mut self, kind: Kind, id: &str, item: &Value, site: &str) {
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
    pub(super) fn body(&self, item: &Value, site: &str) -> Value {
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
    pub(super) fn attachment_fields(
        &self,
        item: &Value,
        site: &str,
        record: &mut Map<String, Value>,
    ) {
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
    pub(super) fn attachment_bytes(
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
