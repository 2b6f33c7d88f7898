//! `largestep plot DIR`: the figures of a result folder drawn again from its CSVs and
//! `config.toml`, without training, at a chosen size, font and format.

use crate::experiment::figure::{self, Selection};
use crate::plot::{Format, PlotOptions};
use anyhow::{anyhow, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `largestep plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A result folder of `reproduce` or `run` (config.toml, metrics.csv), or of `sweep` (grid.json,
    /// cells.csv, observations.csv).
    dir: PathBuf,
    /// Where to write the figures and bands.csv (default: DIR itself).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Formats, comma-separated: png, svg, pdf (PDF keeps text as text).
    #[arg(long, value_delimiter = ',', default_value = "png,svg")]
    format: Vec<String>,
    /// Printed width: one-column (3.25 in), two-column (6.75 in), W or WxH in inches.
    #[arg(long, default_value = "two-column")]
    size: String,
    /// Font size of labels, ticks and legend in points at the printed size (≥ 7).
    #[arg(long, default_value_t = 8.0)]
    font_pt: f64,
    /// Resolution of the PNG (and the canvas units of SVG and PDF), per inch.
    #[arg(long, default_value_t = 300.0)]
    dpi: f64,
    /// Draw only these runs (names, comma-separated), in this order.
    #[arg(long, value_delimiter = ',')]
    runs: Vec<String>,
    /// Draw only these seed offsets (comma-separated).
    #[arg(long, value_delimiter = ',')]
    seeds: Vec<u64>,
    /// Figure title (default: the config's, with its data sizes as in config.toml).
    #[arg(long)]
    title: Option<String>,
    /// Legend label of a run: RUN=TEXT. Repeatable.
    #[arg(long = "label", value_name = "RUN=TEXT")]
    labels: Vec<String>,
}

impl PlotArgs {
    /// The rendering options of the flags.
    pub fn options(&self) -> Result<PlotOptions> {
        let (width_in, height_in) = PlotOptions::parse_size(&self.size)?;
        let formats = self.format.iter().map(|f| Format::parse(f)).collect::<Result<_>>()?;
        let o = PlotOptions { formats, width_in, height_in, font_pt: self.font_pt, dpi: self.dpi };
        o.validate()?;
        Ok(o)
    }
}

/// Runs `largestep plot`.
pub fn plot(a: &PlotArgs) -> Result<ExitCode> {
    let opts = a.options()?;
    let out = a.out.clone().unwrap_or_else(|| a.dir.clone());
    if a.dir.join("grid.json").exists() {
        // A sweep folder: its phase diagrams.
        if !(a.runs.is_empty() && a.seeds.is_empty() && a.labels.is_empty() && a.title.is_none()) {
            anyhow::bail!(
                "{}: a sweep folder; --runs, --seeds, --label and --title apply to experiment folders",
                a.dir.display()
            );
        }
        for path in crate::sweep::plot::write(&a.dir, &out, &opts)? {
            println!("{}", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let sel = Selection { runs: a.runs.clone(), seeds: a.seeds.clone() };
    let mut outcome = figure::load(&a.dir, &sel)?;
    for l in &a.labels {
        let (run, text) = l.split_once('=').ok_or_else(|| anyhow!("--label: {l:?} is not RUN=TEXT"))?;
        let names: Vec<String> = outcome.config.runs.iter().map(|r| r.name.clone()).collect();
        let spec = outcome
            .config
            .runs
            .iter_mut()
            .find(|r| r.name == run)
            .ok_or_else(|| anyhow!("--label: no run {run:?} in {}; runs: {}", a.dir.display(), names.join(", ")))?;
        spec.label = Some(text.to_string());
        outcome.logs.iter_mut().filter(|g| g.run == run).for_each(|g| g.label = text.to_string());
    }
    if let Some(t) = &a.title {
        outcome.config.title = t.clone();
    }
    for path in figure::write(&outcome, &out, &opts)? {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
