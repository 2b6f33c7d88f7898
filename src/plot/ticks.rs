//! Axis ticks: where the major (labelled) and minor ticks go, and the labels.
//!
//! A log axis is labelled at powers of ten over its whole range, every k-th decade when there are
//! more decades than `max` labels (k chosen so at most `max` remain, and at least two), with a
//! minor tick at every other decade, or at 2–9 × 10ⁿ when every decade is labelled. A log axis
//! spanning less than a decade is labelled at 1, 2, 5 × 10ⁿ (or finer). A linear axis is labelled at
//! a 1–2–5 step, with minor ticks at a fifth (or half) of it.

/// Major and minor tick positions of one axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Labelled ticks, increasing.
    pub major: Vec<f64>,
    /// Unlabelled ticks between them, increasing.
    pub minor: Vec<f64>,
}

/// Ticks of a log axis over `[lo, hi]` (0 < lo < hi), at most `max` ≥ 2 labelled.
pub fn log_ticks(lo: f64, hi: f64, max: usize) -> Ticks {
    let max = max.max(2);
    let (a, b) = ((lo.log10() - 1e-9).ceil() as i32, (hi.log10() + 1e-9).floor() as i32);
    let inside = |v: &f64| *v >= lo * (1.0 - 1e-12) && *v <= hi * (1.0 + 1e-12);
    let decades = b - a + 1;
    if decades < 2 {
        // Less than two powers of ten inside: label 1, 2, 5 × 10ⁿ, or a finer linear step.
        let mut major: Vec<f64> =
            (a - 1..=b + 1).flat_map(|n| [1.0, 2.0, 5.0].map(|m| m * pow10(n))).filter(inside).collect();
        if major.len() < 2 {
            return linear_ticks(lo, hi, max);
        }
        major.dedup();
        let minor = (a - 1..=b + 1)
            .flat_map(|n| (1..10).map(move |m| m as f64 * pow10(n)))
            .filter(|v| inside(v) && !major.iter().any(|m| (m / v - 1.0).abs() < 1e-9))
            .collect();
        return Ticks { major, minor };
    }
    let step = (decades as usize).div_ceil(max).max(1) as i32;
    // Labelled decades are multiples of the step (10⁰ is labelled when it is in range).
    let first = a + (step - a.rem_euclid(step)) % step;
    let major_n: Vec<i32> = (first..=b).step_by(step as usize).collect();
    let major: Vec<f64> = major_n.iter().map(|&n| pow10(n)).collect();
    let minor: Vec<f64> = if step == 1 {
        (a - 1..=b).flat_map(|n| (2..10).map(move |m| m as f64 * pow10(n))).filter(inside).collect()
    } else {
        (a..=b).filter(|n| !major_n.contains(n)).map(pow10).collect()
    };
    Ticks { major, minor }
}

/// Ticks of a linear axis over `[lo, hi]`, at most `max` ≥ 2 labelled (at least two).
pub fn linear_ticks(lo: f64, hi: f64, max: usize) -> Ticks {
    let max = max.max(2) as f64;
    let span = (hi - lo).abs().max(f64::MIN_POSITIVE);
    let raw = span / (max - 1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let (step, sub) = [(1.0, 5.0), (2.0, 4.0), (2.5, 5.0), (5.0, 5.0), (10.0, 5.0)]
        .into_iter()
        .map(|(m, s)| (m * mag, s))
        .find(|(s, _)| span / s <= max - 1.0 + 1e-9)
        .unwrap_or((10.0 * mag, 5.0));
    // k·s rounded to the decimals of the step (0.6, not 0.6000000000000001), −0 as 0.
    let at = |k: f64, s: f64| {
        let digits = (1 - s.log10().floor() as i32).clamp(0, 300);
        let scale = pow10(digits);
        let v = (k * s * scale).round() / scale;
        if v == 0.0 {
            0.0
        } else {
            v
        }
    };
    let major: Vec<f64> =
        ((lo / step).ceil() as i64..=(hi / step).floor() as i64).map(|k| at(k as f64, step)).collect();
    let fine = step / sub;
    let minor = ((lo / fine).ceil() as i64..=(hi / fine).floor() as i64)
        .map(|k| at(k as f64, fine))
        .filter(|v| !major.iter().any(|m| (m - v).abs() < fine * 1e-6))
        .collect();
    Ticks { major, minor }
}

/// 10ⁿ, correctly rounded (`powi` is not for negative n).
fn pow10(n: i32) -> f64 {
    format!("1e{n}").parse().unwrap_or(f64::NAN)
}

/// Superscript form of an integer exponent: `-3` → `⁻³`.
pub fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d.to_digit(10).unwrap_or(0) as usize],
        })
        .collect()
}

