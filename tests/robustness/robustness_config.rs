//! Issue 17, items 2, 3, 5, 6, 8, 9, 10 at load time: every bad or conflicting config is refused
//! before any training, with one line naming the file, the field (with its `[[runs]]` index)
//! and what is allowed.

use largestep::config::ExperimentConfig;
use largestep::experiment::registry::EMBEDDED;

fn shipped(name: &str) -> &'static str {
    EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap()
}

fn edit(name: &str, from: &str, to: &str) -> String {
    let text = shipped(name);
    assert!(text.contains(from), "{name} lost {from:?}");
    text.replacen(from, to, 1)
}

/// Parses `text` expecting a refusal whose one line names `field` and contains `what`.
fn refused(text: &str, field: &str, what: &str) {
    let e = ExperimentConfig::parse(text, "my.toml").expect_err("must be refused").to_string();
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.starts_with("my.toml: field `"), "{e}");
    assert!(e.contains(&format!("`{field}`")), "expected field {field}: {e}");
    assert!(e.contains(what), "expected {what:?}: {e}");
}

#[test]
fn item2_layouts_and_metrics_that_panicked_are_refused_at_load() {
    // `functions` with a 2-D teacher (panicked in two_layer.rs).
    refused(&edit("fig10", "figure = \"arrows\"", "figure = \"functions\""), "figure", "1-D inputs");
    // `trajectories` with a ReLU net (panicked in trajectories.rs).
    refused(&edit("fig4", "figure = \"functions\"", "figure = \"trajectories\""), "figure", "diagonal");
}

#[test]
fn item3_sizes_beyond_this_machine_name_the_field_and_the_estimate() {
    let huge = [
        ("fig2", "\nn = 80", "\nn = 90000000", "data.n"),
        ("fig2", "\nn_test = 1000", "\nn_test = 100000000", "data.n"),
        ("fig4", "hidden = [100]", "hidden = [100000000]", "model.hidden"),
    ];
    for (fig, from, to, field) in huge {
        refused(&edit(fig, from, to), field, "of memory");
    }
    // A rank Jacobian of 10⁶ points × 2·10⁵ parameters.
    let wide = edit("fig2", "\nd = 200", "\nd = 100000").replacen("points = 400", "points = 1000000", 1);
    refused(&wide, "metrics.jacobian_rank.points", "of memory");
    // Beyond the type ranges: named with the range, not "capacity overflow".
    refused(&edit("fig2", "\nd = 200", "\nd = 1000000000"), "data.d", "[1, 100000000]");
    refused(&edit("fig2", "grid_points = 250", "grid_points = 1000000000"), "metrics.grid_points", "[2, 1000000]");
    refused(
        &edit("fig2", "iterations_log10 = 5 ", "iterations = 9223372036854775807 "),
        "training.iterations",
        "[1, 1000000001]",
    );
    refused(
        &edit("fig2", "quick_iterations = 10001", "quick_iterations = 1000000000"),
        "training.quick_iterations",
        "N = 100001",
    );
    // 1001 runs.
    let mut many = shipped("fig3").to_string();
    for i in 0..1001 {
        many.push_str(&format!("\n[[runs]]\nname = \"r{i}\"\nschedule = {{ step = 0.1 }}\n"));
    }
    refused(&many, "runs", "at most 1000");
}

#[test]
fn item3_a_huge_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.toml");
    let mut text = shipped("fig3").to_string();
    while text.len() < (2 << 20) {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(&p, text).unwrap();
    let e = ExperimentConfig::load(&p).unwrap_err().to_string();
    assert!(e.contains("big.toml") && e.contains("at most 1048576 bytes"), "{e}");
}

#[test]
fn item5_name_is_a_plain_file_name() {
    for bad in ["../../x", "/abs", "", ".", "..", ".hidden", "a/b", "a\\\\b", "x y"] {
        refused(&edit("fig3", "name = \"fig3\"", &format!("name = \"{bad}\"")), "name", "plain file name");
    }
    ExperimentConfig::parse(&edit("fig3", "name = \"fig3\"", "name = \"my-run_2.b\""), "my.toml").unwrap();
}

#[test]
fn item6_late_errors_are_now_load_errors() {
    // support_size on a ReLU net.
    refused(
        &edit("fig4", "feature_sparsity = { layers = [1], tau = 0.999 }", "support_size = true"),
        "metrics.support_size",
        "diagonal",
    );
    // feature_sparsity on the diagonal net, and beyond the net's depth.
    refused(
        &edit("fig2", "support_size = true", "feature_sparsity = { layers = [1], tau = 0.9 }"),
        "metrics.feature_sparsity.layers",
        "hidden layers",
    );
    refused(&edit("fig4", "layers = [1]", "layers = [2]"), "metrics.feature_sparsity.layers", "[1, 1]");
    // A layout that needs snapshots, without them (caught even with --no-plot: it is the config).
    refused(&edit("fig13", "snapshots = true", "snapshots = false"), "figure", "training.snapshots = true");
    // The arrows layout on a 1-D task.
    refused(&edit("fig4", "figure = \"functions\"", "figure = \"arrows\""), "figure", "two-layer teacher");
}

