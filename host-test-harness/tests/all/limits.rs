//! The engine's limits on plain core modules (a guest that loops forever, one
//! that grows memory without bound): both end with a clear error.

use host_test_harness::host::call_failure;
use host_test_harness::secrets::Secrets;
use host_test_harness::state::Limiter;
use std::time::{Duration, Instant};
use wasmtime::{Instance, Module, Store};

fn run(wat: &str, deadline_ticks: u64, memory_limit: usize) -> anyhow::Error {
    let engine = host_test_harness::engine::build_engine().unwrap();
    let module = Module::new(&engine, wat::parse_str(wat).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut store = Store::new(
            &engine,
            Limiter {
                limit: memory_limit,
            },
        );
        store.limiter(|l| l);
        store.set_epoch_deadline(deadline_ticks);
        store.epoch_deadline_trap();
        let instance = Instance::new_async(&mut store, &module, &[]).await.unwrap();
        let f = instance.get_typed_func::<(), ()>(&mut store, "f").unwrap();
        let err = f.call_async(&mut store, ()).await.unwrap_err();
        call_failure(err, Duration::from_millis(50), &Secrets::new())
    })
}

#[test]
fn an_endless_loop_is_interrupted_by_the_epoch_deadline() {
    let started = Instant::now();
    let err = run(r#"(module (func (export "f") (loop (br 0))))"#, 5, 1 << 30);
    assert_eq!(
        err.to_string(),
        "the component exceeded its time limit of 0.05 s"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn unbounded_memory_growth_stops_at_the_limit() {
    let err = run(
        r#"(module (memory 1)
             (func (export "f")
               (loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))))"#,
        1_000_000,
        4 * 1024 * 1024,
    );
    assert_eq!(
        err.to_string(),
        "the component exceeded its memory limit of 4 MiB"
    );
}
