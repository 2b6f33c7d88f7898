//! (O1)–(O3) of §3 on a reduced Fig. 2 (`tests/fixtures/observations.toml`: the release's data,
//! N = 3·10⁴ + 1, large step 0.275, four SGD seeds). Measured when the test was written (seed
//! offsets 0–3): final test loss medians 6.7e-3 (constant) > 4.6e-3 (10 %) > 3.5e-3 (30 %) >
//! 2.0e-3 (50 %); final Jacobian rank 200 / 196.5 / 131 / 111; ‖u⊙v‖₀ 200 / 200 / 189 / 166.5.
//! At 0.28 one of four 50 % runs diverges (the edge is data- and seed-dependent).

use largestep::config::ExperimentConfig;
use largestep::experiment::{run, Outcome, RunOptions};
use largestep::linalg::median;

fn outcome() -> Outcome {
    let text = include_str!("fixtures/observations.toml");
    let cfg = ExperimentConfig::parse(text, "tests/fixtures/observations.toml").expect("valid config");
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(dir.path());
    opts.seeds = 4;
    opts.plot = false;
    run(&cfg, &opts).expect("runs")
}

fn final_median(o: &Outcome, run: usize, value: &str) -> f64 {
    o.aggregate(run).into_iter().find(|(n, _)| n == value).map(|(_, a)| a.median).unwrap()
}

#[test]
fn observations_o1_o2_o3() {
    let o = outcome();
    assert!(o.diverged().is_empty(), "a run diverged: {:?}", o.diverged());
    let runs: Vec<&str> = o.config.runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(runs, ["constant", "decay10", "decay30", "decay50"]);

    // (O1) Loss stabilization: over the first half of the large-step phase of the 50 % run, its
    // train loss stays more than 10× above the small constant step's, which keeps converging.
    // (Measured: ≈ 1e-2 vs ≈ 2e-4 on every seed. At this step, 0.275, a little below the
    // divergence edge, the plateau is not perfectly flat: late in the phase the loss drifts down
    // by up to 10× on some seeds — so the test does not claim flatness there.)
    let window = |log: &largestep::record::RunLog, a: usize, b: usize| -> f64 {
        let v: Vec<f64> =
            log.rows.iter().filter(|r| r.iteration >= a && r.iteration < b).map(|r| r.train_loss).collect();
        median(&v)
    };
    for k in 0..4 {
        let logs = o.seed_logs(k);
        let e = logs[3].large_phase_end;
        let (big, small) = (window(&logs[3], e / 4, e / 2), window(&logs[0], e / 4, e / 2));
        assert!(
            big > 10.0 * small,
            "seed {k}: large-step loss {big:e} is not stabilized above the small-step {small:e}"
        );
        // ... and it is a plateau, not a transient: already on [e/8, e/4) it sits 5× above
        // (measured ≥ 7×), while the small step descends.
        let (big0, small0) = (window(&logs[3], e / 8, e / 4), window(&logs[0], e / 8, e / 4));
        assert!(big0 > 5.0 * small0, "seed {k}: {big0:e} vs {small0:e} early in the phase");
    }

    // (O2) Longer large-step phases generalize better: final test loss ordered in the median.
    let test: Vec<f64> = (0..4).map(|r| final_median(&o, r, "final_test_loss")).collect();
    assert!(test[0] > test[1] && test[1] > test[2] && test[2] > test[3], "final test loss medians {test:?}");

    // (O3) Sparser features: the Jacobian rank falls during the plateau, the 50 % run ending
    // below the constant run (which keeps full rank 200 = d).
    let rank: Vec<f64> = (0..4).map(|r| final_median(&o, r, "final_jacobian_rank")).collect();
    assert_eq!(rank[0], 200.0, "constant step keeps full rank: {rank:?}");
    assert!(rank[3] < rank[0] - 50.0 && rank[3] <= rank[2] && rank[2] <= rank[1], "final rank medians {rank:?}");
    let support: Vec<f64> = (0..4).map(|r| final_median(&o, r, "final_support_size")).collect();
    assert!(
        support[3] < support[0] && support[3] <= support[2] && support[2] <= support[1],
        "‖u⊙v‖₀ medians {support:?}"
    );
}
