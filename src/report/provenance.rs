//! Code version and machine of a report.

/// The code version: the binary's own build ([`crate::provenance::build_id`]: crate version and
/// the commit it was compiled from, with a digest of uncommitted changes), recorded by `build.rs`
/// at compile time — so a report made from another repository's working directory still names
/// this binary. `None` for a build outside a git checkout: then nothing is reused.
pub fn code_version() -> Option<String> {
    crate::provenance::build_id()
}

/// CPU model, cores, OS and architecture.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

/// The current UTC time in RFC 3339 (`2026-11-28T21:42:23Z`), as `run.json` writes it.
pub fn now_utc() -> String {
    crate::provenance::rfc3339(std::time::SystemTime::now())
}
