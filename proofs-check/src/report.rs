//! Running every claim and reporting: verdicts, counterexamples, corrections, self-tests.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::claims::{appendix_b, selftest::self_tests, Check, Claim};
use crate::identity::check_identity;
use crate::prover::{prove, Budget, Counterexample, Outcome, Stats};

/// The verdict on one claim.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// Proven on the whole domain (interval proof, exact identity, or derivation from verified
    /// claims).
    Verified,
    /// False: a confirmed counterexample.
    Refuted(Box<Counterexample>),
    /// Neither, within the budget.
    Undecided(String),
    /// A simulation cross-check passed (not a proof).
    SimulationPassed(String),
    /// A simulation cross-check failed.
    SimulationFailed(String),
}

impl Verdict {
    /// The verdict's label as printed in the report.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Verified => "VERIFIED",
            Verdict::Refuted(_) => "REFUTED",
            Verdict::Undecided(_) => "UNDECIDED",
            Verdict::SimulationPassed(_) => "PASSED (sim)",
            Verdict::SimulationFailed(_) => "FAILED (sim)",
        }
    }
}

/// The result for one claim.
#[derive(Clone, Debug)]
pub struct ClaimResult {
    /// Claim id.
    pub id: &'static str,
    /// Statement.
    pub statement: &'static str,
    /// Domain.
    pub domain: &'static str,
    /// How it was checked.
    pub method: &'static str,
    /// Verdict.
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
    /// One-line evidence: sub-boxes and time, the counterexample, or the reason.
    pub fn evidence(&self) -> String {
        let t = fmt_time(self.stats.time);
        match &self.verdict {
            Verdict::Verified => match self.method {
                "interval" => format!("{} sub-boxes ({} exact faces), {t}", self.stats.boxes, self.stats.exact_faces),
                "identity" => format!("exact rational-function identity, {t}"),
                _ => format!("from {}", self.premises.join(", ")),
            },
            Verdict::Refuted(ce) => format!("counterexample {ce} ({} sub-boxes, {t})", self.stats.boxes),
            Verdict::Undecided(why) if self.method == "derived" => why.clone(),
            Verdict::Undecided(why) => format!("{why} ({} sub-boxes, {t})", self.stats.boxes),
            Verdict::SimulationPassed(s) | Verdict::SimulationFailed(s) => s.clone(),
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

/// Checks one non-derived claim.
fn check_direct(c: &Claim, budget: &Budget) -> ClaimResult {
    let budget = &Budget { max_boxes: c.max_boxes.map_or(budget.max_boxes, |m| m.min(budget.max_boxes)), ..*budget };
    let (method, verdict, stats) = match &c.check {
        Check::Inequality(ps) => {
            let (o, s) = prove(ps, budget);
            ("interval", outcome_verdict(o), s)
        }
        Check::Identity(idn) => {
            let (o, s) = check_identity(idn);
            ("identity", outcome_verdict(o), s)
        }
        Check::Simulation(f) => {
            let start = Instant::now();
            let v = match f() {
                Ok(s) => Verdict::SimulationPassed(s),
                Err(s) => Verdict::SimulationFailed(s),
            };
            let stats = Stats { time: start.elapsed(), ..Stats::default() };
            ("simulation", v, stats)
        }
        Check::Derived(_) => ("derived", Verdict::Undecided("not resolved".into()), Stats::default()),
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

fn outcome_verdict(o: Outcome) -> Verdict {
    match o {
        Outcome::Verified => Verdict::Verified,
        Outcome::Refuted(ce) => Verdict::Refuted(ce),
        Outcome::Undecided(w) => Verdict::Undecided(w),
    }
}

/// Resolves derived claims: VERIFIED iff every premise (recursively) is VERIFIED.
fn resolve(results: &mut [ClaimResult]) {
    let index: HashMap<&'static str, usize> = results.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    fn ok(i: usize, results: &[ClaimResult], index: &HashMap<&'static str, usize>, depth: usize) -> Result<(), String> {
        let r = &results[i];
        if r.method != "derived" {
            return match r.verdict {
                Verdict::Verified => Ok(()),
                _ => Err(format!("premise {} is {}", r.id, r.verdict.label())),
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
            (results[i].method == "derived").then(|| match ok(i, results, &index, 0) {
                Ok(()) => Verdict::Verified,
                Err(e) => Verdict::Undecided(e),
            })
        })
        .collect();
    for (r, v) in results.iter_mut().zip(verdicts) {
        if let Some(v) = v {
            r.verdict = v;
        }
    }
}

/// Checks every claim of Appendix B and the prover's self-tests. This is the entry point of
/// `proofs-check` and of `largestep verify --appendix-b`.
pub fn check_all(budget: &Budget) -> Report {
    let start = Instant::now();
    let mut claims: Vec<ClaimResult> = appendix_b().iter().map(|c| check_direct(c, budget)).collect();
    resolve(&mut claims);
    let self_tests = self_tests().iter().map(|t| (check_direct(&t.claim, budget), t.truth)).collect();
    Report { claims, self_tests, total_time: start.elapsed(), budget: *budget }
}

/// Counts of verdicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// VERIFIED.
    pub verified: usize,
    /// REFUTED.
    pub refuted: usize,
    /// UNDECIDED.
    pub undecided: usize,
    /// Simulation cross-checks passed.
    pub simulations_passed: usize,
    /// Simulation cross-checks failed.
    pub simulations_failed: usize,
    /// Corrected statements (claims with `corrects`) that are VERIFIED.
    pub corrected_verified: usize,
}

impl Report {
    /// Verdict counts over the Appendix B claims.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.claims {
            match r.verdict {
                Verdict::Verified => c.verified += 1,
                Verdict::Refuted(_) => c.refuted += 1,
                Verdict::Undecided(_) => c.undecided += 1,
                Verdict::SimulationPassed(_) => c.simulations_passed += 1,
                Verdict::SimulationFailed(_) => c.simulations_failed += 1,
            }
            if r.corrects.is_some() && matches!(r.verdict, Verdict::Verified) {
                c.corrected_verified += 1;
            }
        }
        c
    }

    /// The result for a claim id.
    pub fn get(&self, id: &str) -> Option<&ClaimResult> {
        self.claims.iter().chain(self.self_tests.iter().map(|(r, _)| r)).find(|r| r.id == id)
    }

    /// Self-tests whose verdict contradicts the known truth (should be empty).
    pub fn self_test_failures(&self) -> Vec<&'static str> {
        self.self_tests
            .iter()
            .filter(|(r, truth)| {
                !matches!((&r.verdict, truth), (Verdict::Verified, true) | (Verdict::Refuted(_), false))
            })
            .map(|(r, _)| r.id)
            .collect()
    }

    /// A plain-text table for the terminal.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let w = self.claims.iter().map(|r| r.id.chars().count()).max().unwrap_or(10);
        for r in self.claims.iter().chain(self.self_tests.iter().map(|(r, _)| r)) {
            let _ = writeln!(s, "{:<w$}  {:<13} {}", r.id, r.verdict.label(), r.evidence());
        }
        let _ = writeln!(s, "\n{}; total {}", self.summary(), fmt_time(self.total_time));
        s
    }

    /// One line of counts: claims by verdict, corrected statements, self-tests as expected.
    pub fn summary(&self) -> String {
        let c = self.counts();
        format!(
            "{} claims — {} VERIFIED, {} REFUTED, {} UNDECIDED, {} simulation cross-checks passed ({} failed); {} corrected statements VERIFIED; self-tests {}/{} as expected",
            self.claims.len(),
            c.verified,
            c.refuted,
            c.undecided,
            c.simulations_passed,
            c.simulations_failed,
            c.corrected_verified,
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
            "Rigorous interval branch-and-bound (outward rounding) and exact rational identity checks of every numbered inequality and identity of Appendix B of *SGD with Large Step Sizes Learns Sparse Features*. Budget per claim: {} sub-boxes, {:?}. Total time {}.\n",
            self.budget.max_boxes,
            self.budget.max_time,
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
            .filter(|r| !matches!(r.verdict, Verdict::Verified | Verdict::SimulationPassed(_)))
            .filter(|r| !self.claims.iter().any(|x| x.corrects == Some(r.id)))
            .collect();
        if !others.is_empty() {
            let _ = writeln!(s, "\nOther claims not verified:\n");
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
