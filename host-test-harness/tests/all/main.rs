//! The host's integration tests, as one test binary (as wasmtime's own crates
//! do): wasmtime is linked once rather than once per file, and every test
//! shares one loaded component (`common::host`). Each module is one former
//! test file; the shared helpers live in `common` and `local_server`.
//!
//! The tests run on the test runner's threads in this one process, so none
//! may change process-wide state (environment variables, the current
//! directory); programs run by a test get their environment on their own
//! `Command`, and scratch files carry the process id and a unique name.

mod common;
mod local_server;

mod actions;
mod bad_input;
mod catalog;
mod cli;
mod cli_robustness;
mod component_shape;
mod conformance;
mod connection_reuse;
mod contract;
mod cross_host;
mod egress;
mod files;
mod har_replay;
mod host_calls;
mod host_robustness;
mod hostile;
mod http_hooks;
mod limits;
mod markdown;
mod mcp;
mod oauth;
mod raw;
mod second_connector;
mod secrets;
mod standalone;
mod sync;
mod tree;
