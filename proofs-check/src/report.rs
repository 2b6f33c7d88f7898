//! Running every claim and reporting: verdicts (with their evidence kind), counterexamples,
//! corrections, self-tests.
//!
//! Verdicts are `largestep_theory::verdict::Verdict`, the one typed verdict shared with
//! `largestep verify` and the SDE report:
//! - an inequality proved by branch-and-bound → `Proved` (sub-boxes, exact faces);
//! - an identity → `ExactIdentity` (rational-function expansion);
//! - a quantified statement → `Derived` when every premise is proved, an identity or derived
//!   (the inference is stated, **not** machine-checked; never counted as proved), else
//!   `Undecided` naming the premise;
//! - a simulation cross-check → `Simulated` (runs, the rate of runs that follow the claim, its
//!   Wilson interval; supports the claim iff every run does);
//! - a printed claim refuted at a confirmed point → `Refuted`, or `FailsAsWritten` with the
//!   corrected statement when a claim corrects it; counterexamples are confirmed in exact
//!   rational arithmetic or by a rigorous (outward-rounded) enclosure at a rational point, so
//!   their arithmetic is `Exact`;
//! - a corrected statement of ours that is refuted, or a self-test whose verdict contradicts its
//!   known truth → `Failed` (the command exits with status 1).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use largestep_theory::verdict::{Arithmetic, Kind, Statistic, Tally, Verdict};

use crate::claims::selftest::{self_tests, SelfTest};
use crate::claims::{appendix_b, Check, Claim, SimOutcome};
use crate::identity::check_identity;
use crate::prover::{prove, Budget, Outcome, Stats};

/// The result for one claim.
#[derive(Clone, Debug)]
pub struct ClaimResult {
    /// Claim id.
    pub id: &'static str,
    /// Statement.
    pub statement: &'static str,
    /// Domain.
    pub domain: &'static str,
    /// How it was checked: `interval`, `identity`, `derived` or `simulation`.
    pub method: &'static str,
    /// Verdict, with its evidence kind.
    pub verdict: Verdict,
    /// Prover statistics (boxes, exact faces, time).
    pub stats: Stats,
    /// The printed claim this one corrects.
    pub corrects: Option<&'static str>,
    /// Premises of a derived claim.
    pub premises: Vec<&'static str>,
    /// Note.
    pub note: &'static str,
}

impl ClaimResult {
    /// One-line evidence: the verdict's evidence, with the prover's sub-boxes and time where
    /// the prover ran.
    pub fn evidence(&self) -> String {
        let t = fmt_time(self.stats.time);
        match (&self.verdict, self.method) {
            (_, "derived" | "simulation") => self.verdict.evidence(),
            (Verdict::Proved { .. }, _) => format!("{}, {t}", self.verdict.evidence()),
            _ => format!("{} ({} sub-boxes, {t})", self.verdict.evidence(), self.stats.boxes),
        }
    }
}

