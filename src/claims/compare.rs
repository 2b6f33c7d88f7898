//! Per-seed comparisons of final values between runs of one figure: the claims of the paper that
//! are not O1–O3 orderings (Fig. 11's "GD does not improve the test loss", Fig. 12's failure to
//! fit, Fig. 10's sparser features).
//!
//! On seed k, a [`Comparison`] takes one final value (the last grid row, as the release reports
//! it) of each of its runs and holds when every run is on the required side of the reference (a
//! run of the same seed, or a fixed level). A seed on which a compared run diverged is undecided.

use crate::experiment::{diverged, Outcome};
use crate::metrics::Column;
use crate::record::RunLog;

/// Which final value a comparison reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// The final train loss.
    TrainLoss,
    /// The final test loss.
    TestLoss,
    /// The final value of a metric column (`support_size`, `jacobian_rank`, …).
    Metric(Column),
}

impl Value {
    fn name(self) -> String {
        match self {
            Value::TrainLoss => "final train loss".into(),
            Value::TestLoss => "final test loss".into(),
            Value::Metric(m) => format!("final {m}"),
        }
    }

    /// This value on one run; `Err` when the figure does not record it.
    pub fn of(self, o: &Outcome, log: &RunLog) -> Result<f64, String> {
        let Some(last) = log.last() else { return Ok(f64::NAN) };
        match self {
            Value::TrainLoss => Ok(last.train_loss),
            Value::TestLoss => Ok(last.test_loss),
            Value::Metric(m) => o
                .column(m)
                .map(|c| last.metrics[c])
                .ok_or_else(|| format!("`{m}` is not recorded by {}", o.config.name)),
        }
    }
}

/// What the runs are compared with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Against {
    /// Another run of the same seed.
    Run(&'static str),
    /// A fixed level (e.g. the train loss below which a run fits).
    Level(f64),
}

/// The required side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Strictly below the reference.
    Below,
    /// Not below the reference (equal or above: "does not improve").
    NotBelow,
    /// Strictly above the reference.
    Above,
}

impl Relation {
    /// Whether `value` is on the required side of `reference` (false when either is NaN).
    pub fn holds(self, value: f64, reference: f64) -> bool {
        match self {
            Relation::Below => value < reference,
            Relation::NotBelow => value >= reference,
            Relation::Above => value > reference,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Relation::Below => "<",
            Relation::NotBelow => "≥",
            Relation::Above => ">",
        }
    }
}

/// Every run of `runs` has `value` on the `relation` side of `against`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// The value compared.
    pub value: Value,
    /// The runs compared.
    pub runs: &'static [&'static str],
    /// The side.
    pub relation: Relation,
    /// The reference.
    pub against: Against,
}

impl Comparison {
    /// The rule in one line.
    pub fn describe(&self) -> String {
        let against = match self.against {
            Against::Run(r) => format!("{r}'s"),
            Against::Level(v) => format!("{v}"),
        };
        format!("{} of {} {} {against}", self.value.name(), self.runs.join(", "), self.relation.symbol())
    }

    /// The comparison on seed index `k`: `Ok(None)` when a compared run diverged, `Err` when a
    /// run or value is not in the figure.
    pub fn on_seed(&self, o: &Outcome, k: usize) -> Result<(Option<bool>, String), String> {
        let logs = o.seed_logs(k);
        let find = |name: &str| {
            o.run_index(name).map(|i| &logs[i]).ok_or_else(|| format!("no run `{name}` in {}", o.config.name))
        };
        let runs: Vec<&RunLog> = self.runs.iter().map(|r| find(r)).collect::<Result<_, _>>()?;
        let reference = match self.against {
            Against::Run(r) => Some(find(r)?),
            Against::Level(_) => None,
        };
        if runs.iter().chain(reference.iter()).any(|l| diverged(l)) {
            return Ok((None, format!("seed {}: undecided (a compared run diverged)", logs[0].seed)));
        }
        let base = match (self.against, reference) {
            (Against::Run(_), Some(l)) => self.value.of(o, l)?,
            (Against::Level(v), _) => v,
            _ => f64::NAN,
        };
        let values: Vec<f64> = runs.iter().map(|l| self.value.of(o, l)).collect::<Result<_, _>>()?;
        if base.is_nan() || values.iter().any(|v| v.is_nan()) {
            return Ok((None, format!("seed {}: undecided (a value is NaN)", logs[0].seed)));
        }
        let ok = values.iter().all(|&v| self.relation.holds(v, base));
        let shown: Vec<String> = self.runs.iter().zip(&values).map(|(r, v)| format!("{r} {}", short(*v))).collect();
        let flag = if ok { "holds" } else { "fails" };
        Ok((Some(ok), format!("seed {}: {flag} ({} vs {})", logs[0].seed, shown.join(", "), short(base))))
    }
}

pub use crate::number::short;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polarity_follows_the_relation() {
        assert!(Relation::Below.holds(1.0, 2.0) && !Relation::Below.holds(2.0, 2.0));
        assert!(Relation::NotBelow.holds(2.0, 2.0) && Relation::NotBelow.holds(0.394, 0.168));
        assert!(!Relation::NotBelow.holds(0.1, 0.168));
        assert!(Relation::Above.holds(0.3, 0.1) && !Relation::Above.holds(0.1, 0.1));
        for r in [Relation::Below, Relation::NotBelow, Relation::Above] {
            assert!(!r.holds(f64::NAN, 1.0) && !r.holds(1.0, f64::NAN));
        }
    }
}
