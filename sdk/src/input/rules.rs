//! Rules that tie an action's inputs together (exactly one of these, not both
//! of those), checked with the inputs before anything is sent, and stated in
//! the action's JSON Schema so a host can check them too.

use super::{Args, Kind, Param};
use crate::errors::{Error, invalid_input};
use serde_json::{Value, json};

/// One rule over several inputs.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// Exactly one of these inputs must be given.
    ExactlyOne(&'static [&'static str]),
    /// At least one of these inputs must be given.
    AtLeastOne(&'static [&'static str]),
    /// The first input excludes each of the others (a boolean counts when `true`).
    NotBoth(&'static str, &'static [&'static str]),
    /// `field` is required unless input `unless` has the value `value`.
    RequiredUnless {
        /// The input that is usually required.
        field: &'static str,
        /// The input whose value can lift the requirement.
        unless: &'static str,
        /// That value.
        value: &'static str,
    },
    /// Every name among the pairs of the first input is also a name among the
    /// pairs of the second (file names for files that exist).
    NamesWithin(&'static str, &'static str),
}

/// Whether `key` counts as given: present, and `true` if it is a boolean.
fn given(args: &Args, key: &str) -> bool {
    match args.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(_) => true,
        None => false,
    }
}

/// The names of a pairs input.
fn names(args: &Args, key: &str) -> Vec<String> {
    args.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|pair| pair[0].as_str().map(str::to_string))
        .collect()
}

/// Checks every rule; the error names the input to change.
pub fn check(rules: &[Rule], args: &Args) -> Result<(), Error> {
    for rule in rules {
        match *rule {
            Rule::ExactlyOne(keys) => {
                let present: Vec<&str> = keys.iter().copied().filter(|k| given(args, k)).collect();
                if present.len() != 1 {
                    return Err(invalid_input(
                        present.get(1).or(keys.first()).copied().unwrap_or("input"),
                        format!("give exactly one of {}", list(keys)),
                    ));
                }
            }
            Rule::AtLeastOne(keys) => {
                if !keys.iter().any(|k| given(args, k)) {
                    return Err(invalid_input(
                        keys.first().copied().unwrap_or("input"),
                        format!("give at least one of {}", list(keys)),
                    ));
                }
            }
            Rule::NotBoth(first, others) => {
                if given(args, first)
                    && let Some(other) = others.iter().find(|k| given(args, k))
                {
                    return Err(invalid_input(
                        first,
                        format!("give either `{first}` or `{other}`, not both"),
                    ));
                }
            }
            Rule::RequiredUnless {
                field,
                unless,
                value,
            } => {
                if !given(args, field) && args.str(unless) != Some(value) {
                    return Err(invalid_input(
                        field,
                        format!("`{field}` is required unless `{unless}` is {value}"),
                    ));
                }
            }
            Rule::NamesWithin(inner, outer) => {
                let known = names(args, outer);
                if let Some(orphan) = names(args, inner).into_iter().find(|n| !known.contains(n)) {
                    return Err(invalid_input(
                        inner,
                        format!("`{orphan}` is named in `{inner}` but has no entry in `{outer}`"),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `a`, `b` or `c`.
fn list(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// The rules as JSON Schema conditions, for the input schema's `allOf`.
pub fn schema(rules: &[Rule], params: &[Param]) -> Vec<Value> {
    // A schema for "`key` is given", as [`given`] reads it.
    let present = |key: &str| {
        let boolean = params
            .iter()
            .any(|p| p.key == key && matches!(p.kind, Kind::Boolean));
        if boolean {
            json!({"required": [key], "properties": {key: {"const": true}}})
        } else {
            json!({"required": [key]})
        }
    };
    let mut out = Vec::new();
    for rule in rules {
        match *rule {
            Rule::ExactlyOne(keys) => {
                out.push(json!({"oneOf": keys.iter().map(|k| present(k)).collect::<Vec<_>>()}));
            }
            Rule::AtLeastOne(keys) => {
                out.push(json!({"anyOf": keys.iter().map(|k| present(k)).collect::<Vec<_>>()}));
            }
            Rule::NotBoth(first, others) => {
                for other in others {
                    out.push(json!({"not": {"allOf": [present(first), present(other)]}}));
                }
            }
            Rule::RequiredUnless {
                field,
                unless,
                value,
            } => out.push(json!({
                "if": {"required": [unless], "properties": {unless: {"const": value}}},
                "else": {"required": [field]}
            })),
            Rule::NamesWithin(..) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Target, parse};

    const PARAMS: &[Param] = &[
        Param::new("a", "A", "A.", Kind::String, Target::Local),
        Param::new("b", "B", "B.", Kind::String, Target::Local),
        Param::new("flag", "Flag", "Flag.", Kind::Boolean, Target::Local),
        Param::new("status", "Status", "Status.", Kind::String, Target::Local),
    ];

    fn field(rules: &[Rule], input: &str) -> Option<String> {
        match parse(PARAMS, rules, input) {
            Ok(_) => None,
            Err(Error::InvalidInput(f)) => Some(f.field),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_rule_names_the_input_to_change() {
        let one = [Rule::ExactlyOne(&["a", "b"])];
        assert_eq!(field(&one, r#"{"a":"x"}"#), None);
        assert_eq!(field(&one, r#"{}"#).as_deref(), Some("a"));
        assert_eq!(field(&one, r#"{"a":"x","b":"y"}"#).as_deref(), Some("b"));
        let any = [Rule::AtLeastOne(&["a", "b"])];
        assert_eq!(field(&any, r#"{"b":"y"}"#), None);
        assert_eq!(field(&any, r#"{"a":""}"#).as_deref(), Some("a"));
        let not_both = [Rule::NotBoth("a", &["flag"])];
        assert_eq!(field(&not_both, r#"{"a":"x","flag":false}"#), None);
        assert_eq!(
            field(&not_both, r#"{"a":"x","flag":true}"#).as_deref(),
            Some("a")
        );
        let unless = [Rule::RequiredUnless {
            field: "a",
            unless: "status",
            value: "draft",
        }];
        assert_eq!(field(&unless, r#"{"status":"draft"}"#), None);
        assert_eq!(
            field(&unless, r#"{"status":"current"}"#).as_deref(),
            Some("a")
        );
    }

    #[test]
    fn the_schema_states_the_same_rules() {
        let rules = [Rule::ExactlyOne(&["a", "b"]), Rule::NotBoth("a", &["flag"])];
        let conditions = schema(&rules, PARAMS);
        assert_eq!(
            conditions[0],
            json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]})
        );
        assert_eq!(
            conditions[1],
            json!({"not": {"allOf": [{"required": ["a"]}, {"required": ["flag"], "properties": {"flag": {"const": true}}}]}})
        );
    }
}
