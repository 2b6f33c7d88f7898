//! Byte counts for messages: 1024-based units with one decimal.

/// `b` bytes as `12.3 MiB` (1024-based, one decimal).
pub(super) fn bytes(b: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", units[u])
}
