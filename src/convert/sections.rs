//! A page's sections, found in its storage text itself: where each heading
//! is and where the content under it ends, as byte offsets, so that one
//! section can be replaced (or content appended) while every other byte of
//! the page stays as it was.
//!
//! A section is the content after a heading up to the next heading of the
//! same or a higher level in the same container (the body, a layout cell, a
//! panel's body), or to the container's end. The scan reads tags alone:
//! comments and CDATA (a code macro's body) are skipped whole, attribute
//! values may hold `>`, and void elements (`<br>`) need no end tag.

use super::xml;

/// One heading of a storage document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Its text, whitespace collapsed.
    pub text: String,
    /// The texts of the headings it is under, from the outermost, then its own.
    pub path: Vec<String>,
    /// Where its start tag begins.
    pub start: usize,
    /// Just past its end tag: where its section's content begins.
    pub end: usize,
    /// Where its section's content ends.
    pub section_end: usize,
}

impl Heading {
    /// Its path as a person writes it: `Install > Linux`.
    pub fn path_text(&self) -> String {
        self.path.join(" > ")
    }
}

/// One tag of the scan.
pub(super) struct Tag<'a> {
    /// The element's name, such as `ac:structured-macro`.
    pub(super) name: &'a str,
    /// Where `<` is.
    pub(super) start: usize,
    /// Just past `>`.
    pub(super) end: usize,
    /// An end tag (`</p>`).
    pub(super) closing: bool,
    /// A tag closed in itself (`<br/>`).
    pub(super) self_closing: bool,
}

/// The next tag at or after `from`, skipping comments, CDATA sections and
/// processing instructions; `None` at the end of the text.
pub(super) fn next_tag(text: &str, mut from: usize) -> Option<Tag<'_>> {
    let bytes = text.as_bytes();
    loop {
        let open = from + text.get(from..)?.find('<')?;
        let rest = &text[open..];
        let skip_to = |end: &str| rest.find(end).map(|i| open + i + end.len());
        if rest.starts_with("<!--") {
            from = skip_to("-->").unwrap_or(text.len());
            continue;
        }
        if rest.starts_with("<![CDATA[") {
            from = skip_to("]]>").unwrap_or(text.len());
            continue;
        }
        if rest.starts_with("<?") || rest.starts_with("<!") {
            from = skip_to(">").unwrap_or(text.len());
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = open + if closing { 2 } else { 1 };
        let name_len = text[name_start..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(text.len() - name_start);
        let name = &text[name_start..name_start + name_len];
        if !xml::is_name(name) {
            from = open + 1;
            continue;
        }
        // The tag ends at the first `>` outside a quoted attribute value.
        let mut quote = None;
        let mut at = name_start + name_len;
        while at < bytes.len() {
            match (quote, bytes[at]) {
                (None, b'"' | b'\'') => quote = Some(bytes[at]),
                (Some(q), b) if b == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            at += 1;
        }
        let end = (at + 1).min(text.len());
        let self_closing = at > 0 && bytes.get(at - 1) == Some(&b'/');
        return Some(Tag {
            name,
            start: open,
            end,
            closing,
            self_closing,
        });
    }
}

/// The level of heading element `name`, if it is one.
fn level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(d - b'0'),
        _ => None,
    }
}

