//! The one table of every config field: its type, allowed range, default, unit and meaning.
//!
//! The loader checks every key of a config document against [`FIELDS`] before deserializing it
//! ([`check_document`]: unknown keys, types, ranges), and `largestep schema` / `largestep show`
//! print the same table, so the documentation cannot drift from what is accepted: a field that is
//! added to the config structs but not here is rejected as unknown by the loader, and the test
//! `every_serialized_field_is_in_the_schema` fails.
//!
//! Cross-field rules (r ≤ d, layouts against the model, memory estimates, …) are in
//! [`crate::config::ExperimentConfig::validate`].

use crate::data::RankSource;
use toml::Value;

/// Largest run length N accepted (`iterations`, `quick_iterations`; `iterations_log10` ≤ 9
/// gives at most 10⁹ + 1). Longer runs do not finish in any reasonable time.
pub const MAX_ITERATIONS: i64 = 1_000_000_001;
/// Largest size of one data or width dimension. Memory is bounded separately, by an estimate
/// against this machine's memory.
pub const MAX_SIZE: i64 = 100_000_000;
/// Most `[[runs]]` entries.
pub const MAX_RUNS: usize = 1000;
/// Most seeds of one invocation (`--seeds`).
pub const MAX_SEEDS: i64 = 1000;
/// Largest config file read (bytes).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// What values a field takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A table (its fields are listed under its key).
    Table,
    /// An array of tables (`[[runs]]`).
    Tables,
    /// An integer in [min, max].
    Int(i64, i64),
    /// A finite real in (min, max] when `open` else [min, max]; `max_open` excludes max.
    Real {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
        /// Whether the lower end is excluded.
        open: bool,
        /// Whether the upper end is excluded.
        max_open: bool,
    },
    /// true or false.
    Bool,
    /// Any string.
    Text,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// A list of integers in [min, max].
    Ints(i64, i64),
    /// A list of finite reals in (min, max] when `open` else [min, max].
    Reals {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
        /// Whether the lower end is excluded.
        open: bool,
    },
    /// A list of booleans.
    Bools,
}

/// One config field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Dotted key; `runs[]` stands for every `[[runs]]` entry.
    pub key: &'static str,
    /// Type and range.
    pub kind: Kind,
    /// Default when omitted ("required" when it must be given, "—" when it is optional
    /// without a default).
    pub default: &'static str,
    /// Unit or scale, if any.
    pub unit: &'static str,
    /// One line of meaning.
    pub meaning: &'static str,
}

const POS: f64 = f64::MAX;
const fn real_pos() -> Kind {
    Kind::Real { min: 0.0, max: POS, open: true, max_open: false }
}
const SEED: Kind = Kind::Int(0, i64::MAX);

