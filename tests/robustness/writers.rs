//! Every subcommand writes its result folder as one set (`largestep::output::OutputDir`):
//! a second run into a folder in use refuses and leaves the first's set intact, a folder of
//! someone else's files is refused, and a run killed (SIGKILL) at seeded moments leaves the old
//! set or the complete new one, with the rerun cleaning up what it left (issue 35, item 1).

use crate::common::{files, kill_after, largestep};
use largestep::output::{atomic_write, OutputDir};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/slurm/example.toml");

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// A sweep of the example over two cells (seconds), into `out`.
fn sweep_args(out: &str, step: &str) -> Vec<String> {
    [
        "sweep",
        EXAMPLE,
        "--quick",
        "--seeds",
        "1",
        "--vary",
        &format!("runs.decay10.schedule.step={step}"),
        "--vary",
        "training.seed=1,2",
        "--out",
        out,
    ]
    .map(String::from)
    .to_vec()
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// An old set committed through the writer (one file), as a run of another command would.
fn old_set(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let d = OutputDir::begin(out).unwrap();
    atomic_write(&d.staging().join("old.txt"), b"the first run's set").unwrap();
    d.commit().unwrap();
    files(out)
}

/// The commands whose writer is checked, each with a cheap argument list into `out`.
fn commands(root: &Path, out: &str) -> Vec<(&'static str, Vec<String>)> {
    let shards: Vec<String> = (0..2).map(|i| root.join(format!("shard{i}")).to_str().unwrap().to_string()).collect();
    for (i, s) in shards.iter().enumerate() {
        if !Path::new(s).exists() {
            let mut a = sweep_args(s, "0.3");
            a.extend(["--shard".into(), format!("{i}/2")]);
            let o = largestep(&as_strs(&a));
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
    let q = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("sweep", sweep_args(out, "0.3")),
        ("merge", q(&["merge", &shards[0], &shards[1], "--out", out])),
        ("sde-vs-sgd", q(&["sde-vs-sgd", "--model", "diagonal", "--quick", "--seeds", "1", "--no-plot", "--out", out])),
        ("report", q(&["report", "--quick", "--out", out])),
    ]
}

/// A folder of someone else's files is refused by every subcommand, before any work, and its
/// files are untouched.
#[test]
fn a_foreign_folder_is_refused_by_every_subcommand() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("config.toml"), "my own notes").unwrap();
    std::fs::write(out.join("index.html"), "<p>my site</p>").unwrap();
    let before = files(&out);
    for (name, args) in commands(root.path(), out.to_str().unwrap()) {
        let o = largestep(&as_strs(&args));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("not written by largestep") && err.contains("mine"), "{name}: {err}");
        assert_eq!(files(&out), before, "{name} touched a foreign folder");
    }
}

/// While one run holds a folder, a second run of every subcommand into it refuses at once
/// (naming the holder's pid), and the first run's set is intact.
#[test]
fn a_second_run_into_a_folder_in_use_refuses_and_keeps_the_set() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("res");
    let set = old_set(&out);
    let holder = OutputDir::begin(&out).unwrap();
    for (name, args) in commands(root.path(), out.to_str().unwrap()) {
        let o = largestep(&as_strs(&args));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("in use") && err.contains(&std::process::id().to_string()), "{name}: {err}");
        assert_eq!(files(&out), set, "{name} changed the set of the run holding the folder");
    }
    drop(holder);
}

/// Two sweeps into one folder one after the other: each leaves exactly its own set (no file of
/// the first survives beside the second's).
#[test]
fn consecutive_sweeps_leave_exactly_the_last_set() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, out) = (root.path().join("a"), root.path().join("b"), root.path().join("out"));
    for (dir, step) in [(&a, "0.25"), (&b, "0.3"), (&out, "0.25"), (&out, "0.3")] {
        let o = largestep(&as_strs(&sweep_args(dir.to_str().unwrap(), step)));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_ne!(files(&a), files(&b));
    assert_eq!(files(&out), files(&b));
    assert_eq!(names(root.path()), ["a", "b", "out"], "no lock, staging or resume folder left");
}

/// A tiny seeded generator of kill moments (no external crate).
fn moments(seed: u64, n: usize, span: Duration) -> Vec<Duration> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            span.mul_f64((s % 1000) as f64 / 1000.0)
        })
        .collect()
}

