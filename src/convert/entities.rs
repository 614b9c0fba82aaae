//! HTML named character references that Confluence storage uses.
//!
//! Storage is read as XML, which only knows `&amp;`, `&lt;`, `&gt;`, `&quot;`
//! and `&apos;`; the editor also writes HTML names such as `&nbsp;` and
//! `&rsquo;`. This table holds the common ones: Latin-1 letters and symbols,
//! typographic punctuation, arrows, mathematical symbols and some Greek
//! letters. A name it does not hold is kept in the text as written, never
//! dropped.

/// Each name and its text, sorted by name (byte order) for a binary search:
/// a table is a few kilobytes smaller in the component than a `match`.
const NAMED: [(&str, &str); 192] = [
    ("AElig", "\u{c6}"),
    ("Aacute", "\u{c1}"),
    ("Acirc", "\u{c2}"),
    ("Agrave", "\u{c0}"),
    ("Aring", "\u{c5}"),
    ("Atilde", "\u{c3}"),
    ("Auml", "\u{c4}"),
    ("Ccedil", "\u{c7}"),
    ("Dagger", "\u{2021}"),
    ("Delta", "\u{394}"),
    ("ETH", "\u{d0}"),
    ("Eacute", "\u{c9}"),
    ("Ecirc", "\u{ca}"),
    ("Egrave", "\u{c8}"),
    ("Euml", "\u{cb}"),
    ("Iacute", "\u{cd}"),
    ("Icirc", "\u{ce}"),
    ("Igrave", "\u{cc}"),
    ("Iuml", "\u{cf}"),
    ("Ntilde", "\u{d1}"),
    ("OElig", "\u{152}"),
    ("Oacute", "\u{d3}"),
    ("Ocirc", "\u{d4}"),
    ("Ograve", "\u{d2}"),
    ("Omega", "\u{3a9}"),
    ("Oslash", "\u{d8}"),
    ("Otilde", "\u{d5}"),
    ("Ouml", "\u{d6}"),
    ("Prime", "\u{2033}"),
    ("Scaron", "\u{160}"),
    ("Sigma", "\u{3a3}"),
    ("THORN", "\u{de}"),
    ("Uacute", "\u{da}"),
    ("Ucirc", "\u{db}"),
    ("Ugrave", "\u{d9}"),
    ("Uuml", "\u{dc}"),
    ("Yacute", "\u{dd}"),
    ("Yuml", "\u{178}"),
    ("aacute", "\u{e1}"),
    ("acirc", "\u{e2}"),
    ("acute", "\u{b4}"),
    ("aelig", "\u{e6}"),
    ("agrave", "\u{e0}"),
    ("alpha", "\u{3b1}"),
    ("amp", "&"),
    ("and", "\u{2227}"),
    ("apos", "'"),
    ("aring", "\u{e5}"),
    ("asymp", "\u{2248}"),
    ("atilde", "\u{e3}"),
    ("auml", "\u{e4}"),
    ("bdquo", "\u{201e}"),
    ("beta", "\u{3b2}"),
    ("brvbar", "\u{a6}"),
    ("bull", "\u{2022}"),
    ("cap", "\u{2229}"),
    ("ccedil", "\u{e7}"),
    ("cedil", "\u{b8}"),
    ("cent", "\u{a2}"),
    ("check", "\u{2713}"),
    ("circ", "\u{2c6}"),
    ("clubs", "\u{2663}"),
    ("copy", "\u{a9}"),
    ("cross", "\u{2717}"),
    ("cup", "\u{222a}"),
    ("curren", "\u{a4}"),
    ("dArr", "\u{21d3}"),
    ("dagger", "\u{2020}"),
    ("darr", "\u{2193}"),
    ("deg", "\u{b0}"),
    ("delta", "\u{3b4}"),
    ("diams", "\u{2666}"),
    ("divide", "\u{f7}"),
    ("eacute", "\u{e9}"),
    ("ecirc", "\u{ea}"),
    ("egrave", "\u{e8}"),
    ("empty", "\u{2205}"),
    ("emsp", "\u{2003}"),
    ("ensp", "\u{2002}"),
    ("epsilon", "\u{3b5}"),
    ("equiv", "\u{2261}"),
    ("eth", "\u{f0}"),
    ("euml", "\u{eb}"),
    ("euro", "\u{20ac}"),
    ("exist", "\u{2203}"),
    ("fnof", "\u{192}"),
    ("forall", "\u{2200}"),
    ("frac12", "\u{bd}"),
    ("frac14", "\u{bc}"),
    ("frac34", "\u{be}"),
    ("frasl", "\u{2044}"),
    ("gamma", "\u{3b3}"),
    ("ge", "\u{2265}"),
    ("gt", ">"),
    ("hArr", "\u{21d4}"),
    ("harr", "\u{2194}"),
    ("hearts", "\u{2665}"),
    ("hellip", "\u{2026}"),
    ("iacute", "\u{ed}"),
    ("icirc", "\u{ee}"),
    ("iexcl", "\u{a1}"),
    ("igrave", "\u{ec}"),
    ("infin", "\u{221e}"),
    ("iquest", "\u{bf}"),
    ("isin", "\u{2208}"),
    ("iuml", "\u{ef}"),
    ("lArr", "\u{21d0}"),
    ("lambda", "\u{3bb}"),
    ("laquo", "\u{ab}"),
    ("larr", "\u{2190}"),
    ("ldquo", "\u{201c}"),
    ("le", "\u{2264}"),
    ("lowast", "\u{2217}"),
    ("loz", "\u{25ca}"),
    ("lrm", "\u{200e}"),
    ("lsaquo", "\u{2039}"),
    ("lsquo", "\u{2018}"),
    ("lt", "<"),
    ("macr", "\u{af}"),
    ("mdash", "\u{2014}"),
    ("micro", "\u{b5}"),
    ("middot", "\u{b7}"),
    ("minus", "\u{2212}"),
    ("mu", "\u{3bc}"),
    ("nbsp", "\u{a0}"),
    ("ndash", "\u{2013}"),
    ("ne", "\u{2260}"),
    ("not", "\u{ac}"),
    ("notin", "\u{2209}"),
    ("ntilde", "\u{f1}"),
    ("oacute", "\u{f3}"),
    ("ocirc", "\u{f4}"),
    ("oelig", "\u{153}"),
    ("ograve", "\u{f2}"),
    ("oline", "\u{203e}"),
    ("omega", "\u{3c9}"),
    ("or", "\u{2228}"),
    ("ordf", "\u{aa}"),
    ("ordm", "\u{ba}"),
    ("oslash", "\u{f8}"),
    ("otilde", "\u{f5}"),
    ("ouml", "\u{f6}"),
    ("para", "\u{b6}"),
    ("part", "\u{2202}"),
    ("permil", "\u{2030}"),
    ("phi", "\u{3c6}"),
    ("pi", "\u{3c0}"),
    ("plusmn", "\u{b1}"),
    ("pound", "\u{a3}"),
    ("prime", "\u{2032}"),
    ("prod", "\u{220f}"),
    ("quot", "\""),
    ("rArr", "\u{21d2}"),
    ("radic", "\u{221a}"),
    ("raquo", "\u{bb}"),
    ("rarr", "\u{2192}"),
    ("rdquo", "\u{201d}"),
    ("reg", "\u{ae}"),
    ("rlm", "\u{200f}"),
    ("rsaquo", "\u{203a}"),
    ("rsquo", "\u{2019}"),
    ("sbquo", "\u{201a}"),
    ("scaron", "\u{161}"),
    ("sect", "\u{a7}"),
    ("shy", "\u{ad}"),
    ("sigma", "\u{3c3}"),
    ("spades", "\u{2660}"),
    ("star", "\u{2606}"),
    ("starf", "\u{2605}"),
    ("sum", "\u{2211}"),
    ("sup1", "\u{b9}"),
    ("sup2", "\u{b2}"),
    ("sup3", "\u{b3}"),
    ("szlig", "\u{df}"),
    ("tau", "\u{3c4}"),
    ("thinsp", "\u{2009}"),
    ("thorn", "\u{fe}"),
    ("tilde", "\u{2dc}"),
    ("times", "\u{d7}"),
    ("trade", "\u{2122}"),
    ("uArr", "\u{21d1}"),
    ("uacute", "\u{fa}"),
    ("uarr", "\u{2191}"),
    ("ucirc", "\u{fb}"),
    ("ugrave", "\u{f9}"),
    ("uml", "\u{a8}"),
    ("uuml", "\u{fc}"),
    ("yacute", "\u{fd}"),
    ("yen", "\u{a5}"),
    ("yuml", "\u{ff}"),
    ("zwj", "\u{200d}"),
    ("zwnj", "\u{200c}"),
];