#[test]
fn item8_negative_and_nan_values_name_the_field_and_the_run_index() {
    refused(&edit("fig2", "\nn = 80", "\nn = -1"), "data.n", "got -1");
    refused(&edit("fig2", "init_scale = 0.1", "init_scale = nan"), "model.init_scale", "got nan");
    refused(
        &edit("fig2", "schedule = { step = 0.282, decay_at = [0.3]", "schedule = { step = nan, decay_at = [0.3]"),
        "runs[2].schedule.step",
        "finite",
    );
    // A type error inside the third [[runs]] entry names its index.
    refused(&edit("fig2", "name = \"decay30\"", "name = 30"), "runs[2].name", "string");
    // An unknown key inside a [[runs]] entry.
    refused(
        &edit("fig2", "name = \"decay50\"", "name = \"decay50\"\nmomentum = 0.9"),
        "runs[3].momentum",
        "unknown field",
    );
    // A missing top-level field is named, not the first comment line.
    let text = shipped("fig2").replacen("[training]", "[trainingX]", 1);
    refused(&text, "trainingX", "unknown field");
    let no_training = {
        let t = shipped("fig3");
        let start = t.find("[training]").unwrap();
        let end = start + t[start..].find("\n[metrics]").unwrap();
        format!("{}{}", &t[..start], &t[end..])
    };
    refused(&no_training, "training", "missing field");
}

#[test]
fn item9_conflicts_are_refused() {
    refused(
        &edit("fig2", "iterations_log10 = 5 ", "iterations = 1000\niterations_log10 = 5 "),
        "training.iterations_log10",
        "not both",
    );
    refused(&edit("fig2", "batch = 1", "batch = 81"), "training.batch", "n = 80");
    refused(&edit("fig2", "name = \"decay30\"", "name = \"decay10\""), "runs[2].name", "already the name of runs[1]");
    refused(&edit("fig4", "layers = [1]", "layers = [1, 1]"), "metrics.feature_sparsity.layers", "twice");
    // `--seed 18446744073709551615 --seeds 2` used to wrap to 0.
    let mut cfg = ExperimentConfig::parse(shipped("fig3"), "my.toml").unwrap();
    cfg.training.first_seed = u64::MAX;
    cfg.training.seeds = 2;
    let e = cfg.validate("my.toml").unwrap_err().to_string();
    assert!(e.contains("`training.seeds`") && e.contains("overflow"), "{e}");
}

#[test]
fn every_shipped_config_still_loads_and_fits() {
    for (name, text) in EMBEDDED {
        let cfg = ExperimentConfig::parse(text, name).unwrap_or_else(|e| panic!("{e}"));
        let total: f64 = cfg.memory_estimate().iter().map(|(_, b)| b).sum();
        assert!(total > 0.0 && total < (1u64 << 30) as f64, "{name}: estimate {total} bytes");
    }
}

/// The names serde accepts for an enum, read from its "unknown variant" error (`value` is a
/// string for plain enums, a `{ kind = … }` table for tagged ones).
fn serde_variants<T: serde::de::DeserializeOwned>(value: toml::Value) -> (Vec<String>, fn(&str) -> bool) {
    let e = value.try_into::<T>().map(|_| ()).expect_err("`?` is no variant").to_string();
    let list = e.split("expected").nth(1).unwrap_or_else(|| panic!("no variant list in {e:?}"));
    // Tagged enums add "for key `kind`" (or a line) after the list.
    let list = list.split(" for key").next().unwrap_or(list).lines().next().unwrap_or("");
    let names = list.split('`').skip(1).step_by(2).map(String::from).collect();
    // Whether serde knows a name (a variant or an alias): its error, if any, is not about it.
    let known = |name: &str| {
        let plain = toml::Value::String(name.into()).try_into::<T>().err().map(|e| e.to_string());
        let mut t = toml::Table::new();
        t.insert("kind".into(), toml::Value::String(name.into()));
        let tagged = toml::Value::Table(t).try_into::<T>().err().map(|e| e.to_string());
        [plain, tagged].iter().any(|e| e.as_ref().is_none_or(|e| !e.contains("unknown variant")))
    };
    (names, known)
}

fn choices(key: &str) -> Vec<String> {
    match largestep::schema::lookup(key).unwrap_or_else(|| panic!("{key} not in the schema")).kind {
        largestep::schema::Kind::Choice(c) => c.iter().map(|s| s.to_string()).collect(),
        k => panic!("{key}: {k:?} is not a choice"),
    }
}

