//! A sweep killed after some of its cells finished resumes (issue 33): the rerun reuses the
//! finished cells (their inputs hash the same) and writes the same bytes as an uninterrupted
//! sweep; a cell whose inputs changed is recomputed.

use crate::common::{sigkill, spawn_quiet};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/slurm/example.toml");

fn args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "sweep",
        EXAMPLE,
        "--quick",
        "--seeds",
        "2",
        "--vary",
        "runs.decay10.schedule.step=0.25,0.3,0.35",
        "--vary",
        "training.seed=1,2",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect()
}

fn finished_cells(resume: &Path) -> usize {
    std::fs::read_dir(resume).map_or(0, |d| {
        d.filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().starts_with("cell-"))).count()
    })
}

#[test]
fn a_killed_sweep_resumes_to_the_same_bytes() {
    let root = tempfile::tempdir().unwrap();
    let reference = root.path().join("reference");
    let o = Command::new(env!("CARGO_BIN_EXE_largestep")).args(args(&reference, &[])).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let out = root.path().join("out");
    let resume = root.path().join(".out.resume");
    let mut child = spawn_quiet(&args(&out, &[]));
    // Kill once two of the six cells are stored (each cell takes tens of milliseconds; the
    // poll every millisecond sees the store grow long before the sixth).
    loop {
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended before two cells were seen stored");
        if finished_cells(&resume) >= 2 {
            sigkill(&mut child);
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(!out.exists(), "a killed first sweep committed a set");
    let kept = finished_cells(&resume);
    assert!((2..6).contains(&kept), "{kept} cells stored");
    let o = Command::new(env!("CARGO_BIN_EXE_largestep")).args(args(&out, &[])).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!(err.matches("reused (inputs unchanged)").count(), kept, "{err}");
    assert_eq!(files(&out), files(&reference), "the resumed sweep differs from the uninterrupted one");
    assert!(!resume.exists(), "the commit removes the resume state");
}

/// Stored cells are reused only under the same inputs: after a kill, a rerun with another
/// `--set` recomputes every cell.
#[test]
fn changed_inputs_are_recomputed() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let resume = root.path().join(".out.resume");
    // Killed once its first cell is stored.
    let mut child = spawn_quiet(&args(&out, &[]));
    loop {
        if child.try_wait().unwrap().is_some() {
            return; // finished before a kill: nothing to check on this machine
        }
        if finished_cells(&resume) >= 1 {
            sigkill(&mut child);
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let o = Command::new(env!("CARGO_BIN_EXE_largestep"))
        .args(args(&out, &["--set", "training.iterations=1500"]))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("reused"), "a cell of other inputs was reused: {err}");
}
