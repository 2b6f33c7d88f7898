//! The release's evaluation grid (utils.get_iters_eval).

use largestep::metrics::log_grid;

#[test]
fn grid_sizes_match_the_release() {
    // Diagonal net: N = 10^5 + 1, K = 250 ⇒ 100 dense points + 248 linspace points.
    let g = log_grid(100_001, 100, 250);
    assert_eq!(g.len(), 348);
    assert_eq!(&g[..3], &[0, 1, 2]);
    assert_eq!(g[100], 402); // round(100001/249) = round(401.61)
    assert!(*g.last().unwrap() < 100_001);
    assert!(g.windows(2).all(|w| w[0] < w[1]));
    // ReLU nets: N = 10^4.5 + 1 = 31 623, K = 151 ⇒ 249 points.
    assert_eq!(log_grid(31_623, 100, 151).len(), 249);
}

#[test]
fn grid_rounds_half_to_even_like_numpy() {
    // linspace(0, 5, 3) = [0, 2.5, 5] → numpy.round → [0, 2, 5]; the last value is dropped.
    assert_eq!(log_grid(5, 0, 3), vec![0, 2]);
    // linspace(0, 7, 3) = [0, 3.5, 7] → [0, 4, 7].
    assert_eq!(log_grid(7, 0, 3), vec![0, 4]);
}

#[test]
fn tiny_runs() {
    assert_eq!(log_grid(1, 100, 250), vec![0]);
    assert_eq!(log_grid(3, 100, 2), vec![0, 1, 2]);
}
