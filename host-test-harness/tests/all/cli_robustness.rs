//! The `connector-host` binary against mistaken or hostile use: flags out of
//! range, a closed or full stdout, files without end, keys given twice, a
//! sync whose files collide or that runs twice at once, a call stopped by its
//! time limit (its logs must still be printed), and a compiled-code cache
//! that was tampered with or is not the user's own.

use crate::local_server;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The CLI, run from the workspace root as the README's commands are.
fn cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_connector-host"));
    command
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("CONFLUENCE_API_TOKEN");
    command
}

fn run(args: &[&str]) -> Output {
    cli().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The message of the JSON error on the last line of stderr.
fn message(out: &Output) -> String {
    let text = stderr(out);
    let last: Value = serde_json::from_str(text.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    last["message"].as_str().unwrap_or_default().to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-robust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

const INVOKE_DEMO: &[&str] = &[
    "invoke",
    "list-spaces",
    "--connection",
    "examples/connection.basic.json",
    "--input",
    r#"{"limit": 3}"#,
    "--replay",
    "examples/fixtures/demo.har",
];

#[test]
fn numeric_flags_out_of_range_are_refused_naming_the_flag_and_the_range() {
    for value in ["1e20", "1e19", "0", "-1", "NaN", "inf", "86401", "soon"] {
        let out = run(&[INVOKE_DEMO, &["--time-limit", value]].concat());
        assert_eq!(out.status.code(), Some(2), "{value}: {}", stderr(&out));
        let message = message(&out);
        assert!(message.contains("--time-limit"), "{value}: {message}");
        assert!(!stderr(&out).contains("panicked"), "{value}");
    }
    let out = run(&[INVOKE_DEMO, &["--time-limit", "1e19"]].concat());
    assert!(message(&out).contains("at most 86400 seconds"));
    for value in ["0", "1025", "99999999999999999999999"] {
        let out = run(&[INVOKE_DEMO, &["--memory-limit", value]].concat());
        assert_eq!(out.status.code(), Some(2), "{value}: {}", stderr(&out));
        let message = message(&out);
        assert!(message.contains("--memory-limit"), "{value}: {message}");
        assert!(!stderr(&out).contains("panicked"), "{value}");
    }
    assert!(message(&run(&[INVOKE_DEMO, &["--memory-limit", "0"]].concat())).contains("1..=1024"));
    // The bounds themselves are accepted.
    let out = run(&[
        INVOKE_DEMO,
        &["--time-limit", "86400", "--memory-limit", "1024"],
    ]
    .concat());
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_closed_or_full_stdout_ends_the_process_quietly() {
    // A reader that went away (`definitions | head -c1`).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = cli()
        .arg("definitions")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "", "nothing to say to a closed pipe");
    // A full disk (`definitions > /dev/full`).
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = cli()
        .arg("definitions")
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(message(&out).contains("cannot write the output"));
}

#[test]
fn files_without_end_or_too_large_are_refused_naming_the_file_and_the_cap() {
    let out = run(&[
        "check",
        "--connection",
        "/dev/zero",
        "--replay",
        "examples/fixtures/demo.har",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        message(&out),
        "the connection file /dev/zero is larger than the limit of 1 MiB"
    );
    let out = run(&[
        "invoke",
        "list-spaces",
        "--connection",
        "examples/connection.basic.json",
        "--input",
        "@/dev/zero",
        "--replay",
        "examples/fixtures/demo.har",
    ]);
    assert_eq!(
        message(&out),
        "the input file /dev/zero is larger than the limit of 16 MiB"
    );
    let dir = scratch("caps");
    let sync = |config: &str, state: &Path| {
        run(&[
            "sync",
            "--connection",
            "examples/connection.basic.json",
            "--config",
            config,
            "--state",
            path(state),
            "--out",
            path(&dir.join("records.jsonl")),
            "--replay",
            "examples/fixtures/site.har",
        ])
    };
    let out = sync("/dev/zero", &dir.join("state.json"));
    assert_eq!(
        message(&out),
        "the config file /dev/zero is larger than the limit of 1 MiB"
    );
    // A state file past its cap (sparse: it takes no disk).
    let state = dir.join("big.state.json");
    std::fs::File::create(&state)
        .unwrap()
        .set_len((256 << 20) + 1)
        .unwrap();
    let out = sync("examples/sync.config.json", &state);
    assert!(
        stderr(&out).contains(&format!(
            "the state file {} is larger than the limit of 256 MiB",
            state.display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn keys_given_twice_are_refused_naming_the_key_and_the_file() {
    let dir = scratch("duplicates");
    let connection = dir.join("connection.json");
    std::fs::write(
        &connection,
        r#"{"definition": "basic", "values": {"host": "acme.atlassian.net", "email": "a@b.c", "host": "evil.example"}}"#,
    )
    .unwrap();
    let out = run(&[
        "check",
        "--connection",
        path(&connection),
        "--replay",
        "examples/fixtures/demo.har",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let got = message(&out);
    assert!(got.contains(&connection.display().to_string()), "{got}");
    assert!(got.contains(r#"duplicate key "host" in values"#), "{got}");

    let mut args = INVOKE_DEMO.to_vec();
    args[5] = r#"{"limit": 3, "limit": 250}"#;
    let got = message(&run(&args));
    assert!(
        got.starts_with(r#"--input: duplicate key "limit""#),
        "{got}"
    );
    let input = dir.join("input.json");
    std::fs::write(&input, r#"{"limit": 3, "limit": 250}"#).unwrap();
    let at_input = format!("@{}", input.display());
    args[5] = &at_input;
    let got = message(&run(&args));
    assert!(got.contains(&input.display().to_string()), "{got}");
    assert!(got.contains(r#"duplicate key "limit""#), "{got}");

    let config = dir.join("config.json");
    std::fs::write(
        &config,
        r#"{"spaces": {"in": ["ENG"]}, "body-format": "text", "spaces": {"in": []}}"#,
    )
    .unwrap();
    let out = run(&[
        "sync",
        "--connection",
        "examples/connection.basic.json",
        "--config",
        path(&config),
        "--state",
        path(&dir.join("state.json")),
        "--out",
        path(&dir.join("records.jsonl")),
        "--replay",
        "examples/fixtures/site.har",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let got = message(&out);
    assert!(got.contains(&config.display().to_string()), "{got}");
    assert!(got.contains(r#"duplicate key "spaces""#), "{got}");
}

/// The README's sync of the example site, with these state and records files.
fn sync(state: &Path, out: &Path) -> Output {
    run(&[
        "sync",
        "--connection",
        "examples/connection.basic.json",
        "--config",
        "examples/sync.config.json",
        "--state",
        path(state),
        "--out",
        path(out),
        "--replay",
        "examples/fixtures/site.har",
        "--strict",
    ])
}

#[test]
fn sync_files_never_collide_and_one_file_for_both_is_refused() {
    let dir = scratch("sync-collide");
    // The records file has the name the state's temporary file once had.
    let (state, out) = (dir.join("col.json"), dir.join("col.tmp"));
    let done = sync(&state, &out);
    assert!(done.status.success(), "{}", stderr(&done));
    let summary: Value = serde_json::from_slice(&done.stdout).unwrap();
    let records = std::fs::read_to_string(&out).unwrap();
    assert_eq!(records.lines().count(), 33, "{summary}");
    // And a state named like a temporary file is replaced, not clobbered.
    let (state, out) = (dir.join("x.tmp"), dir.join("x.jsonl"));
    assert!(sync(&state, &out).status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 33);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "col.json",
            "col.json.lock",
            "col.tmp",
            "x.jsonl",
            "x.tmp",
            "x.tmp.lock"
        ]
    );

    let same = dir.join("same.json");
    let out = sync(&same, &dir.join(".").join("same.json"));
    assert!(!out.status.success());
    assert!(
        message(&out).contains("--state and --out name the same file"),
        "{}",
        stderr(&out)
    );
    assert!(!same.exists());
}

#[test]
fn a_second_sync_on_one_state_fails_at_once() {
    let dir = scratch("sync-twice");
    let (state, out) = (dir.join("site.state.json"), dir.join("site.jsonl"));
    // Another sync holds the state's lock.
    let holder = std::fs::File::create(dir.join("site.state.json.lock")).unwrap();
    holder.try_lock().unwrap();
    let started = Instant::now();
    let second = sync(&state, &out);
    assert!(!second.status.success());
    assert!(
        message(&second).contains("another sync is running with the state"),
        "{}",
        stderr(&second)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!out.exists(), "the second sync wrote nothing");
    drop(holder);
    assert!(sync(&state, &out).status.success());
}

#[test]
fn the_logs_of_a_call_stopped_by_its_time_limit_are_printed_before_the_error() {
    let server = local_server::serve_with(|_| std::thread::sleep(Duration::from_secs(60)));
    let dir = scratch("time-limit");
    let connection = dir.join("connection.json");
    std::fs::write(
        &connection,
        format!(
            r#"{{"definition": "basic", "values": {{"email": "a@b.c", "host": "{}"}}}}"#,
            server.origin()
        ),
    )
    .unwrap();
    let out = run(&[
        "invoke",
        "get-space",
        "--connection",
        path(&connection),
        "--input",
        r#"{"space-id": "98306", "debug": true}"#,
        "--live",
        "--secret",
        "api-token=tok-SECRET",
        "--time-limit",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(message(&out).contains("time limit of 2 s"), "{text}");
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .any(|l| l.starts_with("[debug]") && l.contains("/wiki/api/v2/spaces/98306")),
        "{text}"
    );
    assert!(!text.contains("tok-SECRET"));
}

/// `definitions`, with the compiled-code cache in `cache`.
fn definitions(cache: &Path) -> Vec<u8> {
    let out = cli()
        .arg("definitions")
        .env("CONNECTOR_HOST_CACHE_DIR", cache)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    out.stdout
}

/// The cache's entries.
fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    found
}

/// `bytes` with every `from` replaced by `to` (of the same length).
fn patched(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from {
            out[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn a_patched_cache_entry_is_compiled_anew_instead_of_loaded() {
    let cache = scratch("cache-patched").join("cache");
    let want = definitions(&cache);
    let listed = entries(&cache);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let entry = &listed[0];
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    let mode = std::fs::metadata(entry).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let original = std::fs::read(entry).unwrap();
    let tampered = patched(&original, b"list-spaces", b"list-spaceX");
    assert_ne!(tampered, original, "the entry holds the catalog's text");
    std::fs::write(entry, &tampered).unwrap();
    assert_eq!(definitions(&cache), want);
    // The bad entry was replaced by a sound one.
    assert_eq!(std::fs::read(entry).unwrap(), original);
}

#[test]
fn a_symlinked_cache_entry_is_not_followed() {
    let dir = scratch("cache-symlink");
    let cache = dir.join("cache");
    let want = definitions(&cache);
    let entry = entries(&cache).remove(0);
    let original = std::fs::read(&entry).unwrap();
    // Someone puts a link to their own (patched) file where the entry was.
    let elsewhere = dir.join("elsewhere.cwasm");
    let tampered = patched(&original, b"list-spaces", b"list-spaceX");
    std::fs::write(&elsewhere, &tampered).unwrap();
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &entry).unwrap();
    assert_eq!(definitions(&cache), want);
    assert!(!std::fs::symlink_metadata(&entry).unwrap().is_symlink());
    assert_eq!(
        std::fs::read(&elsewhere).unwrap(),
        tampered,
        "not written through"
    );
}

#[test]
fn a_cache_directory_others_may_write_to_or_a_link_is_not_used() {
    let dir = scratch("cache-shared");
    let shared = dir.join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o770)).unwrap();
    let want = definitions(&shared);
    assert!(entries(&shared).is_empty(), "nothing written there");
    let real = dir.join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o700)).unwrap();
    let link = dir.join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(definitions(&link), want);
    assert!(
        entries(&real).is_empty(),
        "nothing written through the link"
    );
    // Nor is a directory of the user's choosing that others may read.
    let readable = dir.join("readable");
    std::fs::create_dir(&readable).unwrap();
    std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(definitions(&readable), want);
    assert!(entries(&readable).is_empty());
    let mode = std::fs::metadata(&readable).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755, "left as it was");
}

#[test]
fn the_default_cache_directory_is_made_or_narrowed_to_the_users_own() {
    let home = scratch("cache-home");
    let definitions_at_home = || {
        let out = cli()
            .arg("definitions")
            .env("HOME", &home)
            .env_remove("XDG_CACHE_HOME")
            .env_remove("CONNECTOR_HOST_CACHE_DIR")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let cache = home.join(".cache").join("connector-host");
    definitions_at_home();
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert_eq!(entries(&cache).len(), 1);
    // One an earlier version made readable by others is narrowed, and used.
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::create_dir(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755)).unwrap();
    definitions_at_home();
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert_eq!(entries(&cache).len(), 1);
}
