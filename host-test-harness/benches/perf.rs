//! Performance figures of the connector component and its host, printed as
//! one table: `cargo bench -p host-test-harness --bench perf`.
//!
//! Not a test and no bench framework: each figure is measured several times
//! with `std::time::Instant` (after warm-up runs) and the table gives the
//! median, the spread (min … max over the runs) and the target where there is
//! one. Every HTTP exchange is answered by replaying a HAR built in memory, so
//! nothing reaches the network. `PERF_QUICK=1` runs fewer repetitions.
//!
//! The rows:
//! 1. the component's `.wasm` size, and gzip -9 of it;
//! 2. compiling it with Cranelift (fresh, no cache), and loading it from the
//!    on-disk cache as `Host::new` does;
//! 3. instantiating it from the `InstancePre` with the pooling allocator, a
//!    new `Store` each time (only the instantiation is timed);
//! 4. one `get-space` call through `Host::invoke` in replay, the same call on
//!    an instance made beforehand (the guest's work and the host's HTTP
//!    plumbing only), the same logic compiled natively (`Connector::invoke` with a
//!    `Platform` replaying the same HAR), and the ratio wasm/native;
//! 5. `list-pages` with `fetch-all` over 40 pages of 250 (10,000 pages):
//!    items per second and the guest's peak linear memory;
//! 6. `get-page` of a page whose storage body is 5 MB: time and peak memory.

use connector_sdk::platform::{HttpRequest, HttpResponse, LogLevel, Platform, TransportFailure};
use host_test_harness::bindings::WitConnection;
use host_test_harness::har::{Entry, Har, Replayer};
use host_test_harness::http::CallHooks;
use host_test_harness::state::State;
use host_test_harness::{
    Body, CallOptions, Connection, DEFAULT_MEMORY_LIMIT, Host, HttpMode, REDACTED, Secrets, engine,
};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use wasmtime::component::Component;
use wasmtime::{Store, UpdateDeadline};

const SITE: &str = "https://acme.atlassian.net";
const SPACE_ID: &str = "98306";
const PAGES: usize = 40;
const PAGE_SIZE: usize = 250;
const STORAGE_BYTES: usize = 5_000_000;

// ---------------------------------------------------------------- statistics

/// Measurements of one figure, sorted.
struct Samples(Vec<f64>);

impl Samples {
    fn new(mut values: Vec<f64>) -> Samples {
        assert!(!values.is_empty());
        values.sort_by(f64::total_cmp);
        Samples(values)
    }

    fn from_durations(durations: &[Duration]) -> Samples {
        Samples::new(durations.iter().map(Duration::as_secs_f64).collect())
    }

    fn median(&self) -> f64 {
        let v = &self.0;
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }

    fn min(&self) -> f64 {
        self.0[0]
    }

    fn max(&self) -> f64 {
        self.0[self.0.len() - 1]
    }

    fn runs(&self) -> usize {
        self.0.len()
    }

    /// `min … max (n runs)` in `unit`, or `constant (n runs)` when they agree.
    fn spread(&self, unit: fn(f64) -> String) -> String {
        let (lo, hi) = (unit(self.min()), unit(self.max()));
        if lo == hi {
            format!("constant ({} runs)", self.runs())
        } else {
            format!("{lo} … {hi} ({} runs)", self.runs())
        }
    }
}

fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", b / 1024.0)
    }
}

fn per_sec(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else {
        format!("{:.0} k/s", r / 1e3)
    }
}

fn times(r: f64) -> String {
    format!("{r:.2}×")
}

/// Times `f` `runs` times after `warmup` untimed runs.
fn time(warmup: usize, runs: usize, mut f: impl FnMut()) -> Samples {
    for _ in 0..warmup {
        f();
    }
    let mut durations = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f();
        durations.push(started.elapsed());
    }
    Samples::from_durations(&durations)
}

// ---------------------------------------------------------------- the table

struct Row {
    figure: String,
    value: String,
    spread: String,
    target: String,
}

#[derive(Default)]
struct Table(Vec<Row>);

