//! The document model to Markdown (CommonMark with GFM tables, task lists and
//! strikethrough) or to plain text.
//!
//! Both outputs share one walk; Markdown adds the syntax and escapes text so
//! that it reads back as the same words, plain text leaves the words as they
//! are. Underline, subscript and superscript have no Markdown syntax: they are
//! written as the HTML elements `<u>`, `<sub>` and `<sup>`, which GitHub and
//! most renderers show, and which [`super::markdown_to_storage`] reads back.

use super::doc::{Block, Cell, Inline, Item};

/// Which output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flavor {
    Markdown,
    Text,
}

/// Renders a document; the result ends with a line break unless it is empty.
pub(crate) fn render(blocks: &[Block], flavor: Flavor) -> String {
    let mut out = Writer { flavor }.blocks(blocks, false);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Inline content rendered on its own: its text, and whether whitespace stood
/// before and after it (moved outside any markers wrapped around it).
struct Piece {
    text: String,
    lead: bool,
    trail: bool,
}

/// Builds one line of inline output: collapses whitespace, escapes text, and
/// holds a space back until something follows it.
struct Line {
    flavor: Flavor,
    /// What a hard break is written as here.
    brk: &'static str,
    /// Inside a link, where another link cannot nest.
    in_link: bool,
    out: String,
    space: bool,
    lead: bool,
    after_break: bool,
    /// The last emphasis written with delimiters whose content ends in
    /// punctuation: its closing delimiter cannot close if a letter follows.
    open_emphasis: Option<Emphasis>,
}

/// Where one emphasis's delimiters are in a line, and the HTML tags that
/// take their place when CommonMark would not read the delimiters.
struct Emphasis {
    open_at: usize,
    close_at: usize,
    delimiter: &'static str,
    html: (&'static str, &'static str),
}

/// Whether CommonMark counts `c` as punctuation for emphasis (Unicode
/// punctuation and symbols): here, what is neither a letter, a digit nor space.
fn punctuation(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

impl Line {
    fn new(flavor: Flavor, brk: &'static str, in_link: bool) -> Self {
        Line {
            flavor,
            brk,
            in_link,
            out: String::new(),
            space: false,
            lead: false,
            after_break: false,
            open_emphasis: None,
        }
    }

    /// Called before `next` is written: an emphasis whose content ends in
    /// punctuation cannot be closed by `**` right before a letter or digit
    /// (CommonMark's flanking rule), so it becomes HTML tags instead.
    fn settle(&mut self, next: char) {
        let Some(e) = self.open_emphasis.take() else {
            return;
        };
        if next.is_alphanumeric() {
            let len = e.delimiter.len();
            self.out
                .replace_range(e.close_at..e.close_at + len, e.html.1);
            self.out.replace_range(e.open_at..e.open_at + len, e.html.0);
        }
    }

    /// Emphasis of `piece` with `delimiter` (`**`, `*`, `~~`), or with the
    /// `html` tags where CommonMark would not read the delimiters as such:
    /// punctuation just inside them with a letter or digit just outside
    /// (`**‘quoted’**을`).
    fn emphasis(
        &mut self,
        piece: Piece,
        delimiter: &'static str,
        html: (&'static str, &'static str),
    ) {
        let (Some(first), Some(last)) = (piece.text.chars().next(), piece.text.chars().last())
        else {
            return self.wrap(piece, delimiter, delimiter);
        };
        if piece.lead {
            self.space();
        }
        self.flush_space();
        self.settle(first);
        let after_word = self.out.chars().last().is_some_and(char::is_alphanumeric);
        if punctuation(first) && after_word {
            self.out.push_str(html.0);
            self.out.push_str(&piece.text);
            self.out.push_str(html.1);
        } else {
            let open_at = self.out.len();
            self.out.push_str(delimiter);
            self.out.push_str(&piece.text);
            let close_at = self.out.len();
            self.out.push_str(delimiter);
            if punctuation(last) {
                self.open_emphasis = Some(Emphasis {
                    open_at,
                    close_at,
                    delimiter,
                    html,
                });
            }
        }
        if piece.trail {
            self.space();
        }
    }

    fn space(&mut self) {
        if self.out.is_empty() {
            self.lead = true;
        }
        self.space = true;
    }

    fn flush_space(&mut self) {
        if self.space && !self.out.is_empty() && !self.after_break {
            self.open_emphasis = None;
            self.out.push(' ');
        }
        self.space = false;
        self.after_break = false;
    }

    /// Output that is already written in the target syntax.
    fn raw(&mut self, text: &str) {
        let Some(first) = text.chars().next() else {
            return;
        };
        self.flush_space();
        self.settle(first);
        self.out.push_str(text);
    }

    /// Words: whitespace collapses, and in Markdown the syntax characters are escaped.
    fn text(&mut self, text: &str) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_whitespace() {
                self.space();
                continue;
            }
            self.flush_space();
            if self.flavor == Flavor::Text {
                self.out.push(c);
                continue;
            }
            self.settle(c);
            let next = chars.peek().copied();
            let escape = match c {
                '\\' | '`' | '*' | '[' | ']' | '~' => true,
                // `_` inside a word never starts emphasis. (Only ASCII counts
                // as a word here: escaping next to other letters is harmless.)
                '_' => {
                    !(self
                        .out
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_ascii_alphanumeric())
                        && next.is_some_and(|c| c.is_ascii_alphanumeric()))
                }
                // `<` only matters when it could open a tag or an autolink.
                '<' => next.is_none_or(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
                // `&` only matters when it could spell a character reference.
                '&' => {
                    let rest: String = chars.clone().take(33).collect();
                    looks_like_reference(&rest)
                }
                _ => false,
            };
            if escape {
                self.out.push('\\');
            }
            self.out.push(c);
        }
    }

    fn hard_break(&mut self) {
        if self.out.is_empty() || self.after_break && self.brk == " " {
            return;
        }
        self.space = false;
        self.out.push_str(self.brk);
        self.after_break = true;
    }

    /// Inserts a piece rendered on its own, wrapped in `open`/`close`.
    fn wrap(&mut self, piece: Piece, open: &str, close: &str) {
        if piece.lead {
            self.space();
        }
        if let Some(first) = piece.text.chars().next() {
            self.flush_space();
            self.settle(open.chars().next().unwrap_or(first));
            self.out.push_str(open);
            self.out.push_str(&piece.text);
            self.out.push_str(close);
        }
        if piece.trail {
            self.space();
        }
    }

    fn finish(mut self) -> Piece {
        // A break at the very end shows nothing (and in Markdown would be a stray `\`).
        while self.after_break && self.out.ends_with(self.brk) && !self.brk.is_empty() {
            let len = self.out.len() - self.brk.len();
            self.out.truncate(len);
            self.after_break = self.out.ends_with(self.brk);
        }
        Piece {
            text: self.out,
            lead: self.lead,
            trail: self.space,
        }
    }
}

