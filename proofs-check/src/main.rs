//! `proofs-check`: machine check of Appendix B. Prints the table (each verdict with its evidence
//! kind) and writes `<out>/appendix-b/report.md` (`--out` defaults to `results`, as for every
//! `largestep` subcommand). Exit status 1 when a check of ours broke (a refuted corrected
//! statement, a self-test with the wrong verdict) or the report cannot be written.

use std::path::PathBuf;
use std::process::ExitCode;

use largestep_proofs::{check_all, Budget};

const USAGE: &str = "usage: proofs-check [--out DIR] [--max-boxes N] [--max-seconds S]";

fn main() -> ExitCode {
    let mut out = PathBuf::from("results");
    let mut budget = Budget::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next();
        let ok = match (a.as_str(), value) {
            ("--out", Some(v)) => {
                out = PathBuf::from(v);
                true
            }
            ("--max-boxes", Some(v)) => v.parse().map(|n| budget.max_boxes = n).is_ok(),
            ("--max-seconds", Some(v)) => v
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(|s| budget.max_time = Some(std::time::Duration::from_secs_f64(s)))
                .is_some(),
            _ => false,
        };
        if !ok {
            eprintln!("proofs-check: bad argument '{a}'\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let report = check_all(&budget);
    print!("{}", report.to_table());
    let dir = out.join("appendix-b");
    match report.write(&dir) {
        Ok(p) => println!("report written to {}", p.display()),
        Err(e) => {
            eprintln!("proofs-check: cannot write report to {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    }
    if report.any_failure() {
        eprintln!("proofs-check: a check of ours failed (see the FAILED rows)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
