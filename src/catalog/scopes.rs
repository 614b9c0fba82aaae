//! The scopes each action needs with OAuth 2.0 or a scoped API token: those
//! the official OpenAPI documents' security requirements name for every
//! endpoint the action calls (`tests/all/catalog.rs` holds the table to them).
//! Raw requests need whatever their endpoint needs, so they name none.

/// Action key and scopes, in catalog order.
#[rustfmt::skip]
pub const SCOPES: &[(&str, &[&str])] = &[
    ("list-spaces", &["read:space:confluence"]),
    ("get-space", &["read:space:confluence"]),
    ("search-spaces", &["read:space:confluence"]),
    ("list-pages", &["read:page:confluence"]),
    ("list-pages-in-space", &["read:page:confluence"]),
    ("get-page", &["read:page:confluence"]),
    ("create-page", &["write:page:confluence"]),
    ("update-page", &["read:page:confluence", "write:page:confluence"]),
    ("delete-page", &["delete:page:confluence"]),
    ("get-page-children", &["read:hierarchical-content:confluence"]),
    ("get-page-ancestors", &["read:content.metadata:confluence"]),
    ("get-page-descendants", &["read:hierarchical-content:confluence"]),
    ("get-page-versions", &["read:page:confluence"]),
    ("get-page-as-markdown", &["read:page:confluence"]),
    ("upsert-page-from-markdown", &["read:page:confluence", "write:page:confluence"]),
    ("update-page-section", &["read:page:confluence", "write:page:confluence"]),
    ("append-to-page", &["read:page:confluence", "write:page:confluence"]),
    ("list-blog-posts", &["read:page:confluence"]),
    ("get-blog-post", &["read:page:confluence"]),
    ("create-blog-post", &["write:page:confluence"]),
    ("update-blog-post", &["read:page:confluence", "write:page:confluence"]),
    ("delete-blog-post", &["delete:page:confluence"]),
    ("list-attachments", &["read:attachment:confluence"]),
    ("get-attachment", &["read:attachment:confluence"]),
    ("get-page-attachments", &["read:attachment:confluence"]),
    ("delete-attachment", &["delete:attachment:confluence"]),
    ("upload-attachment", &["write:confluence-file"]),
    ("download-attachment", &["read:attachment:confluence"]),
    ("create-content-property-for-page", &["read:page:confluence", "write:page:confluence"]),
    ("get-content-property-for-page", &["read:page:confluence"]),
    ("list-content-properties-for-page", &["read:page:confluence"]),
    ("update-content-property-for-page", &["read:page:confluence", "write:page:confluence"]),
    ("delete-content-property-for-page", &["read:page:confluence", "write:page:confluence"]),
    ("create-content-property-for-blog-post", &["read:page:confluence", "write:page:confluence"]),
    ("get-content-property-for-blog-post", &["read:page:confluence"]),
    ("list-content-properties-for-blog-post", &["read:page:confluence"]),
    ("update-content-property-for-blog-post", &["read:page:confluence", "write:page:confluence"]),
    ("delete-content-property-for-blog-post", &["read:page:confluence", "write:page:confluence"]),
    ("create-content-property-for-attachment", &["read:attachment:confluence", "write:attachment:confluence"]),
    ("get-content-property-for-attachment", &["read:attachment:confluence"]),
    ("list-content-properties-for-attachment", &["read:attachment:confluence"]),
    ("update-content-property-for-attachment", &["read:attachment:confluence", "write:attachment:confluence"]),
    ("delete-content-property-for-attachment", &["read:attachment:confluence", "write:attachment:confluence"]),
    ("create-content-property-for-custom-content", &["read:custom-content:confluence", "write:custom-content:confluence"]),
    ("get-content-property-for-custom-content", &["read:custom-content:confluence"]),
    ("list-content-properties-for-custom-content", &["read:custom-content:confluence"]),
    ("update-content-property-for-custom-content", &["read:custom-content:confluence", "write:custom-content:confluence"]),
    ("delete-content-property-for-custom-content", &["read:custom-content:confluence", "write:custom-content:confluence"]),
    ("get-page-labels", &["read:page:confluence"]),
    ("get-pages-by-label", &["read:confluence-content.summary", "read:page:confluence"]),
    ("add-labels", &["write:confluence-content"]),
    ("remove-label", &["write:confluence-content"]),
    ("list-page-footer-comments", &["read:comment:confluence"]),
    ("list-blog-post-footer-comments", &["read:comment:confluence"]),
    ("get-footer-comment", &["read:comment:confluence"]),
    ("create-footer-comment", &["write:comment:confluence"]),
    ("update-footer-comment", &["read:comment:confluence", "write:comment:confluence"]),
    ("delete-footer-comment", &["delete:comment:confluence"]),
    ("list-page-inline-comments", &["read:comment:confluence"]),
    ("list-blog-post-inline-comments", &["read:comment:confluence"]),
    ("get-inline-comment", &["read:comment:confluence"]),
    ("search", &["search:confluence"]),
    ("search-pages", &["search:confluence"]),
    ("get-current-user", &["read:confluence-user"]),
    ("raw-request", &[]),
    ("raw-graphql-request", &[]),
];

/// The scopes action `key` needs (none for an unknown key).
pub fn of(key: &str) -> &'static [&'static str] {
    SCOPES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(&[], |(_, scopes)| scopes)
}
