//! Adapters from the library's results to the report's data, one function per source, and the
//! step runner that reuses stored results ([`super::cache`]).
//!
//! These adapters are the only place that knows the shape of each source: the claim rows of
//! [`crate::verify`], the prover's report (`largestep_proofs`), an experiment's
//! [`Outcome`], the SDE comparison ([`crate::sde`]) and the CSVs of the deep-net runs. When a
//! source changes shape, the adapter changes; the rendering does not.

use super::cache::{self, Cache};
use super::spec::{self, FigureSpec};
use super::{
    Backing, Claim, DeepFile, DeepRun, DeepSection, FigureSection, Options, Provenance, Report, RunValues, Section,
    Step,
};
use crate::claims::{self, Decided, Role, Scale};
use crate::config::ExperimentConfig;
use crate::experiment::{self, registry, Outcome, RunOptions};
use crate::verify::{self, Budget, Row};
use anyhow::{anyhow, Context, Result};
use largestep_theory::verdict::Verdict;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// What the Fig. 9 comparison produced: the SDE report's Markdown, its figures and its claims.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SdeResult {
    /// The Markdown of `largestep sde-vs-sgd` (sections per model).
    pub markdown: String,
    /// Figure files relative to the report folder.
    pub images: Vec<String>,
    /// Appendix C claims, one per model.
    pub claims: Vec<Claim>,
}

/// Runs one step, or reuses its stored result when `key_parts` (plus the code version) match.
/// `valid` is asked whether a reused result is still usable (e.g. its figure files exist).
struct Runner<'a> {
    cache: Cache,
    version: String,
    steps: Vec<Step>,
    opts: &'a Options,
}

impl Runner<'_> {
    fn step<T: Serialize + DeserializeOwned>(
        &mut self,
        name: &str,
        command: String,
        seeds: Vec<u64>,
        key_parts: &[&str],
        valid: impl Fn(&T) -> bool,
        run: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let mut parts = vec![name, self.version.as_str()];
        parts.extend_from_slice(key_parts);
        let key = cache::key(&parts);
        if let Some((result, seconds)) = self.cache.load::<T>(name, &key).filter(|(r, _)| valid(r)) {
            if self.opts.verbose {
                eprintln!("{name}: reused (key {})", &key[..12]);
            }
            self.steps.push(Step { name: name.into(), command, key, seeds, seconds, reused: true });
            return Ok(result);
        }
        let start = Instant::now();
        let result = run().with_context(|| format!("report step {name}"))?;
        let seconds = start.elapsed().as_secs_f64();
        if self.opts.verbose {
            eprintln!("{name}: {seconds:.1} s");
        }
        self.cache.store(name, &key, seconds, &result)?;
        self.steps.push(Step { name: name.into(), command, key, seeds, seconds, reused: false });
        Ok(result)
    }
}

