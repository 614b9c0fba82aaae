//! Confluence storage format to Markdown or plain text, and Markdown to
//! storage format.
//!
//! Storage format is the XHTML Confluence keeps pages in, with `ac:` elements
//! for macros, links, images and tasks and `ri:` elements naming what they
//! point at. It is read forgivingly (module `xml`): HTML entities, unclosed or
//! mismatched tags and stray markup are repaired, never fatal, and no text is
//! dropped. The reading (`read`) produces a small document model
//! (`doc`) that both outputs are written from (`write`).
//!
//! What each storage construct becomes in Markdown:
//!
//! | storage | Markdown |
//! | --- | --- |
//! | `h1`–`h6`, `p`, `br`, `hr` | `#` headings, paragraphs, `\` line breaks, `---` |
//! | `strong`/`b`, `em`/`i`, `s`/`del`, `code` | `**`, `*`, `~~`, `` ` ``; `<strong>`, `<em>`, `<s>` where CommonMark would not read the delimiters (punctuation just inside, a letter just outside: `<strong>‘지금’</strong>을`) |
//! | `u`, `sub`, `sup` | `<u>`, `<sub>`, `<sup>` (no Markdown syntax exists) |
//! | `a href`, `ac:link` | `[text](url)`, URLs as [`LinkContext`] builds them; a page's, blog post's, space's or the page's own attachment's address is written back as the `ri:` reference (module `references`) |
//! | `ri:user` mention | `[@Display Name]({base}/people/{accountId})` (the name from the link body, else the account id), a mention again when written back; `@name` for a user without an account id |
//! | `anchor` macro | `<a id="name"></a>`, which `[text](#name)` links reach; both written back as the anchor macro and an `ac:link` to it |
//! | `ul`, `ol` (nested), `ac:task-list` | `-`, `1.`, `- [ ]` / `- [x]` |
//! | `table` | a GFM table; the first row is the header; block content in a cell is flattened to lines joined by `<br>` |
//! | `code` macro, `noformat` macro, `pre` | fenced code block; a code macro's info string is its language, then its other settings (`title="Deploy" linenumbers=true`), all written back; a noformat block's is `noformat`, then its settings |
//! | `blockquote` | `>` quote |
//! | `info`, `note`, `warning`, `tip`, `panel` macros | `> [!NOTE] Title` alerts (`[!PANEL]` for the generic panel), written back as the panel; with settings besides the title, a `confluence` block (plain text: the label, such as `Note:`, and the title) |
//! | `ac:layout` | `<div data-layout>`, `<div data-section="two_equal">`, `<div data-cell>` (each cell's Markdown between blank lines), written back as the layout; plain text: the cells in order |
//! | `ac:image` | `![alt](url)`; with a size or other settings, `<img src alt width height data-NAME>`; the page's own attachment written back as `ri:attachment` |
//! | `time datetime` | `<time datetime="2026-11-06">2026-11-06</time>`, written back as the date (plain text: the date) |
//! | `ac:emoticon` | its character (`✅`), written back as the emoticon for Confluence's own 22; one of the new editor `<span data-emoji=":rocket:">🚀</span>`, written back with every attribute |
//! | `status` macro | `<span data-macro="status" data-colour="Green">Released</span>` (without a title, `data-title=""` and the colour shown), written back as the lozenge (plain text: `[TITLE]` in capitals as Confluence shows it, ASCII titles only) |
//! | `details`, `excerpt`, `section`, `column` macros | `<div data-macro="details" data-id="x">`, the body as Markdown, `</div>`; written back as the macro (plain text: the body) |
//! | `expand` macro | `<details>` with a `<summary>` title, the body as Markdown, `</details>`; written back as the expand macro (plain text: the title, then the body) |
//! | any other macro standing alone (or alone in a paragraph) | a `confluence` fenced block holding its storage, written back as it was (plain text: `[macro: NAME (param=value, ...)]`, then its bodies) |
//! | any other macro inside a sentence | with parameters of plain text and no body, `<span data-macro="NAME" data-PARAM="value">macro: NAME (param=value)</span>`, written back as the macro; else `\[macro: NAME (param=value, ...)\]`, then its bodies |
//!
//! Written back over a page (module `preserve`), every top-level element
//! whose Markdown came back unchanged keeps its storage byte for byte, so
//! the losses of the table above apply only to edited blocks.
//!
//! Plain text follows the same walk without the syntax: list items start with
//! `- ` (`1. `, `[x] `), table rows are tab-separated cells, links read
//! `text (url)`, and panels start with their label.

