//! The release's evaluation grid.

/// {0, …, dense − 1} ∪ unique(round(linspace(0, N, K))) without the last linspace value,
/// sorted (utils.get_iters_eval of the release; numpy rounds half to even). Metrics at a grid
/// point t are evaluated at θ_t, before the step of iteration t.
pub fn log_grid(total: usize, dense: usize, k: usize) -> Vec<usize> {
    let mut lin: Vec<usize> = Vec::with_capacity(k);
    if k >= 2 {
        let step = total as f64 / (k - 1) as f64;
        for i in 0..k {
            let v = if i == k - 1 { total as f64 } else { i as f64 * step };
            lin.push(v.round_ties_even() as usize);
        }
    } else if k == 1 {
        lin.push(0);
    }
    lin.dedup();
    lin.pop();
    let mut all: Vec<usize> = (0..dense.min(total)).chain(lin).filter(|&t| t < total).collect();
    all.sort_unstable();
    all.dedup();
    all
}
