//! Parity with the authors' release (issue: numpy-compatible random stream). With the release's
//! random stream (`rng = "numpy"`: data from `np.random.seed(0)`, SGD indices from
//! `np.random.seed(1)` reset before each run), the runs that are not chaotic land on the numbers
//! the release notebooks print, to the printed digits.

use largestep::config::ExperimentConfig;
use largestep::experiment::{registry, run, Outcome, RunOptions};

/// Runs only `run_name` of the embedded `figure`, at full size.
fn run_one(figure: &str, run_name: &str) -> Outcome {
    let mut cfg: ExperimentConfig = registry::get(figure).unwrap().unwrap();
    assert_eq!(cfg.rng, largestep::rng::RngKind::Numpy, "{figure} must default to the release's stream");
    cfg.runs.retain(|r| r.name == run_name);
    assert_eq!(cfg.runs.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(dir.path());
    opts.plot = false;
    run(&cfg, &opts).unwrap()
}

fn assert_printed(value: f64, printed: &str) {
    let digits = printed.split('e').next().unwrap().trim_start_matches('-').replace('.', "").len();
    let ours = format!("{:.*e}", digits - 1, value);
    assert_eq!(ours, printed, "ours {value:e} vs release {printed}");
}

/// Fig. 2, constant step 0.25 (release notebook: "train loss 1.4216162873995314e-06, test loss
/// 0.003528621943603826, lp 200"; the issue quotes 1.422e-6 / 3.529e-3 / 200).
#[test]
fn fig2_constant_run_matches_the_release() {
    let o = run_one("fig2", "constant");
    let last = o.logs[0].last().unwrap();
    assert_eq!(last.iteration, 99_599); // the last grid point: the release's "final" value
    assert_printed(last.train_loss, "1.422e-6");
    assert_printed(last.test_loss, "3.529e-3");
    assert_eq!(last.metrics[o.column("support_size").unwrap()], 200.0);
    // Closer than the printed digits: the full value agrees to ~1e-12 relative (summation order
    // of the dot products differs from BLAS).
    assert!((last.train_loss / 1.4216162873995314e-06 - 1.0).abs() < 1e-9, "{:e}", last.train_loss);
    assert!((last.test_loss / 0.003528621943603826 - 1.0).abs() < 1e-9, "{:e}", last.test_loss);
}

/// Fig. 11, full-batch GD with the constant step 2.0: the release prints test loss 0.168 and
/// ‖u⊙v‖₀ 100.
#[test]
fn fig11_gd_constant_run_matches_the_release() {
    let o = run_one("fig11", "gd_constant");
    let last = o.logs[0].last().unwrap();
    assert_printed(last.test_loss, "1.68e-1");
    assert_eq!(last.metrics[o.column("support_size").unwrap()], 100.0);
}
