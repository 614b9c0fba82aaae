//! Embedding the connector in your own wasmtime host, without the harness:
//! `bindgen!`, WASI + wasi-http + trivial secrets/logging, the catalog, and
//! one `list-spaces` call. Usage: `cargo run -p host-test-harness --example
//! embed -- [COMPONENT.wasm] [SITE]`; the default SITE http://127.0.0.1:9 has
//! nothing listening, so it shows the connector's transport error offline.

use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "connector",
    exports: { default: async },
    with: {
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
    },
});

/// The store data: WASI (no env, args, files or sockets), HTTP, resources.
struct Host(WasiCtx, WasiHttpCtx, ResourceTable);

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.0,
            table: &mut self.2,
        }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        let hooks = wasmtime_wasi_http::default_hooks();
        WasiHttpCtxView {
            ctx: &mut self.1,
            table: &mut self.2,
            hooks,
        }
    }
}

impl integration::connector::secrets::Host for Host {
    fn get(&mut self, key: String) -> Option<String> {
        (key == "api-token").then(|| "example-token".to_string())
    }
}

impl wasi::logging::logging::Host for Host {
    fn log(&mut self, level: wasi::logging::logging::Level, context: String, message: String) {
        eprintln!("[{level:?}] {context}: {message}");
    }
}

#[tokio::main]
async fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let wasm = args.get(1).map_or(env!("CONNECTOR_WASM"), |s| s.as_str());
    let site = args.get(2).map_or("http://127.0.0.1:9", |s| s.as_str());

    let engine = Engine::new(&Config::new())?;
    let component = Component::from_file(&engine, wasm)?;
    let mut linker: Linker<Host> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    integration::connector::secrets::add_to_linker::<_, HasSelf<Host>>(&mut linker, |h| h)?;
    wasi::logging::logging::add_to_linker::<_, HasSelf<Host>>(&mut linker, |h| h)?;

    let (wasi, http) = (WasiCtx::builder().build(), WasiHttpCtx::new());
    let mut store = Store::new(&engine, Host(wasi, http, ResourceTable::new()));
    let connector = Connector::instantiate_async(&mut store, &component, &linker).await?;

    let actions = connector.integration_connector_actions();
    let catalog = actions.call_definitions(&mut store).await?;
    let keys: Vec<&str> = catalog.iter().map(|a| a.key.as_str()).collect();
    println!("{} actions: {}", keys.len(), keys.join(", "));

    let values = serde_json::json!({"email": "jane@acme.com", "host": site});
    let definition = "basic".to_string();
    let connection = integration::connector::types::Connection {
        definition,
        values: values.to_string(),
    };
    let input = r#"{"limit": 5}"#.to_string();
    match actions
        .call_invoke(&mut store, "list-spaces", &connection, &input)
        .await?
    {
        Ok(output) => println!("list-spaces: HTTP {} {:?}", output.status, output.body),
        Err(error) => println!("list-spaces failed: {error:?}"),
    }
    Ok(())
}