/// Gathers every section of the report (running or reusing each step).
pub fn gather(opts: &Options, start: Instant) -> Result<Report> {
    let version = crate::provenance::build_id();
    let runner = || Runner {
        cache: Cache::for_report(opts, opts.fresh || version.is_none()),
        version: version.clone().unwrap_or_else(|| "unknown".into()),
        steps: Vec::new(),
        opts,
    };
    // The propositions and Appendix B are single-threaded: they run on their own thread while the
    // experiments use the rayon pool.
    let (theory, experiments) = std::thread::scope(|sc| {
        let theory = sc.spawn(|| {
            let mut r = runner();
            theory_claims(&mut r, opts).map(|c| (c, r.steps))
        });
        let mut r = runner();
        let experiments = experiment_sections(&mut r, opts).map(|e| (e, r.steps));
        (theory.join(), experiments)
    });
    let (mut claims, mut steps) = theory.map_err(|_| anyhow!("the theory checks panicked"))??;
    let ((more, figures, sde), more_steps) = experiments?;
    claims.extend(more);
    steps.extend(more_steps);

    // Deep networks and sweeps: only what GPU runs and `largestep sweep` wrote.
    let start_deep = Instant::now();
    let deep = deep_section(&opts.deep_results);
    claims.extend(deep_claims(&deep));
    claims.extend(unchecked_claims());
    // ---- reduced-scale deep protocols (issue 32): read, never run here ----
    let start_small = Instant::now();
    let (small, found) = super::deep_small::claims(&opts.deep_small_results);
    claims.extend(small);
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    steps.push(read_step(
        "deep-small",
        &opts.deep_small_results,
        crate::claims::deep_small::CLAIMS_FILE,
        "`largestep reproduce deep-…`",
        &found,
        start_small,
    ));
    // ---- end of the reduced-scale deep protocols ----
    let files: Vec<&str> = deep.files.iter().map(|f| f.path.as_str()).collect();
    steps.push(read_step("deep", &opts.deep_results, "deep.csv", "the GPU runs", &files, start_deep));
    let start_sweeps = Instant::now();
    let sweeps = super::sweeps::section(&opts.sweep_results, &opts.out)?;
    let files: Vec<&str> = sweeps.sweeps.iter().map(|f| f.path.as_str()).collect();
    steps.push(read_step("sweeps", &opts.sweep_results, "observations.csv", "`largestep sweep`", &files, start_sweeps));

    let provenance = Provenance {
        version: env!("CARGO_PKG_VERSION").into(),
        commit: version.unwrap_or_else(|| "unknown (not a git checkout: nothing reused)".into()),
        machine: crate::provenance::Machine::describe(),
        generated: crate::provenance::rfc3339(std::time::SystemTime::now()),
        seconds: start.elapsed().as_secs_f64(),
        quick: opts.quick,
    };
    claims.sort_by_key(|c| c.group.position());
    Ok(Report { claims, figures, sde, deep, sweeps, steps, provenance })
}

/// The step of a section that only reads files others wrote (`dir/**/file`, keyed by the paths
/// found).
fn read_step(name: &str, dir: &Path, file: &str, writer: &str, found: &[&str], start: Instant) -> Step {
    Step {
        name: name.into(),
        command: format!("read {}/**/{file} (written by {writer}; never recomputed here)", dir.display()),
        key: cache::key(found),
        seeds: vec![],
        seconds: start.elapsed().as_secs_f64(),
        reused: false,
    }
}

/// Propositions 2.1 and 2.2 (verify's rows) and Appendix B (the prover, whose Markdown report is
/// written beside the site).
fn theory_claims(r: &mut Runner<'_>, opts: &Options) -> Result<Vec<Claim>> {
    let q = if opts.quick { " --quick" } else { "" };
    // The figure claims come from the figure steps of `experiment_sections`.
    let mut budget = if opts.quick { Budget::quick(opts.seed) } else { Budget::standard(opts.seed) };
    budget.claims = None;
    let budget_text = format!("{budget:?}");
    let mut claims: Vec<Claim> = r.step(
        "verify",
        format!("largestep verify{q} --seed {}", opts.seed),
        vec![opts.seed],
        &[&budget_text],
        |_| true,
        || Ok(verify::run(&budget).iter().map(claim_from_row).collect()),
    )?;
    let ab_dir = opts.out.join("appendix-b");
    claims.extend(r.step::<Vec<Claim>>(
        "appendix-b",
        "largestep verify --appendix-b".into(),
        vec![],
        &[],
        |_| ab_dir.join("report.md").exists(),
        || {
            let report = largestep_proofs::check_all(&largestep_proofs::Budget::default());
            report.write(&ab_dir).with_context(|| format!("writing {}", ab_dir.display()))?;
            Ok(appendix_b_claims(&report))
        },
    )?);
    Ok(claims)
}

