//! The host library against mistaken or hostile use: a time limit too far
//! for the clock, a call stopped by its limit (its logs must survive), HAR
//! files that are wrong in a way replay would trip on, a binary upload
//! recorded then replayed, answers larger than the guest accepts, and sync
//! files that collide, are torn, or are used by two runs at once.

use crate::common;
use crate::common::scenarios_sync::{
    CONTENT_ONLY, T0, run_in, run_scenario, scratch, sync_options,
};
use crate::common::{basic_with, host};
use crate::local_server;
use host_test_harness::http::{CallHooks, MAX_RESPONSE_BODY};
use host_test_harness::{CallFailure, CallOptions, Har, HttpMode, Secrets, SyncJob, run_sync};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn get_space_har() -> Har {
    Har::parse(
        &json!({"log": {"entries": [{
            "request": {"method": "GET", "url": "https://acme.atlassian.net/wiki/api/v2/spaces/98306"},
            "response": {"status": 200, "content": {"mimeType": "application/json",
                         "text": r#"{"id":"98306","key":"ENG"}"#}}
        }]}})
        .to_string(),
    )
    .unwrap()
}

#[test]
fn a_time_limit_too_far_for_the_clock_is_no_limit() {
    for limit in [Duration::MAX, Duration::from_secs(u64::MAX / 2)] {
        let mut options = CallOptions::replay(get_space_har(), true);
        options.time_limit = limit;
        let outcome = host()
            .invoke(
                "get-space",
                &common::basic(),
                r#"{"space-id": "98306"}"#,
                &options,
            )
            .unwrap();
        assert_eq!(outcome.result.unwrap().status, 200);
    }
}

/// A server that reads the request and then never answers.
fn silent() -> local_server::Server {
    local_server::serve_with(|_| std::thread::sleep(Duration::from_secs(60)))
}

#[test]
fn the_logs_so_far_survive_the_time_limit() {
    let server = silent();
    let connection = basic_with(json!({"email": "jane@acme.com", "host": server.origin()}));
    let mut options = CallOptions::live(&["127.0.0.1"]).secret("api-token", "tok-SECRET");
    options.time_limit = Duration::from_secs(2);
    let started = Instant::now();
    let err = host()
        .invoke(
            "get-space",
            &connection,
            r#"{"space-id": "98306", "debug": true}"#,
            &options,
        )
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(err.to_string().contains("time limit of 2 s"), "{err:#}");
    let failure = err
        .downcast_ref::<CallFailure>()
        .expect("a limit keeps what the call gathered");
    assert!(
        failure
            .logs
            .iter()
            .any(|l| l.message.contains("/wiki/api/v2/spaces/98306")),
        "{:?}",
        failure.logs
    );
}

/// The error of parsing a HAR of these entries, with its causes.
fn har_error(entries: Value) -> String {
    let err = Har::parse(&json!({"log": {"entries": entries}}).to_string()).unwrap_err();
    format!("{err:#}")
}

fn entry(url: &str, status: Value, content: Value) -> Value {
    json!({"request": {"method": "GET", "url": url}, "response": {"status": status, "content": content}})
}

#[test]
fn har_errors_name_the_entry_and_the_field() {
    let good = entry("https://a.example/ok", json!(200), json!({}));
    let text = json!({"mimeType": "text/plain", "text": "hi"});
    let cases = [
        (
            entry("/wiki/api/v2/spaces", json!(200), text.clone()),
            "entry #2 (GET /wiki/api/v2/spaces): request.url is not an absolute URL",
        ),
        (
            entry("https://a.example/x", json!(700), text.clone()),
            "entry #2 (GET https://a.example/x): response.status 700 is outside 100..=599",
        ),
        (
            entry("https://a.example/x", json!(42), text.clone()),
            "entry #2 (GET https://a.example/x): response.status 42 is outside 100..=599",
        ),
        (
            entry("https://a.example/x", json!(70000), text.clone()),
            "entry #2 (GET https://a.example/x): invalid value: integer `70000`",
        ),
        (
            entry(
                "https://a.example/x",
                json!(200),
                json!({"text": "not base64!", "encoding": "base64"}),
            ),
            "entry #2 (GET https://a.example/x): response.content.text is not valid base64",
        ),
    ];
    for (bad, want) in cases {
        let got = har_error(json!([good, bad]));
        assert!(got.contains(want), "{got}\nwants: {want}");
    }
    let mut upload = entry("https://a.example/x", json!(200), json!({}));
    upload["request"]["method"] = json!("POST");
    upload["request"]["postData"] =
        json!({"mimeType": "application/octet-stream", "text": "%%%", "_encoding": "base64"});
    let got = har_error(json!([upload]));
    assert!(
        got.contains(
            "entry #1 (POST https://a.example/x): request.postData.text is not valid base64"
        ),
        "{got}"
    );

    // Read from a file, the error names the file too.
    let dir = scratch("har-errors");
    let path = dir.join("bad.har");
    let bad = entry("https://a.example/x", json!(99), text);
    std::fs::write(&path, json!({"log": {"entries": [bad]}}).to_string()).unwrap();
    let got = format!("{:#}", Har::read(&path).unwrap_err());
    assert!(got.contains(&path.display().to_string()), "{got}");
    assert!(got.contains("entry #1 (GET https://a.example/x): response.status 99"));
}

#[test]
fn a_har_larger_than_its_cap_is_refused_before_it_is_read() {
    let dir = scratch("har-cap");
    let path = dir.join("huge.har");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(host_test_harness::files::MAX_HAR_BYTES + 1)
        .unwrap();
    let got = format!("{:#}", Har::read(&path).unwrap_err());
    assert_eq!(
        got,
        format!(
            "the HAR file {} is larger than the limit of 256 MiB",
            path.display()
        )
    );
}

/// Bytes that are not UTF-8, the same on every run.
fn binary(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn a_binary_upload_recorded_replays_strictly() {
    use base64::Engine as _;
    let server = local_server::serve(
        200,
        &[("content-type", "application/json")],
        r#"{"results":[{"id":"att1","type":"attachment","title":"blob.bin"}],"size":1}"#,
        Duration::ZERO,
    );
    let connection = basic_with(json!({"email": "jane@acme.com", "host": server.origin()}));
    let bytes = binary(4096);
    assert!(std::str::from_utf8(&bytes).is_err());
    let input = json!({
        "content-id": "11",
        "file-name": "blob.bin",
        "file-data": base64::engine::general_purpose::STANDARD.encode(&bytes),
    })
    .to_string();
    let dir = scratch("binary-upload");
    let recorded = dir.join("upload.har");
    let options = CallOptions {
        http: HttpMode::Record {
            allowed_hosts: vec!["127.0.0.1".into()],
            output: recorded.clone(),
        },
        ..CallOptions::default()
    }
    .secret("api-token", "tok-SECRET");
    let live = host()
        .invoke("upload-attachment", &connection, &input, &options)
        .unwrap();
    assert_eq!(live.result.unwrap().status, 200);
    let sent = &server.received()[0].body;
    assert!(
        sent.windows(bytes.len()).any(|w| w == bytes),
        "the file went as is"
    );

    let har = Har::read(&recorded).unwrap();
    let post = har.log.entries[0].request.post_data.as_ref().unwrap();
    assert_eq!(post.encoding.as_deref(), Some("base64"));
    assert_eq!(post.bytes().unwrap().unwrap(), *sent);

    let replayed = host()
        .invoke(
            "upload-attachment",
            &connection,
            &input,
            &CallOptions::replay(har, true),
        )
        .unwrap();
    assert_eq!(replayed.result.unwrap().status, 200);
}

/// A server answering 200 with a body of `len` bytes of JSON whitespace,
/// sent in 1 MiB writes.
fn big_answer(len: usize) -> local_server::Server {
    local_server::serve_with(move |stream| {
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n"
        );
        let _ = stream.write_all(head.as_bytes());
        let chunk = vec![b' '; 1 << 20];
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len());
            if stream.write_all(&chunk[..n]).is_err() {
                return;
            }
            left -= n;
        }
    })
}

