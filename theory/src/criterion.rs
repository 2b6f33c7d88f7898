//! One decision rule for every rate over runs: three-way on an interval, with a minimum number
//! of runs.
//!
//! A claim estimated by a rate p̂ = k/n over independent runs (seeds) is decided against a
//! threshold t on the rate's Wilson 95 % score interval [lo, hi]:
//!
//! * **supports** when lo > t: the data exclude rates at or below t;
//! * **contradicts** only when hi < t: the data exclude rates at or above t;
//! * otherwise **undecided**: the interval contains t, and the verdict says so with the rate.
//!
//! Fewer than [`Criterion::min_runs`] decided runs never decide: the verdict is undecided
//! ("too few runs", or "one run" when n = 1: one run of a chaotic process decides nothing). The
//! criterion's description is serialized with every verdict it makes and printed beside every
//! rate, so a reader sees the rule next to the number.

use crate::verdict::{Statistic, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The three-way decision rule on a rate (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// The rate the claim must exceed (½: "holds on most runs").
    pub threshold: f64,
    /// Decided runs below which the verdict is undecided (at least 2).
    pub min_runs: u64,
}

impl Criterion {
    /// "The observation holds on most runs": threshold ½, at least `min_runs` runs.
    pub const fn majority(min_runs: u64) -> Self {
        Self { threshold: 0.5, min_runs: if min_runs < 2 { 2 } else { min_runs } }
    }

    /// "The effect occurs at a non-negligible rate": the rate exceeds `threshold` (e.g. 0.05).
    pub const fn occurs(threshold: f64, min_runs: u64) -> Self {
        Self { threshold, min_runs: if min_runs < 2 { 2 } else { min_runs } }
    }

    /// The smallest n at which k = n runs can support the claim (the Wilson lower bound of n/n
    /// exceeds the threshold), at least [`min_runs`](Self::min_runs).
    pub fn runs_to_support(&self) -> u64 {
        (self.min_runs..10_000).find(|&n| lower(n, n) > self.threshold).unwrap_or(u64::MAX)
    }

    /// The rule in words, as printed beside every rate.
    pub fn describe(&self) -> String {
        format!(
            "supports if the Wilson 95 % lower bound > {t}, contradicts if the upper bound < {t}, \
             else undecided; at least {m} runs",
            t = self.threshold,
            m = self.min_runs
        )
    }

    /// The verdict on `k` of `n` runs: a [`Verdict::Simulated`] when the interval clears the
    /// threshold on either side, else [`Verdict::Undecided`] carrying the rate and this rule.
    pub fn decide(&self, name: impl Into<String>, k: u64, n: u64) -> Verdict {
        let statistic = Statistic::rate(name, k, n);
        let criterion = self.describe();
        let undecided = |reason: String| Verdict::Undecided {
            reason,
            statistic: Some(statistic.clone()),
            criterion: Some(criterion.clone()),
        };
        if n == 0 {
            return undecided("no run to judge on".into());
        }
        if n == 1 {
            return undecided("one run: a single run never decides this claim".into());
        }
        if n < self.min_runs {
            return undecided(format!("too few runs ({n} < {})", self.min_runs));
        }
        let [lo, hi] = statistic.interval.unwrap_or([0.0, 1.0]);
        if lo > self.threshold {
            Verdict::Simulated { statistic, criterion, supports: true }
        } else if hi < self.threshold {
            Verdict::Simulated { statistic, criterion, supports: false }
        } else {
            undecided(format!("the interval [{lo:.2}, {hi:.2}] contains {}", self.threshold))
        }
    }
}

fn lower(k: u64, n: u64) -> f64 {
    crate::verdict::wilson_interval(k, n, crate::verdict::Z95).0
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Kind;

    #[test]
    fn three_way_on_the_interval() {
        let c = Criterion::majority(8);
        // 0.58 [0.43, 0.72] and 0.63 [0.48, 0.76] (the O1 and O3): undecided, not contradicted.
        assert_eq!(c.decide("O1", 25, 43).kind(), Kind::Undecided);
        assert_eq!(c.decide("O3", 27, 43).kind(), Kind::Undecided);
        assert_eq!(c.decide("x", 16, 16).kind(), Kind::SimulatedSupports);
        assert_eq!(c.decide("x", 0, 16).kind(), Kind::SimulatedContradicts);
        assert_eq!(c.decide("x", 8, 16).kind(), Kind::Undecided);
    }

    #[test]
    fn too_few_runs_never_decide() {
        let c = Criterion::majority(8);
        for (k, n) in [(0, 0), (1, 1), (0, 1), (7, 7), (0, 7)] {
            let v = c.decide("x", k, n);
            assert_eq!(v.kind(), Kind::Undecided, "{k}/{n}");
            let Verdict::Undecided { reason, criterion, .. } = v else { unreachable!() };
            assert!(criterion.is_some_and(|t| t.contains("at least 8 runs")), "{reason}");
        }
        assert!(matches!(c.decide("x", 1, 1), Verdict::Undecided { reason, .. } if reason.starts_with("one run")));
    }

    #[test]
    fn supports_is_reachable_at_the_minimum() {
        let c = Criterion::majority(8);
        assert_eq!(c.runs_to_support(), 8);
        // With 3 runs no rate could ever support a majority claim (3/3 → lower bound 0.44).
        assert!(lower(3, 3) < 0.5);
        let occurs = Criterion::occurs(0.05, 8);
        // Fig. 12: 6 of 30 seeds fail to fit in the release's code: the effect occurs.
        assert_eq!(occurs.decide("underfit", 6, 30).kind(), Kind::SimulatedSupports);
        assert_eq!(occurs.decide("underfit", 0, 30).kind(), Kind::Undecided);
        assert_eq!(occurs.decide("underfit", 0, 80).kind(), Kind::SimulatedContradicts);
    }
}
