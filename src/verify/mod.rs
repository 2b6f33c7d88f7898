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
    /// Decide the figure claims of the registry (O1–O3 per figure, the appendix figures'
    /// statements): `None` skips them.
    pub claims: Option<ClaimRuns>,
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
            claims: Some(ClaimRuns { seeds: crate::claims::SEEDS, quick: false }),
            appendix_b_report: None,
        }
    }
    /// A smaller budget for tests and `--quick`, without the figure claims (`--quick` adds them
    /// at the figures' quick lengths, labelled reduced).
    pub fn quick(seed: u64) -> Self {
        Self {
            seed,
            prop21_cases: 5,
            prop22_runs: 4,
            prop22_steps: 100_000,
            appendix_b: false,
            claims: None,
            appendix_b_report: None,
        }
    }
}

/// How the figure claims are simulated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimRuns {
    /// Seeds per figure.
    pub seeds: usize,
    /// At the figures' quick lengths (a reduced setting, labelled so in every row).
    pub quick: bool,
}

pub use crate::claims::{Role, Scale};
pub use largestep_theory::verdict::{Arithmetic, Kind, Statistic, Tally, Verdict};

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
    /// Cases examined (0 where none apply: a derived claim, a symbolic identity; printed "—").
    pub cases: u64,
    /// The verdict, with the kind of evidence behind it.
    pub verdict: Verdict,
    /// Measured numbers.
    pub detail: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// A claim of the paper, or a diagnostic of ours (kept out of the paper's tally).
    pub role: Role,
    /// The settings of a simulated verdict (reduced ones are kept out of the paper's tally).
    pub scale: Scale,
}

impl Row {
    /// True when the toolkit's own assertion about this claim failed.
    pub fn failed(&self) -> bool {
        self.verdict.is_failure()
    }
    /// Whether it counts in the paper's tally: a paper claim at the paper's settings.
    pub fn in_paper_tally(&self) -> bool {
        self.role == Role::Paper && self.scale == Scale::Paper
    }
}

/// A source of claims: runs its checks under the budget.
pub type Source = fn(&Budget) -> Vec<Row>;

/// Every claim source, in the paper's order, with whether the budget runs it.
pub fn sources(budget: &Budget) -> Vec<(&'static str, Source, bool)> {
    vec![
        ("Proposition 2.1", prop21::rows as Source, true),
        ("Proposition 2.2", prop22::rows, true),
        (
            "The figure claims: O1–O3 per figure and the appendix figures' statements (simulated; reduced with --quick)",
            observations::rows,
            budget.claims.is_some(),
        ),
        (
            "Appendix B (proofs-check: proved, identities, derived, simulated; on with --appendix-b)",
            appendix_b::rows,
            budget.appendix_b,
        ),
    ]
}

/// The sources the budget skips (listed under the table).
pub fn skipped(budget: &Budget) -> Vec<&'static str> {
    sources(budget).into_iter().filter(|(_, _, on)| !on).map(|(name, _, _)| name).collect()
}

/// Runs every source the budget includes.
pub fn run(budget: &Budget) -> Vec<Row> {
    sources(budget).into_iter().filter(|(_, _, on)| *on).flat_map(|(_, f, _)| f(budget)).collect()
}

/// The whole report as JSON: the rows, the counts by kind, the skipped sources.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    /// Every row.
    pub rows: &'a [Row],
    /// Counts of verdicts by kind: the paper's claims at the paper's settings.
    pub tally: Tally,
    /// Counts of the other rows (reduced settings, diagnostics): never the paper's tally.
    pub other: Tally,
    /// Sources not run under this budget.
    pub skipped: Vec<&'static str>,
}

impl<'a> Report<'a> {
    /// The report of `rows` run under `budget`.
    pub fn new(rows: &'a [Row], budget: &Budget) -> Self {
        let (paper, other): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.in_paper_tally());
        Self {
            rows,
            tally: Tally::of(paper.iter().map(|r| &r.verdict)),
            other: Tally::of(other.iter().map(|r| &r.verdict)),
            skipped: skipped(budget),
        }
    }
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

