//! Markdown (CommonMark with GFM tables, task lists and strikethrough) to
//! Confluence storage format.
//!
//! pulldown-cmark reads the Markdown into events; this module writes each as
//! storage XHTML. Text is escaped for XML (and characters XML cannot hold are
//! dropped). Raw HTML in the Markdown is written as visible text, never as
//! markup; the only tags recognised are `<br>`, which becomes a line break,
//! and `<u>`, `<sub>`, `<sup>`, `<strong>`, `<em>` and `<s>` when closed
//! within the same element (the way the Markdown output writes underline,
//! subscript and superscript, and emphasis that CommonMark's delimiters
//! cannot mark, as in `<strong>‘quoted’</strong>을`),
//! which become those elements. Nothing of the HTML as written reaches the
//! output: the converter writes its own tags.

use super::LinkContext;
use super::read::{EMOTICONS, plain_name};
use super::references::Reference;
use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Text escaped for an XML text node or attribute value.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether XML 1.0 can hold `c` at all.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// `text` as CDATA sections: a `]]>` inside is split across two sections.
fn cdata(text: &str) -> String {
    let clean: String = text.chars().filter(|&c| xml_char(c)).collect();
    format!("<![CDATA[{}]]>", clean.replace("]]>", "]]]]><![CDATA[>"))
}

/// What a list is showing right now: Markdown lets task items and plain items
/// share a list, storage keeps them in different elements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Bullets,
    Numbers,
    Tasks,
}

enum Frame {
    /// An element closed by this text.
    Close(&'static str),
    /// A heading of this level.
    Heading(u8),
    List {
        ordered: bool,
        next_number: u64,
        open: Option<Container>,
    },
    /// A list item; for a task, whether its body is still open and how many
    /// paragraphs it had (a task body holds inline content only).
    Item {
        task: bool,
        body_open: bool,
        paragraphs: usize,
    },
    /// A paragraph written without `<p>` (inside a task body).
    BareParagraph,
    TableHead,
    /// A link that is written as its text only.
    PlainLink,
    /// A link to a user's profile, written as a mention of the user: what the
    /// link holds (from `at` on) gives way to it, as Confluence shows the name.
    Mention {
        at: usize,
        account_id: String,
    },
    /// A link to a page, blog post, space or attachment, written as an
    /// `ac:link` with its `ri:` element: `start` is where it begins, `at`
    /// where its content begins (after `<ac:link-body>`, which a plain-text
    /// content gives way to).
    Reference {
        start: usize,
        at: usize,
        open: String,
        default: String,
    },
}

/// One of the recognised tags (`<u>`, `<strong>`...) written as text until its end tag shows up.
struct PendingTag {
    name: &'static str,
    at: usize,
    len: usize,
    depth: usize,
}

struct Writer {
    out: String,
    frames: Vec<Frame>,
    task_id: u64,
    in_table_head: bool,
    pending: Vec<PendingTag>,
    /// Escaped start tags found to be closed: `(at, len, tag)`, put in place
    /// at the end in one pass.
    fixes: Vec<(usize, usize, &'static str)>,
    /// The depths at which an `<a id>` was written as an anchor macro, whose
    /// `</a>` is then dropped.
    anchors: Vec<usize>,
    /// A macro's `<span>` or a date's `<time>` being read.
    open_span: Option<OpenSpan>,
    /// The page the storage goes into: its site's addresses become references.
    links: LinkContext,
}

/// A macro's `<span>` or a date's `<time>` whose end tag has not come yet.
struct OpenSpan {
    /// The frame depth it opened at.
    depth: usize,
    /// Where its text starts in the output.
    at: usize,
    /// What it becomes.
    spanned: Spanned,
}

/// What an open `<span>` or `<time>` becomes when it closes.
enum Spanned {
    /// The macro: its name and settings (a lozenge's `colour`, `subtle`), in order.
    Macro {
        name: String,
        settings: Vec<(String, String)>,
    },
    /// A date: `<time datetime="…" />`.
    Date(String),
    /// An emoticon of the new editor: what its character does not say.
    Emoji(Vec<(String, String)>),
}

/// A fence's info string read as the code macro's language (its first word,
/// unless that is a setting) and settings (`name=value`, the value bare or
/// in double or single quotes). Words that are neither are dropped.
fn info_settings(info: &str) -> (&str, Vec<(String, String)>) {
    let info = info.trim();
    let (lang, mut rest) = match info.split_once(char::is_whitespace) {
        Some((first, rest)) if !first.contains('=') => (first, rest),
        None if !info.contains('=') => (info, ""),
        _ => ("", info),
    };
    let mut settings = Vec::new();
    loop {
        rest = rest.trim_start();
        let Some((name, after)) = rest.split_once('=') else {
            break;
        };
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        let quote = after.chars().next().filter(|c| matches!(c, '"' | '\''));
        let (value, next) = match quote {
            Some(q) => {
                let quoted = &after[1..];
                let end = quoted.find(q).unwrap_or(quoted.len());
                (
                    quoted[..end].to_string(),
                    quoted.get(end + 1..).unwrap_or(""),
                )
            }
            None => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (after[..end].to_string(), &after[end..])
            }
        };
        if valid {
            settings.push((name.to_string(), value));
        }
        rest = next;
    }
    (lang, settings)
}

/// The name and settings of a macro written as `<span data-macro="status"
/// data-colour="Green">` (each `data-NAME="value"` but the marker), or
/// `None` for any other tag.
fn macro_span(html: &str) -> Option<(String, Vec<(String, String)>)> {
    macro_tag(html, "<span")
}

/// The name and settings of a macro written as a `start` tag (`<span`,
/// `<div`) with `data-macro="name"` and `data-NAME="value"` settings.
fn macro_tag(html: &str, start: &str) -> Option<(String, Vec<(String, String)>)> {
    let mut settings = data_attributes(html, start)?;
    let at = settings.iter().position(|(k, _)| k == "macro")?;
    let (_, name) = settings.remove(at);
    plain_name(&name).then_some((name, settings))
}

/// The `data-NAME="value"` attributes of a `start` tag (`<span`, `<div`)
/// that has nothing else, in order, or `None` for any other tag.
fn data_attributes(html: &str, start: &str) -> Option<Vec<(String, String)>> {
    let inner = html.trim().strip_prefix(start)?.strip_suffix('>')?;
    if !inner.is_empty() && !inner.starts_with(char::is_whitespace) {
        return None;
    }
    let mut attributes = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"")?;
        let (value, next) = after.split_once('"')?;
        let name = name.trim().strip_prefix("data-")?;
        if !plain_name(name) {
            return None;
        }
        attributes.push((name.to_string(), super::entities::decode(value)));
        rest = next.trim_start();
    }
    Some(attributes)
}