/// The observation rates, every figure, and the Fig. 9 comparison.
fn experiment_sections(r: &mut Runner<'_>, opts: &Options) -> Result<(Vec<Claim>, Vec<FigureSection>, SdeResult)> {
    let q = if opts.quick { " --quick" } else { "" };
    let out = opts.out.clone();
    let mut claims = Vec::new();
    // Every figure of the registry.
    let spec = spec::figures()?;
    // The notebooks' printed numbers, parsed once for every figure.
    let notebooks = spec::release()?;
    let mut figures = Vec::new();
    for name in registry::names() {
        let cfg = registry::get(name).ok_or_else(|| anyhow!("unknown figure {name}"))??;
        let printed = notebooks.figure.iter().find(|f| f.name == name);
        let fspec = spec.figure.iter().find(|f| f.name == name).cloned().unwrap_or(FigureSpec {
            name: name.into(),
            claim: String::new(),
            rerun: vec![],
        });
        // A figure that decides claims runs the claims' seed count (SUPPORTS must be reachable);
        // the others are drawn from 5 seeds (1 with --quick).
        let decides = claims::registry::of_figure(name).next().is_some();
        let seeds_n: u64 = match (decides, opts.quick) {
            (true, false) => claims::SEEDS as u64,
            (true, true) => claims::QUICK_SEEDS as u64,
            (false, false) => 5,
            (false, true) => 1,
        };
        let seeds: Vec<u64> = (opts.seed..opts.seed + seeds_n).collect();
        let dir = out.join("figures").join(name);
        let (section, fig_claims): (FigureSection, Vec<Claim>) = r.step(
            name,
            format!("largestep reproduce {name} --seed {} --seeds {seeds_n}{q} --out DIR/figures/{name}", opts.seed),
            seeds,
            &[&cfg.to_toml(), spec::FIGURES, &seeds_n.to_string(), q],
            |(s, _): &(FigureSection, Vec<Claim>)| s.images.iter().all(|i| out.join(i).exists()),
            || figure(&cfg, &fspec, printed, &dir, &out, opts.seed, seeds_n as usize, opts.quick),
        )?;
        figures.push(section);
        claims.extend(fig_claims);
    }

    // Fig. 9: SGD vs SDE vs gradient flow.
    // 8 seeds at the paper's settings (SUPPORTS needs at least 5); one with --quick (reduced, undecided).
    let sde_seeds: u64 = if opts.quick { 1 } else { 8 };
    let sde_dir = out.join("sde");
    let sde_texts: Vec<String> = crate::sde::spec::names()
        .into_iter()
        .map(|n| crate::sde::spec::get(n).map(|s| s.map(|s| format!("{s:?}")).unwrap_or_default()).unwrap_or_default())
        .collect();
    let sde_key = sde_texts.join("\n");
    let sde: SdeResult = r.step(
        "sde",
        format!("largestep sde-vs-sgd --seed {} --seeds {sde_seeds}{q} --out DIR/sde", opts.seed),
        (opts.seed..opts.seed + sde_seeds).collect(),
        &[&sde_key, &sde_seeds.to_string(), q],
        |s: &SdeResult| s.images.iter().all(|i| out.join(i).exists()),
        || sde_comparison(&sde_dir, &out, opts.seed, sde_seeds as usize, opts.quick),
    )?;
    claims.extend(sde.claims.iter().cloned());
    Ok((claims, figures, sde))
}

/// The group of a verify row, from its id and role.
fn group_of(row: &Row) -> Section {
    if row.role == Role::Diagnostic {
        Section::Diagnostics
    } else if row.id.starts_with("P2.1") {
        Section::Paper(claims::Group::Prop21)
    } else if row.id.starts_with("P2.2") {
        Section::Paper(claims::Group::Prop22)
    } else if row.id.starts_with("B:") {
        Section::Paper(claims::Group::AppendixB)
    } else {
        claims::registry::get(&row.id).map_or(Section::Diagnostics, |c| Section::Paper(c.group))
    }
}

/// Adapter: one row of `largestep verify` → a claim (the row carries its typed verdict).
pub fn claim_from_row(row: &Row) -> Claim {
    let verdict = row.verdict.clone();
    let group = group_of(row);
    let backing = match row.id.as_str() {
        id if id.starts_with("P2.1") => "cargo test --test theory prop21::",
        _ => "cargo test --test claims verify::",
    };
    let decided_by = match row.id.as_str() {
        id if id.starts_with("P2.1") => "largestep::verify::prop21::rows",
        id if id.starts_with("P2.2") => "largestep::verify::prop22::rows",
        _ => "largestep::verify::run",
    };
    Claim {
        id: row.id.clone(),
        group,
        statement: row.claim.clone(),
        reference: row.reference.clone(),
        verdict,
        numbers: row.detail.clone(),
        backing: Backing { command: backing.into(), step: "verify".into() },
        role: row.role,
        scale: row.scale.clone(),
        decided_by: decided_by.into(),
    }
}