/// Whether `rest` (what follows an `&`) would be read as a character reference.
fn looks_like_reference(rest: &str) -> bool {
    let body: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !body.is_empty() && rest[body.len()..].starts_with(';')
}

struct Writer {
    flavor: Flavor,
}

impl Writer {
    fn md(&self) -> bool {
        self.flavor == Flavor::Markdown
    }

    /// Blocks one after another. `in_item` joins a paragraph to a list or
    /// code block that follows it without a blank line, as a tight list item does.
    fn blocks(&self, blocks: &[Block], in_item: bool) -> String {
        let mut out = String::new();
        let mut prev: Option<&Block> = None;
        // Whether the last list used the alternative marker; two lists in a
        // row need different markers or Markdown reads them as one.
        let mut alt = false;
        for block in blocks {
            let this_alt = match (prev, block) {
                (Some(Block::List { ordered: a, .. }), Block::List { ordered: b, .. })
                    if a == b =>
                {
                    !alt
                }
                _ => false,
            };
            let chunk = self.block(block, this_alt);
            if chunk.is_empty() {
                continue;
            }
            if !out.is_empty() {
                let tight = in_item
                    && (self.flavor == Flavor::Text
                        || matches!(
                            (prev, block),
                            (
                                Some(Block::Para(_)),
                                Block::List { .. } | Block::Code { .. }
                            )
                        ));
                out.push_str(if tight { "\n" } else { "\n\n" });
            }
            out.push_str(&chunk);
            prev = Some(block);
            alt = this_alt;
        }
        out
    }

