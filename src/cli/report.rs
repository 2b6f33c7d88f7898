//! `largestep report`: every claim, its verdict, its evidence and its figure, as a static site.

use anyhow::{Context, Result};
use clap::Args;
use largestep::output::OutputDir;
use largestep::report::{self, Options};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `largestep report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output folder: index.html, report.md, report.json, figures/, sde/, appendix-b/, data/.
    #[arg(long, default_value = "results/report")]
    out: PathBuf,
    /// Reduced lengths and seeds (under a minute on 2 cores).
    #[arg(long)]
    quick: bool,
    /// Seed offset of every random draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Folder where the GPU runs wrote their deep.csv files (searched three levels deep).
    #[arg(long, default_value = "results/deep")]
    deep_results: PathBuf,
    /// Folder where `reproduce deep-…` wrote the reduced-scale deep protocols
    /// (`<dir>/deep-cifar10-small/claims.json`).
    #[arg(long, default_value = "results")]
    deep_small_results: PathBuf,
    /// Folder where `largestep sweep` wrote its outputs (each sweep folder holds
    /// observations.csv; searched two levels deep).
    #[arg(long, default_value = "results")]
    sweep_results: PathBuf,
    /// Recompute every step even when a stored result has the same inputs and code version.
    #[arg(long)]
    fresh: bool,
}

/// Builds the report; exit status 1 when one of our own checks failed.
///
/// The site is written as one set ([`OutputDir`]): the previous site (if this tool wrote it) is
/// copied into the staging folder, so its stored step results can be reused, the report is built
/// there and swapped in whole.
pub fn report(a: &ReportArgs) -> Result<ExitCode> {
    let set = OutputDir::begin(&a.out)?;
    set.copy_previous()?;
    let opts = Options {
        out: set.staging().to_path_buf(),
        quick: a.quick,
        seed: a.seed,
        deep_results: a.deep_results.clone(),
        deep_small_results: a.deep_small_results.clone(),
        sweep_results: a.sweep_results.clone(),
        fresh: a.fresh,
        verbose: true,
    };
    // Errors of the steps' own writes name the folder they write into.
    let r = report::build(&opts).with_context(|| format!("report into {}", a.out.display()))?;
    set.commit()?;
    let tally = r.tally();
    println!("{tally}");
    println!(
        "report → {} ({:.1} s; {} of {} steps reused)",
        a.out.join("index.html").display(),
        r.provenance.seconds,
        r.steps.iter().filter(|s| s.reused).count(),
        r.steps.len()
    );
    Ok(if tally.any_failure() {
        super::exit::Status::CheckFailed("a claim row reads FAILED (see the report)".into()).exit()
    } else {
        ExitCode::SUCCESS
    })
}