/// Adapter: a claim of the registry, decided → a claim row of the report.
pub fn claim_from_decided(d: &Decided, backing: Backing) -> Claim {
    let numbers = if d.definition.is_empty() {
        d.detail.clone()
    } else {
        format!("{} | rule: {} | {}", d.detail, d.definition, d.scale.label())
    };
    Claim {
        id: d.id.clone(),
        group: if d.role == Role::Diagnostic { Section::Diagnostics } else { Section::Paper(d.group) },
        statement: d.sentence.clone(),
        reference: d.reference.clone(),
        verdict: d.verdict.clone(),
        numbers,
        backing,
        role: d.role,
        scale: d.scale.clone(),
        decided_by: d.decided_by.clone(),
    }
}

/// The registry's claims that no step decides: UNDECIDED ("not checked yet"), so the page shows
/// the paper's coverage as it is.
pub fn unchecked_claims() -> Vec<Claim> {
    claims::CLAIMS
        .iter()
        .filter(|c| matches!(c.check, claims::Check::NotChecked(_)))
        .map(|c| claim_from_decided(&claims::pending(c), Backing { command: "—".into(), step: "verify".into() }))
        .collect()
}

/// Adapter: the prover's report → Appendix B claims (self-tests as one claim of ours).
pub fn appendix_b_claims(report: &largestep_proofs::report::Report) -> Vec<Claim> {
    let mut claims: Vec<Claim> = report
        .claims
        .iter()
        .map(|c| {
            let verdict = c.verdict.clone();
            Claim {
                id: format!("B:{}", c.id),
                group: Section::Paper(claims::Group::AppendixB),
                statement: c.statement.into(),
                reference: format!("Appendix B, {}", c.id),
                verdict,
                numbers: format!("domain {}; {}", c.domain, c.evidence()),
                backing: Backing { command: "cargo test -p largestep-proofs".into(), step: "appendix-b".into() },
                role: Role::Paper,
                scale: Scale::Paper,
                decided_by: "largestep_proofs::check_all".into(),
            }
        })
        .collect();
    claims.push(Claim {
        id: "B:self-tests".into(),
        group: Section::Diagnostics,
        statement: "the prover proves true and refutes false claims of known truth value".into(),
        reference: "largestep-proofs self-tests".into(),
        verdict: report.self_test_verdict(),
        numbers: format!(
            "{} self-tests; whole prover {:.2} s",
            report.self_tests.len(),
            report.total_time.as_secs_f64()
        ),
        backing: Backing { command: "cargo test -p largestep-proofs".into(), step: "appendix-b".into() },
        role: Role::Diagnostic,
        scale: Scale::Paper,
        decided_by: "largestep_proofs::Report::self_test_verdict".into(),
    });
    claims
}

/// Numbers as printed in the report (four significant digits).
pub use crate::claims::compare::short;

