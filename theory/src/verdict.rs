//! One typed verdict, with the evidence that backs it, shared by `largestep verify`,
//! `proofs-check` and the SDE-vs-SGD report (`largestep sde-vs-sgd`).
//!
//! A verdict never says more than its computation shows: each variant names the *kind* of
//! evidence (an interval proof, an exact identity, a derivation by hand, a simulation with `n`
//! runs, a counterexample…) and carries what a reader needs to check it. The kinds are:
//!
//! | [`Kind`] | meaning |
//! |---|---|
//! | `proved` | interval branch-and-bound over the whole domain (machine-checked) |
//! | `exact_identity` | an identity checked in exact (rational) arithmetic or by enumeration |
//! | `derived` | premises proved, the inference stated but **not** machine-checked |
//! | `simulated` | a statistic over `n` runs with its interval; supports the claim or not |
//! | `refuted` | a counterexample to the statement (exact or floating-point, said which) |
//! | `fails_as_written` | the printed statement is refuted; a corrected statement is given |
//! | `undecided` | not decided (budget, missing or diverged data), with the reason |
//! | `failed` | our own check broke (a bug in the toolkit or a self-test that failed) |
//!
//! Only `failed` makes a command exit with a non-zero status ([`Verdict::is_failure`]);
//! `refuted` and `fails_as_written` are findings about the paper, not errors of the toolkit. A
//! claim of *ours* (a corrected statement, a self-test) that is refuted must be reported as
//! [`Verdict::Failed`], never as a finding about the paper.
//!
//! The serde form is internally tagged (`{"kind": "proved", …}`) with struct variants only, so
//! every verdict serializes to JSON.

use serde::{Deserialize, Serialize};
use std::fmt;

/// In which arithmetic a counterexample was confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arithmetic {
    /// Exact rational arithmetic (or an exact enumeration): no rounding involved.
    Exact,
    /// IEEE floating point (a simulation, a float evaluation): rounding could matter.
    FloatingPoint,
}

impl fmt::Display for Arithmetic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arithmetic::Exact => "exact",
            Arithmetic::FloatingPoint => "floating-point",
        })
    }
}

/// A statistic estimated from `runs` simulations, with an interval when one is meaningful
/// (e.g. a Wilson 95 % interval for a rate, or quartiles for a median).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statistic {
    /// What is estimated, e.g. `"P(O2 ordering)"` or `"median final test loss"`.
    pub name: String,
    /// Number of independent runs (seeds) behind the estimate; runs that diverged or produced
    /// no data are **not** counted here (say so in `note`).
    pub runs: u64,
    /// The estimate.
    pub estimate: f64,
    /// A two-sided interval around the estimate, if any; `interval_kind` says which.
    pub interval: Option<[f64; 2]>,
    /// What the interval is, e.g. `"Wilson 95 %"`, `"interquartile"`, `"min–max"`.
    pub interval_kind: Option<String>,
}

impl Statistic {
    /// A rate `k / n` with its Wilson score 95 % interval.
    pub fn rate(name: impl Into<String>, k: u64, n: u64) -> Self {
        let (lo, hi) = wilson_interval(k, n, Z95);
        Self {
            name: name.into(),
            runs: n,
            estimate: if n == 0 { f64::NAN } else { k as f64 / n as f64 },
            interval: Some([lo, hi]),
            interval_kind: Some("Wilson 95 %".into()),
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:.4} over {} runs", self.name, self.estimate, self.runs)?;
        if let Some([lo, hi]) = self.interval {
            let kind = self.interval_kind.as_deref().unwrap_or("interval");
            write!(f, " ({kind} [{lo:.4}, {hi:.4}])")?;
        }
        Ok(())
    }
}

/// The standard normal's 97.5 % quantile (two-sided 95 % intervals).
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for a binomial proportion `k / n` at normal quantile `z`
/// (z = 1.96 for 95 %): `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`.
/// Returns `(0, 1)` for `n = 0` (no information).
pub fn wilson_interval(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    // At k = 0 (k = n) the bound is 0 (1) exactly; the formula leaves a rounding residue.
    let lo = if k == 0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if k >= n { 1.0 } else { (centre + half).min(1.0) };
    (lo, hi)
}

