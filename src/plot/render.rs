//! The plotters backend of [`Figure`]: layout in points at the printed size, then PNG, SVG and
//! PDF from the same drawing code.

use super::axis::Keyed;
use super::layout::{wrap, Layout};
use super::options::{Format, PlotOptions};
use super::ticks::{linear_label, linear_ticks, log_label, log_ticks, Ticks};
use super::{Figure, Panel, Series, Style};
use anyhow::{anyhow, Context, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};
use std::sync::Once;

pub(super) const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// matplotlib's tab10 palette.
pub(super) const PALETTE: [RGBColor; 10] = [
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

/// Opacity of an interquartile band: four overlapping bands stay apart (their edges are drawn too).
const BAND_ALPHA: f64 = 0.14;

pub(super) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is embedded, so registration can only fail on a corrupt build.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

pub(super) fn color_of(s: &Series) -> RGBColor {
    s.color.map_or(RGBColor(120, 120, 120), |c| PALETTE[c % PALETTE.len()])
}

/// The SVG text of `fig` at `opts` (width and height in inches, a viewBox in canvas units).
pub(super) fn svg(fig: &Figure, opts: &PlotOptions) -> Result<String> {
    register();
    let layout = Layout::new(fig, opts);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, layout.size).into_drawing_area();
        draw(fig, &root, &layout, opts)?;
        root.present().map_err(|e| anyhow!("rendering SVG: {e}"))?;
    }
    let (w, h) = layout.size;
    let from = format!("<svg width=\"{w}\" height=\"{h}\" ");
    let to = format!("<svg width=\"{}in\" height=\"{}in\" ", inches(w, opts), inches(h, opts));
    Ok(svg.replacen(&from, &to, 1))
}

fn inches(px: u32, opts: &PlotOptions) -> String {
    let v = (f64::from(px) / opts.dpi * 10_000.0).round() / 10_000.0;
    crate::output::fmt_f64(v)
}

/// Writes `<stem>.<ext>` for every format of `opts` (each atomically); returns the paths.
pub(super) fn render(fig: &Figure, stem: &Path, opts: &PlotOptions) -> Result<Vec<PathBuf>> {
    opts.validate()?;
    register();
    let dir = stem.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = stem.file_name().and_then(|s| s.to_str()).unwrap_or("figure").to_string();
    let mut formats = opts.formats.clone();
    formats.sort();
    formats.dedup();
    let mut written = Vec::new();
    let needs_svg = formats.iter().any(|f| matches!(f, Format::Svg | Format::Pdf));
    let svg_text =
        if needs_svg { Some(svg(fig, opts).with_context(|| format!("rendering {name}.svg"))?) } else { None };
    for format in formats {
        let path = dir.join(format!("{name}.{}", format.ext()));
        match (format, &svg_text) {
            (Format::Svg, Some(s)) => crate::output::atomic_write(&path, s.as_bytes())?,
            (Format::Pdf, Some(s)) => {
                let pdf = super::pdf::svg_to_pdf(s).with_context(|| format!("rendering {}", path.display()))?;
                crate::output::atomic_write(&path, &pdf)?
            }
            _ => png(fig, opts, dir, &path).with_context(|| format!("rendering {}", path.display()))?,
        }
        written.push(path);
    }
    Ok(written)
}

/// plotters' bitmap backend encodes by file name: draw into a temporary .png in the same folder,
/// then rename it into place (atomic).
fn png(fig: &Figure, opts: &PlotOptions, dir: &Path, path: &Path) -> Result<()> {
    let layout = Layout::new(fig, opts);
    let tmp = tempfile::Builder::new().prefix(".plot").suffix(".png").tempfile_in(dir)?;
    {
        let root = super::text::Baseline(BitMapBackend::new(tmp.path(), layout.size)).into_drawing_area();
        draw(fig, &root, &layout, opts)?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    crate::output::persist(tmp, path)
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("{e:?}")
}

fn font(px: f64) -> FontDesc<'static> {
    ("sans-serif", px).into_font()
}

