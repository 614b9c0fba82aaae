//! A catalog as the contract's `action-definition` records: inputs, JSON
//! Schema and hints, all from the table entries.

use crate::action::Action;
use crate::bindings::integration::connector::types::{
    ActionDefinition, ActionHints, Input, InputKind,
};
use crate::input::{self, Kind, Param};
use crate::platform::Method;

/// The version of the contract (`wit/`) this SDK builds connectors for.
pub const CONTRACT_VERSION: &str = "0.2.0";

/// Every action's definition, in catalog order.
pub fn actions(catalog: &[Action]) -> Vec<ActionDefinition> {
    catalog.iter().map(action).collect()
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

/// Adds to `definition`'s description the scopes the action needs, when it names any.
pub fn name_scopes(definition: &mut ActionDefinition, scopes: &[&str]) {
    if !scopes.is_empty() {
        definition.description = format!(
            "{} Scopes (OAuth 2.0, scoped tokens): {}.",
            definition.description,
            scopes.join(", ")
        );
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
    hints.set(ActionHints::PAGINATED, action.paging.is_some());
    hints
}

/// One input's definition.
fn input(param: &Param) -> Input {
    let (kind, choices): (InputKind, &[&str]) = match param.kind {
        Kind::String | Kind::Id | Kind::Token => (InputKind::String, &[]),
        Kind::Text | Kind::Base64 => (InputKind::Text, &[]),
        Kind::Integer { .. } => (InputKind::Integer, &[]),
        Kind::Boolean => (InputKind::Boolean, &[]),
        Kind::Select(choices) => (InputKind::Select, choices),
        Kind::List | Kind::IdList => (InputKind::StringList, &[]),
        Kind::SelectList(choices) => (InputKind::StringList, choices),
        Kind::Object | Kind::Pairs | Kind::Files | Kind::Headers | Kind::Json => {
            (InputKind::Json, &[])
        }
        Kind::Custom(custom) => (custom.input_kind(), &[]),
    };
    Input {
        key: param.key.into(),
        label: param.label.into(),
        description: param.description.into(),
        kind,
        required: param.required,
        default: param.default.map(str::to_string),
        example: param.example.map(str::to_string),
        choices: choices.iter().map(|c| c.to_string()).collect(),
    }
}