/// Every field of an experiment config (docs/DESIGN.md §3), in document order.
pub const FIELDS: &[Field] = &[
    Field { key: "name", kind: Kind::Text, default: "required", unit: "", meaning: "experiment name: a plain file name (letters, digits, `_`, `-`, `.`; output folder results/<name>)" },
    Field { key: "title", kind: Kind::Text, default: "\"\"", unit: "", meaning: "figure title" },
    Field { key: "figure", kind: Kind::Choice(crate::config::Layout::NAMES), default: "\"losses\"", unit: "", meaning: "figure layout; trajectories: diagonal net on sparse regression with snapshots; functions/function_snapshots: one-hidden-layer ReLU net on 1-D data; arrows: one-hidden-layer ReLU net on a 2-D two-layer teacher" },
    Field { key: "rng", kind: Kind::Choice(&["chacha", "numpy", "torch"]), default: "\"chacha\"", unit: "", meaning: "random generator: ChaCha8, numpy's legacy MT19937 stream of the release, or the ReLU release's torch and numpy streams" },
    Field { key: "data", kind: Kind::Table, default: "required", unit: "", meaning: "the training data" },
    Field { key: "data.kind", kind: Kind::Choice(&["sparse_regression", "relu1d", "teacher", "csv", "npy"]), default: "required", unit: "", meaning: "sparse regression (§3.1), the 12-point 1-D task (Figs. 4, 12, 13), teacher–student on the sphere, or a regression dataset from files (csv; npy is a synonym: each file's format follows its extension)" },
    Field { key: "data.n", kind: Kind::Int(1, MAX_SIZE), default: "required", unit: "points", meaning: "training points n (sparse_regression, teacher)" },
    Field { key: "data.d", kind: Kind::Int(1, MAX_SIZE), default: "required", unit: "", meaning: "input dimension d (sparse_regression, teacher)" },
    Field { key: "data.r", kind: Kind::Int(0, MAX_SIZE), default: "required", unit: "", meaning: "support size 1 ≤ r ≤ d of β*, checked against d (sparse_regression)" },
    Field { key: "data.n_test", kind: Kind::Int(1, MAX_SIZE), default: "required", unit: "points", meaning: "test points (sparse_regression, teacher)" },
    Field { key: "data.hidden", kind: Kind::Ints(1, MAX_SIZE), default: "required", unit: "neurons", meaning: "hidden widths of the teacher (teacher)" },
    Field { key: "data.biases", kind: Kind::Bool, default: "false", unit: "", meaning: "biases in every teacher layer (teacher)" },
    Field { key: "data.unit_rows", kind: Kind::Bool, default: "false", unit: "", meaning: "unit-norm first-layer rows and ±1 output weights; needs one hidden layer (teacher)" },
    Field { key: "data.train", kind: Kind::Text, default: "required", unit: "path", meaning: "training file (.csv, or .npy), relative to the config's folder (csv)" },
    Field { key: "data.test", kind: Kind::Text, default: "—", unit: "path", meaning: "test file with the same columns; exclusive with test_fraction (csv)" },
    Field { key: "data.test_fraction", kind: Kind::Real { min: 0.0, max: 1.0, open: true, max_open: true }, default: "—", unit: "fraction of rows", meaning: "rows held out as the test set by a seeded shuffle (csv; default: test on the training set)" },
    Field { key: "data.target", kind: Kind::Text, default: "the last column", unit: "", meaning: "target column by header name (csv)" },
    Field { key: "data.header", kind: Kind::Bool, default: "true", unit: "", meaning: "the first row is a header (csv)" },
    Field { key: "data.rank_points", kind: Kind::Choice(&RankSource::NAMES), default: "test", unit: "", meaning: "where the Jacobian-rank points come from (csv): the first test inputs, fresh Gaussian points matched to the training inputs' column mean and spread, a points file, or the training inputs (not fresh); fewer than |θ| fresh points cap the rank and are reported" },
    Field { key: "data.rank_points_file", kind: Kind::Text, default: "—", unit: "path", meaning: "the points file of rank_points = \"file\": the feature columns, the first metrics.jacobian_rank.points rows (csv)" },
    Field { key: "data.seed", kind: SEED, default: "0", unit: "", meaning: "base data seed (plus the seed offset with vary_data)" },
    Field { key: "model", kind: Kind::Table, default: "required", unit: "", meaning: "the trained model" },
    Field { key: "model.kind", kind: Kind::Choice(&["diagonal", "relu_mlp"]), default: "required", unit: "", meaning: "diagonal linear network u⊙v (§3.1) or ReLU network" },
    Field { key: "model.init_scale", kind: real_pos(), default: "required", unit: "", meaning: "α of u₀ = α·𝟙, v₀ = 0 (diagonal)" },
    Field { key: "model.hidden", kind: Kind::Ints(1, MAX_SIZE), default: "required", unit: "neurons", meaning: "hidden widths d → hidden[0] → … → 1 (relu_mlp)" },
    Field { key: "model.biases", kind: Kind::Bools, default: "required", unit: "", meaning: "one bias flag per layer: hidden layers, then the output (relu_mlp)" },
    Field { key: "model.precision", kind: Kind::Choice(&["f64", "f32"]), default: "\"f64\"", unit: "", meaning: "arithmetic of the net (relu_mlp); f32 also rounds the data, as the release's float32 tensors" },
    Field { key: "model.init", kind: Kind::Table, default: "required", unit: "", meaning: "initialization of θ₀ (relu_mlp)" },
    Field { key: "model.init.kind", kind: Kind::Choice(&["blanc", "gaussian"]), default: "required", unit: "", meaning: "Blanc et al. 1-D init (one hidden layer) or scaled Gaussian weights" },
    Field { key: "model.init.scales", kind: Kind::Reals { min: 0.0, max: POS, open: false }, default: "required", unit: "", meaning: "per-layer weight scales, one per layer (gaussian)" },
    Field { key: "training", kind: Kind::Table, default: "required", unit: "", meaning: "training settings shared by the runs" },
    Field { key: "training.iterations", kind: Kind::Int(1, MAX_ITERATIONS), default: "—", unit: "iterations", meaning: "run length N (give this or iterations_log10, not both)" },
    Field { key: "training.iterations_log10", kind: Kind::Real { min: 0.0, max: 9.0, open: false, max_open: false }, default: "—", unit: "log10 iterations", meaning: "p with N = ⌊10^p⌋ + 1 (the release's convention)" },
    Field { key: "training.quick_iterations", kind: Kind::Int(1, MAX_ITERATIONS), default: "N/10", unit: "iterations", meaning: "run length under --quick, ≤ N" },
    Field { key: "training.algorithm", kind: Kind::Choice(&["sgd", "gd"]), default: "\"sgd\"", unit: "", meaning: "SGD with batch B, or full-batch GD" },
    Field { key: "training.batch", kind: Kind::Int(1, MAX_SIZE), default: "1", unit: "points", meaning: "SGD batch size B ≤ n" },
    Field { key: "training.loss", kind: Kind::Choice(&["half_mse", "mse"]), default: "\"half_mse\"", unit: "", meaning: "½·mean squared error (Eq. 1) or mean squared error" },
    Field { key: "training.seed", kind: SEED, default: "0", unit: "", meaning: "base training seed: init and SGD indices (plus the seed offset)" },
    Field { key: "training.snapshots", kind: Kind::Bool, default: "false", unit: "", meaning: "keep θ at every grid point (trajectory and snapshot figures)" },
    Field { key: "training.first_seed", kind: SEED, default: "0", unit: "", meaning: "first seed offset (CLI --seed)" },
    Field { key: "training.seeds", kind: Kind::Int(1, MAX_SEEDS), default: "1", unit: "seeds", meaning: "repetitions K over seed offsets first_seed, first_seed + 1, … (CLI --seeds)" },
    Field { key: "training.vary_data", kind: Kind::Bool, default: "false", unit: "", meaning: "the seed offset also changes the data (CLI --vary-data)" },
    Field { key: "metrics", kind: Kind::Table, default: "required", unit: "", meaning: "metrics and logging grid (docs/DESIGN.md §4)" },
    Field { key: "metrics.grid_dense", kind: Kind::Int(0, 1_000_000), default: "100", unit: "iterations", meaning: "every iteration below this is logged" },
    Field { key: "metrics.grid_points", kind: Kind::Int(2, 1_000_000), default: "required", unit: "points", meaning: "K of round(linspace(0, N, K)), the logging grid" },
    Field { key: "metrics.jacobian_rank", kind: Kind::Table, default: "—", unit: "", meaning: "record the rank of the feature Jacobian φ_θ" },
    Field { key: "metrics.jacobian_rank.points", kind: Kind::Int(1, 1_000_000), default: "required", unit: "points", meaning: "fresh evaluation points of the rank" },
    Field { key: "metrics.jacobian_rank.tol", kind: Kind::Real { min: 0.0, max: 1.0, open: false, max_open: true }, default: "required", unit: "", meaning: "relative threshold τ: rank = #{σ/σ_max > τ}" },
    Field { key: "metrics.support_size", kind: Kind::Bool, default: "false", unit: "", meaning: "record ‖u⊙v‖₀ (diagonal model only)" },
    Field { key: "metrics.feature_sparsity", kind: Kind::Table, default: "—", unit: "", meaning: "record the feature sparsity coefficient (relu_mlp only)" },
    Field { key: "metrics.feature_sparsity.layers", kind: Kind::Ints(1, 1000), default: "required", unit: "", meaning: "distinct 1-based hidden layers, each ≤ the number of hidden layers" },
    Field { key: "metrics.feature_sparsity.tau", kind: Kind::Real { min: 0.0, max: 1.0, open: true, max_open: true }, default: "required", unit: "", meaning: "correlation threshold of the greedy de-duplication" },
    Field { key: "runs", kind: Kind::Tables, default: "required", unit: "", meaning: "the runs, 1 to 1000 [[runs]] entries with distinct names" },
    Field { key: "runs[].name", kind: Kind::Text, default: "required", unit: "", meaning: "short name (the `run` column), distinct, without commas or quotes" },
    Field { key: "runs[].label", kind: Kind::Text, default: "the name", unit: "", meaning: "legend label" },
    Field { key: "runs[].algorithm", kind: Kind::Choice(&["sgd", "gd"]), default: "training.algorithm", unit: "", meaning: "algorithm of this run" },
    Field { key: "runs[].schedule", kind: Kind::Table, default: "required", unit: "", meaning: "step-size schedule" },
    Field { key: "runs[].schedule.step", kind: real_pos(), default: "required", unit: "step size", meaning: "base step size η" },
    Field { key: "runs[].schedule.warmup", kind: Kind::Choice(&["constant", "linear", "sqrt", "exponential"]), default: "\"constant\"", unit: "", meaning: "shape of the large-step phase" },
    Field { key: "runs[].schedule.warmup_factor", kind: real_pos(), default: "—", unit: "", meaning: "F, c or ρ of the warmup; required unless warmup = \"constant\"" },
    Field { key: "runs[].schedule.decay_at", kind: Kind::Reals { min: 0.0, max: 1.0, open: true }, default: "[]", unit: "fraction of N", meaning: "decay points, threshold ⌊a·N⌋" },
    Field { key: "runs[].schedule.decay_by", kind: Kind::Reals { min: 0.0, max: POS, open: true }, default: "[]", unit: "", meaning: "divisors of the peak step, one per decay point" },
    Field { key: "runs[].schedule.decay_from", kind: Kind::Choice(&["next", "threshold", "threshold_inclusive"]), default: "\"next\"", unit: "", meaning: "where the decayed step starts: after the threshold iteration, at it (t ≥ ⌊a·N⌋), or at the release's inclusive threshold" },
];

