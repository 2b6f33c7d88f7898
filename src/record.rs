//! The recorder: evaluates the metrics at the grid points and streams rows to CSV.

use crate::loss::Loss;
use crate::metrics::{self, MetricsSpec, Prepared};
use crate::model::Model;
use crate::output::fmt_f64;
use anyhow::Result;
use std::io::Write;

/// A train loss above this (or NaN) counts as divergence: for the models here it overflows within
/// a few more iterations, and metrics on such parameters (SVDs of entries ~1e150) are meaningless
/// and slow.
pub const DIVERGED_LOSS: f64 = 1e30;

/// One logged row: the state θ_t at the start of iteration t, before its step.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Iteration t.
    pub iteration: usize,
    /// Step size η_t of iteration t.
    pub step_size: f64,
    /// L(θ_t) on the training set.
    pub train_loss: f64,
    /// Loss on the test set.
    pub test_loss: f64,
    /// The extra metrics, in [`MetricsSpec::columns`] order.
    pub metrics: Vec<f64>,
}

/// Everything a run logged.
#[derive(Debug, Clone, Default)]
pub struct RunLog {
    /// Run name.
    pub run: String,
    /// Legend label.
    pub label: String,
    /// Seed offset of this repetition.
    pub seed: u64,
    /// Logged rows.
    pub rows: Vec<Row>,
    /// θ at every grid point (when the experiment keeps snapshots).
    pub snapshots: Vec<(usize, Vec<f64>)>,
    /// θ₀.
    pub initial: Vec<f64>,
    /// θ at the end of the run (or at divergence).
    pub final_theta: Vec<f64>,
    /// Iteration at which the loss or the parameters became NaN/±∞, or a metric evaluation
    /// failed (then [`failure`](Self::failure) says why).
    pub diverged_at: Option<usize>,
    /// Why the run stopped when a metric evaluation failed at `diverged_at` (an SVD that did not
    /// converge, NaN singular values): the run fails like a divergence, the experiment goes on.
    pub failure: Option<String>,
    /// End of the large-step phase (see [`crate::schedule::Schedule::large_phase_end`]).
    pub large_phase_end: usize,
    /// Run length N.
    pub total: usize,
}

impl RunLog {
    /// Median train loss over the second half of the large-step phase, [e/2, e) (for a
    /// constant run e = N/2: iterations N/4 to N/2).
    pub fn plateau_train_loss(&self) -> f64 {
        let e = self.large_phase_end;
        let v: Vec<f64> =
            self.rows.iter().filter(|r| r.iteration >= e / 2 && r.iteration < e).map(|r| r.train_loss).collect();
        crate::stats::median(&v)
    }
    /// The last logged row (the release's "final" value).
    pub fn last(&self) -> Option<&Row> {
        self.rows.last()
    }
}

/// The CSV record of one row of `log`: `run,seed,iteration,step_size,train_loss,test_loss,…`
/// (the layout of `metrics.csv`, [`Recorder::header`]).
pub fn csv_record(log: &RunLog, row: &Row) -> Vec<String> {
    let mut rec = vec![
        log.run.clone(),
        log.seed.to_string(),
        row.iteration.to_string(),
        fmt_f64(row.step_size),
        fmt_f64(row.train_loss),
        fmt_f64(row.test_loss),
    ];
    rec.extend(row.metrics.iter().map(|v| fmt_f64(*v)));
    rec
}

/// Writes every row of `log` as CSV records (no header) to `w`.
pub fn write_rows(log: &RunLog, w: &mut dyn Write) -> Result<()> {
    let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    for row in &log.rows {
        out.write_record(csv_record(log, row))?;
    }
    out.flush()?;
    Ok(())
}

/// Evaluates metrics and writes CSV rows `run,seed,iteration,step_size,train_loss,test_loss,…`.
pub struct Recorder<'a> {
    spec: &'a MetricsSpec,
    loss: Loss,
    out: csv::Writer<Box<dyn Write + Send + 'a>>,
    keep_snapshots: bool,
    /// What has been logged so far.
    pub log: RunLog,
}

impl<'a> Recorder<'a> {
    /// A recorder writing data rows (no header) to `out`.
    pub fn new(
        spec: &'a MetricsSpec,
        loss: Loss,
        out: Box<dyn Write + Send + 'a>,
        keep_snapshots: bool,
        log: RunLog,
    ) -> Self {
        let out = csv::WriterBuilder::new().has_headers(false).from_writer(out);
        Self { spec, loss, out, keep_snapshots, log }
    }

    /// The CSV header for `spec`.
    pub fn header(spec: &MetricsSpec) -> Vec<String> {
        let mut h: Vec<String> =
            ["run", "seed", "iteration", "step_size", "train_loss", "test_loss"].map(String::from).to_vec();
        h.extend(spec.columns());
        h
    }

    /// Logs θ_t; returns whether the run is still sane (NaN/±∞ or a loss above [`DIVERGED_LOSS`]
    /// means divergence; a failed metric evaluation sets [`RunLog::failure`] and its cells to NaN;
    /// the row is written either way).
    pub fn record(&mut self, t: usize, eta: f64, model: &dyn Model, theta: &[f64], data: &Prepared) -> Result<bool> {
        let (train_loss, test_loss) = metrics::losses(model, self.loss, theta, data);
        let finite = train_loss < DIVERGED_LOSS && theta.iter().all(|v| v.is_finite());
        let nan = || vec![f64::NAN; self.spec.columns().len()];
        let extra = if finite {
            match self.spec.evaluate(model, theta, data) {
                Ok(v) => v,
                Err(e) => {
                    self.log.failure = Some(e);
                    nan()
                }
            }
        } else {
            nan()
        };
        let row = Row { iteration: t, step_size: eta, train_loss, test_loss, metrics: extra };
        self.out.write_record(csv_record(&self.log, &row))?;
        if self.keep_snapshots {
            self.log.snapshots.push((t, theta.to_vec()));
        }
        self.log.rows.push(row);
        Ok(finite && self.log.failure.is_none())
    }

    /// Flushes and returns the log.
    pub fn finish(mut self) -> Result<RunLog> {
        self.out.flush()?;
        Ok(self.log)
    }
}
