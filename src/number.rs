//! Numbers in prose (verdict details, report tables, console summaries): the one formatter.
//! CSV files use the shortest round-trip form instead (`record::csv_record`).

/// `v` for a reader: integers below 10⁶ as they are; magnitudes in [10⁻², 10⁴) with four
/// significant digits, trailing zeros dropped (0.3942, 159.5, 60.5); others in scientific form with
/// three significant digits (2.02e-34); `NaN`, `inf` and `-inf` as Rust writes them.
pub fn short(v: f64) -> String {
    if !v.is_finite() || (v == v.trunc() && v.abs() < 1e6) {
        format!("{v}")
    } else if (1e-2..1e4).contains(&v.abs()) {
        let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
        s.to_string()
    } else {
        format!("{v:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn each_range_has_its_form() {
        assert_eq!(short(20.0), "20");
        assert_eq!(short(-3.0), "-3");
        assert_eq!(short(2e6), "2.00e6");
        assert_eq!(short(0.394_17), "0.3942");
        assert_eq!(short(60.5), "60.5");
        assert_eq!(short(159.5), "159.5");
        assert_eq!(short(0.049_91), "0.04991");
        assert_eq!(short(1234.56), "1235");
        assert_eq!(short(-0.25), "-0.25");
        assert_eq!(short(2.0222e-34), "2.02e-34");
        assert_eq!(short(f64::NAN), "NaN");
        assert_eq!(short(f64::INFINITY), "inf");
        assert_eq!(short(f64::NEG_INFINITY), "-inf");
    }
}
