//! Storage format (as an element tree) to the document model.
//!
//! Every element either has a meaning here (headings, lists, tables, macros,
//! links, ...) or is transparent: its content is read as if the element were
//! not there, so no text is lost to an element this module does not know.

use super::LinkContext;
use super::doc::{Block, Cell, Inline, Item};
use super::xml::{Element, Node};
use std::borrow::Cow;

/// How many table cells column and row spans, and padding ragged rows, may
/// add in one document; beyond it spans count as one column and rows stay
/// ragged, so a hostile `colspan` cannot exhaust memory.
const SPAN_BUDGET: usize = 100_000;

/// The largest column or row span honoured.
const MAX_SPAN: usize = 64;

/// The parameters of a macro that only identify a server and say nothing to a reader.
const HIDDEN_PARAMETERS: [&str; 2] = ["serverId", "atlassian-macro-output-type"];

/// Reads an element tree into blocks.
pub(crate) struct Reader<'c> {
    ctx: &'c LinkContext,
    budget: std::cell::Cell<usize>,
}

impl<'c> Reader<'c> {
    pub(crate) fn new(ctx: &'c LinkContext) -> Self {
        Reader {
            ctx,
            budget: std::cell::Cell::new(SPAN_BUDGET),
        }
    }

    /// Takes `n` cells from the span budget; `false` when not enough is left.
    fn spend(&self, n: usize) -> bool {
        let left = self.budget.get();
        if n <= left {
            self.budget.set(left - n);
            true
        } else {
            false
        }
    }

    /// The blocks of a whole document.
    pub(crate) fn document(&self, nodes: &[Node]) -> Vec<Block> {
        self.blocks_in(nodes, true)
    }

    /// The blocks of a sequence of nodes: runs of inline content become paragraphs.
    fn blocks(&self, nodes: &[Node]) -> Vec<Block> {
        self.blocks_in(nodes, false)
    }

    /// As [`Self::blocks`]; in a container that only holds blocks (`block_only`:
    /// the page itself, a macro body, a layout cell), every macro stands on
    /// its own, as Confluence shows it, even one without a body.
    fn blocks_in(&self, nodes: &[Node], block_only: bool) -> Vec<Block> {
        let mut out = Vec::new();
        let mut run = Vec::new();
        for node in nodes {
            match node {
                Node::Text(t) => run.push(Inline::Text(t.clone())),
                Node::Element(e) if self.is_block(e) || (block_only && is_macro(e)) => {
                    flush(&mut run, &mut out);
                    self.block(e, &mut out);
                }
                Node::Element(e) => self.inline(e, &mut run),
            }
        }
        flush(&mut run, &mut out);
        out
    }

    /// The inline content of a sequence of nodes; block elements among them are flattened.
    pub(crate) fn inlines(&self, nodes: &[Node]) -> Vec<Inline> {
        let mut run = Vec::new();
        for node in nodes {
            match node {
                Node::Text(t) => run.push(Inline::Text(t.clone())),
                Node::Element(e) => self.inline(e, &mut run),
            }
        }
        run
    }

    /// Whether `e` starts block content where it stands.
    fn is_block(&self, e: &Element) -> bool {
        match e.name.as_str() {
            "ac:structured-macro" | "ac:macro" => macro_is_block(e),
            name if block_name(name) => true,
            "br" | "a" | "img" | "ac:link" | "ac:image" | "ac:emoticon" | "time" | "strong"
            | "b" | "em" | "i" | "u" | "s" | "del" | "sub" | "sup" | "code" | "ac:placeholder" => {
                false
            }
            // Anything else is transparent: block if it holds blocks.
            _ => e.elements().any(|c| self.is_block(c)),
        }
    }

    fn block(&self, e: &Element, out: &mut Vec<Block>) {
        match e.name.as_str() {
            name if heading_level(name).is_some() => {
                let level = heading_level(name).unwrap_or(1);
                out.push(Block::Heading(level, self.inlines(&e.children)));
            }
            "ul" => out.push(self.list(e, false)),
            "ol" => out.push(self.list(e, true)),
            "li" => out.push(Block::List {
                ordered: false,
                start: 1,
                items: vec![Item {
                    task: None,
                    blocks: self.blocks(&e.children),
                }],
            }),
            "table" => self.table(e, out),
            "pre" => out.push(Block::Code {
                lang: String::new(),
                text: code_text(&e.text()),
            }),
            "blockquote" => out.push(Block::Quote {
                label: None,
                title: None,
                blocks: self.blocks_in(&e.children, true),
            }),
            "hr" => out.push(Block::Rule),
            "ac:task-list" => out.push(self.task_list(e)),
            "ac:structured-macro" | "ac:macro" => self.macro_block(e, out),
            "ac:adf-extension" => self.adf(e, out),
            "ac:layout" => match self.layout(e) {
                Some(sections) => out.push(Block::Layout(sections)),
                None => out.extend(self.blocks_in(&e.children, true)),
            },
            // A paragraph that is one macro Markdown has no form for (a
            // table of contents, a Jira issue) is kept whole.
            "p" if lone_unknown_macro(e) => {
                let mut shown = Vec::new();
                let mut run = self.inlines(&e.children);
                flush(&mut run, &mut shown);
                out.push(Block::Storage {
                    xml: super::xml::serialize(e),
                    shown,
                });
            }
            name => out.extend(self.blocks_in(&e.children, block_only_container(name))),
        }
    }

