//! `largestep reproduce`, `largestep run`, `largestep list`.

use anyhow::{anyhow, Result};
use clap::Args;
use largestep::config::ExperimentConfig;
use largestep::experiment::{self, registry, Outcome, RunOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Options shared by `reproduce` and `run`. Each flag that changes the results is recorded in
/// the written `config.toml` (as `training.first_seed`, `training.seeds`, `training.vary_data`,
/// `rng`, and `iterations` under `--quick`), so running that file reproduces the run.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Results folder: each experiment writes `<out>/<name>/`, replaced as a whole (the same
    /// meaning in every subcommand: `verify --appendix-b` and `proofs-check` write
    /// `<out>/appendix-b/`).
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Seed offset added to the config's training seed (and data seed with --vary-data)
    /// [config: training.first_seed].
    #[arg(long)]
    seed: Option<u64>,
    /// Repeat each run over this many seeds (seed, seed+1, …); the summary gives median and
    /// quartiles [config: training.seeds].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1000))]
    seeds: Option<u64>,
    /// Let the seed offset change the data too (default: only SGD's stream and the init vary)
    /// [config: training.vary_data].
    #[arg(long)]
    vary_data: bool,
    /// Reduced run length for a fast look (`training.quick_iterations`).
    #[arg(long)]
    quick: bool,
    /// Random generator, overriding the figure's own: chacha, numpy (the release's legacy MT19937
    /// stream) or torch (the ReLU release's torch and numpy streams). Defaults per figure: numpy
    /// for fig2, fig3, fig11; torch for fig4, fig5, fig10, fig12, fig13, fig14; `largestep list`
    /// shows each one's [config: rng].
    #[arg(long, value_enum)]
    rng: Option<RngArg>,
    /// Do not write the PNG/SVG figure.
    #[arg(long)]
    no_plot: bool,
    /// Override a config field: KEY=VALUE (dotted key, e.g. data.d=300,
    /// 'runs.*.schedule.step=0.27', runs[1].label="x", runs.NAME.schedule.step=0.1; see
    /// `largestep schema`), validated like the file. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl CommonArgs {
    /// `--set` edits, then the flags as the config fields they set: one override path for
    /// every way of changing a config, so the written `config.toml` records all of them.
    fn overrides(&self) -> Vec<String> {
        let mut o = self.set.clone();
        if let Some(s) = self.seed {
            o.push(format!("training.first_seed={s}"));
        }
        if let Some(k) = self.seeds {
            o.push(format!("training.seeds={k}"));
        }
        if self.vary_data {
            o.push("training.vary_data=true".into());
        }
        if let Some(r) = self.rng {
            let name = match r {
                RngArg::Chacha => "chacha",
                RngArg::Numpy => "numpy",
                RngArg::Torch => "torch",
            };
            o.push(format!("rng=\"{name}\""));
        }
        o
    }
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
    /// CIFAR-10 for the deep protocols (`deep-…`): the official binary files or the class-folder
    /// layout DIR/{train,test}/<class>/* (e.g. the shipped cifar10-images.tar.gz extracted).
    #[arg(long)]
    data: Option<PathBuf>,
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

/// Every figure of the registry in paper order: name, random generator, title.
pub fn list() -> Result<ExitCode> {
    let mut w = std::io::stdout().lock();
    writeln!(w, "{:<10} {:<6} title", "name", "rng")?;
    for entry in registry::entries() {
        let (name, rng, title) = match entry {
            registry::Entry::Config(name) => {
                let cfg = registry::get(name).and_then(|c| c.ok());
                let rng = cfg.as_ref().map(|c| format!("{:?}", c.rng).to_lowercase()).unwrap_or_default();
                (name, rng, cfg.map(|c| c.title).unwrap_or_default())
            }
            registry::Entry::Standalone(s) => (s.name, s.rng.to_string(), (s.title)()),
        };
        writeln!(w, "{name:<10} {rng:<6} {title}")?;
    }
    for (name, text) in registry::DEEP.entries {
        let title = toml::from_str::<toml::Table>(text)
            .ok()
            .and_then(|t| t.get("title").and_then(|v| v.as_str().map(String::from)))
            .unwrap_or_default();
        writeln!(w, "{name:<10} {:<6} {title} [--features deep, --data DIR; not in `all`]", "")?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Every figure name `reproduce` knows, in paper order.
fn known() -> String {
    registry::entries().iter().map(registry::Entry::name).collect::<Vec<_>>().join(", ")
}

/// The embedded config `name` with `overrides` applied, validated.
pub fn embedded(name: &str, overrides: &[String]) -> Result<ExperimentConfig> {
    registry::get_with_overrides(name, overrides)
        .ok_or_else(|| match registry::standalone(name) {
            Some(_) => anyhow!("{name} is not a config of runs: its constants are fixed (see `largestep show {name}`)"),
            None => anyhow!("unknown figure {name:?}; known: {} (or `all`)", known()),
        })?
        .map_err(Into::into)
}

/// A config file with `overrides` applied, validated.
pub fn from_file(path: &Path, overrides: &[String]) -> Result<ExperimentConfig> {
    Ok(ExperimentConfig::load_with_overrides(path, overrides)?)
}

/// `reproduce all` checks every config first, then makes every figure of the registry in paper
/// order (the configs' runs and the standalone figures), even after one fails, and lists the
/// failures at the end.
pub fn reproduce(a: &ReproduceArgs) -> Result<ExitCode> {
    if registry::DEEP.text(&a.figure).is_some() {
        return reproduce_deep(a);
    }
    let overrides = a.common.overrides();
    if let Some(s) = registry::standalone(&a.figure) {
        if !overrides.is_empty() || a.common.quick {
            return Err(anyhow!(
                "{}: --set, --seed, --seeds, --vary-data, --rng and --quick do not apply: its constants are fixed \
                 (see `largestep show {}`)",
                s.name,
                s.name
            ));
        }
        return standalone(s, &a.common).map(|()| ExitCode::SUCCESS);
    }
    if a.figure != "all" {
        return execute(embedded(&a.figure, &overrides)?, &a.common);
    }
    let entries = registry::entries();
    let mut cfgs = std::collections::HashMap::new();
    for e in &entries {
        if let registry::Entry::Config(n) = e {
            cfgs.insert(*n, embedded(n, &overrides)?);
        }
    }
    let mut failures = Vec::new();
    for e in &entries {
        let name = e.name();
        let done = match e {
            registry::Entry::Config(n) => execute(cfgs.remove(n).expect("checked above"), &a.common),
            registry::Entry::Standalone(s) => {
                if !overrides.is_empty() || a.common.quick {
                    eprintln!("note: {name}: its constants are fixed; --set, --seed, --seeds, --vary-data, --rng and --quick do not apply");
                }
                standalone(s, &a.common).map(|()| ExitCode::SUCCESS)
            }
        };
        match done {
            Ok(code) if code == ExitCode::SUCCESS => {}
            Ok(_) => failures.push(format!("{name}: a run diverged (see the warnings above)")),
            Err(e) => failures.push(format!("{name}: {e:#}")),
        }
    }
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("reproduce all: {} of {} figures did not finish cleanly:", failures.len(), entries.len());
    for f in &failures {
        eprintln!("  {f}");
    }
    Ok(ExitCode::from(super::exit::ERROR))
}

/// Makes the standalone figure `s` in `<out>/<name>/` and prints the files written.
fn standalone(s: &registry::Standalone, c: &CommonArgs) -> Result<()> {
    let start = Instant::now();
    let dir = c.out.join(s.name);
    let files = (s.write)(&dir, !c.no_plot)?;
    let mut w = std::io::stdout().lock();
    for f in files {
        writeln!(w, "{}", f.display())?;
    }
    writeln!(w, "{}: {:.2} s → {}", s.name, start.elapsed().as_secs_f64(), dir.display())?;
    w.flush()?;
    Ok(())
}

/// A reduced-scale deep protocol: its own fields take `--set`, `--seed` sets `first_seed`,
/// `--seeds` sets `seeds`; `--quick` is the CI size ([`super::deep_small::QUICK`]).
fn reproduce_deep(a: &ReproduceArgs) -> Result<ExitCode> {
    let c = &a.common;
    if c.rng.is_some() || c.vary_data {
        return Err(anyhow!("{}: --rng and --vary-data do not apply to a deep protocol", a.figure));
    }
    let mut o: Vec<String> =
        if c.quick { super::deep_small::QUICK.iter().map(|s| s.to_string()).collect() } else { vec![] };
    if let Some(s) = c.seed {
        o.push(format!("first_seed={s}"));
    }
    if let Some(k) = c.seeds {
        o.push(format!("seeds={k}"));
    }
    o.extend(c.set.iter().cloned());
    let data = a.data.as_deref().ok_or_else(|| {
        anyhow!("{} needs --data DIR: CIFAR-10 (binary files or DIR/{{train,test}}/<class>/*.jpg)", a.figure)
    })?;
    super::deep_small::reproduce(&a.figure, &o, data, &c.out.join(&a.figure), !c.no_plot)
}

pub fn run_file(a: &RunArgs) -> Result<ExitCode> {
    let cfg = from_file(&a.config, &a.common.overrides())?;
    let out = a.common.out.join(&cfg.name);
    // The output folder is replaced as a whole: it must not hold the config being run.
    if let (Ok(c), Ok(o)) = (a.config.canonicalize(), out.canonicalize()) {
        if c.starts_with(&o) {
            return Err(anyhow!(
                "the config {} lies inside the output folder {}, which is replaced as a whole; \
                 copy the config elsewhere or choose another --out",
                a.config.display(),
                out.display()
            ));
        }
    }
    execute(cfg, &a.common)
}

fn execute(cfg: ExperimentConfig, c: &CommonArgs) -> Result<ExitCode> {
    let opts = RunOptions {
        out: c.out.join(&cfg.name),
        seed: cfg.training.first_seed,
        seeds: cfg.training.seeds,
        vary_data: cfg.training.vary_data,
        quick: c.quick,
        progress: std::io::stderr().is_terminal(),
        plot: !c.no_plot,
    };
    let start = Instant::now();
    let outcome = experiment::run(&cfg, &opts)?;
    let mut w = std::io::stdout().lock();
    print_summary(&mut w, &outcome)?;
    writeln!(
        w,
        "{}: {} runs × {} seeds in {:.2} s → {}",
        cfg.name,
        cfg.runs.len(),
        opts.seeds,
        start.elapsed().as_secs_f64(),
        opts.out.display()
    )?;
    w.flush()?;
    let failures = outcome.failures();
    for (run, seed, t) in outcome.diverged() {
        match failures.iter().find(|f| f.0 == run && f.1 == seed) {
            Some((_, _, _, why)) => {
                eprintln!(
                    "warning: run {run} (seed {seed}) failed at iteration {t}: {why}; its rows up to there are kept"
                )
            }
            None => {
                eprintln!("warning: run {run} (seed {seed}) diverged at iteration {t}; its rows up to there are kept")
            }
        }
    }
    let n = outcome.diverged().len();
    Ok(if n == 0 {
        ExitCode::SUCCESS
    } else {
        super::exit::Status::Diverged(format!("{n} run(s) of {} diverged (see the warnings above)", cfg.name)).exit()
    })
}

/// Prints one line per run: how many seeds diverged, then median [q1, q3] over the converged
/// seeds of the final values and the plateau; with several seeds, each observation's rate
/// (O1–O3 per seed, divergence and fit per run) with its Wilson 95 % interval.
pub fn print_summary(w: &mut dyn Write, o: &Outcome) -> std::io::Result<()> {
    let names: Vec<String> =
        o.aggregate(0).into_iter().map(|(n, _)| n.trim_start_matches("final_").to_string()).collect();
    let k = o.datasets.len();
    write!(w, "{:<14} {:>9}", "run", "diverged")?;
    for n in &names {
        write!(w, " {n:>24}")?;
    }
    writeln!(w)?;
    for (r, spec) in o.config.runs.iter().enumerate() {
        write!(w, "{:<14} {:>9}", spec.name, format!("{}/{k}", o.diverged_count(r)))?;
        for (_, a) in o.aggregate(r) {
            let cell = if k > 1 { format!("{} [{}, {}]", g(a.median), g(a.q1), g(a.q3)) } else { g(a.median) };
            write!(w, " {cell:>24}")?;
        }
        writeln!(w)?;
    }
    let mut seeds: Vec<u64> = o.logs.iter().map(|l| l.seed).collect();
    seeds.dedup();
    let shown: Vec<String> = seeds.iter().map(u64::to_string).collect();
    writeln!(w, "training seeds used: {}", shown.join(", "))?;
    // The paper's claims this figure decides, by the one registry, then the per-run rates.
    let decided: Vec<largestep::claims::Decided> =
        largestep::claims::registry::of_figure(&o.config.name).map(|c| largestep::claims::decide(c, o)).collect();
    if !decided.is_empty() {
        writeln!(w, "claims of the paper decided by these runs ({}):", largestep::claims::Scale::of(o).label())?;
        for d in &decided {
            let rate = match &d.verdict {
                largestep_theory::verdict::Verdict::Simulated { statistic, .. }
                | largestep_theory::verdict::Verdict::Undecided { statistic: Some(statistic), .. } => {
                    let [lo, hi] = statistic.interval.unwrap_or([f64::NAN, f64::NAN]);
                    format!("{:.2} [{lo:.2}, {hi:.2}] over {}", statistic.estimate, statistic.runs)
                }
                _ => String::new(),
            };
            let why = match &d.verdict {
                largestep_theory::verdict::Verdict::Undecided { reason, .. } => format!(" ({reason})"),
                _ => String::new(),
            };
            writeln!(w, "  {:<20} {:<24} {rate}{why}", d.id, d.verdict.label())?;
            writeln!(w, "  {:<20} rule: {}", "", d.definition)?;
        }
    }
    if k > 1 {
        let names: Vec<String> = o.config.runs.iter().map(|r| r.name.clone()).collect();
        let Ok(spec) = largestep::sweep::ObservationSpec::new(&names, None, FIT_BELOW) else { return Ok(()) };
        writeln!(w, "(median [q1, q3] over the converged seeds; rates over the decided seeds, Wilson 95 %)")?;
        for (name, c) in largestep::sweep::observations::rates(o, &spec) {
            let s = c.rate(&name);
            let [lo, hi] = s.interval.unwrap_or([f64::NAN, f64::NAN]);
            let undecided =
                if c.undecided > 0 { format!(", {} undecided (a run diverged)", c.undecided) } else { String::new() };
            writeln!(
                w,
                "{name:<28} {:>3}/{:<3} = {:.2} [{lo:.2}, {hi:.2}]{undecided}",
                c.holds,
                c.holds + c.fails,
                s.estimate
            )?;
        }
    }
    Ok(())
}

/// A converged run fits when its final train loss is below this (the registry's threshold).
const FIT_BELOW: f64 = largestep::claims::registry::FIT_BELOW;

use largestep::number::short as g;
