//! Issue 35, item 6: an error with stderr on a full device exits 2 (the panic hook never panics
//! itself: exit 134); a non-UTF-8 argument is an error, never a panic.

use std::process::{Command, Stdio};

#[test]
fn an_error_on_a_full_stderr_exits_2_not_abort() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let status = Command::new(env!("CARGO_BIN_EXE_largestep"))
        .args(["run", "/nonexistent/config.toml"])
        .stderr(Stdio::from(full))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2), "{status}");
}

#[cfg(unix)]
#[test]
fn a_non_utf8_argument_is_an_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"\xff\xfe.toml");
    for args in [vec![std::ffi::OsStr::new("sweep"), bad], vec![std::ffi::OsStr::new("run"), bad]] {
        let o = Command::new(env!("CARGO_BIN_EXE_largestep")).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked") && !err.contains("(at src/"), "{args:?}: {err}");
    }
    // A non-UTF-8 output path is accepted and recorded (lossily) in run.json's argv.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(std::ffi::OsStr::from_bytes(b"out-\xff"));
    let o = Command::new(env!("CARGO_BIN_EXE_largestep"))
        .args(["run", concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/slurm/example.toml"), "--quick", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = std::fs::read_to_string(out.join("slurm-example/run.json")).unwrap();
    assert!(run.contains("out-\u{fffd}"), "{run}");
}
