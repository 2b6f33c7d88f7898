//! Fig. 8 (Appendix A): SGD bouncing across the bottom of a valley and drifting slowly along it.
//!
//! The appendix's setting: the diagonal linear network with one sample in two dimensions
//! (n = 1, d = 2), balanced layers u = v = w (so β = w ⊙ w and h(x) = ⟨w ⊙ w, x⟩), trained on
//! L(w) = ½ (h(x) − y)² by gradient steps with label noise of the shape of Eq. (9):
//!
//! w₊ = w − η (h(x) − y − δ ξ) · 2 x ⊙ w,  ξ = ±1 (Rademacher, ChaCha stream of `seed`),
//!
//! whose noise η δ ξ · 2 x ⊙ w is multiplicative in w as in Eq. (9) (v ⊙ [Xᵀ dB] with v = u = w).
//! The global minima form the ellipse x₁ w₁² + x₂ w₂² = y ("the bottom of the valley"). With η
//! near 2 / λ_max the iterates bounce from one side of the valley to the other; the noise drives
//! them slowly along it, toward the sparse minima on the axes.
//!
//! Outputs: `iterates.csv`, `constants.csv`, and `fig8` (a 3-D view of the loss surface with the
//! iterates, and a contour view), no paper figure data being released for it. [`load`] reads the
//! two CSVs back (bit for bit) and [`render`] draws the figure from them: `reproduce fig8` and
//! `largestep plot DIR` call the same function, so a re-plot reproduces the SVG byte for byte.

use crate::experiment::figure::trajectories::contour;
use crate::output::{atomic_write, fmt_f64, Table};
use crate::plot::{Figure, Panel, PlotOptions, Series, Style};
use crate::rng::RngKind;
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// The constants of the figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The one input x ∈ ℝ².
    pub x: [f64; 2],
    /// Its label y.
    pub y: f64,
    /// Step size η.
    pub eta: f64,
    /// Label-noise amplitude δ.
    pub delta: f64,
    /// Initialization w₀ (u₀ = v₀ = w₀).
    pub w0: [f64; 2],
    /// Number of steps.
    pub steps: usize,
    /// Seed of the noise stream (ChaCha).
    pub seed: u64,
}

impl Default for Setting {
    fn default() -> Self {
        Self { x: [1.0, 0.6], y: 1.0, eta: 0.35, delta: 0.25, w0: [0.55, 1.1], steps: 200, seed: 0 }
    }
}

impl Setting {
    /// h(x) = ⟨w ⊙ w, x⟩.
    pub fn predict(&self, w: [f64; 2]) -> f64 {
        self.x[0] * w[0] * w[0] + self.x[1] * w[1] * w[1]
    }
    /// L(w) = ½ (h(x) − y)².
    pub fn loss(&self, w: [f64; 2]) -> f64 {
        0.5 * (self.predict(w) - self.y).powi(2)
    }
    /// The iterates w₀, …, w_steps and the noise ξ of the step from each (0 for the last).
    pub fn iterates(&self) -> Vec<([f64; 2], f64)> {
        let mut rng = RngKind::Chacha.source(self.seed);
        let mut w = self.w0;
        let mut out = Vec::with_capacity(self.steps + 1);
        for _ in 0..self.steps {
            let xi = if rng.uniform() < 0.5 { -1.0 } else { 1.0 };
            out.push((w, xi));
            let r = self.predict(w) - self.y - self.delta * xi;
            w = [w[0] - self.eta * r * 2.0 * self.x[0] * w[0], w[1] - self.eta * r * 2.0 * self.x[1] * w[1]];
        }
        out.push((w, 0.0));
        out
    }
    /// Points of the valley bottom {x₁ w₁² + x₂ w₂² = y} in the quadrant w ≥ 0.
    pub fn valley(&self, k: usize) -> Vec<(f64, f64)> {
        let (a, b) = ((self.y / self.x[0]).sqrt(), (self.y / self.x[1]).sqrt());
        (0..=k)
            .map(|i| {
                let t = std::f64::consts::FRAC_PI_2 * i as f64 / k as f64;
                (a * t.cos(), b * t.sin())
            })
            .collect()
    }
    /// The title, with the constants.
    pub fn title(&self) -> String {
        format!(
            "Fig. 8: label-noise SGD on a diagonal net, n = 1, d = 2, u = v (x = ({}, {}), y = {}, η = {}, δ = {}, {} steps)",
            self.x[0], self.x[1], self.y, self.eta, self.delta, self.steps
        )
    }
}

