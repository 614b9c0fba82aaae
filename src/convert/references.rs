//! Links back to references: the addresses [`LinkContext`] writes for pages,
//! blog posts, spaces and the page's own attachments, read back into the
//! `ri:` elements they came from, so that Markdown written back links the way
//! Confluence does (and a renamed page's links follow it). Markdown written
//! from scratch may name them without a site: a bare file name
//! (`![](diagram.png)`, `[the notes](notes.pdf)`) is an attachment of the
//! page, and another bare target (`[setup](<Setup guide>)`) a page of the
//! same space by title.

use super::entities::percent_decoded;
use super::{LinkContext, storage::escape};

/// What a link or image points at, as storage names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reference {
    /// A page by title; the space when it is not the page's own.
    Page {
        space: Option<String>,
        title: String,
    },
    /// A blog post by posting day (`YYYY/MM/DD`) and title.
    BlogPost {
        space: Option<String>,
        day: String,
        title: String,
    },
    /// Content by id.
    Content(String),
    /// An attachment of the page itself, by file name.
    Attachment(String),
    /// An attachment of other content (a page, a blog post), by file name.
    AttachmentOf(String, Box<Reference>),
    /// A space's home, by key.
    Space(String),
}

impl Reference {
    /// The `ri:` element naming it.
    pub(crate) fn storage(&self) -> String {
        let space = |key: &Option<String>| {
            key.as_ref()
                .map(|k| format!(" ri:space-key=\"{}\"", escape(k)))
                .unwrap_or_default()
        };
        match self {
            Reference::Page { space: key, title } => format!(
                "<ri:page{} ri:content-title=\"{}\" />",
                space(key),
                escape(title)
            ),
            Reference::BlogPost {
                space: key,
                day,
                title,
            } => format!(
                "<ri:blog-post{} ri:content-title=\"{}\" ri:posting-day=\"{}\" />",
                space(key),
                escape(title),
                escape(day)
            ),
            Reference::Content(id) => format!("<ri:page ri:content-id=\"{}\" />", escape(id)),
            Reference::Attachment(file) => {
                format!("<ri:attachment ri:filename=\"{}\" />", escape(file))
            }
            Reference::AttachmentOf(file, owner) => format!(
                "<ri:attachment ri:filename=\"{}\">{}</ri:attachment>",
                escape(file),
                owner.storage()
            ),
            Reference::Space(key) => format!("<ri:space ri:space-key=\"{}\" />", escape(key)),
        }
    }

    /// The text a link to it shows when it has no body of its own (as the
    /// reading writes it when the link had none).
    pub(crate) fn default_text(&self) -> &str {
        match self {
            Reference::Page { title, .. } | Reference::BlogPost { title, .. } => title,
            Reference::Content(id) => id,
            Reference::Attachment(file) | Reference::AttachmentOf(file, _) => file,
            Reference::Space(key) => key,
        }
    }
}

impl LinkContext {
    /// What `url` points at, with the anchor after `#` (pages only), when it
    /// is one of this site's addresses for a reference, or a bare name.
    pub(crate) fn reference(&self, url: &str, image: bool) -> Option<(Reference, Option<String>)> {
        let url = url.trim();
        let base = self.base();
        if !base.is_empty()
            && let Some(rest) = url.strip_prefix(base).and_then(|r| r.strip_prefix('/'))
        {
            return self.site_reference(rest);
        }
        bare(url, image).map(|r| (r, None))
    }

    /// The reference of a site path after `{base}/`.
    fn site_reference(&self, rest: &str) -> Option<(Reference, Option<String>)> {
        let (path, anchor) = match rest.split_once('#') {
            Some((path, anchor)) => (path, percent_decoded(anchor).filter(|a| !a.is_empty())),
            None => (rest, None),
        };
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let param = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if let Some(file) = path.strip_prefix("download/attachments/") {
            let (owner, file) = file.split_once('/')?;
            let file = percent_decoded(file)?;
            let own = !self.page_id.is_empty() && owner == self.page_id;
            return (own && !file.is_empty() && !file.contains('/'))
                .then_some((Reference::Attachment(file), None));
        }
        let owner = if path == "pages/viewpage.action" {
            let id = param("pageId")?;
            let valid = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
            valid.then_some(Reference::Content(id))?
        } else {
            self.display_reference(path)?
        };
        // Another page's attachment, as the reading links to it; any other query is not ours.
        match param("attachment").filter(|f| !f.is_empty()) {
            Some(file) if !matches!(owner, Reference::Space(_)) => {
                Some((Reference::AttachmentOf(file, Box::new(owner)), None))
            }
            Some(_) => None,
            None if query.is_empty() || path == "pages/viewpage.action" => Some((owner, anchor)),
            None => None,
        }
    }

    /// The page, blog post or space of a `display/…` path.
    fn display_reference(&self, path: &str) -> Option<Reference> {
        let parts: Vec<&str> = path.strip_prefix("display/")?.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        let key = percent_decoded(parts[0])?;
        let space = (key != self.space_key).then(|| key.clone());
        let title = |t: &str| percent_decoded(&t.replace('+', " "));
        let reference = match parts.as_slice() {
            [_] => Reference::Space(key),
            [_, t] => Reference::Page {
                space,
                title: title(t)?,
            },
            [_, y, m, d, t]
                if [y, m, d]
                    .iter()
                    .all(|p| p.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Reference::BlogPost {
                    space,
                    day: format!("{y}/{m}/{d}"),
                    title: title(t)?,
                }
            }
            _ => return None,
        };
        Some(reference)
    }
}

