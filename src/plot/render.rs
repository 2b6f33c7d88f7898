//! The plotters backend of [`Figure`].

use super::{Figure, Panel, Style};
use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

pub(super) const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// matplotlib's tab10 palette.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub(super) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is embedded, so registration can only fail on a corrupt build.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

pub(super) fn render(fig: &Figure, stem: &Path) -> Result<()> {
    register();
    let rows = fig.panels.len().div_ceil(fig.cols).max(1);
    let size = (fig.panel_size.0 * fig.cols as u32, fig.panel_size.1 * rows as u32 + 40);
    let dir = stem.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = stem.file_name().and_then(|s| s.to_str()).unwrap_or("figure").to_string();

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(fig, &root, rows)?;
        root.present().map_err(|e| anyhow!("rendering {name}.svg: {e}"))?;
    }
    crate::output::atomic_write(&dir.join(format!("{name}.svg")), svg.as_bytes())?;

    // plotters' bitmap backend encodes by file name: draw into a temporary .png in the same
    // folder, then rename it into place (atomic).
    let tmp = tempfile::Builder::new().prefix(".plot").suffix(".png").tempfile_in(dir)?;
    {
        let root = super::text::Baseline(BitMapBackend::new(tmp.path(), size)).into_drawing_area();
        draw(fig, &root, rows)?;
        root.present().map_err(|e| anyhow!("rendering {name}.png: {e}"))?;
    }
    crate::output::persist(tmp, &dir.join(format!("{name}.png")))
}

fn draw<DB: DrawingBackend>(fig: &Figure, root: &DrawingArea<DB, Shift>, rows: usize) -> Result<()> {
    root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
    let (top, body) = root.split_vertically(40);
    top.titled(&fig.title, ("sans-serif", 20)).map_err(|e| anyhow!("{e:?}"))?;
    let areas = body.split_evenly((rows, fig.cols));
    for (panel, area) in fig.panels.iter().zip(areas.iter()) {
        draw_panel(panel, area)?;
    }
    Ok(())
}

/// Superscript form of an integer exponent: `-3` → `⁻³`.
fn superscript(n: i32) -> String {
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
    let mut m = (v / 10f64.powi(n) * 100.0).round() / 100.0;
    if m.abs() >= 10.0 {
        m /= 10.0;
        n += 1;
    }
    (m, n)
}

/// Tick label on a log axis: powers of ten as `10ⁿ`; other ticks are labelled `m×10ⁿ` only
/// when the axis spans less than a decade (otherwise they stay unlabelled minor ticks), so a
/// log axis never mixes `1e-6` with `0.001`.
fn log_tick(v: f64, decades: f64) -> String {
    if !(v > 0.0 && v.is_finite()) {
        return String::new();
    }
    let (m, n) = mantissa_exponent(v);
    if (m - 1.0).abs() < 1e-9 {
        format!("10{}", superscript(n))
    } else if decades < 1.0 {
        format!("{m}×10{}", superscript(n))
    } else {
        String::new()
    }
}

/// Tick label on a linear axis: plain decimals (`0`, `20000`, `0.25`) for 10⁻³ ≤ |v| < 10⁶,
/// `m×10ⁿ` outside.
fn linear_tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let (m, n) = mantissa_exponent(v);
        return if (m.abs() - 1.0).abs() < 1e-9 {
            format!("{}10{}", if m < 0.0 { "−" } else { "" }, superscript(n))
        } else {
            format!("{m}×10{}", superscript(n))
        };
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('-', "−")
}

/// The legend corner with the fewest data points under a box of `w × h` (fractions of the plot
/// area), in the order upper right, upper left, lower right, lower left on ties.
fn emptiest_corner(panel: &Panel, xr: (f64, f64), yr: (f64, f64), w: f64, h: f64) -> SeriesLabelPosition {
    let unit = |v: f64, (lo, hi): (f64, f64), log: bool| {
        if log {
            (v.log10() - lo.log10()) / (hi.log10() - lo.log10())
        } else {
            (v - lo) / (hi - lo)
        }
    };
    let pts: Vec<(f64, f64)> = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied().chain(s.band.iter().flat_map(|&(x, lo, hi)| [(x, lo), (x, hi)])))
        .filter(|&(x, y)| drawable(x, panel.x_log) && drawable(y, panel.y_log))
        .map(|(x, y)| (unit(x, xr, panel.x_log), unit(y, yr, panel.y_log)))
        .collect();
    let corners = [
        (SeriesLabelPosition::UpperRight, 1.0 - w, 1.0 - h),
        (SeriesLabelPosition::UpperLeft, 0.0, 1.0 - h),
        (SeriesLabelPosition::LowerRight, 1.0 - w, 0.0),
        (SeriesLabelPosition::LowerLeft, 0.0, 0.0),
    ];
    let count =
        |x0: f64, y0: f64| pts.iter().filter(|&&(x, y)| x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h).count();
    let mut best = (usize::MAX, SeriesLabelPosition::UpperRight);
    for (pos, x0, y0) in corners {
        let c = count(x0, y0);
        if c < best.0 {
            best = (c, pos);
        }
    }
    best.1
}

