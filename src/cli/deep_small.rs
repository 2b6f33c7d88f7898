//! `largestep reproduce deep-…`: the reduced-scale deep protocols ([`largestep::deep::small`]; needs
//! `--features deep`).

use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// The overrides of `--quick`: the CI size (width 4, 200 training and 100 test images, 2 epochs),
/// which exercises every step of the protocol in seconds and decides nothing of the paper.
pub const QUICK: &[&str] = &[
    "width=4",
    "train_per_class=20",
    "test_per_class=10",
    "epochs=2",
    "batch=20",
    "loss_every=1",
    "metric_images=100",
    "max_neurons=200",
];

#[cfg(not(feature = "deep"))]
/// Fails: this binary was built without candle.
pub fn reproduce(name: &str, _: &[String], _: &Path, _: &Path, _: bool) -> Result<ExitCode> {
    anyhow::bail!("`largestep reproduce {name}` trains deep networks: it needs a binary built with `--features deep`")
}

#[cfg(feature = "deep")]
/// Loads the protocol and its data, trains every (seed, run), writes the result set as a whole
/// into `out` and prints the decided claims.
pub fn reproduce(name: &str, overrides: &[String], data: &Path, out: &Path, plot: bool) -> Result<ExitCode> {
    use largestep::deep::small::{self, Protocol};
    use std::io::Write;
    let start = std::time::Instant::now();
    let p = Protocol::embedded(name, overrides).expect("a deep protocol name")?;
    let mut flags = std::collections::BTreeMap::new();
    flags.insert("data".to_string(), data.display().to_string());
    let provenance = largestep::provenance::Provenance::start(name, &p.to_toml()?, p.seed_list(), flags);
    let set = largestep::output::OutputDir::begin(out)?;
    let cifar = small::load_subsets(data, &p)?;
    eprintln!(
        "{name}: {} training, {} test images; {} runs × {} seeds, {} steps per epoch",
        cifar.train.len(),
        cifar.test.len(),
        p.runs.len(),
        p.seeds,
        p.steps_per_epoch()
    );
    let trained = small::train(&p, &cifar, &candle_core::Device::Cpu, &|line| eprintln!("{line}"))?;
    let staging = set.staging().to_path_buf();
    let summary = small::write(&staging, &p, &trained, plot)?;
    provenance.finish(&staging)?;
    set.commit()?;
    let mut w = std::io::stdout().lock();
    writeln!(w, "claims of the paper decided by these runs ({}):", p.describe())?;
    for d in &summary.decided {
        let (est, lo, hi, n) = largestep::claims::deep_small::rate_of(&d.verdict);
        writeln!(w, "  {:<24} {:<24} {est:.2} [{lo:.2}, {hi:.2}] over {n}", d.id, d.verdict.label())?;
        writeln!(w, "  {:<24} {}", "", d.detail)?;
    }
    let diverged: Vec<String> =
        trained.iter().filter_map(|t| t.diverged.as_ref().map(|m| format!("{} seed {}: {m}", t.run, t.seed))).collect();
    writeln!(
        w,
        "{name}: {} runs × {} seeds in {:.1} s → {}",
        p.runs.len(),
        p.seeds,
        start.elapsed().as_secs_f64(),
        out.display()
    )?;
    w.flush()?;
    if diverged.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for d in &diverged {
        eprintln!("warning: {d}");
    }
    Ok(super::exit::Status::Diverged(format!("{} run(s) of {name} diverged", diverged.len())).exit())
}
