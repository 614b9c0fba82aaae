//! Action inputs: the first byte picks an action of the catalog, the rest is
//! the input text. What `input::parse` accepts must have the shape its kind
//! promises, path inputs must be safe single segments, and the URL the action
//! would call must stay on the connection's site (or under its gateway prefix).

#![no_main]

mod common;

use common::{NoPlatform, assert_under, clients};
use confluence_connector::catalog::{self, Action};
use confluence_connector::input::{self, Args, Kind, Param, RESERVED_HEADERS, Target};
use confluence_connector::{http, site};
use connector_sdk::exec;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let actions = catalog::actions();
    let action = &actions[usize::from(pick) % actions.len()];
    let params = action.all_params();
    let Ok(args) = input::parse(&params, action.rules, text) else {
        return;
    };
    for param in &params {
        check_value(param, &args);
    }
    check_urls(action, &args);
});

/// The value of one accepted input has the form its kind promises.
fn check_value(param: &Param, args: &Args) {
    let key = param.key;
    let Some(value) = args.get(key) else {
        assert!(
            !param.required,
            "required `{key}` missing from accepted input"
        );
        return;
    };
    if let Target::Path(_) = param.target {
        let text = value
            .as_str()
            .unwrap_or_else(|| panic!("path input `{key}` is {value}"));
        assert!(
            input::is_token(text),
            "path input `{key}` is not one safe segment: {text:?}"
        );
    }
    let text = value.as_str();
    let strings = || -> Vec<String> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("`{key}` is not a list: {value}"))
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("`{key}` item {v}"))
                    .to_string()
            })
            .collect()
    };
    match param.kind {
        Kind::String => {
            let s = text.unwrap();
            assert!(
                !s.contains(['\r', '\n']) && s.trim() == s && !s.is_empty(),
                "{key}: {s:?}"
            );
        }
        Kind::Text => assert!(!text.unwrap().trim().is_empty()),
        Kind::Id => assert!(is_id(text.unwrap()), "{key}: {value}"),
        Kind::Token => assert!(input::is_token(text.unwrap()), "{key}: {value}"),
        Kind::Integer { min, max } => {
            let n = value.as_i64().unwrap_or_else(|| panic!("{key}: {value}"));
            assert!((min..=max).contains(&n), "{key}: {n}");
        }
        Kind::Boolean => assert!(value.is_boolean(), "{key}: {value}"),
        Kind::Select(choices) => assert!(choices.contains(&text.unwrap()), "{key}: {value}"),
        Kind::List => assert!(!strings().is_empty()),
        Kind::IdList => assert!(strings().iter().all(|s| is_id(s)), "{key}: {value}"),
        Kind::SelectList(choices) => {
            assert!(
                strings().iter().all(|s| choices.contains(&s.as_str())),
                "{key}: {value}"
            )
        }
        kind if kind.is_custom("labels") => {
            assert!(
                strings()
                    .iter()
                    .all(|s| !s.is_empty() && !s.contains(char::is_whitespace))
            )
        }
        kind if kind.is_custom("site-path") => {
            let path = text.unwrap();
            assert!(site::check_path(path).is_ok(), "{key}: {path:?}");
        }
        Kind::Headers => {
            for (name, value) in pairs(value) {
                let lower = name.trim().to_ascii_lowercase();
                assert!(
                    !RESERVED_HEADERS.contains(&lower.as_str()),
                    "header {name:?}"
                );
                assert!(
                    !lower.is_empty()
                        && lower
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)),
                    "header name {name:?}"
                );
                assert!(
                    !value.contains(['\r', '\n', '\0']),
                    "header {name}: {value:?}"
                );
            }
        }
        Kind::Files => {
            for (name, data) in pairs(value) {
                assert!(input::decode_base64(&data).is_ok(), "file {name}");
            }
        }
        Kind::Pairs => {
            let _ = pairs(value);
        }
        Kind::Object => assert!(value.is_object(), "{key}: {value}"),
        kind if input::is_property(kind) => {
            let map = value.as_object().unwrap();
            let update = kind.is_custom("property-update");
            assert!(map.contains_key("value") && (update || map.contains_key("key")));
        }
        kind if kind.is_custom("body") => {
            let map = value.as_object().unwrap();
            assert!(map["value"].is_string() && map["representation"].is_string());
        }
        Kind::Custom(_) | Kind::Json | Kind::Base64 => {}
    }
}

/// A numeric id as `input` normalises it: 1 to 20 ASCII digits.
fn is_id(text: &str) -> bool {
    (1..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// `[name, value]` pairs as the pairs kinds store them; every name non-blank.
fn pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("pairs input is {value}"))
        .iter()
        .map(|pair| {
            let name = pair[0].as_str().unwrap().to_string();
            assert!(!name.trim().is_empty(), "blank pair name in {value}");
            (name, pair[1].as_str().unwrap().to_string())
        })
        .collect()
}

/// Every URL the accepted input leads to stays under the API base, for a Basic
/// (site) and an OAuth 2.0 (gateway prefix) connection alike.
fn check_urls(action: &Action, args: &Args) {
    let platform = NoPlatform;
    for client in clients(&platform) {
        if let Ok((url, _)) = exec::build(&client, action, args) {
            let fixed = action.path.split('{').next().unwrap_or_default();
            // v2 paths are written whole in the table; the static part must survive.
            assert_under(&client, &url, fixed);
        }
        if action.key == "raw-request"
            && let Some(path) = args.str("url")
        {
            let query = args.get("query-parameter").map(pairs).unwrap_or_default();
            let url = http::with_query(&client.url(path, &[]), &query);
            assert_under(&client, &url, "/");
        }
    }
}