/// Adapter: runs a registry figure and turns its [`Outcome`] into a section and its claims.
#[allow(clippy::too_many_arguments)]
fn figure(
    cfg: &ExperimentConfig,
    spec: &FigureSpec,
    printed: Option<&spec::ReleaseFigure>,
    dir: &Path,
    out: &Path,
    seed: u64,
    seeds: usize,
    quick: bool,
) -> Result<(FigureSection, Vec<Claim>)> {
    let mut opts = RunOptions::new(dir);
    opts.seed = seed;
    opts.seeds = seeds;
    opts.quick = quick;
    let o = experiment::run(cfg, &opts)?;
    let mut images: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .filter_map(|p| p.strip_prefix(out).ok().map(|r| r.to_string_lossy().replace('\\', "/")))
        .collect();
    images.sort();
    let runs: Vec<RunValues> = cfg
        .runs
        .iter()
        .enumerate()
        .map(|(r, s)| RunValues {
            run: s.name.clone(),
            label: s.label.clone().unwrap_or_else(|| s.name.clone()),
            values: o.aggregate(r).into_iter().map(|(n, a)| (n, a.median, a.min, a.max)).collect(),
        })
        .collect();
    let backing =
        Backing { command: format!("largestep reproduce {} --seeds {seeds}", cfg.name), step: cfg.name.clone() };
    let decided: Vec<Decided> =
        claims::registry::of_figure(&cfg.name).map(|c| claims::decide(c, &o)).chain(claims::divergence(&o)).collect();
    let claims: Vec<Claim> = decided.iter().map(|d| claim_from_decided(d, backing.clone())).collect();
    let rates = claims
        .iter()
        .filter(|c| c.role == Role::Paper)
        .filter_map(|c| match &c.verdict {
            Verdict::Simulated { statistic, .. } => Some(statistic.clone()),
            Verdict::Undecided { statistic, .. } => statistic.clone(),
            _ => None,
        })
        .collect();
    let reduced = match Scale::of(&o) {
        Scale::Paper => String::new(),
        Scale::Reduced(why) => format!(" — REDUCED: {why}"),
    };
    let mut release: Vec<super::ReleaseRow> = printed
        .map(|f| {
            f.lines
                .iter()
                .map(|l| super::ReleaseRow {
                    what: l.what.clone(),
                    notebook: format!("{} ({}, cell {})", l.value, f.notebook, l.cell),
                    rerun: String::new(),
                    ours: format!("{}{reduced}", ours(&o, &l.what)),
                })
                .collect()
        })
        .unwrap_or_default();
    for [what, value] in &spec.rerun {
        release.push(super::ReleaseRow {
            what: what.clone(),
            notebook: String::new(),
            rerun: value.clone(),
            ours: format!("{}{reduced}", ours(&o, what)),
        });
    }
    let section = FigureSection {
        name: cfg.name.clone(),
        title: cfg.title.clone(),
        claim: spec.claim.clone(),
        images,
        release,
        runs,
        rates,
        diverged: o.diverged(),
        seeds: (seed..seed + seeds as u64).collect(),
        iterations: o.total,
    };
    Ok((section, claims))
}

/// Our medians for a release line "final <value> (run, run, …)": the value is matched by its
/// words (test loss, train loss, ‖u⊙v‖₀, Jacobian rank), the runs by the names in the last
/// parentheses (every run when they are not run names); "not computed" otherwise (the notebooks
/// print values we do not compute, e.g. nuclear norms).
fn ours(o: &Outcome, what: &str) -> String {
    let name = if what.contains("test loss") {
        "final_test_loss"
    } else if what.contains("train loss") {
        "final_train_loss"
    } else if what.contains("‖u⊙v‖₀") {
        "final_support_size"
    } else if what.contains("Jacobian rank") {
        "final_jacobian_rank"
    } else {
        return "not computed by the toolkit".into();
    };
    let names = what.rsplit_once('(').and_then(|(_, r)| r.split_once(')')).map(|(inside, _)| inside);
    let runs: Vec<usize> = names
        .and_then(|n| n.split(", ").map(|r| o.run_index(r.trim())).collect())
        .unwrap_or_else(|| (0..o.config.runs.len()).collect());
    let v: Vec<String> = runs
        .iter()
        .map(|&r| o.aggregate(r).into_iter().find(|(n, _)| n == name).map_or("–".into(), |(_, a)| short(a.median)))
        .collect();
    format!("{} (median over {} seed(s))", v.join(" / "), o.datasets.len())
}