    fn block(&self, block: &Block, alt: bool) -> String {
        match block {
            Block::Para(inlines) => self.para(inlines),
            Block::Heading(level, inlines) => {
                let text = self.line(inlines, " ");
                if text.is_empty() || !self.md() {
                    return text;
                }
                // A trailing `#` would read as the heading's closing sequence.
                let text = match text.strip_suffix('#') {
                    Some(head) => format!("{head}\\#"),
                    None => text,
                };
                format!("{} {text}", "#".repeat((*level).clamp(1, 6) as usize))
            }
            Block::Code { lang, text } => {
                if !self.md() {
                    return text.clone();
                }
                let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
                // The info string: a language, then settings (`title="…"`).
                let lang: String = lang
                    .chars()
                    .filter(|c| !matches!(c, '`' | '\n' | '\r'))
                    .collect();
                let lang = lang.trim();
                if text.is_empty() {
                    format!("{fence}{lang}\n{fence}")
                } else {
                    format!("{fence}{lang}\n{text}\n{fence}")
                }
            }
            Block::List {
                ordered,
                start,
                items,
            } => self.list(*ordered, *start, items, alt),
            Block::Quote {
                label,
                title,
                blocks,
            } => self.quote(label.as_deref(), title.as_deref(), blocks),
            Block::Table(rows) => self.table(rows),
            Block::Rule => "---".to_string(),
            Block::Storage { xml, .. } if self.md() => self.block(
                &Block::Code {
                    lang: super::storage::STORAGE_FENCE.into(),
                    text: xml.clone(),
                },
                alt,
            ),
            Block::Storage { shown, .. } => self.blocks(shown, false),
            Block::Macro {
                name,
                settings,
                blocks,
            } if self.md() => {
                let mut out = format!("<div data-macro=\"{name}\"{}>\n\n", data(settings));
                let body = self.blocks(blocks, false);
                if !body.is_empty() {
                    out.push_str(&body);
                    out.push_str("\n\n");
                }
                out.push_str("</div>");
                out
            }
            Block::Macro { blocks, .. } => self.blocks(blocks, false),
            Block::Layout(sections) if self.md() => {
                layout(sections, |cell| self.blocks(cell, false))
            }
            Block::Layout(sections) => {
                let cells: Vec<String> = sections
                    .iter()
                    .flat_map(|(_, cells)| cells)
                    .map(|cell| self.blocks(cell, false))
                    .filter(|c| !c.is_empty())
                    .collect();
                cells.join("\n\n")
            }
            Block::Details { title, blocks } => {
                let body = self.blocks(blocks, false);
                if !self.md() {
                    let title = title.as_deref().unwrap_or("Click here to expand...");
                    return if body.is_empty() {
                        title.to_string()
                    } else {
                        format!("{title}\n\n{body}")
                    };
                }
                // HTML's own expand section, which Markdown lets through: a
                // blank line after the summary, so the body reads as Markdown.
                let mut out = String::from("<details>");
                if let Some(title) = title {
                    out.push_str(&format!(
                        "\n<summary>{}</summary>",
                        super::storage::escape(title)
                    ));
                }
                out.push_str("\n\n");
                if !body.is_empty() {
                    out.push_str(&body);
                    out.push_str("\n\n");
                }
                out.push_str("</details>");
                out
            }
        }
    }

