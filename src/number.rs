//! Numbers in prose (verdict details, report tables, console summaries): the one formatter.
//! CSV files use the shortest round-trip form instead (`record::csv_record`).

/// `v` for a reader: integers below 10⁶ as they are, values of magnitude in [10⁻², 10⁴) with three
/// decimals, others in scientific form with three significant digits; `NaN`, `inf` and `-inf` as
/// Rust writes them.
pub fn short(v: f64) -> String {
    if !v.is_finite() || (v == v.trunc() && v.abs() < 1e6) {
        format!("{v}")
    } else if (1e-2..1e4).contains(&v.abs()) {
        format!("{v:.3}")
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
        assert_eq!(short(0.394_17), "0.394");
        assert_eq!(short(60.5), "60.500");
        assert_eq!(short(2.0222e-34), "2.02e-34");
        assert_eq!(short(f64::NAN), "NaN");
        assert_eq!(short(f64::INFINITY), "inf");
        assert_eq!(short(f64::NEG_INFINITY), "-inf");
    }
}