fn fmt_time(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// All results.
#[derive(Clone, Debug)]
pub struct Report {
    /// Appendix B claims, in the paper's order.
    pub claims: Vec<ClaimResult>,
    /// Self-tests with their known truth values.
    pub self_tests: Vec<(ClaimResult, bool)>,
    /// Wall-clock time of the whole check.
    pub total_time: Duration,
    /// The budget used.
    pub budget: Budget,
}

/// Checks one claim on its own (derived claims get a placeholder, resolved by [`resolve`]).
fn check_direct(c: &Claim, budget: &Budget) -> ClaimResult {
    let budget = &Budget { max_boxes: c.max_boxes.map_or(budget.max_boxes, |m| m.min(budget.max_boxes)), ..*budget };
    let (method, verdict, stats) = match &c.check {
        Check::Inequality(ps) => {
            let (o, s) = prove(ps, budget);
            let proved = Verdict::Proved { boxes: s.boxes, exact_faces: s.exact_faces };
            ("interval", outcome_verdict(o, proved), s)
        }
        Check::Identity(idn) => {
            let (o, s) = check_identity(idn);
            let identity =
                Verdict::ExactIdentity { method: "rational-function expansion of lhs − rhs".into(), cases: 0 };
            ("identity", outcome_verdict(o, identity), s)
        }
        Check::Simulation(f) => {
            let start = Instant::now();
            let SimOutcome { runs, passed, detail } = f();
            let v = Verdict::Simulated {
                statistic: Statistic::rate(format!("share of runs that follow the claim ({detail})"), passed, runs),
                criterion: "every run follows the claim (f64, not a proof)".into(),
                supports: runs > 0 && passed == runs,
            };
            ("simulation", v, Stats { time: start.elapsed(), ..Stats::default() })
        }
        Check::Derived(_) => ("derived", Verdict::undecided("not resolved"), Stats::default()),
    };
    ClaimResult {
        id: c.id,
        statement: c.statement,
        domain: c.domain,
        method,
        verdict,
        stats,
        corrects: c.corrects,
        premises: match &c.check {
            Check::Derived(p) => p.clone(),
            _ => Vec::new(),
        },
        note: c.note,
    }
}

fn outcome_verdict(o: Outcome, holds: Verdict) -> Verdict {
    match o {
        Outcome::Verified => holds,
        Outcome::Refuted(ce) => Verdict::Refuted { counterexample: ce.to_string(), arithmetic: Arithmetic::Exact },
        Outcome::Undecided(w) => Verdict::undecided(w),
    }
}

/// Resolves derived claims: `Derived` iff every premise (recursively) is proved, an exact
/// identity or itself derived; otherwise `Undecided` naming the premise that is not.
fn resolve(results: &mut [ClaimResult]) {
    let index: HashMap<&'static str, usize> = results.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    fn ok(i: usize, results: &[ClaimResult], index: &HashMap<&'static str, usize>, depth: usize) -> Result<(), String> {
        let r = &results[i];
        if r.method != "derived" {
            return match r.verdict.kind() {
                Kind::Proved | Kind::ExactIdentity => Ok(()),
                k => Err(format!("premise {} is {k}", r.id)),
            };
        }
        if depth > 32 {
            return Err("circular derivation".into());
        }
        for p in &r.premises {
            let j = *index.get(p).ok_or(format!("unknown premise {p}"))?;
            ok(j, results, index, depth + 1)?;
        }
        Ok(())
    }
    let verdicts: Vec<Option<Verdict>> = (0..results.len())
        .map(|i| {
            let r = &results[i];
            (r.method == "derived").then(|| match ok(i, results, &index, 0) {
                Ok(()) => Verdict::Derived {
                    premises: r.premises.iter().map(|p| p.to_string()).collect(),
                    inference: if r.note.is_empty() { "as in the paper".into() } else { r.note.into() },
                },
                Err(e) => Verdict::undecided(e),
            })
        })
        .collect();
    for (r, v) in results.iter_mut().zip(verdicts) {
        if let Some(v) = v {
            r.verdict = v;
        }
    }
}

/// Links printed claims and their corrections: a refuted printed claim with a correction
/// becomes `FailsAsWritten` (naming the corrected statement and how it is backed); a refuted
/// correction — a claim of ours — becomes `Failed`.
fn link_corrections(results: &mut [ClaimResult]) {
    for r in results.iter_mut() {
        if let (Some(printed), Verdict::Refuted { counterexample, .. }) = (r.corrects, &r.verdict) {
            r.verdict = Verdict::failed(format!(
                "our corrected statement (of {printed}) is refuted: counterexample {counterexample}"
            ));
        }
    }
    let fixes: Vec<(usize, String, String)> = results
        .iter()
        .filter_map(|r| {
            let printed = results.iter().position(|p| Some(p.id) == r.corrects)?;
            Some((printed, r.statement.to_string(), format!("{} {}", r.id, r.verdict.label())))
        })
        .collect();
    for (i, corrected, corrected_by) in fixes {
        if let Verdict::Refuted { counterexample, arithmetic } = &results[i].verdict {
            results[i].verdict = Verdict::FailsAsWritten {
                counterexample: counterexample.clone(),
                arithmetic: *arithmetic,
                corrected,
                corrected_by,
            };
        }
    }
}