/// A bare target: no scheme, no path, no query or fragment. An image's, or
/// one with a file extension, is an attachment; any other, a page by title.
fn bare(url: &str, image: bool) -> Option<Reference> {
    if url.is_empty() || url.contains([':', '/', '\\', '?', '#']) || url.starts_with('.') {
        return None;
    }
    let name = percent_decoded(url).unwrap_or_else(|| url.to_string());
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let extension = name.rsplit_once('.').map(|(_, e)| e).filter(|e| {
        (1..=5).contains(&e.len())
            && e.bytes().all(|b| b.is_ascii_alphanumeric())
            && e.bytes().any(|b| b.is_ascii_alphabetic())
    });
    Some(if image || extension.is_some() {
        Reference::Attachment(name.to_string())
    } else {
        Reference::Page {
            space: None,
            title: name.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sites_addresses_read_back_as_the_references_they_were_written_from() {
        let ctx = LinkContext::new("https://acme.atlassian.net/wiki", "ENG", "11");
        let page = |space: Option<&str>, title: &str| Reference::Page {
            space: space.map(str::to_string),
            title: title.to_string(),
        };
        let cases = [
            (
                ctx.page_url(None, "Upgrade guide"),
                page(None, "Upgrade guide"),
            ),
            (
                ctx.page_url(Some("OPS"), "On-call: rota & escalation"),
                page(Some("OPS"), "On-call: rota & escalation"),
            ),
            (ctx.page_url(None, "C++ 100%"), page(None, "C++ 100%")),
            (
                ctx.blog_post_url(Some("OPS"), "2026/11/06", "Shipped"),
                Reference::BlogPost {
                    space: Some("OPS".into()),
                    day: "2026/11/06".into(),
                    title: "Shipped".into(),
                },
            ),
            (ctx.content_url("98765"), Reference::Content("98765".into())),
            (
                ctx.attachment_url("notes v2.pdf"),
                Reference::Attachment("notes v2.pdf".into()),
            ),
            (ctx.space_url("OPS"), Reference::Space("OPS".into())),
        ];
        for (url, expected) in cases {
            assert_eq!(ctx.reference(&url, false), Some((expected, None)), "{url}");
        }
        // Another page's attachment, as the reading links to it.
        let metrics = ctx.page_url(Some("OPS"), "Metrics");
        assert_eq!(
            ctx.reference(&ctx.attachment_of(&metrics, "chart v2.png"), true),
            Some((
                Reference::AttachmentOf(
                    "chart v2.png".into(),
                    Box::new(page(Some("OPS"), "Metrics"))
                ),
                None
            ))
        );
        assert_eq!(
            Reference::AttachmentOf("a.png".into(), Box::new(Reference::Content("7".into())))
                .storage(),
            "<ri:attachment ri:filename=\"a.png\"><ri:page ri:content-id=\"7\" /></ri:attachment>"
        );
        let by_id = ctx.attachment_of(&ctx.content_url("7"), "a.png");
        assert!(
            by_id.ends_with("viewpage.action?pageId=7&attachment=a.png"),
            "{by_id}"
        );
        assert!(matches!(
            ctx.reference(&by_id, false),
            Some((Reference::AttachmentOf(..), None))
        ));
        assert_eq!(
            ctx.reference(&format!("{}#Install", ctx.page_url(None, "Guide")), false),
            Some((page(None, "Guide"), Some("Install".into())))
        );
        // Another page's attachment, other sites and other paths are plain links.
        for url in [
            "https://acme.atlassian.net/wiki/download/attachments/12/x.png",
            "https://other.example/wiki/display/ENG/Guide",
            "https://acme.atlassian.net/wiki/spaces/ENG/pages/11",
            "https://acme.atlassian.net/wiki/display/ENG/a/b",
            "https://acme.atlassian.net/wiki/display/ENG/Guide?focusedCommentId=1",
            "https://acme.atlassian.net/wiki/display/ENG?attachment=x.png",
            "https://example.com/x.png",
            "#top",
            "./notes.pdf",
        ] {
            assert_eq!(ctx.reference(url, false), None, "{url}");
        }
    }

    #[test]
    fn bare_names_are_attachments_or_pages_by_title() {
        let ctx = LinkContext::default();
        let attachment = |f: &str| Some((Reference::Attachment(f.into()), None));
        assert_eq!(
            ctx.reference("diagram.png", true),
            attachment("diagram.png")
        );
        assert_eq!(ctx.reference("diagram", true), attachment("diagram"));
        assert_eq!(
            ctx.reference("notes%20v2.pdf", false),
            attachment("notes v2.pdf")
        );
        assert_eq!(
            ctx.reference("Setup guide", false),
            Some((
                Reference::Page {
                    space: None,
                    title: "Setup guide".into()
                },
                None
            ))
        );
        // A version number is no file extension.
        assert!(matches!(
            ctx.reference("Release 2.4", false),
            Some((Reference::Page { .. }, None))
        ));
        assert_eq!(ctx.reference("", false), None);
        assert_eq!(ctx.reference("%20", false), None);
        assert_eq!(
            Reference::Page {
                space: Some("O&P".into()),
                title: "a \"b\"".into()
            }
            .storage(),
            "<ri:page ri:space-key=\"O&amp;P\" ri:content-title=\"a &quot;b&quot;\" />"
        );
    }
}
