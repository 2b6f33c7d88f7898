//! The claims registry behind `largestep verify`: every claim of the paper the toolkit checks,
//! with its reference, method, case count, verdict and time.
//!
//! A claim source is a function returning [`Row`]s; [`sources`] lists them. Adding a claim (or a
//! whole source, such as the O1–O3 observations on fast configurations) is one more entry there —
//! the runner, the table, the JSON and the exit status need no change.

pub mod appendix_b;
pub mod observations;
pub mod prop21;
pub mod prop22;

use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// The case budget and seed of one verification run.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Seed of every random draw.
    pub seed: u64,
    /// Random cases per model and batch size for Prop. 2.1.
    pub prop21_cases: usize,
    /// Trajectories per (law, η) for Prop. 2.2.
    pub prop22_runs: usize,
    /// Steps per trajectory for Prop. 2.2.
    pub prop22_steps: usize,
    /// Also run the interval proofs of Appendix B (`largestep-proofs`).
    pub appendix_b: bool,
    /// Run the O1–O3 observations on the reduced Fig. 2 (about 10 s on 2 cores).
    pub observations: bool,
    /// Where the Appendix B check writes its `report.md` (when it runs).
    pub appendix_b_report: Option<std::path::PathBuf>,
}

impl Budget {
    /// The default budget of `largestep verify` (a few seconds).
    pub fn standard(seed: u64) -> Self {
        Self {
            seed,
            prop21_cases: 50,
            prop22_runs: 40,
            prop22_steps: 100_000,
            appendix_b: false,
            observations: true,
            appendix_b_report: None,
        }
    }
    /// A smaller budget for tests and `--quick` (without the O1–O3 simulations, which
    /// `tests/observations.rs` runs on their own).
    pub fn quick(seed: u64) -> Self {
        Self {
            seed,
            prop21_cases: 5,
            prop22_runs: 4,
            prop22_steps: 100_000,
            appendix_b: false,
            observations: false,
            appendix_b_report: None,
        }
    }
}

/// The verdict on one claim.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// The statement holds on every case.
    Holds,
    /// The statement as the paper writes it fails; `holds` is what the checks find instead.
    FailsAsWritten {
        /// What does hold (checked).
        holds: String,
        /// A concrete counterexample to the printed statement.
        counterexample: String,
    },
    /// Not decided within the budget.
    Undecided(String),
    /// A check the toolkit asserts failed: a bug in the toolkit or in its reading of the paper.
    Failed(String),
}

impl Verdict {
    /// The label printed in the table.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Holds => "HOLDS",
            Verdict::FailsAsWritten { .. } => "FAILS AS WRITTEN",
            Verdict::Undecided(_) => "UNDECIDED",
            Verdict::Failed(_) => "FAILED",
        }
    }
}

/// One row of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Stable id, e.g. `P2.1-step`.
    pub id: String,
    /// The claim, as the paper states it.
    pub claim: String,
    /// Where in the paper.
    pub reference: String,
    /// proptest / enumeration / simulation / interval proof / exact arithmetic.
    pub method: String,
    /// Cases examined.
    pub cases: u64,
    /// The verdict.
    pub verdict: Verdict,
    /// Measured numbers.
    pub detail: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Row {
    /// True when the toolkit's own assertion about this claim failed.
    pub fn failed(&self) -> bool {
        matches!(self.verdict, Verdict::Failed(_))
    }
}

/// A source of claims: runs its checks under the budget.
pub type Source = fn(&Budget) -> Vec<Row>;

/// Every claim source, in the paper's order.
pub fn sources(budget: &Budget) -> Vec<(&'static str, Source)> {
    let mut s: Vec<(&'static str, Source)> = vec![("Proposition 2.1", prop21::rows), ("Proposition 2.2", prop22::rows)];
    if budget.observations {
        s.push(("Observations O1–O3", observations::rows));
    }
    if budget.appendix_b {
        s.push(("Appendix B (interval proofs)", appendix_b::rows));
    }
    s
}

/// Runs every source.
pub fn run(budget: &Budget) -> Vec<Row> {
    sources(budget).into_iter().flat_map(|(_, f)| f(budget)).collect()
}

/// Seconds as printed.
fn fmt_secs(s: f64) -> String {
    let d = Duration::from_secs_f64(s);
    if d.as_secs_f64() < 1.0 {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// The report as a terminal table followed by the details of every row that is not HOLDS.
pub fn to_table(rows: &[Row]) -> String {
    let mut out = String::new();
    let w = |f: fn(&Row) -> String| rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0);
    let (wi, wr, wm, wc, wv) = (
        w(|r| r.id.clone()).max(5),
        w(|r| r.reference.clone()).max(9),
        w(|r| r.method.clone()).max(6),
        w(|r| r.cases.to_string()).max(5),
        w(|r| r.verdict.label().to_string()).max(7),
    );
    let _ = writeln!(
        out,
        "{:wi$}  {:wr$}  {:wm$}  {:>wc$}  {:wv$}  {:>8}  claim",
        "id", "reference", "method", "cases", "verdict", "time"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:wi$}  {:wr$}  {:wm$}  {:>wc$}  {:wv$}  {:>8}  {}",
            r.id,
            r.reference,
            r.method,
            r.cases,
            r.verdict.label(),
            fmt_secs(r.seconds),
            r.claim
        );
    }
    out.push('\n');
    for r in rows {
        let _ = writeln!(out, "[{}] {} — {}", r.id, r.verdict.label(), r.detail);
        match &r.verdict {
            Verdict::FailsAsWritten { holds, counterexample } => {
                let _ = writeln!(out, "    paper:          {}", r.claim);
                let _ = writeln!(out, "    what holds:     {holds}");
                let _ = writeln!(out, "    counterexample: {counterexample}");
            }
            Verdict::Undecided(why) | Verdict::Failed(why) => {
                let _ = writeln!(out, "    {why}");
            }
            Verdict::Holds => {}
        }
    }
    let failed = rows.iter().filter(|r| r.failed()).count();
    let count = |l: &str| rows.iter().filter(|r| r.verdict.label() == l).count();
    let _ = writeln!(
        out,
        "\n{} claims: {} HOLDS, {} FAILS AS WRITTEN, {} UNDECIDED, {failed} FAILED",
        rows.len(),
        count("HOLDS"),
        count("FAILS AS WRITTEN"),
        count("UNDECIDED")
    );
    out
}
