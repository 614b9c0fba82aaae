//! Whole actions with non-ASCII text: the first byte picks an action of the
//! catalog; then, for every string input, a byte picks a piece of text from a
//! list that breaks code which slices at byte offsets (accents, combining
//! marks, CJK, emoji, right-to-left text and marks) and the following bytes
//! (up to a NUL) are mixed in. The action runs natively, handlers included,
//! against a platform that answers every request with JSON full of the same
//! kinds of text. Any panic is a finding: in the component it is a trap.

#![no_main]

use confluence_connector::bindings::integration::connector::types::Connection;
use confluence_connector::{Confluence, catalog};
use connector_sdk::Connector;
use confluence_connector::input::Kind;
use connector_sdk::platform::{
    HttpRequest, HttpResponse, LogLevel, Platform, TransportFailure,
};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// Text of every kind that is more than one byte a character.
const PIECES: &[&str] = &[
    "café",
    "e\u{301}",
    "日本語",
    "😀",
    "👩\u{200d}💻",
    "🇫🇷",
    "שלום",
    "\u{200f}",
    "\u{200e}عربى",
    "\u{200b}",
    "ß",
    "İ",
    " ORDER BY ",
    "\"",
    "label = ",
];

/// A platform whose every answer is the same JSON list of non-ASCII items.
struct Answering;

const ANSWER: &str = r#"{"id":"1","title":"Ünïcödé 日本 😀","status":"current","version":{"number":1},
"spaceId":"1","key":"É","name":"名前","downloadLink":"/download/attachments/1/é.png",
"body":{"storage":{"value":"<p>café e\u0301 \u200fשלום 😀 <a href=\"javascript:x\">ü</a></p>","representation":"storage"}},
"results":[{"id":"1","title":"ひらがな 😀","name":"é","content":{"id":"2"}}],"_links":{"base":"https://acme.atlassian.net/wiki"}}"#;

impl Platform for Answering {
    fn send(&self, _: &HttpRequest, _: usize) -> Result<HttpResponse, TransportFailure> {
        Ok(HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: ANSWER.as_bytes().to_vec(),
        })
    }
    fn sleep(&self, _: Duration) {}
    fn random_u64(&self) -> u64 {
        0
    }
    fn now_unix_secs(&self) -> u64 {
        1_700_000_000
    }
    fn log(&self, _: LogLevel, _: &str) {}
    fn secret(&self, _: &str) -> Option<String> {
        Some("tok".into())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    let actions = catalog::actions();
    let action = &actions[usize::from(pick) % actions.len()];
    let mut input = Map::new();
    for param in action.all_params() {
        if let Some(example) = param.example.and_then(|e| serde_json::from_str(e).ok()) {
            input.insert(param.key.to_string(), example);
        }
        if !(matches!(param.kind, Kind::String | Kind::Text) || param.kind.is_custom("site-path")) {
            continue;
        }
        let Some((&choice, after)) = rest.split_first() else {
            break;
        };
        let end = after.iter().position(|b| *b == 0).unwrap_or(after.len());
        let mixed = String::from_utf8_lossy(&after[..end]);
        rest = after.get(end + 1..).unwrap_or_default();
        let piece = PIECES[usize::from(choice) % PIECES.len()];
        let value = if choice & 0x80 == 0 {
            format!("{piece}{mixed}")
        } else {
            format!("{mixed}{piece}{mixed}")
        };
        input.insert(param.key.to_string(), json!(value));
    }
    let connection = Connection {
        definition: "basic".into(),
        values: json!({"email": "jane@acme.com", "host": "acme.atlassian.net"}).to_string(),
    };
    let _ = <Confluence as Connector>::invoke(
        &Answering,
        action.key,
        &connection,
        &Value::Object(input).to_string(),
    );
});