#[test]
fn schema_choices_are_the_names_the_loader_accepts() {
    use largestep::config::{Algorithm, DataSpec, ModelSpec};
    use largestep::schedule::{DecayFrom, WarmupKind};
    use toml::Value;
    let s = || Value::String("?".into());
    let tagged = || Value::Table(toml::toml! { kind = "?" });
    type Probe = (Vec<String>, fn(&str) -> bool);
    let layouts: Probe =
        (largestep::experiment::figure::Layout::NAMES.iter().map(|s| s.to_string()).collect(), |n: &str| {
            largestep::experiment::figure::Layout::NAMES.contains(&n)
        });
    let pairs: Vec<(&str, Probe)> = vec![
        ("rng", serde_variants::<largestep::rng::RngKind>(s())),
        ("data.kind", serde_variants::<DataSpec>(tagged())),
        ("model.kind", serde_variants::<ModelSpec>(tagged())),
        ("model.precision", serde_variants::<largestep::model::Precision>(s())),
        ("model.init.kind", serde_variants::<largestep::model::MlpInit>(tagged())),
        ("training.algorithm", serde_variants::<Algorithm>(s())),
        ("runs[].algorithm", serde_variants::<Algorithm>(s())),
        ("training.loss", serde_variants::<largestep::loss::Loss>(s())),
        ("runs[].schedule.warmup", serde_variants::<WarmupKind>(s())),
        ("runs[].schedule.decay_from", serde_variants::<DecayFrom>(s())),
        ("figure", layouts),
    ];
    for (key, (variants, known)) in pairs {
        let listed = choices(key);
        for v in &variants {
            assert!(listed.contains(v), "{key}: the loader accepts {v:?}, `largestep schema` does not list it");
        }
        for c in &listed {
            assert!(known(c), "{key}: `largestep schema` lists {c:?}, the loader rejects it");
        }
    }
}

/// Every key of `v` (dotted, `runs[]` for array entries).
fn keys(prefix: &str, v: &toml::Value, out: &mut std::collections::BTreeSet<String>) {
    let join = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    if let toml::Value::Table(t) = v {
        for (k, x) in t {
            let key = join(k);
            out.insert(key.clone());
            match x {
                toml::Value::Array(items) if items.iter().all(toml::Value::is_table) && !items.is_empty() => {
                    items.iter().for_each(|i| keys(&format!("{key}[]"), i, out))
                }
                _ => keys(&key, x, out),
            }
        }
    }
}

