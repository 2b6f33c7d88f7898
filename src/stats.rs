//! Summary statistics over seeds and along runs: medians, quantiles, a least-squares slope.
//! Each is one function used everywhere (the figures' bands, summary.csv, the plateau window
//! of O1, the SDE calibration, the deep-net profile).

/// Median of finite values (NaN and ±∞ ignored); NaN when none.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    middle(&v)
}

/// Median keeping ±∞ (a diverged run's plateau is +∞, not a missing value); NaN if any value
/// is NaN or there is none.
pub fn median_with_infinities(mut v: Vec<f64>) -> f64 {
    if v.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    middle(&v)
}

/// The middle of sorted values: the middle one, or the mean ½(a + b) of the two middle ones;
/// NaN when empty.
fn middle(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

/// The q-quantile of sorted values by linear interpolation between order statistics
/// (numpy's default): position q·(n − 1). NaN when empty.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => {
            let pos = q * (n - 1) as f64;
            let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
            if frac == 0.0 {
                sorted[lo]
            } else {
                sorted[lo] + frac * (sorted[lo + 1] - sorted[lo])
            }
        }
    }
}

/// Least-squares slope of `y` against `x`: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)².
pub fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_quantiles_and_slope() {
        assert_eq!(median(&[3.0, f64::NAN, 1.0, f64::INFINITY, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[f64::NAN]).is_nan());
        assert_eq!(median_with_infinities(vec![1.0, f64::INFINITY, f64::INFINITY]), f64::INFINITY);
        assert!(median_with_infinities(vec![1.0, f64::NAN]).is_nan());
        assert!(median_with_infinities(vec![]).is_nan());
        let s = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!((quantile(&s, 0.25), quantile(&s, 0.5), quantile(&s, 0.9)), (2.0, 3.0, 4.6));
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(slope(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]), 2.0);
    }
}
