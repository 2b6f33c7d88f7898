//! `proofs-check`: machine check of Appendix B. Prints the table and writes
//! `results/appendix-b/report.md` (or `--out DIR`).

use std::path::PathBuf;
use std::process::ExitCode;

use largestep_proofs::{check_all, Budget};

const USAGE: &str = "usage: proofs-check [--out DIR] [--max-boxes N] [--max-seconds S]";

fn main() -> ExitCode {
    let mut out = PathBuf::from("results/appendix-b");
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
                .map(|s| budget.max_time = std::time::Duration::from_secs_f64(s))
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
    match report.write(&out) {
        Ok(p) => {
            println!("report written to {}", p.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("proofs-check: cannot write report to {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
