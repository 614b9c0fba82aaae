//! Reference-preserving write-back: Markdown read from a page and edited is
//! written over the page's current storage so that every top-level element
//! whose Markdown the edit left alone goes back as the bytes it was, and only
//! what was edited (or added) is converted anew.
//!
//! The page's storage is cut into its top-level elements (module `sections`'
//! tag scan: byte offsets, comments and CDATA skipped). Each element is read
//! to Markdown on its own and split into top-level Markdown blocks, as is the
//! Markdown given; the two block sequences are aligned (longest common
//! subsequence, after the common start and end). An element all of whose
//! blocks come back unchanged, one after the other, is kept byte for byte,
//! with the whitespace before it, and so is one moved elsewhere whole; every run of other blocks is converted
//! from the Markdown given. A mismatch can only cost preservation, never
//! content: what is not kept is written from the Markdown.

use super::sections::next_tag;
use super::{LinkContext, storage, storage_to_markdown, xml};
use pulldown_cmark::{Event, Parser};
use std::ops::Range;

/// The largest alignment table (blocks of the page times blocks of the
/// Markdown, after their common start and end) worth filling; past it the
/// differing middle is converted whole.
const MAX_CELLS: usize = 4_000_000;

/// The storage to send for `markdown` over a page whose storage is
/// `current`, read into Markdown with `links`.
pub fn merge(current: &str, markdown: &str, links: &LinkContext) -> String {
    if storage_to_markdown(current, links).trim() == markdown.trim() {
        return current.to_string();
    }
    splice(current, markdown, links)
}

/// The merge element by element: the kept elements' bytes, and the other
/// blocks of `markdown` converted, in the Markdown's order.
fn splice(current: &str, markdown: &str, links: &LinkContext) -> String {
    let last_task = last_task_id(current);
    let new = blocks(markdown);
    let units = units(current, links);
    if units.is_empty() || new.is_none() {
        return storage::convert_after(markdown, last_task, links);
    }
    let new = new.unwrap_or_default();
    let old: Vec<&str> = units
        .iter()
        .flat_map(|u| u.blocks.iter().map(String::as_str))
        .collect();
    let texts: Vec<String> = new.iter().map(|r| key(&markdown[r.clone()])).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let matches = align(&old, &texts);
    // Which unit each block of the Markdown given starts, when kept: those
    // aligned in order first, then those moved elsewhere whole.
    let mut kept_at: Vec<Option<&Unit>> = vec![None; new.len()];
    let mut taken = vec![false; new.len()];
    let mut moved = Vec::new();
    let mut first = 0;
    for unit in &units {
        let count = unit.blocks.len();
        let at = &matches[first..first + count];
        match at.first() {
            Some(Some(start)) if at.iter().enumerate().all(|(i, m)| *m == Some(start + i)) => {
                kept_at[*start] = Some(unit);
                taken[*start..*start + count].fill(true);
            }
            _ => moved.push(unit),
        }
        first += count;
    }
    if moved.len().saturating_mul(texts.len()) <= MAX_CELLS {
        for unit in moved {
            let count = unit.blocks.len();
            let found = (0..texts.len().saturating_sub(count - 1)).find(|&j| {
                !taken[j..j + count].contains(&true)
                    && unit.blocks.iter().zip(&texts[j..]).all(|(a, b)| a == b)
            });
            if let Some(j) = found {
                kept_at[j] = Some(unit);
                taken[j..j + count].fill(true);
            }
        }
    }
    let mut out = String::with_capacity(current.len() + markdown.len());
    let mut pending: Option<Range<usize>> = None;
    let mut j = 0;
    while j < new.len() {
        if let Some(unit) = kept_at[j] {
            if let Some(run) = pending.take() {
                out.push_str(&storage::convert_after(&markdown[run], last_task, links));
            }
            out.push_str(&current[unit.range.clone()]);
            j += unit.blocks.len();
            continue;
        }
        let block = new[j].clone();
        pending = Some(match pending {
            Some(run) => run.start..block.end,
            None => block,
        });
        j += 1;
    }
    if let Some(run) = pending {
        out.push_str(&storage::convert_after(&markdown[run], last_task, links));
    }
    out
}

