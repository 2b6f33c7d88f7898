//! `largestep verify`: runs every claim check of the registry and prints the verdicts.

use crate::verify::{self, Budget};
use anyhow::Result;
use clap::Args;
use std::process::ExitCode;

/// Arguments of `largestep verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Seed of every random draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A smaller case budget (seconds instead of tens of seconds); skips the O1–O3 simulations
    /// (listed under the table as skipped).
    #[arg(long)]
    quick: bool,
    /// Also run the interval proofs of Appendix B (crate largestep-proofs).
    #[arg(long)]
    appendix_b: bool,
    /// Results folder: `--appendix-b` writes `<out>/appendix-b/report.md` (as `proofs-check
    /// --out <out>` does).
    #[arg(long, default_value = "results")]
    out: std::path::PathBuf,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs the checks; exit status 1 when any verdict is FAILED (a check of ours broke).
pub fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let mut budget = if args.quick { Budget::quick(args.seed) } else { Budget::standard(args.seed) };
    budget.appendix_b = args.appendix_b;
    budget.appendix_b_report = args.appendix_b.then(|| args.out.join("appendix-b"));
    let rows = verify::run(&budget);
    let report = verify::Report::new(&rows, &budget);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", verify::to_table(&rows, &report.skipped));
        if let Some(dir) = &budget.appendix_b_report {
            println!("Appendix B report: {}", dir.join("report.md").display());
        }
    }
    Ok(if report.tally.any_failure() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