/// Decomposes v ≠ 0 as m·10ⁿ with 1 ≤ |m| < 10, m rounded to 3 significant digits.
fn mantissa_exponent(v: f64) -> (f64, i32) {
    let mut n = v.abs().log10().floor() as i32;
    let mut m = (v / pow10(n) * 100.0).round() / 100.0;
    if m.abs() >= 10.0 {
        m /= 10.0;
        n += 1;
    }
    (m, n)
}

/// Label of a tick on a log axis: `10ⁿ`, or `m×10ⁿ` (ticks of an axis under two decades).
pub fn log_label(v: f64) -> String {
    if !(v > 0.0 && v.is_finite()) {
        return String::new();
    }
    let (m, n) = mantissa_exponent(v);
    if (m - 1.0).abs() < 1e-9 {
        format!("10{}", superscript(n))
    } else if (-2..=3).contains(&n) {
        linear_label(v)
    } else {
        format!("{m}×10{}", superscript(n))
    }
}

/// Label of a tick on a linear axis: plain decimals (`0`, `20000`, `0.25`) for
/// 10⁻³ ≤ |v| < 10⁶, `m×10ⁿ` outside; a minus sign, not a hyphen.
pub fn linear_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let (m, n) = mantissa_exponent(v);
        return if (m.abs() - 1.0).abs() < 1e-9 {
            format!("{}10{}", if m < 0.0 { "−" } else { "" }, superscript(n))
        } else {
            format!("{}×10{}", m.to_string().replace('-', "−"), superscript(n))
        };
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('-', "−")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_are_labelled_over_their_whole_range() {
        // A loss from 1e-22 to 10: every labelled tick is a power of ten, the lowest label is
        // within one step of the bottom, at most 6 labels, and every decade has a tick.
        let t = log_ticks(1e-22, 10.0, 6);
        assert!(t.major.len() >= 2 && t.major.len() <= 6, "{:?}", t.major);
        assert!(t.major[0] <= 1e-17, "the bottom of the range is unlabelled: {:?}", t.major);
        assert!(t.major.contains(&1.0));
        assert!(t.major.iter().all(|v| log_label(*v).starts_with("10")));
        assert_eq!(t.major.len() + t.minor.len(), 24, "one tick per decade 1e-22..1e1");
        // A few decades: every decade labelled, 2..9 minor ticks.
        let t = log_ticks(3e-3, 2.0, 6);
        assert_eq!(t.major, vec![1e-2, 1e-1, 1.0]);
        assert!(t.minor.contains(&(5.0 * 1e-3)) && t.minor.contains(&2.0));
        // Under a decade: 1-2-5 labels, never a single one.
        assert!(log_ticks(0.3, 0.9, 6).major.len() >= 2);
        assert!(log_ticks(19.98, 20.02, 6).major.len() >= 2);
    }

    #[test]
    fn linear_axes_get_at_least_two_labels_and_minor_ticks() {
        for (lo, hi) in [(19.98, 20.02), (0.0, 1.0), (-3.0, 250.0), (1e-9, 3e-9)] {
            let t = linear_ticks(lo, hi, 6);
            assert!((2..=6).contains(&t.major.len()), "{lo}..{hi}: {:?}", t.major);
            assert!(!t.minor.is_empty(), "{lo}..{hi}: no minor ticks");
            assert!(t.major.iter().chain(&t.minor).all(|v| *v >= lo && *v <= hi));
        }
        assert_eq!(linear_ticks(0.0, 1.0, 6).major, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(linear_label(0.6000000000000001), "0.6");
        assert_eq!(linear_label(-2.5e-7), "−2.5×10⁻⁷");
        assert_eq!(log_label(1e-20), "10⁻²⁰");
        assert_eq!(log_label(0.2), "0.2");
    }
}
