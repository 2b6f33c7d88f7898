//! The reduced-scale deep protocol at CI size (issue 32): `reproduce deep-cifar10-small` on the
//! 60-image fixture, width 2, 2 epochs, 2 seeds, through the CLI: every file of the set, the
//! rows of each CSV, the claims decided at reduced scale and out of the paper's tally, the same
//! bytes on a second run. It asserts nothing of the paper's claims (this size decides nothing).
#![cfg(feature = "deep")]

use largestep::claims::deep_small::Summary;
use largestep::deep::small::Protocol;
use std::path::Path;
use std::process::Command;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cifar10-mini");

/// The CI size: 6 training and 2 test images per class (the whole fixture), width 2.
const CI: &[&str] = &[
    "width=2",
    "train_per_class=6",
    "test_per_class=2",
    "epochs=2",
    "batch=20",
    "seeds=2",
    "loss_every=1",
    "metric_images=60",
    "max_neurons=100",
];

fn reproduce(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_largestep"));
    c.args(["reproduce", "deep-cifar10-small", "--data", FIXTURE, "--out", out.to_str().unwrap()]);
    for s in CI {
        c.args(["--set", s]);
    }
    c.args(extra).output().unwrap()
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p).unwrap().lines().map(String::from).collect()
}

#[test]
fn the_whole_protocol_runs_at_ci_size_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let out = reproduce(&dir.path().join("a"), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let set = dir.path().join("a/deep-cifar10-small");
    for f in [
        "epochs.csv",
        "steps.csv",
        "claims.json",
        "claims.csv",
        "protocol.toml",
        "run.json",
        "deep-small.png",
        "deep-small.svg",
    ] {
        assert!(set.join(f).is_file(), "{f} missing");
    }
    // epochs.csv: 2 seeds × 4 runs × 2 epochs, sparsity at blocks 3 and 4 every epoch.
    let epochs = lines(&set.join("epochs.csv"));
    assert_eq!(epochs.len(), 1 + 2 * 4 * 2);
    let header: Vec<&str> = epochs[0].split(',').collect();
    assert_eq!(&header[..3], &["seed", "run", "epoch"]);
    let (s3, s4) = (
        header.iter().position(|h| *h == "sparsity_layer3").unwrap(),
        header.iter().position(|h| *h == "sparsity_layer4").unwrap(),
    );
    for row in &epochs[1..] {
        let f: Vec<&str> = row.split(',').collect();
        for c in [s3, s4] {
            let v: f64 = f[c].parse().unwrap();
            assert!((0.0..=1.0).contains(&v), "{row}");
        }
    }
    // steps.csv: one row per step (loss_every = 1): 3 steps per epoch × 2 epochs per (seed, run).
    assert_eq!(lines(&set.join("steps.csv")).len(), 1 + 2 * 4 * 3 * 2);
    // The claims: O1–O3, reduced scale, never in the paper's tally.
    let s = Summary::read(&set.join("claims.json")).unwrap();
    assert_eq!(
        s.decided.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["O1-deep-cifar10-small", "O2-deep-cifar10-small", "O3-deep-cifar10-small"]
    );
    for d in &s.decided {
        assert!(!d.in_paper_tally(), "{}", d.id);
        assert!(d.scale.label().contains("reduced scale (CPU protocol)"), "{}", d.scale.label());
        assert!(d.detail.contains("2 seeds"), "{}", d.detail);
    }
    assert!(stdout.contains("O2-deep-cifar10-small"), "{stdout}");
    // Same seeds, same bytes.
    assert!(reproduce(&dir.path().join("b"), &[]).status.success());
    let b = dir.path().join("b/deep-cifar10-small");
    for f in ["epochs.csv", "steps.csv", "claims.json", "protocol.toml"] {
        assert_eq!(std::fs::read(set.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap(), "{f} differs");
    }
    // Another first seed: other numbers.
    assert!(reproduce(&dir.path().join("c"), &["--seed", "7"]).status.success());
    let c = dir.path().join("c/deep-cifar10-small");
    assert_ne!(std::fs::read(set.join("steps.csv")).unwrap(), std::fs::read(c.join("steps.csv")).unwrap());
}

#[test]
fn the_embedded_protocol_is_the_papers_basic_setting_at_reduced_scale() {
    let p = Protocol::embedded("deep-cifar10-small", &[]).unwrap().unwrap();
    assert!(p.width <= 16 && p.seeds >= 3);
    assert_eq!(p.setting.hyper(), (0.0, 0.0, false));
    let names: Vec<&str> = p.runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, largestep::claims::registry::DEEP_SMALL);
    assert!(p.runs[0].schedule.starts_with("constant:"));
    for (r, s) in p.runs[1..].iter().zip(["0.1", "0.3", "0.5"]) {
        assert!(r.schedule.starts_with("warmup:") && r.schedule.ends_with(&format!(":{s}")), "{}", r.schedule);
    }
    // O1's plateau window of the shortest phase, [e/2, e) with e = T/10, holds ≥ 5 logged rows.
    let t = p.steps_per_epoch() * p.epochs;
    let rows = (t / 10 - t / 20).div_ceil(p.loss_every);
    assert!(rows >= largestep::claims::observations::O1_MIN_ROWS, "{rows} rows");
}

#[test]
fn bad_protocol_fields_name_file_field_and_range() {
    let e = |o: &[&str]| {
        let o: Vec<String> = o.iter().map(|s| s.to_string()).collect();
        format!("{:#}", Protocol::embedded("deep-cifar10-small", &o).unwrap().unwrap_err())
    };
    let m = e(&["width=32"]);
    assert!(m.contains("deep-cifar10-small.toml") && m.contains("`width`") && m.contains("1..=16"), "{m}");
    let m = e(&["train_per_class=0"]);
    assert!(m.contains("`train_per_class`") && m.contains("1..=5000"), "{m}");
    let m = e(&["colour=3"]);
    assert!(m.contains("`colour` is not a field"), "{m}");
    let m = e(&["runs=[{name=\"a\",schedule=\"warmup:0.1:2\"},{name=\"b\",schedule=\"constant:0.1\"}]"]);
    assert!(m.contains("runs[0].schedule") && m.contains("decay fraction"), "{m}");
    let m = e(&["setting=\"fancy\""]);
    assert!(m.contains("deep-cifar10-small.toml") && m.contains("fancy"), "{m}");
    // Too few images of a class in the data: the folder and the class are named.
    let dir = tempfile::tempdir().unwrap();
    let out = reproduce(&dir.path().join("x"), &["--set", "train_per_class=7"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("cifar10-mini") && err.contains("fewer than the 7"), "{err}");
    // The deep protocol needs its data.
    let out = Command::new(env!("CARGO_BIN_EXE_largestep")).args(["reproduce", "deep-cifar10-small"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --data"));
}