fn draw<DB: DrawingBackend>(fig: &Figure, root: &DrawingArea<DB, Shift>, l: &Layout, o: &PlotOptions) -> Result<()> {
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = l.size;
    let line_h = l.title_line_h;
    let mut y = o.px(3.0) as i32;
    let title_style = font(l.font_px(o.font_pt + 2.0)).color(&BLACK).pos(Pos::new(HPos::Center, VPos::Top));
    for line in &l.title_lines {
        root.draw_text(line, &title_style, (w as i32 / 2, y)).map_err(err)?;
        y += line_h;
    }
    let (_, rest) = root.split_vertically(l.title_h);
    let (legend_area, body) = rest.split_vertically(l.legend_h);
    draw_legend(&legend_area, l, o)?;
    let areas = body.split_evenly((l.rows, l.cols));
    for (panel, area) in fig.panels.iter().zip(areas.iter()) {
        draw_panel(panel, area, l, o)?;
    }
    Ok(())
}

/// The figure's legend: one strip above the panels, entries left to right, wrapped (never on the
/// data).
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, l: &Layout, o: &PlotOptions) -> Result<()> {
    let style = font(l.font_px(o.font_pt)).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    let sample = o.px(16.0) as i32;
    let lw = o.px(1.0).round().max(1.0) as u32;
    for e in &l.legend {
        let (x, y) = (e.x, e.y);
        let c = e.color;
        if e.band {
            let h = (l.legend_line_h as f64 * 0.28) as i32;
            area.draw(&Rectangle::new([(x, y - h), (x + sample, y + h)], c.mix(BAND_ALPHA * 1.6).filled()))
                .map_err(err)?;
        }
        let seg = |a: i32, b: i32| PathElement::new(vec![(x + a, y), (x + b, y)], c.stroke_width(lw));
        match e.style {
            Style::Line => area.draw(&seg(0, sample)).map_err(err)?,
            Style::Segments => area
                .draw(&PathElement::new(vec![(x, y), (x + sample, y)], c.stroke_width((lw / 2).max(1))))
                .map_err(err)?,
            Style::Dashed | Style::Dotted => {
                let (on, off) = dash(e.style, o);
                let mut a = 0;
                while a < sample {
                    area.draw(&seg(a, (a + on as i32).min(sample))).map_err(err)?;
                    a += (on + off) as i32;
                }
            }
            Style::Markers | Style::Arrows => {
                area.draw(&Circle::new((x + sample / 2, y), o.px(1.8) as i32, c.filled())).map_err(err)?
            }
        }
        area.draw_text(&e.label, &style, (x + sample + o.px(3.0) as i32, y)).map_err(err)?;
    }
    Ok(())
}

/// Dash and gap lengths (canvas units) of a dashed or dotted line.
fn dash(style: Style, o: &PlotOptions) -> (u32, u32) {
    match style {
        Style::Dotted => (o.px(1.0).max(1.0) as u32, o.px(1.6).max(1.0) as u32),
        _ => (o.px(3.5).max(1.0) as u32, o.px(2.0).max(1.0) as u32),
    }
}

/// Whether a coordinate can be drawn: finite, positive on a log axis, and below 1e30 in
/// magnitude (the divergence threshold of the recorder: the row at which a run diverges is
/// kept in the CSV but not drawn, so that a value of 1e300 does not flatten every curve).
pub(super) fn drawable(v: f64, log: bool) -> bool {
    v.is_finite() && v.abs() < crate::record::DIVERGED_LOSS && (!log || v > 0.0)
}

