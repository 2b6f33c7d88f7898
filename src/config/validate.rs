//! The cross-field rules of an [`ExperimentConfig`], checked before any training; every error
//! names the field (with its `[[runs]]` index) and what is allowed.

use super::schema;
use super::{ConfigError, DataSpec, ExperimentConfig, Layout, ModelSpec};

/// `name` becomes a folder under `results/`: a plain file name.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let plain = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        Ok(())
    } else {
        Err(format!(
            "must be a plain file name (1 to 100 of letters, digits, `_`, `-`, `.`; not starting with `.`), got {name:?}"
        ))
    }
}

pub(super) fn positive(field: &str, v: usize) -> Result<(), (String, String)> {
    if v == 0 {
        Err((field.into(), "must be ≥ 1, got 0".into()))
    } else {
        Ok(())
    }
}

impl ExperimentConfig {
    /// Checks every range and cross-field rule, before any training; the error names the
    /// field (with its `[[runs]]` index) and what is allowed. Ranges of single fields are also
    /// checked on the document by [`crate::config::schema::check_document`]; these checks repeat the
    /// ones a config built in code needs.
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let fail = |prefix: &str, (field, message): (String, String)| ConfigError {
            file: file.into(),
            field: if prefix.is_empty() { field } else { format!("{prefix}.{field}") },
            message,
        };
        let top = |field: &str, message: String| fail("", (field.into(), message));
        check_name(&self.name).map_err(|m| top("name", m))?;
        self.data.validate().map_err(|e| fail("data", e))?;
        self.model.validate().map_err(|e| fail("model", e))?;
        let t = &self.training;
        let train = |field: &str, message: String| fail("training", (field.into(), message));
        match (t.iterations, t.iterations_log10) {
            (Some(_), Some(_)) => {
                return Err(train("iterations_log10", "give `iterations` or `iterations_log10`, not both".into()))
            }
            (Some(n), None) if !(1..=schema::MAX_ITERATIONS as usize).contains(&n) => {
                return Err(train("iterations", format!("must be in [1, {}], got {n}", schema::MAX_ITERATIONS)))
            }
            (None, Some(p)) if !(p.is_finite() && (0.0..=9.0).contains(&p)) => {
                return Err(train("iterations_log10", format!("must be in [0, 9], got {p}")))
            }
            (None, None) => return Err(train("iterations", "give `iterations` or `iterations_log10`".into())),
            _ => {}
        }
        let total = t.total(false);
        if let Some(q) = t.quick_iterations {
            if q == 0 || q > total {
                return Err(train("quick_iterations", format!("must be in [1, N = {total}], got {q}")));
            }
        }
        positive("batch", t.batch).map_err(|e| fail("training", e))?;
        if let Some(n) = self.data.train_points().filter(|&n| t.batch > n) {
            return Err(train("batch", format!("must be ≤ the training points n = {n}, got {}", t.batch)));
        }
        if !(1..=schema::MAX_SEEDS as usize).contains(&t.seeds) {
            return Err(train("seeds", format!("must be in [1, {}], got {}", schema::MAX_SEEDS, t.seeds)));
        }
        if t.first_seed.checked_add(t.seeds as u64 - 1).is_none() {
            return Err(train(
                "seeds",
                format!("seed offsets first_seed = {} + (seeds − 1) = {} overflow 2^64 − 1", t.first_seed, t.seeds - 1),
            ));
        }
        let m = &self.metrics;
        let metric = |field: &str, message: String| fail("metrics", (field.into(), message));
        if m.grid_points < 2 {
            return Err(metric("grid_points", format!("must be ≥ 2, got {}", m.grid_points)));
        }
        if let Some(r) = &m.jacobian_rank {
            positive("points", r.points).map_err(|e| fail("metrics.jacobian_rank", e))?;
            if !(0.0..1.0).contains(&r.tol) {
                return Err(fail("metrics.jacobian_rank", ("tol".into(), format!("must be in [0, 1), got {}", r.tol))));
            }
        }
        // The capabilities the metrics need, asked of the built model (they do not depend on the
        // input dimension).
        let model = self.model.build(1);
        let hidden_layers = model.as_features().map_or(0, |f| f.hidden_layers());
        if m.support_size && model.as_linear().is_none() {
            return Err(metric("support_size", "needs a model linear in x (model.kind = \"diagonal\")".into()));
        }
        if let Some(s) = &m.feature_sparsity {
            let sp = |field: &str, message: String| fail("metrics.feature_sparsity", (field.into(), message));
            if !(s.tau > 0.0 && s.tau < 1.0) {
                return Err(sp("tau", format!("must be in (0, 1), got {}", s.tau)));
            }
            if hidden_layers == 0 {
                return Err(sp("layers", "needs a network with hidden layers (model.kind = \"relu_mlp\")".into()));
            }
            if let Some(l) = s.layers.iter().find(|&&l| l == 0 || l > hidden_layers) {
                return Err(sp("layers", format!("each must be in [1, {hidden_layers}] (the hidden layers), got {l}")));
            }
            if let Some(l) = s.layers.iter().enumerate().find(|(i, l)| s.layers[..*i].contains(l)).map(|(_, l)| l) {
                return Err(sp("layers", format!("layer {l} is listed twice")));
            }
        }
        self.check_layout().map_err(|m| top("figure", m))?;
        if self.runs.is_empty() || self.runs.len() > schema::MAX_RUNS {
            return Err(top(
                "runs",
                format!("needs 1 to {} [[runs]] entries, got {}", schema::MAX_RUNS, self.runs.len()),
            ));
        }
        for (i, r) in self.runs.iter().enumerate() {
            if r.name.is_empty() || r.name.contains([',', '"', '\n', '\r']) {
                return Err(fail(
                    &format!("runs[{i}]"),
                    ("name".into(), "must be non-empty without commas, quotes or line breaks".into()),
                ));
            }
            if let Some(j) = self.runs[..i].iter().position(|o| o.name == r.name) {
                return Err(fail(
                    &format!("runs[{i}]"),
                    ("name".into(), format!("{:?} is already the name of runs[{j}]; names must be distinct", r.name)),
                ));
            }
            r.schedule.validate().map_err(|e| fail(&format!("runs[{i}].schedule"), e))?;
        }
        self.check_memory().map_err(|(field, message)| fail("", (field, message)))
    }

    /// The figure layout against the data, the model and the snapshots it needs.
    fn check_layout(&self) -> Result<(), String> {
        let one_hidden = matches!(&self.model, ModelSpec::ReluMlp { hidden, .. } if hidden.len() == 1);
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("layout {:?} needs {what}", self.figure.name()))
            }
        };
        match self.figure {
            Layout::Losses => Ok(()),
            Layout::Trajectories => {
                need(matches!(self.model, ModelSpec::Diagonal { .. }), "model.kind = \"diagonal\"")?;
                need(
                    matches!(self.data, DataSpec::SparseRegression { .. }),
                    "data.kind = \"sparse_regression\" (a ground truth β*)",
                )?;
                need(self.training.snapshots, "training.snapshots = true")
            }
            Layout::Functions | Layout::FunctionSnapshots => {
                need(one_hidden, "a one-hidden-layer ReLU net (model.kind = \"relu_mlp\", hidden = [m])")?;
                need(self.data.dim() == 1, "1-D inputs (data.kind = \"relu1d\", or d = 1)")?;
                need(self.figure == Layout::Functions || self.training.snapshots, "training.snapshots = true")
            }
            Layout::Arrows => {
                need(one_hidden, "a one-hidden-layer ReLU net (model.kind = \"relu_mlp\", hidden = [m])")?;
                need(
                    matches!(&self.data, DataSpec::Teacher { d: 2, hidden, .. } if hidden.len() == 1),
                    "a two-layer teacher on 2-D inputs (data.kind = \"teacher\", d = 2, hidden = [m])",
                )
            }
        }
    }
}
