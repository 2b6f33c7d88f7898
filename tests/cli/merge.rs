//! `largestep merge` checks every row against the grid (issue 35, item 3): each tampering of a
//! shard is refused with one line naming the file and what is wrong, never merged into wrong
//! counts; grid sizes never overflow or panic.

use largestep::sweep::{self, Base, Grid, Shard, SweepOptions};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/experiments/slurm/example.toml");

fn options(out: &Path, shard: Shard) -> SweepOptions {
    SweepOptions {
        out: out.to_path_buf(),
        seed: 0,
        seeds: 2,
        vary_data: false,
        quick: true,
        shard,
        order: None,
        fit_below: 0.05,
        progress: false,
    }
}

fn grid() -> Grid {
    Grid::parse(&["runs.decay10.schedule.step=0.25,0.3".into(), "training.seed=1,2".into()]).unwrap()
}

/// Two shards (0/2 and 1/2) of a 4-cell grid, written once for all tests.
fn shards() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static SHARDS: OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> = OnceLock::new();
    SHARDS.get_or_init(|| {
        let root = tempfile::tempdir().unwrap();
        let base = Base::resolve(EXAMPLE).unwrap();
        let (a, b) = (root.path().join("s0"), root.path().join("s1"));
        sweep::run(&base, &grid(), &options(&a, Shard::parse("0/2").unwrap())).unwrap();
        sweep::run(&base, &grid(), &options(&b, Shard::parse("1/2").unwrap())).unwrap();
        (root, a, b)
    })
}

/// Copies of the two shards in a fresh folder.
fn copies() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (_, a, b) = shards();
    let root = tempfile::tempdir().unwrap();
    let copy = |from: &Path, name: &str| {
        let to = root.path().join(name);
        std::fs::create_dir(&to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
        to
    };
    let (ca, cb) = (copy(a, "s0"), copy(b, "s1"));
    (root, ca, cb)
}

/// Edits the lines of `file` in `dir`.
fn edit(dir: &Path, file: &str, f: impl FnOnce(&mut Vec<String>)) {
    let p = dir.join(file);
    let mut lines: Vec<String> = std::fs::read_to_string(&p).unwrap().lines().map(String::from).collect();
    f(&mut lines);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
}

/// Merges and returns the error line; the output folder must not appear.
fn refused(root: &Path, dirs: &[PathBuf]) -> String {
    let out = root.join("merged");
    let e = format!("{:#}", sweep::merge(dirs, &out).expect_err("a tampered merge was accepted"));
    assert!(!e.contains('\n'), "more than one line: {e}");
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
    e
}

#[test]
fn untampered_shards_merge() {
    let (root, a, b) = copies();
    let out = root.path().join("merged");
    sweep::merge(&[b, a], &out).unwrap();
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 4 * 4 * 2, "4 cells × 4 runs × 2 seeds");
}

#[test]
fn a_truncated_shard_is_refused() {
    let (root, a, b) = copies();
    edit(&a, "runs.csv", |l| {
        l.pop();
    });
    let e = refused(root.path(), &[a, b]);
    assert!(e.contains("runs.csv") && e.contains("of its 8 rows"), "{e}");
}

#[test]
fn a_duplicated_row_is_refused() {
    let (root, a, b) = copies();
    edit(&a, "seeds.csv", |l| {
        let r = l[1].clone();
        l.push(r);
    });
    let e = refused(root.path(), &[a, b]);
    assert!(e.contains("seeds.csv") && e.contains("appears twice"), "{e}");
}

#[test]
fn a_misplaced_row_is_refused() {
    let (root, a, b) = copies();
    // A row of cell 0 (shard 0/2) relabelled as cell 1 (shard 1/2's).
    edit(&a, "runs.csv", |l| l[1] = l[1].replacen("0,", "1,", 1));
    let e = refused(root.path(), &[a, b]);
    assert!(e.contains("row 2") && e.contains("does not belong to shard 0/2"), "{e}");
}

