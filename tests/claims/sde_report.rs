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
use largestep::sde::Arm;
use largestep_theory::verdict::{Kind, Verdict};
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

const SEEDS: usize = 5;

/// A comparison with five identical seeds whose `jacobian_rank` goes 200 → `finals` (SGD, SDE,
/// stable flow; the γ = η/10 flow ends as the stable one), with both flows passing through
/// `gf_peak`.
fn fake(finals: [f64; 3], gf_peak: f64) -> Comparison {
    let base = ExperimentConfig::parse(include_str!("../../experiments/fig2.toml"), "fig2").unwrap();
    let mut cfg = comparison_config(&base, &base.runs[0], "t", "t", true);
    cfg.metrics.support_size = false;
    let data = SparseRegression { n: 4, d: 3, r: 1, n_test: 2 }.generate(&mut ChaChaSource::new(0), 0);
    let row =
        |t: usize, m: f64| Row { iteration: t, step_size: 0.1, train_loss: 0.1, test_loss: 0.1, metrics: vec![m] };
    let per_run = [finals[0], finals[1], finals[2], finals[2]];
    let logs = (0..SEEDS as u64)
        .flat_map(|seed| {
            Arm::ALL.iter().zip(per_run).map(move |(a, f)| {
                let mid = if a.is_flow() { gf_peak } else { 200.0 };
                RunLog {
                    run: a.name().to_string(),
                    seed,
                    rows: vec![row(0, 200.0), row(5, mid), row(10, f)],
                    large_phase_end: 10,
                    total: 11,
                    ..Default::default()
                }
            })
        })
        .collect();
    let outcome = Outcome {
        config: cfg,
        datasets: {
            let d = Arc::new(data);
            (0..SEEDS).map(|_| Arc::clone(&d)).collect()
        },
        logs,
        columns: vec!["jacobian_rank".into()],
        total: 11,
        grid: vec![0, 5, 10],
        out: Default::default(),
        config_text: String::new(),
        provenance: None,
    };
    Comparison {
        outcome,
        rows: vec![],
        sharpness: vec![vec![]; SEEDS * Arm::ALL.len()],
        timing: Default::default(),
        gf_shared: vec![false; SEEDS],
        flow_of: (0..SEEDS).collect(),
    }
}

fn kinds(c: &Comparison) -> (Kind, Kind) {
    let v = verdicts(c);
    (v.sde.kind(), v.gf.kind())
}

#[test]
fn verdicts_can_go_either_way() {
    use Kind::{SimulatedContradicts as No, SimulatedSupports as Yes, Undecided};
    assert_eq!(kinds(&fake([150.0, 155.0, 200.0], 200.0)), (Yes, Yes));
    assert_eq!(kinds(&fake([150.0, 199.0, 200.0], 200.0)).0, No, "too little");
    let too_much = fake([150.0, 60.0, 200.0], 200.0);
    assert_eq!(kinds(&too_much).0, No, "over-regularized");
    assert!(verdicts(&too_much).lines[0].contains("SDE 60"), "{:?}", verdicts(&too_much).lines);
    assert_eq!(kinds(&fake([150.0, 155.0, 160.0], 210.0)).1, No, "the flow reduces");
    let v = verdicts(&fake([199.0, 199.0, 200.0], 200.0));
    assert_eq!(v.sde.kind(), Undecided, "no SGD reduction: {}", v.overall());
    assert!(v.overall().contains("nothing to reproduce"), "{}", v.overall());
}

