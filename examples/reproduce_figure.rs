//! Reproduce a paper figure from Rust: Fig. 2 (diagonal linear net, SGD with large steps) from
//! its embedded config, with a command-line-style override, over three seeds, at the `--quick`
//! length. Writes `results/example-fig2/` (CSV, config, run.json, PNG + SVG).
//!
//! ```text
//! cargo run --release --example reproduce_figure
//! ```

use largestep::config::ExperimentConfig;
use largestep::experiment::{self, registry, RunOptions};

fn main() -> anyhow::Result<()> {
    // The embedded config of Fig. 2, as `largestep show fig2` would print it.
    let text = registry::get("fig2").expect("fig2 is embedded")?.to_toml();
    // `--set`-style dotted overrides (docs/DESIGN.md §2): 300 dimensions instead of 200. The
    // release's steps sit at the divergence edge of d = 200 and diverge at d = 300 (‖x‖² grows
    // with d), so every run's step is scaled by about 2/3 (`runs.*` is a wildcard over [[runs]];
    // later overrides win).
    let overrides = ["data.d=300", "runs.*.schedule.step=0.19", "runs.constant.schedule.step=0.17"].map(String::from);
    let cfg = ExperimentConfig::parse_with_overrides(&text, "fig2", &overrides)?;

    let mut opts = RunOptions::new("results/example-fig2");
    opts.seeds = 3;
    opts.quick = true;
    let outcome = experiment::run(&cfg, &opts)?;

    for (r, spec) in outcome.config.runs.iter().enumerate() {
        let finals: Vec<String> = (0..outcome.datasets.len())
            .filter_map(|k| outcome.seed_logs(k)[r].last().map(|row| format!("{:.3e}", row.test_loss)))
            .collect();
        println!("{:<10} final test loss per seed: {}", spec.name, finals.join(", "));
    }
    println!("diverged runs: {:?}", outcome.diverged());
    println!("outputs in {}", outcome.out.display());
    Ok(())
}
