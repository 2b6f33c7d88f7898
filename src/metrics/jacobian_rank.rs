//! The Jacobian rank metric rank_τ φ_θ(X) = #{σ : σ/σ_max > τ} on fixed points (docs/DESIGN.md
//! §4), counted from the structure the model exposes ([`Model::jacobian_structure`]) by
//! [`linalg::rank`](mod@crate::linalg::rank).

use crate::linalg::rank::RankFactor;
use crate::linalg::{self, Points};
use crate::model::{JacobianStructure, Model};
use faer::Mat;
use std::sync::OnceLock;

/// Fixed evaluation points X of the Jacobian rank, with the one factor counting on them
/// prepares: the [`RankFactor`] of X = QR, for models whose φ_θ(X) has the singular values of
/// X·diag(d) ([`JacobianStructure::ScaledInputs`]). Built on first use, shared by every
/// evaluation and thread; a failed SVD of R is kept and reported by every evaluation.
#[derive(Debug)]
pub struct RankPoints {
    points: Points,
    factor: OnceLock<Result<RankFactor, String>>,
}

impl RankPoints {
    /// The points X.
    pub fn new(points: Points) -> Self {
        Self { points, factor: OnceLock::new() }
    }
    /// The points X.
    pub fn points(&self) -> &Points {
        &self.points
    }
    /// The [`RankFactor`] of X = QR (R: min(n, d) × d), computed once.
    pub fn factor(&self) -> Result<&RankFactor, String> {
        self.factor
            .get_or_init(|| RankFactor::new(self.points.to_mat().qr().thin_R().to_owned()))
            .as_ref()
            .map_err(String::clone)
    }
}

/// Singular values of φ_θ(X) on `set` (descending): the SVD of the model's
/// [`JacobianStructure`] — its matrix, or R·diag(d) for X·diag(d) with X = QR (min(n, d) × d;
/// proved against the plain SVD in `tests/theory/rank.rs`).
pub fn jacobian_singular_values(model: &dyn Model, theta: &[f64], set: &RankPoints) -> Result<Vec<f64>, String> {
    match model.jacobian_structure(theta, set.points()) {
        JacobianStructure::Matrix(m) => linalg::singular_values(&m),
        JacobianStructure::ScaledInputs(d) => {
            let r = set.factor()?.r();
            linalg::singular_values(&Mat::from_fn(r.nrows(), r.ncols(), |i, j| r[(i, j)] * d[j]))
        }
    }
}

/// rank_τ φ_θ(X) on `set` (strict threshold τ = `tol`). A matrix structure is counted by
/// [`linalg::rank`](crate::linalg::rank()) (the eigenvalues of its Gram matrix where they decide, else its SVD); the
/// scales d of X·diag(d) bracket the count alone ([`linalg::rank::bracket`](mod@crate::linalg::rank::bracket)), and when a scale
/// lies in the band around the threshold it is counted exactly by inertia
/// ([`RankFactor::rank`], proof in `linalg/rank/inertia.rs`); only a singular value within
/// ~0.1 % of the threshold takes an SVD.
pub fn jacobian_rank(model: &dyn Model, theta: &[f64], set: &RankPoints, tol: f64) -> Result<usize, String> {
    match model.jacobian_structure(theta, set.points()) {
        JacobianStructure::Matrix(m) => linalg::rank(&m, tol),
        JacobianStructure::ScaledInputs(d) => set.factor()?.rank(&d, tol),
    }
}
