//! "The paper, checked": one report of every claim, its verdict, its evidence and its figure
//! (`largestep report`).
//!
//! The report is data first. [`build`] gathers a [`Report`] from the library's own results —
//! the claim rows of [`crate::verify`] (Props. 2.1, 2.2), the interval proofs of Appendix B
//! (`largestep-proofs`), every figure of the registry at its default seed, the rates over seeds of
//! the observations O1–O3 (reduced Fig. 2), the SGD ↔ SDE ↔ gradient-flow comparison of Fig. 9
//! (Appendix C) and the CSVs that GPU runs of the deep nets wrote — through the small adapters of
//! [`sources`]. Then [`markdown`] and [`html`] render the same data: `report.md` for terminals and
//! diffs, `index.html` as a self-contained static page (no script, no network; figures are
//! sibling SVG files).
//!
//! Results are inputs: each step's result is stored as JSON beside the report with the SHA-256
//! of its inputs (configuration text, budget, seeds, quick flag) and of the code version (crate
//! version, git commit, hash of uncommitted changes); a later `report` with the same key reuses it
//! ([`cache`]).
//!
//! Every claim carries one [`Verdict`] of `largestep_theory::verdict`, so its evidence kind
//! (proved, exact identity, derived, simulated, refuted, fails as written, undecided, failed) is
//! always shown; rates over seeds are [`Statistic::rate`]s with Wilson 95 % intervals.

pub mod cache;
pub mod deep_small;
pub mod html;
pub mod markdown;
mod section;
pub mod sources;
pub mod spec;
pub mod sweeps;

pub use section::Section;

use crate::claims::{Role, Scale};
use largestep_theory::verdict::{Statistic, Tally, Verdict};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What backs a claim: a test to run, or the command whose output the report shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Backing {
    /// The command line, e.g. `cargo test --test claims observations::`.
    pub command: String,
    /// The report step that produced the numbers (an anchor of the provenance table).
    pub step: String,
}

/// One row of the claims table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Stable id, e.g. `P2.1-step`, `B:B.3/eps0`, `O2-fig2`.
    pub id: String,
    /// Its section of the table.
    pub group: Section,
    /// The statement, as the paper writes it.
    pub statement: String,
    /// Where in the paper.
    pub reference: String,
    /// The verdict with its evidence.
    pub verdict: Verdict,
    /// The measured numbers behind the verdict.
    pub numbers: String,
    /// The test or command that backs it.
    pub backing: Backing,
    /// A claim of the paper, or a diagnostic of ours.
    #[serde(default = "paper_role")]
    pub role: Role,
    /// The settings its numbers were computed at.
    #[serde(default = "paper_scale")]
    pub scale: Scale,
    /// The one function that decides it.
    #[serde(default)]
    pub decided_by: String,
}

fn paper_role() -> Role {
    Role::Paper
}

fn paper_scale() -> Scale {
    Scale::Paper
}

impl Claim {
    /// Whether it counts in the paper's tally: a paper claim at the paper's settings.
    pub fn in_paper_tally(&self) -> bool {
        self.role == Role::Paper && self.scale == Scale::Paper
    }
    /// The verdict's label, with REDUCED when computed at reduced settings.
    pub fn label(&self) -> String {
        match &self.scale {
            Scale::Paper => self.verdict.label().to_string(),
            Scale::Reduced(_) => format!("{} (REDUCED)", self.verdict.label()),
        }
    }
}

/// One run's final values over seeds: median with min and max.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunValues {
    /// Run name.
    pub run: String,
    /// Legend label.
    pub label: String,
    /// (value name, median, min, max) over seeds.
    pub values: Vec<(String, f64, f64, f64)>,
}

/// One figure's section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FigureSection {
    /// Registry name (`fig2`).
    pub name: String,
    /// Title.
    pub title: String,
    /// The paper's claim for this figure.
    pub claim: String,
    /// Figure files relative to the report folder (SVG).
    pub images: Vec<String>,
    /// The release's printed numbers beside ours.
    pub release: Vec<ReleaseRow>,
    /// Final values per run.
    pub runs: Vec<RunValues>,
    /// The checks of this figure as rates over seeds.
    pub rates: Vec<Statistic>,
    /// Runs that diverged: (run, seed, iteration).
    pub diverged: Vec<(String, u64, usize)>,
    /// Seeds used.
    pub seeds: Vec<u64>,
    /// Run length N.
    pub iterations: usize,
}

/// One value of a figure: the release notebook's printed digits, the release's code rerun on
/// this machine (where made), and our median over seeds (labelled REDUCED with `--quick`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseRow {
    /// What the value is.
    pub what: String,
    /// As the notebook prints it (empty when it prints none), with its notebook and cell.
    pub notebook: String,
    /// The release's code run on this machine (empty when not run).
    pub rerun: String,
    /// Ours.
    pub ours: String,
}