    /// A layout's sections, or `None` when it holds anything but sections
    /// of cells (then it is read as the blocks it holds).
    fn layout(&self, e: &Element) -> Option<Vec<(String, Vec<Vec<Block>>)>> {
        let blank = |n: &Node| matches!(n, Node::Text(t) if t.trim().is_empty());
        let mut sections = Vec::new();
        for node in e.children.iter().filter(|n| !blank(n)) {
            let Node::Element(section) = node else {
                return None;
            };
            let kind = section.attr("ac:type").unwrap_or("single").trim();
            if section.name != "ac:layout-section" || !plain_name(kind) {
                return None;
            }
            let mut cells = Vec::new();
            for node in section.children.iter().filter(|n| !blank(n)) {
                match node {
                    Node::Element(cell) if cell.name == "ac:layout-cell" => {
                        cells.push(self.blocks_in(&cell.children, true));
                    }
                    _ => return None,
                }
            }
            sections.push((kind.to_string(), cells));
        }
        Some(sections)
    }

    fn inline(&self, e: &Element, run: &mut Vec<Inline>) {
        let content = || self.inlines(&e.children);
        match e.name.as_str() {
            "strong" | "b" => run.push(Inline::Strong(content())),
            "em" | "i" | "cite" | "dfn" | "var" => run.push(Inline::Emphasis(content())),
            "u" | "ins" => run.push(Inline::Underline(content())),
            "s" | "del" | "strike" => run.push(Inline::Strike(content())),
            "sub" => run.push(Inline::Sub(content())),
            "sup" => run.push(Inline::Sup(content())),
            "code" | "tt" | "kbd" | "samp" | "pre" => run.push(Inline::Code(e.text())),
            "span" => {
                let style = e.attr("style").unwrap_or_default().to_ascii_lowercase();
                if style.contains("line-through") {
                    run.push(Inline::Strike(content()));
                } else if style.contains("underline") {
                    run.push(Inline::Underline(content()));
                } else {
                    run.extend(content());
                }
            }
            "a" => match e.attr_nonempty("href").filter(|h| super::safe_url(h)) {
                Some(href) => run.push(Inline::Link {
                    url: href.trim().to_string(),
                    content: content(),
                }),
                None => run.extend(content()),
            },
            "br" => run.push(Inline::Break),
            "img" => {
                let url = e.attr("src").unwrap_or_default().trim().to_string();
                let alt = e.attr("alt").or(e.attr("title")).unwrap_or_default();
                if super::safe_url(&url) {
                    run.push(Inline::Image {
                        url,
                        alt: alt.to_string(),
                        settings: Vec::new(),
                    });
                } else {
                    run.push(Inline::Text(alt.to_string()));
                }
            }
            "ac:link" => self.link(e, run),
            "ac:image" => self.image(e, run),
            "ac:emoticon" => match emoji_settings(e) {
                Some(settings) => run.push(Inline::Emoji {
                    shown: emoticon(e),
                    settings,
                }),
                None => run.push(Inline::Text(emoticon(e))),
            },
            "time" => match e.attr_nonempty("datetime").map(str::trim) {
                Some(when) if plain_date(when) => run.push(Inline::Date(when.to_string())),
                Some(when) => run.push(Inline::Text(when.to_string())),
                None => run.push(Inline::Text(e.text())),
            },
            "ac:structured-macro" | "ac:macro" => self.macro_inline(e, run),
            // Editor hints and metadata with nothing to read.
            "ac:placeholder" | "ac:parameter" | "ac:task-id" | "ac:task-uuid"
            | "ac:task-status" | "colgroup" | "col" => {}
            "hr" => run.push(Inline::Text(" ".into())),
            name if block_name(name) => {
                // Block content where only inline content fits: keep its
                // words apart from the neighbours'.
                run.push(Inline::Text(" ".into()));
                run.extend(content());
                run.push(Inline::Text(" ".into()));
            }
            _ => run.extend(content()),
        }
    }

    fn list(&self, e: &Element, ordered: bool) -> Block {
        let start = e
            .attr("start")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .min(999_999_999);
        let mut items: Vec<Item> = Vec::new();
        for node in &e.children {
            match node {
                Node::Element(li) if li.name == "li" => items.push(Item {
                    task: None,
                    blocks: self.blocks(&li.children),
                }),
                Node::Text(t) if t.trim().is_empty() => {}
                // A list directly inside a list, or stray content: it belongs
                // to the item before it.
                other => attach(&mut items, self.blocks(std::slice::from_ref(other))),
            }
        }
        Block::List {
            ordered,
            start,
            items,
        }
    }

    fn task_list(&self, e: &Element) -> Block {
        let mut items: Vec<Item> = Vec::new();
        for node in &e.children {
            match node {
                Node::Element(task) if task.name == "ac:task" => {
                    let done = task
                        .child("ac:task-status")
                        .is_some_and(|s| s.text().trim().eq_ignore_ascii_case("complete"));
                    let blocks = self.blocks(&content_of(task, "ac:task-body", &TASK_PARTS));
                    items.push(Item {
                        task: Some(done),
                        blocks,
                    });
                }
                Node::Text(t) if t.trim().is_empty() => {}
                // Confluence nests a task list as a sibling after its parent task.
                other => attach(&mut items, self.blocks(std::slice::from_ref(other))),
            }
        }
        Block::List {
            ordered: false,
            start: 1,
            items,
        }
    }

