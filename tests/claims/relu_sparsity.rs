//! The feature sparsity coefficient (docs/DESIGN.md §4, the release's `rm_too_correlated`) on
//! hand-built activation matrices.

use faer::Mat;
use largestep::metrics::{sparsity_coefficient, SparsityOptions};

fn mat(rows: &[&[f64]]) -> Mat<f64> {
    Mat::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j])
}

#[test]
fn duplicates_count_once_and_the_last_of_a_group_survives() {
    // Columns 0 and 2 are identical; column 1 is different. Raw activations (no row scaling).
    let f = mat(&[&[1.0, 0.0, 1.0], &[2.0, 1.0, 2.0], &[0.0, 3.0, 0.0], &[3.0, 1.0, 3.0]]);
    let opts = SparsityOptions { tau: 0.99, normalize_rows: false };
    // Kept: columns 1 and 2 → positives 3 + 3 over 4 × 3 entries.
    assert!((sparsity_coefficient(&f, &opts) - 6.0 / 12.0).abs() < 1e-15);
    // Without the duplicate the coefficient counts both distinct neurons over 2 columns.
    let g = mat(&[&[1.0, 0.0], &[2.0, 1.0], &[0.0, 3.0], &[3.0, 1.0]]);
    assert!((sparsity_coefficient(&g, &opts) - 6.0 / 8.0).abs() < 1e-15);
}

#[test]
fn dead_neurons_add_nothing_but_count_in_the_denominator() {
    let f = mat(&[&[1.0, 0.0, 0.0], &[0.0, 0.0, 2.0], &[2.0, 0.0, 1.0]]);
    let opts = SparsityOptions::small_net(0.99);
    // Column 1 is dead; columns 0 and 2 (after row scaling) are not correlated above τ.
    assert!((sparsity_coefficient(&f, &opts) - 4.0 / 9.0).abs() < 1e-15);
    assert_eq!(sparsity_coefficient(&Mat::zeros(4, 5), &opts), 0.0);
}

#[test]
fn the_threshold_is_strict() {
    // corr(c0, c1) = 0.8 exactly: x = (1, 2, 3, 4), y chosen with ρ = 0.8.
    let x = [1.0, 2.0, 3.0, 4.0];
    let mean = 2.5;
    let c: Vec<f64> = x.iter().map(|v| v - mean).collect(); // (−1.5, −0.5, 0.5, 1.5), ‖c‖² = 5
    let e = [0.5, -1.5, 1.5, -0.5]; // ⟂ c and 𝟙, ‖e‖² = 5
    let rho: f64 = 0.8;
    let s = (1.0 - rho * rho).sqrt();
    let y: Vec<f64> = (0..4).map(|i| 10.0 + rho * c[i] + s * e[i]).collect();
    let f = Mat::from_fn(4, 2, |i, j| if j == 0 { x[i] } else { y[i] });
    let at = |tau: f64| sparsity_coefficient(&f, &SparsityOptions { tau, normalize_rows: false });
    assert_eq!(at(0.8 + 1e-9), 1.0, "|corr| = 0.8 is not > 0.8 + ε: both kept");
    assert_eq!(at(0.8 - 1e-9), 0.5, "|corr| = 0.8 > 0.8 − ε: the first is deleted");
}

#[test]
fn constant_columns_are_kept() {
    // Column 0 is constant and positive (NaN correlation, as numpy): kept; columns 1, 2 distinct.
    let f = mat(&[&[1.0, 0.0, 2.0], &[1.0, 3.0, 0.0], &[1.0, 1.0, 1.0]]);
    let opts = SparsityOptions { tau: 0.5, normalize_rows: false };
    let v = sparsity_coefficient(&f, &opts);
    // corr(c1, c2) = −0.866 → |·| > 0.5: column 1 deleted; kept 0 (3 positives) and 2 (2).
    assert!((v - 5.0 / 9.0).abs() < 1e-15, "{v}");
}

#[test]
fn row_normalization_happens_before_the_correlations() {
    // Every row is a multiple of (1, 2): raw, the columns are perfectly correlated (one is
    // deleted); after row scaling both columns are constant (NaN correlation) and both are kept.
    let f = mat(&[&[1.0, 2.0], &[3.0, 6.0], &[2.0, 4.0]]);
    let raw = sparsity_coefficient(&f, &SparsityOptions { tau: 0.99, normalize_rows: false });
    let scaled = sparsity_coefficient(&f, &SparsityOptions::small_net(0.99));
    assert_eq!(raw, 0.5);
    assert_eq!(scaled, 1.0);
    let zero_row = mat(&[&[0.0, 0.0], &[1.0, 0.0], &[0.0, 1.0]]);
    assert!((sparsity_coefficient(&zero_row, &SparsityOptions::small_net(0.99)) - 2.0 / 6.0).abs() < 1e-15);
}