/// What an emoticon of the new editor written as `<span data-emoji=":rocket:">`
/// holds besides its character (see the reading's `Inline::Emoji`).
fn emoji_span(html: &str) -> Option<Vec<(String, String)>> {
    let settings = data_attributes(html, "<span")?;
    settings
        .first()
        .is_some_and(|(k, _)| k == "emoji")
        .then_some(settings)
}

/// The start of macro `name` with these parameters:
/// `<ac:structured-macro ac:name="…">`, then an `ac:parameter` each.
fn macro_start<'a>(name: &str, parameters: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = format!("<ac:structured-macro ac:name=\"{}\">", escape(name));
    for (key, value) in parameters {
        out.push_str(&format!(
            "<ac:parameter ac:name=\"{}\">{}</ac:parameter>",
            escape(key),
            escape(value)
        ));
    }
    out
}

/// `settings` as `macro_start`'s parameters.
fn pairs(settings: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    settings.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// What closes the elements a `<div data-layout>`, `<div data-section>`,
/// `<div data-cell>` and `<div data-macro>` open.
const DIV_ENDS: [&str; 4] = [
    "</ac:layout>",
    "</ac:layout-section>",
    "</ac:layout-cell>",
    MACRO_BODY_END,
];

/// One tag of the HTML blocks a layout or a grouping macro is written as.
enum DivTag {
    /// An element opened: its start tag and what closes it.
    Open(String, &'static str),
    /// `</div>`.
    Close,
}

/// The tags of an HTML block made only of the `<div>`s the Markdown output
/// writes a layout or a grouping macro with, or `None` for any other block.
fn div_tags(html: &str) -> Option<Vec<DivTag>> {
    let mut tags = Vec::new();
    let mut rest = html.trim();
    while !rest.is_empty() {
        let end = rest.find('>')? + 1;
        let tag = &rest[..end];
        tags.push(match tag {
            "</div>" => DivTag::Close,
            "<div data-layout>" => DivTag::Open("<ac:layout>".into(), DIV_ENDS[0]),
            "<div data-cell>" => DivTag::Open("<ac:layout-cell>".into(), DIV_ENDS[2]),
            _ if tag.starts_with("<div data-macro=") => {
                let (name, settings) = macro_tag(tag, "<div")?;
                let mut open = macro_start(&name, pairs(&settings));
                open.push_str("<ac:rich-text-body>");
                DivTag::Open(open, DIV_ENDS[3])
            }
            _ => {
                let kind = tag
                    .strip_prefix("<div data-section=\"")?
                    .strip_suffix("\">")?;
                if !plain_name(kind) {
                    return None;
                }
                DivTag::Open(
                    format!("<ac:layout-section ac:type=\"{kind}\">"),
                    DIV_ENDS[1],
                )
            }
        });
        rest = rest[end..].trim_start();
    }
    Some(tags)
}

/// An `<img>` tag as the Markdown output writes an image with settings.
struct Img {
    src: String,
    alt: String,
    title: String,
    /// `width`, `height`, and each `data-NAME`, as `ac:` attribute names.
    settings: Vec<(String, String)>,
}

/// The image of an `<img src="…" alt="…" width="480" data-align="center">`
/// tag, or `None` for any other HTML (an attribute it does not know, a value
/// not in double quotes).
fn img_tag(html: &str) -> Option<Img> {
    let inner = html.trim().strip_prefix("<img")?;
    let inner = inner
        .strip_suffix("/>")
        .or_else(|| inner.strip_suffix('>'))?;
    if !inner.starts_with(char::is_whitespace) {
        return None;
    }
    let mut img = Img {
        src: String::new(),
        alt: String::new(),
        title: String::new(),
        settings: Vec::new(),
    };
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"")?;
        let (value, next) = after.split_once('"')?;
        let value = super::entities::decode(value);
        match name.trim() {
            "src" => img.src = value,
            "alt" => img.alt = value,
            "title" => img.title = value,
            key @ ("width" | "height") => img.settings.push((key.to_string(), value)),
            key => {
                let key = key.strip_prefix("data-")?;
                if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return None;
                }
                img.settings.push((key.to_string(), value));
            }
        }
        rest = next.trim_start();
    }
    (!img.src.trim().is_empty()).then_some(img)
}

