//! Same seed ⇒ byte-identical metrics.csv, whatever the thread count.

use largestep::config::ExperimentConfig;
use largestep::experiment::{run, RunOptions};
use std::path::Path;

const CFG: &str = include_str!("../../experiments/fig2.toml");

/// Fig. 2 with `edits` (dotted-key overrides of the parsed config) and `iterations` iterations.
fn reduced(edits: &[&str], iterations: usize) -> ExperimentConfig {
    let edits: Vec<String> = edits.iter().map(|e| e.to_string()).collect();
    let mut cfg = ExperimentConfig::parse_with_overrides(CFG, "fig2", &edits).unwrap();
    cfg.training.iterations = Some(iterations);
    cfg.training.iterations_log10 = None;
    cfg
}

fn metrics_with_threads(threads: usize, dir: &Path, rng: &str) -> Vec<u8> {
    // A small, fast variant of Fig. 2 (d = 50, 20-point grid) that still exercises every metric.
    let edits = ["data.d=50", "metrics.grid_points=20", "metrics.jacobian_rank.points=100", &format!("rng={rng}")];
    let cfg = reduced(&edits, 3001);
    let mut opts = RunOptions::new(dir);
    opts.seeds = 2;
    opts.plot = false;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| run(&cfg, &opts)).unwrap();
    std::fs::read(dir.join("metrics.csv")).unwrap()
}

#[test]
fn same_seed_same_bytes_any_thread_count() {
    for rng in ["chacha", "numpy"] {
        let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let one = metrics_with_threads(1, a.path(), rng);
        let two = metrics_with_threads(2, b.path(), rng);
        let four = metrics_with_threads(4, c.path(), rng);
        assert!(one.len() > 1000);
        assert_eq!(one, two, "{rng}: 1 vs 2 threads");
        assert_eq!(one, four, "{rng}: 1 vs 4 threads");
        let header = String::from_utf8_lossy(&one[..one.iter().position(|&b| b == b'\n').unwrap()]).to_string();
        assert_eq!(header, "run,seed,iteration,step_size,train_loss,test_loss,jacobian_rank,support_size");
    }
}

#[test]
fn different_seeds_differ() {
    let cfg = reduced(&["metrics.grid_points=20"], 2001);
    let d = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(d.path());
    opts.plot = false;
    let a = run(&cfg, &opts).unwrap();
    opts.seed = 1;
    let b = run(&cfg, &opts).unwrap();
    assert_ne!(a.logs[0].final_theta, b.logs[0].final_theta);
}
