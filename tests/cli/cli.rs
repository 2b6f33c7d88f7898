//! The `largestep` binary end to end: outputs of `reproduce`, one-line errors for bad input,
//! divergence reported with the rows so far kept.

use largestep::config::ExperimentConfig;
use std::path::Path;

/// The first run's step size made negative, in the TOML text (`toml` crate round trip).
fn toml_edit_first_step(text: &str) -> String {
    let mut doc: toml::Value = toml::from_str(text).unwrap();
    doc["runs"][0]["schedule"]["step"] = toml::Value::Float(-0.03);
    toml::to_string(&doc).unwrap()
}
use std::process::Command;

fn largestep(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_largestep")).args(args).output().expect("binary runs")
}

#[test]
fn reproduce_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    // `--out` is the results folder: the figure goes to <out>/fig3, in every subcommand.
    let out = dir.path().join("fig3");
    let o = largestep(&["reproduce", "fig3", "--quick", "--out", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["metrics.csv", "summary.csv", "config.toml", "fig3.png", "fig3.svg", "fig3_curves.png", "fig3_curves.svg"]
    {
        let p = out.join(f);
        assert!(p.metadata().map(|m| m.len() > 100).unwrap_or(false), "{} missing or empty", p.display());
    }
    assert!(!out.join(".parts").exists(), "part files are removed");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(summary.starts_with(
        "run,seed,final_train_loss,final_test_loss,final_jacobian_rank,final_support_size,plateau_train_loss"
    ));
    assert_eq!(summary.lines().count(), 4); // header + gf, gd, sgd
    assert!(String::from_utf8_lossy(&o.stdout).contains("training seeds used: "));
    // The written config is itself a valid config that `run` accepts.
    let again = dir.path().join("again");
    let o = largestep(&[
        "run",
        out.join("config.toml").to_str().unwrap(),
        "--quick",
        "--no-plot",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read(out.join("metrics.csv")).unwrap(),
        std::fs::read(again.join("fig3").join("metrics.csv")).unwrap()
    );
}

/// Fig. 3's config with `edits` (dotted-key overrides of the parsed config), written to
/// `dir/cfg.toml`.
fn write_config(dir: &Path, edits: &[&str]) -> String {
    let edits: Vec<String> = edits.iter().map(|e| e.to_string()).collect();
    let cfg =
        ExperimentConfig::parse_with_overrides(include_str!("../../experiments/fig3.toml"), "fig3", &edits).unwrap();
    let p = dir.join("cfg.toml");
    std::fs::write(&p, cfg.to_toml()).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn bad_config_is_one_line_naming_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), &[]);
    let text = std::fs::read_to_string(&cfg).unwrap();
    // An invalid value can only be written as text (the parsed config rejects it).
    let bad = toml_edit_first_step(&text);
    std::fs::write(&cfg, bad).unwrap();
    let o = largestep(&["run", &cfg, "--no-plot", "--out", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("cfg.toml") && err.contains("runs[0].schedule.step") && err.contains("> 0"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let o = largestep(&["reproduce", "fig99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown figure"));
}

#[test]
fn divergence_is_reported_and_rows_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    // GD with step 50 on the Fig. 3 data blows up within a few iterations.
    let cfg = write_config(
        dir.path(),
        &["runs.gd.schedule.step=50.0", "runs.gd.schedule.decay_at=[]", "runs.gd.schedule.decay_by=[]"],
    );
    let out = dir.path().join("o").join("fig3");
    let o = largestep(&["run", &cfg, "--quick", "--out", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("run gd") && err.contains("diverged at iteration"), "{err}");
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let gd_rows = metrics.lines().filter(|l| l.starts_with("gd,")).count();
    assert!(gd_rows >= 1, "the diverged run keeps its rows");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "diverged_at").unwrap();
    let gd = summary.lines().find(|l| l.starts_with("gd,")).unwrap();
    assert!(!gd.split(',').nth(col).unwrap().is_empty(), "diverged_at is filled: {gd}");
    // The other runs are complete.
    assert!(metrics.lines().filter(|l| l.starts_with("gf,")).count() > gd_rows);
}

#[test]
fn list_names_every_embedded_figure() {
    let o = largestep(&["list"]);
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    for name in largestep::experiment::registry::names() {
        assert!(s.lines().any(|l| l.starts_with(name)), "{name} missing from `list`");
    }
}

/// Without `--features deep` the deep protocol is listed and refused with one line naming the
/// feature (issue 32); with it, tests/deep_small.rs runs it.
#[cfg(not(feature = "deep"))]
#[test]
fn the_deep_protocol_names_the_feature_it_needs() {
    let out = largestep(&["reproduce", "deep-cifar10-small", "--data", "."]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--features deep") && err.lines().count() == 1, "{err}");
    let list = String::from_utf8_lossy(&largestep(&["list"]).stdout).to_string();
    assert!(list.contains("deep-cifar10-small") && list.contains("--features deep"), "{list}");
}