/// The date of a `<time datetime="2026-11-06">` start tag (as the Markdown
/// output writes a date), or `None` for any other tag.
fn time_tag(html: &str) -> Option<String> {
    let when = html
        .trim()
        .strip_prefix("<time datetime=\"")?
        .strip_suffix("\">")?;
    super::read::plain_date(when).then(|| when.to_string())
}

/// What closes a macro opened with its rich body (by `<details>`, `<div data-macro>`).
const MACRO_BODY_END: &str = "</ac:rich-text-body></ac:structured-macro>";

/// The title of an HTML block that opens an expand section (`<details>`, then
/// an optional `<summary>Title</summary>`, and nothing else), or `None` when
/// the block is anything else.
fn details_start(html: &str) -> Option<Option<String>> {
    let text = html.trim();
    let lower = text.to_ascii_lowercase();
    let rest = lower.strip_prefix("<details")?;
    let open_end = rest.find('>')? + "<details".len() + 1;
    let after = text[open_end..].trim();
    if after.is_empty() {
        return Some(None);
    }
    let inner = after
        .strip_prefix("<summary>")
        .or_else(|| after.strip_prefix("<SUMMARY>"))?;
    let close = inner.to_ascii_lowercase().rfind("</summary>")?;
    if !inner[close + "</summary>".len()..].trim().is_empty() {
        return None;
    }
    let title = super::entities::decode(inner[..close].trim());
    Some(Some(title).filter(|t| !t.is_empty()))
}

/// The panel macro an alert marker's kind (`> [!NOTE]`) stands for, or the
/// panel label read from storage (`Note`) stands for: Confluence's four and
/// its generic `panel` (`> [!PANEL]`, this converter's own), and GitHub's
/// `IMPORTANT` and `CAUTION` as the closest of them.
pub(crate) fn panel_kind(kind: &str) -> Option<&'static str> {
    match kind.to_ascii_lowercase().as_str() {
        "info" | "important" => Some("info"),
        "note" => Some("note"),
        "warning" | "caution" => Some("warning"),
        "tip" => Some("tip"),
        "panel" => Some("panel"),
        _ => None,
    }
}

/// A block quote starting at `events[i]` whose first line is an alert
/// marker (`[!NOTE]`, then an optional title): the panel macro's name, the
/// title, the index of the first event after the marker line, and whether
/// the paragraph of that line goes on after it.
fn panel_marker(events: &[Event], i: usize) -> Option<(&'static str, String, usize, bool)> {
    if !matches!(events.get(i + 1), Some(Event::Start(Tag::Paragraph))) {
        return None;
    }
    let mut line = String::new();
    let mut j = i + 2;
    let goes_on = loop {
        match events.get(j)? {
            Event::Text(t) => line.push_str(t),
            Event::SoftBreak | Event::HardBreak => break true,
            Event::End(TagEnd::Paragraph) => break false,
            _ => return None,
        }
        j += 1;
    };
    let rest = line.trim_start().strip_prefix("[!")?;
    let (kind, title) = rest.split_once(']')?;
    let kind = panel_kind(kind)?;
    Some((kind, title.trim().to_string(), j + 1, goes_on))
}

/// The Markdown the converter reads: CommonMark with GFM tables, task lists and strikethrough.
pub(crate) const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_STRIKETHROUGH);

/// Converts Markdown to storage format.
pub(crate) fn convert(markdown: &str) -> String {
    convert_after(markdown, 0, &LinkContext::default())
}

