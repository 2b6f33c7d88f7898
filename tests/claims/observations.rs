//! The paper's claims decided once: `verify`, `sweep` and `report` give the same verdict for the
//! same claim, config and seeds (all three go through `largestep::claims`); reduced settings are
//! labelled and kept out of the paper's tally; the one definition of O1–O3 and the comparisons'
//! polarity are pinned by mutation-style tests.

use largestep::claims::{self, compare::Relation, registry, Check, Observation, Scale};
use largestep::experiment::{registry as figures, simulate, RunOptions};
use largestep::verify::Kind;
use std::process::Command;

fn largestep(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_largestep")).args(args).output().expect("runs the binary")
}

const SEEDS: usize = 6;

/// (kind label, holds, decided) of claim `id` in verify's JSON rows.
fn from_verify(json: &serde_json::Value, id: &str) -> (String, u64, u64) {
    let row = json["rows"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id}"));
    verdict_numbers(&row["verdict"])
}

fn verdict_numbers(v: &serde_json::Value) -> (String, u64, u64) {
    let kind = v["kind"].as_str().unwrap().to_string();
    let s = &v["statistic"];
    let runs = s["runs"].as_u64().unwrap_or(0);
    let holds = (s["estimate"].as_f64().unwrap_or(0.0) * runs as f64).round() as u64;
    let kind = match (kind.as_str(), v["supports"].as_bool()) {
        ("simulated", Some(true)) => "SIMULATED: SUPPORTS".to_string(),
        ("simulated", Some(false)) => "SIMULATED: CONTRADICTS".to_string(),
        ("undecided", _) => "UNDECIDED".to_string(),
        (k, _) => k.to_string(),
    };
    (kind, holds, runs)
}

