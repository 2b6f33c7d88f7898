//! `largestep verify`: runs every claim check of the registry and prints the verdicts.

use anyhow::Result;
use clap::Args;
use largestep::verify::{self, Budget};
use std::process::ExitCode;

/// Arguments of `largestep verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Seed of every random draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A smaller case budget; the figure claims run at the figures' quick lengths with fewer
    /// seeds, every such row labelled REDUCED and kept out of the paper's tally.
    #[arg(long)]
    quick: bool,
    /// Seeds per figure for the figure claims (default 16; 6 with --quick).
    #[arg(long)]
    seeds: Option<usize>,
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
    /// Print the paper's claims as one Markdown table (the README's claims table).
    #[arg(long, conflicts_with = "json")]
    markdown: bool,
}

/// Runs the checks; exit status 1 when any verdict is FAILED (a check of ours broke).
pub fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let mut budget = if args.quick { Budget::quick(args.seed) } else { Budget::standard(args.seed) };
    budget.appendix_b = args.appendix_b;
    let default_seeds = if args.quick { largestep::claims::QUICK_SEEDS } else { largestep::claims::SEEDS };
    budget.claims = Some(verify::ClaimRuns { seeds: args.seeds.unwrap_or(default_seeds).max(1), quick: args.quick });
    budget.appendix_b_report = args.appendix_b.then(|| args.out.join("appendix-b"));
    let rows = verify::run(&budget);
    let report = verify::Report::new(&rows, &budget);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if args.markdown {
        print!("{}", verify::to_markdown(&rows));
    } else {
        print!("{}", verify::to_table(&rows, &report.skipped));
        if let Some(dir) = &budget.appendix_b_report {
            println!("Appendix B report: {}", dir.join("report.md").display());
        }
    }
    let failed: Vec<&str> = rows.iter().filter(|r| r.failed()).map(|r| r.id.as_str()).collect();
    Ok(if failed.is_empty() { super::exit::Status::Ok } else { super::exit::Status::CheckFailed(failed.join(", ")) }
        .exit())
}