/// Converts Markdown to storage format for the page `links` names, whose own
/// tasks are numbered up to `last_task_id`: new tasks are numbered after
/// them, and the site's addresses of pages and of the page's attachments
/// become references (module `references`).
pub(crate) fn convert_after(markdown: &str, last_task_id: u64, links: &LinkContext) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, OPTIONS).collect();
    let mut w = Writer {
        out: String::with_capacity(markdown.len() * 2),
        frames: Vec::new(),
        task_id: last_task_id,
        in_table_head: false,
        pending: Vec::new(),
        fixes: Vec::new(),
        anchors: Vec::new(),
        open_span: None,
        links: links.clone(),
    };
    let mut i = 0;
    while i < events.len() {
        i = w.event(&events, i);
    }
    // Events always balance; close anything left as a precaution.
    while !w.frames.is_empty() {
        w.end();
    }
    if w.fixes.is_empty() {
        return w.out;
    }
    w.fixes.sort_unstable_by_key(|f| f.0);
    let mut out = String::with_capacity(w.out.len());
    let mut from = 0;
    for (at, len, tag) in w.fixes {
        out.push_str(&w.out[from..at]);
        out.push_str(tag);
        from = at + len;
    }
    out.push_str(&w.out[from..]);
    out
}

/// Whether the item starting at `events[i]` (a `Start(Item)`) is a task, and if so whether it is done.
fn task_marker(events: &[Event], i: usize) -> Option<bool> {
    match events.get(i + 1) {
        Some(Event::TaskListMarker(done)) => Some(*done),
        Some(Event::Start(Tag::Paragraph)) => match events.get(i + 2) {
            Some(Event::TaskListMarker(done)) => Some(*done),
            _ => None,
        },
        _ => None,
    }
}

/// Whether the list starting at `events[i]` (a `Start(List)`) begins with a task item.
fn starts_with_task(events: &[Event], i: usize) -> bool {
    matches!(events.get(i + 1), Some(Event::Start(Tag::Item)))
        && task_marker(events, i + 1).is_some()
}

impl Writer {
    /// Handles `events[i]` and returns the index of the next event to handle.
    fn event(&mut self, events: &[Event], i: usize) -> usize {
        match &events[i] {
            Event::Start(Tag::CodeBlock(kind)) => return self.code_block(events, i, kind),
            Event::Start(Tag::HtmlBlock) => return self.html_block(events, i),
            Event::Start(Tag::BlockQuote(_)) if panel_marker(events, i).is_some() => {
                let Some((kind, title, next, goes_on)) = panel_marker(events, i) else {
                    return i + 1;
                };
                let title = (!title.is_empty()).then_some(("title", title.as_str()));
                let mut open = macro_start(kind, title);
                open.push_str("<ac:rich-text-body>");
                self.push(&open, Frame::Close(MACRO_BODY_END));
                if goes_on {
                    self.push("<p>", Frame::Close("</p>"));
                }
                return next;
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => return self.image(events, i, dest_url, title),
            Event::Start(tag) => self.start(events, i, tag),
            Event::End(_) => self.end(),
            Event::Text(text) => self.text(text),
            Event::Code(code) => {
                self.out.push_str("<code>");
                self.out.push_str(&escape(code));
                self.out.push_str("</code>");
            }
            Event::InlineMath(text) | Event::DisplayMath(text) | Event::FootnoteReference(text) => {
                self.out.push_str(&escape(text))
            }
            Event::Html(html) | Event::InlineHtml(html) => self.inline_html(html),
            Event::SoftBreak => self.out.push(' '),
            Event::HardBreak => self.out.push_str("<br/>"),
            Event::Rule => self.out.push_str("<hr/>"),
            // Read ahead when the item started.
            Event::TaskListMarker(_) => {}
        }
        i + 1
    }

    fn push(&mut self, open: &str, frame: Frame) {
        self.out.push_str(open);
        self.frames.push(frame);
    }

    fn start(&mut self, events: &[Event], i: usize, tag: &Tag) {
        match tag {
            Tag::Paragraph => {
                if let Some(Frame::Item {
                    task: true,
                    body_open: true,
                    paragraphs,
                }) = self.frames.last_mut()
                {
                    *paragraphs += 1;
                    if *paragraphs > 1 {
                        self.out.push_str("<br/>");
                    }
                    self.frames.push(Frame::BareParagraph);
                } else {
                    self.push("<p>", Frame::Close("</p>"));
                }
            }
            Tag::Heading { level, .. } => {
                let level = *level as u8;
                self.out.push_str(&format!("<h{level}>"));
                self.frames.push(Frame::Heading(level));
            }
            Tag::BlockQuote(_) => self.push("<blockquote>", Frame::Close("</blockquote>")),
            Tag::List(start) => {
                // A task list inside a task: Confluence keeps it after the
                // task, inside the same task list, so the task ends here.
                if starts_with_task(events, i)
                    && let Some(Frame::Item {
                        task: true,
                        body_open,
                        ..
                    }) = self.frames.last_mut()
                    && *body_open
                {
                    *body_open = false;
                    self.out.push_str("</ac:task-body></ac:task>");
                }
                self.frames.push(Frame::List {
                    ordered: start.is_some(),
                    next_number: start.unwrap_or(1),
                    open: None,
                });
            }
            Tag::Item => self.item(events, i),
            Tag::Table(_) => self.push("<table><tbody>", Frame::Close("</tbody></table>")),
            Tag::TableHead => {
                self.in_table_head = true;
                self.push("<tr>", Frame::TableHead);
            }
            Tag::TableRow => self.push("<tr>", Frame::Close("</tr>")),
            Tag::TableCell => {
                if self.in_table_head {
                    self.push("<th>", Frame::Close("</th>"));
                } else {
                    self.push("<td>", Frame::Close("</td>"));
                }
            }
            Tag::Emphasis => self.push("<em>", Frame::Close("</em>")),
            Tag::Strong => self.push("<strong>", Frame::Close("</strong>")),
            Tag::Strikethrough => self.push(
                "<span style=\"text-decoration: line-through;\">",
                Frame::Close("</span>"),
            ),
            Tag::Superscript => self.push("<sup>", Frame::Close("</sup>")),
            Tag::Subscript => self.push("<sub>", Frame::Close("</sub>")),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let url = dest_url.trim();
                let href = if *link_type == LinkType::Email && !url.starts_with("mailto:") {
                    format!("mailto:{url}")
                } else {
                    url.to_string()
                };
                if let Some(account_id) = super::account_id_of(&href) {
                    self.frames.push(Frame::Mention {
                        at: self.out.len(),
                        account_id,
                    });
                } else if let Some(anchor) = href.strip_prefix('#').filter(|a| !a.is_empty()) {
                    let anchor = super::entities::percent_decoded(anchor)
                        .unwrap_or_else(|| anchor.to_string());
                    self.push(
                        &format!("<ac:link ac:anchor=\"{}\"><ac:link-body>", escape(&anchor)),
                        Frame::Close("</ac:link-body></ac:link>"),
                    );
                } else if let Some((reference, anchor)) = self.links.reference(&href, false) {
                    let mut open = String::from("<ac:link");
                    if let Some(anchor) = anchor {
                        open.push_str(&format!(" ac:anchor=\"{}\"", escape(&anchor)));
                    }
                    open.push('>');
                    open.push_str(&reference.storage());
                    let start = self.out.len();
                    self.out.push_str(&open);
                    self.out.push_str("<ac:link-body>");
                    self.frames.push(Frame::Reference {
                        start,
                        at: self.out.len(),
                        open,
                        default: reference.default_text().to_string(),
                    });
                } else if super::safe_url(&href) {
                    self.push(
                        &format!("<a href=\"{}\">", escape(&href)),
                        Frame::Close("</a>"),
                    );
                } else {
                    self.frames.push(Frame::PlainLink);
                }
            }
            // Not enabled in the parser options; their content is kept as text.
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => self.push("<p>", Frame::Close("</p>")),
            // Handled in `event`.
            Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::Image { .. } => {}
        }
    }