/// A run of the page's storage (one top-level element, with the whitespace
/// and empty elements before it) and the Markdown blocks it reads as.
#[derive(Debug)]
struct Unit {
    range: Range<usize>,
    blocks: Vec<String>,
}

/// The page's storage cut into units that cover it whole, in order; empty
/// when no element reads as any Markdown.
fn units(storage: &str, links: &LinkContext) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut from = 0;
    for element in top_level(storage) {
        let markdown = storage_to_markdown(&storage[element.clone()], links);
        let Some(ranges) = blocks(&markdown) else {
            return Vec::new();
        };
        if ranges.is_empty() {
            continue;
        }
        let blocks = ranges.into_iter().map(|r| key(&markdown[r])).collect();
        units.push(Unit {
            range: from..element.end,
            blocks,
        });
        from = element.end;
    }
    if let Some(last) = units.last_mut() {
        last.range.end = storage.len();
    }
    units
}

/// The top-level nodes of a storage document: each element from its start
/// tag to its end tag, and each run of text between them that is not blank.
/// An element left open runs to the end.
fn top_level(storage: &str) -> Vec<Range<usize>> {
    let mut nodes = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut at = 0;
    loop {
        let tag = next_tag(storage, at);
        let text_end = tag.as_ref().map_or(storage.len(), |t| t.start);
        if open.is_empty() && !storage[at..text_end].trim().is_empty() {
            nodes.push(at..text_end);
        }
        let Some(tag) = tag else { break };
        if tag.closing {
            if let Some(i) = open.iter().rposition(|name| *name == tag.name) {
                open.truncate(i);
                if open.is_empty() {
                    nodes.push(start..tag.end);
                }
            }
        } else if tag.self_closing || xml::is_void(tag.name) {
            if open.is_empty() {
                nodes.push(tag.start..tag.end);
            }
        } else {
            if open.is_empty() {
                start = tag.start;
            }
            open.push(tag.name);
        }
        at = tag.end;
    }
    if !open.is_empty() {
        nodes.push(start..storage.len());
    }
    nodes
}

