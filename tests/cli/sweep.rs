//! `largestep sweep` / `merge`: the grid syntax, sharding, byte-identical merges, rates that
//! exclude and count diverged runs, and one-line errors for bad fields and ranges.

use largestep::config::ExperimentConfig;
use largestep::experiment::{self, RunOptions};
use largestep::sweep::{observations, Grid, ObservationSpec, Shard};
use std::path::Path;
use std::process::Command;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/slurm/example.toml");
const FILES: [&str; 8] =
    ["runs.csv", "seeds.csv", "cells.csv", "observations.csv", "grid.json", "config.toml", "phase.png", "phase.svg"];

fn largestep(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_largestep")).args(args).output().expect("runs the binary")
}

fn sweep_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "sweep",
        EXAMPLE,
        "--seeds",
        "2",
        "--vary",
        "runs.decay10.schedule.step+runs.decay30.schedule.step+runs.decay50.schedule.step=0.25,0.3",
        "--vary",
        "training.seed=1,2",
        "--out",
        out,
    ];
    v.extend(extra);
    v
}

#[test]
fn grid_syntax_ranges_lists_and_shards() {
    let g = Grid::parse(&["a.b=0.25:0.29:9".into(), "runs.x.y+runs.z.y=[0.1, 0.2],[0.3]".into()]).unwrap();
    assert_eq!(g.axes[0].values, ["0.25", "0.255", "0.26", "0.265", "0.27", "0.275", "0.28", "0.285", "0.29"]);
    assert_eq!(g.axes[1].values, ["[0.1, 0.2]", "[0.3]"]);
    assert_eq!(g.len(), 18);
    assert_eq!(g.coords(3), [1, 1]);
    assert_eq!(g.overrides(3), ["a.b=0.255", "runs.x.y=[0.3]", "runs.z.y=[0.3]"]);
    // Shards partition the cells: each cell exactly once.
    let mut all: Vec<usize> = (0..4).flat_map(|i| Shard::parse(&format!("{i}/4")).unwrap().cells(18)).collect();
    all.sort();
    assert_eq!(all, (0..18).collect::<Vec<_>>());
    for bad in ["4/4", "1", "a/2", "0/0"] {
        assert!(Shard::parse(bad).is_err(), "{bad}");
    }
    for bad in ["a.b", "a.b=1:2", "a.b=1:2:0", "a.b=x:2:3", "=1,2", "a.b=1,,2"] {
        assert!(Grid::parse(&[bad.into()]).is_err(), "{bad}");
    }
    assert!(Grid::parse(&["a=1,2".into(), "b+a=3".into()]).is_err(), "a key varied twice");
}

