//! The catalog as the contract's `action-definition` records, and the
//! connector's `metadata`.

use crate::bindings::integration::connector::types::{
    ActionDefinition, ActionHints, ConnectorMetadata, Input, InputKind,
};
use crate::catalog::{self, Action};
use crate::input::{self, Kind, Param};
use connector_sdk::platform::Method;

/// The version of the contract (`wit/`) this connector is built against.
pub const CONTRACT_VERSION: &str = "0.2.0";

/// Who this connector is.
pub fn metadata() -> ConnectorMetadata {
    ConnectorMetadata {
        name: "confluence".into(),
        label: "Confluence Cloud".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        vendor: "The Confluence connector authors".into(),
        contract_version: CONTRACT_VERSION.into(),
        description: "Pages, blog posts, spaces, comments, attachments, labels, properties, \
                      search and a 14-stream sync for Confluence Cloud, over REST v2 and v1."
            .into(),
    }
}

/// Every action's definition, in catalog order.
pub fn actions() -> Vec<ActionDefinition> {
    catalog::actions().iter().map(action).collect()
}

/// One action's definition.
pub fn action(action: &Action) -> ActionDefinition {
    let params = action.all_params();
    ActionDefinition {
        key: action.key.into(),
        label: action.label.into(),
        description: action.description.into(),
        group: action.group.into(),
        inputs: params.iter().map(input).collect(),
        input_schema: input::schema(&params, action.rules).to_string(),
        hints: hints(action),
    }
}

/// How the action behaves, from its method; an action whose method is an input
/// (Raw Request) may do anything, so it is marked neither read-only nor idempotent.
fn hints(action: &Action) -> ActionHints {
    if action.param("method").is_some() {
        return ActionHints::DESTRUCTIVE;
    }
    let mut hints = ActionHints::empty();
    hints.set(ActionHints::READ_ONLY, action.method == Method::Get);
    hints.set(
        ActionHints::DESTRUCTIVE,
        matches!(action.method, Method::Delete | Method::Put),
    );
    hints.set(ActionHints::IDEMPOTENT, action.method.is_idempotent());
    hints.set(ActionHints::PAGINATED, action.paged);
    hints
}

/// One input's definition.
fn input(param: &Param) -> Input {
    let (kind, choices): (InputKind, &[&str]) = match param.kind {
        Kind::String | Kind::Id | Kind::Token | Kind::SitePath => (InputKind::String, &[]),
        Kind::Text | Kind::Base64 => (InputKind::Text, &[]),
        Kind::Integer { .. } => (InputKind::Integer, &[]),
        Kind::Boolean => (InputKind::Boolean, &[]),
        Kind::Select(choices) => (InputKind::Select, choices),
        Kind::List | Kind::IdList | Kind::Labels => (InputKind::StringList, &[]),
        Kind::SelectList(choices) => (InputKind::StringList, choices),
        Kind::Object
        | Kind::Body
        | Kind::Version
        | Kind::Pairs
        | Kind::Files
        | Kind::Headers
        | Kind::Json
        | Kind::Property { .. } => (InputKind::Json, &[]),
    };
    Input {
        key: param.key.into(),
        label: param.label.into(),
        description: param.comments.into(),
        kind,
        required: param.required,
        default: param.default.map(str::to_string),
        example: param.example.map(str::to_string),
        choices: choices.iter().map(|c| c.to_string()).collect(),
    }
}