    fn para(&self, inlines: &[Inline]) -> String {
        let brk = if self.md() { "\\\n" } else { "\n" };
        let text = self.line(inlines, brk);
        if !self.md() {
            return text;
        }
        text.split('\n')
            .map(escape_line_start)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Inline content as one piece of output, trimmed.
    fn line(&self, inlines: &[Inline], brk: &'static str) -> String {
        self.piece(inlines, brk, false).text
    }

    fn piece(&self, inlines: &[Inline], brk: &'static str, in_link: bool) -> Piece {
        let mut line = Line::new(self.flavor, brk, in_link);
        for inline in inlines {
            self.inline(&mut line, inline);
        }
        line.finish()
    }

    fn inline(&self, line: &mut Line, inline: &Inline) {
        let md = self.md();
        let sub = |c: &[Inline]| self.piece(c, line.brk, line.in_link);
        match inline {
            Inline::Text(t) => line.text(t),
            Inline::Break => line.hard_break(),
            Inline::Strong(c) if md => line.emphasis(sub(c), "**", ("<strong>", "</strong>")),
            Inline::Emphasis(c) if md => line.emphasis(sub(c), "*", ("<em>", "</em>")),
            Inline::Strike(c) if md => line.emphasis(sub(c), "~~", ("<s>", "</s>")),
            Inline::Underline(c) if md => line.wrap(sub(c), "<u>", "</u>"),
            Inline::Sub(c) if md => line.wrap(sub(c), "<sub>", "</sub>"),
            Inline::Sup(c) if md => line.wrap(sub(c), "<sup>", "</sup>"),
            Inline::Strong(c)
            | Inline::Emphasis(c)
            | Inline::Strike(c)
            | Inline::Underline(c)
            | Inline::Sub(c)
            | Inline::Sup(c) => line.wrap(sub(c), "", ""),
            Inline::Code(code) => {
                let code = code.replace(['\n', '\r', '\u{a0}'], " ");
                if code.trim().is_empty() {
                    if !code.is_empty() {
                        line.space();
                    }
                } else if md {
                    line.raw(&code_span(&code));
                } else {
                    line.raw(&code);
                }
            }
            Inline::Link { url, content } => {
                let piece = self.piece(content, line.brk, true);
                if line.in_link || url.is_empty() {
                    line.wrap(piece, "", "");
                    return;
                }
                if piece.lead {
                    line.space();
                }
                let shown = if piece.text.is_empty() {
                    None
                } else {
                    Some(piece.text.as_str())
                };
                if md {
                    let text = shown.map_or_else(|| escape_text(url), str::to_string);
                    line.raw(&format!("[{text}]({})", md_url(url)));
                } else {
                    match shown {
                        // A mention reads as the name alone.
                        Some(text) if super::account_id_of(url).is_some() => line.raw(text),
                        Some(text) if text != url => line.raw(&format!("{text} ({url})")),
                        _ => line.raw(url),
                    }
                }
                if piece.trail {
                    line.space();
                }
            }
            // With a size or other settings: HTML's own image, which carries them.
            Inline::Image { url, alt, settings } if md && !settings.is_empty() => {
                let escape = super::storage::escape;
                let mut img = format!("<img src=\"{}\" alt=\"{}\"", escape(url), escape(alt));
                for (key, value) in settings {
                    let key = match key.as_str() {
                        "width" | "height" => key.clone(),
                        _ => format!("data-{key}"),
                    };
                    img.push_str(&format!(" {key}=\"{value}\""));
                }
                img.push('>');
                line.raw(&img);
            }
            Inline::Image { url, alt, .. } => {
                let alt = alt.split_whitespace().collect::<Vec<_>>().join(" ");
                if md {
                    line.raw(&format!("![{}]({})", escape_text(&alt), md_url(url)));
                } else if alt.is_empty() {
                    line.raw(url);
                } else {
                    line.raw(&format!("{alt} ({url})"));
                }
            }
            Inline::Anchor(name) if md => {
                line.raw(&format!("<a id=\"{}\"></a>", super::storage::escape(name)));
            }
            Inline::Anchor(_) => {}
            // HTML's own date element, which the Markdown actions write back as the date.
            Inline::Date(when) if md => {
                line.raw(&format!("<time datetime=\"{when}\">{when}</time>"))
            }
            Inline::Date(when) => line.raw(when),
            // The character, on a span carrying what it does not say.
            Inline::Emoji { shown, settings } if md => {
                line.raw(&format!(
                    "<span{}>{}</span>",
                    data(settings),
                    escape_text(shown)
                ));
            }
            Inline::Emoji { shown, .. } => line.raw(shown),
            Inline::Macro {
                name,
                shown,
                settings,
            } if md => {
                let (settings, shown) = (data(settings), escape_text(shown));
                line.raw(&format!(
                    "<span data-macro=\"{name}\"{settings}>{shown}</span>"
                ));
            }
            Inline::Macro { name, shown, .. } => {
                line.raw(&format!("[{}]", super::read::shown_macro(name, shown)));
            }
            Inline::Tag(label) => {
                let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
                if md {
                    // Escaped, so the label reads back as the same text (not a link).
                    line.raw(&format!("\\[{}\\]", escape_text(&label)));
                } else {
                    line.raw(&format!("[{label}]"));
                }
            }
        }
    }

    fn list(&self, ordered: bool, start: u64, items: &[Item], alt: bool) -> String {
        let mut parts = Vec::new();
        let mut loose = false;
        for (n, item) in items.iter().enumerate() {
            let marker = if ordered {
                let number = start.saturating_add(n as u64);
                let delimiter = if alt && self.md() { ')' } else { '.' };
                format!("{number}{delimiter} ")
            } else if self.md() {
                if alt { "* " } else { "- " }.to_string()
            } else {
                "- ".to_string()
            };
            let (marker, indent) = match (item.task, self.md()) {
                (Some(done), true) => {
                    let width = marker.len();
                    (
                        format!("{marker}[{}] ", if done { 'x' } else { ' ' }),
                        width,
                    )
                }
                (Some(done), false) => (format!("[{}] ", if done { 'x' } else { ' ' }), 4),
                (None, _) => {
                    let width = marker.len();
                    (marker, width)
                }
            };
            let body = self.blocks(&item.blocks, true);
            if body.contains("\n\n") {
                loose = true;
            }
            parts.push(indent_item(&marker, indent, &body));
        }
        let joiner = if loose && self.md() { "\n\n" } else { "\n" };
        parts.join(joiner)
    }

    fn quote(&self, label: Option<&str>, title: Option<&str>, blocks: &[Block]) -> String {
        let md = self.md();
        let bold = |text: &str| {
            if md {
                format!("**{}**", escape_text(text))
            } else {
                text.to_string()
            }
        };
        // A panel of a kind Confluence has a macro for: an alert marker
        // (`> [!NOTE] Title`), which the Markdown actions write back as the panel.
        if md && let Some(kind) = label.and_then(super::storage::panel_kind) {
            let mut head = format!("[!{}]", kind.to_ascii_uppercase());
            if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
                head.push(' ');
                head.push_str(&escape_text(title));
            }
            let rest = self.blocks(blocks, false);
            let body = if rest.is_empty() {
                head
            } else {
                format!("{head}\n\n{rest}")
            };
            return quoted(&body);
        }
        // The generic panel shows no label of its own, only its title.
        let label = label.filter(|l| *l != "Panel");
        let mut body = String::new();
        let heading = match (label, title) {
            (Some(label), Some(title)) => Some(bold(&format!("{label}: {title}"))),
            (None, Some(title)) => Some(bold(title)),
            _ => None,
        };
        let mut rest = blocks;
        if let Some(heading) = heading {
            body.push_str(&heading);
        } else if let Some(label) = label {
            body.push_str(&bold(&format!("{label}:")));
            if let Some((Block::Para(first), after)) = blocks.split_first() {
                let first = self.para(first);
                if !first.is_empty() {
                    body.push(' ');
                    body.push_str(&first);
                }
                rest = after;
            }
        }
        let rest = self.blocks(rest, false);
        if !rest.is_empty() {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(&rest);
        }
        if !md || body.is_empty() {
            return body;
        }
        quoted(&body)
    }

