//! Who this connector is: the contract's `connector-metadata`.

use crate::bindings::integration::connector::types::ConnectorMetadata;
use connector_sdk::definitions::CONTRACT_VERSION;

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