/// One step of the report: what ran (or was reused), with its key and time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Step name (also the anchor `step-<name>`).
    pub name: String,
    /// The equivalent command line.
    pub command: String,
    /// SHA-256 of the step's inputs and the code version.
    pub key: String,
    /// Seeds used (empty for deterministic checks without seeds).
    pub seeds: Vec<u64>,
    /// Wall-clock seconds when it ran.
    pub seconds: f64,
    /// True when this invocation reused a stored result instead of running.
    pub reused: bool,
}

/// The deep-network section: what the GPU runs' CSVs show, or why there is nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeepSection {
    /// The folder searched.
    pub searched: String,
    /// One line per CSV found (file, runs, final test error and sparsity per run).
    pub files: Vec<DeepFile>,
}

/// What one `deep.csv` holds at its last epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeepFile {
    /// Path as found.
    pub path: String,
    /// Per run: (run, peak step size, last epoch, final test error, final sparsity per block).
    pub runs: Vec<DeepRun>,
}

/// One run of a deep CSV at its last epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeepRun {
    /// Run label.
    pub run: String,
    /// Largest step size of the run.
    pub peak_step: f64,
    /// Last epoch logged.
    pub epoch: u64,
    /// Test error at the last epoch.
    pub test_error: f64,
    /// (block, sparsity coefficient) at the last epoch where measured.
    pub sparsity: Vec<(String, f64)>,
}

/// Where the report was made and from what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Crate version.
    pub version: String,
    /// Git commit (with `-dirty` and the hash of the changes when the tree is modified), or
    /// `unknown` outside a git checkout.
    pub commit: String,
    /// CPU model, core count, OS.
    pub machine: String,
    /// UTC time the report was rendered (seconds since the epoch, formatted).
    pub generated: String,
    /// Total wall-clock seconds of this invocation.
    pub seconds: f64,
    /// `--quick`.
    pub quick: bool,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Claims in paper order.
    pub claims: Vec<Claim>,
    /// Figure sections in paper order.
    pub figures: Vec<FigureSection>,
    /// The Fig. 9 comparison as Markdown (the SDE report), with its figure files.
    pub sde: sources::SdeResult,
    /// Deep networks.
    pub deep: DeepSection,
    /// The robustness sweeps found on disk (`largestep sweep` outputs).
    #[serde(default)]
    pub sweeps: sweeps::SweepSection,
    /// The steps that produced the data.
    pub steps: Vec<Step>,
    /// Provenance.
    pub provenance: Provenance,
}

impl Report {
    /// Counts of verdicts by kind: the paper's claims at the paper's settings only.
    pub fn tally(&self) -> Tally {
        Tally::of(self.claims.iter().filter(|c| c.in_paper_tally()).map(|c| &c.verdict))
    }
    /// Counts of the rows kept out of the paper's tally (reduced settings, diagnostics).
    pub fn other_tally(&self) -> Tally {
        Tally::of(self.claims.iter().filter(|c| !c.in_paper_tally()).map(|c| &c.verdict))
    }
}

/// Options of one `largestep report`.
#[derive(Clone, Debug)]
pub struct Options {
    /// Output folder of the site.
    pub out: PathBuf,
    /// Reduced lengths and seeds (under a minute on 2 cores).
    pub quick: bool,
    /// Seed offset of every random draw.
    pub seed: u64,
    /// Where GPU runs wrote their `deep.csv` files.
    pub deep_results: PathBuf,
    /// Where `reproduce deep-…` wrote the reduced-scale protocols (`<dir>/<protocol>/claims.json`).
    pub deep_small_results: PathBuf,
    /// Where `largestep sweep` wrote its folders (each with `observations.csv`).
    pub sweep_results: PathBuf,
    /// Recompute every step even when a stored result matches.
    pub fresh: bool,
    /// Print one line per step.
    pub verbose: bool,
}

/// Runs (or reuses) every step and writes `report.md`, `index.html` and `report.json` into
/// `opts.out`.
pub fn build(opts: &Options) -> anyhow::Result<Report> {
    let start = std::time::Instant::now();
    std::fs::create_dir_all(&opts.out)?;
    let report = sources::gather(opts, start)?;
    write(&report, &opts.out)?;
    Ok(report)
}

/// Writes the rendered report (`report.md`, `index.html`, `report.json`), each atomically.
pub fn write(report: &Report, out: &Path) -> anyhow::Result<()> {
    crate::output::atomic_write(&out.join("report.md"), markdown::render(report).as_bytes())?;
    crate::output::atomic_write(&out.join("index.html"), html::render(report).as_bytes())?;
    crate::output::atomic_write(&out.join("report.json"), serde_json::to_string_pretty(report)?.as_bytes())?;
    Ok(())
}
