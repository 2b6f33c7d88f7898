//! Helpers shared by the test binaries: running the CLI, reading a folder's files, tolerances.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// The `largestep` binary this test run built.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_largestep"))
}

/// Runs `largestep ARGS…` to completion.
pub fn largestep<S: AsRef<OsStr>>(args: &[S]) -> Output {
    bin().args(args).output().expect("runs the largestep binary")
}

/// Runs `largestep ARGS…` in the working directory `cwd`.
pub fn largestep_in<S: AsRef<OsStr>>(cwd: &Path, args: &[S]) -> Output {
    bin().current_dir(cwd).args(args).output().expect("runs the largestep binary")
}

/// Starts `largestep ARGS…` in the background, its output discarded.
pub fn spawn_quiet<S: AsRef<OsStr>>(args: &[S]) -> Child {
    bin().args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("starts the largestep binary")
}

/// SIGKILLs a child of this test (no chance to clean up) and reaps it.
pub fn sigkill(child: &mut Child) {
    // SAFETY: the pid of our own child, not yet reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().expect("reaps the killed child");
}

/// Runs `largestep ARGS…` and SIGKILLs it after `at`.
pub fn kill_after<S: AsRef<OsStr>>(args: &[S], at: Duration) {
    let mut child = spawn_quiet(args);
    std::thread::sleep(at);
    sigkill(&mut child);
}

/// A run's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts that a run succeeded, showing its standard error otherwise.
pub fn assert_ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}: {}", o.status.code(), stderr(o));
}

/// Every file under `dir`, recursively (relative path → bytes); empty if `dir` is missing.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// y = 2x₁ − x₃ on 40 points x ∈ [−1, 1]⁴ (a sparse linear target), as CSV with a header.
pub fn write_linear_csv(path: &Path) {
    let mut text = String::from("x1,x2,x3,x4,y\n");
    for i in 0..40u32 {
        let x: Vec<f64> = (0..4u32).map(|j| (f64::from((i * 7 + j * 13) % 17) / 8.0) - 1.0).collect();
        text += &format!("{},{},{},{},{}\n", x[0], x[1], x[2], x[3], 2.0 * x[0] - x[2]);
    }
    std::fs::write(path, text).unwrap();
}

/// The rounding tolerance of a computation of `n` floating-point operations on values of
/// magnitude `scale`: c·ε·n·scale (ε the f64 machine epsilon; c a small constant stating how
/// loose the bound is, e.g. 4 for a few roundings per operation).
pub fn tol(c: f64, n: usize, scale: f64) -> f64 {
    c * f64::EPSILON * n as f64 * scale
}

/// Asserts |a − b| ≤ c·ε·n·max(|a|, |b|, 1) ([`tol`]), naming `what`.
pub fn assert_close(what: &str, a: f64, b: f64, c: f64, n: usize) {
    let t = tol(c, n, a.abs().max(b.abs()).max(1.0));
    assert!((a - b).abs() <= t, "{what}: {a} vs {b} differ by {:e} > {t:e} (c = {c}, n = {n})", (a - b).abs());
}
