//! Fig. 3: GD and SGD trajectories of the diagonal net projected on a plane, over the loss
//! contours.
//!
//! As the release draws it (`diag_nets_2d_loss_surface.ipynb`), the iterates are taken as
//! w = (|u|, |v|) (the diagonal net's sign symmetry removed). The plane passes through
//! w_init = |θ₀| and is spanned by e₁ = (√β*, √β*) − w_init (towards the sparse solution) and
//! e₂ = w_GF − w_init (towards the gradient-flow endpoint, the first run), Gram–Schmidt
//! orthogonalized. A point w has coordinates (⟨w − w_init, ê₁⟩, ⟨w − w_init, ê₂⟩) in the
//! orthonormalized basis.

use crate::experiment::Outcome;
use crate::linalg::dot;
use crate::plot::{Figure, Panel, Series, Style};
use anyhow::{anyhow, Result};

/// (|u|, |v|) of θ = (u, v).
fn abs(theta: &[f64]) -> Vec<f64> {
    theta.iter().map(|x| x.abs()).collect()
}

fn normalize(v: &mut [f64]) -> f64 {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
    n
}

/// The orthonormal basis (ê₁, ê₂) of the plane, from seed 0's first run.
pub fn plane(o: &Outcome) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let logs = o.seed_logs(0);
    let w0 = abs(&logs[0].initial);
    let beta = o.datasets[0].truth.clone().ok_or_else(|| anyhow!("trajectories need a ground truth β*"))?;
    let sq: Vec<f64> = beta.iter().map(|b| b.max(0.0).sqrt()).collect();
    let mut e1: Vec<f64> = sq.iter().chain(&sq).zip(&w0).map(|(s, w)| s - w).collect();
    normalize(&mut e1);
    let mut e2: Vec<f64> = abs(&logs[0].final_theta).iter().zip(&w0).map(|(a, b)| a - b).collect();
    let c = dot(&e2, &e1);
    e2.iter_mut().zip(&e1).for_each(|(x, y)| *x -= c * y);
    if normalize(&mut e2) == 0.0 {
        return Err(anyhow!("the gradient-flow endpoint lies on the β* direction; the plane is degenerate"));
    }
    Ok((w0, e1, e2))
}

/// Marching squares: segments of the level set {f = level} on a regular grid.
pub(crate) fn contour(xs: &[f64], ys: &[f64], f: &[Vec<f64>], level: f64) -> Vec<(f64, f64)> {
    let mut seg = Vec::new();
    let interp = |(x0, y0, v0): (f64, f64, f64), (x1, y1, v1): (f64, f64, f64)| {
        let t = (level - v0) / (v1 - v0);
        (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
    };
    for i in 0..xs.len() - 1 {
        for j in 0..ys.len() - 1 {
            let c = [
                (xs[i], ys[j], f[i][j]),
                (xs[i + 1], ys[j], f[i + 1][j]),
                (xs[i + 1], ys[j + 1], f[i + 1][j + 1]),
                (xs[i], ys[j + 1], f[i][j + 1]),
            ];
            let cross: Vec<(f64, f64)> = (0..4)
                .filter_map(|k| {
                    let (a, b) = (c[k], c[(k + 1) % 4]);
                    ((a.2 < level) != (b.2 < level)).then(|| interp(a, b))
                })
                .collect();
            for pair in cross.chunks_exact(2) {
                seg.extend_from_slice(pair);
            }
        }
    }
    seg
}

/// The trajectory figure (seed 0): contours of log L on the plane, each run's path.
pub fn figure(o: &Outcome) -> Result<Figure> {
    let (w0, e1, e2) = plane(o)?;
    let proj = |th: &[f64]| -> (f64, f64) {
        let d: Vec<f64> = th.iter().zip(&w0).map(|(a, b)| a.abs() - b).collect();
        (dot(&d, &e1), dot(&d, &e2))
    };
    let mut panel = Panel::new(
        "Trajectories on the plane (w_init, √β*, GF endpoint)",
        "direction of √β*",
        "direction of GF endpoint",
    );
    panel.equal_aspect = true;
    let logs = o.seed_logs(0);
    let paths: Vec<Vec<(f64, f64)>> =
        logs.iter().map(|l| l.snapshots.iter().map(|(_, th)| proj(th)).collect()).collect();
    let all = paths.iter().flatten().chain(std::iter::once(&(0.0, 0.0)));
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in all.filter(|(x, y)| x.is_finite() && y.is_finite()) {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let (mx, my) = ((x1 - x0).max(1e-3) * 0.15, (y1 - y0).max(1e-3) * 0.15);
    let g = 60;
    let xs: Vec<f64> = (0..=g).map(|i| x0 - mx + (x1 - x0 + 2.0 * mx) * i as f64 / g as f64).collect();
    let ys: Vec<f64> = (0..=g).map(|j| y0 - my + (y1 - y0 + 2.0 * my) * j as f64 / g as f64).collect();
    let model = o.config.model.build(o.config.data.dim());
    let data = &o.datasets[0];
    let loss_at = |a: f64, b: f64| -> f64 {
        let th: Vec<f64> = (0..w0.len()).map(|k| w0[k] + a * e1[k] + b * e2[k]).collect();
        crate::metrics::train_loss(model.as_ref(), o.config.training.loss, &th, data).max(1e-300).log10()
    };
    let f: Vec<Vec<f64>> = xs.iter().map(|&a| ys.iter().map(|&b| loss_at(a, b)).collect()).collect();
    let (lo, hi) = f.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
    for k in 1..12 {
        let level = lo + (hi - lo) * k as f64 / 12.0;
        panel.series.push(Series::styled("", None, Style::Segments, contour(&xs, &ys, &f, level)));
    }
    for (r, (spec, path)) in o.config.runs.iter().zip(paths).enumerate() {
        panel.series.push(Series::line(spec.label.clone().unwrap_or_else(|| spec.name.clone()), r, path));
    }
    let mut fig = Figure::new(o.config.title.clone(), vec![panel], 1);
    fig.panel_size = (720, 600);
    Ok(fig)
}