/// Sends a GET through live-mode hooks and reads the whole answer.
fn fetch(server: &local_server::Server) -> Result<Vec<u8>, wasmtime_wasi_http::Error> {
    let hooks = CallHooks::new(
        &HttpMode::Live {
            allowed_hosts: vec!["127.0.0.1".into()],
        },
        Secrets::new(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let request = http::Request::get(format!("{}/big", server.origin()))
            .body(
                http_body_util::Empty::new()
                    .map_err(|never| match never {})
                    .boxed_unsync(),
            )
            .unwrap();
        let response = hooks.send(request, None).await?;
        Ok(response.into_body().collect().await?.to_bytes().to_vec())
    })
}

#[test]
fn a_live_answer_is_read_up_to_what_the_guest_accepts() {
    // Exactly the cap passes.
    let body = fetch(&big_answer(MAX_RESPONSE_BODY)).unwrap();
    assert_eq!(body.len(), MAX_RESPONSE_BODY);
    // More fails the exchange, said at once by Content-Length...
    let err = fetch(&big_answer(MAX_RESPONSE_BODY + 1)).unwrap_err();
    assert!(
        matches!(err, wasmtime_wasi_http::Error::HttpResponseBodySize(_)),
        "{err:?}"
    );
    // ... or found while reading a body of no announced length.
    let server = local_server::serve_with(|stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
        );
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..40 {
            if stream.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let err = fetch(&server).unwrap_err();
    assert!(
        matches!(err, wasmtime_wasi_http::Error::HttpResponseBodySize(_)),
        "{err:?}"
    );
}

/// The state and records files of `dir`, named as given, for a sync of the fixture site.
fn job_files<'a>(
    connection: &'a host_test_harness::Connection,
    options: &'a CallOptions,
    state: &'a Path,
    out: &'a Path,
) -> SyncJob<'a> {
    SyncJob {
        connection,
        config: CONTENT_ONLY,
        state_path: state,
        out,
        options,
        max_batches: None,
        fresh: false,
    }
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn sync_files_never_collide_with_the_users_files() {
    let whole = run_scenario("sync-full");
    let connection = common::basic();
    // The records file is named as the state's temporary file once was.
    let dir = scratch("collide");
    let (state, out) = (dir.join("col.json"), dir.join("col.tmp"));
    let options = sync_options("sync-full", true, T0);
    run_sync(
        host(),
        &job_files(&connection, &options, &state, &out),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(lines(&out).len(), whole.records.len());
    assert_eq!(std::fs::read_to_string(&state).unwrap(), whole.state);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["col.json", "col.json.lock", "col.tmp"]);

    // One file for both is refused, however it is spelt.
    for (state, out) in [
        (dir.join("same.json"), dir.join("same.json")),
        (dir.join("same.json"), dir.join(".").join("same.json")),
    ] {
        let err = run_sync(
            host(),
            &job_files(&connection, &options, &state, &out),
            &mut |_| {},
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("--state and --out name the same file"),
            "{message}"
        );
        assert!(!state.exists());
    }
}