/// Checks a self-test; a verdict that contradicts its known truth becomes `Failed`.
fn check_self_test(t: &SelfTest, budget: &Budget) -> (ClaimResult, bool) {
    let mut r = check_direct(&t.claim, budget);
    let expected = if t.truth { Kind::Proved } else { Kind::Refuted };
    let got = r.verdict.kind();
    let identity_ok = t.truth && got == Kind::ExactIdentity;
    if got != expected && !identity_ok {
        r.verdict = Verdict::failed(format!("self-test expected {expected}, got {got}: {}", r.verdict.evidence()));
    }
    (r, t.truth)
}

/// Checks every claim of Appendix B and the prover's self-tests. This is the entry point of
/// `proofs-check` and of `largestep verify --appendix-b`.
pub fn check_all(budget: &Budget) -> Report {
    check(&appendix_b(), &self_tests(), budget)
}

/// True when `f64::mul_add` is a fused multiply-add (one rounding), which the outward rounding of
/// [`crate::interval`] relies on to recover exact products: with a = 1 + 2⁻³⁰, b = 1 − 2⁻³⁰,
/// ab = 1 − 2⁻⁶⁰ rounds to 1, and only a fused `a·b − 1` returns −2⁻⁶⁰ (an unfused one gives 0).
pub fn fma_is_fused() -> bool {
    let a = std::hint::black_box(1.0 + f64::powi(2.0, -30));
    let b = std::hint::black_box(1.0 - f64::powi(2.0, -30));
    a.mul_add(b, -(a * b)) == -f64::powi(2.0, -60)
}

/// Checks `claims` and `self_tests` (the mutation tests feed broken ones here). A start-up
/// canary checks that `f64::mul_add` is fused; if not, the interval arithmetic is unsound and
/// every claim and self-test is FAILED.
pub fn check(claims: &[Claim], self_tests: &[SelfTest], budget: &Budget) -> Report {
    let start = Instant::now();
    let mut results: Vec<ClaimResult> = claims.iter().map(|c| check_direct(c, budget)).collect();
    resolve(&mut results);
    link_corrections(&mut results);
    let mut self_tests: Vec<(ClaimResult, bool)> = self_tests.iter().map(|t| check_self_test(t, budget)).collect();
    if !fma_is_fused() {
        let why = "f64::mul_add is not fused on this target: outward rounding is unsound";
        for r in results.iter_mut().chain(self_tests.iter_mut().map(|(r, _)| r)) {
            r.verdict = Verdict::failed(why);
        }
    }
    Report { claims: results, self_tests, total_time: start.elapsed(), budget: *budget }
}

impl Report {
    /// Verdict counts by kind over the Appendix B claims.
    pub fn tally(&self) -> Tally {
        Tally::of(self.claims.iter().map(|r| &r.verdict))
    }

    /// True when a check of ours broke (a refuted correction, a failed self-test): the
    /// command exits with status 1.
    pub fn any_failure(&self) -> bool {
        self.tally().any_failure() || !self.self_test_failures().is_empty()
    }

    /// The result for a claim id.
    pub fn get(&self, id: &str) -> Option<&ClaimResult> {
        self.claims.iter().chain(self.self_tests.iter().map(|(r, _)| r)).find(|r| r.id == id)
    }

