//! Cutting text a message quotes (an input, a key, a link, a body) down to a
//! readable length, always on a character boundary, so that any text
//! (accents, CJK, emoji) is cut safely.

/// The first `max_chars` characters of `text` when it has more, else `None`.
pub fn head(text: &str, max_chars: usize) -> Option<&str> {
    text.char_indices()
        .nth(max_chars)
        .map(|(cut, _)| &text[..cut])
}

/// How many characters of a user's text (an input, a key, an address) a
/// message quotes.
pub const QUOTED_CHARS: usize = 60;

/// At most [`QUOTED_CHARS`] characters of `text`, as a message quotes it.
pub fn quoted(text: &str) -> String {
    clip(text, QUOTED_CHARS)
}

/// At most `max_chars` characters of `text`, with `…` where it was cut.
pub fn clip(text: &str, max_chars: usize) -> String {
    match head(text, max_chars) {
        Some(head) => format!("{head}…"),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_character_boundaries() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("日本語のページ", 2), "日本…");
        assert_eq!(head("😀😀", 1), Some("😀"));
        assert_eq!(head("😀", 1), None);
    }
}