/// The plotted window of w: [0, 1.25 · the valley's semi-axes].
fn window(s: &Setting) -> (f64, f64) {
    (1.25 * (s.y / s.x[0]).sqrt(), 1.25 * (s.y / s.x[1]).sqrt())
}

/// The oblique projection of the 3-D view: azimuth 40°, elevation 30°, the loss scaled to the
/// window's height.
fn project(s: &Setting, w: [f64; 2], z: f64) -> (f64, f64) {
    let (a, e) = (40f64.to_radians(), 30f64.to_radians());
    let (_, hi) = window(s);
    let zs = z.min(Z_CAP) / Z_CAP * hi;
    (w[0] * a.cos() - w[1] * a.sin(), (w[0] * a.sin() + w[1] * a.cos()) * e.sin() + zs * e.cos())
}

/// The loss drawn in the 3-D view is cut at this height.
const Z_CAP: f64 = 0.5;

/// The two panels: the surface with the iterates `path` = w₀, w₁, … (3-D), the contours with
/// the iterates.
pub fn figure(s: &Setting, path: &[[f64; 2]]) -> Figure {
    let (w1max, w2max) = window(s);
    let g = 24;
    let grid = |i: usize, m: f64| m * i as f64 / g as f64;
    // 3-D view: a wireframe of the surface (lines of constant w₁ and of constant w₂).
    let mut wire = Vec::new();
    for i in 0..=g {
        for j in 0..g {
            let (a, b) = ([grid(i, w1max), grid(j, w2max)], [grid(i, w1max), grid(j + 1, w2max)]);
            wire.extend([project(s, a, s.loss(a)), project(s, b, s.loss(b))]);
            let (a, b) = ([grid(j, w1max), grid(i, w2max)], [grid(j + 1, w1max), grid(i, w2max)]);
            wire.extend([project(s, a, s.loss(a)), project(s, b, s.loss(b))]);
        }
    }
    let mut p3 = Panel::new("Loss surface L(w) (cut at 0.5) and the iterates", "", "");
    p3.no_axes = true;
    p3.equal_aspect = true;
    p3.series.push(Series::styled("", None, Style::Segments, wire));
    let valley3: Vec<(f64, f64)> = s.valley(60).iter().map(|&(a, b)| project(s, [a, b], 0.0)).collect();
    p3.series.push(Series::styled("valley bottom (global minima)", Some(2), Style::Dotted, valley3));
    let path3: Vec<(f64, f64)> = path.iter().map(|w| project(s, *w, s.loss(*w))).collect();
    p3.series.push(Series::styled("SGD iterates (linked)", Some(1), Style::Dotted, path3.clone()));
    p3.series.push(Series::styled("", Some(0), Style::Markers, path3));
    // Contour view.
    let xs: Vec<f64> = (0..=80).map(|i| grid(i, w1max) * g as f64 / 80.0).collect();
    let ys: Vec<f64> = (0..=80).map(|j| grid(j, w2max) * g as f64 / 80.0).collect();
    let f: Vec<Vec<f64>> =
        xs.iter().map(|&a| ys.iter().map(|&b| s.loss([a, b]).max(1e-12).log10()).collect()).collect();
    let mut pc = Panel::new("Contours of log₁₀ L(w)", "w₁ (= u₁ = v₁)", "w₂ (= u₂ = v₂)");
    pc.equal_aspect = true;
    for level in [-3.0, -2.0, -1.5, -1.0, -0.5, 0.0] {
        pc.series.push(Series::styled("", None, Style::Segments, contour(&xs, &ys, &f, level)));
    }
    pc.series.push(Series::styled("valley bottom (global minima)", Some(2), Style::Dotted, s.valley(60)));
    let path: Vec<(f64, f64)> = path.iter().map(|w| (w[0], w[1])).collect();
    pc.series.push(Series::styled("SGD iterates (linked)", Some(1), Style::Dotted, path.clone()));
    pc.series.push(Series::styled("", Some(0), Style::Markers, path.clone()));
    // The slow drift: from the start's to the end's nearest valley point.
    let on_valley = |w: (f64, f64)| {
        let k = (s.y / s.predict([w.0, w.1])).sqrt();
        (w.0 * k, w.1 * k)
    };
    if let (Some(first), Some(last)) = (path.first(), path.last()) {
        let arrow = vec![on_valley(*first), on_valley(*last)];
        pc.series.push(Series::styled("slow drift along the valley", Some(2), Style::Arrows, arrow));
    }
    let mut fig = Figure::new(s.title(), vec![p3, pc], 2);
    fig.panel_size = (420, 420);
    fig
}