/// Seeds that share one deterministic flow are one observation: five copies of one flow are not
/// a rate over five runs. One shared flow decides alone (one run, no interval); two groups are a
/// rate over two flows (undecided by its Wilson interval).
#[test]
fn shared_flows_count_once() {
    let mut one = fake([150.0, 155.0, 200.0], 200.0);
    one.flow_of = vec![0; SEEDS];
    let v = verdicts(&one);
    assert_eq!((v.sde.kind(), v.gf.kind()), (Kind::SimulatedSupports, Kind::SimulatedSupports), "{}", v.overall());
    match &v.gf {
        Verdict::Simulated { statistic, criterion, .. } => {
            assert_eq!((statistic.runs, statistic.interval), (1, None));
            assert!(criterion.contains("one deterministic run"), "{criterion}");
        }
        other => panic!("{other:?}"),
    }
    let mut reduced = fake([150.0, 155.0, 160.0], 210.0);
    reduced.flow_of = vec![0; SEEDS];
    assert_eq!(verdicts(&reduced).gf.kind(), Kind::SimulatedContradicts);
    let mut two = fake([150.0, 155.0, 200.0], 200.0);
    two.flow_of = vec![0, 0, 0, 3, 3];
    let v = verdicts(&two);
    assert_eq!(v.gf.kind(), Kind::Undecided, "{}", v.overall());
    assert!(v.overall().contains("distinct flow") && v.overall().contains("over 2 runs"), "{}", v.overall());
}

/// A mixed outcome (3 of 5 seeds) has a Wilson interval containing ½: undecided, not a pass.
#[test]
fn a_split_over_seeds_is_undecided() {
    let mut c = fake([150.0, 155.0, 200.0], 200.0);
    for k in 0..2 {
        c.outcome.logs[k * Arm::ALL.len() + Arm::Sde.index()].rows[2].metrics[0] = 199.0;
    }
    let v = verdicts(&c);
    assert_eq!(v.sde.kind(), Kind::Undecided, "{}", v.overall());
    assert!(v.overall().contains("0.6000 over 5 runs"), "{}", v.overall());
}

/// Issue 16 item 5: a diverged or NaN SDE or flow run, or a NaN / non-positive flow peak, makes the
/// verdicts UNDECIDED with the reason, whatever the other seeds say.
#[test]
fn diverged_or_nan_sde_or_flow_run_is_undecided() {
    let nr = Arm::ALL.len();
    let mut sde_diverged = fake([150.0, 155.0, 200.0], 200.0);
    sde_diverged.outcome.logs[2 * nr + 1].diverged_at = Some(5);
    let v = verdicts(&sde_diverged);
    assert_eq!(v.sde.kind(), Kind::Undecided);
    assert!(v.overall().contains("run `sde` (seed 2) diverged at iteration 5"), "{}", v.overall());
    assert_eq!(v.gf.kind(), Kind::SimulatedSupports, "the flow claim does not need the SDE");

    let mut gf_diverged = fake([150.0, 155.0, 200.0], 200.0);
    gf_diverged.outcome.logs[3 * nr + Arm::StableFlow.index()].diverged_at = Some(7);
    let v = verdicts(&gf_diverged);
    assert_eq!((v.sde.kind(), v.gf.kind()), (Kind::Undecided, Kind::Undecided), "{}", v.overall());
    assert!(v.overall().contains("run `gf_stable` (seed 3) diverged"), "{}", v.overall());

    let mut nan = fake([150.0, 155.0, 200.0], 200.0);
    nan.outcome.logs[1].rows[2].metrics[0] = f64::NAN;
    assert_eq!(kinds(&nan).0, Kind::Undecided);

    for peak in [f64::NAN, 0.0, -1.0] {
        let mut bad_peak = fake([150.0, 155.0, 200.0], 200.0);
        for r in &mut bad_peak.outcome.logs[Arm::StableFlow.index()].rows {
            r.metrics[0] = peak;
        }
        let v = verdicts(&bad_peak);
        assert_eq!((v.sde.kind(), v.gf.kind()), (Kind::Undecided, Kind::Undecided), "peak {peak}: {}", v.overall());
    }
    // The γ = η/10 flow does not decide: its divergence alone changes nothing.
    let mut plain = fake([150.0, 155.0, 200.0], 200.0);
    plain.outcome.logs[2].diverged_at = Some(3);
    assert_eq!(kinds(&plain), (Kind::SimulatedSupports, Kind::SimulatedSupports));
}
