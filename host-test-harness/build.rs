//! With the `component` feature (on by default): builds the workspace's
//! connector components for `wasm32-wasip2` and exports their paths, for the
//! CLI, the tests and the bench: the Confluence connector (the root package)
//! as `CONNECTOR_WASM`, and the SDK's example GitHub connector
//! (`connectors/github`) as `GITHUB_CONNECTOR_WASM`, and the Confluence
//! connector's standalone build (feature `standalone`: only standard WASI
//! imports) as `CONNECTOR_STANDALONE_WASM`. Without the feature the
//! library builds alone and loads whatever `.wasm` it is given.
//!
//! Each component is built by a cargo invocation of its own: cargo unifies
//! the features of the packages it builds together, and the SDK's `sync`
//! feature, which the Confluence connector turns on, changes the world.
//!
//! The child cargo uses its own target directory so it never waits on the
//! lock held by the outer build, and it gets a clean environment: the outer
//! build's `CARGO_*`/`RUSTFLAGS` variables describe the host build, not the
//! wasm one (wasmtime's own `test-programs` build script does the same).

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_COMPONENT").is_none() {
        return;
    }
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().unwrap().to_path_buf();
    for path in [
        "src",
        "sdk",
        "connectors",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
    if !wasm_target_installed(&workspace) {
        // One line, no backtrace: what is missing and the command that adds it.
        println!(
            "cargo::error=the wasm32-wasip2 target is not installed, so the connector component cannot be built: run `rustup target add wasm32-wasip2` (or `rustup toolchain install` in the repository)"
        );
        return;
    }

    // The standalone build has a target directory of its own: built with
    // another feature into the same one, each build would undo the other's.
    for (package, features, dir, variable) in [
        ("confluence-connector", "", "component", "CONNECTOR_WASM"),
        ("github-connector", "", "component", "GITHUB_CONNECTOR_WASM"),
        (
            "confluence-connector",
            "standalone",
            "component-standalone",
            "CONNECTOR_STANDALONE_WASM",
        ),
    ] {
        if !build_component(&workspace, package, features, dir, variable) {
            return;
        }
    }
}

/// Builds `package` with `features` for `wasm32-wasip2` in release, in
/// `target/{dir}`, and exports the component's path as `variable`; on
/// failure says why and returns false.
fn build_component(
    workspace: &std::path::Path,
    package: &str,
    features: &str,
    dir: &str,
    variable: &str,
) -> bool {
    let target_dir = workspace.join("target").join(dir);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "-p",
            package,
            "--target-dir",
        ])
        .arg(&target_dir);
    if !features.is_empty() {
        cmd.args(["--features", features]);
    }
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
    let output = match cmd.output() {
        Ok(output) => output,
        Err(e) => {
            println!(
                "cargo::error=cannot run cargo to build the connector component {package}: {e}"
            );
            return false;
        }
    };
    if !output.status.success() {
        for line in String::from_utf8_lossy(&output.stderr).lines() {
            println!("cargo::warning={line}");
        }
        println!(
            "cargo::error=building the connector component {package} failed ({}); its compiler output is above",
            output.status
        );
        return false;
    }
    let wasm = target_dir
        .join("wasm32-wasip2")
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_")));
    if !wasm.exists() {
        println!(
            "cargo::error=the component build succeeded but left no {}",
            wasm.display()
        );
        return false;
    }
    println!("cargo:rustc-env={variable}={}", wasm.display());
    true
}

/// Whether the toolchain that builds the component has the `wasm32-wasip2`
/// standard library. The child cargo runs in `workspace`, so it uses the
/// toolchain `rust-toolchain.toml` pins; ask that one's `rustc`.
fn wasm_target_installed(workspace: &std::path::Path) -> bool {
    let sysroot = Command::new("rustc")
        .current_dir(workspace)
        .args(["--print", "sysroot"])
        .output();
    match sysroot {
        Ok(out) if out.status.success() => {
            let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
            PathBuf::from(root)
                .join("lib/rustlib/wasm32-wasip2")
                .is_dir()
        }
        // No rustc to ask: let the build itself say what is wrong.
        _ => true,
    }
}