/// Every config struct built field by field (no `..Default::default()`): a field added to a
/// config struct does not compile here until it is given a value, and then it must be in the
/// schema — and every schema key must be a field of some config.
#[test]
fn every_config_field_is_in_the_schema_and_every_schema_key_is_a_field() {
    use largestep::config::*;
    use largestep::data::csv::FileData;
    use largestep::metrics::{MetricsSpec, RankSpec, SparsitySpec};
    use largestep::model::{MlpInit, Precision};
    use largestep::schedule::{DecayFrom, ScheduleSpec, WarmupKind};
    let training = TrainingSpec {
        iterations: Some(10),
        iterations_log10: Some(1.0),
        quick_iterations: Some(2),
        algorithm: Algorithm::Sgd,
        batch: 1,
        loss: largestep::loss::Loss::HalfMse,
        seed: 0,
        snapshots: true,
        first_seed: 0,
        seeds: 1,
        vary_data: false,
    };
    let metrics = MetricsSpec {
        grid_dense: 1,
        grid_points: 2,
        jacobian_rank: Some(RankSpec { points: 1, tol: 0.1 }),
        support_size: true,
        feature_sparsity: Some(SparsitySpec { layers: vec![1], tau: 0.5 }),
    };
    let run = RunSpec {
        name: "a".into(),
        label: Some("b".into()),
        algorithm: Some(Algorithm::Gd),
        schedule: ScheduleSpec {
            step: 0.1,
            warmup: WarmupKind::Linear,
            warmup_factor: Some(2.0),
            decay_at: vec![0.5],
            decay_by: vec![2.0],
            decay_from: DecayFrom::Threshold,
        },
    };
    let data = [
        DataSpec::SparseRegression { n: 1, d: 1, r: 1, n_test: 1, seed: 0 },
        DataSpec::Relu1d { seed: 0 },
        DataSpec::Teacher { n: 1, d: 1, n_test: 1, hidden: vec![1], biases: true, unit_rows: true, seed: 0 },
        DataSpec::Csv(FileData {
            train: "a.csv".into(),
            test: Some("b.csv".into()),
            test_fraction: Some(0.5),
            target: Some("y".into()),
            header: true,
            seed: 0,
            rank_points: largestep::data::RankSource::File,
            rank_points_file: Some("r.csv".into()),
        }),
    ];
    let models = [
        ModelSpec::Diagonal { init_scale: 0.1 },
        ModelSpec::ReluMlp {
            hidden: vec![1],
            biases: vec![true, true],
            init: MlpInit::Blanc,
            precision: Precision::F32,
        },
        ModelSpec::ReluMlp {
            hidden: vec![1],
            biases: vec![true, true],
            init: MlpInit::Gaussian { scales: vec![1.0, 1.0] },
            precision: Precision::F64,
        },
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (d, m) in data.iter().zip(models.iter().cycle()).chain(std::iter::once((&data[0], &models[2]))) {
        let cfg = ExperimentConfig {
            name: "x".into(),
            title: "t".into(),
            figure: largestep::experiment::figure::Layout::Losses,
            rng: largestep::rng::RngKind::Chacha,
            data: d.clone(),
            model: m.clone(),
            training: training.clone(),
            metrics: metrics.clone(),
            runs: vec![run.clone()],
        };
        keys("", &toml::Value::try_from(&cfg).unwrap(), &mut seen);
    }
    for k in &seen {
        assert!(largestep::schema::lookup(k).is_some(), "config field {k} is missing from the schema (src/schema.rs)");
    }
    for f in largestep::schema::FIELDS {
        assert!(seen.contains(f.key), "schema key {} is no config field", f.key);
    }
}

/// `--set` goes through the same validation as the file; its errors name the key.
#[test]
fn set_errors_name_the_key() {
    let bad = |edits: &[&str], field: &str, what: &str| {
        let edits: Vec<String> = edits.iter().map(|e| e.to_string()).collect();
        let e = ExperimentConfig::parse_with_overrides(shipped("fig2"), "fig2.toml", &edits)
            .expect_err("must be refused")
            .to_string();
        assert_eq!(e.lines().count(), 1, "{e}");
        assert!(e.starts_with("fig2.toml: field `") && e.contains(&format!("`{field}`")) && e.contains(what), "{e}");
    };
    bad(&["data.width=3"], "data.width", "unknown field");
    bad(&["data.d=-1"], "data.d", "got -1");
    bad(&["runs.*.schedule.step=nan"], "runs[0].schedule.step", "finite");
    bad(&["runs.decay30.schedule.step=0"], "runs[2].schedule.step", "got 0");
    bad(&["runs[9].label=\"x\""], "runs[9].label", "");
    bad(&["training.batch=81"], "training.batch", "n = 80");
    bad(&["name=\"../x\""], "name", "plain file name");
    // Accepted overrides land where they say.
    let edits = ["data.d=300".to_string(), "runs.*.schedule.step=0.27".to_string()];
    let cfg = ExperimentConfig::parse_with_overrides(shipped("fig2"), "fig2.toml", &edits).unwrap();
    assert!(matches!(cfg.data, largestep::config::DataSpec::SparseRegression { d: 300, .. }));
    assert!(cfg.runs.iter().all(|r| r.schedule.step == 0.27));
}

/// Item 10: without `--vary-data` every seed shares one dataset (memory does not grow with
/// `--seeds`); with it, each seed draws its own.
#[test]
fn item10_seeds_share_one_dataset_unless_the_data_vary() {
    let cfg = ExperimentConfig::parse(shipped("fig3"), "fig3.toml").unwrap();
    let seeds = [0, 1, 2];
    let shared = largestep::experiment::datasets(&cfg, &seeds, false).unwrap();
    assert!(shared.windows(2).all(|w| std::sync::Arc::ptr_eq(&w[0], &w[1])));
    let varied = largestep::experiment::datasets(&cfg, &seeds, true).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&varied[0], &varied[1]) && varied[0].y != varied[1].y);
}

/// Overriding the run length replaces the other spelling and a `quick_iterations` above it;
/// both spellings, or a quick length above N given explicitly, stay conflicts.
#[test]
fn run_length_overrides_replace_their_other_spelling() {
    let with = |edits: &[&str]| {
        let edits: Vec<String> = edits.iter().map(|e| e.to_string()).collect();
        ExperimentConfig::parse_with_overrides(shipped("fig2"), "fig2.toml", &edits)
    };
    let cfg = with(&["training.iterations=200"]).unwrap();
    assert_eq!((cfg.training.total(false), cfg.training.total(true)), (200, 20));
    let cfg = with(&["training.iterations=50000"]).unwrap();
    assert_eq!((cfg.training.total(false), cfg.training.total(true)), (50000, 10001));
    let e = with(&["training.iterations=200", "training.quick_iterations=300"]).unwrap_err().to_string();
    assert!(e.contains("`training.quick_iterations`") && e.contains("N = 200"), "{e}");
    let e = with(&["training.iterations=200", "training.iterations_log10=3"]).unwrap_err().to_string();
    assert!(e.contains("not both"), "{e}");
}