/// Whether a coordinate can be drawn: finite, positive on a log axis, and below 1e30 in
/// magnitude (the divergence threshold of the recorder: the row at which a run diverges is
/// kept in the CSV but not drawn, so that a value of 1e300 does not flatten every curve).
fn drawable(v: f64, log: bool) -> bool {
    v.is_finite() && v.abs() < crate::record::DIVERGED_LOSS && (!log || v > 0.0)
}

fn bounds(panel: &Panel) -> ((f64, f64), (f64, f64)) {
    let ok_x = |x: f64| drawable(x, panel.x_log);
    let ok_y = |y: f64| drawable(y, panel.y_log);
    let pts = panel.series.iter().flat_map(|s| s.points.iter()).filter(|(x, y)| ok_x(*x) && ok_y(*y));
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (1.0, 10.0, 1.0, 10.0);
    }
    let pad = |lo: f64, hi: f64, log: bool| -> (f64, f64) {
        if log {
            let (a, b) = (lo.log10(), hi.log10());
            let m = ((b - a) * 0.05).max(0.05);
            (10f64.powf(a - m), 10f64.powf(b + m))
        } else {
            let m = ((hi - lo) * 0.05).max(1e-12 + lo.abs() * 1e-3);
            (lo - m, hi + m)
        }
    };
    let (mut xr, mut yr) = (pad(x0, x1, panel.x_log), pad(y0, y1, panel.y_log));
    if panel.equal_aspect && !panel.x_log && !panel.y_log {
        let (wx, wy) = (xr.1 - xr.0, yr.1 - yr.0);
        let w = wx.max(wy);
        let (cx, cy) = (0.5 * (xr.0 + xr.1), 0.5 * (yr.0 + yr.1));
        xr = (cx - w / 2.0, cx + w / 2.0);
        yr = (cy - w / 2.0, cy + w / 2.0);
    }
    (xr, yr)
}

