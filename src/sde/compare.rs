//! SGD, the SDE of Eq. (58) and gradient flow side by side (Appendix C, Fig. 9).
//!
//! For each seed the three runs share the base experiment's dataset (drawn as
//! [`experiment::run`](crate::experiment::run) draws it) and θ₀ (drawn from the run's training
//! stream, which each run then continues: SGD for its indices, the SDE for its Z_k). The SGD run is
//! the base experiment's run, bit for bit, traced by a [`LossTape`]; the SDE and gradient flow are
//! the [`Eq58`] optimizer in the same training loop and recorder, so all three are logged on the
//! same grid (row t of the SDE is its EM step 10t) into one `metrics.csv`.

use super::probed::Probed;
use super::sharpness::Probe;
use super::{Arm, Eq58, LossTape};
use crate::config::{ExperimentConfig, RunSpec};
use crate::data::Dataset;
use crate::experiment::{Job, Outcome};
use crate::metrics::{log_grid, Prepared};
use crate::model::Model;
use crate::optim::Optimizer;
use crate::record::RunLog;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most sharpness probes per run (a subsample of the logging grid).
pub const PROBES: usize = 100;

/// The stable flow re-estimates λ_max with a full Lanczos estimate (its 30 steps) at each of its
/// first this many SGD iterations and every this many after, warm-started in between.
pub const STABILITY_EVERY: usize = 100;

/// What to run.
#[derive(Debug, Clone)]
pub struct CompareSettings {
    /// Noise constant c.
    pub c: f64,
    /// EM steps per SGD iteration.
    pub substeps: usize,
    /// First seed offset.
    pub seed: u64,
    /// Number of seeds.
    pub seeds: usize,
    /// SGD iterations N.
    pub total: usize,
    /// Record the base's extra metrics (rank, sparsity); off for calibration runs.
    pub metrics: bool,
    /// Run gradient flow (plain and stable).
    pub gradient_flow: bool,
    /// Also vary the data seed with the seed offset (default, as `experiment::run`: only the
    /// training stream — SGD indices, θ₀, the SDE's Z — varies, on the config's dataset).
    pub vary_data: bool,
    /// Run each recursion that another run already computed only once (default; off only to
    /// check these identities): gradient flow is taken from the stable flow's run where the
    /// stable flow never refined (the same recursion bit for bit, [`Eq58::first_refinement`]),
    /// and seeds with the same dataset and θ₀ take the flows of the first such seed (gradient
    /// flow draws no random number, so theirs are the same runs; see [`Comparison::flow_of`]).
    pub share_flows: bool,
}

/// A comparison's outcome: the logs as an [`Outcome`] whose runs are `sgd`, `sde`, `gf`, the
/// CSV rows of each log (job order) and timings.
pub struct Comparison {
    /// Runs × seeds, seed-major (see [`Arm`]).
    pub outcome: Outcome,
    /// CSV data rows of each log, same order as `outcome.logs`.
    pub rows: Vec<Vec<u8>>,
    /// Sharpness probes of each log, same order as `outcome.logs`.
    pub sharpness: Vec<Vec<Probe>>,
    /// Seconds of the runs.
    pub timing: Timing,
    /// Per seed: whether the gradient-flow run is the stable flow's, relabelled (the stable flow
    /// never took more than the base substeps, so both are the same recursion bit for bit; see
    /// [`Eq58::first_refinement`]) rather than run a second time.
    pub gf_shared: Vec<bool>,
    /// Per seed k: the first seed with k's dataset and θ₀. Gradient flow (plain and stable)
    /// draws no random number, so it is a function of the data, θ₀ and the probes' seed alone:
    /// every seed's flows use the probe seed of `flow_of[k]`, so seeds with the same `flow_of`
    /// have the same flows, computed once (the diagonal net's θ₀ is fixed and the data are
    /// shared: one flow for all seeds). The distinct flows are `flow_of`'s distinct values.
    pub flow_of: Vec<usize>,
}

