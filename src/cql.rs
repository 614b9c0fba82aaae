//! CQL, the Confluence Query Language, as the catalog and the sync write it.

/// A CQL string literal: the value in double quotes, with `\` and `"` escaped.
/// Quoting is what lets values such as personal space keys (`~jane`), reserved
/// words and spaces through.
pub fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_and_escaped() {
        assert_eq!(quote("~jane"), "\"~jane\"");
        assert_eq!(quote(r#"say "hi" \ bye"#), r#""say \"hi\" \\ bye""#);
    }
}
