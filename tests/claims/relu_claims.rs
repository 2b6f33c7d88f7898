//! (O1)–(O3) for the ReLU nets on reduced versions of Figs. 4, 5 and 14 (shorter runs, a coarser
//! grid): the large-step runs end with a lower Jacobian rank and sparser features than the
//! small-step run. The full-size numbers are in BENCHMARKS.md (ReLU section).

use largestep::claims::registry::{self as claims, Check};
use largestep::config::ExperimentConfig;
use largestep::experiment::{registry, simulate, Outcome, RunOptions};
use largestep::metrics::Column;

const RANK: Column = Column::JacobianRank;
const L1: Column = Column::FeatureSparsity { layer: 1 };
const L2: Column = Column::FeatureSparsity { layer: 2 };

fn reduced(name: &str, iterations: usize, grid_points: usize) -> Outcome {
    let mut cfg: ExperimentConfig = registry::get(name).unwrap().unwrap();
    cfg.training.iterations = Some(iterations);
    cfg.training.iterations_log10 = None;
    cfg.metrics.grid_points = grid_points;
    let mut opts = RunOptions::new(std::path::Path::new("unused"));
    opts.plot = false;
    simulate(&cfg, &opts).unwrap()
}

fn last(o: &Outcome, r: usize, column: Column) -> f64 {
    let c = o.column(column).unwrap();
    o.logs[r].last().unwrap().metrics[c]
}

/// The registry's per-seed test of claim `id` (an observation) on the one seed of `o`: the one
/// definition `verify` and `report` use, here on a reduced run.
fn registry_holds(id: &str, o: &Outcome) -> Option<bool> {
    let claim = claims::get(id).unwrap_or_else(|| panic!("{id} in the registry"));
    let Check::Observation(obs, order) = claim.check else { panic!("{id} is not an observation") };
    let idx: Vec<usize> = order.iter().map(|n| o.run_index(n).unwrap()).collect();
    obs.on_seed(o, &idx, 0)
}

#[test]
fn fig4_long_warmup_gives_lower_rank_sparser_features_and_fewer_kinks() {
    let o = reduced("fig4", 3163, 41);
    assert!(o.diverged().is_empty());
    let (short, long) = (0, 1);
    let rank = |r| last(&o, r, RANK);
    let sparsity = |r| last(&o, r, L1);
    assert!(rank(long) < 0.7 * rank(short), "rank {} vs {}", rank(long), rank(short));
    assert!(sparsity(long) < sparsity(short), "sparsity {} vs {}", sparsity(long), sparsity(short));
    let kinks = |r: usize| largestep::experiment::figure::functions::kink_count(&o, &o.logs[r].final_theta).unwrap();
    assert!(kinks(long) < kinks(short), "kinks {} vs {}", kinks(long), kinks(short));
    // (O1): during the long warmup the train loss stays high (no interpolation).
    assert!(o.logs[long].plateau_train_loss() > 0.05, "plateau {}", o.logs[long].plateau_train_loss());
    // (O3) by the registry's one definition: sparser features after the longer warmup.
    assert_eq!(registry_holds("O3-fig4", &o), Some(true));
}

#[test]
fn fig5_large_steps_sparsify_both_layers_and_lower_the_rank() {
    let o = reduced("fig5", 1001, 41);
    assert!(o.diverged().is_empty());
    for r in 1..4 {
        for col in [RANK, L1, L2] {
            assert!(last(&o, r, col) < last(&o, 0, col), "run {r} {col}: {} vs {}", last(&o, r, col), last(&o, 0, col));
        }
        assert!(o.logs[r].last().unwrap().test_loss < o.logs[0].last().unwrap().test_loss);
    }
    assert_eq!(registry_holds("O3-fig5", &o), Some(true));
}

#[test]
fn fig14_large_steps_sparsify_features() {
    let o = reduced("fig14", 1413, 41);
    assert!(o.diverged().is_empty());
    for r in 1..4 {
        assert!(last(&o, r, L1) < last(&o, 0, L1));
        assert!(last(&o, r, RANK) < last(&o, 0, RANK));
    }
    assert_eq!(registry_holds("O3-fig14", &o), Some(true));
}
