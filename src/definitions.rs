//! The catalog as the contract's `action-definition` records.

use crate::bindings::integration::connector::types::{
    ActionDefinition, ActionHints, Input, InputKind,
};
use crate::catalog::{self, Action};
use crate::input::{self, Kind, Param};
use crate::platform::Method;

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
        return ActionHints {
            read_only: false,
            destructive: true,
            idempotent: false,
            paginated: false,
        };
    }
    ActionHints {
        read_only: action.method == Method::Get,
        destructive: matches!(action.method, Method::Delete | Method::Put),
        idempotent: action.method.is_idempotent(),
        paginated: action.paged,
    }
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
        comments: param.comments.into(),
        kind,
        required: param.required,
        default: param.default.map(str::to_string),
        example: param.example.map(str::to_string),
        choices: choices.iter().map(|c| c.to_string()).collect(),
    }
}