    fn table(&self, rows: &[Vec<Cell>]) -> String {
        let md = self.md();
        let cells = |row: &[Cell]| -> Vec<String> {
            row.iter()
                .map(|cell| {
                    let lines = self.flat(&cell.blocks);
                    if md {
                        lines.join("<br>").replace('|', "\\|")
                    } else {
                        lines.join(" ").replace(['\t', '\n'], " ")
                    }
                })
                .collect()
        };
        let mut out = Vec::new();
        for (n, row) in rows.iter().enumerate() {
            let row = cells(row);
            if md {
                out.push(format!("| {} |", row.join(" | ")));
                if n == 0 {
                    let rule = vec!["---"; row.len()].join(" | ");
                    out.push(format!("| {rule} |"));
                }
            } else {
                out.push(row.join("\t"));
            }
        }
        out.join("\n")
    }

    /// Blocks flattened to lines for a table cell, where Markdown has no
    /// blocks: paragraphs and list items become lines, a code block becomes
    /// code spans, a heading bold text, a nested table one line per row.
    fn flat(&self, blocks: &[Block]) -> Vec<String> {
        let md = self.md();
        let brk = if md { "<br>" } else { " " };
        let mut lines = Vec::new();
        for block in blocks {
            match block {
                Block::Para(inlines) => lines.push(self.line(inlines, brk)),
                Block::Heading(_, inlines) => {
                    let text = self.line(inlines, " ");
                    if md && !text.is_empty() {
                        lines.push(format!("**{text}**"));
                    } else {
                        lines.push(text);
                    }
                }
                Block::Code { text, .. } => {
                    for l in text.lines().filter(|l| !l.trim().is_empty()) {
                        lines.push(if md { code_span(l) } else { l.to_string() });
                    }
                }
                Block::List {
                    ordered,
                    start,
                    items,
                } => {
                    for (n, item) in items.iter().enumerate() {
                        let marker = match (item.task, ordered) {
                            (Some(true), _) => "[x] ".to_string(),
                            (Some(false), _) => "[ ] ".to_string(),
                            (None, true) => format!("{}. ", start.saturating_add(n as u64)),
                            (None, false) => "- ".to_string(),
                        };
                        let mut inner = self.flat(&item.blocks).into_iter();
                        let first = inner.next().unwrap_or_default();
                        lines.push(format!("{marker}{first}").trim_end().to_string());
                        lines.extend(inner);
                    }
                }
                Block::Quote {
                    label,
                    title,
                    blocks,
                } => {
                    let head = match (label, title) {
                        (Some(l), Some(t)) => format!("{l}: {t}"),
                        (Some(l), None) => format!("{l}:"),
                        (None, Some(t)) => t.clone(),
                        (None, None) => String::new(),
                    };
                    let mut inner = self.flat(blocks);
                    if !head.is_empty() {
                        let head = if md {
                            format!("**{}**", escape_text(&head))
                        } else {
                            head
                        };
                        match inner.first_mut() {
                            Some(first) if label.is_some() && title.is_none() => {
                                *first = format!("{head} {first}");
                            }
                            _ => inner.insert(0, head),
                        }
                    }
                    lines.extend(inner);
                }
                Block::Table(rows) => {
                    let separator = if md { " | " } else { ", " };
                    for row in rows {
                        let cells: Vec<String> =
                            row.iter().map(|c| self.flat(&c.blocks).join(" ")).collect();
                        lines.push(cells.join(separator));
                    }
                }
                Block::Rule => {}
                // A table cell cannot hold a fenced block: what it shows.
                Block::Storage { shown, .. } => lines.extend(self.flat(shown)),
                Block::Details { title, blocks } => {
                    if let Some(title) = title {
                        lines.push(title.clone());
                    }
                    lines.extend(self.flat(blocks));
                }
                Block::Macro { blocks, .. } => lines.extend(self.flat(blocks)),
                Block::Layout(sections) => {
                    for cell in sections.iter().flat_map(|(_, cells)| cells) {
                        lines.extend(self.flat(cell));
                    }
                }
            }
        }
        lines.retain(|l| !l.is_empty());
        lines
    }
}

