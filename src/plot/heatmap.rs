//! Heatmap panels: a grid of cells over two categorical axes, each coloured by a value in
//! [0, 1] (viridis) with its notes written inside (e.g. the rate, n and the interval).

use super::axis::Keyed;
use super::layout::Layout;
use super::options::{PlotOptions, MIN_FONT_PT};
use super::{Heatmap, Panel};
use anyhow::{anyhow, Result};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Viridis at five stops, interpolated linearly.
const VIRIDIS: [(f64, f64, f64); 5] =
    [(68.0, 1.0, 84.0), (59.0, 82.0, 139.0), (33.0, 145.0, 140.0), (94.0, 201.0, 98.0), (253.0, 231.0, 37.0)];

/// The colour of `v` ∈ [0, 1] (clamped); light grey for NaN (no data).
pub fn colormap(v: f64) -> RGBColor {
    if !v.is_finite() {
        return RGBColor(225, 225, 225);
    }
    let t = v.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black on light cells, white on dark ones.
fn ink(c: RGBColor) -> RGBColor {
    let lum = 0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2);
    if lum > 140.0 {
        BLACK
    } else {
        WHITE
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    panel: &Panel,
    h: &Heatmap,
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    o: &PlotOptions,
) -> Result<()> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    let (nx, ny) = (h.x_labels.len().max(1), h.y_labels.len().max(1));
    let fpx = l.font_px(o.font_pt);
    let em = fpx / 1.24;
    let widest = h.y_labels.iter().map(|s| super::text::text_width(s, fpx)).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .margin_top(o.px(2.0) as u32)
        .margin_right((em * 0.8) as u32)
        .x_label_area_size((em * 2.9 + o.px(5.0)) as u32)
        .y_label_area_size((widest + em * 1.6 + o.px(6.0)) as u32)
        .build_cartesian_2d(
            Keyed::<RangedCoordf64>::new(0.0..nx as f64, (0..nx).map(|i| i as f64 + 0.5).collect()),
            Keyed::<RangedCoordf64>::new(0.0..ny as f64, (0..ny).map(|j| j as f64 + 0.5).collect()),
        )
        .map_err(err)?;
    let cat = |v: f64, labels: &[String]| labels.get(v.floor() as usize).cloned().unwrap_or_default();
    let font = ("sans-serif", fpx).into_font();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .label_style(font.clone())
        .axis_desc_style(font)
        .x_label_formatter(&|v| cat(*v, &h.x_labels))
        .y_label_formatter(&|v| cat(*v, &h.y_labels))
        .set_all_tick_mark_size(o.px(2.0) as i32)
        .draw()
        .map_err(err)?;
    let note_px = l.font_px(MIN_FONT_PT.max(o.font_pt - 1.0));
    let line_h = note_px / 1.24 * 1.15;
    for (j, row) in h.values.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            let c = colormap(v);
            let (x, y) = (i as f64, j as f64);
            chart
                .draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], c.filled())))
                .map_err(err)?;
            let notes = h.notes.get(j).and_then(|r| r.get(i)).map(|s| s.as_slice()).unwrap_or(&[]);
            let (cx, cy) = chart.backend_coord(&(x + 0.5, y + 0.5));
            let base = area.get_base_pixel();
            let style = ("sans-serif", note_px).into_font().color(&ink(c)).pos(Pos::new(HPos::Center, VPos::Center));
            let top = f64::from(cy - base.1) - line_h * (notes.len() as f64 - 1.0) / 2.0;
            for (k, note) in notes.iter().enumerate() {
                area.draw_text(note, &style, (cx - base.0, (top + line_h * k as f64) as i32)).map_err(err)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colormap_runs_dark_to_light_and_marks_missing_cells() {
        let lum = |c: RGBColor| 0.299 * f64::from(c.0) + 0.587 * f64::from(c.1) + 0.114 * f64::from(c.2);
        let l: Vec<f64> = (0..=10).map(|i| lum(colormap(i as f64 / 10.0))).collect();
        assert!(l.windows(2).all(|w| w[1] > w[0]), "viridis is not monotone in luminance: {l:?}");
        assert_eq!(colormap(f64::NAN), RGBColor(225, 225, 225));
        assert_eq!(colormap(2.0), colormap(1.0));
        assert_eq!(ink(colormap(0.0)), WHITE);
        assert_eq!(ink(colormap(1.0)), BLACK);
    }
}