/// The data range of a panel, padded by 5 % (of the decades on a log axis).
pub(super) fn bounds(panel: &Panel) -> ((f64, f64), (f64, f64)) {
    let ok_x = |x: f64| drawable(x, panel.x_log);
    let ok_y = |y: f64| drawable(y, panel.y_log);
    let band = panel.series.iter().flat_map(|s| s.band.iter().flat_map(|&(x, lo, hi)| [(x, lo), (x, hi)]));
    let pts = panel.series.iter().flat_map(|s| s.points.iter().copied()).chain(band);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in pts.filter(|&(x, y)| ok_x(x) && ok_y(y)) {
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

/// Ticks of an axis over `r`, at most `max` labelled, with their labels.
pub(super) fn axis_ticks(r: (f64, f64), log: bool, max: usize) -> (Ticks, Vec<String>) {
    let t = if log { log_ticks(r.0, r.1, max) } else { linear_ticks(r.0, r.1, max) };
    let labels = t.major.iter().map(|&v| if log { log_label(v) } else { linear_label(v) }).collect();
    (t, labels)
}

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    o: &PlotOptions,
) -> Result<()> {
    let (pw, _) = area.dim_in_pixel();
    let title_style = font(l.font_px(o.font_pt + 1.0)).color(&BLACK).pos(Pos::new(HPos::Center, VPos::Top));
    let lines = wrap(&panel.title, l.font_px(o.font_pt + 1.0), f64::from(pw) * 0.92);
    for (i, line) in lines.iter().enumerate() {
        let y = o.px(2.0) as i32 + i as i32 * l.panel_title_line_h;
        area.draw_text(line, &title_style, (pw as i32 / 2, y)).map_err(err)?;
    }
    let (_, area) = area.split_vertically(l.panel_title_h);
    if let Some(h) = &panel.heatmap {
        return super::heatmap::draw(panel, h, &area, l, o);
    }
    let ((x0, x1), (y0, y1)) = bounds(panel);
    let geo = l.axes(&area, panel, (x0, x1), (y0, y1), o);
    let mut builder = ChartBuilder::on(&area);
    builder
        .margin_top(o.px(2.0) as u32)
        .margin_left(o.px(1.5) as u32)
        .margin_right(geo.right_margin)
        .x_label_area_size(geo.x_area)
        .y_label_area_size(geo.y_area);
    let tick_font = font(l.font_px(o.font_pt));
    let lw = o.px(1.0).round().max(1.0) as u32;
    macro_rules! body {
        ($chart:expr) => {{
            let mut chart = $chart;
            let (xl, yl) = (&geo.x_labels, &geo.y_labels);
            let (xt, yt) = (&geo.x_ticks.major, &geo.y_ticks.major);
            let label_of = |v: f64, ticks: &[f64], labels: &[String]| {
                ticks.iter().position(|t| *t == v).map(|i| labels[i].clone()).unwrap_or_default()
            };
            if !panel.no_axes {
                chart
                    .configure_mesh()
                    .x_desc(panel.x_label.as_str())
                    .y_desc(panel.y_label.as_str())
                    .label_style(tick_font.clone())
                    .axis_desc_style(tick_font.clone())
                    .x_label_formatter(&|v| label_of(*v, xt, xl))
                    .y_label_formatter(&|v| label_of(*v, yt, yl))
                    .set_all_tick_mark_size(o.px(3.0) as i32)
                    .bold_line_style(BLACK.mix(0.07).stroke_width((lw / 3).max(1)))
                    .light_line_style(WHITE.mix(0.0))
                    .axis_style(BLACK.stroke_width((lw / 2).max(1)))
                    .draw()
                    .map_err(err)?;
                // Minor ticks, outward like plotters' major ones.
                let (xr, yr) = chart.plotting_area().get_pixel_range();
                let base = area.get_base_pixel();
                let len = o.px(1.6) as i32;
                let tick = BLACK.stroke_width((lw / 2).max(1));
                for &v in &geo.x_ticks.minor {
                    let px = chart.backend_coord(&(v, y0)).0 - base.0;
                    let y = yr.end - base.1;
                    area.draw(&PathElement::new(vec![(px, y), (px, y + len)], tick)).map_err(err)?;
                }
                for &v in &geo.y_ticks.minor {
                    let py = chart.backend_coord(&(x0, v)).1 - base.1;
                    let x = xr.start - base.0;
                    area.draw(&PathElement::new(vec![(x - len, py), (x, py)], tick)).map_err(err)?;
                }
            }
            for s in &panel.series {
                let color = color_of(s);
                let ok = |x: f64, y: f64| drawable(x, panel.x_log) && drawable(y, panel.y_log);
                let band: Vec<&(f64, f64, f64)> =
                    s.band.iter().filter(|&&(x, lo, hi)| ok(x, lo) && ok(x, hi)).collect();
                if band.len() >= 2 {
                    let outline: Vec<(f64, f64)> =
                        band.iter().map(|b| (b.0, b.1)).chain(band.iter().rev().map(|b| (b.0, b.2))).collect();
                    chart
                        .draw_series(std::iter::once(Polygon::new(outline, color.mix(BAND_ALPHA).filled())))
                        .map_err(err)?;
                    let edge = color.mix(0.45).stroke_width((lw / 3).max(1));
                    for k in [1, 2] {
                        let pts = band.iter().map(|b| (b.0, if k == 1 { b.1 } else { b.2 }));
                        chart.draw_series(LineSeries::new(pts, edge)).map_err(err)?;
                    }
                }
            }
            for s in &panel.series {
                let color = color_of(s);
                let keep = |&&(x, y): &&(f64, f64)| drawable(x, panel.x_log) && drawable(y, panel.y_log);
                let pts: Vec<(f64, f64)> = s.points.iter().filter(keep).copied().collect();
                // A line through a single point draws nothing: show the point (a 1-epoch run).
                let style = match s.style {
                    Style::Line | Style::Dashed | Style::Dotted if pts.len() == 1 => Style::Markers,
                    other => other,
                };
                let r = o.px(1.6).max(1.0) as i32;
                if s.style == Style::Arrows {
                    chart
                        .draw_series(s.points.chunks_exact(2).map(|w| Circle::new(w[1], r, color.filled())))
                        .map_err(err)?;
                }
                match style {
                    Style::Line => {
                        chart.draw_series(LineSeries::new(pts, color.stroke_width(lw))).map_err(err)?;
                    }
                    Style::Dashed | Style::Dotted => {
                        let (on, off) = dash(style, o);
                        chart
                            .draw_series(DashedLineSeries::new(pts, on, off, color.stroke_width(lw).into()))
                            .map_err(err)?;
                    }
                    Style::Markers => {
                        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, r, color.filled()))).map_err(err)?;
                    }
                    Style::Segments | Style::Arrows => {
                        let w = if style == Style::Segments { (lw / 2).max(1) } else { lw };
                        chart
                            .draw_series(
                                s.points
                                    .chunks_exact(2)
                                    .map(|p| PathElement::new(vec![p[0], p[1]], color.stroke_width(w))),
                            )
                            .map_err(err)?;
                    }
                }
            }
        }};
    }
    let (xk, yk) = (geo.x_ticks.major.clone(), geo.y_ticks.major.clone());
    let lin = |r: (f64, f64), k: Vec<f64>| Keyed::<RangedCoordf64>::new(r.0..r.1, k);
    let log = |r: (f64, f64), k: Vec<f64>| Keyed::<LogCoord<f64>>::new((r.0..r.1).log_scale(), k);
    let (xr, yr) = ((x0, x1), (y0, y1));
    match (panel.x_log, panel.y_log) {
        (false, false) => body!(builder.build_cartesian_2d(lin(xr, xk), lin(yr, yk)).map_err(err)?),
        (false, true) => body!(builder.build_cartesian_2d(lin(xr, xk), log(yr, yk)).map_err(err)?),
        (true, false) => body!(builder.build_cartesian_2d(log(xr, xk), lin(yr, yk)).map_err(err)?),
        (true, true) => body!(builder.build_cartesian_2d(log(xr, xk), log(yr, yk)).map_err(err)?),
    }
    Ok(())
}