/// `iterates.csv`: t, w₁, w₂, β = w ⊙ w, L(w) and the noise ξ of step t.
pub fn iterates_table(s: &Setting) -> Table {
    let mut t = Table::new(["t", "w1", "w2", "beta1", "beta2", "loss", "xi"]);
    for (k, (w, xi)) in s.iterates().iter().enumerate() {
        let xi = if k == s.steps { String::new() } else { fmt_f64(*xi) };
        t.push([
            k.to_string(),
            fmt_f64(w[0]),
            fmt_f64(w[1]),
            fmt_f64(w[0] * w[0]),
            fmt_f64(w[1] * w[1]),
            fmt_f64(s.loss(*w)),
            xi,
        ]);
    }
    t
}

/// The constants as (name in `constants.csv`, value, meaning), in the file's order.
pub fn constants(s: &Setting) -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("n", "1".to_string(), "samples"),
        ("d", "2".to_string(), "dimensions"),
        ("x1", fmt_f64(s.x[0]), "the input"),
        ("x2", fmt_f64(s.x[1]), "the input"),
        ("y", fmt_f64(s.y), "the label"),
        ("eta", fmt_f64(s.eta), "step size"),
        ("delta", fmt_f64(s.delta), "label-noise amplitude (xi = ±1)"),
        ("w0_1", fmt_f64(s.w0[0]), "initialization, u = v = w"),
        ("w0_2", fmt_f64(s.w0[1]), "initialization, u = v = w"),
        ("steps", s.steps.to_string(), "iterations"),
        ("seed", s.seed.to_string(), "ChaCha seed of the noise"),
    ]
}

/// Writes `iterates.csv`, `constants.csv`, `README.txt` and (with `opts`) the figure into
/// `dir`; returns the files.
pub fn write(s: &Setting, dir: &Path, opts: Option<&PlotOptions>) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    iterates_table(s).write(&dir.join("iterates.csv"))?;
    let mut c = Table::new(["constant", "value", "meaning"]);
    for (k, v, m) in constants(s) {
        c.push([k.to_string(), v, m.to_string()]);
    }
    c.write(&dir.join("constants.csv"))?;
    let mut files = vec![dir.join("iterates.csv"), dir.join("constants.csv")];
    if let Some(opts) = opts {
        let path: Vec<[f64; 2]> = s.iterates().into_iter().map(|(w, _)| w).collect();
        files.extend(render(&figure(s, &path), dir, opts)?);
    }
    atomic_write(&dir.join("README.txt"), format!("{}\n\nSee src/experiment/fig8.rs.\n", s.title()).as_bytes())?;
    Ok(files)
}

/// The title of the default setting (`largestep list`).
pub fn default_title() -> String {
    Setting::default().title()
}

/// The constants of the default setting as `name = value  # meaning` lines (`largestep show fig8`).
pub fn constants_text() -> String {
    let mut out = String::from(
        "# Fig. 8 is not a config of runs: a toy of its own with fixed constants (src/experiment/fig8.rs);\n\
         # `largestep reproduce fig8` writes them to constants.csv and its iterates to iterates.csv.\n",
    );
    for (k, v, m) in constants(&Setting::default()) {
        out.push_str(&format!("{:<16} # {m}\n", format!("{k} = {v}")));
    }
    out
}

/// [`write`] of the default setting, with the figure at the default options when `plot`.
pub fn write_default(dir: &Path, plot: bool) -> Result<Vec<PathBuf>> {
    write(&Setting::default(), dir, plot.then(PlotOptions::default).as_ref())
}

/// Renders `fig` (from [`figure`]) as `dir/fig8.<ext>` at `opts`: what `reproduce fig8` and
/// `largestep plot` both call.
pub fn render(fig: &Figure, dir: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    fig.render_with(&dir.join("fig8"), opts)
}

/// Whether `dir` is a Fig. 8 folder (it holds `constants.csv`; [`load`] names any other file
/// that is missing).
pub fn is_folder(dir: &Path) -> bool {
    dir.join("constants.csv").is_file()
}