/// The report as a terminal table (the verdict column is the evidence kind), then the evidence
/// of every row, the counts by kind, and the sources the budget skipped.
pub fn to_table(rows: &[Row], skipped: &[&str]) -> String {
    let mut out = String::new();
    let cases = |r: &Row| if r.cases == 0 { "—".to_string() } else { r.cases.to_string() };
    let w = |f: &dyn Fn(&Row) -> String| rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0);
    let (wi, wr, wm, wc, wv) = (
        w(&|r| r.id.clone()).max(5),
        w(&|r| r.reference.clone()).max(9),
        w(&|r| r.method.clone()).max(6),
        w(&cases).max(5),
        w(&|r| r.verdict.label().to_string()).max(7),
    );
    let header = |out: &mut String| {
        let _ = writeln!(
            out,
            "{:wi$}  {:wr$}  {:wm$}  {:>wc$}  {:wv$}  {:>8}  claim",
            "id", "reference", "method", "cases", "verdict", "time"
        );
    };
    type Keep = Box<dyn Fn(&Row) -> bool>;
    let sections: [(&str, Keep); 3] = [
        ("The paper's claims, at the paper's settings", Box::new(|r: &Row| r.in_paper_tally())),
        (
            "The paper's claims at REDUCED settings (not in the paper's tally)",
            Box::new(|r: &Row| r.role == Role::Paper && r.scale != Scale::Paper),
        ),
        (
            "Diagnostics of ours (not claims of the paper; not in the tally)",
            Box::new(|r: &Row| r.role == Role::Diagnostic),
        ),
    ];
    for (title, keep) in &sections {
        if !rows.iter().any(keep) {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        header(&mut out);
        for r in rows.iter().filter(|r| keep(r)) {
            let _ = writeln!(
                out,
                "{:wi$}  {:wr$}  {:wm$}  {:>wc$}  {:wv$}  {:>8}  {}",
                r.id,
                r.reference,
                r.method,
                cases(r),
                r.verdict.label(),
                fmt_secs(r.seconds),
                r.claim
            );
        }
        out.push('\n');
    }
    out.push('\n');
    for r in rows {
        let _ = writeln!(out, "[{}] {} — {}", r.id, r.verdict.label(), r.verdict.evidence());
        if !r.detail.is_empty() {
            let _ = writeln!(out, "    measured: {}", r.detail);
        }
        if let Verdict::FailsAsWritten { .. } = r.verdict {
            let _ = writeln!(out, "    paper:    {}", r.claim);
        }
    }
    let (paper, other): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.in_paper_tally());
    let _ = writeln!(out, "\nthe paper's tally: {}", Tally::of(paper.iter().map(|r| &r.verdict)));
    if !other.is_empty() {
        let _ =
            writeln!(out, "reduced settings and diagnostics (apart): {}", Tally::of(other.iter().map(|r| &r.verdict)));
    }
    for s in skipped {
        let _ = writeln!(out, "skipped: {s}");
    }
    out
}

/// The claims table in Markdown (for README.md): each claim → the paper's sentence → the one
/// function that decides it → its verdict with n, rate and interval, and the settings.
pub fn to_markdown(rows: &[Row]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "| claim | where | the paper's sentence | decided by | verdict | n | rate [95 % interval] | settings |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows.iter().filter(|r| r.role == Role::Paper) {
        let (n, rate) = match &r.verdict {
            Verdict::Simulated { statistic, .. } | Verdict::Undecided { statistic: Some(statistic), .. } => {
                let [lo, hi] = statistic.interval.unwrap_or([f64::NAN, f64::NAN]);
                (statistic.runs.to_string(), format!("{:.2} [{lo:.2}, {hi:.2}]", statistic.estimate))
            }
            Verdict::Undecided { .. } => ("—".into(), "—".into()),
            _ => (if r.cases == 0 { "—".into() } else { r.cases.to_string() }, "—".into()),
        };
        let why = match &r.verdict {
            Verdict::Undecided { reason, .. } => format!(" ({reason})"),
            _ => String::new(),
        };
        let by = crate::claims::registry::get(&r.id)
            .map(|c| match c.check {
                crate::claims::Check::Observation(..) => "`claims::observations::Observation::on_seed`".to_string(),
                crate::claims::Check::Compare(_) | crate::claims::Check::Occurs(..) => {
                    "`claims::compare::Comparison::on_seed`".to_string()
                }
                crate::claims::Check::Source(f) => format!("`{f}`"),
                crate::claims::Check::NotChecked(_) => "—".to_string(),
            })
            .unwrap_or_else(|| match r.id.as_str() {
                id if id.starts_with("P2.1") => "`verify::prop21::rows`".into(),
                id if id.starts_with("P2.2") => "`verify::prop22::rows`".into(),
                _ => "`largestep_proofs::check_all`".into(),
            });
        let settings = match &r.scale {
            Scale::Paper => "paper".to_string(),
            Scale::Reduced(why) => format!("REDUCED: {why}"),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {}{} | {} | {} | {} |\n",
            cell(&r.id),
            cell(&r.reference),
            cell(&r.claim),
            by,
            r.verdict.label(),
            cell(&why),
            n,
            rate,
            cell(&settings)
        ));
    }
    out
}
