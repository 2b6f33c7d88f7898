//! `largestep sde-vs-sgd` on the command line: `--c` excludes `--calibrate`, `--config FILE` with
//! `--set` overrides of the comparison and of its base, and one output folder for CSVs and figures.

use std::process::Command;

fn largestep() -> Command {
    Command::new(env!("CARGO_BIN_EXE_largestep"))
}

#[test]
fn c_with_calibrate_is_a_usage_error() {
    let out = largestep().args(["sde-vs-sgd", "--c", "0.1", "--calibrate"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--c") && err.contains("cannot be used with"), "{err}");
}

#[test]
fn config_file_with_overrides_writes_one_folder() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("mine.toml");
    std::fs::write(&spec, "name = \"mine\"\nbase = \"fig2\"\nrun = \"decay50\"\nc = 0.3\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = largestep()
        .args(["sde-vs-sgd", "--config"])
        .arg(&spec)
        .args(["--seeds", "1", "--set", "c=0.02", "--set", "base.training.iterations=200", "--no-plot", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    for f in ["metrics.csv", "summary.csv", "aggregate.csv", "sharpness.csv", "config.toml"] {
        assert!(out_dir.join("mine").join(f).is_file(), "{f} missing");
    }
    let cfg = std::fs::read_to_string(out_dir.join("mine/config.toml")).unwrap();
    assert!(cfg.contains("c = 0.02") && cfg.contains("iterations = 200"), "{cfg}");
    let report = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(report.contains("N = 200 SGD iterations") && report.contains("gf_stable"), "{report}");
    let sharp = std::fs::read_to_string(out_dir.join("mine/sharpness.csv")).unwrap();
    assert!(sharp.starts_with("run,seed,iteration,step_size,gamma,lambda_max,gamma_lambda"));
    assert!(sharp.lines().any(|l| l.starts_with("gf_stable,")), "{sharp}");

    // A bad override names the key, in one line.
    let out = largestep().args(["sde-vs-sgd", "--config"]).arg(&spec).args(["--set", "substeps=0"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("substeps"), "{err}");
}