pub(crate) mod doc;
pub(crate) mod entities;
pub(crate) mod preserve;
pub(crate) mod read;
pub(crate) mod references;
pub mod sections;
pub(crate) mod storage;
pub(crate) mod write;
pub(crate) mod xml;

#[cfg(test)]
mod tests;

/// What links in a storage document need to become URLs.
///
/// The rules, with `{base}` the site's base URL without a trailing `/`:
///
/// - a page by title (`<ri:page ri:content-title="T" ri:space-key="K"/>`):
///   `{base}/display/{K}/{T}`, the title form-encoded (spaces as `+`) and `K`
///   defaulting to [`space_key`](Self::space_key);
/// - a page or other content by id (`ri:content-id`): `{base}/pages/viewpage.action?pageId={id}`;
/// - a blog post: `{base}/display/{K}/{posting day}/{T}`;
/// - an attachment of the current page (`<ri:attachment ri:filename="F"/>`):
///   `{base}/download/attachments/{page_id}/{F}`, `F` percent-encoded; an
///   attachment of another page links to that page with `?attachment={F}`
///   (`&attachment=` after a query), since its file address needs that
///   page's id: the link opens the page, and Markdown written back names the
///   attachment again;
/// - a space: `{base}/display/{K}`;
/// - an anchor: `#anchor`, after the page's URL when it names a page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkContext {
    /// The site's base URL, such as `https://acme.atlassian.net/wiki`.
    pub base_url: String,
    /// The key of the space the document belongs to.
    pub space_key: String,
    /// The id of the page the document belongs to.
    pub page_id: String,
}

impl LinkContext {
    /// A context for a document of page `page_id` in space `space_key` on the site at `base_url`.
    pub fn new(
        base_url: impl Into<String>,
        space_key: impl Into<String>,
        page_id: impl Into<String>,
    ) -> Self {
        LinkContext {
            base_url: base_url.into(),
            space_key: space_key.into(),
            page_id: page_id.into(),
        }
    }

    fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    fn space<'a>(&'a self, key: Option<&'a str>) -> &'a str {
        key.map(str::trim).unwrap_or(&self.space_key)
    }

    /// The address of a page by its title.
    pub fn page_url(&self, space_key: Option<&str>, title: &str) -> String {
        format!(
            "{}/display/{}/{}",
            self.base(),
            encode(self.space(space_key), false),
            encode(title, true)
        )
    }

