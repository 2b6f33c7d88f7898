//! Records the git commit the binary is built from (for `run.json`, docs/DESIGN.md §9, and the
//! report's and sweeps' cache keys, `largestep::provenance::build_id`): `LARGESTEP_GIT_COMMIT`,
//! `LARGESTEP_GIT_DIRTY` and `LARGESTEP_GIT_DIFF` (FNV-1a of `git diff HEAD` and the untracked
//! files' names, so two dirty builds of different code differ), left unset outside a git
//! checkout.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Only this crate's own checkout counts (not an enclosing repository of a vendored copy).
    let root = std::env::var("CARGO_MANIFEST_DIR").ok().and_then(|d| std::fs::canonicalize(d).ok());
    let top = git(&["rev-parse", "--show-toplevel"]).and_then(|t| std::fs::canonicalize(t).ok());
    if root.is_none() || root != top {
        return;
    }
    let Some(commit) = git(&["rev-parse", "HEAD"]) else { return };
    println!("cargo:rustc-env=LARGESTEP_GIT_COMMIT={commit}");
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    println!("cargo:rustc-env=LARGESTEP_GIT_DIRTY={dirty}");
    let diff = git(&["diff", "HEAD"]).unwrap_or_default();
    let untracked = git(&["ls-files", "--others", "--exclude-standard"]).unwrap_or_default();
    let fnv = |h: u64, b: &[u8]| b.iter().fold(h, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3));
    let h = fnv(fnv(0xcbf2_9ce4_8422_2325, diff.as_bytes()), untracked.as_bytes());
    if !diff.is_empty() || !untracked.is_empty() {
        println!("cargo:rustc-env=LARGESTEP_GIT_DIFF={h:016x}");
    }
    // Rebuild when HEAD moves (a commit, a checkout), the index or a tracked source changes.
    for dir in ["src", "theory", "proofs-check", "experiments", "Cargo.toml"] {
        println!("cargo:rerun-if-changed={dir}");
    }
    for path in ["HEAD", "index"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(p) = git(&["rev-parse", "--git-path", &r]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}
