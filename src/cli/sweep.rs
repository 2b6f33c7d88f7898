//! `largestep sweep` and `largestep merge`.

use anyhow::Result;
use clap::Args;
use largestep::sweep::{self, Base, Grid, Shard, SweepOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const GRID_HELP: &str = "\
GRID SYNTAX (--vary, repeatable; one axis each; the cells are the product of the axes):
  KEY=V1,V2,...           listed values (TOML values: 0.27, 300, true, \"text\")
  KEY=START:STOP:COUNT    COUNT evenly spaced values, START and STOP included
  KEY1+KEY2=VALUES        several keys set together on one axis
KEY is a dotted config key, as for --set: data.d, training.batch, training.seed, data.seed,
runs.*.schedule.step (every run), runs[2].schedule.step (run 2, 0-based),
runs.NAME.schedule.decay_at (the run called NAME). Lists are not split inside brackets or
quotes, so array fields take TOML arrays: 'runs.decay50.schedule.decay_at=[0.3],[0.5],[0.7]'.
A bad key or value (unknown field, out of range) stops the sweep before any run, naming it.

--set KEY=VALUE changes the base config for every cell (the same keys; an axis overrides it).

Each cell runs the whole config over --seeds K seeds. Outputs in --out (written as one set: a
second sweep into the folder refuses, a killed one leaves the previous set; rerun the same
command to resume: finished cells whose inputs hash the same are reused): runs.csv (cell × run ×
seed), seeds.csv (O1-O3 per seed), cells.csv (P(diverge), P(fit) with Wilson 95 % intervals,
median and quartiles of each final value over the converged runs), observations.csv (each
observation's rate and interval), phase.png/.svg, grid.json, config.toml.

Beyond one machine: --shard I/N runs the cells with index = I (mod N); `largestep merge DIR...
--out OUT` combines the shards into files byte-identical to the unsharded sweep
(experiments/slurm/ has a Slurm job-array script).

Example (the Fig. 2 atlas):
  largestep sweep fig2 --seeds 32 \\
    --vary 'runs.decay10.schedule.step+runs.decay30.schedule.step+runs.decay50.schedule.step=0.25:0.29:9'";

/// `largestep sweep FIGURE|CONFIG --vary KEY=VALUES …`.
#[derive(Debug, Args)]
#[command(after_long_help = GRID_HELP, after_help = GRID_HELP)]
pub struct SweepArgs {
    /// An embedded figure (see `largestep list`) or a TOML config file.
    config: String,
    /// One grid axis: KEY=V1,V2,… or KEY=START:STOP:COUNT or KEY1+KEY2=… (see below).
    #[arg(long = "vary", value_name = "KEY=VALUES")]
    vary: Vec<String>,
    /// `KEY=VALUE` override of the base config, applied before each cell's axis values
    /// (repeatable; the keys of `reproduce --set`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Seeds per cell (seed offsets SEED, SEED+1, …).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=10000))]
    seeds: u64,
    /// First seed offset.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Let the seed offset change the data too.
    #[arg(long)]
    vary_data: bool,
    /// Reduced run length.
    #[arg(long)]
    quick: bool,
    /// Run only the cells with index ≡ I (mod N), e.g. 0/4; combine with `largestep merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Runs compared by O1–O3, reference first, comma-separated (default: the claim registry's
    /// order when the runs are a figure's, else every run when the config has 3 to 5 runs).
    #[arg(long, value_delimiter = ',')]
    order: Option<Vec<String>>,
    /// A converged run "fits" when its final train loss is below this (default: the claim
    /// registry's threshold, Fig. 12's failure to fit sits at ≈ 10^-0.5).
    #[arg(long, default_value_t = largestep::claims::registry::FIT_BELOW)]
    fit_below: f64,
    /// Output folder (default: results/sweep-<experiment>).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `largestep merge DIR… --out OUT`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `largestep sweep --shard I/N` (any order).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

pub fn sweep(a: &SweepArgs) -> Result<ExitCode> {
    let base = Base::resolve(&a.config)?.with_set(&a.set);
    let grid = Grid::parse(&a.vary)?;
    let shard = a.shard.as_deref().map(Shard::parse).transpose()?.unwrap_or(Shard::ALL);
    let name = base.config(&[])?.name;
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from("results").join(format!("sweep-{name}")));
    let opts = SweepOptions {
        out: out.clone(),
        seed: a.seed,
        seeds: a.seeds as usize,
        vary_data: a.vary_data,
        quick: a.quick,
        shard,
        order: a.order.clone(),
        fit_below: a.fit_below,
        progress: true,
    };
    let start = Instant::now();
    sweep::run(&base, &grid, &opts)?;
    let cells = shard.cells(grid.len()).len();
    println!(
        "{name}: {cells} cells (shard {shard}) × {} seeds in {:.2} s → {}",
        a.seeds,
        start.elapsed().as_secs_f64(),
        out.display()
    );
    if shard == Shard::ALL {
        print_observations(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn merge(a: &MergeArgs) -> Result<ExitCode> {
    let plan = sweep::merge(&a.dirs, &a.out)?;
    println!("{}: merged {} shards → {}", plan.name, a.dirs.len(), a.out.display());
    print_observations(&a.out)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints observations.csv as a table.
fn print_observations(out: &std::path::Path) -> Result<()> {
    let t = sweep::tables::Text::read(&out.join("observations.csv"))?;
    if t.rows.is_empty() {
        return Ok(());
    }
    println!("{}", t.header.join("  "));
    for r in &t.rows {
        println!("{}", r.join("  "));
    }
    Ok(())
}
