//! One path rule (issue 35, item 4): a data path in a config is relative to that config's file,
//! for `run`, `sweep` and an SDE spec's `base` file alike, whatever the working directory —
//! and a same-named file in the working directory is never the one used.

use crate::common::{assert_ok, largestep_in, write_linear_csv as write_csv};

const CONFIG: &str = r#"
name = "own-data"
rng = "chacha"
[data]
kind = "csv"
train = "train.csv"
test_fraction = 0.25
[model]
kind = "diagonal"
init_scale = 0.5
[training]
iterations = 100
algorithm = "gd"
[metrics]
grid_dense = 5
grid_points = 10
[[runs]]
name = "gd"
schedule = { step = 0.2 }
[[runs]]
name = "gd2"
schedule = { step = 0.1 }
"#;

/// A config folder `cfg/` (config and data) and a working directory `cwd/` holding a decoy
/// `train.csv` of another shape (2 columns).
fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let (cfg, cwd) = (root.path().join("cfg"), root.path().join("cwd"));
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    write_csv(&cfg.join("train.csv"));
    std::fs::write(cfg.join("exp.toml"), CONFIG).unwrap();
    std::fs::write(cwd.join("train.csv"), "a,y\n1,2\n3,4\n").unwrap();
    (root, cfg, cwd)
}

#[test]
fn run_reads_the_data_beside_its_config() {
    let (_root, cfg, cwd) = setup();
    let o = largestep_in(&cwd, &["run", "../cfg/exp.toml", "--out", "out"]);
    assert_ok(&o);
    let written = std::fs::read_to_string(cwd.join("out/own-data/config.toml")).unwrap();
    let resolved = std::fs::canonicalize(cfg.join("train.csv")).unwrap();
    assert!(written.contains(&resolved.display().to_string()), "{written}");
}

#[test]
fn sweep_reads_the_data_beside_its_config() {
    let (_root, cfg, cwd) = setup();
    let o =
        largestep_in(&cwd, &["sweep", "../cfg/exp.toml", "--seeds", "1", "--vary", "training.seed=1,2", "--out", "sw"]);
    assert_ok(&o);
    let written = std::fs::read_to_string(cwd.join("sw/config.toml")).unwrap();
    let resolved = std::fs::canonicalize(cfg.join("train.csv")).unwrap();
    assert!(written.contains(&resolved.display().to_string()), "{written}");
}

#[test]
fn an_sde_spec_base_file_reads_its_data_beside_itself() {
    let (_root, cfg, cwd) = setup();
    std::fs::write(cfg.join("spec.toml"), "name = \"mine\"\nbase = \"exp.toml\"\nrun = \"gd\"\nc = 0.1\n").unwrap();
    let o = largestep_in(
        &cwd,
        &["sde-vs-sgd", "--config", "../cfg/spec.toml", "--seeds", "1", "--no-plot", "--out", "sde"],
    );
    assert_ok(&o);
    assert!(cwd.join("sde/mine/metrics.csv").is_file());
}