    /// The address of a blog post by its posting day (`YYYY/MM/DD`) and title.
    pub fn blog_post_url(&self, space_key: Option<&str>, day: &str, title: &str) -> String {
        let day: Vec<String> = day
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| encode(s, false))
            .collect();
        let mut url = format!(
            "{}/display/{}",
            self.base(),
            encode(self.space(space_key), false)
        );
        for part in day {
            url.push('/');
            url.push_str(&part);
        }
        url.push('/');
        url.push_str(&encode(title, true));
        url
    }

    /// The address of content by its id.
    pub fn content_url(&self, id: &str) -> String {
        format!(
            "{}/pages/viewpage.action?pageId={}",
            self.base(),
            encode(id.trim(), false)
        )
    }

    /// The download address of an attachment of the current page.
    pub fn attachment_url(&self, file_name: &str) -> String {
        format!(
            "{}/download/attachments/{}/{}",
            self.base(),
            encode(&self.page_id, false),
            encode(file_name, false)
        )
    }

    /// The address of attachment `file_name` of the content at `owner_url`.
    pub fn attachment_of(&self, owner_url: &str, file_name: &str) -> String {
        let join = if owner_url.contains('?') { '&' } else { '?' };
        format!("{owner_url}{join}attachment={}", encode(file_name, true))
    }

    /// The profile address of a user by account id, which Markdown written
    /// back turns into a mention again (see [`account_id_of`]).
    pub fn user_url(&self, account_id: &str) -> String {
        let id = account_id.trim();
        // Account ids (`557058:4f2a…`) read as they are; anything else is encoded.
        let plain = id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'));
        let id = if plain {
            id.to_string()
        } else {
            encode(id, false)
        };
        format!("{}/people/{id}", self.base())
    }

    /// The address of a space's home.
    pub fn space_url(&self, space_key: &str) -> String {
        format!(
            "{}/display/{}",
            self.base(),
            encode(space_key.trim(), false)
        )
    }
}

/// Percent-encodes `text` as one URL path segment: unreserved characters stay,
/// a space becomes `+` when `plus` is set (as Confluence writes titles), all
/// else is `%XX`.
fn encode(text: &str, plus: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b' ' if plus => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The account id a user's profile address names (`…/wiki/people/{id}`, as
/// [`LinkContext::user_url`] writes it), if `url` is one.
pub(crate) fn account_id_of(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let (_, rest) = path.rsplit_once("/wiki/people/")?;
    let id = entities::percent_decoded(rest)?;
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'));
    valid.then_some(id)
}

/// Converts storage format to Markdown (CommonMark with GFM tables, task lists
/// and strikethrough). Never fails: odd input gives the best reading of its text.
pub fn storage_to_markdown(storage: &str, ctx: &LinkContext) -> String {
    let nodes = xml::parse(storage);
    let blocks = read::Reader::new(ctx).document(&nodes);
    write::render(&blocks, write::Flavor::Markdown)
}

/// Converts storage format to plain text: the words of the page, with list
/// items, table rows and links written out readably.
pub fn storage_to_text(storage: &str, ctx: &LinkContext) -> String {
    let nodes = xml::parse(storage);
    let blocks = read::Reader::new(ctx).document(&nodes);
    write::render(&blocks, write::Flavor::Text)
}

/// Converts Markdown (CommonMark with GFM tables, task lists and
/// strikethrough) to storage format. Raw HTML in the Markdown becomes visible
/// text; the module `storage` names the few tags read as formatting.
pub fn markdown_to_storage(markdown: &str) -> String {
    storage::convert(markdown)
}

/// Converts Markdown read from a page (and edited) back to storage over the
/// page's current storage `current`, read with `links`: every top-level
/// element whose Markdown came back unchanged is kept byte for byte (with
/// its macros, references and settings, whatever the Markdown could say of
/// them), and only the edited or added blocks are converted. Markdown that
/// reads exactly as the page does gives the page's storage unchanged.
pub fn markdown_over_storage(markdown: &str, current: &str, links: &LinkContext) -> String {
    preserve::merge(current, markdown, links)
}

/// Converts Markdown to storage that goes into a page whose storage is
/// `page`, named by `links`: tasks are numbered after the page's own, and
/// the addresses the reading writes for pages, blog posts, spaces and the
/// page's attachments (and bare names: `![](diagram.png)`,
/// `[setup](<Setup guide>)`) become references again.
pub fn markdown_to_storage_in(markdown: &str, page: &str, links: &LinkContext) -> String {
    storage::convert_after(markdown, preserve::last_task_id(page), links)
}

/// Whether a link or image target may be written, in either direction: not
/// a script or data URL (`javascript:`, `vbscript:`, `data:`).
pub(crate) fn safe_url(url: &str) -> bool {
    // Browsers ignore whitespace and control characters inside a scheme.
    let compact: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    !["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| compact.starts_with(scheme))
}
