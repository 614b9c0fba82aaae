//! Attachments: list, get, delete, upload and download.

use super::{
    Action, DATE_SORT, INCLUDE_LABELS, INCLUDE_OPERATIONS, INCLUDE_PROPERTIES, INCLUDE_VERSION,
    INCLUDE_VERSIONS, PAGE_ID, PURGE, QUERY_PARAMETERS, VERSION_READ,
};
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::platform::Method;

/// The id of an attachment (`att` and digits), filling the path's `{id}`.
pub(crate) const ATTACHMENT_ID: Param = Param::new(
    "attachment-id",
    "Attachment Id",
    "The id of the attachment, such as att12345 (as the attachment lists return it).",
    Kind::Token,
    Target::Path("id"),
)
.required()
.example(r#""att12345""#);

const LIST_FILTERS: [Param; 4] = [
    DATE_SORT,
    Param::new(
        "status",
        "Status",
        "Only attachments with these statuses.",
        Kind::SelectList(&["current", "archived", "trashed"]),
        Target::Query("status"),
    ),
    Param::new(
        "media-type",
        "Media Type",
        "Only attachments of this media type, such as image/png.",
        Kind::String,
        Target::Query("mediaType"),
    ),
    Param::new(
        "filename",
        "Filename",
        "Only attachments with exactly this file name.",
        Kind::String,
        Target::Query("filename"),
    ),
];

/// The attachments group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "list-attachments",
        label: "List Attachments",
        description: "Lists the attachments of the whole site, filtered by status, media type or file name.",
        group: "Attachments",
        method: Method::Get,
        path: "/wiki/api/v2/attachments",
        params: &[
            LIST_FILTERS[0],
            LIST_FILTERS[1],
            LIST_FILTERS[2],
            LIST_FILTERS[3],
            QUERY_PARAMETERS,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-attachment",
        label: "Get Attachment",
        description: "Returns one attachment's details: file name, media type, size, version and download link.",
        group: "Attachments",
        method: Method::Get,
        path: "/wiki/api/v2/attachments/{id}",
        params: &[
            ATTACHMENT_ID,
            VERSION_READ,
            INCLUDE_LABELS,
            INCLUDE_PROPERTIES,
            INCLUDE_OPERATIONS,
            INCLUDE_VERSIONS,
            INCLUDE_VERSION,
            QUERY_PARAMETERS,
        ],
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "get-page-attachments",
        label: "Get Attachments for Page",
        description: "Lists the attachments of one page, filtered by status, media type or file name.",
        group: "Attachments",
        method: Method::Get,
        path: "/wiki/api/v2/pages/{id}/attachments",
        params: &[
            PAGE_ID,
            LIST_FILTERS[0],
            LIST_FILTERS[1],
            LIST_FILTERS[2],
            LIST_FILTERS[3],
            QUERY_PARAMETERS,
        ],
        paging: Some(&super::PAGING),
        handler: None,
        rules: &[],
    },
    Action {
        key: "delete-attachment",
        label: "Delete Attachment",
        description: "Moves an attachment to the trash, or with purge deletes a trashed attachment for good.",
        group: "Attachments",
        method: Method::Delete,
        path: "/wiki/api/v2/attachments/{id}",
        params: &[ATTACHMENT_ID, PURGE],
        paging: None,
        handler: None,
        rules: &[],
    },
    Action {
        key: "upload-attachment",
        label: "Upload Attachment",
        description: "Attaches a file to a page or blog post. The file travels as base64 in the input; a file with the same name becomes a new version of that attachment only through Confluence's update call, so a duplicate name is refused.",
        group: "Attachments",
        method: Method::Post,
        path: "/wiki/rest/api/content/{id}/child/attachment",
        params: &[
            Param::new(
                "content-id",
                "Content Id",
                "The numeric id of the page or blog post to attach the file to.",
                Kind::Id,
                Target::Path("id"),
            )
            .required()
            .example(r#""12345678""#),
            Param::new(
                "file-data",
                "File Data",
                "The file's bytes, base64-encoded.",
                Kind::Base64,
                Target::Local,
            )
            .required()
            .example(r#""SGVsbG8sIHdvcmxkIQ==""#),
            Param::new(
                "file-name",
                "File Name",
                "The name the attachment gets, such as report.pdf.",
                Kind::String,
                Target::Local,
            )
            .required()
            .example(r#""hello.txt""#),
            Param::new(
                "media-type",
                "Media Type",
                "The file's media type; empty guesses it from the file name's extension.",
                Kind::String,
                Target::Local,
            )
            .example(r#""text/plain""#),
            Param::new(
                "comment",
                "Comment",
                "A comment stored with the attachment.",
                Kind::String,
                Target::Local,
            ),
            Param::new(
                "minor-edit",
                "Minor Edit",
                "Do not notify watchers or add to the activity stream.",
                Kind::Boolean,
                Target::Local,
            )
            .default("false"),
            Param::new(
                "status",
                "Status",
                "Attach to the published content (`current`) or to its draft (`draft`).",
                Kind::Select(&["current", "draft"]),
                Target::Query("status"),
            ),
        ],
        paging: None,
        handler: Some(actions::upload_attachment),
        rules: &[],
    },
    Action {
        key: "download-attachment",
        label: "Download Attachment",
        description: "Returns an attachment's file as binary output with its media type, following the attachment's download link on the connected site.",
        group: "Attachments",
        method: Method::Get,
        path: "/wiki/api/v2/attachments/{id}",
        params: &[ATTACHMENT_ID, VERSION_READ],
        paging: None,
        handler: Some(actions::download_attachment),
        rules: &[],
    },
];