/// Every heading of `storage`, in document order, with its section.
pub fn headings(storage: &str) -> Vec<Heading> {
    // Open elements: name and the index of the container they open.
    let mut open: Vec<(&str, usize)> = Vec::new();
    // Each container's end offset (0 is the document), once known.
    let mut container_ends: Vec<usize> = vec![storage.len()];
    // Each heading with its container, before sections are known.
    let mut found: Vec<(Heading, usize)> = Vec::new();
    let mut at = 0;
    while let Some(tag) = next_tag(storage, at) {
        at = tag.end;
        if tag.closing {
            if let Some(i) = open.iter().rposition(|(name, _)| *name == tag.name) {
                for (_, container) in open.drain(i..) {
                    container_ends[container] = tag.start;
                }
            }
            continue;
        }
        if let Some(level) = level(tag.name).filter(|_| !tag.self_closing) {
            let close = format!("</{}", tag.name);
            let end = storage[tag.end..]
                .find(&close)
                .and_then(|i| {
                    let from = tag.end + i;
                    storage[from..].find('>').map(|j| from + j + 1)
                })
                .unwrap_or(storage.len());
            let container = open.last().map_or(0, |(_, c)| *c);
            let inner = storage
                .get(tag.end..end.saturating_sub(close.len() + 1))
                .unwrap_or("");
            let text = super::read::collapse(&xml::text_of(inner));
            found.push((
                Heading {
                    level,
                    text,
                    path: Vec::new(),
                    start: tag.start,
                    end,
                    section_end: 0,
                },
                container,
            ));
            at = end;
            continue;
        }
        if tag.self_closing || xml::is_void(tag.name) {
            continue;
        }
        container_ends.push(storage.len());
        open.push((tag.name, container_ends.len() - 1));
    }
    let mut outline: Vec<(u8, String)> = Vec::new();
    let mut out = Vec::with_capacity(found.len());
    for (i, (heading, container)) in found.iter().enumerate() {
        let next = found[i + 1..]
            .iter()
            .find(|(h, c)| c == container && h.level <= heading.level)
            .map(|(h, _)| h.start);
        let mut heading = heading.clone();
        heading.section_end = next.unwrap_or(container_ends[*container]).max(heading.end);
        while outline.last().is_some_and(|(l, _)| *l >= heading.level) {
            outline.pop();
        }
        outline.push((heading.level, heading.text.clone()));
        heading.path = outline.iter().map(|(_, t)| t.clone()).collect();
        out.push(heading);
    }
    out
}

/// Why a section could not be chosen.
#[derive(Debug, PartialEq, Eq)]
pub enum NotFound {
    /// No heading has that text or path; the paths there are.
    Missing(Vec<String>),
    /// Several headings have it; their paths.
    Ambiguous(Vec<String>),
}

/// The heading `wanted` names: its text, or its path (`Install > Linux`,
/// or the end of one), compared with whitespace collapsed and case ignored.
pub fn find<'h>(headings: &'h [Heading], wanted: &str) -> Result<&'h Heading, NotFound> {
    let norm = |s: &str| super::read::collapse(s).to_lowercase();
    let wanted = norm(wanted);
    let by_text: Vec<&Heading> = headings
        .iter()
        .filter(|h| norm(&h.text) == wanted)
        .collect();
    let matches = if by_text.is_empty() {
        let parts: Vec<String> = wanted.split('>').map(&norm).collect();
        headings
            .iter()
            .filter(|h| {
                let path: Vec<String> = h.path.iter().map(|p| norm(p.as_str())).collect();
                path.ends_with(&parts)
            })
            .collect()
    } else {
        by_text
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(NotFound::Missing(
            headings.iter().map(Heading::path_text).collect(),
        )),
        many => Err(NotFound::Ambiguous(
            many.iter().map(|h| h.path_text()).collect(),
        )),
    }
}

