//! Raw requests: any REST path on the connected site, and any GraphQL document,
//! with the connection's credentials.

use super::Action;
use crate::actions;
use crate::input::{Kind, Param, Target};
use connector_sdk::input::rules::Rule;
use connector_sdk::platform::Method;

/// The raw requests group of the catalog.
pub const ACTIONS: &[Action] = &[
    Action {
        key: "raw-request",
        label: "Raw Request",
        description: "Sends any HTTP request to a path of the connected site with the connection's credentials, for endpoints the catalog does not cover.",
        group: "Raw",
        method: Method::Get,
        path: "/",
        params: &[
            Param::new("url", "URL", "The path on the connected site, such as /wiki/api/v2/attachments; the site's address is added for you. Full URLs and other hosts are refused, because the credentials travel with the request.", crate::input::SITE_PATH, Target::Local).required().example(r#""/wiki/api/v2/spaces""#),
            Param::new("method", "Method", "The HTTP method.", Kind::Select(&["GET", "POST", "PUT", "PATCH", "DELETE"]), Target::Local).default(r#""GET""#),
            Param::new("data", "Data", "The request body: JSON (an object or list) is sent as application/json, a string as it is.", Kind::Json, Target::Local),
            Param::new("form-data", "Form Data", "Text fields of a multipart/form-data body, as {\"name\": \"value\"}.", Kind::Pairs, Target::Local),
            Param::new("file-data", "File Data", "Files of a multipart/form-data body, as {\"field\": \"base64 bytes\"}.", Kind::Files, Target::Local),
            Param::new("file-data-file-names", "File Data File Names", "The file name of each file above, as {\"field\": \"report.pdf\"}; the keys match those of File Data.", Kind::Pairs, Target::Local),
            Param::new("query-parameter", "Query Parameter", "Query parameters added to the URL, as {\"name\": \"value\"} or a list of {\"key\", \"value\"}.", Kind::Pairs, Target::Local).example(r#"{"limit":"5"}"#),
            Param::new("header", "Header", "Extra request headers, as {\"name\": \"value\"}. Authorization and Host cannot be set.", Kind::Headers, Target::Local),
            Param::new("response-type", "Response Type", "How to read the answer: `json` (checked and returned as JSON), `text`, or `binary` (the bytes with their media type).", Kind::Select(&["json", "text", "binary"]), Target::Local).default(r#""json""#),
            Param::new("timeout", "Timeout", "The longest wait, in milliseconds, for the response to start and between its parts; empty keeps the connector's 60 s.", Kind::Integer { min: 1, max: 600_000 }, Target::Local),
            Param::new("retry-delay-ms", "Retry Delay (ms)", "The wait between retries, in milliseconds, when exponential backoff is off.", Kind::Integer { min: 0, max: 600_000 }, Target::Local).default("0"),
            Param::new("retry-on-all-errors", "Retry On All Errors", "Retry after any error answer (such as 409 or 429), not only after server errors (5xx) and network failures.", Kind::Boolean, Target::Local).default("false"),
            Param::new("max-retry-count", "Max Retry Count", "How many times to retry a failed request; 0 never retries. A retry repeats the request as it is, also a POST.", Kind::Integer { min: 0, max: 10 }, Target::Local).default("0"),
            Param::new("use-exponential-backoff", "Use Exponential Backoff", "Wait 250 ms, then twice as long before each further retry (capped at 4 s, with jitter), instead of the fixed retry delay.", Kind::Boolean, Target::Local).default("false"),
        ],
        paging: None,
        handler: Some(actions::raw_request),
        rules: &[
            Rule::NotBoth("data", &["form-data", "file-data"]),
            Rule::NamesWithin("file-data-file-names", "file-data"),
        ],
    },
    Action {
        key: "raw-graphql-request",
        label: "Raw GraphQL Request",
        description: "Sends a GraphQL query or mutation to Atlassian's GraphQL gateway with the connection's credentials. Errors in the answer become an error that keeps their messages.",
        group: "Raw",
        method: Method::Post,
        path: "/gateway/api/graphql",
        params: &[
            Param::new("query", "Query or Mutation", "The GraphQL document to run.", Kind::Text, Target::Local).required().example(r#""query { me { user { name } } }""#),
            Param::new("variables", "Variables", "Values of the document's variables, as a JSON object.", Kind::Object, Target::Local),
            Param::new("headers", "Headers", "Extra request headers, as {\"name\": \"value\"}. Authorization and Host cannot be set.", Kind::Headers, Target::Local),
        ],
        paging: None,
        handler: Some(actions::graphql_request),
        rules: &[],
    },
];