    fn table(&self, e: &Element, out: &mut Vec<Block>) {
        let mut rows: Vec<&Element> = Vec::new();
        for node in &e.children {
            match node {
                Node::Element(c) if c.name == "tr" => rows.push(c),
                Node::Element(c) if matches!(c.name.as_str(), "thead" | "tbody" | "tfoot") => {
                    for inner in &c.children {
                        match inner {
                            Node::Element(r) if r.name == "tr" => rows.push(r),
                            other => out.extend(self.blocks(std::slice::from_ref(other))),
                        }
                    }
                }
                Node::Element(c) if matches!(c.name.as_str(), "colgroup" | "col") => {}
                // A caption, or anything else that is not a row, goes before the table.
                other => out.extend(self.blocks(std::slice::from_ref(other))),
            }
        }
        let empty = |header: bool| Cell {
            header,
            blocks: Vec::new(),
        };
        let mut grid: Vec<Vec<Cell>> = Vec::new();
        // How many more rows each column is covered by a cell above.
        let mut covered: Vec<usize> = Vec::new();
        for tr in rows {
            let mut row: Vec<Cell> = Vec::new();
            let mut col = 0;
            for node in &tr.children {
                let (cell, spans) = match node {
                    Node::Element(c) if c.name == "td" || c.name == "th" => {
                        let span = |name: &str| {
                            c.attr(name)
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(1)
                                .clamp(1, MAX_SPAN)
                        };
                        let cell = Cell {
                            header: c.name == "th",
                            blocks: self.blocks(&c.children),
                        };
                        (cell, (span("colspan"), span("rowspan")))
                    }
                    Node::Text(t) if t.trim().is_empty() => continue,
                    other => {
                        let cell = Cell {
                            header: false,
                            blocks: self.blocks(std::slice::from_ref(other)),
                        };
                        (cell, (1, 1))
                    }
                };
                while covered.get(col).is_some_and(|&n| n > 0) {
                    covered[col] -= 1;
                    row.push(empty(false));
                    col += 1;
                }
                let header = cell.header;
                row.push(cell);
                let (mut colspan, mut rowspan) = spans;
                if !self.spend((colspan - 1) + (colspan * (rowspan - 1))) {
                    (colspan, rowspan) = (1, 1);
                }
                for _ in 1..colspan {
                    row.push(empty(header));
                }
                if rowspan > 1 {
                    if covered.len() < col + colspan {
                        covered.resize(col + colspan, 0);
                    }
                    for c in &mut covered[col..col + colspan] {
                        *c = rowspan - 1;
                    }
                }
                col += colspan;
            }
            if let Some(last) = covered.iter().rposition(|&n| n > 0) {
                while col <= last {
                    if covered[col] > 0 {
                        covered[col] -= 1;
                    }
                    row.push(empty(false));
                    col += 1;
                }
            }
            grid.push(row);
        }
        let width = grid.iter().map(Vec::len).max().unwrap_or(0);
        if width == 0 {
            return;
        }
        let missing: usize = grid.iter().map(|r| width - r.len()).sum();
        if self.spend(missing) {
            for row in &mut grid {
                row.resize_with(width, || empty(false));
            }
        }
        out.push(Block::Table(grid));
    }

    fn link(&self, e: &Element, run: &mut Vec<Inline>) {
        // The link's text: its plain or rich body, then anything else it
        // holds besides the resource (which storage does not expect, but is text).
        let mut body = Vec::new();
        if let Some(plain_body) = e.child("ac:plain-text-link-body") {
            body.push(Inline::Text(plain_body.text()));
        }
        let rest: Vec<Node> = e
            .children
            .iter()
            .flat_map(|n| match n {
                Node::Element(c) if c.name == "ac:link-body" => c.children.clone(),
                Node::Element(c)
                    if c.name.starts_with("ri:") || c.name == "ac:plain-text-link-body" =>
                {
                    Vec::new()
                }
                other => vec![other.clone()],
            })
            .collect();
        body.extend(self.inlines(&rest));
        let body = Some(body).filter(|b| !plain(b).trim().is_empty());
        let resource = e.elements().find(|c| c.name.starts_with("ri:"));
        if let Some(user) = resource.filter(|r| r.name == "ri:user") {
            let shown = Inline::Text(mention(user, body.as_deref()));
            match user.attr_nonempty("ri:account-id") {
                Some(id) => run.push(Inline::Link {
                    url: self.ctx.user_url(id),
                    content: vec![shown],
                }),
                None => run.push(shown),
            }
            return;
        }
        let anchor = e.attr_nonempty("ac:anchor");
        let target = resource.and_then(|r| self.resource(r));
        let (url, default) = match (target, anchor) {
            (Some((url, text)), Some(a)) => (format!("{url}#{a}"), text),
            (Some(target), None) => target,
            (None, Some(a)) => (format!("#{a}"), a.to_string()),
            (None, None) => {
                run.extend(body.unwrap_or_default());
                return;
            }
        };
        let content = body.unwrap_or_else(|| vec![Inline::Text(default)]);
        if super::safe_url(&url) {
            run.push(Inline::Link { url, content });
        } else {
            run.extend(content);
        }
    }