/// Runs `args` (writing into `out`, which holds `old`) and SIGKILLs it at seeded moments within
/// `span`; after each kill `out` holds exactly `old` or a complete new set (`complete`). Then an
/// uninterrupted rerun succeeds and leaves no staging folder, lock or resume state beside `out`.
fn kill_and_rerun(
    args: &[String],
    out: &Path,
    old: &BTreeMap<String, Vec<u8>>,
    span: Duration,
    seed: u64,
    complete: impl Fn(&BTreeMap<String, Vec<u8>>) -> bool,
) -> BTreeMap<String, Vec<u8>> {
    for (i, at) in moments(seed, 4, span).into_iter().enumerate() {
        kill_after(args, at);
        let now = files(out);
        assert!(now == *old || complete(&now), "kill {i} at {at:?}: a mixed or partial set: {:?}", now.keys());
    }
    let o = Command::new(env!("CARGO_BIN_EXE_largestep")).args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let parent = out.parent().unwrap();
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let left: Vec<String> = names(parent).into_iter().filter(|n| n.contains(&name) && *n != name).collect();
    assert!(left.is_empty(), "the rerun left {left:?}");
    let new = files(out);
    assert!(complete(&new));
    new
}

/// How long `args` takes uninterrupted (only to spread the kill moments; never asserted).
fn duration_of(args: &[String]) -> Duration {
    let t = Instant::now();
    let o = largestep(&as_strs(args));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    t.elapsed()
}

#[test]
fn a_killed_sweep_leaves_the_old_or_the_new_set() {
    let root = tempfile::tempdir().unwrap();
    let reference = root.path().join("reference");
    let new_args = sweep_args(reference.to_str().unwrap(), "0.3");
    let span = duration_of(&new_args);
    let new = files(&reference);
    let out = root.path().join("out");
    let o = largestep(&as_strs(&sweep_args(out.to_str().unwrap(), "0.25")));
    assert!(o.status.success());
    let old = files(&out);
    let args = sweep_args(out.to_str().unwrap(), "0.3");
    let last = kill_and_rerun(&args, &out, &old, span, 35, |f| *f == new);
    assert_eq!(last, new, "the resumed sweep differs from the uninterrupted one");
}

#[test]
fn a_killed_merge_leaves_the_old_or_the_new_set() {
    let root = tempfile::tempdir().unwrap();
    let cmds = commands(root.path(), root.path().join("reference").to_str().unwrap());
    let merge = &cmds.iter().find(|c| c.0 == "merge").unwrap().1;
    let span = duration_of(merge);
    let new = files(&root.path().join("reference"));
    let out = root.path().join("out");
    let old = old_set(&out);
    let mut args = merge.clone();
    *args.last_mut().unwrap() = out.to_str().unwrap().to_string();
    kill_and_rerun(&args, &out, &old, span, 36, |f| *f == new);
}

#[test]
fn a_killed_sde_vs_sgd_leaves_the_old_or_the_new_set() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let cmds = commands(root.path(), out.to_str().unwrap());
    let args = &cmds.iter().find(|c| c.0 == "sde-vs-sgd").unwrap().1;
    let span = duration_of(args);
    // Its report states wall times: a complete set is every file name of a finished run, with
    // the data files byte for byte.
    let new = files(&out);
    let old = old_set(&out);
    let complete = |f: &BTreeMap<String, Vec<u8>>| {
        f.keys().eq(new.keys()) && f.iter().filter(|(k, _)| k.ends_with(".csv")).all(|(k, v)| new[k] == *v)
    };
    kill_and_rerun(args, &out, &old, span, 37, complete);
}

/// The report is too slow to rerun here; its kill leaves the old set, and the leftovers are
/// removed by the next run into the folder (the same writer).
#[test]
fn a_killed_report_leaves_the_old_set() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let old = old_set(&out);
    let args = ["report", "--quick", "--out", out.to_str().unwrap()];
    for at in moments(38, 3, Duration::from_secs(3)) {
        kill_after(&args, at);
        assert_eq!(files(&out), old);
    }
    drop(OutputDir::begin(&out).unwrap());
    assert_eq!(names(root.path()), ["out"], "leftovers were not removed");
    assert_eq!(files(&out), old);
}

/// `sweep --set KEY=VALUE` changes the base of every cell (recorded in config.toml and
/// grid.json); a bad key is one error line naming it.
#[test]
fn sweep_set_changes_the_base() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let mut args = sweep_args(out.to_str().unwrap(), "0.3");
    args.extend(["--set".into(), "data.n=30".into()]);
    let o = largestep(&as_strs(&args));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let config = std::fs::read_to_string(out.join("config.toml")).unwrap();
    assert!(config.contains("n = 30"), "{config}");
    assert!(std::fs::read_to_string(out.join("grid.json")).unwrap().contains("data.n=30"));
    let mut bad = sweep_args(out.to_str().unwrap(), "0.3");
    bad.extend(["--set".into(), "data.nope=1".into()]);
    let o = largestep(&as_strs(&bad));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("data.nope") && err.lines().count() == 1, "{err}");
}