/// The field of a dotted key (`runs[3].schedule.step` matches `runs[].schedule.step`).
pub fn lookup(key: &str) -> Option<&'static Field> {
    let pattern = generic(key);
    FIELDS.iter().find(|f| f.key == pattern)
}

/// `runs[3].x` → `runs[].x`.
fn generic(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut skipping = false;
    for c in key.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push('[');
            }
            ']' => {
                skipping = false;
                out.push(']');
            }
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

/// Checks every key of a config document against [`FIELDS`]: unknown keys, types, ranges.
/// Returns the first violation as (dotted key, message).
pub fn check_document(doc: &toml::Table) -> Result<(), (String, String)> {
    check_table(doc, "")
}

fn check_table(t: &toml::Table, prefix: &str) -> Result<(), (String, String)> {
    for (k, v) in t {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        let Some(field) = lookup(&key) else {
            let parent = generic(prefix);
            let allowed: Vec<&str> = FIELDS
                .iter()
                .filter_map(|f| {
                    let rest =
                        if parent.is_empty() { Some(f.key) } else { f.key.strip_prefix(&*parent)?.strip_prefix('.') };
                    rest.filter(|r| !r.contains('.'))
                })
                .collect();
            return Err((key, format!("unknown field; allowed here: {}", allowed.join(", "))));
        };
        check_value(field, v).map_err(|m| (key.clone(), m))?;
        match v {
            Value::Table(sub) => check_table(sub, &key)?,
            Value::Array(items) if field.kind == Kind::Tables => {
                if items.len() > MAX_RUNS {
                    return Err((key, format!("at most {MAX_RUNS} entries, got {}", items.len())));
                }
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Table(sub) => check_table(sub, &format!("{key}[{i}]"))?,
                        _ => return Err((format!("{key}[{i}]"), "must be a table".into())),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The allowed values of a field, in words.
pub fn describe(kind: &Kind) -> String {
    let num = |v: f64| if v == POS { "∞".to_string() } else { format!("{v}") };
    let int = |v: i64| if v == i64::MAX { "2^63 − 1".to_string() } else { format!("{v}") };
    match *kind {
        Kind::Table => "table".into(),
        Kind::Tables => format!("array of tables (1 to {MAX_RUNS})"),
        Kind::Int(lo, hi) => format!("an integer in [{}, {}]", int(lo), int(hi)),
        Kind::Real { min, max, open, .. } if max == POS => {
            format!("a finite real {} {}", if open { ">" } else { "≥" }, num(min))
        }
        Kind::Real { min, max, open, max_open } => format!(
            "a finite real in {}{}, {}{}",
            if open { "(" } else { "[" },
            num(min),
            num(max),
            if max_open { ")" } else { "]" }
        ),
        Kind::Bool => "true or false".into(),
        Kind::Text => "string".into(),
        Kind::Choice(c) => format!("one of {}", c.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")),
        Kind::Ints(lo, hi) => format!("a list of integers in [{}, {}]", int(lo), int(hi)),
        Kind::Reals { min, max, open } if max == POS => {
            format!("a list of finite reals {} {}", if open { ">" } else { "≥" }, num(min))
        }
        Kind::Reals { min, max, open } => {
            format!("a list of finite reals in {}{}, {}]", if open { "(" } else { "[" }, num(min), num(max))
        }
        Kind::Bools => "a list of true/false".into(),
    }
}

fn shown(v: &Value) -> String {
    // Control characters escaped: a string value with a newline would break the one-line error.
    let mut s = String::new();
    for c in v.to_string().chars() {
        if c.is_control() {
            s.extend(c.escape_default());
        } else {
            s.push(c);
        }
    }
    if s.len() > 40 {
        format!("{}…", &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

fn check_value(field: &Field, v: &Value) -> Result<(), String> {
    let bad = || {
        // An integer out of range: which bound it passed first, then the whole range.
        let bound = match (field.kind, v) {
            (Kind::Int(lo, _), Value::Integer(i)) if *i < lo => format!("≥ {lo} ("),
            (Kind::Int(_, hi), Value::Integer(i)) if *i > hi => format!("≤ {hi} ("),
            _ => String::new(),
        };
        let close = if bound.is_empty() { "" } else { ")" };
        Err(format!("must be {bound}{}{close}, got {}", describe(&field.kind), shown(v)))
    };
    let int_ok = |x: &Value, lo: i64, hi: i64| matches!(x, Value::Integer(i) if (lo..=hi).contains(i));
    let real_ok = |x: &Value, min: f64, max: f64, open: bool, max_open: bool| {
        let r = match x {
            Value::Float(f) => *f,
            Value::Integer(i) => *i as f64,
            _ => return false,
        };
        r.is_finite() && if open { r > min } else { r >= min } && if max_open { r < max } else { r <= max }
    };
    let ok = match (&field.kind, v) {
        (Kind::Table, Value::Table(_)) | (Kind::Tables, Value::Array(_)) => true,
        (Kind::Int(lo, hi), x) => int_ok(x, *lo, *hi),
        (Kind::Real { min, max, open, max_open }, x) => real_ok(x, *min, *max, *open, *max_open),
        (Kind::Bool, Value::Boolean(_)) | (Kind::Text, Value::String(_)) => true,
        (Kind::Choice(c), Value::String(s)) => c.contains(&s.as_str()),
        (Kind::Ints(lo, hi), Value::Array(a)) => a.iter().all(|x| int_ok(x, *lo, *hi)),
        (Kind::Reals { min, max, open }, Value::Array(a)) => a.iter().all(|x| real_ok(x, *min, *max, *open, false)),
        (Kind::Bools, Value::Array(a)) => a.iter().all(Value::is_bool),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        bad()
    }
}

/// `largestep schema`: every field with its type and range, default, unit and meaning.
pub fn render() -> String {
    let mut s = String::from("# Experiment config fields (TOML). `runs[]` is every [[runs]] entry.\n");
    s.push_str("# key | type and range | default | unit | meaning\n");
    for f in FIELDS {
        s.push_str(&format!(
            "{} | {} | {} | {} | {}\n",
            f.key,
            describe(&f.kind),
            f.default,
            if f.unit.is_empty() { "-" } else { f.unit },
            f.meaning
        ));
    }
    s
}

/// `largestep show`: the config's TOML with each field's meaning (and unit) as a comment.
pub fn annotate(toml_text: &str) -> String {
    let mut out = String::new();
    let mut table = String::new();
    let mut runs = 0usize;
    for line in toml_text.lines() {
        let t = line.trim();
        let comment = if let Some(h) = t.strip_prefix("[[").and_then(|h| h.strip_suffix("]]")) {
            table = format!("{}[{runs}]", h.trim());
            runs += 1;
            lookup(&table).map(|f| f.meaning)
        } else if let Some(h) = t.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            table = h.trim().to_string();
            lookup(&table).map(|f| f.meaning)
        } else if let Some((k, _)) = t.split_once('=') {
            let key = if table.is_empty() { k.trim().to_string() } else { format!("{table}.{}", k.trim()) };
            lookup(&key).map(|f| f.meaning)
        } else {
            None
        };
        let unit = comment.and_then(|_| {
            let key = t.split_once('=').map(|(k, _)| k.trim());
            key.and_then(|k| lookup(&if table.is_empty() { k.to_string() } else { format!("{table}.{k}") }))
                .map(|f| f.unit)
                .filter(|u| !u.is_empty())
        });
        match (comment, unit) {
            (Some(c), Some(u)) => out.push_str(&format!("{line:<44} # [{u}] {c}\n")),
            (Some(c), None) => out.push_str(&format!("{line:<44} # {c}\n")),
            _ => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_generalizes_run_indices() {
        assert_eq!(lookup("runs[12].schedule.step").unwrap().key, "runs[].schedule.step");
        assert!(lookup("data.width").is_none());
    }

    #[test]
    fn ranges_reject_negative_nan_and_huge_values_by_key() {
        let doc: toml::Table = toml::from_str("[data]\nn = -1\n").unwrap();
        let (k, m) = check_document(&doc).unwrap_err();
        assert_eq!(k, "data.n");
        assert!(m.contains("[1, 100000000]") && m.contains("-1"), "{m}");
        let doc: toml::Table = toml::from_str("[[runs]]\nschedule = { step = nan }\n").unwrap();
        assert_eq!(check_document(&doc).unwrap_err().0, "runs[0].schedule.step");
    }
}
