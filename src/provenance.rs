//! Provenance of an output folder: `run.json` (docs/DESIGN.md §9).
//!
//! [`Provenance::start`] records what is known before a run (command line, tool version, the
//! commit the binary was built from, the effective config's hash, seeds, flags, threads,
//! machine, start time); [`Provenance::finish`] adds the end time and writes `run.json`
//! atomically into the output folder.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The machine a run ran on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// Operating system (`std::env::consts::OS`).
    pub os: String,
    /// CPU architecture (`std::env::consts::ARCH`).
    pub arch: String,
    /// Logical CPUs available to the process.
    pub cpus: usize,
    /// Host name, when the OS reports one.
    pub host: Option<String>,
}

impl Machine {
    /// CPU model, cores, OS and architecture, in words (the report's header).
    pub fn describe() -> String {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let m = Self::current();
        format!("{cpu}, {} cores, {} {}", m.cpus, m.os, m.arch)
    }

    /// The current machine.
    pub fn current() -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty());
        Self {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            host,
        }
    }
}

/// The content of `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Always `"largestep"`.
    pub tool: String,
    /// The crate version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// The commit the binary was built from; `None` when built outside a git checkout.
    pub git_commit: Option<String>,
    /// Whether the checkout had uncommitted changes at build time (`None`: unknown).
    pub git_dirty: Option<bool>,
    /// The command line.
    pub argv: Vec<String>,
    /// The config's `name`.
    pub config_name: String,
    /// FNV-1a 64-bit hash of the effective config text (`config.toml`), 16 hex digits.
    pub config_hash: String,
    /// The seed offsets run.
    pub seeds: Vec<u64>,
    /// Flags that change results (`quick`, `vary_data`, …) with their values.
    pub flags: BTreeMap<String, String>,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// The machine.
    pub machine: Machine,
    /// Start time, UTC, RFC 3339.
    pub started: String,
    /// End time, UTC, RFC 3339 (empty until [`Provenance::finish`]).
    pub finished: String,
    /// Wall time in seconds.
    pub wall_seconds: f64,
    #[serde(skip)]
    clock: Option<Instant>,
}

impl Provenance {
    /// Starts the record of a run of config `config_name` whose effective text is `config_text`.
    pub fn start(config_name: &str, config_text: &str, seeds: Vec<u64>, flags: BTreeMap<String, String>) -> Self {
        let commit = option_env!("LARGESTEP_GIT_COMMIT").filter(|c| !c.is_empty());
        Self {
            tool: "largestep".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            git_commit: commit.map(str::to_string),
            git_dirty: commit.and(option_env!("LARGESTEP_GIT_DIRTY")).map(|d| d == "true"),
            argv: std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect(),
            config_name: config_name.into(),
            config_hash: format!("{:016x}", fnv1a64(config_text.as_bytes())),
            seeds,
            flags,
            threads: rayon::current_num_threads(),
            machine: Machine::current(),
            started: rfc3339(SystemTime::now()),
            finished: String::new(),
            wall_seconds: 0.0,
            clock: Some(Instant::now()),
        }
    }

    /// Records the end time and writes `dir/run.json` atomically.
    pub fn finish(mut self, dir: &Path) -> anyhow::Result<Self> {
        self.finished = rfc3339(SystemTime::now());
        self.wall_seconds = self.clock.map_or(0.0, |c| c.elapsed().as_secs_f64());
        let json = serde_json::to_string_pretty(&self)?;
        crate::output::atomic_write(&dir.join("run.json"), format!("{json}\n").as_bytes())?;
        Ok(self)
    }

    /// Reads a `run.json`.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}: not a run.json", path.display()))
    }
}

/// The binary's own build: crate version and the commit it was built from, with `-dirty-` and
/// a digest of the uncommitted changes when the checkout had some (all recorded by `build.rs` at
/// compile time, never read from the working directory). `None` for a build outside a git
/// checkout: nothing is then known to be the same code.
pub fn build_id() -> Option<String> {
    let commit = option_env!("LARGESTEP_GIT_COMMIT").filter(|c| !c.is_empty())?;
    let v = env!("CARGO_PKG_VERSION");
    Some(match option_env!("LARGESTEP_GIT_DIFF") {
        Some(diff) => format!("{v}+{commit}-dirty-{diff}"),
        None => format!("{v}+{commit}"),
    })
}

/// FNV-1a, 64 bits: h₀ = 0xcbf29ce484222325, hᵢ₊₁ = (hᵢ ⊕ bᵢ)·0x100000001b3 mod 2⁶⁴.
///
/// ```
/// assert_eq!(largestep::provenance::fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
/// ```
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// `t` as UTC RFC 3339 with seconds (`2026-11-28T21:42:23Z`); days → civil date by
/// H. Hinnant's `civil_from_days`.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_matches_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // 2000-02-29 (leap day of a century leap year) 12:34:56.
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_827_696)), "2000-02-29T12:34:56Z");
        // 2026-11-28T21:42:23Z.
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_902_143)), "2026-11-28T21:42:23Z");
    }

    #[test]
    fn fnv1a64_reference_values() {
        // The FNV reference test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