    fn item(&mut self, events: &[Event], i: usize) {
        let task = task_marker(events, i);
        let Some(Frame::List {
            ordered,
            next_number,
            open,
        }) = self.frames.last_mut()
        else {
            // An item outside a list cannot come from the parser; keep its content.
            self.frames.push(Frame::Close(""));
            return;
        };
        let want = match (task, *ordered) {
            (Some(_), _) => Container::Tasks,
            (None, true) => Container::Numbers,
            (None, false) => Container::Bullets,
        };
        let number = *next_number;
        *next_number = next_number.saturating_add(1);
        if *open != Some(want) {
            let close = open.map(container_end).unwrap_or_default();
            *open = Some(want);
            self.out.push_str(close);
            match want {
                Container::Bullets => self.out.push_str("<ul>"),
                Container::Numbers if number == 1 => self.out.push_str("<ol>"),
                Container::Numbers => self.out.push_str(&format!("<ol start=\"{number}\">")),
                Container::Tasks => self.out.push_str("<ac:task-list>"),
            }
        }
        match task {
            Some(done) => {
                self.task_id += 1;
                let status = if done { "complete" } else { "incomplete" };
                self.out.push_str(&format!(
                    "<ac:task><ac:task-id>{}</ac:task-id><ac:task-status>{status}</ac:task-status><ac:task-body>",
                    self.task_id
                ));
                self.frames.push(Frame::Item {
                    task: true,
                    body_open: true,
                    paragraphs: 0,
                });
            }
            None => {
                self.out.push_str("<li>");
                self.frames.push(Frame::Item {
                    task: false,
                    body_open: false,
                    paragraphs: 0,
                });
            }
        }
    }