#[test]
fn a_torn_last_record_is_cut_before_resuming() {
    let whole = run_scenario("sync-full");
    let dir = scratch("torn");
    run_in(
        &dir,
        CONTENT_ONLY,
        &sync_options("sync-full", false, T0),
        Some(2),
    )
    .unwrap();
    // The process was killed in the middle of a record.
    let out = dir.join("records.jsonl");
    let before = std::fs::read(&out).unwrap();
    let mut file = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
    file.write_all(br#"{"stream":"pages","id":"1001","operation":"ups"#)
        .unwrap();
    drop(file);
    let rest = run_in(
        &dir,
        CONTENT_ONLY,
        &sync_options("sync-full", false, T0 + 60),
        None,
    )
    .unwrap();
    let after = std::fs::read(&out).unwrap();
    assert!(
        after.starts_with(&before),
        "the whole lines before stay as they were"
    );
    let keys = |records: &[Value]| -> std::collections::BTreeSet<String> {
        records
            .iter()
            .map(|r| format!("{} {}", r["stream"], r["id"]))
            .collect()
    };
    assert_eq!(keys(&rest.records), keys(&whole.records));
}

#[test]
fn a_second_run_on_one_state_fails_at_once() {
    let dir = scratch("locked");
    let (state, out) = (dir.join("state.json"), dir.join("records.jsonl"));
    // Another run holds the state.
    let holder = std::fs::File::create(dir.join("state.json.lock")).unwrap();
    holder.try_lock().unwrap();
    let connection = common::basic();
    let options = sync_options("sync-full", true, T0);
    let started = Instant::now();
    let err = run_sync(
        host(),
        &job_files(&connection, &options, &state, &out),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        err.to_string().contains("another sync is running"),
        "{err:#}"
    );
    assert!(!out.exists() && !state.exists());
    // Once it ends, a run goes ahead.
    drop(holder);
    run_sync(
        host(),
        &job_files(&connection, &options, &state, &out),
        &mut |_| {},
    )
    .unwrap();
    assert!(!lines(&out).is_empty());
}