/// Adapter: the Fig. 9 comparison of every SDE spec (as `largestep sde-vs-sgd` with c from the
/// config) → the SDE report's Markdown, its figures, and one Appendix C claim per model.
fn sde_comparison(dir: &Path, out: &Path, seed: u64, seeds: usize, quick: bool) -> Result<SdeResult> {
    use crate::sde::compare::{self, CompareSettings};
    use crate::sde::report::{self as sde_report, SectionInfo};
    use rayon::prelude::*;
    std::fs::create_dir_all(dir)?;
    let specs = crate::sde::spec::names()
        .into_iter()
        .map(|name| {
            crate::sde::spec::get(name).ok_or_else(|| anyhow!("unknown SDE spec {name}"))?.map_err(anyhow::Error::from)
        })
        .collect::<Result<Vec<_>>>()?;
    // The comparisons of the models are independent: run them in parallel (each is seeded by
    // its own config and `seed`, so the results do not depend on the schedule), then render and
    // assemble in the specs' order.
    let runs: Vec<_> = specs
        .par_iter()
        .map(|sp| -> Result<_> {
            let Ok((base, run)) = sp.resolve() else { return Ok(None) };
            let start = Instant::now();
            let title = if sp.title.is_empty() { sp.name.clone() } else { sp.title.clone() };
            let cfg = compare::comparison_config(&base, &run, &sp.name, &title, true);
            let settings = CompareSettings {
                c: sp.c,
                substeps: sp.substeps,
                seed,
                seeds,
                total: base.training.total(quick),
                metrics: true,
                gradient_flow: true,
                vary_data: false,
                share_flows: true,
            };
            let cmp = compare::compare(&cfg, &settings)?;
            Ok(Some((run.name.clone(), cmp, start.elapsed().as_secs_f64())))
        })
        .collect::<Result<_>>()?;
    let mut result = SdeResult::default();
    for (sp, done) in specs.iter().zip(runs) {
        let Some((run_name, mut cmp, seconds)) = done else {
            let why = sp.resolve().err().unwrap_or_default();
            result.markdown.push_str(&format!("## {}\n\nSkipped: {why}.\n\n", sp.name));
            continue;
        };
        cmp.outcome.out = dir.join(&sp.name);
        for (stem, fig) in experiment::figure::figures(&cmp.outcome)? {
            fig.render(&dir.join(&stem))?;
            let svg = dir.join(format!("{stem}.svg"));
            if let Ok(rel) = svg.strip_prefix(out) {
                result.images.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        let info = SectionInfo {
            name: &sp.name,
            base: &sp.base,
            run: &run_name,
            c: sp.c,
            substeps: sp.substeps,
            calibration: None,
            seconds,
        };
        result.markdown.push_str(
            &sde_report::section(&info, &cmp).replace(&format!("]({}.png)", sp.name), &format!("]({}.svg)", sp.name)),
        );
        let v = sde_report::verdicts(&cmp);
        result.claims.extend(sde_claims(&sp.name, &v, seeds, quick));
    }
    crate::output::atomic_write(&dir.join("report.md"), result.markdown.as_bytes())?;
    Ok(result)
}

/// Adapter: the SDE report's typed verdicts → two Appendix C claims per model: the SDE
/// reproduces SGD's reduction (`C-sde-<model>`), gradient flow shows none (`C-gf-<model>`).
fn sde_claims(name: &str, v: &crate::sde::report::Verdicts, seeds: usize, quick: bool) -> Vec<Claim> {
    let scale = if quick { Scale::Reduced("the figures' quick length (`--quick`)".into()) } else { Scale::Paper };
    let claim = |id: &str, statement: String, verdict: &Verdict| Claim {
        id: format!("{id}-{name}"),
        group: Section::Paper(claims::Group::AppendixC),
        statement,
        reference: "Appendix C, Fig. 9".into(),
        verdict: verdict.clone(),
        numbers: format!("{seeds} seed(s). {} {}", v.lines.join(" "), v.overall()),
        backing: Backing { command: "cargo test --test claims sde_report::".into(), step: "sde".into() },
        role: Role::Paper,
        scale: scale.clone(),
        decided_by: "largestep::sde::report::verdicts".into(),
    };
    vec![
        claim(
            "C-sde",
            format!(
                "{name}: the SDE (Eq. 8, discretized as Eq. 58) shows SGD's rank/sparsity reduction at a similar level"
            ),
            &v.sde,
        ),
        claim("C-gf", format!("{name}: gradient flow (no noise) shows no such reduction"), &v.gf),
    ]
}

/// Finds every `deep.csv` under `dir` (up to three levels) and reads each run's last epoch.
pub fn deep_section(dir: &Path) -> DeepSection {
    let mut found = Vec::new();
    collect_csv(dir, 0, &mut found);
    found.sort();
    let files = found
        .iter()
        .map(|p| DeepFile { path: p.display().to_string(), runs: read_deep_csv(p).unwrap_or_default() })
        .collect();
    DeepSection { searched: dir.display().to_string(), files }
}

fn collect_csv(dir: &Path, depth: usize, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && depth < 3 {
            collect_csv(&p, depth + 1, out);
        } else if p.file_name().is_some_and(|n| n == "deep.csv") {
            out.push(p);
        }
    }
}

/// The last epoch of every run of a `deep.csv` (`src/deep/report.rs` layout).
pub fn read_deep_csv(path: &Path) -> Result<Vec<DeepRun>> {
    let mut rdr = csv::Reader::from_path(path)?;
    let header = rdr.headers()?.clone();
    let col =
        |n: &str| header.iter().position(|h| h == n).ok_or_else(|| anyhow!("{}: no column `{n}`", path.display()));
    let (run_c, epoch_c, step_c, err_c) = (col("run")?, col("epoch")?, col("step_size")?, col("test_error")?);
    let blocks: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix("sparsity_").map(|b| (i, b.to_string())))
        .collect();
    let mut runs: Vec<DeepRun> = Vec::new();
    for rec in rdr.records() {
        let rec = rec?;
        let num = |i: usize| rec.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(f64::NAN);
        let name = rec.get(run_c).unwrap_or_default().to_string();
        let pos = match runs.iter().position(|r| r.run == name) {
            Some(p) => p,
            None => {
                runs.push(DeepRun { run: name, peak_step: f64::NAN, epoch: 0, test_error: f64::NAN, sparsity: vec![] });
                runs.len() - 1
            }
        };
        let r = &mut runs[pos];
        r.peak_step = r.peak_step.max(num(step_c));
        r.epoch = num(epoch_c) as u64;
        r.test_error = num(err_c);
        for (i, b) in &blocks {
            let v = num(*i);
            if v.is_finite() {
                match r.sparsity.iter_mut().find(|(n, _)| n == b) {
                    Some(s) => s.1 = v,
                    None => r.sparsity.push((b.clone(), v)),
                }
            }
        }
    }
    Ok(runs)
}

