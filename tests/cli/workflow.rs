//! A researcher's workflow end to end: own data from CSV files (outputs, errors naming file,
//! row and column), the library entry point on given datasets, and `run.json` provenance in
//! every output folder (docs/DESIGN.md §8, §9).

use crate::common::{largestep, stderr, write_linear_csv};
use largestep::config::ExperimentConfig;
use largestep::experiment::{self, RunOptions};
use largestep::provenance::{fnv1a64, Provenance};
use std::path::Path;

const CSV_CONFIG: &str = r#"
name = "own-data"
title = "Diagonal net on a CSV dataset"
rng = "chacha"

[data]
kind = "csv"
train = "train.csv"
test_fraction = 0.25

[model]
kind = "diagonal"
init_scale = 0.5

[training]
iterations = 400
algorithm = "gd"

[metrics]
grid_dense = 10
grid_points = 20
support_size = true

[[runs]]
name = "gd"
schedule = { step = 0.2 }
"#;

/// Checks `dir/run.json` against the folder's `config.toml` and the expected seeds and argv word.
fn assert_provenance(dir: &Path, seeds: &[u64], argv_word: &str) {
    let p = Provenance::read(&dir.join("run.json")).expect("run.json present and parseable");
    let config = std::fs::read(dir.join("config.toml")).unwrap();
    assert_eq!(p.tool, "largestep");
    assert_eq!(p.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(p.config_hash, format!("{:016x}", fnv1a64(&config)), "hash of the written config.toml");
    assert_eq!(p.seeds, seeds);
    assert!(p.argv.iter().any(|a| a == argv_word), "argv {:?} lacks {argv_word}", p.argv);
    assert!(p.flags.contains_key("quick") && p.flags.contains_key("vary_data"));
    assert!(p.threads >= 1 && p.machine.cpus >= 1 && !p.machine.os.is_empty() && !p.machine.arch.is_empty());
    assert!(p.started.len() == 20 && p.finished.len() == 20 && p.started <= p.finished, "{p:?}");
    assert!(p.wall_seconds >= 0.0);
    // Built from this git checkout (the test runs in it): the commit is recorded.
    if Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() {
        let c = p.git_commit.as_deref().expect("git commit recorded when built from a checkout");
        assert!(c.len() == 40 && c.chars().all(|ch| ch.is_ascii_hexdigit()), "{c}");
        assert!(p.git_dirty.is_some());
    }
}

#[test]
fn csv_dataset_runs_with_every_output_and_provenance() {
    let dir = tempfile::tempdir().unwrap();
    write_linear_csv(&dir.path().join("train.csv"));
    let cfg = dir.path().join("own.toml");
    std::fs::write(&cfg, CSV_CONFIG).unwrap();
    // `--out` is the results root: the experiment's folder is `<out>/<name>`.
    let root = dir.path().join("out");
    let out = root.join("own-data");
    let o = largestep(&["run", cfg.to_str().unwrap(), "--seeds", "2", "--out", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["metrics.csv", "summary.csv", "aggregate.csv", "config.toml", "run.json", "own-data.png", "own-data.svg"]
    {
        assert!(out.join(f).exists(), "{f} missing");
    }
    assert_provenance(&out, &[0, 1], "run");
    // 40 rows, 25 % held out: 30 train / 10 test; the model learns the linear target.
    let outcome_cfg = ExperimentConfig::load(&out.join("config.toml")).expect("the written config reloads");
    let data = experiment::datasets(&outcome_cfg, &[0], false).unwrap();
    assert_eq!((data[0].len(), data[0].y_test.len(), data[0].x.dim()), (30, 10, 4));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "final_test_loss").unwrap();
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let first_test: f64 = metrics.lines().nth(1).unwrap().split(',').nth(5).unwrap().parse().unwrap();
    for row in summary.lines().skip(1) {
        let final_test: f64 = row.split(',').nth(col).unwrap().parse().unwrap();
        assert!(final_test < 0.01 * first_test, "test loss {first_test} → {final_test}");
    }
}

#[test]
fn reproduce_writes_run_json() {
    let dir = tempfile::tempdir().unwrap();
    // `--out` is the results root: the figure's folder is `<out>/fig3`.
    let out = dir.path().join("fig3");
    let o =
        largestep(&["reproduce", "fig3", "--quick", "--no-plot", "--seed", "4", "--out", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_provenance(&out, &[4], "reproduce");
    let p = Provenance::read(&out.join("run.json")).unwrap();
    assert_eq!(p.flags.get("quick").map(String::as_str), Some("true"));
}

#[test]
fn csv_errors_name_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("own.toml");
    std::fs::write(&cfg, CSV_CONFIG).unwrap();
    let train = dir.path().join("train.csv");
    let run =
        || largestep(&["run", cfg.to_str().unwrap(), "--no-plot", "--out", dir.path().join("o").to_str().unwrap()]);

    let cases: [(&str, &[&str]); 4] = [
        ("x1,x2,y\n1,2,3\n4,abc,6\n", &["row 3", "column \"x2\"", "\"abc\""]),
        ("x1,x2,y\n1,2,3\n4,5\n", &["row 3", "2 columns, expected 3"]),
        ("x1,x2,y\n1,2,3\n4,inf,6\n7,8,9\n", &["row 3", "column \"x2\"", "not finite"]),
        ("x1,x2,y\n", &["no data rows"]),
    ];
    for (text, wanted) in cases {
        std::fs::write(&train, text).unwrap();
        let o = run();
        let err = stderr(&o);
        assert!(!o.status.success(), "{text:?} accepted");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains("train.csv"), "file not named: {err}");
        for w in wanted {
            assert!(err.contains(w), "{text:?}: {w:?} not in {err}");
        }
    }
    // An unknown target column names the column and lists the real ones.
    write_linear_csv(&train);
    std::fs::write(&cfg, CSV_CONFIG.replace("test_fraction = 0.25", "target = \"z\"")).unwrap();
    let err = stderr(&run());
    assert!(err.contains("column \"z\"") && err.contains("x1, x2, x3, x4, y"), "{err}");
    // A fraction outside (0, 1) is a config error naming the field.
    std::fs::write(&cfg, CSV_CONFIG.replace("test_fraction = 0.25", "test_fraction = 1.5")).unwrap();
    let err = stderr(&run());
    assert!(err.contains("data.test_fraction") && err.contains("(0, 1)"), "{err}");
    // A missing file is named.
    std::fs::write(&cfg, CSV_CONFIG.replace("train.csv", "nope.csv")).unwrap();
    let err = stderr(&run());
    assert!(err.contains("nope.csv") && err.contains("cannot read"), "{err}");
}

#[test]
fn run_on_datasets_matches_run() {
    let text = largestep::experiment::registry::get("fig3").unwrap().unwrap().to_toml();
    let overrides = ["training.iterations=300".to_string(), "training.quick_iterations=300".to_string()];
    let cfg = ExperimentConfig::parse_with_overrides(&text, "fig3", &overrides).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut a = RunOptions::new(dir.path().join("a"));
    a.plot = false;
    a.seeds = 2;
    let mut b = a.clone();
    b.out = dir.path().join("b");
    experiment::run(&cfg, &a).unwrap();
    // The same datasets, built by the caller (here: by the library's own builder).
    let data = experiment::datasets(&cfg, &experiment::seed_offsets(&b), false).unwrap();
    experiment::run_on_datasets(&cfg, data, &b).unwrap();
    for f in ["metrics.csv", "summary.csv", "aggregate.csv", "config.toml"] {
        assert_eq!(std::fs::read(a.out.join(f)).unwrap(), std::fs::read(b.out.join(f)).unwrap(), "{f} differs");
    }
    assert!(b.out.join("run.json").exists());
    // Mismatched datasets are refused with a message, not a panic.
    let three = experiment::datasets(&cfg, &[0, 1, 2], false).unwrap();
    let err = experiment::run_on_datasets(&cfg, three, &b).err().expect("3 datasets for 2 seeds refused");
    assert!(err.to_string().contains("3 datasets for 2 seeds"), "{err}");
}

/// Issue 33, rank points for own data: with fewer test rows than |θ| the rank is capped by the
/// number of points; the run says so on stderr and in summary.csv, and `data.rank_points`
/// chooses fresh Gaussian points on the data's scale, a points file, or the training inputs.
#[test]
fn own_data_rank_points_are_reported_and_chosen() {
    let dir = tempfile::tempdir().unwrap();
    write_linear_csv(&dir.path().join("train.csv"));
    // The rank points file: 8 rows of the 4 feature columns.
    let mut points = String::from("x1,x2,x3,x4\n");
    for i in 0..8u32 {
        points += &format!("{},{},{},{}\n", i % 3, (i * 5) % 7, i % 2, (i * 3) % 5);
    }
    std::fs::write(dir.path().join("points.csv"), points).unwrap();
    // 40 rows, 10 % held out: 4 test rows, |θ| = 2d = 8.
    let base = CSV_CONFIG
        .replace("test_fraction = 0.25", "test_fraction = 0.1")
        .replace("support_size = true", "support_size = true\njacobian_rank = { points = 8, tol = 1e-10 }");
    let run = |extra: &str| {
        let cfg = dir.path().join("own.toml");
        std::fs::write(&cfg, base.replace("test_fraction = 0.1", &format!("test_fraction = 0.1\n{extra}"))).unwrap();
        let root = dir.path().join("out");
        let o = largestep(&["run", cfg.to_str().unwrap(), "--no-plot", "--out", root.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let summary = std::fs::read_to_string(root.join("own-data/summary.csv")).unwrap();
        let mut lines = summary.lines();
        let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        let row: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"))].clone();
        let rank: f64 = cell("final_jacobian_rank").parse().unwrap();
        (stderr(&o), cell("rank_points"), cell("rank_points_source"), cell("rank_capped"), rank)
    };
    let (err, n, source, capped, rank) = run("");
    assert!(err.contains("4 test point(s) (4 fresh), fewer than |θ| = 8"), "{err}");
    assert_eq!((n.as_str(), source.as_str(), capped.as_str()), ("4", "test", "true"));
    assert!(rank <= 4.0, "the rank is capped by the 4 points: {rank}");
    for (extra, want_source, want_capped) in [
        ("rank_points = \"gaussian\"", "gaussian", "false"),
        ("rank_points = \"file\"\nrank_points_file = \"points.csv\"", "file", "false"),
        ("rank_points = \"train\"", "train", "true"),
    ] {
        let (err, n, source, capped, _) = run(extra);
        assert_eq!((n.as_str(), source.as_str(), capped.as_str()), ("8", want_source, want_capped), "{extra}");
        assert_eq!(err.contains("fewer than |θ|"), want_capped == "true", "{extra}: {err}");
    }
    // A points file with the wrong columns is one error naming the file and the field.
    std::fs::write(dir.path().join("points.csv"), "a,b\n1,2\n").unwrap();
    let cfg = dir.path().join("own.toml");
    std::fs::write(
        &cfg,
        base.replace(
            "test_fraction = 0.1",
            "test_fraction = 0.1\nrank_points = \"file\"\nrank_points_file = \"points.csv\"",
        ),
    )
    .unwrap();
    let o = largestep(&["run", cfg.to_str().unwrap(), "--no-plot", "--out", dir.path().join("bad").to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success() && err.contains("points.csv") && err.contains("data.rank_points_file"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
