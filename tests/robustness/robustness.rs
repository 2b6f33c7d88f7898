//! Issue 17 end to end with the binary: whole result folders under concurrent runs and SIGKILL,
//! failures kept local, no panics on closed pipes or full disks, reproducible `config.toml`.

use crate::common::{bin, largestep as run, stderr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A small diagonal-net experiment (two runs, rank and support metrics), `iterations` long.
fn small_config(dir: &Path, iterations: u64) -> PathBuf {
    let text = format!(
        r#"name = "small"
[data]
kind = "sparse_regression"
n = 20
d = 30
r = 3
n_test = 50
[model]
kind = "diagonal"
init_scale = 0.1
[training]
iterations = {iterations}
batch = 1
seed = 1
[metrics]
grid_points = 40
support_size = true
jacobian_rank = {{ points = 40, tol = 1e-10 }}
[[runs]]
name = "large"
schedule = {{ step = 0.05 }}
[[runs]]
name = "small"
schedule = {{ step = 0.01 }}
"#
    );
    let p = dir.join("small.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// Asserts that `out` holds one complete result set and returns its seed offset: the marker,
/// the config, a summary row per run and a metrics table whose rows all have the header's
/// width and the config's seed.
fn complete_set(out: &Path) -> u64 {
    for f in [".largestep", "config.toml", "metrics.csv", "summary.csv"] {
        assert!(out.join(f).is_file(), "{} missing from a result set", f);
    }
    let cfg = largestep::config::ExperimentConfig::load(&out.join("config.toml")).unwrap();
    let seed = cfg.training.first_seed;
    let mut r = csv::Reader::from_path(out.join("metrics.csv")).unwrap();
    let width = r.headers().unwrap().len();
    let mut last = std::collections::HashMap::new();
    for row in r.records() {
        let row = row.expect("metrics.csv parses");
        assert_eq!(row.len(), width);
        assert_eq!(row[1].parse::<u64>().unwrap(), seed, "a row of another run's set");
        last.insert(row[0].to_string(), row[2].parse::<usize>().unwrap());
    }
    assert_eq!(last.len(), 2, "both runs present");
    let grid = largestep::metrics::log_grid(cfg.training.total(false), cfg.metrics.grid_dense, cfg.metrics.grid_points);
    let end = *grid.last().unwrap();
    assert!(last.values().all(|&t| t == end), "every run logged to the end ({end}): {last:?}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 3);
    assert!(summary.lines().skip(1).all(|l| l.split(',').nth(1) == Some(&seed.to_string())));
    seed
}

fn siblings(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

#[test]
fn item1_a_second_process_on_the_same_folder_refuses_and_the_first_result_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path(), 4_000_000);
    let res = dir.path().join("res");
    let out = res.join("small");
    let first = bin()
        .args(["run", cfg.to_str().unwrap(), "--no-plot", "--out", res.to_str().unwrap(), "--seed", "3"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = res.join(".small.lock");
    let start = Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |s| s.trim() != first.id().to_string()) {
        assert!(start.elapsed() < Duration::from_secs(20), "the first run never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = run(&["run", cfg.to_str().unwrap(), "--no-plot", "--out", res.to_str().unwrap(), "--seed", "4"]);
    let pid = first.id();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(second.status.code(), Some(2));
    let e = stderr(&second);
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(e.contains("in use") && e.contains(&format!("pid {pid}")) && e.contains(out.to_str().unwrap()), "{e}");
    assert_eq!(complete_set(&out), 3, "the first run's set is the one in the folder");
    assert_eq!(siblings(&res), ["small"], "no lock file or staging folder left");
}

#[test]
fn sigkill_at_random_moments_leaves_a_complete_old_or_new_set() {
    use rand::{RngExt, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path(), 60_000);
    let res = dir.path().join("res");
    let out = res.join("small");
    let o = run(&["run", cfg.to_str().unwrap(), "--out", res.to_str().unwrap(), "--seed", "0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t0 = Instant::now();
    let o = run(&["run", cfg.to_str().unwrap(), "--out", res.to_str().unwrap(), "--seed", "0"]);
    let full = t0.elapsed().as_secs_f64();
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let mut seen = std::collections::BTreeSet::new();
    for k in 1..=12u64 {
        let mut child = bin()
            .args(["run", cfg.to_str().unwrap(), "--out", res.to_str().unwrap(), "--seed", &k.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs_f64(rng.random_range(0.0..1.2) * full));
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        let seed = complete_set(&out);
        assert!(seed <= k, "set of seed {seed} after run {k}");
        seen.insert(seed);
    }
    // The next run cleans what the killed ones left.
    let o = run(&["run", cfg.to_str().unwrap(), "--out", res.to_str().unwrap(), "--seed", "99"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(complete_set(&out), 99);
    assert_eq!(siblings(&res), ["small"], "stray files after the next run (sets seen: {seen:?})");
    let inside = siblings(&out);
    assert!(inside.iter().all(|f| !f.starts_with(".tmp") && f != ".parts"), "{inside:?}");
}

#[test]
fn item4_a_rerun_replaces_the_set_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path(), 2000);
    let root = dir.path().join("out");
    let out = root.join("small");
    let o = run(&["run", cfg.to_str().unwrap(), "--no-plot", "--out", root.to_str().unwrap(), "--seeds", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.join("aggregate.csv").is_file());
    // One seed, with a figure: no stale aggregate.csv of the previous set.
    let o = run(&["run", cfg.to_str().unwrap(), "--out", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("aggregate.csv").exists(), "stale aggregate.csv survived");
    assert!(out.join("small.png").is_file());
    let before = std::fs::read(out.join("metrics.csv")).unwrap();
    // A folder not written by largestep is never replaced.
    let foreign_root = dir.path().join("foreign");
    let foreign = foreign_root.join("small");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let o = run(&["run", cfg.to_str().unwrap(), "--out", foreign_root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not written by largestep"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(foreign.join("notes.txt")).unwrap(), "mine");
    assert_eq!(std::fs::read(out.join("metrics.csv")).unwrap(), before);
}

#[test]
fn item10_the_written_config_reruns_the_same_invocation() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path(), 30_000);
    let a = dir.path().join("a");
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--no-plot",
        "--quick",
        "--seed",
        "5",
        "--seeds",
        "2",
        "--vary-data",
        "--set",
        "runs[1].schedule.step=0.02",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(a.join("small/config.toml")).unwrap();
    for field in ["first_seed = 5", "seeds = 2", "vary_data = true", "iterations = 3000", "step = 0.02"] {
        assert!(written.contains(field), "{field} not recorded:\n{written}");
    }
    let copy = dir.path().join("copy.toml");
    std::fs::copy(a.join("small/config.toml"), &copy).unwrap();
    let b = dir.path().join("b");
    let o = run(&["run", copy.to_str().unwrap(), "--no-plot", "--out", b.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["metrics.csv", "summary.csv", "aggregate.csv"] {
        let (fa, fb) = (a.join("small").join(f), b.join("small").join(f));
        assert_eq!(std::fs::read(fa).unwrap(), std::fs::read(fb).unwrap(), "{f} differs");
    }
    // Running a config with --out set to its own folder would destroy it: refused.
    let o = run(&["run", a.join("small/config.toml").to_str().unwrap(), "--no-plot", "--out", a.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("inside the output folder"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(a.join("small/config.toml")).unwrap(), written);
}

#[test]
fn item6_an_svd_failure_fails_that_run_only() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path(), 2000);
    let out = dir.path().join("out");
    // α = 1e300: the Jacobian's entries overflow the SVD of the rank metric.
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--no-plot",
        "--set",
        "model.init_scale=1e300",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("run large (seed 0)") && (e.contains("failed at iteration") || e.contains("diverged")), "{e}");
    // Results are kept: the summary names each run with its stop.
    let summary = std::fs::read_to_string(out.join("small/summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 3, "{summary}");
}

#[test]
fn item2_closed_pipes_and_full_disks_give_one_line_not_a_panic() {
    // `schema | head -1`, `verify --json | head -1`: stdout closed after the first bytes.
    for args in [&["schema"][..], &["verify", "--quick", "--json"]] {
        let mut child = bin().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut first = [0u8; 1];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let e = stderr(&o);
        assert!(!e.contains("panicked") && e.lines().count() <= 1, "{args:?}: {e}");
        // Either everything fit in the pipe before it closed, or one line and a failure.
        assert!(o.status.code() != Some(0) || e.is_empty(), "{args:?}: {e}");
        assert!(o.status.code() == Some(0) || e.contains("Broken pipe"), "{args:?}: {e}");
    }
    if Path::new("/dev/full").exists() {
        for args in [&["schema"][..], &["list"], &["verify", "--quick", "--json"]] {
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
            let o = bin().args(args).stdout(full).output().unwrap();
            let e = stderr(&o);
            assert_ne!(o.status.code(), Some(0), "{args:?}: {e}");
            assert!(!e.contains("panicked") && e.trim().lines().count() == 1, "{args:?}: {e}");
        }
    }
    // An output folder on a full disk is refused with one line naming it.
    if Path::new("/dev/full").exists() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = small_config(dir.path(), 100);
        let o = run(&["run", cfg.to_str().unwrap(), "--no-plot", "--out", "/dev/full/out"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("/dev/full") && stderr(&o).trim().lines().count() == 1, "{}", stderr(&o));
    }
}

#[test]
fn schema_and_show_come_from_the_validated_field_table() {
    let o = run(&["schema"]);
    assert!(o.status.success());
    let schema = String::from_utf8(o.stdout).unwrap();
    for f in largestep::schema::FIELDS {
        assert!(schema.lines().any(|l| l.starts_with(&format!("{} | ", f.key))), "{} missing", f.key);
    }
    let o = run(&["show", "fig2", "--set", "data.d=300"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let show = String::from_utf8(o.stdout).unwrap();
    assert!(show.lines().any(|l| l.starts_with("d = 300") && l.contains("input dimension")), "{show}");
    let o = run(&["show", "fig2", "--set", "data.width=3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("data.width"), "{}", stderr(&o));
}

#[test]
fn item7_aggregates_exclude_and_count_diverged_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path(), 2000);
    let root = dir.path().join("out");
    // η = 50 diverges on every seed; η = 0.01 on none.
    let o = run(&[
        "run",
        cfg.to_str().unwrap(),
        "--no-plot",
        "--seeds",
        "3",
        "--set",
        "runs.large.schedule.step=50",
        "--out",
        root.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let mut r = csv::Reader::from_path(root.join("small/aggregate.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name} in {h:?}"));
    let (run, div, med) = (col("run"), col("diverged"), col("final_train_loss_median"));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let expect = if &row[run] == "large" { "3" } else { "0" };
        assert_eq!(&row[div], expect, "{row:?}");
        let m = row[med].parse::<f64>().unwrap_or(f64::NAN);
        assert!(m.is_nan() || m.abs() <= 1e6, "a diverged loss entered the median: {row:?}");
    }
}
