//! A forgiving reader of storage format into a small element tree.
//!
//! quick-xml tokenises the input; this module builds the tree and repairs
//! what a strict XML reader would refuse: end tags that do not match are
//! ignored or close the element they name, elements still open at the end are
//! closed, HTML void elements (`<br>`, `<hr>`, `<img>`) need no end tag, HTML
//! named references are resolved (unknown ones stay as written), and whatever
//! the tokeniser cannot read (a stray `<`, an unclosed CDATA section) is kept
//! as text. Nothing in the input is lost and nothing panics.
//!
//! The tree is at most [`MAX_DEPTH`] elements deep: deeper elements are not
//! opened, so their content joins the deepest open element. That bounds the
//! recursion of every later walk, whatever the input.

use super::entities;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The deepest element nesting kept; deeper elements are flattened into their ancestor.
pub(crate) const MAX_DEPTH: usize = 96;

/// A node of the tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// An element and its content.
    Element(Element),
    /// Text, with references already resolved.
    Text(String),
}

/// An element: its lower-cased name, attributes and children.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of attribute `name`, if present and not blank.
    pub fn attr_nonempty(&self, name: &str) -> Option<&str> {
        self.attr(name).filter(|v| !v.trim().is_empty())
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// Every piece of text below this element, in order; `<br>` counts as a line break.
    pub fn text(&self) -> String {
        let mut out = String::new();
        collect_text(&self.children, &mut out);
        out
    }
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if e.name == "br" => out.push('\n'),
            Node::Element(e) => collect_text(&e.children, out),
        }
    }
}

/// HTML elements that never have content, so need no end tag.
pub(crate) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "hr"
            | "img"
            | "col"
            | "wbr"
            | "input"
            | "meta"
            | "link"
            | "area"
            | "base"
            | "source"
            | "track"
            | "embed"
            | "param"
    )
}

/// Whether `name` can be an element name; anything else after `<` is text.
pub(crate) fn is_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
}

/// The tree being built: a stack of open elements, the document root at the bottom.
struct Builder {
    open: Vec<Element>,
    /// Names of elements not opened because the tree was already [`MAX_DEPTH`] deep,
    /// so that their end tags close nothing.
    skipped: Vec<String>,
}

impl Builder {
    fn top(&mut self) -> &mut Element {
        // The root is never popped, so the stack is never empty.
        let last = self.open.len() - 1;
        &mut self.open[last]
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let top = self.top();
        if let Some(Node::Text(last)) = top.children.last_mut() {
            last.push_str(text);
        } else {
            top.children.push(Node::Text(text.to_string()));
        }
    }

    fn start(&mut self, element: Element, empty: bool) {
        if empty || is_void(&element.name) {
            self.top().children.push(Node::Element(element));
        } else if self.open.len() > MAX_DEPTH {
            self.skipped.push(element.name);
        } else {
            self.open.push(element);
        }
    }

    fn end(&mut self, name: &str) {
        if is_void(name) {
            return;
        }
        if self.skipped.last().is_some_and(|s| s == name) {
            self.skipped.pop();
            return;
        }
        if let Some(at) = self.open.iter().skip(1).rposition(|e| e.name == name) {
            while self.open.len() > at + 1 {
                self.close_top();
            }
        }
    }

    fn close_top(&mut self) {
        if self.open.len() > 1 {
            let done = self.open.pop().unwrap_or_default();
            self.top().children.push(Node::Element(done));
        }
    }

    fn finish(mut self) -> Vec<Node> {
        while self.open.len() > 1 {
            self.close_top();
        }
        self.open
            .pop()
            .map(|root| root.children)
            .unwrap_or_default()
    }
}

/// The element a start tag opens, or `None` when the tag is not a usable name.
fn element(start: &BytesStart) -> Option<Element> {
    let name = start.name().as_ref().to_ascii_lowercase();
    if !is_name(&name) {
        return None;
    }
    let mut attributes = start.html_attributes();
    attributes.with_checks(false);
    let attrs = attributes
        .filter_map(Result::ok)
        .map(|a| {
            (
                a.key.as_ref().to_ascii_lowercase(),
                entities::decode(&a.value),
            )
        })
        .collect();
    Some(Element {
        name,
        attrs,
        children: Vec::new(),
    })
}

fn reader(input: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(input);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    config.check_comments = false;
    reader
}

/// `e` written back as storage text: attributes quoted and escaped, text
/// escaped, a plain-text body as CDATA, an empty element as `<name/>`.
/// Reading the result gives the same tree.
pub(crate) fn serialize(e: &Element) -> String {
    let mut out = String::new();
    write_element(e, &mut out, false);
    out
}