/// The deep-net claims: per CSV (one seed of a setting), the run with the largest peak step ends
/// with lower test error (and, where measured, a lower sparsity coefficient in its last block) than
/// the run with the smallest. Without CSVs: undecided, never invented.
pub fn deep_claims(d: &DeepSection) -> Vec<Claim> {
    let statements = [
        (
            "D-error",
            "large step sizes (with decay) give lower test error than small ones (ResNet/DenseNet, CIFAR)",
            "Figs. 1, 6, 7, 15, 16",
        ),
        ("D-sparsity", "large step sizes give sparser features (lower sparsity coefficient)", "Figs. 1, 6, 7, 15, 16"),
    ];
    statements
        .iter()
        .enumerate()
        .map(|(which, (id, statement, reference))| {
            let mut k = 0;
            let mut n = 0;
            let mut lines = Vec::new();
            for f in &d.files {
                let large = f.runs.iter().max_by(|a, b| a.peak_step.total_cmp(&b.peak_step));
                let small = f.runs.iter().min_by(|a, b| a.peak_step.total_cmp(&b.peak_step));
                let (Some(l), Some(s)) = (large, small) else { continue };
                if l.run == s.run {
                    continue;
                }
                let (lv, sv) = if which == 0 {
                    (l.test_error, s.test_error)
                } else {
                    (l.sparsity.last().map_or(f64::NAN, |x| x.1), s.sparsity.last().map_or(f64::NAN, |x| x.1))
                };
                if lv.is_finite() && sv.is_finite() {
                    n += 1;
                    k += u64::from(lv < sv);
                    lines.push(format!("{}: {} {} vs {} {}", f.path, l.run, short(lv), s.run, short(sv)));
                }
            }
            let verdict = if n == 0 {
                Verdict::undecided(format!(
                    "no deep.csv with two runs under {} — the GPU runs have not been made; the report does not invent numbers",
                    d.searched
                ))
            } else {
                claims::CRITERION.decide(format!("P({id})"), k, n)
            };
            Claim {
                id: (*id).into(),
                group: Section::Paper(claims::Group::Deep),
                statement: (*statement).into(),
                reference: (*reference).into(),
                verdict,
                numbers: if lines.is_empty() { "none".into() } else { lines.join("; ") },
                backing: Backing { command: "largestep deep train … (experiments/gpu/run.sh)".into(), step: "deep".into() },
                role: Role::Paper,
                scale: Scale::Paper,
                decided_by: "largestep::report::sources::deep_claims".into(),
            }
        })
        .collect()
}