/// The text a named reference (without `&` and `;`) stands for.
pub(crate) fn named(name: &str) -> Option<&'static str> {
    NAMED
        .binary_search_by(|(k, _)| k.cmp(&name))
        .ok()
        .map(|i| NAMED[i].1)
}

/// The character a numeric reference (`#65`, `#x41`, without `&` and `;`)
/// stands for; `None` for a malformed number or a code point that is not a
/// character (0, a surrogate, or beyond U+10FFFF).
pub(crate) fn numeric(reference: &str) -> Option<char> {
    let digits = reference.strip_prefix('#')?;
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u32>().ok()?,
    };
    char::from_u32(code).filter(|&c| c != '\0')
}

/// Replaces every reference in `raw` (an attribute value as written) by its
/// text; a reference that is malformed or unknown stays as it was written.
pub(crate) fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after
            .char_indices()
            .take(32)
            .find(|&(_, c)| c == ';' || c == '&' || c.is_whitespace());
        match end {
            Some((semi, ';')) => {
                let name = &after[..semi];
                if let Some(c) = numeric(name) {
                    out.push(c);
                } else if let Some(text) = named(name) {
                    out.push_str(text);
                } else {
                    out.push('&');
                    out.push_str(name);
                    out.push(';');
                }
                rest = &after[semi + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` with `%XX` escapes decoded, if the result is UTF-8.
pub(crate) fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_for_its_binary_search() {
        assert!(NAMED.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(named("Delta"), Some("\u{394}"));
        assert_eq!(named("delta"), Some("\u{3b4}"));
        assert_eq!(named("NBSP"), None);
    }

    #[test]
    fn names_numbers_and_unknown_references() {
        assert_eq!(
            decode("a&nbsp;b &mdash; &#65;&#x42; &bogus; & x &amp;"),
            "a\u{a0}b \u{2014} AB &bogus; & x &"
        );
        assert_eq!(decode("&#0;&#xD800;&#99999999;"), "&#0;&#xD800;&#99999999;");
        assert_eq!(decode("tail &"), "tail &");
    }
}
