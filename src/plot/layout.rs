//! Where everything of a figure goes, in canvas units, from the printed size and font size:
//! the title lines, the legend strip, the panel grid, each panel's axes and ticks.

use super::options::PlotOptions;
use super::render::{axis_ticks, color_of};
use super::text::text_width;
use super::ticks::Ticks;
use super::{Figure, Panel, Style};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The narrowest panel, in inches: a figure narrower than `cols` of these gets fewer columns.
const MIN_PANEL_IN: f64 = 1.55;

/// One legend entry, placed (centre-left of its sample) in the legend strip.
pub(super) struct Entry {
    pub label: String,
    pub color: RGBColor,
    pub style: Style,
    pub band: bool,
    pub x: i32,
    pub y: i32,
}

/// The figure's layout.
pub(super) struct Layout {
    pub size: (u32, u32),
    pub cols: usize,
    pub rows: usize,
    pub title_lines: Vec<String>,
    pub title_line_h: i32,
    pub title_h: u32,
    pub legend: Vec<Entry>,
    pub legend_line_h: i32,
    pub legend_h: u32,
    pub panel_title_line_h: i32,
    pub panel_title_h: u32,
    dpi: f64,
}

/// The axes of one panel: ticks, labels and the label areas.
pub(super) struct Axes {
    pub x_ticks: Ticks,
    pub y_ticks: Ticks,
    pub x_labels: Vec<String>,
    pub y_labels: Vec<String>,
    pub x_area: u32,
    pub y_area: u32,
    pub right_margin: u32,
}

/// Splits `text` into lines no wider than `max_w` at font size `px` (words are not broken).
/// A `key = value` stays on one line.
pub(super) fn wrap(text: &str, px: f64, max_w: f64) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    let mut words = text.split(' ').peekable();
    while let Some(w) = words.next() {
        match (units.last_mut(), words.peek()) {
            (Some(prev), Some(next)) if w == "=" => {
                *prev = format!("{prev} = {next}");
                words.next();
            }
            _ => units.push(w.to_string()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    for word in &units {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), px) <= max_w => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.clone()),
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}

impl Layout {
    pub fn new(fig: &Figure, o: &PlotOptions) -> Self {
        let w = (o.width_in * o.dpi).round() as u32;
        let fits = ((o.width_in / MIN_PANEL_IN).floor() as usize).max(1);
        let cols = fig.cols.min(fig.panels.len().max(1)).min(fits).max(1);
        let rows = fig.panels.len().div_ceil(cols).max(1);
        let mut l = Layout {
            size: (w, 0),
            cols,
            rows,
            title_lines: Vec::new(),
            title_line_h: 0,
            title_h: 0,
            legend: Vec::new(),
            legend_line_h: 0,
            legend_h: 0,
            panel_title_line_h: 0,
            panel_title_h: 0,
            dpi: o.dpi,
        };
        let pad = o.px(4.0);
        let big = l.font_px(o.font_pt + 2.0);
        l.title_lines = wrap(&fig.title, big, f64::from(w) - 2.0 * pad);
        l.title_line_h = (big * 1.05) as i32;
        l.title_h = if l.title_lines.is_empty() {
            0
        } else {
            (o.px(3.0) + f64::from(l.title_line_h) * l.title_lines.len() as f64 + o.px(2.0)) as u32
        };
        // The legend: every labelled series of every panel, once.
        let fpx = l.font_px(o.font_pt);
        l.legend_line_h = (fpx * 1.15) as i32;
        let (mut x, mut y) = (pad, 0.0);
        let mut seen: Vec<(String, Option<usize>, Style)> = Vec::new();
        for s in fig.panels.iter().flat_map(|p| &p.series).filter(|s| !s.label.is_empty()) {
            let key = (s.label.clone(), s.color, s.style);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let width = o.px(16.0 + 3.0) + text_width(&s.label, fpx) + o.px(9.0);
            if x > pad && x + width > f64::from(w) - pad {
                x = pad;
                y += f64::from(l.legend_line_h);
            }
            l.legend.push(Entry {
                label: s.label.clone(),
                color: color_of(s),
                style: s.style,
                band: !s.band.is_empty(),
                x: x as i32,
                y: (y + f64::from(l.legend_line_h) / 2.0) as i32,
            });
            x += width;
        }
        l.legend_h = if l.legend.is_empty() { 0 } else { (y + f64::from(l.legend_line_h) + o.px(2.0)) as u32 };
        // Panel titles: as many lines as the longest needs.
        let ppx = l.font_px(o.font_pt + 1.0);
        let panel_w = f64::from(w) / cols as f64;
        let lines = fig.panels.iter().map(|p| wrap(&p.title, ppx, panel_w * 0.92).len()).max().unwrap_or(0);
        l.panel_title_line_h = (ppx * 1.05) as i32;
        l.panel_title_h = (l.panel_title_line_h as f64 * lines as f64 + o.px(4.0)) as u32;
        let panel_h = match o.height_in {
            Some(h) => ((h * o.dpi - f64::from(l.title_h + l.legend_h)) / rows as f64).max(o.px(40.0)),
            None => {
                let aspect = f64::from(fig.panel_size.1) / f64::from(fig.panel_size.0.max(1));
                panel_w * aspect + f64::from(l.panel_title_h)
            }
        };
        l.size.1 = l.title_h + l.legend_h + (panel_h * rows as f64).round() as u32;
        l
    }