impl Table {
    fn row(&mut self, figure: &str, value: String, spread: String, target: String) {
        eprintln!("  measured: {figure}: {value}");
        self.0.push(Row {
            figure: figure.to_string(),
            value,
            spread,
            target,
        });
    }

    fn print(&self) {
        let head = ["figure", "median", "spread (min … max)", "target"];
        let cells: Vec<[&str; 4]> = self
            .0
            .iter()
            .map(|r| [&*r.figure, &*r.value, &*r.spread, &*r.target])
            .collect();
        let mut widths = head.map(|h| h.chars().count());
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |row: [&str; 4]| {
            let padded: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            format!("| {} |", padded.join(" | "))
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", line(head)).unwrap();
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        writeln!(out, "|-{}-|", rule.join("-|-")).unwrap();
        for row in cells {
            writeln!(out, "{}", line(row)).unwrap();
        }
    }
}

/// `< limit: met` or `< limit: MISSED by x`, for a figure that must stay under `limit`.
fn under(value: f64, limit: f64, shown: &str) -> String {
    if value < limit {
        format!("< {shown}: met ({:.0}% of it)", 100.0 * value / limit)
    } else {
        format!("< {shown}: MISSED ({:.1}× over)", value / limit)
    }
}

// ---------------------------------------------------------------- HAR building

fn entry(url: &str, body: String) -> Entry {
    serde_json::from_value(json!({
        "request": {
            "method": "GET",
            "url": url,
            "headers": [{"name": "accept", "value": "application/json"}],
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "headers": [{"name": "content-type", "value": "application/json"}],
            "content": {"size": body.len(), "mimeType": "application/json", "text": body},
        },
    }))
    .expect("a valid HAR entry")
}

fn har(entries: Vec<Entry>) -> Har {
    let mut har = Har::default();
    har.log.entries = entries;
    har
}

fn space_har() -> Har {
    let space = json!({
        "id": SPACE_ID,
        "key": "ENG",
        "name": "Engineering",
        "type": "global",
        "status": "current",
        "authorId": "5b10ac8d82e05b22cc7d4ef5",
        "spaceOwnerId": "5b10ac8d82e05b22cc7d4ef5",
        "createdAt": "2026-11-02T09:15:27.000Z",
        "homepageId": "983061",
        "description": null,
        "icon": null,
        "_links": {"webui": "/spaces/ENG", "base": format!("{SITE}/wiki")},
    });
    har(vec![entry(
        &format!("{SITE}/wiki/api/v2/spaces/{SPACE_ID}"),
        space.to_string(),
    )])
}

/// One `PageBulk` of the v2 API, without a body (none was asked for).
fn page_bulk(i: usize) -> Value {
    let id = 1_000_000 + i;
    json!({
        "id": id.to_string(),
        "status": "current",
        "title": format!("Release notes {i}: what changed in build {}", 4000 + i),
        "spaceId": SPACE_ID,
        "parentId": "983061",
        "parentType": "page",
        "position": i % 1000,
        "authorId": "5b10ac8d82e05b22cc7d4ef5",
        "ownerId": "5b10ac8d82e05b22cc7d4ef5",
        "lastOwnerId": null,
        "subtype": null,
        "createdAt": "2026-11-02T09:15:27.000Z",
        "version": {
            "createdAt": "2026-11-03T10:01:02.000Z",
            "message": "",
            "number": 1 + i % 7,
            "minorEdit": false,
            "authorId": "5b10ac8d82e05b22cc7d4ef5",
        },
        "body": {},
        "_links": {
            "webui": format!("/spaces/ENG/pages/{id}/Release+notes+{i}"),
            "editui": format!("/pages/resumedraft.action?draftId={id}"),
            "tinyui": format!("/x/{:x}", id * 2_654_435_761 % 0xff_ffff),
        },
    })
}

/// 40 answers of 250 pages each, chained by `_links.next` cursors.
fn pages_har() -> Har {
    let first = format!("{SITE}/wiki/api/v2/pages?limit={PAGE_SIZE}");
    let cursor = |k: usize| format!("eyJpZCI6{:08}LCJkaXIiOiJuZXh0In0", k * PAGE_SIZE);
    let entries = (0..PAGES)
        .map(|k| {
            let results: Vec<Value> = (k * PAGE_SIZE..(k + 1) * PAGE_SIZE)
                .map(page_bulk)
                .collect();
            let mut links = json!({"base": format!("{SITE}/wiki")});
            if k + 1 < PAGES {
                links["next"] = Value::String(format!(
                    "/wiki/api/v2/pages?limit={PAGE_SIZE}&cursor={}",
                    cursor(k + 1)
                ));
            }
            let url = if k == 0 {
                first.clone()
            } else {
                format!("{first}&cursor={}", cursor(k))
            };
            entry(
                &url,
                json!({"results": results, "_links": links}).to_string(),
            )
        })
        .collect();
    har(entries)
}

/// Storage-format XHTML of at least `size` bytes (with the quotes and
/// entities real pages have, so the JSON holds escapes).
fn storage_body(size: usize) -> String {
    let mut text = String::with_capacity(size + 1024);
    let mut i = 0;
    while text.len() < size {
        text.push_str(&format!(
            "<h2>Section {i}</h2><p>The build &amp; release steps for component {i}: run \
             <code>make release</code>, then check the &quot;artifacts&quot; table below.</p>\
             <table><tbody><tr><th>Step</th><th>Owner</th></tr><tr><td>Tag {i}</td>\
             <td><ac:link><ri:user ri:account-id=\"5b10ac8d82e05b22cc7d4ef5\" /></ac:link></td>\
             </tr></tbody></table><ac:structured-macro ac:name=\"code\" ac:schema-version=\"1\">\
             <ac:parameter ac:name=\"language\">bash</ac:parameter><ac:plain-text-body>\
             <![CDATA[cargo build --release --target wasm32-wasip2 # step {i}]]>\
             </ac:plain-text-body></ac:structured-macro>\n"
        ));
        i += 1;
    }
    text
}

fn big_page_har() -> Har {
    let page = json!({
        "id": "11",
        "status": "current",
        "title": "The handbook",
        "spaceId": SPACE_ID,
        "parentId": "983061",
        "parentType": "page",
        "position": 3,
        "authorId": "5b10ac8d82e05b22cc7d4ef5",
        "ownerId": "5b10ac8d82e05b22cc7d4ef5",
        "lastOwnerId": null,
        "createdAt": "2026-11-02T09:15:27.000Z",
        "version": {
            "createdAt": "2026-11-03T10:01:02.000Z",
            "message": "",
            "number": 42,
            "minorEdit": false,
            "authorId": "5b10ac8d82e05b22cc7d4ef5",
        },
        "body": {"storage": {"representation": "storage", "value": storage_body(STORAGE_BYTES)}},
        "_links": {"webui": "/spaces/ENG/pages/11/The+handbook", "editui": "/pages/resumedraft.action?draftId=11", "tinyui": "/x/CwAA", "base": format!("{SITE}/wiki")},
    });
    har(vec![entry(
        &format!("{SITE}/wiki/api/v2/pages/11?body-format=storage"),
        page.to_string(),
    )])
}

// ---------------------------------------------------------------- native platform

/// The connector's [`Platform`], natively: answers from a HAR with the host's
/// own replay matcher, as the host does for the component.
struct HarPlatform {
    replayer: RefCell<Replayer>,
}

impl HarPlatform {
    fn new(har: &Har) -> HarPlatform {
        HarPlatform {
            replayer: RefCell::new(Replayer::new(har.clone())),
        }
    }
}

impl Platform for HarPlatform {
    fn send(
        &self,
        request: &HttpRequest,
        max_body: usize,
    ) -> Result<HttpResponse, TransportFailure> {
        let mut replayer = self.replayer.borrow_mut();
        let body = request.body.as_deref().unwrap_or_default();
        let entry = replayer.answer(request.method.as_str(), &request.url, body)?;
        let response = &entry.response;
        let body = response
            .content
            .bytes()
            .map_err(|e| TransportFailure::Failed(e.to_string()))?;
        if body.len() > max_body {
            return Err(TransportFailure::BodyTooLarge(max_body));
        }
        let mut headers: Vec<(String, String)> = response
            .headers
            .iter()
            .map(|h| (h.name.to_ascii_lowercase(), h.value.clone()))
            .collect();
        if !headers.iter().any(|(n, _)| n == "content-type") {
            headers.push(("content-type".into(), response.content.mime_type.clone()));
        }
        Ok(HttpResponse {
            status: response.status,
            headers,
            body,
        })
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn random_u64(&self) -> u64 {
        0x9e37_79b9_7f4a_7c15
    }

    fn now_unix_secs(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    fn log(&self, _level: LogLevel, _message: &str) {}

    fn secret(&self, _key: &str) -> Option<String> {
        // What the host answers in replay mode for a secret it was not given.
        Some(REDACTED.to_string())
    }
}

/// One native call; panics unless it succeeds. Returns the output's body length.
fn native_invoke(har: &Har, action: &str, input: &str) -> usize {
    let platform = HarPlatform::new(har);
    let connection = confluence_connector::bindings::integration::connector::types::Connection {
        definition: "basic".into(),
        values: connection_values().to_string(),
    };
    let output = <confluence_connector::Confluence as connector_sdk::Connector>::invoke(
        &platform,
        action,
        &connection,
        input,
    )
    .unwrap_or_else(|e| panic!("native {action} failed: {e:?}"));
    assert_eq!(output.status, 200);
    match output.body {
        confluence_connector::bindings::integration::connector::types::Body::Json(text) => {
            text.len()
        }
        other => panic!("native {action}: expected JSON, got {other:?}"),
    }
}

// ---------------------------------------------------------------- wasm helpers

fn connection_values() -> Value {
    json!({"email": "jane@acme.com", "host": "acme.atlassian.net"})
}

fn connection() -> Connection {
    Connection::new("basic", connection_values())
}

/// One call through `Host::invoke`; panics unless it succeeds. Returns the
/// output's body length and the guest's peak memory.
fn wasm_invoke(host: &Host, har: &Har, action: &str, input: &str) -> (usize, usize) {
    let options = CallOptions::replay(har.clone(), true);
    let outcome = host
        .invoke(action, &connection(), input, &options)
        .unwrap_or_else(|e| panic!("{action} failed in the host: {e:#}"));
    let output = outcome
        .result
        .unwrap_or_else(|e| panic!("{action} failed in the component: {e:?}"));
    assert_eq!(output.status, 200);
    match output.body {
        Body::Json(text) => (text.len(), outcome.peak_memory),
        other => panic!("{action}: expected JSON, got {other:?}"),
    }
}

/// A current-thread runtime, as `Host`'s blocking methods run each call on.
fn call_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A store set up as `Host` sets one up for a call.
fn new_store(host: &Host, http: HttpMode) -> Store<State> {
    let mut secrets = Secrets::new();
    secrets.redacted_fallback = matches!(http, HttpMode::Replay { .. });
    let hooks = CallHooks::new(&http, secrets.clone());
    let logs = Arc::new(Mutex::new(Vec::new()));
    let state = State::new(hooks, secrets, logs, DEFAULT_MEMORY_LIMIT);
    let mut store = Store::new(host.engine(), state);
    store.limiter(|s| s);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|_| Ok(UpdateDeadline::Yield(1)));
    store
}

// ---------------------------------------------------------------- main

fn main() {
    let quick = std::env::var_os("PERF_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let reps = |full: usize, few: usize| if quick { few } else { full };
    let path = Host::default_component_path();
    eprintln!("perf: component {}", path.display());
    let host = Host::new(&path).expect("the component loads");
    let mut table = Table::default();

    // 1. Sizes.
    let wasm = std::fs::read(&path).expect("read the component");
    let gzip = {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&wasm).unwrap();
        encoder.finish().unwrap()
    };
    table.row(
        "1. component .wasm size",
        bytes(wasm.len() as f64),
        format!("exact: {} B", wasm.len()),
        "—".into(),
    );
    table.row(
        "1. .wasm size, gzip -9",
        bytes(gzip.len() as f64),
        format!(
            "exact: {} B ({:.0}% of the .wasm)",
            gzip.len(),
            100.0 * gzip.len() as f64 / wasm.len() as f64
        ),
        "—".into(),
    );

    // 2. Compiling, and loading from the on-disk cache.
    let compile = time(0, reps(5, 2), || {
        Component::new(host.engine(), &wasm).expect("the component compiles");
    });
    table.row(
        "2. compile with Cranelift (fresh, no cache)",
        secs(compile.median()),
        compile.spread(secs),
        "—".into(),
    );
    let cached = time(2, reps(30, 5), || {
        engine::load_component(host.engine(), &path).expect("the component loads");
    });
    table.row(
        "2. load from the on-disk cache (warm)",
        secs(cached.median()),
        cached.spread(secs),
        "—".into(),
    );

    // 3. Instantiation from the InstancePre, a new Store each time.
    let runtime = call_runtime();
    let instantiate = runtime.block_on(async {
        let (warmup, runs) = (50, reps(2000, 200));
        let mut durations = Vec::with_capacity(runs);
        for i in 0..warmup + runs {
            let mut store = new_store(&host, HttpMode::Off);
            let started = Instant::now();
            let instance = host.instance_pre().instantiate_async(&mut store).await;
            let took = started.elapsed();
            instance.expect("the component instantiates");
            if i >= warmup {
                durations.push(took);
            }
            drop(store);
        }
        Samples::from_durations(&durations)
    });
    table.row(
        "3. instantiate from InstancePre (pooling)",
        secs(instantiate.median()),
        instantiate.spread(secs),
        under(instantiate.median(), 50e-6, "50 µs"),
    );

    // 4. get-space: wasm end to end, wasm call only, native; ratio.
    let space = space_har();
    let input = format!(r#"{{"space-id": "{SPACE_ID}"}}"#);
    let (runs, warmup) = (reps(500, 50), 20);
    for _ in 0..warmup {
        wasm_invoke(&host, &space, "get-space", &input);
        native_invoke(&space, "get-space", &input);
    }
    let (mut wasm_times, mut native_times, mut ratios) = (vec![], vec![], vec![]);
    for _ in 0..runs {
        // Interleaved, so that each ratio compares runs made moments apart.
        let started = Instant::now();
        wasm_invoke(&host, &space, "get-space", &input);
        let wasm_took = started.elapsed();
        let started = Instant::now();
        native_invoke(&space, "get-space", &input);
        let native_took = started.elapsed();
        wasm_times.push(wasm_took);
        native_times.push(native_took);
        ratios.push(wasm_took.as_secs_f64() / native_took.as_secs_f64());
    }
    let (wasm_space, native_space) = (
        Samples::from_durations(&wasm_times),
        Samples::from_durations(&native_times),
    );
    let call_only = runtime.block_on(async {
        let wit = WitConnection {
            definition: "basic".into(),
            values: connection_values().to_string(),
        };
        let mut durations = Vec::new();
        for i in 0..warmup + runs {
            let http = HttpMode::Replay {
                har: space.clone(),
                strict: true,
            };
            let mut store = new_store(&host, http);
            let instance = host
                .instance_pre()
                .instantiate_async(&mut store)
                .await
                .expect("the component instantiates");
            let exports = host
                .export_indices()
                .load(&mut store, &instance)
                .expect("the component has the connector's exports");
            let started = Instant::now();
            let result = exports
                .actions
                .call_invoke(&mut store, "get-space", &wit, &input)
                .await;
            let took = started.elapsed();
            let output = result.expect("no trap").expect("get-space succeeds");
            assert_eq!(output.status, 200);
            if i >= warmup {
                durations.push(took);
            }
        }
        Samples::from_durations(&durations)
    });
    table.row(
        "4. get-space, wasm: Host::invoke end to end",
        secs(wasm_space.median()),
        wasm_space.spread(secs),
        "—".into(),
    );
    table.row(
        "4. get-space, wasm: the call on a ready instance",
        secs(call_only.median()),
        call_only.spread(secs),
        "—".into(),
    );
    table.row(
        "4. get-space, native Connector::invoke",
        secs(native_space.median()),
        native_space.spread(secs),
        "—".into(),
    );
    let ratio = Samples::new(ratios);
    table.row(
        "4. get-space ratio wasm / native (end to end)",
        times(ratio.median()),
        ratio.spread(times),
        under(ratio.median(), 2.0, "2"),
    );
    let call_ratio = call_only.median() / native_space.median();
    table.row(
        "4. get-space ratio wasm / native (ready instance)",
        times(call_ratio),
        "of the medians".into(),
        "—".into(),
    );

    // 5. list-pages, fetch-all over 40 pages of 250.
    let pages = pages_har();
    let input = r#"{"fetch-all": true, "max-results": 10000}"#;
    let items = (PAGES * PAGE_SIZE) as f64;
    let (len, _) = wasm_invoke(&host, &pages, "list-pages", input);
    let check: Value = {
        let options = CallOptions::replay(pages.clone(), true);
        let outcome = host
            .invoke("list-pages", &connection(), input, &options)
            .unwrap();
        match outcome.result.unwrap().body {
            Body::Json(text) => serde_json::from_str(&text).unwrap(),
            other => panic!("expected JSON, got {other:?}"),
        }
    };
    assert_eq!(
        check["results"].as_array().unwrap().len(),
        PAGES * PAGE_SIZE
    );
    assert_eq!(check["truncated"], false);
    assert_eq!(native_invoke(&pages, "list-pages", input), len);
    let mut peaks = Vec::new();
    let list = time(1, reps(10, 3), || {
        peaks.push(wasm_invoke(&host, &pages, "list-pages", input).1 as f64);
    });
    peaks.remove(0); // the warm-up run's
    let list_native = time(1, reps(10, 3), || {
        native_invoke(&pages, "list-pages", input);
    });
    let rate = Samples::new(list.0.iter().map(|t| items / t).collect());
    let rate_native = Samples::new(list_native.0.iter().map(|t| items / t).collect());
    let peaks = Samples::new(peaks);
    table.row(
        "5. list-pages fetch-all 10,000, wasm: items/s",
        per_sec(rate.median()),
        rate.spread(per_sec),
        "—".into(),
    );
    table.row(
        "5. list-pages fetch-all 10,000, wasm: time",
        secs(list.median()),
        list.spread(secs),
        "—".into(),
    );
    table.row(
        "5. list-pages fetch-all 10,000, native: items/s",
        per_sec(rate_native.median()),
        rate_native.spread(per_sec),
        "—".into(),
    );
    table.row(
        "5. list-pages fetch-all 10,000: guest peak memory",
        bytes(peaks.median()),
        peaks.spread(bytes),
        under(
            peaks.median(),
            DEFAULT_MEMORY_LIMIT as f64,
            "256 MiB (limit)",
        ),
    );

    // 6. get-page with a 5 MB storage body.
    let big = big_page_har();
    let input = r#"{"page-id": "11", "body-format": "storage"}"#;
    let (len, _) = wasm_invoke(&host, &big, "get-page", input);
    assert!(len > STORAGE_BYTES, "the output holds the body");
    assert_eq!(native_invoke(&big, "get-page", input), len);
    let mut peaks = Vec::new();
    let get = time(2, reps(20, 3), || {
        peaks.push(wasm_invoke(&host, &big, "get-page", input).1 as f64);
    });
    peaks.drain(..2); // the warm-up runs
    let get_native = time(2, reps(20, 3), || {
        native_invoke(&big, "get-page", input);
    });
    let peaks = Samples::new(peaks);
    table.row(
        "6. get-page, 5 MB storage body, wasm: time",
        secs(get.median()),
        get.spread(secs),
        "—".into(),
    );
    table.row(
        "6. get-page, 5 MB storage body, native: time",
        secs(get_native.median()),
        get_native.spread(secs),
        "—".into(),
    );
    table.row(
        "6. get-page, 5 MB storage body: guest peak memory",
        bytes(peaks.median()),
        peaks.spread(bytes),
        under(
            peaks.median(),
            DEFAULT_MEMORY_LIMIT as f64,
            "256 MiB (limit)",
        ),
    );

    // 7. MCP over stdio: `connector-host mcp` as an agent host runs it.
    mcp_rows(
        &mut table,
        &path,
        &space,
        wasm_space.median(),
        reps(500, 50),
    );

    println!();
    table.print();
}

/// Section 7: the round trip of `tools/list` (the whole catalog) and of a
/// `tools/call` of get-space over stdio, and that call's overhead over the
/// same call through `Host::invoke` (`invoke_median`, section 4).
fn mcp_rows(table: &mut Table, component: &Path, space: &Har, invoke_median: f64, runs: usize) {
    use std::io::{BufRead, BufReader, Write};
    let warmup = 20;
    let dir = std::env::temp_dir().join(format!("perf-mcp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (har_path, connection_path) = (dir.join("space.har"), dir.join("connection.json"));
    // One get-space answer per call: a replay answers each entry once.
    har(vec![space.log.entries[0].clone(); warmup + runs])
        .write(&har_path)
        .unwrap();
    std::fs::write(
        &connection_path,
        json!({"definition": "basic", "values": connection_values()}).to_string(),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .arg("--component")
        .arg(component)
        .args(["mcp", "--connection"])
        .arg(&connection_path)
        .arg("--replay")
        .arg(&har_path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("connector-host mcp starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut id = 0u64;
    let mut round_trip = |method: &str, params: Value| -> (Duration, Value) {
        // A notification (no id) has no answer.
        let notify = method.starts_with("notifications/");
        let mut request = json!({"jsonrpc": "2.0", "method": method, "params": params});
        if !notify {
            id += 1;
            request["id"] = json!(id);
        }
        let started = Instant::now();
        writeln!(stdin, "{request}").unwrap();
        stdin.flush().unwrap();
        if notify {
            return (started.elapsed(), Value::Null);
        }
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let took = started.elapsed();
        let answer: Value = serde_json::from_str(&line).expect("a JSON-RPC answer");
        assert_eq!(answer["id"], id, "{line}");
        (took, answer)
    };
    let init = json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "perf", "version": "1"}});
    round_trip("initialize", init);
    round_trip("notifications/initialized", json!({}));
    let mut lists = Vec::new();
    let mut tools = 0;
    for i in 0..warmup + runs {
        let (took, answer) = round_trip("tools/list", json!({}));
        tools = answer["result"]["tools"].as_array().map_or(0, Vec::len);
        if i >= warmup {
            lists.push(took);
        }
    }
    let mut calls = Vec::new();
    for i in 0..warmup + runs {
        let params = json!({"name": "get-space", "arguments": {"space-id": SPACE_ID}});
        let (took, answer) = round_trip("tools/call", params);
        assert_eq!(answer["result"]["isError"], false, "{answer}");
        if i >= warmup {
            calls.push(took);
        }
    }
    drop(stdin);
    let _ = child.wait();
    std::fs::remove_dir_all(&dir).unwrap();
    let (lists, calls) = (
        Samples::from_durations(&lists),
        Samples::from_durations(&calls),
    );
    table.row(
        &format!("7. MCP stdio: tools/list ({tools} tools)"),
        secs(lists.median()),
        lists.spread(secs),
        under(lists.median(), 0.005, "5 ms"),
    );
    table.row(
        "7. MCP stdio: tools/call get-space",
        secs(calls.median()),
        calls.spread(secs),
        "—".into(),
    );
    let overhead = calls.median() - invoke_median;
    table.row(
        "7. MCP overhead over Host::invoke (medians)",
        secs(overhead.max(0.0)),
        format!("{} − {}", secs(calls.median()), secs(invoke_median)),
        under(overhead, 0.001, "1 ms"),
    );
}
