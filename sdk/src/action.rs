//! One action as a table entry: its key, inputs, rules, the call it makes and,
//! for an action that is more than one call, its handler and what a handler
//! works with ([`Ctx`]); how a list pages ([`Paging`]); and the inputs every
//! entry gets (`debug`, and `fetch-all` and `max-results` for a list).
//!
//! A connector's catalog is a table of these; [`crate::exec`] runs them and
//! [`crate::definitions`] describes them to a host.

use crate::bindings::integration::connector::types::Output;
use crate::errors::Error;
use crate::http::Client;
use crate::input::rules::Rule;
use crate::input::{Args, Kind, Param, Target};
use crate::platform::Method;

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
    /// Its own inputs; `debug` and, for lists, the paging inputs are added.
    pub params: &'static [Param],
    /// How it pages, if it returns one page of a list.
    pub paging: Option<&'static Paging>,
    /// Code for an action that is more than one call; `None` runs the table entry as it is.
    pub handler: Option<Handler>,
    /// Rules tying its inputs together, checked before anything is sent.
    pub rules: &'static [Rule],
}

impl Action {
    /// An action that is one call of `method` to `path`, with no inputs yet;
    /// the methods below add them, as a `const` table entry can.
    pub const fn new(
        key: &'static str,
        label: &'static str,
        description: &'static str,
        group: &'static str,
        method: Method,
        path: &'static str,
    ) -> Action {
        Action {
            key,
            label,
            description,
            group,
            method,
            path,
            params: &[],
            paging: None,
            handler: None,
            rules: &[],
        }
    }

    /// The same action with these inputs of its own.
    pub const fn params(self, params: &'static [Param]) -> Action {
        Action { params, ..self }
    }

    /// The same action as one page of a list, paged as `paging` says.
    pub const fn paged(self, paging: &'static Paging) -> Action {
        Action {
            paging: Some(paging),
            ..self
        }
    }

    /// The same action run by `handler` instead of as its table entry.
    pub const fn handler(self, handler: Handler) -> Action {
        Action {
            handler: Some(handler),
            ..self
        }
    }

    /// The same action with rules tying its inputs together.
    pub const fn rules(self, rules: &'static [Rule]) -> Action {
        Action { rules, ..self }
    }

    /// Every input of the action: its own, the paging inputs if it is a
    /// list (the service's, then `fetch-all` and `max-results`), and `debug`.
    pub fn all_params(&self) -> Vec<Param> {
        let mut params = self.params.to_vec();
        if let Some(paging) = self.paging {
            params.extend_from_slice(paging.params);
            params.extend_from_slice(&[FETCH_ALL, MAX_RESULTS]);
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

/// How the lists of a service page: the inputs that choose a page, and the
/// page size `fetch-all` asks for. Where the next page is comes from the
/// service's [`crate::http::Api::next_link`].
#[derive(Debug)]
pub struct Paging {
    /// The inputs that choose a page, such as its size and a cursor; added
    /// to every list action's own.
    pub params: &'static [Param],
    /// With `fetch-all` and no page size given: the page-size input (one of
    /// `params`, sent as a query parameter) and the value to send, usually
    /// the largest page the service serves.
    pub fetch_all_size: Option<(&'static str, i64)>,
}

/// `fetch-all`: follow every next link.
pub const FETCH_ALL: Param = Param::new(
    "fetch-all",
    "Fetch All",
    "Follow every next link and return all results in one list, up to max-results.",
    Kind::Boolean,
    Target::Local,
)
.default("false");

/// `max-results`: where `fetch-all` stops.
pub const MAX_RESULTS: Param = Param::new(
    "max-results",
    "Max Results",
    "With fetch-all, stop after this many results.",
    Kind::Integer {
        min: 1,
        max: 1_000_000,
    },
    Target::Local,
)
.default("1000");

/// What a handler works with: the connection's client, and the catalog.
pub struct Ctx<'p> {
    /// The authenticated client for the connection.
    pub client: Client<'p>,
    /// Finds another action of the catalog by key (for a handler that runs
    /// another entry).
    pub find: fn(&str) -> Option<&'static Action>,
}

impl Ctx<'_> {
    /// The catalog's action `key`; its absence is a fault of the connector.
    pub fn action(&self, key: &str) -> Result<&'static Action, Error> {
        (self.find)(key)
            .ok_or_else(|| Error::Internal(format!("the catalog has no `{key}` action")))
    }
}