fn write_element(e: &Element, out: &mut String, cdata: bool) {
    use super::storage::escape;
    out.push('<');
    out.push_str(&e.name);
    for (name, value) in &e.attrs {
        out.push_str(&format!(" {name}=\"{}\"", escape(value)));
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    let cdata = cdata || e.name == "ac:plain-text-body" || e.name == "ac:plain-text-link-body";
    for child in &e.children {
        match child {
            Node::Element(c) => write_element(c, out, cdata),
            Node::Text(t) if cdata => {
                out.push_str(&format!(
                    "<![CDATA[{}]]>",
                    t.replace("]]>", "]]]]><![CDATA[>")
                ));
            }
            Node::Text(t) => out.push_str(&escape(t)),
        }
    }
    out.push_str("</");
    out.push_str(&e.name);
    out.push('>');
}

/// The text of the storage fragment `fragment`, its markup dropped.
pub(crate) fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    collect_text(&parse(fragment), &mut out);
    out
}

/// Reads `input` into a tree; never fails.
pub(crate) fn parse(input: &str) -> Vec<Node> {
    let mut tree = Builder {
        open: vec![Element::default()],
        skipped: Vec::new(),
    };
    // Where the current reader started in `input`: after markup the tokeniser
    // could not read, reading starts again just past the text kept for it.
    let mut offset = 0;
    let mut rest = reader(input);
    let span = |from: usize, to: usize| -> &str {
        let to = to.min(input.len());
        let from = from.min(to);
        // Positions come from ASCII delimiters, so they are character boundaries.
        input.get(from..to).unwrap_or_default()
    };
    loop {
        let before = offset + rest.buffer_position() as usize;
        let event = rest.read_event();
        let after = offset + rest.buffer_position() as usize;
        let unreadable = match event {
            Ok(Event::Eof) => break,
            Ok(Event::Start(start)) => match element(&start) {
                Some(e) => {
                    tree.start(e, false);
                    false
                }
                None => true,
            },
            Ok(Event::Empty(start)) => match element(&start) {
                Some(e) => {
                    tree.start(e, true);
                    false
                }
                None => true,
            },
            Ok(Event::End(end)) => {
                tree.end(&end.name().as_ref().to_ascii_lowercase());
                false
            }
            Ok(Event::Text(text)) => {
                tree.text(&text);
                false
            }
            Ok(Event::CData(data)) => {
                tree.text(&data);
                false
            }
            Ok(Event::GeneralRef(reference)) => {
                let name: &str = &reference;
                if let Some(c) = entities::numeric(name) {
                    tree.text(c.encode_utf8(&mut [0; 4]));
                } else if let Some(text) = entities::named(name) {
                    tree.text(text);
                } else {
                    tree.text(&format!("&{name};"));
                }
                false
            }
            Ok(Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_)) => false,
            Err(_) => true,
        };
        if !unreadable {
            continue;
        }
        if after <= before {
            // No progress: keep the rest as text and stop.
            tree.text(&entities::decode(span(before, input.len())));
            break;
        }
        let raw = span(before, after);
        if let Some(data) = raw.strip_prefix("<![CDATA[") {
            // An unclosed CDATA section still holds text worth keeping.
            tree.text(data);
            offset = after;
        } else if let Some(inner) = raw.rfind('<').filter(|&k| k > 0) {
            // A `<` that starts no tag, such as `a < b`: it is text up to the
            // last `<` inside, where a real tag may begin.
            tree.text(&entities::decode(&raw[..inner]));
            offset = before + inner;
        } else {
            tree.text(&entities::decode(raw));
            offset = after;
        }
        rest = reader(span(offset, input.len()));
    }
    tree.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(nodes: &[Node]) -> String {
        let root = Element {
            children: nodes.to_vec(),
            ..Element::default()
        };
        root.text()
    }

    #[test]
    fn repairs_what_xml_would_refuse() {
        let nodes = parse("<p>a < b & c &nbsp;&rsquo; &bogus;<br>d</p></q>e<![CDATA[f ]]> g");
        assert_eq!(texts(&nodes), "a < b & c \u{a0}\u{2019} &bogus;\ndef  g");
        let nodes = parse("x < y <b>bold</b> &amp; <1> z >");
        assert_eq!(texts(&nodes), "x < y bold & <1> z >");
        assert!(matches!(&nodes[1], Node::Element(e) if e.name == "b"));
        let nodes = parse("<ul><li>one<li>two</ul>tail");
        assert_eq!(texts(&nodes), "onetwotail");
        assert_eq!(texts(&parse("x <![CDATA[ unclosed")), "x  unclosed");
        assert_eq!(texts(&parse("a<>b<1x>c")), "a<>b<1x>c");
        assert_eq!(texts(&parse("")), "");
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "<div>".repeat(1000) + "x" + &"</div>".repeat(1000) + "y";
        let nodes = parse(&deep);
        fn depth(nodes: &[Node]) -> usize {
            nodes
                .iter()
                .map(|n| match n {
                    Node::Element(e) => 1 + depth(&e.children),
                    Node::Text(_) => 0,
                })
                .max()
                .unwrap_or(0)
        }
        assert!(depth(&nodes) <= MAX_DEPTH + 1);
        assert_eq!(texts(&nodes), "xy");
    }
}
