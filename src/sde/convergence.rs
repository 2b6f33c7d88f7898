//! Convergence-order studies of the Euler–Maruyama scheme on nested grids Δt = T·2⁻ᵏ.
//!
//! For each of `paths` Brownian paths drawn on the finest grid ([`BrownianPath`]), every level
//! integrates the same path; the strong error is E‖X_N − X_ref‖₂ and the weak error of an
//! observable g is maxⱼ |E[gⱼ(X_N) − gⱼ(X_ref)]| (estimated on the same paths, which removes the
//! Monte-Carlo noise of E gⱼ(X_ref) from the difference), with X_ref the exact solution on the
//! path or a much finer Euler–Maruyama solution. The order is the least-squares slope of
//! ln(error) against ln(Δt).

use super::reference::{Gbm, LinearAdditive, LinearMultiplicative};
use super::{BrownianPath, EulerMaruyama, Sde};
use crate::rng::{ChaChaSource, RandomSource};

/// An exact solution X(T) from X₀ and W(T), written into the last argument.
pub type ExactSolution<'a> = &'a dyn Fn(&[f64], &[f64], &mut [f64]);

/// The solution an Euler–Maruyama level is compared with.
pub enum Reference<'a> {
    /// The exact X(T) on the path.
    Exact(ExactSolution<'a>),
    /// Euler–Maruyama on the finer level k (Δt = T·2⁻ᵏ) of the same path.
    Finest(u32),
}

/// The result of [`order_study`].
#[derive(Debug, Clone, PartialEq)]
pub struct OrderStudy {
    /// Δt of each level.
    pub dts: Vec<f64>,
    /// Strong error per level.
    pub strong: Vec<f64>,
    /// Weak error per level.
    pub weak: Vec<f64>,
    /// Least-squares slope of ln(strong) against ln(Δt).
    pub strong_order: f64,
    /// Least-squares slope of ln(weak) against ln(Δt).
    pub weak_order: f64,
    /// E g(X_N) per level (sample means).
    pub level_means: Vec<Vec<f64>>,
    /// E g(X_ref) (sample mean).
    pub reference_mean: Vec<f64>,
    /// Number of paths.
    pub paths: usize,
}

pub use crate::stats::slope;

/// Runs the study: `levels` (k values, Δt = T·2⁻ᵏ) on `paths` paths from `rng`, observable `g`.
#[allow(clippy::too_many_arguments)]
pub fn order_study<S: Sde + ?Sized>(
    sde: &mut S,
    x0: &[f64],
    t_end: f64,
    levels: &[u32],
    reference: &Reference<'_>,
    g: &dyn Fn(&[f64]) -> Vec<f64>,
    paths: usize,
    rng: &mut dyn RandomSource,
) -> OrderStudy {
    let finest = match reference {
        Reference::Exact(_) => *levels.iter().max().expect("at least one level"),
        Reference::Finest(k) => *k,
    };
    let (p, n) = (sde.dim(), sde.noise_dim());
    let m = g(x0).len();
    let mut em = EulerMaruyama::new();
    let mut strong = vec![0.0; levels.len()];
    let mut diff = vec![vec![0.0; m]; levels.len()];
    let mut level_means = vec![vec![0.0; m]; levels.len()];
    let mut reference_mean = vec![0.0; m];
    let mut x_ref = vec![0.0; p];
    for _ in 0..paths {
        let mut path = BrownianPath::sample(rng, n, t_end, finest);
        match reference {
            Reference::Exact(f) => f(x0, &path.endpoint(), &mut x_ref),
            Reference::Finest(_) => {
                x_ref.copy_from_slice(x0);
                em.integrate(sde, 0.0, &mut x_ref, path.dt, &path.increments);
            }
        }
        let g_ref = g(&x_ref);
        for (r, gr) in reference_mean.iter_mut().zip(&g_ref) {
            *r += gr;
        }
        let mut k = finest;
        let mut order: Vec<usize> = (0..levels.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(levels[i]));
        for i in order {
            while k > levels[i] {
                path = path.coarsen();
                k -= 1;
            }
            let mut x = x0.to_vec();
            em.integrate(sde, 0.0, &mut x, path.dt, &path.increments);
            strong[i] += x.iter().zip(&x_ref).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
            for (j, gx) in g(&x).into_iter().enumerate() {
                diff[i][j] += gx - g_ref[j];
                level_means[i][j] += gx;
            }
        }
    }
    let scale = 1.0 / paths as f64;
    let dts: Vec<f64> = levels.iter().map(|&k| t_end / (1u64 << k) as f64).collect();
    let strong: Vec<f64> = strong.iter().map(|s| s * scale).collect();
    let weak: Vec<f64> = diff.iter().map(|d| d.iter().map(|v| (v * scale).abs()).fold(0.0, f64::max)).collect();
    let ln = |v: &[f64]| v.iter().map(|a| a.ln()).collect::<Vec<_>>();
    OrderStudy {
        strong_order: slope(&ln(&dts), &ln(&strong)),
        weak_order: slope(&ln(&dts), &ln(&weak)),
        dts,
        strong,
        weak,
        level_means: level_means.into_iter().map(|v| v.into_iter().map(|a| a * scale).collect()).collect(),
        reference_mean: reference_mean.into_iter().map(|a| a * scale).collect(),
        paths,
    }
}