/// Settings as the attributes of a tag: ` data-NAME="value"` each (the
/// reading lets through only names and values that need no escaping).
fn data(settings: &[(String, String)]) -> String {
    settings
        .iter()
        .map(|(key, value)| format!(" data-{key}=\"{value}\""))
        .collect()
}

/// A layout as `<div>`s Markdown lets through, with a blank line around each
/// cell's Markdown so it reads as Markdown:
///
/// ```text
/// <div data-layout>
/// <div data-section="two_equal">
/// <div data-cell>
///
/// Left
///
/// </div>
/// ...
/// </div>
/// </div>
/// ```
fn layout(sections: &[(String, Vec<Vec<Block>>)], cell: impl Fn(&[Block]) -> String) -> String {
    let mut out = String::from("<div data-layout>");
    for (kind, cells) in sections {
        out.push_str(&format!("\n<div data-section=\"{kind}\">"));
        for blocks in cells {
            out.push_str("\n<div data-cell>\n\n");
            let body = cell(blocks);
            if !body.is_empty() {
                out.push_str(&body);
                out.push_str("\n\n");
            }
            out.push_str("</div>");
        }
        out.push_str("\n</div>");
    }
    out.push_str("\n</div>");
    out
}

/// `body` as a block quote: each line after `> ` (an empty one as `>`).
fn quoted(body: &str) -> String {
    body.split('\n')
        .map(|l| {
            if l.is_empty() {
                ">".to_string()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A list item: the marker before the first line, the rest indented to line
/// up under the content.
fn indent_item(marker: &str, indent: usize, body: &str) -> String {
    if body.is_empty() {
        return marker.trim_end().to_string();
    }
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (n, line) in body.split('\n').enumerate() {
        if n == 0 {
            out.push_str(marker);
            out.push_str(line);
        } else {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
        }
    }
    out
}

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A Markdown code span holding `code` exactly.
fn code_span(code: &str) -> String {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    let pad = code.starts_with('`')
        || code.ends_with('`')
        || (code.starts_with(' ') && code.ends_with(' '));
    if pad {
        format!("{fence} {code} {fence}")
    } else {
        format!("{fence}{code}{fence}")
    }
}

/// Text escaped for Markdown, whitespace collapsed.
fn escape_text(text: &str) -> String {
    let mut line = Line::new(Flavor::Markdown, " ", false);
    line.text(text);
    line.finish().text
}

/// A URL as a Markdown link destination: the characters that would end it are percent-encoded.
fn md_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\\' => out.push_str("%5C"),
            '\n' | '\r' | '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes what would start a block at the beginning of a paragraph line: a
/// heading `#`, a quote `>`, a list marker, a setext underline.
fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    let second = line.chars().nth(1);
    let needs = match first {
        Some('#' | '>') => true,
        Some('-' | '+') => {
            second.is_none_or(|c| c == ' ' || c == '\t')
                || line.chars().all(|c| c == '-' || c == ' ')
        }
        Some('=') => line.chars().all(|c| c == '=' || c == ' '),
        _ => false,
    };
    // A line of pipes, dashes and colons under a line with a pipe would make a table.
    let table_rule = line.contains('|')
        && line.contains('-')
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'));
    let needs = needs || table_rule;
    if needs {
        return format!("\\{line}");
    }
    // `1. ` or `1) ` would start an ordered list.
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &line[digits..];
        if let Some(after) = rest.strip_prefix(['.', ')'])
            && (after.is_empty() || after.starts_with(' ') || after.starts_with('\t'))
        {
            return format!("{}\\{}", &line[..digits], rest);
        }
    }
    line.to_string()
}