/// A finished run as run `spec` of seed `seed` (run name, label and seed; the CSV rows' first two
/// fields): the stable flow's run as gradient flow, a seed's flow as another seed's.
fn relabel((log, rows, probes): &Done, spec: &RunSpec, seed: u64) -> Done {
    let mut log = log.clone();
    log.run = spec.name.clone();
    log.label = spec.label.clone().unwrap_or_else(|| spec.name.clone());
    log.seed = seed;
    let prefix = format!("{},{seed}", spec.name);
    let mut out = Vec::with_capacity(rows.len());
    for line in rows.split_inclusive(|&b| b == b'\n') {
        let second = line.iter().enumerate().filter(|(_, &b)| b == b',').nth(1).map(|(p, _)| p);
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(second.map_or(&line[line.len()..], |p| &line[p..]));
    }
    (log, out, probes.clone())
}

/// The effective config of a comparison: the base with its runs replaced by SGD, SDE and GF on
/// `run`'s schedule (and without metrics when `metrics` is off).
pub fn comparison_config(
    base: &ExperimentConfig,
    run: &RunSpec,
    name: &str,
    title: &str,
    metrics: bool,
) -> ExperimentConfig {
    let mut cfg = base.clone();
    cfg.name = name.into();
    cfg.title = title.into();
    cfg.figure = crate::experiment::figure::Layout::Losses;
    cfg.training.snapshots = false;
    if !metrics {
        cfg.metrics.jacobian_rank = None;
        cfg.metrics.support_size = false;
        cfg.metrics.feature_sparsity = None;
    }
    let label = run.label.clone().unwrap_or_else(|| run.name.clone());
    cfg.runs = Arm::ALL
        .iter()
        .zip([
            format!("SGD ({label})"),
            "SDE (Eq. 58)".into(),
            "Gradient flow (γ = η/10)".into(),
            "Stable gradient flow (γ·λ_max ≤ 1)".into(),
        ])
        .map(|(a, l)| RunSpec {
            name: a.name().into(),
            label: Some(l),
            algorithm: None,
            schedule: run.schedule.clone(),
        })
        .collect();
    cfg
}

/// Runs job `job`'s run `r` with `opt`: its log and its CSV rows (the layout of `metrics.csv`).
fn run_job(job: &Job<'_>, r: usize, opt: &mut dyn Optimizer) -> Result<(RunLog, Vec<u8>)> {
    let log = job.run(r, opt, &|_| {})?;
    let mut bytes = Vec::new();
    crate::record::write_rows(&log, &mut bytes)?;
    Ok((log, bytes))
}

/// One finished run: its log, CSV rows and sharpness probes.
type Done = (RunLog, Vec<u8>, Vec<Probe>);

/// A finished run of [`Setup::eq58`] and the stable flow's first refinement.
type Ran = (Done, Option<usize>);

/// What every run of a comparison shares: the logging grid, the seeds and their datasets, the
/// model, and the iterations probed for sharpness.
struct Setup {
    total: usize,
    /// Iterations run (`total` but for calibration, which only needs the large-step phase).
    stop: usize,
    grid: Vec<usize>,
    seeds: Vec<u64>,
    datasets: Vec<Arc<Dataset>>,
    /// The metrics' state on each seed's dataset (one per distinct dataset).
    prepared: Vec<Arc<Prepared>>,
    model: Box<dyn Model>,
    probes: Vec<usize>,
    /// [`Comparison::flow_of`].
    flow_of: Vec<usize>,
}

