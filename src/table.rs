//! One action as a table entry: its key, inputs, rules, the call it makes and,
//! for an action that is more than one call, its handler and what a handler
//! works with ([`Ctx`]); and the inputs every entry gets (`debug`, and the
//! paging inputs of a list).

use crate::bindings::integration::connector::types::Output;
use crate::errors::Error;
use crate::http::Client;
use crate::input::{Args, Kind, Param, Target};
use crate::rules::Rule;
use connector_sdk::platform::Method;

/// A handler for an action that is more than one HTTP call.
pub type Handler = fn(&Ctx, &Action, &mut Args) -> Result<Output, Error>;

/// One action of the catalog.
#[derive(Clone)]
pub struct Action {
    /// Stable key, in kebab-case.
    pub key: &'static str,
    /// Short human label.
    pub label: &'static str,
    /// What it does and returns.
    pub description: &'static str,
    /// Catalog group.
    pub group: &'static str,
    /// The HTTP method of its (main) call.
    pub method: Method,
    /// The path template of its (main) call, with `{name}` placeholders.
    pub path: &'static str,
    /// Its own inputs; `debug` and, for lists, the paging inputs are added to every action.
    pub params: &'static [Param],
    /// Whether it returns one page of a cursor-paginated list.
    pub paged: bool,
    /// Code for an action that is more than one call; `None` runs the table entry as it is.
    pub handler: Option<Handler>,
    /// Rules tying its inputs together, checked before anything is sent.
    pub rules: &'static [Rule],
}

impl Action {
    /// Every input of the action: its own, the paging inputs if it is a list, and `debug`.
    pub fn all_params(&self) -> Vec<Param> {
        let mut params = self.params.to_vec();
        if self.paged {
            params.extend_from_slice(PAGING);
        }
        params.push(DEBUG);
        params
    }

    /// The declared input with key `key`.
    pub fn param(&self, key: &str) -> Option<Param> {
        self.all_params().into_iter().find(|p| p.key == key)
    }
}

/// `debug`: log the exchange.
pub const DEBUG: Param = Param::new(
    "debug",
    "Debug Request",
    "Log each request and response through the host's log, with credentials redacted.",
    Kind::Boolean,
    Target::Local,
)
.default("false");

/// The paging inputs of every list action.
pub const PAGING: &[Param] = &[
    Param::new("limit", "Limit", "How many results one page holds (1 to 250). With fetch-all the connector asks for 250 per page unless this is set.", Kind::Integer { min: 1, max: 250 }, Target::Query("limit")).default("25"),
    Param::new("cursor", "Cursor", "Where to continue: the cursor from the `next` link of a previous page. Empty starts at the beginning.", Kind::String, Target::Query("cursor")),
    Param::new("fetch-all", "Fetch All", "Follow every next link and return all results in one list, up to max-results.", Kind::Boolean, Target::Local).default("false"),
    Param::new("max-results", "Max Results", "With fetch-all, stop after this many results.", Kind::Integer { min: 1, max: 1_000_000 }, Target::Local).default("1000"),
];

/// What a handler works with: the connection's client, and the catalog.
pub struct Ctx<'p> {
    /// The authenticated client for the connection's site.
    pub client: Client<'p>,
    /// Finds another action of the catalog by key (a handler that runs
    /// another entry, such as Search Pages running Search).
    pub find: fn(&str) -> Option<&'static Action>,
}

impl Ctx<'_> {
    /// The catalog's action `key`; its absence is a fault of the connector.
    pub fn action(&self, key: &str) -> Result<&'static Action, Error> {
        (self.find)(key)
            .ok_or_else(|| Error::Internal(format!("the catalog has no `{key}` action")))
    }
}
