//! Content properties: create, get, list, update and delete, for each kind of
//! content that has them. The twenty actions come from one owner table and one
//! set of five operations, so an owner is one row here.

use super::Action;
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::platform::Method;

/// The id of a property, filling the path's `{property-id}`.
const PROPERTY_ID: Param = Param::new(
    "property-id",
    "Property Id",
    "The numeric id of the content property (as the property list returns it; not its key).",
    Kind::Id,
    Target::Path("property-id"),
)
.required()
.example(r#""1179649""#);

const CREATE_BODY: Param = Param::new(
    "body-data",
    "Body Data",
    "The property: {\"key\": \"...\", \"value\": ...}; the value may be any JSON.",
    crate::input::PROPERTY,
    Target::BodyRoot,
)
.required()
.default(r#"{"key":"<string>","value":"<string>"}"#)
.example(r#"{"key":"release","value":{"train":"2.4","approved":true}}"#);

const UPDATE_BODY: Param = Param::new(
    "body-data",
    "Body Data",
    "The new property: {\"key\": \"...\", \"value\": ..., \"version\": {\"number\": current + 1, \"message\": \"...\"}}. Leave the version out to let the connector read the current one and add one; leave the key out to keep it.",
    crate::input::PROPERTY_UPDATE,
    Target::BodyRoot,
)
.required()
.default(r#"{"key":"<string>","value":"<string>","version":{"number":84,"message":"<string>"}}"#)
.example(r#"{"value":{"train":"2.5","approved":true}}"#);

const KEY_FILTER: Param = Param::new(
    "key",
    "Key",
    "Only the property with this key.",
    Kind::String,
    Target::Query("key"),
);

const SORT: Param = Param::new(
    "sort",
    "Sort",
    "Sort the properties by key; a leading minus reverses it.",
    Kind::Select(&["key", "-key"]),
    Target::Query("sort"),
);

/// Generates the five property actions of one owner.
macro_rules! property_actions {
    (
        key: $key:literal,
        label: $label:literal,
        article: $article:literal,
        collection: $collection:literal,
        id: $id_key:literal => $path_name:literal,
        id_label: $id_label:literal,
        id_kind: $id_kind:expr,
        id_example: $id_example:literal $(,)?
    ) => {{
        const OWNER_ID: Param = Param::new(
            $id_key,
            $id_label,
            concat!("The id of the ", $label, " the property belongs to."),
            $id_kind,
            Target::Path($path_name),
        )
        .required()
        .example($id_example);
        const LIST: &str = concat!(
            "/wiki/api/v2/",
            $collection,
            "/{",
            $path_name,
            "}/properties"
        );
        const ONE: &str = concat!(
            "/wiki/api/v2/",
            $collection,
            "/{",
            $path_name,
            "}/properties/{property-id}"
        );
        [
            Action {
                key: concat!("create-content-property-for-", $key),
                label: concat!("Create Content Property for ", $article),
                description: concat!("Stores a new key/value property on ", $label, "."),
                group: "Content Properties",
                method: Method::Post,
                path: LIST,
                params: &[OWNER_ID, CREATE_BODY],
                paging: None,
                handler: None,
                rules: &[],
            },
            Action {
                key: concat!("get-content-property-for-", $key),
                label: concat!("Get Content Property for ", $article),
                description: concat!("Returns one property of ", $label, " by the property's id."),
                group: "Content Properties",
                method: Method::Get,
                path: ONE,
                params: &[OWNER_ID, PROPERTY_ID],
                paging: None,
                handler: None,
                rules: &[],
            },
            Action {
                key: concat!("list-content-properties-for-", $key),
                label: concat!("List Content Properties for ", $article),
                description: concat!(
                    "Lists the properties of ",
                    $label,
                    ", optionally only the one with a given key."
                ),
                group: "Content Properties",
                method: Method::Get,
                path: LIST,
                params: &[OWNER_ID, KEY_FILTER, SORT],
                paging: Some(&super::PAGING),
                handler: None,
                rules: &[],
            },
            Action {
                key: concat!("update-content-property-for-", $key),
                label: concat!("Update Content Property for ", $article),
                description: concat!(
                    "Replaces the value of a property of ",
                    $label,
                    "; without a version number the connector sends the current version plus one."
                ),
                group: "Content Properties",
                method: Method::Put,
                path: ONE,
                params: &[OWNER_ID, PROPERTY_ID, UPDATE_BODY],
                paging: None,
                handler: Some(actions::update_versioned),
                rules: &[],
            },
            Action {
                key: concat!("delete-content-property-for-", $key),
                label: concat!("Delete Content Property for ", $article),
                description: concat!("Deletes a property of ", $label, " by the property's id."),
                group: "Content Properties",
                method: Method::Delete,
                path: ONE,
                params: &[OWNER_ID, PROPERTY_ID],
                paging: None,
                handler: None,
                rules: &[],
            },
        ]
    }};
}

/// The twenty content-property actions: five operations for each owner.
pub fn actions() -> Vec<Action> {
    [
        property_actions!(key: "page", label: "a page", article: "Page", collection: "pages",
            id: "page-id" => "page-id", id_label: "Page Id", id_kind: Kind::Id, id_example: r#""12345678""#),
        property_actions!(key: "blog-post", label: "a blog post", article: "Blog Post", collection: "blogposts",
            id: "blog-post-id" => "blogpost-id", id_label: "Blog Post Id", id_kind: Kind::Id, id_example: r#""23456789""#),
        property_actions!(key: "attachment", label: "an attachment", article: "Attachment", collection: "attachments",
            id: "attachment-id" => "attachment-id", id_label: "Attachment Id", id_kind: Kind::Token, id_example: r#""att12345""#),
        property_actions!(key: "custom-content", label: "a custom content item", article: "Custom Content", collection: "custom-content",
            id: "custom-content-id" => "custom-content-id", id_label: "Custom Content Id", id_kind: Kind::Id, id_example: r#""34567890""#),
    ]
    .concat()
}