impl Setup {
    fn new(cfg: &ExperimentConfig, s: &CompareSettings) -> Result<Self> {
        let total = s.total;
        let grid = log_grid(total, cfg.metrics.grid_dense, cfg.metrics.grid_points);
        let seeds: Vec<u64> = (0..s.seeds.max(1) as u64).map(|k| s.seed + k).collect();
        let datasets = crate::experiment::datasets(cfg, &seeds, s.vary_data)?;
        let model = cfg.model.build(cfg.data.dim());
        let probes: Vec<usize> = if s.metrics {
            let step = grid.len().div_ceil(PROBES).max(1);
            grid.iter().step_by(step).copied().collect()
        } else {
            Vec::new()
        };
        let prepared = Prepared::per_dataset(&datasets);
        let mut setup =
            Self { total, stop: total, grid, seeds, datasets, prepared, model, probes, flow_of: Vec::new() };
        // The first seed with the same data and θ₀ as each seed.
        let init: Vec<Vec<u64>> =
            (0..setup.seeds.len()).map(|k| setup.job(cfg, k).start().1.iter().map(|v| v.to_bits()).collect()).collect();
        let same = |j: usize, k: usize| Arc::ptr_eq(&setup.datasets[j], &setup.datasets[k]) && init[j] == init[k];
        setup.flow_of = (0..init.len()).map(|k| (0..k).find(|&j| same(j, k)).unwrap_or(k)).collect();
        Ok(setup)
    }
    fn job<'a>(&'a self, cfg: &'a ExperimentConfig, k: usize) -> Job<'a> {
        Job {
            cfg,
            model: self.model.as_ref(),
            data: &self.prepared[k],
            grid: &self.grid,
            total: self.total,
            stop: self.stop,
            seed: self.seeds[k],
        }
    }
    fn probe_seed(&self, k: usize) -> u64 {
        0x5_4A_7E ^ self.seeds[k]
    }

    /// SGD for every seed (in parallel), traced by a [`LossTape`]: the run and its losses
    /// L(θ^SGD_t) (the finite ones only, if the run diverged: its SDE follows SGD's last finite
    /// loss, and the seed is left out of the report).
    fn sgd(&self, cfg: &ExperimentConfig) -> Result<Vec<(Done, Arc<[f64]>)>> {
        (0..self.seeds.len()).into_par_iter().map(|k| self.sgd_run(cfg, k)).collect()
    }

    /// SGD for seed `k`, traced by a [`LossTape`] (see [`sgd`](Self::sgd)).
    fn sgd_run(&self, cfg: &ExperimentConfig, k: usize) -> Result<(Done, Arc<[f64]>)> {
        let loss = cfg.training.loss;
        let tape = LossTape::new(cfg.optimizer(&cfg.runs[Arm::Sgd.index()]), loss);
        let mut opt = Probed::new(tape, loss, self.probes.clone(), self.probe_seed(k));
        let (log, rows) = run_job(&self.job(cfg, k), Arm::Sgd.index(), &mut opt)?;
        let mut tape = opt.inner.losses;
        if log.diverged_at.is_some() {
            tape.retain(|l| l.is_finite());
        }
        Ok(((log, rows, opt.trace), Arc::from(tape)))
    }

    /// Arm `arm` (the SDE with noise constant `c` following `tape`, or a flow; not SGD) for
    /// seed `k`: its log, rows and probes, and the stable flow's first refinement.
    fn eq58(
        &self,
        cfg: &ExperimentConfig,
        (c, substeps): (f64, usize),
        k: usize,
        arm: Arm,
        tape: &Arc<[f64]>,
    ) -> Result<Ran> {
        let loss = cfg.training.loss;
        // A flow's probes use the seed of its group (`flow_of`), so the group's flows coincide.
        let probe_seed = self.probe_seed(if arm.is_flow() { self.flow_of[k] } else { k });
        let inner = match arm {
            Arm::Sgd => anyhow::bail!("{}: SGD is not an Eq. (58) run", cfg.name),
            Arm::Sde => Eq58::new(loss, c, substeps, tape.clone()),
            Arm::GradientFlow => Eq58::gradient_flow(loss, substeps),
            Arm::StableFlow => Eq58::stable_flow(loss, substeps, STABILITY_EVERY, probe_seed),
        };
        let mut opt = Probed::new(inner, loss, self.probes.clone(), probe_seed);
        let (log, rows) = run_job(&self.job(cfg, k), arm.index(), &mut opt)?;
        if let Some(why) = opt.inner.error {
            anyhow::bail!("{} run `{}`, seed {}: {why}", cfg.name, arm.name(), self.seeds[k]);
        }
        Ok(((log, rows, opt.trace), opt.inner.first_refinement()))
    }
}