/// First and second moments as an observable: (xᵢ)ᵢ then (xᵢxⱼ)_{i≤j}.
pub fn moments_observable(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    for i in 0..x.len() {
        for j in i..x.len() {
            v.push(x[i] * x[j]);
        }
    }
    v
}

/// Levels of the GBM study: Δt = 2⁻² … 2⁻⁸.
pub const GBM_LEVELS: [u32; 7] = [2, 3, 4, 5, 6, 7, 8];
/// Levels of the linear studies: Δt = 2⁻³ … 2⁻⁸.
pub const LINEAR_LEVELS: [u32; 6] = [3, 4, 5, 6, 7, 8];
/// Reference level of the additive-noise study (Δt = 2⁻¹⁴, 64× finer than its finest level).
pub const ADDITIVE_REFERENCE: u32 = 14;

/// docs/DESIGN.md §5's GBM study: du = 1.01u dt + 0.87u dW, u₀ = ½, T = 1, exact solution on the path,
/// observable u.
pub fn gbm_study(seed: u64, paths: usize) -> OrderStudy {
    let mut gbm = Gbm::standard();
    let exact = move |x0: &[f64], w: &[f64], out: &mut [f64]| out[0] = Gbm::standard().exact(x0[0], 1.0, w[0]);
    let mut rng = ChaChaSource::new(seed);
    order_study(&mut gbm, &[0.5], 1.0, &GBM_LEVELS, &Reference::Exact(&exact), &|x| x.to_vec(), paths, &mut rng)
}

/// The multiplicative matrix-noise study ([`LinearMultiplicative`]), X₀ = (1, −0.5, 0.8), T = 1,
/// exact solution on the path, observable: first and second moments.
pub fn linear_multiplicative_study(seed: u64, paths: usize) -> OrderStudy {
    let mut sde = LinearMultiplicative::standard();
    let exact = move |x0: &[f64], w: &[f64], out: &mut [f64]| LinearMultiplicative::standard().exact(x0, 1.0, w, out);
    let mut rng = ChaChaSource::new(seed);
    order_study(
        &mut sde,
        &LINEAR_X0,
        1.0,
        &LINEAR_LEVELS,
        &Reference::Exact(&exact),
        &moments_observable,
        paths,
        &mut rng,
    )
}

/// The additive-noise study ([`LinearAdditive`]), X₀ = (1, −0.5, 0.8), T = 1, reference: EM at
/// Δt = 2⁻¹⁴ on the same path, observable: first and second moments.
pub fn additive_study(seed: u64, paths: usize) -> OrderStudy {
    let mut sde = LinearAdditive::standard();
    let mut rng = ChaChaSource::new(seed);
    order_study(
        &mut sde,
        &LINEAR_X0,
        1.0,
        &LINEAR_LEVELS,
        &Reference::Finest(ADDITIVE_REFERENCE),
        &moments_observable,
        paths,
        &mut rng,
    )
}

/// X₀ of the linear studies.
pub const LINEAR_X0: [f64; 3] = [1.0, -0.5, 0.8];

/// Paths of the GBM study in the tests.
pub const GBM_PATHS: usize = 40_000;
/// Paths of the multiplicative matrix-noise study in the tests.
pub const LINEAR_PATHS: usize = 40_000;
/// Paths of the additive-noise study in the tests.
pub const ADDITIVE_PATHS: usize = 250;