    /// The URL of a resource identifier and the text a link to it shows by default.
    fn resource(&self, r: &Element) -> Option<(String, String)> {
        let ctx = self.ctx;
        match r.name.as_str() {
            "ri:page" => {
                let title = r.attr_nonempty("ri:content-title");
                if let Some(id) = r.attr_nonempty("ri:content-id") {
                    let text = title.unwrap_or(id).to_string();
                    return Some((ctx.content_url(id), text));
                }
                let title = title?;
                Some((
                    ctx.page_url(r.attr_nonempty("ri:space-key"), title),
                    title.to_string(),
                ))
            }
            "ri:blog-post" => {
                let title = r.attr_nonempty("ri:content-title")?;
                Some((
                    ctx.blog_post_url(
                        r.attr_nonempty("ri:space-key"),
                        r.attr("ri:posting-day").unwrap_or_default(),
                        title,
                    ),
                    title.to_string(),
                ))
            }
            "ri:content-entity" => {
                let id = r.attr_nonempty("ri:content-id")?;
                Some((ctx.content_url(id), id.to_string()))
            }
            "ri:attachment" => {
                let file = r.attr_nonempty("ri:filename")?;
                let owner = r
                    .elements()
                    .find(|c| c.name.starts_with("ri:"))
                    .and_then(|c| self.resource(c));
                let url = match owner {
                    // Only the owning page's id gives the file's own address;
                    // by title, the page is the closest address there is.
                    Some((page_url, _)) => ctx.attachment_of(&page_url, file),
                    None => ctx.attachment_url(file),
                };
                Some((url, file.to_string()))
            }
            "ri:space" => {
                let key = r.attr_nonempty("ri:space-key")?;
                Some((ctx.space_url(key), key.to_string()))
            }
            "ri:url" => {
                let url = r.attr_nonempty("ri:value")?.trim();
                Some((url.to_string(), url.to_string()))
            }
            _ => None,
        }
    }

    fn image(&self, e: &Element, run: &mut Vec<Inline>) {
        let resource = e.elements().find(|c| c.name.starts_with("ri:"));
        let (url, name) = resource
            .and_then(|r| self.resource(r))
            .map(|(url, text)| {
                let name = if resource.is_some_and(|r| r.name == "ri:attachment") {
                    text
                } else {
                    String::new()
                };
                (url, name)
            })
            .unwrap_or_default();
        let alt = e
            .attr_nonempty("ac:alt")
            .or(e.attr_nonempty("ac:title"))
            .map(str::to_string)
            .unwrap_or(name);
        if url.is_empty() || !super::safe_url(&url) {
            run.push(Inline::Tag(if alt.is_empty() {
                "image".to_string()
            } else {
                format!("image: {alt}")
            }));
        } else {
            // Its size, alignment and other settings, when all are plain.
            let settings: Vec<(String, String)> = e
                .attrs
                .iter()
                .filter_map(|(k, v)| {
                    Some((k.strip_prefix("ac:")?.to_string(), v.trim().to_string()))
                })
                .filter(|(k, _)| k != "alt" && k != "title")
                .collect();
            let plain = settings.iter().all(|(k, v)| {
                k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !v.contains(['"', '<', '>', '&'])
            });
            run.push(Inline::Image {
                url,
                alt,
                settings: if plain { settings } else { Vec::new() },
            });
        }
        let caption = content_of(e, "ac:caption", &[]);
        let caption: Vec<Node> = caption
            .iter()
            .filter(|n| !matches!(n, Node::Element(c) if c.name.starts_with("ri:")))
            .cloned()
            .collect();
        if !caption.is_empty() {
            run.push(Inline::Text(" ".into()));
            run.extend(self.inlines(&caption));
        }
    }