/// Seconds of a comparison's runs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// The SGD jobs, summed over them (they run side by side with the others).
    pub sgd: f64,
    /// The SDE and flow jobs, summed over them.
    pub eq58: f64,
    /// Wall clock of all the runs.
    pub wall: f64,
}

/// `f()` and the seconds it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = std::time::Instant::now();
    (f(), t.elapsed().as_secs_f64())
}

/// What the jobs of [`compare`] hand back: each run's result by (seed, run), and the job seconds.
#[derive(Default)]
struct Finished {
    runs: HashMap<(usize, Arm), Result<Ran>>,
    timing: Timing,
}

/// Runs SGD, the SDE and gradient flow for every seed of `s` on `cfg` (a
/// [`comparison_config`]). The runs are jobs on rayon's pool, each queued as soon as what it
/// needs is there: SGD and the stable flows at once, a seed's SDE when its SGD run ends, and
/// gradient flow at γ = η/10 when its stable flow ends, where it must run on its own. Each job
/// is a function of its (seed, run) alone, with its own seeded stream, so the results do not
/// depend on the order, the thread count or the timing.
pub fn compare(cfg: &ExperimentConfig, s: &CompareSettings) -> Result<Comparison> {
    faer::set_global_parallelism(faer::Par::Seq);
    let setup = Setup::new(cfg, s)?;
    let n = setup.seeds.len();
    let arms: Vec<Arm> =
        if s.gradient_flow { vec![Arm::Sde, Arm::GradientFlow, Arm::StableFlow] } else { vec![Arm::Sde] };
    // The seeds that run their flows: the first of each group of seeds with the same data and
    // θ₀ (the others take its flows, relabelled), or all without sharing.
    let runs_flows = |k: usize| !s.share_flows || setup.flow_of[k] == k;
    let no_tape: Arc<[f64]> = Arc::from(Vec::new());
    let finished = Mutex::new(Finished::default());
    let record = |k: usize, arm: Arm, (res, secs): (Result<Ran>, f64)| {
        if let Ok(mut done) = finished.lock() {
            done.runs.insert((k, arm), res);
            *if arm == Arm::Sgd { &mut done.timing.sgd } else { &mut done.timing.eq58 } += secs;
        }
    };
    let (setup, no_tape, record) = (&setup, &no_tape, &record);
    let eq58 = move |k: usize, arm: Arm, tape: &Arc<[f64]>| timed(|| setup.eq58(cfg, (s.c, s.substeps), k, arm, tape));
    let start = std::time::Instant::now();
    // First in, first out: the SGD jobs (short; each then queues its seed's SDE), then the stable
    // flows (the longest jobs), then the SDEs and the gradient flows as they are queued, so that
    // the short jobs come last and fill the threads at the end.
    rayon::scope_fifo(|sc| {
        for k in 0..n {
            sc.spawn_fifo(move |sc| {
                let (sgd, secs) = timed(|| setup.sgd_run(cfg, k));
                let res = sgd.map(|(done, tape)| {
                    sc.spawn_fifo(move |_| record(k, Arm::Sde, eq58(k, Arm::Sde, &tape)));
                    (done, None)
                });
                record(k, Arm::Sgd, (res, secs));
            });
        }
        for k in (0..n).filter(|&k| s.gradient_flow && runs_flows(k)) {
            sc.spawn_fifo(move |sc| {
                let (out, secs) = eq58(k, Arm::StableFlow, no_tape);
                // Gradient flow is the stable flow relabelled where the stable flow never refined
                // (the same recursion, see `Eq58::first_refinement`); elsewhere it runs.
                match &out {
                    Ok((done, None)) if s.share_flows => {
                        let gf = relabel(done, &cfg.runs[Arm::GradientFlow.index()], setup.seeds[k]);
                        record(k, Arm::GradientFlow, (Ok((gf, None)), 0.0));
                    }
                    Ok(_) => sc.spawn_fifo(move |_| record(k, Arm::GradientFlow, eq58(k, Arm::GradientFlow, no_tape))),
                    Err(_) => {}
                }
                record(k, Arm::StableFlow, (out, secs));
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let Finished { runs, timing } = finished.into_inner().map_err(|_| anyhow::anyhow!("a comparison job panicked"))?;
    // Every result, or the first error in (seed, run) order.
    let mut runs: Vec<((usize, Arm), Result<Ran>)> = runs.into_iter().collect();
    runs.sort_unstable_by_key(|(key, _)| *key);
    let mut results: HashMap<(usize, Arm), Ran> = HashMap::new();
    for (key, res) in runs {
        results.insert(key, res?);
    }
    // Gradient flow is shared where the group's stable flow never refined.
    let gf_shared: Vec<bool> = (0..n)
        .map(|k| s.share_flows && s.gradient_flow && results[&(setup.flow_of[k], Arm::StableFlow)].1.is_none())
        .collect();
    // The other seeds of a group take its flows, relabelled.
    for k in (0..n).filter(|&k| !runs_flows(k)) {
        for arm in arms.iter().copied().filter(|a| a.is_flow()) {
            let shared = relabel(&results[&(setup.flow_of[k], arm)].0, &cfg.runs[arm.index()], setup.seeds[k]);
            results.insert((k, arm), (shared, None));
        }
    }

    let mut logs = Vec::new();
    let mut rows = Vec::new();
    let mut sharpness = Vec::new();
    for k in 0..n {
        for arm in std::iter::once(Arm::Sgd).chain(arms.iter().copied()) {
            let ((l, b, p), _) = results.remove(&(k, arm)).expect("one result per job");
            logs.push(l);
            rows.push(b);
            sharpness.push(p);
        }
    }
    let mut cfg = cfg.clone();
    cfg.runs.truncate(1 + arms.len());
    let columns = cfg.metrics.columns();
    let outcome = Outcome {
        config: cfg,
        datasets: setup.datasets.clone(),
        logs,
        columns,
        total: setup.total,
        grid: setup.grid.clone(),
        out: Default::default(),
        config_text: String::new(),
        provenance: None,
    };
    let timing = Timing { wall, ..timing };
    Ok(Comparison { outcome, rows, sharpness, timing, gf_shared, flow_of: setup.flow_of.clone() })
}

/// `calibrate` stops once a plateau is within 1 % of SGD's (|ln ratio| < 0.01).
pub const TOLERANCE: f64 = 0.01;

/// The result of [`calibrate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The chosen c (the evaluation closest to the target when the search failed).
    pub c: f64,
    /// SGD's plateau train loss over the short runs (median over seeds).
    pub target: f64,
    /// (c, SDE plateau train loss, median over seeds) of every evaluation, in order: the curve
    /// c ↦ plateau. +∞: the median seed's SDE run diverged; NaN: its plateau window holds no
    /// finite loss.
    pub history: Vec<(f64, f64)>,
    /// Whether two evaluated c enclose the target (f(ln c) changes sign between them).
    pub bracketed: bool,
    /// Why no c matches SGD's plateau within [`TOLERANCE`], when none does (with the evidence).
    pub failure: Option<String>,
    /// Seeds behind each median.
    pub seeds: usize,
}

/// How many times `calibrate` may widen the scanned range by 10× at an end that does not reach
/// the target.
pub const WIDEN: usize = 3;

/// Picks c by the paper's criterion (Appendix C: "c selected for each setting to match the
/// training dynamics of the corresponding SGD run"): the SDE's plateau train loss (median over
/// the second half of the large-step phase, [`RunLog::plateau_train_loss`], then median over
/// `seeds` seeds) equals SGD's, on the schedule of an `iterations`-iteration run. Every run of
/// the calibration stops at the end of that schedule's large-step phase, where the plateau
/// window ends: no later iteration can change a plateau, so the runs take only that phase (a
/// run that diverges within it counts as below; one that would diverge after it is not
/// seen, and its plateau counts as it is). With
/// f(ln c) = ln plateau_SDE(c) − ln plateau_SGD:
///
/// 1. scan ln c on the decades of [lo, hi] (lo, 10·lo, …, hi), widening by 10× beyond an end
///    while f keeps one sign there (at most [`WIDEN`] times per end);
/// 2. take the first sign change from f ≤ 0 to f > 0 in increasing c (the smallest c that
///    reaches SGD's plateau; the plateau need not be monotone in c);
/// 3. refine it by the Illinois variant of regula falsi, `evaluations` SDE runs at most, until
///    |f| < [`TOLERANCE`].
///
/// SGD does not depend on c, so it runs once; the scan's evaluations (and each widening step's)
/// run as one parallel batch of (c, seed) runs, each a function of (c, seed) alone, so the
/// result does not depend on the batching or the thread count.
/// Every evaluation reuses the same seeds, so the SDE runs of different c share their Gaussian
/// draws (common random numbers) and f is a smooth function of c between catapults. A diverged
/// SDE run counts as a plateau of +∞ (c too large). When no sign change exists the result says
/// why in [`Calibration::failure`]: the SDE's plateau stays above SGD's even as c → 0 (the
/// noise-free Eq. 58 recursion — gradient flow at γ = η/10 — already plateaus higher, e.g.
/// because it is itself unstable), or stays below it up to the largest c tried, or is undefined
/// (NaN). c is then the evaluation with the smallest |f|.
pub fn calibrate(
    cfg: &ExperimentConfig,
    substeps: usize,
    (seed, seeds): (u64, usize),
    iterations: usize,
    (lo, hi): (f64, f64),
    evaluations: usize,
) -> Result<Calibration> {
    let settings = CompareSettings {
        c: 0.0,
        substeps,
        seed,
        seeds,
        total: iterations,
        metrics: false,
        gradient_flow: false,
        vary_data: false,
        share_flows: true,
    };
    faer::set_global_parallelism(faer::Par::Seq);
    let mut setup = Setup::new(cfg, &settings)?;
    // The plateau window ends with the large-step phase: no later iteration enters f.
    setup.stop = cfg.runs[Arm::Sgd.index()].schedule.build(iterations).large_phase_end(iterations).min(iterations);
    // SGD does not depend on c: it runs once, and every evaluation follows its loss tapes.
    let sgd = setup.sgd(cfg)?;
    let plateau = |log: &RunLog| if log.diverged_at.is_some() { f64::INFINITY } else { log.plateau_train_loss() };
    // The seeds whose SGD run finished (a diverged SGD run gives no target).
    let kept: Vec<usize> = (0..sgd.len()).filter(|&k| sgd[k].0 .0.diverged_at.is_none()).collect();
    let target = crate::stats::median_with_infinities(kept.iter().map(|&k| plateau(&sgd[k].0 .0)).collect());
    if !(target.is_finite() && target > 0.0) {
        anyhow::bail!("{}: SGD's plateau train loss is {target}, no target for the calibration", cfg.name);
    }
    // The SDE's plateau (median over the kept seeds) at every c of `cs`: one parallel batch of
    // (c, seed) runs, each a function of (c, seed) alone.
    let plateaus = |cs: &[f64]| -> Result<Vec<f64>> {
        let jobs: Vec<(usize, usize)> = (0..cs.len()).flat_map(|j| kept.iter().map(move |&k| (j, k))).collect();
        let logs: Vec<RunLog> = jobs
            .par_iter()
            .map(|&(j, k)| Ok(setup.eq58(cfg, (cs[j], substeps), k, Arm::Sde, &sgd[k].1)?.0 .0))
            .collect::<Result<_>>()?;
        Ok((0..cs.len())
            .map(|j| {
                crate::stats::median_with_infinities(
                    jobs.iter().zip(&logs).filter(|((i, _), _)| *i == j).map(|(_, l)| plateau(l)).collect(),
                )
            })
            .collect())
    };
    let f = |p: f64| if p.is_nan() { f64::NAN } else { (p / target).ln() };
    let mut history: Vec<(f64, f64)> = Vec::new();
    let eval = |cs: &[f64], history: &mut Vec<(f64, f64)>| -> Result<Vec<f64>> {
        let ps = plateaus(cs)?;
        history.extend(cs.iter().copied().zip(ps.iter().copied()));
        Ok(ps.into_iter().map(f).collect())
    };
    // 1. lo and the decades of [lo, hi] (one batch), then widening.
    let decades = ((hi / lo).log10().round().max(1.0)) as usize;
    let scan: Vec<f64> =
        std::iter::once(lo).chain((1..=decades).map(|k| lo * (hi / lo).powf(k as f64 / decades as f64))).collect();
    eval(&scan, &mut history)?;
    let sorted = |h: &Vec<(f64, f64)>| {
        let mut v: Vec<(f64, f64)> = h.iter().map(|&(c, p)| (c, f(p))).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let crossing = |v: &[(f64, f64)]| v.windows(2).position(|w| w[0].1 <= 0.0 && w[1].1 > 0.0);
    for _ in 0..WIDEN {
        let v = sorted(&history);
        if crossing(&v).is_some() {
            break;
        }
        let (first, last) = (v[0], v[v.len() - 1]);
        let mut wider = Vec::new();
        if first.1 > 0.0 {
            wider.push(first.0 / 10.0);
        }
        if last.1 <= 0.0 {
            wider.push(last.0 * 10.0);
        }
        eval(&wider, &mut history)?;
        if first.1.is_nan() && last.1.is_nan() {
            break;
        }
    }
    // 2.–3. The first crossing, refined.
    let v = sorted(&history);
    let bracketed = crossing(&v).is_some();
    if let Some(i) = crossing(&v) {
        let (mut a, mut fa) = (v[i].0.ln(), v[i].1);
        let (mut b, mut fb) = (v[i + 1].0.ln(), v[i + 1].1);
        let mut side = 0i8;
        for _ in 0..evaluations {
            if fa.abs().min(fb.abs()) < TOLERANCE {
                break;
            }
            let m = if fb.is_finite() && fa.is_finite() && fb != fa {
                (a * fb - b * fa) / (fb - fa)
            } else {
                0.5 * (a + b)
            };
            let fm = eval(&[m.exp()], &mut history)?[0];
            if fm.is_nan() {
                break;
            }
            if fm > 0.0 {
                (b, fb) = (m, fm);
                if side == 1 {
                    fa *= 0.5;
                }
                side = 1;
            } else {
                (a, fa) = (m, fm);
                if side == -1 {
                    fb *= 0.5;
                }
                side = -1;
            }
        }
    }
    let best = history
        .iter()
        .filter(|(_, p)| p.is_finite())
        .min_by(|x, y| f(x.1).abs().total_cmp(&f(y.1).abs()))
        .copied()
        .ok_or_else(|| anyhow::anyhow!("{}: every SDE run of the calibration diverged or is NaN", cfg.name))?;
    let v = sorted(&history);
    let show = |(c, fc): (f64, f64)| format!("c = {c:.3e}: SDE plateau = {:.3e}", target * fc.exp());
    let failure = if f(best.1).abs() < TOLERANCE || bracketed {
        None
    } else if v.iter().all(|x| x.1.is_nan()) {
        Some("the SDE's plateau train loss is undefined (no finite loss in the plateau window) at every c".into())
    } else if v.iter().filter(|x| !x.1.is_nan()).all(|x| x.1 > 0.0) {
        Some(format!(
            "the SDE's plateau stays above SGD's ({target:.3e}) at every c, down to {}: the noise-free \
             recursion (gradient flow at γ = η/{substeps}) already plateaus higher, so no c > 0 lowers it to SGD's",
            show(v[0])
        ))
    } else if v.iter().filter(|x| !x.1.is_nan()).all(|x| x.1 <= 0.0) {
        let last = *v.iter().rev().find(|x| !x.1.is_nan()).unwrap_or(&v[0]);
        Some(format!(
            "the SDE's plateau stays below SGD's ({target:.3e}) at every c, up to {}: more noise does not \
             raise it to SGD's level",
            show(last)
        ))
    } else {
        Some(format!(
            "no sign change from below to above SGD's plateau ({target:.3e}) in increasing c (NaN plateaus between)"
        ))
    };
    Ok(Calibration { c: best.0, target, history, bracketed, failure, seeds })
}
