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
    /// A smaller case budget (seconds instead of tens of seconds).
    #[arg(long)]
    quick: bool,
    /// Also run the interval proofs of Appendix B (crate largestep-proofs).
    #[arg(long)]
    appendix_b: bool,
    /// Results folder: `--appendix-b` writes `<out>/appendix-b/report.md`.
    #[arg(long, default_value = "results")]
    out: std::path::PathBuf,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

/// Runs the checks; exit status 1 when a claim the toolkit asserts fails.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let mut budget = if args.quick { Budget::quick(args.seed) } else { Budget::standard(args.seed) };
    budget.appendix_b = args.appendix_b;
    budget.appendix_b_report = args.appendix_b.then(|| args.out.join("appendix-b"));
    let rows = verify::run(&budget);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", verify::to_table(&rows));
        if let Some(dir) = &budget.appendix_b_report {
            println!("Appendix B report: {}", dir.join("report.md").display());
        }
    }
    Ok(if rows.iter().any(|r| r.failed()) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
