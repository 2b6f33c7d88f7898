//! `largestep reproduce`, `largestep run`, `largestep list`.

use crate::config::ExperimentConfig;
use crate::experiment::{self, registry, Outcome, RunOptions};
use crate::rng::RngKind;
use anyhow::{anyhow, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Options shared by `reproduce` and `run`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Results folder: each experiment writes `<out>/<name>/` (the same meaning in every
    /// subcommand: `verify --appendix-b` and `proofs-check` write `<out>/appendix-b/`).
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Seed offset added to the config's training seed (and data seed with --vary-data).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Repeat each run over this many seeds (seed, seed+1, …); the summary gives median and range.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    seeds: u64,
    /// Let the seed offset change the data too (default: only SGD's stream and the init vary).
    #[arg(long)]
    vary_data: bool,
    /// Reduced run length for a fast look.
    #[arg(long)]
    quick: bool,
    /// Random generator, overriding the figure's own: chacha, numpy (the release's legacy MT19937
    /// stream) or torch (the ReLU release's torch and numpy streams). Defaults per figure: numpy
    /// for fig2, fig3, fig11; torch for fig4, fig5, fig10, fig12, fig13, fig14; `largestep list`
    /// shows each one's.
    #[arg(long, value_enum)]
    rng: Option<RngArg>,
    /// Do not write the PNG/SVG figure.
    #[arg(long)]
    no_plot: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RngArg {
    Chacha,
    Numpy,
    Torch,
}

/// `largestep reproduce <figure>|all`.
#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// Figure name (see `largestep list`) or `all`.
    figure: String,
    #[command(flatten)]
    common: CommonArgs,
}

/// `largestep run CONFIG.toml`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Path of a TOML experiment config.
    config: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn list() {
    println!("{:<10} {:<6} title", "name", "rng");
    for name in registry::names() {
        let cfg = registry::get(name).and_then(|c| c.ok());
        let rng = cfg.as_ref().map(|c| format!("{:?}", c.rng).to_lowercase()).unwrap_or_default();
        let title = cfg.map(|c| c.title).unwrap_or_default();
        println!("{name:<10} {rng:<6} {title}");
    }
}

/// `reproduce all` runs every figure, even after one fails, and lists the failures at the end.
pub fn reproduce(a: &ReproduceArgs) -> Result<ExitCode> {
    if a.figure != "all" {
        let name = a.figure.as_str();
        let cfg = registry::get(name)
            .ok_or_else(|| anyhow!("unknown figure {name:?}; known: {} (or `all`)", registry::names().join(", ")))??;
        return execute(cfg, &a.common);
    }
    let mut failures = Vec::new();
    for name in registry::names() {
        let result = registry::get(name)
            .ok_or_else(|| anyhow!("not in the registry"))
            .and_then(|c| Ok(c?))
            .and_then(|cfg| execute(cfg, &a.common));
        match result {
            Ok(code) if code == ExitCode::SUCCESS => {}
            Ok(_) => failures.push(format!("{name}: a run diverged (see the warnings above)")),
            Err(e) => failures.push(format!("{name}: {e:#}")),
        }
    }
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("reproduce all: {} of {} figures failed:", failures.len(), registry::names().len());
    for f in &failures {
        eprintln!("  {f}");
    }
    Ok(ExitCode::from(1))
}

pub fn run_file(a: &RunArgs) -> Result<ExitCode> {
    let cfg = ExperimentConfig::load(&a.config)?;
    execute(cfg, &a.common)
}

fn execute(mut cfg: ExperimentConfig, c: &CommonArgs) -> Result<ExitCode> {
    if let Some(r) = c.rng {
        cfg.rng = match r {
            RngArg::Chacha => RngKind::Chacha,
            RngArg::Numpy => RngKind::Numpy,
            RngArg::Torch => RngKind::Torch,
        };
    }
    let out = c.out.join(&cfg.name);
    let opts = RunOptions {
        out,
        seed: c.seed,
        seeds: c.seeds as usize,
        vary_data: c.vary_data,
        quick: c.quick,
        progress: true,
        plot: !c.no_plot,
    };
    let start = Instant::now();
    let outcome = experiment::run(&cfg, &opts)?;
    print_summary(&outcome);
    println!(
        "{}: {} runs × {} seeds in {:.2} s → {}",
        cfg.name,
        cfg.runs.len(),
        opts.seeds,
        start.elapsed().as_secs_f64(),
        opts.out.display()
    );
    let diverged = outcome.diverged();
    for (run, seed, t) in &diverged {
        eprintln!("warning: run {run} (seed {seed}) diverged at iteration {t}; its rows up to there are kept");
    }
    Ok(if diverged.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Prints one line per run: how many seeds diverged, then median [q1, q3] over the converged
/// seeds of the final values and the plateau; with several seeds, each observation's rate
/// (O1–O3 per seed, divergence and fit per run) with its Wilson 95 % interval.
pub fn print_summary(o: &Outcome) {
    let names: Vec<String> =
        o.aggregate(0).into_iter().map(|(n, _)| n.trim_start_matches("final_").to_string()).collect();
    let k = o.datasets.len();
    print!("{:<14} {:>9}", "run", "diverged");
    for n in &names {
        print!(" {n:>24}");
    }
    println!();
    for (r, spec) in o.config.runs.iter().enumerate() {
        print!("{:<14} {:>9}", spec.name, format!("{}/{k}", o.diverged_count(r)));
        for (_, a) in o.aggregate(r) {
            let cell = if k > 1 { format!("{} [{}, {}]", g(a.median), g(a.q1), g(a.q3)) } else { g(a.median) };
            print!(" {cell:>24}");
        }
        println!();
    }
    let mut seeds: Vec<u64> = o.logs.iter().map(|l| l.seed).collect();
    seeds.dedup();
    let shown: Vec<String> = seeds.iter().map(u64::to_string).collect();
    println!("training seeds used: {}", shown.join(", "));
    if k > 1 {
        let names: Vec<String> = o.config.runs.iter().map(|r| r.name.clone()).collect();
        let Ok(spec) = crate::sweep::ObservationSpec::new(&names, None, FIT_BELOW) else { return };
        println!("(median [q1, q3] over the converged seeds; rates over the decided seeds, Wilson 95 %)");
        for (name, c) in crate::sweep::observations::rates(o, &spec) {
            let s = c.rate(&name);
            let [lo, hi] = s.interval.unwrap_or([f64::NAN, f64::NAN]);
            let undecided =
                if c.undecided > 0 { format!(", {} undecided (a run diverged)", c.undecided) } else { String::new() };
            println!(
                "{name:<28} {:>3}/{:<3} = {:.2} [{lo:.2}, {hi:.2}]{undecided}",
                c.holds,
                c.holds + c.fails,
                s.estimate
            );
        }
    }
}

/// A converged run fits when its final train loss is below this (Fig. 12's failures sit at ≈ 0.27).
const FIT_BELOW: f64 = 0.05;

fn g(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v == v.trunc() && v.abs() < 1e6 {
        format!("{v}")
    } else {
        format!("{v:.3e}")
    }
}
