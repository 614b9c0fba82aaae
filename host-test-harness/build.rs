//! Builds the connector component (the workspace root package) for
//! `wasm32-wasip2` and exports its path as `CONNECTOR_WASM`.
//!
//! The child cargo uses its own target directory so it never waits on the
//! lock held by the outer build, and it gets a clean environment: the outer
//! build's `CARGO_*`/`RUSTFLAGS` variables describe the host build, not the
//! wasm one (wasmtime's own `test-programs` build script does the same).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap().to_path_buf();
    for path in ["src", "wit", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }

    let target_dir = workspace.join("target").join("component");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&workspace)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "-p",
            "confluence-connector",
            "--target-dir",
        ])
        .arg(&target_dir);
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let leaked = key == "RUSTFLAGS"
            || key == "RUSTC"
            || key == "RUSTC_WRAPPER"
            || key == "RUSTC_WORKSPACE_WRAPPER"
            || key == "RUSTDOC"
            || key.starts_with("CARGO_ENCODED_")
            || key.starts_with("CARGO_BUILD_")
            || key.starts_with("CARGO_TARGET_")
            || key.starts_with("CARGO_CFG_")
            || key.starts_with("CARGO_FEATURE_")
            || key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || key.starts_with("CARGO_PRIMARY_")
            || key.starts_with("CARGO_MAKEFLAGS")
            || key == "CARGO_CRATE_NAME"
            || key == "CARGO_PROFILE"
            || key == "DEBUG"
            || key == "OPT_LEVEL"
            || key == "PROFILE"
            || key == "TARGET"
            || key == "HOST"
            || key == "NUM_JOBS"
            || key == "OUT_DIR";
        if leaked {
            cmd.env_remove(key);
        }
    }
    let output = cmd
        .output()
        .expect("failed to run cargo to build the connector component");
    if !output.status.success() {
        panic!(
            "building the connector component failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let wasm = target_dir
        .join("wasm32-wasip2")
        .join("release")
        .join("confluence_connector.wasm");
    assert!(wasm.exists(), "expected component at {}", wasm.display());
    println!("cargo:rustc-env=CONNECTOR_WASM={}", wasm.display());
}
