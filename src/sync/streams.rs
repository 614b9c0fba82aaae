//! The streams a sync emits, each with its primary key and the JSON Schema of
//! its records: one table.

use serde_json::{Map, Value, json};

/// One stream of the table.
pub struct Stream {
    /// The key records carry.
    pub key: &'static str,
    /// Short label.
    pub label: &'static str,
    /// What a record is.
    pub description: &'static str,
    /// The fields that identify a record.
    pub primary_key: &'static [&'static str],
    /// The record's fields and their JSON types (`string`, `integer`, `array`, `object`, ...).
    pub fields: &'static [(&'static str, &'static str)],
}

/// The fields every content record carries (see `records::content_record`).
const CONTENT: &[(&str, &str)] = &[
    ("id", "string"),
    ("type", "string"),
    ("status", "string"),
    ("title", "string"),
    ("space-id", "string"),
    ("space-key", "string"),
    ("space-name", "string"),
    ("parent-id", "string"),
    ("ancestors", "array"),
    ("path", "string"),
    ("author", "string"),
    ("owner", "string"),
    ("last-modifier", "string"),
    ("created", "string"),
    ("modified", "string"),
    ("version", "integer"),
    ("web-url", "string"),
    ("labels", "array"),
    ("body", "object"),
];

/// Content fields plus what comments add.
const COMMENT: &[(&str, &str)] = &[
    ("id", "string"),
    ("type", "string"),
    ("status", "string"),
    ("title", "string"),
    ("space-key", "string"),
    ("container-id", "string"),
    ("container-type", "string"),
    ("parent-comment-id", "string"),
    ("location", "string"),
    ("inline-text", "string"),
    ("ancestors", "array"),
    ("path", "string"),
    ("author", "string"),
    ("created", "string"),
    ("modified", "string"),
    ("version", "integer"),
    ("web-url", "string"),
    ("body", "object"),
];

/// Every stream, in the order a run reads them.
pub const STREAMS: &[Stream] = &[
    Stream {
        key: "spaces",
        label: "Spaces",
        description: "The spaces the filters admit.",
        primary_key: &["id"],
        fields: &[
            ("id", "string"),
            ("key", "string"),
            ("name", "string"),
            ("type", "string"),
            ("status", "string"),
            ("homepage-id", "string"),
            ("author", "string"),
            ("created", "string"),
            ("description", "string"),
            ("web-url", "string"),
        ],
    },
    Stream {
        key: "pages",
        label: "Pages",
        description: "Pages with their place in the tree, people, dates, version, labels and body.",
        primary_key: &["id"],
        fields: CONTENT,
    },
    Stream {
        key: "blog-posts",
        label: "Blog Posts",
        description: "Blog posts with their people, dates, version, labels and body.",
        primary_key: &["id"],
        fields: CONTENT,
    },
    Stream {
        key: "folders",
        label: "Folders",
        description: "Folders of the page tree.",
        primary_key: &["id"],
        fields: CONTENT,
    },
    Stream {
        key: "footer-comments",
        label: "Footer Comments",
        description: "Comments at the bottom of pages and blog posts, replies included.",
        primary_key: &["id"],
        fields: COMMENT,
    },
    Stream {
        key: "inline-comments",
        label: "Inline Comments",
        description: "Comments anchored to text in pages and blog posts, with that text.",
        primary_key: &["id"],
        fields: COMMENT,
    },
    Stream {
        key: "attachments",
        label: "Attachments",
        description: "Files attached to pages and blog posts: metadata, and the bytes (base64) when the configuration asks and the file is small enough.",
        primary_key: &["id"],
        fields: &[
            ("id", "string"),
            ("title", "string"),
            ("file-name", "string"),
            ("media-type", "string"),
            ("file-size", "integer"),
            ("comment", "string"),
            ("container-id", "string"),
            ("container-type", "string"),
            ("space-key", "string"),
            ("author", "string"),
            ("created", "string"),
            ("modified", "string"),
            ("version", "integer"),
            ("web-url", "string"),
            ("download-url", "string"),
            ("bytes", "string"),
            ("bytes-omitted", "string"),
        ],
    },
    Stream {
        key: "labels",
        label: "Labels",
        description: "The labels found on synced content.",
        primary_key: &["id"],
        fields: &[("id", "string"), ("name", "string"), ("prefix", "string")],
    },
    Stream {
        key: "content-restrictions",
        label: "Content Restrictions",
        description: "Who may read and who may update each synced page, blog post or folder, when restricted.",
        primary_key: &["id"],
        fields: &[
            ("id", "string"),
            ("content-type", "string"),
            ("read", "object"),
            ("update", "object"),
        ],
    },
    Stream {
        key: "users",
        label: "Users",
        description: "The people who created, own or last edited synced content, resolved in bulk.",
        primary_key: &["account-id"],
        fields: &[
            ("account-id", "string"),
            ("display-name", "string"),
            ("public-name", "string"),
            ("email", "string"),
            ("account-type", "string"),
            ("picture", "string"),
        ],
    },
    Stream {
        key: "space-permissions",
        label: "Space Permissions",
        description: "Who may do what in each synced space.",
        primary_key: &["id"],
        fields: &[
            ("id", "string"),
            ("space-id", "string"),
            ("space-key", "string"),
            ("principal-type", "string"),
            ("principal-id", "string"),
            ("operation", "string"),
            ("target", "string"),
        ],
    },
    Stream {
        key: "groups",
        label: "Groups",
        description: "The site's groups.",
        primary_key: &["id"],
        fields: &[("id", "string"), ("name", "string"), ("type", "string")],
    },
    Stream {
        key: "group-members",
        label: "Group Members",
        description: "Who belongs to each group.",
        primary_key: &["id"],
        fields: &[
            ("id", "string"),
            ("group-id", "string"),
            ("account-id", "string"),
            ("display-name", "string"),
        ],
    },
    Stream {
        key: "audit-records",
        label: "Audit Records",
        description: "The site's audit log (site admins only), read incrementally by date.",
        primary_key: &["id"],
        fields: &[
            ("id", "string"),
            ("created", "integer"),
            ("author", "string"),
            ("summary", "string"),
            ("category", "string"),
            ("description", "string"),
            ("remote-address", "string"),
            ("affected-object", "object"),
        ],
    },
];

/// The JSON Schema of a stream's records: every field may also be null.
pub fn record_schema(stream: &Stream) -> Value {
    let properties: Map<String, Value> = stream
        .fields
        .iter()
        .map(|(name, kind)| (name.to_string(), json!({"type": [kind, "null"]})))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": stream.label,
        "type": "object",
        "properties": properties,
        "required": stream.primary_key,
    })
}
