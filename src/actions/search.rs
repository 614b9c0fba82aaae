//! Search Pages: writes the CQL for a page search and runs it as Search does.

use crate::bindings::integration::connector::types::Output;
use crate::cql::quote as cql_quote;
use crate::errors::Error;
use crate::input::Args;
use connector_sdk::action::Action;
use connector_sdk::action::Ctx;
use connector_sdk::exec::run;
use serde_json::json;

/// The CQL of a page search: pages, in the space if given, matching the text
/// if given, and meeting the user's own condition if given.
pub fn page_search_cql(query: Option<&str>, cql: Option<&str>, space_key: Option<&str>) -> String {
    let mut clauses = vec!["type = page".to_string()];
    if let Some(key) = space_key {
        clauses.push(format!("space = {}", cql_quote(key.trim())));
    }
    if let Some(text) = query {
        let quoted = cql_quote(text.trim());
        clauses.push(format!("(title ~ {quoted} OR text ~ {quoted})"));
    }
    let mut order = "";
    if let Some(condition) = cql {
        let (condition, order_by) = split_order_by(condition);
        order = order_by;
        if !condition.trim().is_empty() {
            clauses.push(format!("({})", condition.trim()));
        }
    }
    let mut cql = clauses.join(" AND ");
    if !order.is_empty() {
        cql.push(' ');
        cql.push_str(order.trim());
    }
    cql
}

/// Splits a CQL condition from its trailing `ORDER BY ...` clause (outside
/// quoted values), so the condition can be combined and the order kept last.
fn split_order_by(cql: &str) -> (&str, &str) {
    let mut quote = None;
    let mut escaped = false;
    let mut previous = None;
    // Character by character: the offsets are always boundaries, so any text
    // (accents, CJK, emoji) slices safely.
    for (i, c) in cql.char_indices() {
        let before = previous.replace(c);
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {
                let at_word = before.is_none_or(|b: char| b.is_whitespace() || b == ')');
                let rest = &cql[i..];
                let mut words = rest.split_whitespace();
                if at_word
                    && words
                        .next()
                        .is_some_and(|w| w.eq_ignore_ascii_case("order"))
                    && words.next().is_some_and(|w| w.eq_ignore_ascii_case("by"))
                {
                    return (&cql[..i], rest);
                }
            }
        }
    }
    (cql, "")
}

/// Builds the CQL from `query`, `cql` and `space-key`, then runs the Search action with it.
pub fn search_pages(ctx: &Ctx, _action: &Action, args: &mut Args) -> Result<Output, Error> {
    let cql = page_search_cql(args.str("query"), args.str("cql"), args.str("space-key"));
    args.set("cql", json!(cql));
    let search = ctx.action("search")?;
    run(ctx, search, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_values_the_way_cql_needs() {
        assert_eq!(
            page_search_cql(Some("release notes"), Some("label = \"q4\""), Some("~jane")),
            r#"type = page AND space = "~jane" AND (title ~ "release notes" OR text ~ "release notes") AND (label = "q4")"#
        );
        assert_eq!(
            page_search_cql(None, Some("creator = currentUser()"), None),
            "type = page AND (creator = currentUser())"
        );
    }

    #[test]
    fn an_order_by_clause_stays_last() {
        assert_eq!(
            page_search_cql(
                Some("q"),
                Some(r#"label = "order by" ORDER BY created DESC"#),
                None
            ),
            r#"type = page AND (title ~ "q" OR text ~ "q") AND (label = "order by") ORDER BY created DESC"#
        );
        assert_eq!(
            page_search_cql(None, Some("order by title"), Some("ENG")),
            r#"type = page AND space = "ENG" order by title"#
        );
    }

    #[test]
    fn any_text_splits_on_character_boundaries() {
        assert_eq!(
            page_search_cql(None, Some("label = café"), None),
            "type = page AND (label = café)"
        );
        assert_eq!(
            page_search_cql(None, Some("title ~ \"日本語\" 😀 ORDER BY title"), None),
            "type = page AND (title ~ \"日本語\" 😀) ORDER BY title"
        );
        assert_eq!(
            split_order_by("é\u{301}\u{200f} order by x"),
            ("é\u{301}\u{200f} ", "order by x")
        );
    }
}