    /// The plotters font size of `pt` points: plotters writes SVG text at `size / 1.24`.
    pub fn font_px(&self, pt: f64) -> f64 {
        pt * 1.24 * self.dpi / 72.0
    }

    /// The ticks and label areas of `panel` in `area` over the ranges `xr`, `yr`.
    pub fn axes<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &Panel,
        xr: (f64, f64),
        yr: (f64, f64),
        o: &PlotOptions,
    ) -> Axes {
        if panel.no_axes {
            let none = || Ticks { major: Vec::new(), minor: Vec::new() };
            return Axes {
                x_ticks: none(),
                y_ticks: none(),
                x_labels: Vec::new(),
                y_labels: Vec::new(),
                x_area: 0,
                y_area: 0,
                right_margin: 0,
            };
        }
        let (pw, ph) = area.dim_in_pixel();
        let fpx = self.font_px(o.font_pt);
        let em = fpx / 1.24;
        let tick = o.px(3.0);
        let x_area = (em * 1.3 + em * 1.45 + tick + o.px(2.0)) as u32;
        let plot_h = f64::from(ph) - f64::from(x_area) - o.px(2.0);
        let max_y = ((plot_h / (em * 2.4)).floor() as usize).clamp(2, 8);
        let (y_ticks, y_labels) = axis_ticks(yr, panel.y_log, max_y);
        let widest = y_labels.iter().map(|s| text_width(s, fpx)).fold(0.0, f64::max);
        let y_area = (widest + em * 1.5 + tick + o.px(3.0)) as u32;
        let right_margin = (em * 1.4) as u32;
        let plot_w = f64::from(pw) - f64::from(y_area + right_margin);
        let mut max_x = 7;
        let (x_ticks, x_labels) = loop {
            let (t, labels) = axis_ticks(xr, panel.x_log, max_x);
            let need: f64 = labels.iter().map(|s| text_width(s, fpx) + em * 1.2).sum();
            if need <= plot_w || max_x <= 2 {
                break (t, labels);
            }
            max_x -= 1;
        };
        // The last x label is centred on the axis' end: leave room for its right half.
        let last = x_labels.last().map_or(0.0, |l| text_width(l, fpx) / 2.0 + o.px(1.0));
        let right_margin = right_margin.max(last as u32);
        Axes { x_ticks, y_ticks, x_labels, y_labels, x_area, y_area, right_margin }
    }
}
