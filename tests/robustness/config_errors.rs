//! Every config error names the file, the field and the allowed range; none panics.

use largestep::config::ExperimentConfig;

const BASE: &str = include_str!("../../experiments/fig2.toml");

fn err(text: &str) -> String {
    ExperimentConfig::parse(text, "my.toml").expect_err("must be rejected").to_string()
}

fn replace(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "fixture lost {from:?}");
    BASE.replacen(from, to, 1)
}

#[test]
fn embedded_configs_parse() {
    for name in largestep::experiment::registry::names() {
        largestep::experiment::registry::get(name).unwrap().unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn each_bad_value_names_file_field_and_range() {
    let cases = [
        (replace("schedule = { step = 0.25 }", "schedule = { step = 0.0 }"), "runs[0].schedule", "step", "> 0"),
        (replace("schedule = { step = 0.25 }", "schedule = { step = -1.0 }"), "runs[0].schedule", "step", "> 0"),
        (replace("decay_at = [0.1]", "decay_at = [1.5]"), "runs[1].schedule", "decay_at", "(0, 1]"),
        (replace("decay_at = [0.1]", "decay_at = [0.0]"), "runs[1].schedule", "decay_at", "(0, 1]"),
        (replace("decay_by = [4.8]", "decay_by = [0.0]"), "runs[1].schedule", "decay_by", "> 0"),
        (replace("\nr = 20", "\nr = 300"), "data", "r", "[1, d = 200]"),
        (replace("\nr = 20", "\nr = 0"), "data", "r", "[1, d = 200]"),
        (replace("\nn = 80", "\nn = 0"), "data", "n", "≥ 1"),
        (replace("\nn_test = 1000", "\nn_test = 0"), "data", "n_test", "≥ 1"),
        (replace("init_scale = 0.1", "init_scale = 0.0"), "model", "init_scale", "> 0"),
        (replace("batch = 1", "batch = 0"), "training", "batch", "≥ 1"),
        (replace("grid_points = 250", "grid_points = 1"), "metrics", "grid_points", "≥ 2"),
        (replace("tol = 1e-15", "tol = 1.5"), "metrics.jacobian_rank", "tol", "[0, 1)"),
        (replace("points = 400", "points = 0"), "metrics.jacobian_rank", "points", "≥ 1"),
        (replace("iterations_log10 = 5 ", "iterations_log10 = 12 "), "training", "iterations_log10", "[0, 9]"),
    ];
    for (text, table, field, range) in cases {
        let e = err(&text);
        assert!(e.starts_with("my.toml: "), "{e}");
        assert!(e.contains(&format!("`{table}.{field}`")), "{e} (expected field {table}.{field})");
        assert!(e.contains(range), "{e} (expected range {range})");
    }
}

#[test]
fn unknown_keys_and_types_are_rejected_with_their_place() {
    let e = err(&replace("init_scale = 0.1", "init_scale = 0.1\nwidth = 3"));
    assert!(e.contains("my.toml") && e.contains("model") && e.contains("width"), "{e}");
    let e = err(&replace("\nn = 80", "\nn = \"eighty\""));
    assert!(e.contains("data.n"), "{e}");
    let e = err(&replace("batch = 1", "batch = 1\nmomentum = 0.9"));
    assert!(e.contains("momentum"), "{e}");
    let e = err(&replace("kind = \"diagonal\"", "kind = \"transformer\""));
    assert!(e.contains("model") && e.contains("transformer"), "{e}");
    let e = err("name = \"x\"\n");
    assert!(e.contains("my.toml") && e.contains("missing field"), "{e}");
    let e = err(&BASE.replace("[[runs]]", "[[nope]]"));
    assert!(e.contains("nope"), "{e}");
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let e = ExperimentConfig::load(std::path::Path::new("/nonexistent/cfg.toml")).unwrap_err().to_string();
    assert!(e.contains("/nonexistent/cfg.toml") && e.contains("cannot read"), "{e}");
}