#[test]
fn verify_sweep_and_report_give_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = SEEDS.to_string();
    // verify: every figure claim at the figures' quick lengths.
    let o = largestep(&["verify", "--quick", "--seeds", &seeds, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let verify: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // sweep: one cell (the figure's own training seed), the same seeds and length.
    let sweep_out = dir.path().join("sweep");
    let o = largestep(&[
        "sweep",
        "fig2",
        "--quick",
        "--seeds",
        &seeds,
        "--vary",
        "training.seed=1",
        "--out",
        sweep_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(sweep_out.join("observations.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let sweep: Vec<(String, String, u64, u64)> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let holds: u64 = rec[col("holds")].parse().unwrap();
            let fails: u64 = rec[col("fails")].parse().unwrap();
            (rec[col("observation")].to_string(), rec[col("verdict")].to_string(), holds, holds + fails)
        })
        .collect();
    // report: the figure sections decide the registry claims from the same runs.
    let report_out = dir.path().join("report");
    let o = largestep(&["report", "--quick", "--out", report_out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report_out.join("report.json")).unwrap()).unwrap();
    let from_report = |id: &str| {
        let c = report["claims"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id}"));
        assert!(c["scale"]["scale"] == "reduced", "{id}: the quick page's verdicts are labelled reduced");
        verdict_numbers(&c["verdict"])
    };
    assert_eq!(claims::QUICK_SEEDS, SEEDS, "report --quick uses the claims' quick seed count");
    for obs in Observation::ALL {
        let id = format!("{obs:?}-fig2");
        let v = from_verify(&verify, &id);
        let s = sweep.iter().find(|(o, ..)| o == obs.column()).unwrap_or_else(|| panic!("{obs:?} in the sweep"));
        assert_eq!((v.0.as_str(), v.1, v.2), (s.1.as_str(), s.2, s.3), "{id}: verify vs sweep");
        assert_eq!(v, from_report(&id), "{id}: verify vs report");
        eprintln!("{id}: {v:?}");
    }
    // Reduced rows never count in the paper's tally.
    let tally_total: u64 =
        verify["tally"]["counts"].as_object().map_or(0, |m| m.values().map(|v| v.as_u64().unwrap()).sum());
    let paper_rows = verify["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["role"] == "Paper" && r["scale"]["scale"] == "paper")
        .count();
    assert_eq!(tally_total as usize, paper_rows);
    let simulated = |r: &&serde_json::Value| r["method"].as_str().unwrap_or_default().starts_with("simulation (");
    for r in verify["rows"].as_array().unwrap().iter().filter(simulated) {
        assert_eq!(r["scale"]["scale"], "reduced", "{}: a quick-length verdict is labelled reduced", r["id"]);
    }
}

#[test]
fn quick_outcomes_are_reduced_and_full_length_ones_are_the_papers() {
    let cfg = figures::get("fig3").unwrap().unwrap();
    let mut opts = RunOptions::new("");
    opts.quick = true;
    let quick = simulate(&cfg, &opts).unwrap();
    assert!(matches!(Scale::of(&quick), Scale::Reduced(_)));
    // An override makes it reduced even at full length.
    let text = cfg.to_toml();
    let changed = largestep::config::ExperimentConfig::parse_with_overrides(
        &text,
        "fig3",
        &["training.iterations=10001".into(), "runs.gd.schedule.step=2.9".into()],
    )
    .unwrap();
    let o = simulate(&changed, &RunOptions::new("")).unwrap();
    assert!(matches!(Scale::of(&o), Scale::Reduced(w) if w.contains("override")), "{:?}", Scale::of(&o));
    let o = simulate(&cfg, &RunOptions::new("")).unwrap();
    assert_eq!(Scale::of(&o), Scale::Paper);
}

#[test]
fn every_claim_is_tied_to_the_paper_and_fig11_has_the_papers_polarity() {
    for c in claims::CLAIMS {
        assert!(!c.sentence.is_empty() && !c.reference.is_empty(), "{}", c.id);
    }
    // Statements the paper never makes are not in the paper's rows.
    assert!(registry::get("O-divergence").is_none());
    assert_eq!(registry::get("fig3-sgd-vs-gf-support").unwrap().role, claims::Role::Diagnostic);
    let Check::Compare(c) = registry::get("fig11-gd-test").unwrap().check else { panic!() };
    assert_eq!(c.relation, Relation::NotBelow, "the paper: large-step GD does not improve the test loss");
    // Every observation figure of §3 has O1 and O3 rows.
    for fig in ["fig2", "fig4", "fig5", "fig14"] {
        for o in ["O1", "O3"] {
            assert!(registry::get(&format!("{o}-{fig}")).is_some(), "{o}-{fig}");
        }
    }
    // Claims without a check are listed and undecided.
    let pending = claims::pending(registry::get("S2.3-columns").unwrap());
    assert_eq!(pending.verdict.kind(), Kind::Undecided);
}

#[test]
fn a_flipped_comparison_changes_the_verdict() {
    // Fig. 11 at its quick length, 6 seeds: GD's large step ends with a higher test loss than the
    // small constant step (the paper's "does not improve"); the opposite relation must not agree.
    let cfg = figures::get("fig11").unwrap().unwrap();
    let mut opts = RunOptions::new("");
    opts.quick = true;
    opts.seeds = SEEDS;
    let o = simulate(&cfg, &opts).unwrap();
    let claim = registry::get("fig11-gd-test").unwrap();
    let d = claims::decide(claim, &o);
    let Check::Compare(mut flipped) = claim.check else { panic!() };
    flipped.relation = Relation::Below;
    let per: Vec<Option<bool>> = (0..SEEDS).map(|k| flipped.on_seed(&o, k).unwrap().0).collect();
    let orig: Vec<Option<bool>> = (0..SEEDS).map(|k| claim_on_seed(claim, &o, k)).collect();
    for (a, b) in per.iter().zip(&orig) {
        if let (Some(a), Some(b)) = (a, b) {
            assert_ne!(a, b, "a flipped relation gives the opposite per-seed outcome");
        }
    }
    eprintln!("{}: {} — {}", d.id, d.verdict, d.detail);
}

fn claim_on_seed(c: &claims::Claim, o: &largestep::experiment::Outcome, k: usize) -> Option<bool> {
    match c.check {
        Check::Compare(cmp) => cmp.on_seed(o, k).unwrap().0,
        _ => None,
    }
}
