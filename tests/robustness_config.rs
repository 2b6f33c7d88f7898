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
    refused(&edit("fig5", "figure = \"arrows\"", "figure = \"functions\""), "figure", "1-D inputs");
    // `trajectories` with a ReLU net (panicked in trajectories.rs).
    refused(&edit("fig4", "figure = \"functions\"", "figure = \"trajectories\""), "figure", "diagonal");
}

#[test]
fn item3_sizes_beyond_this_machine_name_the_field_and_the_estimate() {
    let huge = [
        ("fig2", "\nn = 80", "\nn = 90000000", "data.n"),
        ("fig2", "\nn_test = 1000", "\nn_test = 100000000", "data.n"),
        ("fig4", "hidden = [100]", "hidden = [100000000]", "model.hidden"),
        ("fig2", "points = 400", "points = 1000000", "metrics.jacobian_rank.points"),
    ];
    for (fig, from, to, field) in huge {
        refused(&edit(fig, from, to), field, "of memory");
    }
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