/// The verdict on one claim, with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Proved on the whole domain by interval branch-and-bound (outward rounding).
    Proved {
        /// Sub-boxes examined.
        boxes: u64,
        /// Faces checked in exact arithmetic (closed ends, touching points).
        exact_faces: u64,
    },
    /// An identity checked exactly: rational-function arithmetic, or exhaustive enumeration.
    ExactIdentity {
        /// How, e.g. `"rational-function identity"` or `"enumeration of all C(n,B) batches"`.
        method: String,
        /// Cases examined (0 for a symbolic identity).
        cases: u64,
    },
    /// Follows from the listed premises by the stated inference. The premises are checked;
    /// the inference is derived by hand, **not** machine-checked.
    Derived {
        /// Ids of the premises (each with its own verdict).
        premises: Vec<String>,
        /// The inference, in words.
        inference: String,
    },
    /// Estimated by simulation: `statistic` over its runs; `supports` says whether the
    /// estimate supports the claim by the stated `criterion`.
    Simulated {
        /// The estimate and its interval.
        statistic: Statistic,
        /// The decision rule, e.g. `"Wilson lower bound > 0.5"`.
        criterion: String,
        /// Whether the claim is supported by the criterion.
        supports: bool,
    },
    /// The statement is false: a counterexample.
    Refuted {
        /// The counterexample, printed.
        counterexample: String,
        /// Exact or floating-point.
        arithmetic: Arithmetic,
    },
    /// The statement as printed in the paper is false (counterexample); the corrected
    /// statement holds (with its own verdict under `corrected_by`).
    FailsAsWritten {
        /// The counterexample to the printed statement.
        counterexample: String,
        /// Exact or floating-point.
        arithmetic: Arithmetic,
        /// The corrected statement.
        corrected: String,
        /// How the corrected statement is backed, e.g. `"proved (B3-corrected)"`.
        corrected_by: String,
    },
    /// Not decided, with the reason (budget exhausted, missing data, a diverged run, an interval
    /// that contains the threshold…); a rate that did not decide keeps its statistic and rule.
    Undecided {
        /// Why.
        reason: String,
        /// The rate that did not decide, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        statistic: Option<Statistic>,
        /// The rule it was judged by (see [`crate::criterion::Criterion`]), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        criterion: Option<String>,
    },
    /// Our own check broke: a bug in the toolkit, a self-test that failed, or a claim of ours
    /// (a corrected statement) that was refuted.
    Failed {
        /// What broke.
        reason: String,
    },
}

/// The kind of a [`Verdict`], without its payload: for counting and for matching in tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// See [`Verdict::Proved`].
    Proved,
    /// See [`Verdict::ExactIdentity`].
    ExactIdentity,
    /// See [`Verdict::Derived`].
    Derived,
    /// See [`Verdict::Simulated`] (supporting the claim).
    SimulatedSupports,
    /// See [`Verdict::Simulated`] (not supporting the claim).
    SimulatedContradicts,
    /// See [`Verdict::Refuted`].
    Refuted,
    /// See [`Verdict::FailsAsWritten`].
    FailsAsWritten,
    /// See [`Verdict::Undecided`].
    Undecided,
    /// See [`Verdict::Failed`].
    Failed,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 9] = [
        Kind::Proved,
        Kind::ExactIdentity,
        Kind::Derived,
        Kind::SimulatedSupports,
        Kind::SimulatedContradicts,
        Kind::Refuted,
        Kind::FailsAsWritten,
        Kind::Undecided,
        Kind::Failed,
    ];

    /// The label printed in tables and reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Proved => "PROVED",
            Kind::ExactIdentity => "EXACT IDENTITY",
            Kind::Derived => "DERIVED",
            Kind::SimulatedSupports => "SIMULATED: SUPPORTS",
            Kind::SimulatedContradicts => "SIMULATED: CONTRADICTS",
            Kind::Refuted => "REFUTED",
            Kind::FailsAsWritten => "FAILS AS WRITTEN",
            Kind::Undecided => "UNDECIDED",
            Kind::Failed => "FAILED",
        }
    }

    /// What backs a verdict of this kind, in a few words (for legends).
    pub fn evidence(self) -> &'static str {
        match self {
            Kind::Proved => "interval branch-and-bound proof",
            Kind::ExactIdentity => "exact identity",
            Kind::Derived => "derived by hand from checked premises (not machine-checked)",
            Kind::SimulatedSupports | Kind::SimulatedContradicts => "simulation (n runs, interval)",
            Kind::Refuted => "counterexample",
            Kind::FailsAsWritten => "counterexample to the printed statement; corrected statement",
            Kind::Undecided => "none sufficient (reason given)",
            Kind::Failed => "our check broke",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Verdict {
    /// The kind of this verdict.
    pub fn kind(&self) -> Kind {
        match self {
            Verdict::Proved { .. } => Kind::Proved,
            Verdict::ExactIdentity { .. } => Kind::ExactIdentity,
            Verdict::Derived { .. } => Kind::Derived,
            Verdict::Simulated { supports: true, .. } => Kind::SimulatedSupports,
            Verdict::Simulated { supports: false, .. } => Kind::SimulatedContradicts,
            Verdict::Refuted { .. } => Kind::Refuted,
            Verdict::FailsAsWritten { .. } => Kind::FailsAsWritten,
            Verdict::Undecided { .. } => Kind::Undecided,
            Verdict::Failed { .. } => Kind::Failed,
        }
    }

    /// The label printed in tables.
    pub fn label(&self) -> &'static str {
        self.kind().label()
    }

    /// True when our own check broke: commands exit with a non-zero status.
    pub fn is_failure(&self) -> bool {
        matches!(self, Verdict::Failed { .. })
    }

    /// Shorthand for [`Verdict::Undecided`].
    pub fn undecided(reason: impl Into<String>) -> Self {
        Verdict::Undecided { reason: reason.into(), statistic: None, criterion: None }
    }

    /// Shorthand for [`Verdict::Failed`].
    pub fn failed(reason: impl Into<String>) -> Self {
        Verdict::Failed { reason: reason.into() }
    }

    /// The evidence in one line: what a reader needs to check the verdict.
    pub fn evidence(&self) -> String {
        match self {
            Verdict::Proved { boxes, exact_faces } => {
                format!("interval proof: {boxes} sub-boxes, {exact_faces} exact faces")
            }
            Verdict::ExactIdentity { method, cases } if *cases > 0 => {
                format!("exact identity ({method}), {cases} cases")
            }
            Verdict::ExactIdentity { method, .. } => format!("exact identity ({method})"),
            Verdict::Derived { premises, inference } => {
                format!("derived by hand from {} (not machine-checked): {inference}", premises.join(", "))
            }
            Verdict::Simulated { statistic, criterion, .. } => {
                format!("simulation: {statistic}; criterion: {criterion}")
            }
            Verdict::Refuted { counterexample, arithmetic } => {
                format!("counterexample ({arithmetic}): {counterexample}")
            }
            Verdict::FailsAsWritten { counterexample, arithmetic, corrected, corrected_by } => {
                format!(
                    "counterexample ({arithmetic}): {counterexample}; corrected: {corrected} \
                     [{corrected_by}]"
                )
            }
            Verdict::Undecided { reason, statistic: Some(s), criterion: Some(c) } => {
                format!("undecided: {reason}; simulation: {s}; criterion: {c}")
            }
            Verdict::Undecided { reason, .. } => format!("undecided: {reason}"),
            Verdict::Failed { reason } => format!("check failed: {reason}"),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} — {}", self.label(), self.evidence())
    }
}