    fn macro_block(&self, e: &Element, out: &mut Vec<Block>) {
        if !macro_is_block(e) {
            let mut run = Vec::new();
            self.macro_inline(e, &mut run);
            if known_macro(&macro_name(e)) {
                flush(&mut run, out);
            } else {
                // A bodiless macro Markdown has no form for, standing alone: kept whole.
                let mut shown = Vec::new();
                flush(&mut run, &mut shown);
                out.push(Block::Storage {
                    xml: super::xml::serialize(e),
                    shown,
                });
            }
            return;
        }
        let name = macro_name(e);
        let rich = || self.blocks_in(&content_of(e, "ac:rich-text-body", &MACRO_PARTS), true);
        match name.as_str() {
            // A code macro's settings travel in the fence's info string:
            // ```python title="Deploy" linenumbers=true
            "code" if info_string(e).is_none() => {
                out.push(Block::Storage {
                    xml: super::xml::serialize(e),
                    shown: vec![Block::Code {
                        lang: String::new(),
                        text: code_text(
                            &e.child("ac:plain-text-body")
                                .map(Element::text)
                                .unwrap_or_default(),
                        ),
                    }],
                });
            }
            "code" | "noformat" => {
                // A noformat block's fence says so (```noformat nopanel=true).
                let lang = match (name.as_str(), info_string(e)) {
                    ("code", info) => info.unwrap_or_default(),
                    (_, Some(info)) if parameter(e, "language").is_none() => {
                        format!("noformat {info}").trim_end().to_string()
                    }
                    _ => {
                        if let Some(title) = parameter(e, "title") {
                            out.push(Block::Para(vec![Inline::Strong(vec![Inline::Text(title)])]));
                        }
                        String::new()
                    }
                };
                let text = e
                    .child("ac:plain-text-body")
                    .or(e.child("ac:rich-text-body"))
                    .map(Element::text)
                    .unwrap_or_default();
                out.push(Block::Code {
                    lang,
                    text: code_text(&text),
                });
            }
            // A panel with settings an alert marker cannot carry (an icon
            // turned off, a colour) is kept whole.
            "info" | "note" | "warning" | "tip" | "panel"
                if parameters(e).iter().any(|(k, _)| k != "title") =>
            {
                let shown = vec![Block::Quote {
                    label: panel_label(&name),
                    title: parameter(e, "title"),
                    blocks: rich(),
                }];
                out.push(Block::Storage {
                    xml: super::xml::serialize(e),
                    shown,
                });
            }
            "info" | "note" | "warning" | "tip" | "panel" => out.push(Block::Quote {
                label: panel_label(&name),
                title: parameter(e, "title"),
                blocks: rich(),
            }),
            "expand" if parameters(e).iter().any(|(k, _)| k != "title") => {
                let title =
                    parameter(e, "title").unwrap_or_else(|| "Click here to expand...".into());
                let mut shown = vec![Block::Para(vec![Inline::Strong(vec![Inline::Text(title)])])];
                shown.extend(rich());
                out.push(Block::Storage {
                    xml: super::xml::serialize(e),
                    shown,
                });
            }
            "expand" => out.push(Block::Details {
                title: parameter(e, "title"),
                blocks: rich(),
            }),
            // Grouping macros: their body as blocks, their settings kept
            // (when plain text) on the `<div>` the Markdown shows them as.
            "excerpt" | "details" | "section" | "column"
                if plain_settings(e) && only_parameters_and(e, "ac:rich-text-body") =>
            {
                out.push(Block::Macro {
                    settings: parameters(e),
                    blocks: rich(),
                    name,
                });
            }
            "excerpt" | "details" | "section" | "column" => out.extend(rich()),
            // Any other macro is kept whole; plain text shows its name,
            // parameters and bodies.
            _ => {
                let mut shown = vec![Block::Para(vec![Inline::Tag(placeholder(&name, e))])];
                if let Some(body) = e.child("ac:plain-text-body") {
                    let text = code_text(&body.text());
                    if !text.trim().is_empty() {
                        shown.push(Block::Code {
                            lang: String::new(),
                            text,
                        });
                    }
                }
                shown.extend(rich());
                out.push(Block::Storage {
                    xml: super::xml::serialize(e),
                    shown,
                });
            }
        }
    }

    fn macro_inline(&self, e: &Element, run: &mut Vec<Inline>) {
        let name = macro_name(e);
        let rich = || self.inlines(&content_of(e, "ac:rich-text-body", &MACRO_PARTS));
        match name.as_str() {
            // With a title, the lozenge reads as a `<span>` its settings ride
            // on, which the Markdown actions write back as the lozenge.
            "status"
                if parameter(e, "title").is_some_and(|t| !t.trim().is_empty())
                    && plain_settings(e) =>
            {
                run.push(Inline::Macro {
                    name,
                    shown: parameter(e, "title").unwrap_or_default(),
                    settings: parameters(e)
                        .into_iter()
                        .filter(|(k, _)| k != "title")
                        .collect(),
                });
            }
            // Without a title, the span shows the colour as Confluence does,
            // and says the title is empty.
            "status" if plain_settings(e) => {
                let colour = parameter(e, "colour").unwrap_or_else(|| "status".into());
                let mut settings: Vec<(String, String)> = parameters(e)
                    .into_iter()
                    .filter(|(k, _)| k != "title")
                    .collect();
                settings.push(("title".into(), String::new()));
                run.push(Inline::Macro {
                    name,
                    shown: shown_status(&colour),
                    settings,
                });
            }
            "status" => {
                let title = parameter(e, "title")
                    .or_else(|| parameter(e, "colour"))
                    .unwrap_or_else(|| "status".into());
                run.push(Inline::Tag(shown_status(&title)));
            }
            // An anchor marks a place: its name is the default parameter.
            "anchor" => {
                if let Some(name) = parameter(e, "").filter(|n| !n.trim().is_empty()) {
                    run.push(Inline::Anchor(name.trim().to_string()));
                }
            }
            "code" | "noformat" => {
                let text = e
                    .child("ac:plain-text-body")
                    .map(Element::text)
                    .unwrap_or_default();
                run.push(Inline::Code(text));
            }
            "info" | "note" | "warning" | "tip" | "panel" | "expand" => {
                let label = match (panel_label(&name), parameter(e, "title")) {
                    (Some(label), Some(title)) => format!("{label}: {title}"),
                    (Some(label), None) => format!("{label}:"),
                    (None, Some(title)) => title,
                    (None, None) => String::new(),
                };
                if !label.is_empty() {
                    run.push(Inline::Strong(vec![Inline::Text(label)]));
                    run.push(Inline::Text(" ".into()));
                }
                run.extend(rich());
            }
            "excerpt" | "details" | "section" | "column" => run.extend(rich()),
            // Without bodies and with plain settings, it reads as a `<span>`
            // they ride on, which the Markdown actions write back as the macro.
            _ if plain_settings(e) && only_parameters(e) => {
                run.push(Inline::Macro {
                    shown: placeholder(&name, e),
                    settings: parameters(e),
                    name,
                });
            }
            _ => {
                run.push(Inline::Tag(placeholder(&name, e)));
                if let Some(body) = e.child("ac:plain-text-body") {
                    run.push(Inline::Text(format!(" {}", body.text())));
                }
                let body = rich();
                if !body.is_empty() {
                    run.push(Inline::Text(" ".into()));
                    run.extend(body);
                }
            }
        }
    }