/// `storage` with the content under `heading` replaced by `content`.
pub fn replace(storage: &str, heading: &Heading, content: &str) -> String {
    let mut out = String::with_capacity(storage.len() + content.len());
    out.push_str(&storage[..heading.end]);
    out.push_str(content);
    out.push_str(&storage[heading.section_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = concat!(
        "<h1>Guide</h1><p>intro</p>",
        "<h2>Install</h2><p>a</p><h3>Linux</h3><p>apt</p><h3>Mac</h3><p>brew</p>",
        "<h2>Upgrade</h2><ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[<h2>not a heading</h2>]]></ac:plain-text-body></ac:structured-macro>",
        "<h3>Linux</h3><p title=\"a > b\">x<br>y</p><!-- <h2>nor this</h2> -->",
        "<ac:layout><ac:layout-section><ac:layout-cell><h2>In a cell</h2><p>c</p></ac:layout-cell></ac:layout-section></ac:layout>",
        "<p>tail</p>"
    );

    #[test]
    fn headings_and_their_sections_are_found_in_the_text() {
        let found = headings(PAGE);
        let paths: Vec<String> = found.iter().map(Heading::path_text).collect();
        assert_eq!(
            paths,
            [
                "Guide",
                "Guide > Install",
                "Guide > Install > Linux",
                "Guide > Install > Mac",
                "Guide > Upgrade",
                "Guide > Upgrade > Linux",
                "Guide > In a cell",
            ]
        );
        let body = |h: &Heading| &PAGE[h.end..h.section_end];
        assert_eq!(body(&found[2]), "<p>apt</p>");
        assert!(
            body(&found[1]).starts_with("<p>a</p><h3>Linux</h3>")
                && body(&found[1]).ends_with("<p>brew</p>")
        );
        // A section runs over the layout that follows it, to the end.
        assert!(body(&found[5]).contains("<!-- <h2>nor this</h2> --><ac:layout>"));
        assert_eq!(found[5].section_end, PAGE.len());
        // A heading in a layout cell ends with the cell.
        assert_eq!(body(&found[6]), "<p>c</p>");
        // The document's first heading runs to the end, the layout and the tail included.
        assert_eq!(found[0].section_end, PAGE.len());
    }

    #[test]
    fn a_heading_is_chosen_by_text_or_by_path_and_refusals_name_the_headings() {
        let found = headings(PAGE);
        assert_eq!(
            find(&found, "  mac ").unwrap().path_text(),
            "Guide > Install > Mac"
        );
        assert_eq!(
            find(&found, "Upgrade > Linux").unwrap().start,
            found[5].start
        );
        assert_eq!(
            find(&found, "guide>install>linux").unwrap().start,
            found[2].start
        );
        let Err(NotFound::Ambiguous(paths)) = find(&found, "Linux") else {
            panic!("two Linux headings");
        };
        assert_eq!(
            paths,
            ["Guide > Install > Linux", "Guide > Upgrade > Linux"]
        );
        let Err(NotFound::Missing(paths)) = find(&found, "Windows") else {
            panic!("no Windows heading");
        };
        assert_eq!(paths.len(), 7);
    }

    #[test]
    fn replacing_a_section_keeps_every_other_byte() {
        let found = headings(PAGE);
        for heading in &found {
            let new = replace(PAGE, heading, "<p>NEW</p>");
            assert_eq!(&new[..heading.end], &PAGE[..heading.end]);
            assert_eq!(&new[heading.end..heading.end + 10], "<p>NEW</p>");
            assert_eq!(&new[heading.end + 10..], &PAGE[heading.section_end..]);
        }
    }

    #[test]
    fn every_heading_of_every_corpus_document_can_be_replaced_alone() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/convert/corpus");
        let mut replaced = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with(".storage.xml") {
                continue;
            }
            let storage = std::fs::read_to_string(&path).unwrap();
            for heading in headings(&storage) {
                assert!(heading.start < heading.end && heading.end <= heading.section_end);
                let new = replace(&storage, &heading, "<p>NEW</p>");
                assert!(
                    new.starts_with(&storage[..heading.end]),
                    "{}",
                    path.display()
                );
                assert!(
                    new.ends_with(&storage[heading.section_end..]),
                    "{}",
                    path.display()
                );
                // The new content reads back under the same heading.
                let again = headings(&new);
                let same = again.iter().find(|h| h.start == heading.start).unwrap();
                assert_eq!(
                    &new[same.end..same.end + 10],
                    "<p>NEW</p>",
                    "{}",
                    path.display()
                );
                replaced += 1;
            }
        }
        assert!(replaced >= 15, "only {replaced} headings in the corpus");
    }
}