/// Counts of verdicts by kind, for summary lines ("12 PROVED, 3 DERIVED, …").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    counts: std::collections::BTreeMap<Kind, u64>,
}

impl Tally {
    /// Count the verdicts.
    pub fn of<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> Self {
        let mut t = Tally::default();
        for v in verdicts {
            *t.counts.entry(v.kind()).or_default() += 1;
        }
        t
    }

    /// How many verdicts of this kind.
    pub fn count(&self, kind: Kind) -> u64 {
        self.counts.get(&kind).copied().unwrap_or(0)
    }

    /// Total number of verdicts.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// True when any verdict is [`Kind::Failed`].
    pub fn any_failure(&self) -> bool {
        self.count(Kind::Failed) > 0
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} claims:", self.total())?;
        let mut first = true;
        for kind in Kind::ALL {
            let n = self.count(kind);
            if n > 0 {
                write!(f, "{} {n} {kind}", if first { "" } else { "," })?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_textbook_values() {
        // 6 of 30: Wilson 95 % interval [0.0951, 0.3731] (Newcombe 1998, method 3).
        let (lo, hi) = wilson_interval(6, 30, 1.959_963_984_540_054);
        assert!((lo - 0.0951).abs() < 5e-4, "{lo}");
        assert!((hi - 0.3731).abs() < 5e-4, "{hi}");
        // Extremes stay inside [0, 1] and are not degenerate.
        let (lo, hi) = wilson_interval(0, 10, 1.96);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.25 && hi < 0.35, "{hi}");
        let (lo, hi) = wilson_interval(10, 10, 1.96);
        assert!(lo > 0.65 && lo < 0.75 && hi == 1.0, "{lo}");
    }

    #[test]
    fn every_verdict_serializes_to_json_and_back() {
        let all = vec![
            Verdict::Proved { boxes: 10, exact_faces: 2 },
            Verdict::ExactIdentity { method: "enumeration".into(), cases: 3 },
            Verdict::Derived { premises: vec!["B3".into()], inference: "monotone".into() },
            Verdict::Simulated {
                statistic: Statistic::rate("P(O2)", 6, 8),
                criterion: "Wilson lower bound > 0.5".into(),
                supports: false,
            },
            Verdict::Refuted { counterexample: "θ = 1".into(), arithmetic: Arithmetic::Exact },
            Verdict::FailsAsWritten {
                counterexample: "γ = 1.25".into(),
                arithmetic: Arithmetic::Exact,
                corrected: "≤".into(),
                corrected_by: "proved (B5-corrected)".into(),
            },
            Verdict::undecided("budget"),
            Verdict::failed("self-test"),
        ];
        for v in &all {
            let json = serde_json::to_string(v).expect("serializes");
            assert!(json.contains("\"kind\""), "{json}");
            let back: Verdict = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(back.kind(), v.kind());
        }
        let tally = Tally::of(&all);
        assert_eq!(tally.total(), 8);
        assert!(tally.any_failure());
        assert_eq!(tally.count(Kind::SimulatedContradicts), 1);
        assert!(tally.to_string().contains("1 FAILED"), "{tally}");
    }
}