    /// An Atlassian Document Format node kept in storage: panels of the new
    /// editor are read as panels, anything else by its storage fallback.
    fn adf(&self, e: &Element, out: &mut Vec<Block>) {
        let node = e.child("ac:adf-node");
        let content = |n: &Element| {
            n.child("ac:adf-content")
                .map(|c| self.blocks_in(&c.children, true))
                .unwrap_or_default()
        };
        if let Some(panel) = node.filter(|n| n.attr("type") == Some("panel")) {
            let kind = panel
                .elements()
                .find(|a| a.name == "ac:adf-attribute" && a.attr("key") == Some("panel-type"))
                .map(|a| a.text().trim().to_ascii_lowercase())
                .unwrap_or_default();
            let label = match kind.as_str() {
                "info" | "note" | "warning" | "tip" | "success" | "error" => panel_label(&kind),
                _ => None,
            };
            out.push(Block::Quote {
                label,
                title: None,
                blocks: content(panel),
            });
            return;
        }
        if let Some(fallback) = e.child("ac:adf-fallback") {
            out.extend(self.blocks_in(&fallback.children, true));
            return;
        }
        let kind = node
            .and_then(|n| n.attr_nonempty("type"))
            .unwrap_or("extension");
        out.push(Block::Para(vec![Inline::Tag(format!("macro: {kind}"))]));
        if let Some(n) = node {
            out.extend(content(n));
        }
    }
}

/// The content of `e`'s `body` child, followed by any children that are
/// neither that body nor in `skip`: content storage does not expect there
/// (text straight inside a macro, say) is still shown rather than lost.
fn content_of<'e>(e: &'e Element, body: &str, skip: &[&str]) -> Cow<'e, [Node]> {
    let stray = |n: &Node| match n {
        Node::Element(c) => c.name != body && !skip.contains(&c.name.as_str()),
        Node::Text(t) => !t.trim().is_empty(),
    };
    let body_nodes = e
        .child(body)
        .map(|b| b.children.as_slice())
        .unwrap_or_default();
    if !e.children.iter().any(stray) {
        return Cow::Borrowed(body_nodes);
    }
    let mut nodes = body_nodes.to_vec();
    nodes.extend(e.children.iter().filter(|n| stray(n)).cloned());
    Cow::Owned(nodes)
}

/// What a macro holds besides its body and parameters.
const MACRO_PARTS: [&str; 2] = ["ac:parameter", "ac:plain-text-body"];

/// What a task holds besides its body.
const TASK_PARTS: [&str; 3] = ["ac:task-id", "ac:task-uuid", "ac:task-status"];

/// Ends the current run of inline content as a paragraph, if it shows anything.
fn flush(run: &mut Vec<Inline>, out: &mut Vec<Block>) {
    let visible = run.iter().any(|i| match i {
        Inline::Text(t) => !t.trim().is_empty(),
        Inline::Break => false,
        _ => true,
    });
    if visible {
        out.push(Block::Para(std::mem::take(run)));
    } else {
        run.clear();
    }
}

/// Adds blocks to the last item of a list, or as a new item when there is none.
fn attach(items: &mut Vec<Item>, blocks: Vec<Block>) {
    if blocks.is_empty() {
        return;
    }
    match items.last_mut() {
        Some(item) => item.blocks.extend(blocks),
        None => items.push(Item { task: None, blocks }),
    }
}

