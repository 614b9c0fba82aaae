//! Search Pages: writes the CQL for a page search and runs it as Search does.

use crate::bindings::integration::connector::types::Output;
use crate::catalog::{self, Action};
use crate::errors::Error;
use crate::exec::{Ctx, run};
use crate::input::Args;
use serde_json::json;

/// A CQL string literal: the value in double quotes, with `\` and `"` escaped.
/// Quoting is what lets values such as personal space keys (`~jane`), reserved
/// words and spaces through.
pub fn cql_quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

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
    if let Some(condition) = cql {
        clauses.push(format!("({})", condition.trim()));
    }
    clauses.join(" AND ")
}

/// Builds the CQL from `query`, `cql` and `space-key`, then runs the Search action with it.
pub fn search_pages(ctx: &Ctx, _action: &Action, args: &mut Args) -> Result<Output, Error> {
    let cql = page_search_cql(args.str("query"), args.str("cql"), args.str("space-key"));
    args.set("cql", json!(cql));
    let search = catalog::find("search")
        .ok_or_else(|| Error::Internal("the catalog has no `search` action".to_string()))?;
    run(ctx, search, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_values_the_way_cql_needs() {
        assert_eq!(cql_quote("~jane"), "\"~jane\"");
        assert_eq!(cql_quote(r#"say "hi" \ bye"#), r#""say \"hi\" \\ bye""#);
        assert_eq!(
            page_search_cql(Some("release notes"), Some("label = \"q4\""), Some("~jane")),
            r#"type = page AND space = "~jane" AND (title ~ "release notes" OR text ~ "release notes") AND (label = "q4")"#
        );
        assert_eq!(
            page_search_cql(None, Some("creator = currentUser()"), None),
            "type = page AND (creator = currentUser())"
        );
    }
}