#[test]
fn a_row_outside_the_grid_is_refused() {
    let (root, a, b) = copies();
    edit(&a, "runs.csv", |l| l[1] = l[1].replacen("0,", "98,", 1));
    let e = refused(root.path(), &[a, b]);
    assert!(e.contains("cell 98 is outside the 4-cell grid"), "{e}");
}

#[test]
fn a_row_with_another_cells_values_or_seed_is_refused() {
    let (root, a, b) = copies();
    edit(&a, "runs.csv", |l| l[1] = l[1].replacen(",0.25,", ",0.3,", 1));
    let e = refused(root.path(), &[a.clone(), b.clone()]);
    assert!(e.contains("are not cell 0's"), "{e}");
    let (root, a, b) = copies();
    edit(&a, "seeds.csv", |l| {
        let col = l[0].split(',').position(|h| h == "seed").unwrap();
        let mut cells: Vec<String> = l[1].split(',').map(String::from).collect();
        cells[col] = "7".into();
        l[1] = cells.join(",");
    });
    let e = refused(root.path(), &[a, b]);
    assert!(e.contains("seed 7 is not in the sweep's seeds 0..1"), "{e}");
}

#[test]
fn shards_of_another_base_are_refused() {
    let (root, a, _) = copies();
    let other = root.path().join("other");
    let base = Base::resolve(EXAMPLE).unwrap().with_set(&["data.n=30".into()]);
    sweep::run(&base, &grid(), &options(&other, Shard::parse("1/2").unwrap())).unwrap();
    let e = refused(root.path(), &[a, other]);
    assert!(e.contains("another base config"), "{e}");
}

#[test]
fn an_edited_config_is_refused() {
    let (root, a, b) = copies();
    edit(&b, "config.toml", |l| l.push("# edited".into()));
    let e = refused(root.path(), &[a, b]);
    assert!(e.contains("config.toml") && e.contains("base config digest"), "{e}");
}

#[test]
fn gaps_and_overlaps_are_refused() {
    let (root, a, b) = copies();
    let e = refused(root.path(), std::slice::from_ref(&a));
    assert!(e.contains("no shard holds cell 1 of 4"), "{e}");
    let e = refused(root.path(), &[a.clone(), b, a]);
    assert!(e.contains("cell 0 is in both"), "{e}");
}

#[test]
fn a_merge_into_one_of_its_inputs_is_refused() {
    let (_root, a, b) = copies();
    let before = std::fs::read(a.join("runs.csv")).unwrap();
    let e = format!("{:#}", sweep::merge(&[a.clone(), b], &a).unwrap_err());
    assert!(e.contains("one of the shard folders"), "{e}");
    assert_eq!(std::fs::read(a.join("runs.csv")).unwrap(), before);
}

#[test]
fn a_bad_shard_json_is_an_error_not_a_panic() {
    for bad in ["[1, 0]", "[2, 2]", "[0]", "\"x\""] {
        let (root, a, b) = copies();
        std::fs::write(a.join("shard.json"), bad).unwrap();
        let e = refused(root.path(), &[a, b]);
        assert!(e.contains("shard.json"), "{bad}: {e}");
    }
}

#[test]
fn overflowing_grids_are_errors() {
    let values: String = (0..256).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let axes: Vec<String> = (0..8).map(|k| format!("k{k}={values}")).collect();
    let e = Grid::parse(&axes).unwrap_err().to_string();
    assert!(e.contains("overflow"), "8 axes of 256: {e}");
    let e = Grid::parse(&axes[..3]).unwrap_err().to_string();
    assert!(e.contains("256 × 256 × 256 = 16777216 cells; at most 100000"), "{e}");
    // The same grid in a tampered grid.json: an error naming the file, never a panic.
    let (root, a, b) = copies();
    let p = a.join("grid.json");
    let mut plan: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    let vals: Vec<String> = (0..256).map(|i| i.to_string()).collect();
    plan["axes"] =
        serde_json::json!((0..8).map(|k| (format!("k{k}"), vec![format!("k{k}")], vals.clone())).collect::<Vec<_>>());
    std::fs::write(&p, plan.to_string()).unwrap();
    let e = refused(root.path(), &[a, b]);
    assert!(e.contains("grid.json") && e.contains("overflow"), "{e}");
}