    fn end(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        match frame {
            Frame::Close(close) => self.out.push_str(close),
            Frame::Heading(level) => self.out.push_str(&format!("</h{level}>")),
            Frame::List { open, .. } => {
                self.out
                    .push_str(open.map(container_end).unwrap_or_default());
            }
            Frame::Item {
                task: true,
                body_open,
                ..
            } => {
                if body_open {
                    self.out.push_str("</ac:task-body></ac:task>");
                }
            }
            Frame::Item { .. } => self.out.push_str("</li>"),
            Frame::TableHead => {
                self.in_table_head = false;
                self.out.push_str("</tr>");
            }
            Frame::BareParagraph | Frame::PlainLink => {}
            Frame::Mention { at, account_id } => {
                // The name shown, unless it is only the account id (the
                // mention had none): then Confluence shows the user's own.
                let shown = self.take_text_from(at);
                let name = shown.trim().trim_start_matches('@').trim().to_string();
                let body = if name.is_empty() || name == account_id {
                    String::new()
                } else {
                    format!(
                        "<ac:plain-text-link-body>{}</ac:plain-text-link-body>",
                        cdata(&name)
                    )
                };
                self.out.push_str(&format!(
                    "<ac:link><ri:user ri:account-id=\"{}\"/>{body}</ac:link>",
                    escape(&account_id)
                ));
            }
            Frame::Reference {
                start,
                at,
                open,
                default,
            } => {
                // Text alone needs no rich body: none when it is the text
                // Confluence shows anyway, else a plain-text one.
                let rich = self.out[at..].contains('<')
                    || self.fixes.iter().any(|f| f.0 >= at)
                    || self.pending.iter().any(|p| p.at >= at);
                if rich {
                    self.out.push_str("</ac:link-body></ac:link>");
                } else {
                    let text = super::xml::text_of(&self.out[at..]);
                    self.out.truncate(start);
                    self.out.push_str(&open);
                    if !text.trim().is_empty() && text != default {
                        self.out.push_str("<ac:plain-text-link-body>");
                        self.out.push_str(&cdata(&text));
                        self.out.push_str("</ac:plain-text-link-body>");
                    }
                    self.out.push_str("</ac:link>");
                }
            }
        }
        // A tag opened inside the element just closed can no longer be
        // closed. The pending tags are in order of depth, deepest last.
        let depth = self.frames.len();
        while self.pending.last().is_some_and(|p| p.depth > depth) {
            self.pending.pop();
        }
    }

    /// A fenced or indented code block as the `code` macro.
    fn code_block(&mut self, events: &[Event], i: usize, kind: &CodeBlockKind) -> usize {
        let mut text = String::new();
        let mut j = i + 1;
        while let Some(event) = events.get(j) {
            j += 1;
            match event {
                Event::End(TagEnd::CodeBlock) => break,
                Event::Text(t) | Event::Html(t) | Event::Code(t) => text.push_str(t),
                _ => {}
            }
        }
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let info = match kind {
            CodeBlockKind::Fenced(info) => info.as_ref(),
            CodeBlockKind::Indented => "",
        };
        let (lang, settings) = info_settings(info);
        if lang == STORAGE_FENCE
            && let Some(kept) = kept_storage(text)
        {
            self.out.push_str(&kept);
            return j;
        }
        // ```noformat: the noformat macro, as the Markdown output writes it.
        let (name, lang) = match lang {
            "noformat" => ("noformat", ""),
            lang => ("code", lang),
        };
        let language = (!lang.is_empty()).then_some(("language", lang));
        self.out.push_str(&macro_start(
            name,
            language.into_iter().chain(pairs(&settings)),
        ));
        self.out.push_str("<ac:plain-text-body>");
        self.out.push_str(&cdata(text));
        self.out
            .push_str("</ac:plain-text-body></ac:structured-macro>");
        j
    }

    /// A block of raw HTML, shown as the text it is.
    fn html_block(&mut self, events: &[Event], i: usize) -> usize {
        let mut text = String::new();
        let mut j = i + 1;
        while let Some(event) = events.get(j) {
            j += 1;
            match event {
                Event::End(TagEnd::HtmlBlock) => break,
                Event::Html(t) | Event::Text(t) | Event::InlineHtml(t) => text.push_str(t),
                _ => {}
            }
        }
        // HTML's expand section (`<details>`, a `<summary>`, then Markdown,
        // then `</details>`), as the Markdown output writes the expand macro.
        if let Some(title) = details_start(&text) {
            let mut open = macro_start("expand", title.as_deref().map(|t| ("title", t)));
            open.push_str("<ac:rich-text-body>");
            self.push(&open, Frame::Close(MACRO_BODY_END));
            return j;
        }
        if text.trim().eq_ignore_ascii_case("</details>")
            && matches!(self.frames.last(), Some(Frame::Close(end)) if *end == MACRO_BODY_END)
        {
            self.end();
            return j;
        }
        if let Some(img) = img_tag(&text) {
            self.out.push_str("<p>");
            self.write_image(&img.src, &img.alt, &img.title, &img.settings);
            self.out.push_str("</p>");
            return j;
        }
        if let Some(tags) = div_tags(&text) {
            for tag in tags {
                match tag {
                    DivTag::Open(open, close) => self.push(&open, Frame::Close(close)),
                    // Only a `<div>`'s own frame is closed; a stray `</div>` is text.
                    DivTag::Close => {
                        if matches!(self.frames.last(), Some(Frame::Close(c)) if DIV_ENDS.contains(c))
                        {
                            self.end();
                        } else {
                            self.out.push_str("<p>&lt;/div&gt;</p>");
                        }
                    }
                }
            }
            return j;
        }
        let lines: Vec<String> = text.trim_end().split('\n').map(escape).collect();
        self.out.push_str("<p>");
        self.out.push_str(&lines.join("<br/>"));
        self.out.push_str("</p>");
        j
    }

