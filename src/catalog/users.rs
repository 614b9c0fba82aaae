//! Users: the account a connection acts as.

use super::Action;
use connector_sdk::platform::Method;

/// The users group of the catalog.
pub const ACTIONS: &[Action] = &[Action {
    key: "get-current-user",
    label: "Get Current User",
    description: "Returns the account the connection acts as: its account id, display name and type.",
    group: "Users",
    method: Method::Get,
    path: "/wiki/rest/api/user/current",
    params: &[],
    paging: None,
    handler: None,
    rules: &[],
}];