/// Elements that are block content wherever they stand.
fn block_name(name: &str) -> bool {
    heading_level(name).is_some()
        || matches!(
            name,
            "p" | "div"
                | "section"
                | "article"
                | "main"
                | "header"
                | "footer"
                | "nav"
                | "aside"
                | "center"
                | "figure"
                | "figcaption"
                | "address"
                | "body"
                | "html"
                | "dl"
                | "dt"
                | "dd"
                | "ul"
                | "ol"
                | "li"
                | "table"
                | "caption"
                | "thead"
                | "tbody"
                | "tfoot"
                | "tr"
                | "td"
                | "th"
                | "pre"
                | "blockquote"
                | "hr"
                | "ac:task-list"
                | "ac:task"
                | "ac:layout"
                | "ac:layout-section"
                | "ac:layout-cell"
                | "ac:adf-extension"
        )
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// Containers whose content is only ever blocks in Confluence.
fn block_only_container(name: &str) -> bool {
    matches!(
        name,
        "div"
            | "section"
            | "article"
            | "body"
            | "html"
            | "ac:layout"
            | "ac:layout-section"
            | "ac:layout-cell"
            | "ac:rich-text-body"
    )
}

fn is_macro(e: &Element) -> bool {
    e.name == "ac:structured-macro" || e.name == "ac:macro"
}

fn macro_name(e: &Element) -> String {
    e.attr("ac:name")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// A code macro's fence info string: its language, then each other
/// parameter as `name=value`, the value in double or single quotes when it
/// holds spaces. `None` when a value cannot be written there as it is (it
/// holds a backtick, a backslash, an `&`, or both quotes: CommonMark would
/// read those differently); the macro is then kept whole.
fn info_string(e: &Element) -> Option<String> {
    let mut info = parameter(e, "language").unwrap_or_default();
    if info.contains(['`', '\\', '&', ' ', '=']) {
        return None;
    }
    for (name, value) in parameters(e) {
        if name == "language" || name.is_empty() {
            continue;
        }
        if value.contains(['`', '\\', '&'])
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        {
            return None;
        }
        let bare = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'));
        let value = if bare {
            value
        } else if !value.contains('"') {
            format!("\"{value}\"")
        } else if !value.contains('\'') {
            format!("'{value}'")
        } else {
            return None;
        };
        if !info.is_empty() {
            info.push(' ');
        }
        info.push_str(&format!("{name}={value}"));
    }
    Some(info)
}

/// Whether the converter has a Markdown form for macro `name` (any other is
/// kept whole where it stands alone).
fn known_macro(name: &str) -> bool {
    matches!(
        name,
        "code"
            | "noformat"
            | "info"
            | "note"
            | "warning"
            | "tip"
            | "panel"
            | "expand"
            | "excerpt"
            | "details"
            | "section"
            | "column"
            | "status"
            | "anchor"
    )
}

/// Whether paragraph `p` holds one macro without a Markdown form, and
/// nothing else but whitespace.
fn lone_unknown_macro(p: &Element) -> bool {
    let mut content = p.children.iter().filter(|n| match n {
        Node::Text(t) => !t.trim().is_empty(),
        Node::Element(_) => true,
    });
    match (content.next(), content.next()) {
        (Some(Node::Element(m)), None) => is_macro(m) && !known_macro(&macro_name(m)),
        _ => false,
    }
}

fn macro_is_block(e: &Element) -> bool {
    match macro_name(e).as_str() {
        "code" | "noformat" | "info" | "note" | "warning" | "tip" | "panel" | "expand"
        | "excerpt" | "details" | "section" | "column" => true,
        "status" | "anchor" => false,
        _ => {
            e.child("ac:plain-text-body").is_some() || {
                let body = content_of(e, "ac:rich-text-body", &MACRO_PARTS);
                !body.is_empty() || e.child("ac:rich-text-body").is_some()
            }
        }
    }
}

/// The word a panel of this kind is labelled with.
fn panel_label(kind: &str) -> Option<String> {
    Some(
        match kind {
            "info" => "Info",
            "note" => "Note",
            "warning" => "Warning",
            "tip" => "Tip",
            "panel" => "Panel",
            "success" => "Success",
            "error" => "Error",
            _ => return None,
        }
        .to_string(),
    )
}

/// The parameters of a macro, in order: `(name, value)`. A value given as a
/// resource (a page, a user, ...) is read as the resource's name.
/// Whether a macro's name and parameters can ride on a `<span>` as
/// `data-NAME="value"` and come back as they were: names of letters, digits,
/// `-` and `_` (not `macro`), values of text alone, already collapsed, with
/// no quote, `<`, `>` or `&`.
fn plain_settings(e: &Element) -> bool {
    plain_name(&macro_name(e))
        && e.elements().filter(|p| p.name == "ac:parameter").all(|p| {
            let key = p.attr("ac:name").unwrap_or_default();
            let text = p.text();
            plain_name(key)
                && key != "macro"
                && p.elements().next().is_none()
                && collapse(&text) == text
                && !text.contains(['"', '<', '>', '&'])
        })
}

/// Whether a macro holds its parameters and nothing else (no body, no loose content).
fn only_parameters(e: &Element) -> bool {
    only_parameters_and(e, "ac:parameter")
}

/// Whether a macro holds its parameters and `part` (such as its rich body), nothing else.
fn only_parameters_and(e: &Element, part: &str) -> bool {
    e.children.iter().all(|n| match n {
        Node::Element(c) => c.name == "ac:parameter" || c.name == part,
        Node::Text(t) => t.trim().is_empty(),
    })
}

fn parameters(e: &Element) -> Vec<(String, String)> {
    e.elements()
        .filter(|p| p.name == "ac:parameter")
        .map(|p| {
            let mut value = collapse(&p.text());
            if value.is_empty()
                && let Some(r) = find_resource(p)
            {
                value = [
                    "ri:content-title",
                    "ri:filename",
                    "ri:space-key",
                    "ri:account-id",
                    "ri:value",
                ]
                .iter()
                .find_map(|a| r.attr_nonempty(a))
                .unwrap_or_default()
                .to_string();
            }
            (p.attr("ac:name").unwrap_or_default().to_string(), value)
        })
        .collect()
}

fn find_resource(e: &Element) -> Option<&Element> {
    e.elements().find_map(|c| {
        if c.name.starts_with("ri:") {
            Some(c)
        } else {
            find_resource(c)
        }
    })
}

/// The value of parameter `name`, if given and not blank.
fn parameter(e: &Element, name: &str) -> Option<String> {
    parameters(e)
        .into_iter()
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v)
}

/// The visible stand-in of a macro this module does not render:
/// `macro: NAME (param=value, ...)`.
fn placeholder(name: &str, e: &Element) -> String {
    let name = if name.is_empty() { "unnamed" } else { name };
    let shown: Vec<String> = parameters(e)
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && !HIDDEN_PARAMETERS.contains(&k.as_str()))
        .map(|(k, v)| if k.is_empty() { v } else { format!("{k}={v}") })
        .collect();
    if shown.is_empty() {
        format!("macro: {name}")
    } else {
        format!("macro: {name} ({})", shown.join(", "))
    }
}

