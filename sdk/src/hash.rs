//! A small stable hash for fingerprints, made-up ids and loop detection.

/// A stable 64-bit FNV-1a hash of `text`: the same on every platform and in
/// every build, so it may be stored in a sync state and compared later.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