    /// An image as `<ac:image>` with its URL; the alt text is its content flattened.
    fn image(&mut self, events: &[Event], i: usize, url: &str, title: &str) -> usize {
        let mut alt = String::new();
        let mut depth = 0;
        let mut j = i + 1;
        while let Some(event) = events.get(j) {
            j += 1;
            match event {
                Event::Start(Tag::Image { .. }) => depth += 1,
                Event::End(TagEnd::Image) if depth == 0 => break,
                Event::End(TagEnd::Image) => depth -= 1,
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                _ => {}
            }
        }
        self.write_image(url, &alt, title, &[]);
        j
    }

    /// An `<ac:image>`: the page's own attachment by its file name, anything
    /// else by address; `settings` become its `ac:` attributes. An unsafe
    /// address leaves the alt text alone.
    fn write_image(&mut self, url: &str, alt: &str, title: &str, settings: &[(String, String)]) {
        let url = url.trim();
        if !super::safe_url(url) {
            self.out.push_str(&escape(alt));
            return;
        }
        let (resource, file) = match self.links.reference(url, true) {
            Some((reference @ (Reference::Attachment(_) | Reference::AttachmentOf(..)), _)) => {
                (reference.storage(), reference.default_text().to_string())
            }
            _ => (
                format!("<ri:url ri:value=\"{}\" />", escape(url)),
                String::new(),
            ),
        };
        self.out.push_str("<ac:image");
        // The reading shows an attachment's file name when it has no alt text.
        if !alt.is_empty() && alt != file {
            self.out.push_str(&format!(" ac:alt=\"{}\"", escape(alt)));
        }
        if !title.is_empty() {
            self.out
                .push_str(&format!(" ac:title=\"{}\"", escape(title)));
        }
        for (key, value) in settings {
            self.out
                .push_str(&format!(" ac:{key}=\"{}\"", escape(value)));
        }
        self.out.push('>');
        self.out.push_str(&resource);
        self.out.push_str("</ac:image>");
    }

    /// Text of the page: escaped, and the characters Confluence's emoticons
    /// show written as the emoticons (except where the text becomes a
    /// setting: a lozenge's title, a mention's name).
    fn text(&mut self, text: &str) {
        let in_setting = self.open_span.is_some()
            || self
                .frames
                .iter()
                .any(|f| matches!(f, Frame::Mention { .. }));
        if in_setting || text.is_ascii() {
            self.out.push_str(&escape(text));
            return;
        }
        let mut rest = text;
        while let Some((at, name, emoji)) = rest.char_indices().find_map(|(at, _)| {
            let (name, emoji) = EMOTICONS.iter().find(|(_, e)| rest[at..].starts_with(e))?;
            Some((at, *name, *emoji))
        }) {
            self.out.push_str(&escape(&rest[..at]));
            self.out
                .push_str(&format!("<ac:emoticon ac:name=\"{name}\" />"));
            rest = &rest[at + emoji.len()..];
        }
        self.out.push_str(&escape(rest));
    }

    /// Takes back what was written from `at` on (with the tag fixes and
    /// pending tags inside it), for a construct whose content gives way to
    /// an element of its own; returns that content's text.
    fn take_text_from(&mut self, at: usize) -> String {
        let text = super::xml::text_of(&self.out[at..]);
        self.out.truncate(at);
        self.fixes.retain(|(fix, _, _)| *fix < at);
        self.pending.retain(|p| p.at < at);
        text
    }