/// A user mention: `@` and the name the link shows, else the account id.
fn mention(user: &Element, body: Option<&[Inline]>) -> String {
    let shown = body.map(plain).unwrap_or_default();
    let name = Some(collapse(&shown))
        .filter(|s| !s.is_empty())
        .or_else(|| {
            ["ri:account-id", "ri:userkey", "ri:username"]
                .iter()
                .find_map(|a| user.attr_nonempty(a))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "user".into());
    format!("@{}", name.trim_start_matches('@'))
}

/// The emoji id Confluence gives a character: its code points in hex,
/// joined by `-`, without the emoji presentation selector (`1f680`).
pub(crate) fn emoji_id(shown: &str) -> String {
    shown
        .chars()
        .filter(|&c| c != '\u{fe0f}')
        .map(|c| format!("{:x}", c as u32))
        .collect::<Vec<_>>()
        .join("-")
}

/// What an emoticon of the new editor holds that its character does not say
/// (see [`Inline::Emoji`]), or `None` for one of the old editor, or one with
/// settings a `<span>` cannot carry.
fn emoji_settings(e: &Element) -> Option<Vec<(String, String)>> {
    let short = e.attr_nonempty("ac:emoji-shortname")?.trim();
    let shown = emoticon(e);
    let mut settings = vec![("emoji".to_string(), short.to_string())];
    for (key, value) in &e.attrs {
        let derived = match key.as_str() {
            "ac:emoji-shortname" => continue,
            "ac:name" => "blue-star".to_string(),
            "ac:emoji-id" => emoji_id(&shown),
            "ac:emoji-fallback" => shown.clone(),
            _ => return None,
        };
        if *value != derived {
            let name = key.trim_start_matches("ac:").trim_start_matches("emoji-");
            settings.push((name.to_string(), value.clone()));
        }
    }
    let plain = settings
        .iter()
        .all(|(_, v)| !v.contains(['"', '<', '>', '&']));
    plain.then_some(settings)
}

/// An emoticon as the character it shows.
fn emoticon(e: &Element) -> String {
    if let Some(fallback) = e
        .attr_nonempty("ac:emoji-fallback")
        .filter(|f| !f.starts_with(':'))
    {
        return fallback.to_string();
    }
    if let Some(short) = e.attr_nonempty("ac:emoji-shortname") {
        return short.to_string();
    }
    let name = e.attr("ac:name").unwrap_or_default();
    match EMOTICONS.iter().find(|(n, _)| *n == name) {
        Some((_, emoji)) => emoji.to_string(),
        None => format!(":{name}:"),
    }
}

/// Confluence's emoticons by name and the character each shows; Markdown
/// written back turns the first name of each character into the emoticon.
pub(crate) const EMOTICONS: [(&str, &str); 22] = [
    ("smile", "🙂"),
    ("sad", "🙁"),
    ("cheeky", "😛"),
    ("laugh", "😀"),
    ("wink", "😉"),
    ("thumbs-up", "👍"),
    ("thumbs-down", "👎"),
    ("information", "ℹ️"),
    ("tick", "✅"),
    ("cross", "❌"),
    ("warning", "⚠️"),
    ("plus", "➕"),
    ("minus", "➖"),
    ("question", "❓"),
    ("light-on", "💡"),
    ("light-off", "💡"),
    ("yellow-star", "⭐"),
    ("red-star", "⭐"),
    ("green-star", "⭐"),
    ("blue-star", "⭐"),
    ("heart", "❤️"),
    ("broken-heart", "💔"),
];

/// The text of a code body: line endings made `\n`, the first line break
/// after the opening tag and the trailing ones dropped.
fn code_text(raw: &str) -> String {
    let text = raw
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\u{a0}', " ");
    let text = text.strip_prefix('\n').unwrap_or(&text);
    text.trim_end_matches('\n').to_string()
}

/// Runs of whitespace as one space, trimmed.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of inline content, without any formatting.
pub(crate) fn plain(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Strong(c)
            | Inline::Emphasis(c)
            | Inline::Underline(c)
            | Inline::Strike(c)
            | Inline::Sub(c)
            | Inline::Sup(c)
            | Inline::Link { content: c, .. } => out.push_str(&plain(c)),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::Tag(t) => {
                out.push('[');
                out.push_str(t);
                out.push(']');
            }
            Inline::Break => out.push(' '),
            Inline::Anchor(_) => {}
            Inline::Date(when) => out.push_str(when),
            Inline::Emoji { shown, .. } => out.push_str(shown),
            Inline::Macro { name, shown, .. } => {
                out.push('[');
                out.push_str(&shown_macro(name, shown));
                out.push(']');
            }
        }
    }
    out
}

/// Whether `name` (a macro's, a setting's, a layout section's type) can
/// ride in a tag as it is: letters, digits, `-` and `_`, at least one.
pub(crate) fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whether a date can ride on `<time datetime="…">` and come back as it
/// was: digits, letters, `-`, `:`, `+` and `.` (`2026-11-06`, an ISO time).
pub(crate) fn plain_date(when: &str) -> bool {
    !when.is_empty()
        && when
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '+' | '.'))
}

/// The text a kept macro shows in plain text: a status lozenge's title as
/// Confluence shows it, else the placeholder.
pub(crate) fn shown_macro(name: &str, shown: &str) -> String {
    if name == "status" {
        shown_status(shown)
    } else {
        shown.to_string()
    }
}

/// A status title as Confluence shows it: in capitals. Only ASCII titles
/// are changed: Unicode's case tables would cost the component more than
/// the rare other title is worth.
pub(crate) fn shown_status(title: &str) -> String {
    if title.is_ascii() {
        title.to_ascii_uppercase()
    } else {
        title.to_string()
    }
}