fn draw_panel<DB: DrawingBackend>(panel: &Panel, area: &DrawingArea<DB, Shift>) -> Result<()> {
    let ((x0, x1), (y0, y1)) = bounds(panel);
    let (x_decades, y_decades) = ((x1 / x0).log10(), (y1 / y0).log10());
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    let mut builder = ChartBuilder::on(area);
    builder.caption(&panel.title, ("sans-serif", 15)).margin(8).x_label_area_size(36).y_label_area_size(58);
    macro_rules! body {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(panel.x_label.as_str())
                .y_desc(panel.y_label.as_str())
                .label_style(("sans-serif", 11))
                .x_labels(6)
                .y_labels(7)
                .x_label_formatter(&|v| if panel.x_log { log_tick(*v, x_decades) } else { linear_tick(*v) })
                .y_label_formatter(&|v| if panel.y_log { log_tick(*v, y_decades) } else { linear_tick(*v) })
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(e)?;
            let mut legend = false;
            let labels: Vec<&str> = panel.series.iter().map(|s| s.label.as_str()).filter(|l| !l.is_empty()).collect();
            let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
            let (pw, ph) = chart.plotting_area().dim_in_pixel();
            let legend_at = emptiest_corner(
                panel,
                (x0, x1),
                (y0, y1),
                ((widest * 6.2 + 40.0) / f64::from(pw.max(1))).min(1.0),
                ((labels.len() as f64 * 15.0 + 12.0) / f64::from(ph.max(1))).min(1.0),
            );
            for s in &panel.series {
                let color = s.color.map_or(RGBColor(150, 150, 150), |c| PALETTE[c % PALETTE.len()]);
                let ok = |x: f64, y: f64| drawable(x, panel.x_log) && drawable(y, panel.y_log);
                let band: Vec<&(f64, f64, f64)> =
                    s.band.iter().filter(|&&(x, lo, hi)| ok(x, lo) && ok(x, hi)).collect();
                if band.len() >= 2 {
                    let outline: Vec<(f64, f64)> =
                        band.iter().map(|b| (b.0, b.1)).chain(band.iter().rev().map(|b| (b.0, b.2))).collect();
                    chart.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.22).filled()))).map_err(e)?;
                }
            }
            for s in &panel.series {
                let color = s.color.map_or(RGBColor(150, 150, 150), |c| PALETTE[c % PALETTE.len()]);
                let keep = |&&(x, y): &&(f64, f64)| drawable(x, panel.x_log) && drawable(y, panel.y_log);
                let pts: Vec<(f64, f64)> = s.points.iter().filter(keep).copied().collect();
                // A line through a single point draws nothing: show the point (a 1-epoch run).
                let style = match s.style {
                    Style::Line | Style::Dashed | Style::Dotted if pts.len() == 1 => Style::Markers,
                    other => other,
                };
                if s.style == Style::Arrows {
                    chart
                        .draw_series(s.points.chunks_exact(2).map(|w| Circle::new(w[1], 3, color.filled())))
                        .map_err(e)?;
                }
                let anno = match style {
                    Style::Line => chart.draw_series(LineSeries::new(pts, color.stroke_width(2))).map_err(e)?,
                    Style::Dashed => {
                        chart.draw_series(DashedLineSeries::new(pts, 6, 4, color.stroke_width(2).into())).map_err(e)?
                    }
                    Style::Dotted => {
                        chart.draw_series(DashedLineSeries::new(pts, 2, 3, color.stroke_width(2).into())).map_err(e)?
                    }
                    Style::Markers => {
                        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(e)?
                    }
                    Style::Segments => chart
                        .draw_series(
                            s.points.chunks_exact(2).map(|w| PathElement::new(vec![w[0], w[1]], color.stroke_width(1))),
                        )
                        .map_err(e)?,
                    Style::Arrows => chart
                        .draw_series(
                            s.points.chunks_exact(2).map(|w| PathElement::new(vec![w[0], w[1]], color.stroke_width(2))),
                        )
                        .map_err(e)?,
                };
                if !s.label.is_empty() {
                    legend = true;
                    // The legend's sample is drawn in the series' own style (dashes stay dashes).
                    let anno = anno.label(s.label.clone());
                    match style {
                        Style::Dashed => anno.legend(move |(x, y)| {
                            EmptyElement::at((x, y))
                                + PathElement::new(vec![(0, 0), (7, 0)], color.stroke_width(2))
                                + PathElement::new(vec![(12, 0), (19, 0)], color.stroke_width(2))
                        }),
                        Style::Dotted => anno.legend(move |(x, y)| {
                            EmptyElement::at((x, y))
                                + PathElement::new(vec![(0, 0), (2, 0)], color.stroke_width(2))
                                + PathElement::new(vec![(6, 0), (8, 0)], color.stroke_width(2))
                                + PathElement::new(vec![(12, 0), (14, 0)], color.stroke_width(2))
                                + PathElement::new(vec![(18, 0), (20, 0)], color.stroke_width(2))
                        }),
                        Style::Markers | Style::Arrows => {
                            anno.legend(move |(x, y)| EmptyElement::at((x, y)) + Circle::new((9, 0), 3, color.filled()))
                        }
                        Style::Line | Style::Segments => anno.legend(move |(x, y)| {
                            PathElement::new(
                                vec![(x, y), (x + 19, y)],
                                color.stroke_width(if style == Style::Line { 2 } else { 1 }),
                            )
                        }),
                    };
                }
            }
            if legend {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.3))
                    .label_font(("sans-serif", 11))
                    .position(legend_at)
                    .draw()
                    .map_err(e)?;
            }
        }};
    }
    match (panel.x_log, panel.y_log) {
        (false, false) => body!(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(e)?),
        (false, true) => body!(builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale()).map_err(e)?),
        (true, false) => body!(builder.build_cartesian_2d((x0..x1).log_scale(), y0..y1).map_err(e)?),
        (true, true) => body!(builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale()).map_err(e)?),
    }
    Ok(())
}
