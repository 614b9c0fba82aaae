//! The built component's shape: it exports the contract's `connections` and
//! `actions`, and imports nothing outside the allow-list (no filesystem, no
//! sockets, only the stdio-ish parts of `wasi:cli` that Rust's std pulls in).

use wasmparser::{Parser, Payload};

/// Top-level (depth 0) import and export names of a component.
pub(crate) fn top_level_names(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.expect("the component is valid wasm") {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    imports.push(import.unwrap().name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    exports.push(export.unwrap().name.name.to_string());
                }
            }
            _ => {}
        }
    }
    (imports, exports)
}

/// Whether `import` (such as `wasi:cli/stdout@0.2.0`) may be imported.
fn allowed(import: &str) -> bool {
    let unversioned = import.split('@').next().unwrap();
    let Some((package, interface)) = unversioned.split_once('/') else {
        return false;
    };
    match package {
        "wasi:http"
        | "wasi:io"
        | "wasi:clocks"
        | "wasi:random"
        | "wasi:logging"
        | "integration:connector" => true,
        "wasi:cli" => matches!(
            interface,
            "environment"
                | "exit"
                | "stdin"
                | "stdout"
                | "stderr"
                | "terminal-input"
                | "terminal-output"
                | "terminal-stdin"
                | "terminal-stdout"
                | "terminal-stderr"
        ),
        _ => false,
    }
}

#[test]
fn component_exports_the_contract_and_imports_only_allowed_interfaces() {
    let path = env!("CONNECTOR_WASM");
    let bytes = std::fs::read(path).expect("the build script built the component");
    let (imports, exports) = top_level_names(&bytes);
    println!("component: {path} ({} bytes)", bytes.len());
    println!("imports:");
    for import in &imports {
        println!("  {import}");
    }
    println!("exports: {exports:?}");

    // World `sync-connector`: `connector`'s exports and `sync`.
    for wanted in [
        "integration:connector/metadata@0.2.0",
        "integration:connector/connections@0.2.0",
        "integration:connector/actions@0.2.0",
        "integration:connector/sync@0.2.0",
    ] {
        assert!(
            exports.iter().any(|e| e == wanted),
            "missing export {wanted}; exports: {exports:?}"
        );
    }
    let forbidden: Vec<&String> = imports.iter().filter(|i| !allowed(i)).collect();
    assert!(
        forbidden.is_empty(),
        "imports outside the allow-list: {forbidden:?}"
    );
    assert!(
        !imports
            .iter()
            .any(|i| i.starts_with("wasi:filesystem") || i.starts_with("wasi:sockets")),
        "the component must not import wasi:filesystem or wasi:sockets"
    );
}

#[test]
fn allow_list_rejects_filesystem_sockets_and_other_cli_interfaces() {
    assert!(allowed("wasi:cli/stdout@0.2.0"));
    assert!(allowed("wasi:http/outgoing-handler@0.2.12"));
    assert!(allowed("integration:connector/secrets@0.2.0"));
    assert!(!allowed("wasi:filesystem/types@0.2.0"));
    assert!(!allowed("wasi:filesystem/preopens@0.2.12"));
    assert!(!allowed("wasi:sockets/tcp@0.2.0"));
    assert!(!allowed("wasi:cli/run@0.2.0"));
    assert!(!allowed("other:pkg/iface@1.0.0"));
}
