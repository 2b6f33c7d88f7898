//! The comparison configs (`experiments/sde/`), their validation, and the report's verdict logic
//! on constructed logs (so each verdict can come out either way).

use largestep::config::ExperimentConfig;
use largestep::data::SparseRegression;
use largestep::experiment::Outcome;
use largestep::record::{Row, RunLog};
use largestep::rng::ChaChaSource;
use largestep::sde::compare::{comparison_config, Comparison};
use largestep::sde::report::verdicts;
use largestep::sde::spec::{self, SdeSpec};
use std::sync::Arc;

#[test]
fn embedded_specs_parse_and_resolve_or_say_why() {
    for name in spec::names() {
        let s = spec::get(name).unwrap().unwrap();
        assert_eq!(s.name, name);
        match s.resolve() {
            Ok((base, run)) => assert!(base.runs.iter().any(|r| r.name == run.name)),
            Err(why) => assert!(why.contains("not embedded"), "{name}: {why}"),
        }
    }
    let (_, run) = spec::get("diagonal").unwrap().unwrap().resolve().unwrap();
    assert_eq!(run.name, "decay50");
    assert!(spec::get("nope").is_none());
}

#[test]
fn bad_specs_name_the_field() {
    let ok = "name = \"x\"\nbase = \"fig2\"\nc = 0.1\n";
    assert!(SdeSpec::parse(ok, "f.toml").is_ok());
    let cases = [
        ("name = \"x\"\nbase = \"fig2\"\nc = -1.0\n", "c"),
        ("name = \"x\"\nbase = \"fig2\"\nc = 0.1\nsubsteps = 0\n", "substeps"),
        ("name = \"x\"\nbase = \"fig2\"\nc = 0.1\n[calibrate]\nlo = 2.0\nhi = 1.0\n", "calibrate.hi"),
        ("name = \"x\"\nbase = \"fig2\"\nc = 0.1\n[calibrate]\nevaluations = 1\n", "calibrate.evaluations"),
    ];
    for (text, field) in cases {
        let e = SdeSpec::parse(text, "f.toml").unwrap_err();
        assert_eq!(e.field, field, "{e}");
        assert!(e.to_string().starts_with("f.toml: field"), "{e}");
    }
    assert!(SdeSpec::parse("name = \"x\"\nbase = \"fig2\"\nc = 0.1\ncolour = 1\n", "f.toml").is_err());
    let missing = SdeSpec::parse("name = \"x\"\nbase = \"fig2\"\nc = 0.1\nrun = \"nope\"\n", "f.toml").unwrap();
    assert!(missing.resolve().unwrap_err().contains("no run \"nope\""));
}

/// A comparison with one seed whose `jacobian_rank` goes 200 → `finals` (SGD, SDE, GF), with GF
/// passing through `gf_peak`.
fn fake(finals: [f64; 3], gf_peak: f64) -> Comparison {
    let base = ExperimentConfig::parse(include_str!("../experiments/fig2.toml"), "fig2").unwrap();
    let mut cfg = comparison_config(&base, &base.runs[0], "t", "t", true);
    cfg.metrics.support_size = false;
    let data = SparseRegression { n: 4, d: 3, r: 1, n_test: 2 }.generate(&mut ChaChaSource::new(0), 0);
    let row =
        |t: usize, m: f64| Row { iteration: t, step_size: 0.1, train_loss: 0.1, test_loss: 0.1, metrics: vec![m] };
    let logs = ["sgd", "sde", "gf"]
        .iter()
        .zip(finals)
        .map(|(n, f)| {
            let mid = if *n == "gf" { gf_peak } else { 200.0 };
            RunLog {
                run: n.to_string(),
                rows: vec![row(0, 200.0), row(5, mid), row(10, f)],
                large_phase_end: 10,
                total: 11,
                ..Default::default()
            }
        })
        .collect();
    let outcome = Outcome {
        config: cfg,
        datasets: vec![Arc::new(data)],
        logs,
        columns: vec!["jacobian_rank".into()],
        total: 11,
        grid: vec![0, 5, 10],
        out: Default::default(),
    };
    Comparison { outcome, rows: vec![], seconds: (0.0, 0.0) }
}

#[test]
fn verdicts_can_go_either_way() {
    let (_, v) = verdicts(&fake([150.0, 155.0, 200.0], 200.0));
    assert!(v.contains("level): HOLDS") && v.contains("none): HOLDS"), "{v}");
    let (_, v) = verdicts(&fake([150.0, 199.0, 200.0], 200.0));
    assert!(v.contains("level): DOES NOT HOLD"), "too little: {v}");
    let (lines, v) = verdicts(&fake([150.0, 60.0, 200.0], 200.0));
    assert!(v.contains("level): DOES NOT HOLD") && lines[0].contains("over-regularized"), "too much: {v}");
    let (_, v) = verdicts(&fake([150.0, 155.0, 160.0], 210.0));
    assert!(v.contains("none): DOES NOT HOLD"), "GF reduces: {v}");
    let (_, v) = verdicts(&fake([199.0, 199.0, 200.0], 200.0));
    assert!(v.contains("not tested"), "no SGD reduction: {v}");
}