/// Shards 0/3, 1/3, 2/3 merged (in any order) give the unsharded sweep's files byte for byte.
#[test]
fn sharded_merge_is_byte_identical_to_unsharded() {
    let dir = tempfile::tempdir().unwrap();
    let p = |s: &str| dir.path().join(s).to_str().unwrap().to_string();
    let (whole, merged) = (p("whole"), p("merged"));
    let out = largestep(&sweep_args(&whole, &[]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shards: Vec<String> = (0..3).map(|i| p(&format!("s{i}"))).collect();
    for (i, s) in shards.iter().enumerate() {
        let shard = format!("{i}/3");
        let out = largestep(&sweep_args(s, &["--shard", &shard]));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!Path::new(s).join("cells.csv").exists(), "a shard writes no summary");
    }
    let out = largestep(&["merge", &shards[2], &shards[0], &shards[1], "--out", &merged]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for f in FILES {
        let (a, b) =
            (std::fs::read(Path::new(&whole).join(f)).unwrap(), std::fs::read(Path::new(&merged).join(f)).unwrap());
        assert!(a == b, "{f} differs between the merged shards and the unsharded sweep");
    }
    // The summary has every cell × run with a Wilson interval around each rate.
    let cells = std::fs::read_to_string(Path::new(&whole).join("cells.csv")).unwrap();
    assert_eq!(cells.lines().count(), 1 + 4 * 4);
    let obs = std::fs::read_to_string(Path::new(&whole).join("observations.csv")).unwrap();
    assert!(obs.lines().next().unwrap().contains("observation,holds,fails,undecided,rate,lo,hi"));
    assert_eq!(obs.lines().count(), 1 + 4 * 3);

    // A gap and an overlap are refused, naming the cell.
    let gap = largestep(&["merge", &shards[0], &shards[1], "--out", &p("gap")]);
    assert!(!gap.status.success() && String::from_utf8_lossy(&gap.stderr).contains("no shard holds cell 2"));
    let twice = largestep(&["merge", &shards[0], &shards[0], &shards[1], &shards[2], "--out", &p("twice")]);
    assert!(!twice.status.success() && String::from_utf8_lossy(&twice.stderr).contains("is in both"));
}

/// A bad field name or an out-of-range value stops the sweep with one line naming it.
#[test]
fn bad_field_or_range_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for (vary, needle) in [
        ("runs.*.schedule.stepp=0.1,0.2", "stepp"),
        ("training.batch=0,1", "batch"),
        ("runs.*.schedule.step=0.1:0.2:0", "COUNT"),
        ("runs.nosuchrun.schedule.step=0.1", "nosuchrun"),
    ] {
        let o = largestep(&["sweep", EXAMPLE, "--vary", vary, "--out", out]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{vary}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{vary}: {err}");
        assert!(err.contains(needle), "{vary}: {err}");
    }
}

#[test]
fn sweep_help_documents_the_grid_syntax() {
    let o = largestep(&["sweep", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in ["KEY=V1,V2", "START:STOP:COUNT", "KEY1+KEY2", "--shard", "runs.NAME", "largestep merge"] {
        assert!(help.contains(needle), "sweep --help lacks {needle}");
    }
}

/// A run that diverges on every seed is excluded from the medians and counted; the observations
/// that compare it are undecided, never passed.
#[test]
fn diverged_runs_are_counted_and_excluded() {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let cfg = ExperimentConfig::parse_with_overrides(&text, "example.toml", &["runs.decay50.schedule.step=5.0".into()])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(dir.path());
    opts.seeds = 3;
    opts.plot = false;
    let o = experiment::run(&cfg, &opts).unwrap();
    assert_eq!(o.diverged_count(3), 3);
    assert_eq!(o.diverged_count(0), 0);
    let agg = o.aggregate(3);
    let test = agg.iter().find(|(n, _)| n == "final_test_loss").unwrap().1;
    assert_eq!((test.converged, test.diverged), (0, 3));
    assert!(test.median.is_nan(), "no converged run: no median");
    let a0 = o.aggregate(0).into_iter().find(|(n, _)| n == "final_test_loss").unwrap().1;
    assert!(a0.converged == 3 && a0.median.is_finite() && a0.q1 <= a0.median && a0.median <= a0.q3);
    let csv = std::fs::read_to_string(dir.path().join("aggregate.csv")).unwrap();
    assert!(csv.lines().next().unwrap().starts_with("run,seeds,diverged,"));
    assert!(csv.lines().any(|l| l.starts_with("decay50,3,3,")), "{csv}");
    let names: Vec<String> = cfg.runs.iter().map(|r| r.name.clone()).collect();
    let spec = ObservationSpec::new(&names, None, 0.05).unwrap();
    let rates = observations::rates(&o, &spec);
    let o2 = rates.iter().find(|(n, _)| n == "O2_ordering").unwrap().1;
    assert_eq!((o2.holds, o2.fails, o2.undecided), (0, 0, 3));
    let d = rates.iter().find(|(n, _)| n == "diverged:decay50").unwrap().1;
    let s = d.rate("P(diverge)");
    assert_eq!(s.estimate, 1.0);
    assert!(s.interval.unwrap()[0] > 0.3 && s.interval.unwrap()[1] == 1.0);
}
