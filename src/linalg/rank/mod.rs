//! Counting the numerical rank rank_τ(M) = #{σ : σ/σ_max > τ} (strict; docs/DESIGN.md §4) of
//! the Jacobian φ_θ(X) of Eq. (8).
//!
//! - [`svd`](mod@svd): from the singular values of any matrix, or from its Gram matrix's eigenvalues
//!   where they decide the count ([`rank`]);
//! - [`bracket`](mod@bracket): for a matrix R·diag(d) with R fixed (the diagonal net's φ), the count bracketed
//!   by the column scales d alone, and the SVD of the non-negligible columns only;
//! - [`inertia`](mod@inertia): the exact count by inertia where the bracket cannot decide ([`RankFactor`]).

pub mod bracket;
pub mod inertia;
pub mod svd;

pub use bracket::{bracket, scaled_rank, RankBracket, MARGIN};
pub use inertia::{RankFactor, DROP, SCHUR_MARGIN, SIGMA1_TAIL};
pub use svd::{rank, rank_from_singular_values, singular_values};