    /// Self-tests whose verdict contradicts the known truth (should be empty).
    pub fn self_test_failures(&self) -> Vec<&'static str> {
        self.self_tests.iter().filter(|(r, _)| r.verdict.is_failure()).map(|(r, _)| r.id).collect()
    }

    /// The verdict on the self-tests as a whole: an exact check over claims of known truth value,
    /// or FAILED naming the self-tests whose verdict contradicts their truth.
    pub fn self_test_verdict(&self) -> Verdict {
        let failures = self.self_test_failures();
        if failures.is_empty() {
            Verdict::ExactIdentity {
                method: "every self-test verdict equals its known truth value".into(),
                cases: self.self_tests.len() as u64,
            }
        } else {
            Verdict::failed(format!("wrong verdicts: {failures:?}"))
        }
    }

    /// A plain-text table for the terminal.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let w = self.claims.iter().map(|r| r.id.chars().count()).max().unwrap_or(10);
        for r in self.claims.iter().chain(self.self_tests.iter().map(|(r, _)| r)) {
            let _ = writeln!(s, "{:<w$}  {:<16} {}", r.id, r.verdict.label(), r.evidence());
        }
        let _ = writeln!(s, "\n{}; total {}", self.summary(), fmt_time(self.total_time));
        s
    }

    /// One line of counts: claims by evidence kind, self-tests as expected.
    pub fn summary(&self) -> String {
        format!(
            "{}; self-tests {}/{} as expected",
            self.tally(),
            self.self_tests.len() - self.self_test_failures().len(),
            self.self_tests.len()
        )
    }

    /// The Markdown report (`results/appendix-b/report.md`).
    pub fn to_markdown(&self) -> String {
        let esc = |x: &str| x.replace('|', "\\|");
        let mut s = String::new();
        let _ = writeln!(s, "# Appendix B — machine check (proofs-check)\n");
        let _ = writeln!(
            s,
            "Rigorous interval branch-and-bound (outward rounding) and exact rational identity checks of the numbered inequalities and identities of Appendix B of *SGD with Large Step Sizes Learns Sparse Features*. Each verdict names its evidence: PROVED (interval proof), EXACT IDENTITY, DERIVED (premises checked, inference by hand, not machine-checked), SIMULATED (f64 runs, not a proof), REFUTED / FAILS AS WRITTEN (confirmed counterexample), UNDECIDED, FAILED (our check broke). Budget per claim: {} sub-boxes{}. Total time {}.\n",
            self.budget.max_boxes,
            self.budget.max_time.map(|t| format!(", at most {t:?}")).unwrap_or_default(),
            fmt_time(self.total_time)
        );
        let _ = writeln!(s, "**Summary:** {}.\n", self.summary());
        let _ = writeln!(
            s,
            "## Claims\n\n| id | statement | domain | method | verdict | evidence |\n|---|---|---|---|---|---|"
        );
        for r in &self.claims {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | **{}** | {} |",
                r.id,
                esc(r.statement),
                esc(r.domain),
                r.method,
                r.verdict.label(),
                esc(&r.evidence())
            );
        }
        let _ = writeln!(s, "\n## What the paper gets wrong, and the nearest corrected statements\n");
        for r in self.claims.iter().filter(|r| r.corrects.is_some()) {
            let printed = r.corrects.and_then(|id| self.get(id));
            if let Some(p) = printed {
                let _ = writeln!(
                    s,
                    "- `{}` **{}** — {}\n  - printed: {} ({})\n  - corrected `{}` **{}**: {} ({})\n  - {}",
                    p.id,
                    p.verdict.label(),
                    esc(&p.evidence()),
                    p.statement,
                    p.domain,
                    r.id,
                    r.verdict.label(),
                    r.statement,
                    esc(&r.evidence()),
                    r.note
                );
            }
        }
        let others: Vec<&ClaimResult> = self
            .claims
            .iter()
            .filter(|r| !matches!(r.verdict.kind(), Kind::Proved | Kind::ExactIdentity | Kind::SimulatedSupports))
            .filter(|r| !self.claims.iter().any(|x| x.corrects == Some(r.id)))
            .collect();
        if !others.is_empty() {
            let _ = writeln!(s, "\nOther claims not proved, an identity or supported by simulation:\n");
            for r in others {
                let _ = writeln!(
                    s,
                    "- `{}` **{}**: {} — {}. {}",
                    r.id,
                    r.verdict.label(),
                    r.statement,
                    esc(&r.evidence()),
                    r.note
                );
            }
        }
        let _ = writeln!(s, "\n## Prover self-tests\n\n| id | statement | domain | truth | verdict | evidence |\n|---|---|---|---|---|---|");
        for (r, truth) in &self.self_tests {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | **{}** | {} |",
                r.id,
                esc(r.statement),
                esc(r.domain),
                if *truth { "true" } else { "false" },
                r.verdict.label(),
                esc(&r.evidence())
            );
        }
        s
    }

    /// Writes `report.md` into `dir` atomically (temporary file, then rename); returns its path.
    pub fn write(&self, dir: &Path) -> io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("report.md");
        let tmp = dir.join(".report.md.tmp");
        std::fs::write(&tmp, self.to_markdown())?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }
}
