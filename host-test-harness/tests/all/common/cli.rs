//! Running the `connector-host` binary as a user would.

use std::process::{Command, Output};

/// The CLI with `args`, to run from the workspace root as the README's
/// commands are run, with none of the secret environment variables a
/// developer's shell may hold and a token store of the test process's.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connector-host"));
    command
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    for (var, _) in std::env::vars_os() {
        let var = var.to_string_lossy();
        if var.starts_with("CONNECTOR_")
            || var.starts_with("CONFLUENCE_")
            || var.starts_with("GITHUB_")
        {
            command.env_remove(&*var);
        }
    }
    // Never the developer's own token store: one of this test process's.
    let store = std::env::temp_dir().join(format!("cli-tokens-{}.json", std::process::id()));
    command.env(host_test_harness::oauth::store::STORE_VARIABLE, store);
    command
}

/// Runs the CLI with `args` ([`command`]) and `env` set, to its end.
pub fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args).envs(env.iter().copied()).output().unwrap()
}
