//! Confluence through the SDK's HTTP client: its name in messages, what its
//! error answers mean (a `410 Gone` is an endpoint Atlassian removed, named
//! with its replacement; everything else as the SDK reads it), and how its
//! lists link on (see `paging.rs`).

pub use connector_sdk::http::*;
use connector_sdk::platform::{HttpResponse, Method};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::errors::{self, Error};

/// Confluence Cloud, as the client reads its answers.
pub struct Confluence;

impl Api for Confluence {
    fn name(&self) -> &str {
        "Confluence"
    }

    fn error(
        &self,
        method: Method,
        url: &str,
        status: u16,
        body: &[u8],
        retry_after_secs: Option<u64>,
    ) -> Error {
        if status == 410 {
            errors::gone(method.as_str(), url, body)
        } else {
            errors::from_status(status, body, retry_after_secs)
        }
    }

    fn next_link(&self, response: &HttpResponse, body: &Value) -> Option<String> {
        crate::paging::next_link(response, body)
    }

    fn item_id(&self, item: &RawValue) -> Option<String> {
        crate::paging::item_id(item)
    }
}

/// Parses a 2xx body of Confluence as JSON; an answer that is not JSON is an
/// upstream error.
pub fn parse_json(response: &HttpResponse) -> Result<Value, Error> {
    parse_json_from(Confluence.name(), response)
}