/// The setting and the iterates w₀, …, w_steps of the Fig. 8 folder `dir`, from
/// `constants.csv` and `iterates.csv` (written in the shortest round-trip form: bit for bit).
pub fn load(dir: &Path) -> Result<(Setting, Vec<[f64; 2]>)> {
    let path = dir.join("constants.csv");
    let mut values = std::collections::BTreeMap::new();
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    for rec in reader.records() {
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        values.insert(rec.get(0).unwrap_or("").to_string(), rec.get(1).unwrap_or("").to_string());
    }
    let get = |k: &str| -> Result<f64> {
        let v = values.get(k).ok_or_else(|| anyhow!("{}: no constant `{k}`", path.display()))?;
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| anyhow!("{}: constant `{k}`: {v:?} is not a finite number", path.display()))
    };
    let count = |k: &str| -> Result<u64> {
        let v = values.get(k).ok_or_else(|| anyhow!("{}: no constant `{k}`", path.display()))?;
        v.parse::<u64>().map_err(|_| anyhow!("{}: constant `{k}`: {v:?} is not a count ≥ 0", path.display()))
    };
    let s = Setting {
        x: [get("x1")?, get("x2")?],
        y: get("y")?,
        eta: get("eta")?,
        delta: get("delta")?,
        w0: [get("w0_1")?, get("w0_2")?],
        steps: count("steps")? as usize,
        seed: count("seed")?,
    };
    if !(s.x[0] > 0.0 && s.x[1] > 0.0 && s.y > 0.0) {
        bail!("{}: x1, x2 and y must be > 0 (the valley x₁w₁² + x₂w₂² = y), got {:?}, {}", path.display(), s.x, s.y);
    }
    let path = dir.join("iterates.csv");
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow!("{}: no column `{name}` (header {:?})", path.display(), header.join(",")))
    };
    let (c1, c2) = (col("w1")?, col("w2")?);
    let mut w = Vec::with_capacity(s.steps + 1);
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.with_context(|| format!("reading {}", path.display()))?;
        let num = |c: usize| -> Result<f64> {
            let v = rec.get(c).unwrap_or("");
            v.parse().map_err(|_| {
                anyhow!("{}: line {}: field `{}`: {v:?} is not a number", path.display(), i + 2, header[c])
            })
        };
        w.push([num(c1)?, num(c2)?]);
    }
    if w.len() != s.steps + 1 {
        bail!(
            "{}: {} iterates, but constants.csv says steps = {} (expected {} rows)",
            path.display(),
            w.len(),
            s.steps,
            s.steps + 1
        );
    }
    Ok((s, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iterates_bounce_across_the_valley_and_drift_along_it() {
        let s = Setting::default();
        let its = s.iterates();
        assert_eq!(its.len(), s.steps + 1);
        // Bouncing: the residual h − y changes sign on most steps of the second half.
        let r: Vec<f64> = its.iter().map(|(w, _)| s.predict(*w) - s.y).collect();
        let half = &r[r.len() / 2..];
        let flips = half.windows(2).filter(|p| p[0] * p[1] < 0.0).count();
        assert!(flips * 2 > half.len(), "{flips} sign changes in {} steps", half.len());
        // Staying near the valley: |h − y| stays bounded, no divergence.
        assert!(r.iter().all(|v| v.abs() < 1.5), "left the valley: {r:?}");
        // Drifting: the angle along the valley moves by more than it jitters in one step.
        let angle = |w: [f64; 2]| (w[1] * s.x[1].sqrt()).atan2(w[0] * s.x[0].sqrt());
        let (a0, a1) = (angle(its[0].0), angle(its[s.steps].0));
        assert!((a1 - a0).abs() > 0.05, "no drift along the valley: {a0} → {a1}");
        // Same seed, same iterates; another seed, others.
        assert_eq!(its, s.iterates());
        assert_ne!(its, Setting { seed: 1, ..s.clone() }.iterates());
    }

    #[test]
    fn the_valley_is_the_set_of_global_minima() {
        let s = Setting::default();
        for (a, b) in s.valley(10) {
            assert!(s.loss([a, b]) < 1e-24);
        }
        assert!(s.loss([0.0, 0.0]) > 0.4);
    }

    #[test]
    fn load_reads_back_the_setting_and_iterates_bit_for_bit_and_names_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let s = Setting { seed: 3, steps: 40, ..Setting::default() };
        write(&s, dir.path(), None).unwrap();
        assert!(is_folder(dir.path()) && !dir.path().join("fig8.svg").exists());
        let (t, w) = load(dir.path()).unwrap();
        assert_eq!(t, s);
        let want: Vec<[f64; 2]> = s.iterates().into_iter().map(|(w, _)| w).collect();
        assert_eq!(w, want);
        // A truncated iterates.csv is refused, naming the file and the count.
        let text = std::fs::read_to_string(dir.path().join("iterates.csv")).unwrap();
        let short: String = text.lines().take(10).map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.path().join("iterates.csv"), short).unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("iterates.csv") && e.contains("steps = 40"), "{e}");
    }
}