/// The byte ranges of the top-level blocks of `markdown`, or `None` when it
/// defines link references (a block cut out of it would lose them).
fn blocks(markdown: &str) -> Option<Vec<Range<usize>>> {
    let mut parser = Parser::new_ext(markdown, storage::OPTIONS).into_offset_iter();
    let mut ranges = Vec::new();
    let mut depth = 0usize;
    for (event, range) in parser.by_ref() {
        match event {
            Event::Start(_) => {
                if depth == 0 {
                    ranges.push(range);
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ if depth == 0 => ranges.push(range),
            _ => {}
        }
    }
    parser
        .reference_definitions()
        .iter()
        .next()
        .is_none()
        .then_some(ranges)
}

/// For each of `old`, the index of the equal entry of `new` it is aligned
/// with, if any: the longest common subsequence, in order.
fn align(old: &[&str], new: &[&str]) -> Vec<Option<usize>> {
    let mut matches = vec![None; old.len()];
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    for (i, m) in matches.iter_mut().enumerate().take(prefix) {
        *m = Some(i);
    }
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    for k in 0..suffix {
        matches[old.len() - 1 - k] = Some(new.len() - 1 - k);
    }
    let a = &old[prefix..old.len() - suffix];
    let b = &new[prefix..new.len() - suffix];
    if a.is_empty() || b.is_empty() || a.len().saturating_mul(b.len()) > MAX_CELLS {
        return matches;
    }
    // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut lengths = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i * width + j] = if a[i] == b[j] {
                lengths[(i + 1) * width + j + 1] + 1
            } else {
                lengths[(i + 1) * width + j].max(lengths[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            matches[prefix + i] = Some(prefix + j);
            i += 1;
            j += 1;
        } else if lengths[(i + 1) * width + j] >= lengths[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    matches
}

/// What a Markdown block is compared by: its text without trailing
/// whitespace, with list markers written one way (`*` and `+` items as `-`,
/// `1)` as `1.`), since a list's marker depends on the list before it.
fn key(block: &str) -> String {
    let mut out = String::with_capacity(block.len());
    for line in block.trim_end().lines() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        out.push_str(indent);
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if let Some(rest) = body.strip_prefix("* ").or_else(|| body.strip_prefix("+ ")) {
            out.push_str("- ");
            out.push_str(rest);
        } else if digits > 0 && body[digits..].starts_with(") ") {
            out.push_str(&body[..digits]);
            out.push('.');
            out.push_str(&body[digits + 1..]);
        } else {
            out.push_str(body);
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// The highest task id the page's storage holds (`<ac:task-id>7</ac:task-id>`), 0 without tasks.
pub(crate) fn last_task_id(storage: &str) -> u64 {
    storage
        .split("<ac:task-id>")
        .skip(1)
        .filter_map(|rest| rest.split('<').next()?.trim().parse().ok())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::tests::corpus;

    fn ctx() -> LinkContext {
        LinkContext::new("https://acme.atlassian.net/wiki", "ENG", "11")
    }

    /// The top-level blocks of `markdown`, as text.
    fn block_texts(markdown: &str) -> Vec<String> {
        blocks(markdown)
            .unwrap()
            .into_iter()
            .map(|r| markdown[r].trim_end().to_string())
            .collect()
    }

    #[test]
    fn an_unedited_page_goes_back_byte_for_byte_whole_and_element_by_element() {
        for (name, storage) in corpus() {
            let md = storage_to_markdown(&storage, &ctx());
            assert_eq!(merge(&storage, &md, &ctx()), storage, "{name}");
            assert_eq!(
                splice(&storage, &md, &ctx()),
                storage,
                "{name}, element by element"
            );
        }
    }

    #[test]
    fn editing_one_paragraph_keeps_every_other_element_byte_for_byte() {
        let mut edits = 0;
        for (name, storage) in corpus() {
            let md = storage_to_markdown(&storage, &ctx());
            let units = units(&storage, &ctx());
            let texts = block_texts(&md);
            let mut first = 0;
            for unit in &units {
                let count = unit.blocks.len();
                // A paragraph of words, alone in its element.
                let plain = count == 1
                    && texts[first]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
                    && !texts[first].contains('\n');
                if plain {
                    let mut edited = texts.clone();
                    edited[first].push_str(" Edited.");
                    let merged = merge(&storage, &edited.join("\n\n"), &ctx());
                    edits += 1;
                    let before = &storage[..unit.range.start];
                    let after = &storage[unit.range.end..];
                    assert!(
                        merged.starts_with(before),
                        "{name}, block {first}: the elements before"
                    );
                    assert!(
                        merged.ends_with(after),
                        "{name}, block {first}: the elements after"
                    );
                    let middle = &merged[before.len()..merged.len() - after.len()];
                    assert!(
                        middle.contains("Edited."),
                        "{name}, block {first}: {middle}"
                    );
                }
                first += count;
            }
        }
        assert!(edits >= 37, "{edits} paragraphs edited");
    }

    #[test]
    fn a_real_page_sized_document_keeps_all_but_the_edit() {
        // Every well-formed corpus document eight times over: about 1,000
        // blocks (in `repairs`, an element left open runs to the end).
        let storage: String = (0..8)
            .flat_map(|_| {
                corpus()
                    .into_iter()
                    .filter(|(n, _)| n != "repairs")
                    .map(|(_, s)| s)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let md = storage_to_markdown(&storage, &ctx());
        let texts = block_texts(&md);
        assert!(texts.len() > 900, "{} blocks", texts.len());
        let at = texts.len() / 2
            + texts[texts.len() / 2..]
                .iter()
                .position(|t| t.starts_with(char::is_alphabetic) && !t.contains('\n'))
                .unwrap();
        let mut edited = texts.clone();
        edited[at] = format!("{} Edited.", edited[at]);
        let merged = merge(&storage, &edited.join("\n\n"), &ctx());
        // The element holding that block is the only one written anew.
        let units = units(&storage, &ctx());
        let mut first = 0;
        let unit = units
            .iter()
            .find(|u| {
                first += u.blocks.len();
                first > at
            })
            .unwrap();
        let (before, after) = (&storage[..unit.range.start], &storage[unit.range.end..]);
        assert!(merged.starts_with(before) && merged.ends_with(after));
        let middle = &merged[before.len()..merged.len() - after.len()];
        assert!(middle.ends_with("Edited.</p>"), "{middle}");
    }

    #[test]
    fn blocks_added_moved_and_removed_leave_the_rest_as_it_was() {
        let storage = concat!(
            "<h1>Plan</h1>\n",
            "<ac:structured-macro ac:name=\"toc\" ac:macro-id=\"7\"><ac:parameter ac:name=\"maxLevel\">2</ac:parameter></ac:structured-macro>\n",
            "<p>See <ac:link><ri:page ri:content-title=\"Setup guide\"/></ac:link>.</p>\n",
            "<p>Old news.</p>\n",
            "<p><ac:image ac:width=\"300\"><ri:attachment ri:filename=\"plan.png\"/></ac:image></p>\n",
        );
        let md = storage_to_markdown(storage, &ctx());
        let texts = block_texts(&md);
        assert_eq!(texts.len(), 5, "{md}");
        // Drop "Old news.", add a paragraph after the heading, and move the image up.
        let edited = [
            texts[0].as_str(),
            "A new paragraph.",
            texts[4].as_str(),
            texts[1].as_str(),
            texts[2].as_str(),
        ]
        .join("\n\n");
        let merged = merge(storage, &edited, &ctx());
        let lines: Vec<&str> = storage.lines().collect();
        assert!(!merged.contains("Old news"), "{merged}");
        // Each element goes back with the whitespace before it (the last, with that after it too).
        let expected = format!(
            "{}<p>A new paragraph.</p>\n{}\n\n{}\n{}",
            lines[0], lines[4], lines[1], lines[2]
        );
        assert_eq!(merged, expected);
    }

    #[test]
    fn new_tasks_are_numbered_after_the_pages_own() {
        let storage = "<ac:task-list><ac:task><ac:task-id>41</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Old</ac:task-body></ac:task></ac:task-list>";
        let md = storage_to_markdown(storage, &ctx());
        // (An item added to the list would change the list's block, so the list would be written anew.)
        let merged = merge(storage, &format!("{md}\n\nThen:\n\n- [x] New"), &ctx());
        assert!(merged.starts_with(storage), "{merged}");
        assert!(merged.contains("<ac:task-id>42</ac:task-id>"), "{merged}");
        assert_eq!(last_task_id(&merged), 42);
        assert_eq!(last_task_id("<p>none</p>"), 0);
    }

    #[test]
    fn markdown_with_link_references_is_converted_whole() {
        let storage = "<p>One.</p><p>Two.</p>";
        let merged = merge(
            storage,
            "One.\n\nTwo [site][s].\n\n[s]: https://example.com",
            &ctx(),
        );
        assert_eq!(
            merged,
            "<p>One.</p><p>Two <a href=\"https://example.com\">site</a>.</p>"
        );
    }

    #[test]
    fn list_markers_do_not_count_as_edits() {
        assert_eq!(key("* a\n  + b\n3) c  \n"), "- a\n  - b\n3. c");
        let storage = "<ul><li>a</li></ul><ul><li>b</li></ul>";
        let md = storage_to_markdown(storage, &ctx());
        assert_eq!(splice(storage, &md, &ctx()), storage, "{md}");
    }

    #[test]
    fn pages_and_markdown_cut_anywhere_never_panic() {
        for (name, storage) in corpus() {
            let md = storage_to_markdown(&storage, &ctx());
            for cut in (0..storage.len())
                .step_by(97)
                .filter(|&c| storage.is_char_boundary(c))
            {
                let merged = merge(&storage[..cut], &md, &ctx());
                assert!(
                    !merged.is_empty() || md.trim().is_empty(),
                    "{name} at {cut}"
                );
            }
            for cut in (0..md.len())
                .step_by(31)
                .filter(|&c| md.is_char_boundary(c))
            {
                merge(&storage, &md[..cut], &ctx());
            }
        }
    }

    #[test]
    fn a_page_emptied_or_without_elements_is_written_from_the_markdown() {
        assert_eq!(merge("<p>One.</p>", "", &ctx()), "");
        assert_eq!(merge("", "Hello", &ctx()), "<p>Hello</p>");
        assert_eq!(merge("<p></p>", "Hello", &ctx()), "<p>Hello</p>");
    }
}
