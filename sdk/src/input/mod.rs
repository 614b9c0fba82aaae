//! Action inputs: how each is declared (here), validated ([`parse`]), tied
//! together ([`rules`]) and described to a host as a JSON Schema ([`schema`]).
//!
//! Every action declares its inputs as a table of [`Param`]s; [`parse`] checks a
//! user's JSON object against that table and yields [`Args`], and the same table
//! produces the catalog's input list and JSON Schema, so the three never drift.
//! The declarations depend on nothing else here; the rules on them; parsing and
//! the schema on both.

mod parse;
pub mod rules;
mod schema;
#[cfg(test)]
mod tests;

pub use parse::{check_value, decode_base64, is_token, must_be, parse};
pub use schema::{kind_schema, schema};

use crate::bindings::integration::connector::types::InputKind;
use crate::errors::Error;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The largest input object accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// The type of an input and how its value is read.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A non-empty single-line string.
    String,
    /// A non-empty string that may span lines.
    Text,
    /// A numeric id, given as a string of digits or a whole number.
    Id,
    /// A whole number within bounds.
    Integer {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false` (the strings `"true"` and `"false"` are accepted too).
    Boolean,
    /// One of the listed strings.
    Select(&'static [&'static str]),
    /// A list of strings, as an array or one comma-separated string.
    List,
    /// A list of numeric ids, as an array or one comma-separated string.
    IdList,
    /// A list of strings, each one of the listed values.
    SelectList(&'static [&'static str]),
    /// A JSON object (or its JSON text).
    Object,
    /// An identifier that is one path segment, such as an attachment id (`att123`):
    /// letters, digits, `-` and `_`.
    Token,
    /// Name/value pairs, as an object of plain values or a list of `{"key":..,"value":..}`;
    /// read as a list of `[name, value]` pairs (a name may repeat).
    Pairs,
    /// Any JSON value: a string is kept as text, anything else as JSON.
    Json,
    /// Bytes, base64-encoded.
    Base64,
    /// Name/value pairs as [`Kind::Pairs`], each value base64-encoded bytes.
    Files,
    /// Request headers as [`Kind::Pairs`]: valid names, no line breaks, and none
    /// of the headers the connector owns ([`RESERVED_HEADERS`]).
    Headers,
    /// A kind the connector defines itself, for values only its service knows
    /// the shape of.
    Custom(&'static dyn CustomKind),
}

/// A kind of input a connector defines for itself, when none of the [`Kind`]s
/// fits: how its values are checked, how a form shows them, and their schema.
/// A unit struct implementing it is declared as
/// `Kind::Custom(&MyKind)`.
pub trait CustomKind: Sync {
    /// A short name, for debug output and for telling kinds apart.
    fn name(&self) -> &'static str;

    /// Checks a value given for input `key` and returns it in canonical form,
    /// or an invalid-input error naming `key` ([`must_be`] words the usual one).
    fn check(&self, key: &str, value: &Value) -> Result<Value, Error>;

    /// How a form shows the input; by default as JSON.
    fn input_kind(&self) -> InputKind {
        InputKind::Json
    }

    /// The JSON Schema of a value.
    fn schema(&self) -> Value;
}

impl fmt::Debug for dyn CustomKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Kind {
    /// Whether this is the custom kind named `name`.
    pub fn is_custom(&self, name: &str) -> bool {
        matches!(self, Kind::Custom(kind) if kind.name() == name)
    }
}

/// Headers a user may not set: the credential, and what the transport owns.
pub const RESERVED_HEADERS: [&str; 6] = [
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "proxy-authorization",
];

/// Where an input's value goes in the request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// Fills the `{name}` placeholder of the path.
    Path(&'static str),
    /// A query parameter of this name.
    Query(&'static str),
    /// A top-level field of this name in the JSON request body.
    Body(&'static str),
    /// An object whose entries are all added as query parameters.
    ExtraQuery,
    /// A JSON object whose fields become the top-level fields of the request body.
    BodyRoot,
    /// Read by the connector itself, not sent.
    Local,
}

/// One declared input of an action.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// The key in the input object.
    pub key: &'static str,
    /// The label a form shows.
    pub label: &'static str,
    /// What the value means.
    pub description: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Where it goes.
    pub target: Target,
    /// Whether the input is invalid without it.
    pub required: bool,
    /// The value the service (or the connector) uses when it is absent, as JSON text.
    pub default: Option<&'static str>,
    /// A typical value, as JSON text.
    pub example: Option<&'static str>,
}

impl Param {
    /// An optional input.
    pub const fn new(
        key: &'static str,
        label: &'static str,
        description: &'static str,
        kind: Kind,
        target: Target,
    ) -> Param {
        Param {
            key,
            label,
            description,
            kind,
            target,
            required: false,
            default: None,
            example: None,
        }
    }

    /// The same input, required.
    pub const fn required(self) -> Param {
        Param {
            required: true,
            ..self
        }
    }

    /// The same input with a default, as JSON text.
    pub const fn default(self, default: &'static str) -> Param {
        Param {
            default: Some(default),
            ..self
        }
    }

    /// The same input with an example, as JSON text.
    pub const fn example(self, example: &'static str) -> Param {
        Param {
            example: Some(example),
            ..self
        }
    }

    /// The same input sent under another target.
    pub const fn to(self, target: Target) -> Param {
        Param { target, ..self }
    }
}

/// Validated input values by key; absent and empty optional inputs are left out.
#[derive(Debug, Default, Clone)]
pub struct Args {
    values: BTreeMap<&'static str, Value>,
    defaults: BTreeMap<&'static str, Value>,
}

impl Args {
    /// The value given for `key`, if any.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// The value given for `key`, else its declared default.
    pub fn get_or_default(&self, key: &str) -> Option<&Value> {
        self.values.get(key).or_else(|| self.defaults.get(key))
    }

    /// A string value.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A boolean value or its default; `false` when neither.
    pub fn flag(&self, key: &str) -> bool {
        self.get_or_default(key)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// A whole-number value or its default.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.get_or_default(key).and_then(Value::as_i64)
    }

    /// Sets a value, as a handler does when it fills in what the user left out.
    pub fn set(&mut self, key: &'static str, value: Value) {
        self.values.insert(key, value);
    }

    /// Every given value with its key.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }
}

/// At most 60 characters of `text` ([`crate::text::quoted`]).
pub use crate::text::quoted as shorten;
