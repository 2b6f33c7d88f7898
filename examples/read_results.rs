//! Reading results back: `summary.csv`, `metrics.csv` and `run.json` of an output folder (by
//! default a fresh quick Fig. 3 run in a temporary folder; or pass a folder written by
//! `largestep reproduce`/`run`).
//!
//! ```text
//! cargo run --release --example read_results [-- results/fig2]
//! ```

use largestep::experiment::{self, registry, RunOptions};
use largestep::provenance::Provenance;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = match std::env::args().nth(1) {
        Some(d) => PathBuf::from(d),
        None => {
            let cfg = registry::get("fig3").expect("fig3 is embedded")?;
            let mut opts = RunOptions::new(tmp.path().join("fig3"));
            opts.quick = true;
            opts.seeds = 2;
            opts.plot = false;
            experiment::run(&cfg, &opts)?.out
        }
    };

    // Provenance: what produced these files.
    let p = Provenance::read(&dir.join("run.json"))?;
    println!(
        "{} {} (commit {}), config {} hash {}, seeds {:?}, {} threads on {} {}, {} → {}",
        p.tool,
        p.version,
        p.git_commit.as_deref().unwrap_or("unknown"),
        p.config_name,
        p.config_hash,
        p.seeds,
        p.threads,
        p.machine.os,
        p.machine.arch,
        p.started,
        p.finished
    );

    // summary.csv: one row per run × seed, columns by name.
    let mut summary = csv::Reader::from_path(dir.join("summary.csv"))?;
    let header = summary.headers()?.clone();
    for row in summary.records() {
        let row = row?;
        let cells: Vec<String> = header.iter().zip(row.iter()).map(|(h, v)| format!("{h}={v}")).collect();
        println!("{}", cells.join("  "));
    }

    // metrics.csv: the lowest train loss each run reached, over seeds and logged iterations.
    let mut metrics = csv::Reader::from_path(dir.join("metrics.csv"))?;
    let col = metrics.headers()?.iter().position(|h| h == "train_loss").expect("train_loss column");
    let mut best: BTreeMap<String, f64> = BTreeMap::new();
    for row in metrics.records() {
        let row = row?;
        let v: f64 = row[col].parse()?;
        let e = best.entry(row[0].to_string()).or_insert(f64::INFINITY);
        *e = e.min(v);
    }
    for (run, v) in best {
        println!("lowest logged train loss of {run}: {v:.3e}");
    }
    Ok(())
}
