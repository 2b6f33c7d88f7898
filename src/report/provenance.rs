//! Code version and machine of a report.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The code version: crate version and git commit of the working directory; when the tree has
/// uncommitted changes, `-dirty-` and the SHA-256 of `git diff HEAD` (so a change of code changes
/// the version). `None` outside a git checkout: then nothing is reused.
pub fn code_version() -> Option<String> {
    let commit = git(&["rev-parse", "HEAD"])?;
    let diff = git(&["diff", "HEAD"]).unwrap_or_default();
    let untracked = git(&["ls-files", "--others", "--exclude-standard"]).unwrap_or_default();
    let v = env!("CARGO_PKG_VERSION");
    Some(if diff.is_empty() && untracked.is_empty() {
        format!("{v}+{commit}")
    } else {
        format!("{v}+{commit}-dirty-{}", &super::cache::key(&[&diff, &untracked])[..16])
    })
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
