wit_bindgen::generate!({
    world: "connector",
    path: "wit",
    generate_all,
    with: {
        "wasi:http/types@0.2.12": wasip2::http::types,
        "wasi:http/outgoing-handler@0.2.12": wasip2::http::outgoing_handler,
        "wasi:io/error@0.2.12": wasip2::io::error,
        "wasi:io/poll@0.2.12": wasip2::io::poll,
        "wasi:io/streams@0.2.12": wasip2::io::streams,
        "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
    },
});
struct C;
impl exports::integration::connector::connections::Guest for C {
    fn definitions() -> Vec<exports::integration::connector::connections::ConnectionDefinition> { vec![] }
    fn check(_c: exports::integration::connector::connections::Connection) -> Result<exports::integration::connector::connections::Site, exports::integration::connector::connections::Error> {
        let _ = wasip2::random::random::get_random_u64();
        std::thread::sleep(std::time::Duration::from_millis(1));
        Err(exports::integration::connector::connections::Error::Internal(format!("{:?}", integration::connector::secrets::get("x"))))
    }
}
impl exports::integration::connector::actions::Guest for C {
    fn definitions() -> Vec<exports::integration::connector::actions::ActionDefinition> { vec![] }
    fn invoke(a: String, _c: exports::integration::connector::actions::Connection, _i: String) -> Result<exports::integration::connector::actions::Output, exports::integration::connector::actions::Error> {
        let r = wasip2::http::types::OutgoingRequest::new(wasip2::http::types::Fields::new());
        let _ = wasip2::http::outgoing_handler::handle(r, None);
        wasi::logging::logging::log(wasi::logging::logging::Level::Info, "", &a);
        Err(exports::integration::connector::actions::Error::Internal(a))
    }
}
export!(C);
