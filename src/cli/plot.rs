//! `largestep plot DIR`: the figures of a result folder drawn again from its CSVs and
//! `config.toml`, without training, at a chosen size, font and format.
//!
//! Every kind of result folder is drawn by the function its producer calls ([`Kind`]), so a
//! re-plot at the default options reproduces the producer's SVG byte for byte.

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use largestep::experiment::figure::{self, Selection};
use largestep::plot::{Format, PlotOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `largestep plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A result folder: of `reproduce` or `run` (config.toml, metrics.csv), `sweep` (grid.json,
    /// cells.csv, observations.csv), `sde-vs-sgd` (the whole folder or one model's), `deep train`
    /// (deep.csv, figure.toml) or `reproduce fig8` (constants.csv, iterates.csv).
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

/// The kinds of result folder, each drawn by its producer's renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `reproduce` / `run`: [`figure::write`].
    Experiment,
    /// `sweep`: [`largestep::sweep::plot::write`].
    Sweep,
    /// One model's folder of `sde-vs-sgd`: [`largestep::sde::folder::write_figures`].
    Comparison,
    /// The output folder of `sde-vs-sgd`: each model's folder (these names).
    Comparisons(Vec<String>),
    /// `deep train`: `deep::report::render`.
    Deep,
    /// `reproduce fig8`: [`largestep::experiment::fig8::render`].
    Fig8,
}

impl Kind {
    /// The kind of `dir`, from the files it holds.
    fn of(dir: &Path) -> Result<Self> {
        use largestep::sde::folder as sde;
        if !dir.is_dir() {
            bail!("{}: no such folder", dir.display());
        }
        if dir.join("grid.json").exists() {
            return Ok(Kind::Sweep);
        }
        if largestep::experiment::fig8::is_folder(dir) {
            return Ok(Kind::Fig8);
        }
        if dir.join("deep.csv").exists() {
            return Ok(Kind::Deep);
        }
        if sde::is_folder(dir) {
            return Ok(Kind::Comparison);
        }
        if dir.join("config.toml").exists() {
            return Ok(Kind::Experiment);
        }
        let mut models: Vec<String> = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| sde::is_folder(&e.path()))
            .filter_map(|e| e.file_name().to_str().map(String::from))
            .collect();
        models.sort();
        if models.is_empty() {
            bail!(
                "{}: not a result folder: no config.toml (reproduce, run, or one model of sde-vs-sgd), grid.json \
                 (sweep), deep.csv (deep train), constants.csv + iterates.csv (reproduce fig8), nor a subfolder \
                 of sde-vs-sgd",
                dir.display()
            );
        }
        Ok(Kind::Comparisons(models))
    }

    fn describe(&self) -> &'static str {
        match self {
            Kind::Experiment => "an experiment folder",
            Kind::Sweep => "a sweep folder",
            Kind::Comparison | Kind::Comparisons(_) => "an sde-vs-sgd folder",
            Kind::Deep => "a deep train folder",
            Kind::Fig8 => "a Fig. 8 folder",
        }
    }
}

/// Runs `largestep plot`.
pub fn plot(a: &PlotArgs) -> Result<ExitCode> {
    let opts = a.options()?;
    let out = a.out.clone().unwrap_or_else(|| a.dir.clone());
    let kind = Kind::of(&a.dir)?;
    let selects = !(a.runs.is_empty() && a.seeds.is_empty() && a.labels.is_empty());
    if kind != Kind::Experiment && (selects || (kind == Kind::Sweep && a.title.is_some())) {
        let flags =
            if kind == Kind::Sweep { "--runs, --seeds, --label and --title" } else { "--runs, --seeds and --label" };
        bail!("{}: {}; {flags} apply to experiment folders", a.dir.display(), kind.describe());
    }
    let written = match &kind {
        Kind::Sweep => largestep::sweep::plot::write(&a.dir, &out, &opts)?,
        Kind::Experiment => experiment(a, &out, &opts)?,
        Kind::Comparison => comparison(&a.dir, &out, a.title.as_deref(), &opts)?,
        Kind::Comparisons(models) => {
            let mut files = Vec::new();
            for m in models {
                files.extend(comparison(&a.dir.join(m), &out.join(m), a.title.as_deref(), &opts)?);
            }
            files
        }
        Kind::Deep => deep(&a.dir, &out, a.title.as_deref(), &opts)?,
        Kind::Fig8 => {
            let (setting, path) = largestep::experiment::fig8::load(&a.dir)?;
            let mut fig = largestep::experiment::fig8::figure(&setting, &path);
            if let Some(t) = &a.title {
                fig.title = t.clone();
            }
            largestep::experiment::fig8::render(&fig, &out, &opts)?
        }
    };
    for path in written {
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// An experiment folder: its outcome with the selection, labels and title of the flags.
fn experiment(a: &PlotArgs, out: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
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
    figure::write(&outcome, out, opts)
}

/// One model's folder of `sde-vs-sgd`; `title` replaces the spec's.
fn comparison(dir: &Path, out: &Path, title: Option<&str>, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    let mut loaded = largestep::sde::folder::load(dir)?;
    if let Some(t) = title {
        loaded.title = t.to_string();
        loaded.outcome.config.title = t.to_string();
    }
    largestep::sde::folder::write_figures(&loaded.drawn(), out, opts)
}

/// A `deep train` folder; `title` replaces figure.toml's.
#[cfg(feature = "deep")]
fn deep(dir: &Path, out: &Path, title: Option<&str>, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    let (saved, runs, blocks) = largestep::deep::report::read(dir)?;
    let title = match (title, saved) {
        (Some(t), _) => t.to_string(),
        (None, Some(t)) => t,
        (None, None) => bail!(
            "{}: missing; it holds the figure's title (`deep train` writes it): give one with --title",
            dir.join("figure.toml").display()
        ),
    };
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    largestep::deep::report::render(out, &title, &runs, &blocks, opts)
}

/// A `deep train` folder needs the deep feature.
#[cfg(not(feature = "deep"))]
fn deep(dir: &Path, _: &Path, _: Option<&str>, _: &PlotOptions) -> Result<Vec<PathBuf>> {
    bail!("{}: a deep train folder; this binary was built without the `deep` feature (cargo build --release --features deep)", dir.display())
}
