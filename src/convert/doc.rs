//! The document model between storage format and the two outputs: blocks and
//! inline content, already stripped of everything Confluence-specific (links
//! resolved to URLs, macros turned into quotes, code blocks or placeholders).

/// Inline content.
#[derive(Debug, Clone)]
pub(crate) enum Inline {
    /// Text as written; runs of whitespace count as one space.
    Text(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Underline(Vec<Inline>),
    Strike(Vec<Inline>),
    Sub(Vec<Inline>),
    Sup(Vec<Inline>),
    /// Monospaced text.
    Code(String),
    Link {
        url: String,
        content: Vec<Inline>,
    },
    /// An image; `settings` are its other attributes (`width`, `align`:
    /// Confluence's `ac:width`, `ac:align`), in order.
    Image {
        url: String,
        alt: String,
        settings: Vec<(String, String)>,
    },
    /// A bracketed label: a status lozenge or the placeholder of a macro.
    Tag(String),
    /// A hard line break.
    Break,
    /// A named place in the page (the `anchor` macro), which links reach by `#name`.
    Anchor(String),
    /// An emoticon of the new editor (one with an `ac:emoji-shortname`): the
    /// character it shows, and what the character does not say of it
    /// (`emoji`: the short name; `name`, `id`, `fallback` when they are not
    /// `blue-star`, the character's code points and the character).
    Emoji {
        shown: String,
        settings: Vec<(String, String)>,
    },
    /// A date (`<time datetime="2026-11-06" />`), as written.
    Date(String),
    /// A macro inside a sentence whose settings are plain text, kept whole:
    /// its name, the text it shows (a status lozenge's title, else its
    /// placeholder) and its parameters but a status's title, in order.
    Macro {
        name: String,
        shown: String,
        settings: Vec<(String, String)>,
    },
}

/// Block content.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    Para(Vec<Inline>),
    Heading(u8, Vec<Inline>),
    Code {
        lang: String,
        text: String,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Item>,
    },
    /// A block quote, or a panel: `label` names its kind (Note, Info, ...),
    /// `title` is its own heading line.
    Quote {
        label: Option<String>,
        title: Option<String>,
        blocks: Vec<Block>,
    },
    /// Rows of cells, already padded for column and row spans.
    Table(Vec<Vec<Cell>>),
    Rule,
    /// An expand section: its title, and what it holds.
    Details {
        title: Option<String>,
        blocks: Vec<Block>,
    },
    /// A macro that groups blocks (`details`, `excerpt`, `section`,
    /// `column`): its name, its parameters in order, and its body.
    Macro {
        name: String,
        settings: Vec<(String, String)>,
        blocks: Vec<Block>,
    },
    /// A page layout: its sections in order, each with its type (such as
    /// `two_equal`) and its cells' blocks.
    Layout(Vec<(String, Vec<Vec<Block>>)>),
    /// A construct Markdown has no form for, kept as its storage text (a
    /// `confluence` fenced block in Markdown, written back as it is), and
    /// what plain text shows of it.
    Storage {
        xml: String,
        shown: Vec<Block>,
    },
}

/// A list item; `task` is `Some(done)` for a task.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
}

/// A table cell.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub header: bool,
    pub blocks: Vec<Block>,
}