    /// Raw HTML: written as text, except the few tags this converter writes itself.
    fn inline_html(&mut self, html: &str) {
        let tag: String = html
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let depth = self.frames.len();
        if let Some(name) = anchor_name(html) {
            self.out.push_str(&format!(
                "<ac:structured-macro ac:name=\"anchor\" ac:schema-version=\"1\"><ac:parameter ac:name=\"\">{}</ac:parameter></ac:structured-macro>",
                escape(&name)
            ));
            self.anchors.push(depth);
            return;
        }
        if let Some(img) = img_tag(html) {
            self.write_image(&img.src, &img.alt, &img.title, &img.settings);
            return;
        }
        let opened = macro_span(html)
            .map(|(name, settings)| Spanned::Macro { name, settings })
            .or_else(|| emoji_span(html).map(Spanned::Emoji))
            .or_else(|| time_tag(html).map(Spanned::Date));
        if let Some(spanned) = opened.filter(|_| self.open_span.is_none()) {
            self.open_span = Some(OpenSpan {
                depth,
                at: self.out.len(),
                spanned,
            });
            return;
        }
        let closes = |s: &OpenSpan| {
            s.depth == depth
                && match s.spanned {
                    Spanned::Macro { .. } | Spanned::Emoji(_) => tag == "</span>",
                    Spanned::Date(_) => tag == "</time>",
                }
        };
        if let Some(OpenSpan { at, spanned, .. }) = self.open_span.take_if(|s| closes(s)) {
            // A lozenge's title is the text it shows; another macro shows
            // its placeholder, a date itself as written.
            let shown = self.take_text_from(at).trim().to_string();
            let element = match spanned {
                Spanned::Date(when) => format!("<time datetime=\"{}\" />", escape(&when)),
                Spanned::Emoji(settings) => {
                    let setting = |key: &str| {
                        settings
                            .iter()
                            .find(|(k, _)| k == key)
                            .map(|(_, v)| v.clone())
                    };
                    let id = setting("id").unwrap_or_else(|| super::read::emoji_id(&shown));
                    format!(
                        "<ac:emoticon ac:name=\"{}\" ac:emoji-shortname=\"{}\" ac:emoji-id=\"{}\" ac:emoji-fallback=\"{}\" />",
                        escape(&setting("name").unwrap_or_else(|| "blue-star".into())),
                        escape(&setting("emoji").unwrap_or_default()),
                        escape(&id),
                        escape(&setting("fallback").unwrap_or(shown)),
                    )
                }
                Spanned::Macro { name, mut settings } => {
                    // `data-title=""`: a lozenge without a title (showing its colour).
                    if name == "status" && !settings.iter().any(|(k, _)| k == "title") {
                        settings.push(("title".to_string(), shown));
                    }
                    settings.retain(|(k, v)| !(name == "status" && k == "title" && v.is_empty()));
                    let mut element = macro_start(&name, pairs(&settings));
                    element.push_str("</ac:structured-macro>");
                    element
                }
            };
            self.out.push_str(&element);
            return;
        }
        if tag == "</a>" && self.anchors.last() == Some(&depth) {
            self.anchors.pop();
            return;
        }
        match tag.as_str() {
            "<br>" | "<br/>" => self.out.push_str("<br/>"),
            "<u>" | "<sub>" | "<sup>" | "<strong>" | "<em>" | "<s>" => {
                let name = match tag.as_str() {
                    "<u>" => "u",
                    "<sub>" => "sub",
                    "<strong>" => "strong",
                    "<em>" => "em",
                    "<s>" => "s",
                    _ => "sup",
                };
                let text = escape(html);
                self.pending.push(PendingTag {
                    name,
                    at: self.out.len(),
                    len: text.len(),
                    depth,
                });
                self.out.push_str(&text);
            }
            "</u>" | "</sub>" | "</sup>" | "</strong>" | "</em>" | "</s>" => {
                let name = &tag[2..tag.len() - 1];
                match self.pending.last() {
                    Some(open) if open.name == name && open.depth == depth => {
                        let start = match name {
                            "u" => "<u>",
                            "sub" => "<sub>",
                            "strong" => "<strong>",
                            "em" => "<em>",
                            "s" => "<s>",
                            _ => "<sup>",
                        };
                        self.fixes.push((open.at, open.len, start));
                        self.pending.pop();
                        self.out.push_str(&format!("</{name}>"));
                    }
                    _ => self.out.push_str(&escape(html)),
                }
            }
            _ => self.out.push_str(&escape(html)),
        }
    }
}

/// The info string of a fenced block that holds storage text as it is (the
/// Markdown output writes macros it has no form for so).
pub(crate) const STORAGE_FENCE: &str = "confluence";

/// The storage text of a `confluence` fenced block, read and written again
/// so that only whole elements get through; `None` (the block is then shown
/// as code) when it holds anything else but whitespace.
fn kept_storage(text: &str) -> Option<String> {
    let mut out = String::new();
    for node in super::xml::parse(text) {
        match node {
            super::xml::Node::Element(e) => out.push_str(&super::xml::serialize(&e)),
            super::xml::Node::Text(t) if t.trim().is_empty() => {}
            super::xml::Node::Text(_) => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The name of an anchor written as `<a id="name">` (or `name="…"`), as the
/// Markdown output writes the anchor macro.
fn anchor_name(html: &str) -> Option<String> {
    let inner = html.trim().strip_prefix("<a ")?.strip_suffix('>')?.trim();
    let inner = inner.strip_suffix('/').unwrap_or(inner).trim();
    let (key, value) = inner.split_once('=')?;
    if !matches!(key.trim(), "id" | "name") {
        return None;
    }
    let value = value.trim();
    let name = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))?;
    if name.is_empty() || name.contains(['"', '\'', '<', '>']) {
        return None;
    }
    Some(super::entities::decode(name))
}

fn container_end(container: Container) -> &'static str {
    match container {
        Container::Bullets => "</ul>",
        Container::Numbers => "</ol>",
        Container::Tasks => "</ac:task-list>",
    }
}
