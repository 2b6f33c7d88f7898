//! Figures as data, rendered to PNG, SVG and PDF with plotters.
//!
//! A [`Figure`] is a grid of [`Panel`]s; a panel holds [`Series`] (lines, markers, arrows,
//! polylines) and its axes (linear or log), or a [`Heatmap`]. Every paper figure is built as a
//! `Figure` by the experiment that owns it and rendered by the one function
//! [`Figure::render_with`], so all figures share fonts, colours and layout (docs/DESIGN.md §10).
//! Sizes are set in inches and points ([`PlotOptions`]): labels are `font_pt` at the printed
//! size, log axes are labelled over their whole range with minor ticks, and the legend is a strip
//! above the panels, off the data.

mod axis;
mod heatmap;
mod layout;
pub mod options;
mod pdf;
mod render;
mod text;
pub mod ticks;

pub use heatmap::colormap;
pub use options::{Format, PlotOptions};
pub use pdf::svg_to_pdf;

use std::path::{Path, PathBuf};

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A solid line through the points.
    Line,
    /// A dashed line.
    Dashed,
    /// A dotted line.
    Dotted,
    /// Markers at the points.
    Markers,
    /// Arrows from points[2k] to points[2k+1].
    Arrows,
    /// Independent segments points[2k]–points[2k+1] (thin; contours).
    Segments,
}

impl Style {
    /// The line style of the `i`-th of several curves: solid, dashed, dotted, then again.
    pub fn cycle(i: usize) -> Self {
        [Style::Line, Style::Dashed, Style::Dotted][i % 3]
    }
}

/// One data series of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label (empty: no legend entry).
    pub label: String,
    /// Points (x, y).
    pub points: Vec<(f64, f64)>,
    /// Colour index into the palette (matplotlib's tab10 order); `None` = grey.
    pub color: Option<usize>,
    /// Drawing style.
    pub style: Style,
    /// A shaded band (x, low, high) behind the series, e.g. the interquartile range over seeds
    /// (empty: none).
    pub band: Vec<(f64, f64, f64)>,
}

impl Series {
    /// A line series.
    pub fn line(label: impl Into<String>, color: usize, points: Vec<(f64, f64)>) -> Self {
        Self { label: label.into(), points, color: Some(color), style: Style::Line, band: Vec::new() }
    }
    /// A series with an explicit style.
    pub fn styled(label: impl Into<String>, color: Option<usize>, style: Style, points: Vec<(f64, f64)>) -> Self {
        Self { label: label.into(), points, color, style, band: Vec::new() }
    }
}

/// One panel (axes) of a figure.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Panel {
    /// Title above the panel.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Log-scale x axis.
    pub x_log: bool,
    /// Log-scale y axis.
    pub y_log: bool,
    /// Equal aspect (same units per pixel on both axes), for trajectories and weight arrows.
    pub equal_aspect: bool,
    /// The series.
    pub series: Vec<Series>,
    /// A heatmap drawn instead of the series (categorical axes).
    pub heatmap: Option<Heatmap>,
    /// No axes, ticks or grid (a projected 3-D view, whose plane coordinates mean nothing).
    pub no_axes: bool,
}

/// A grid of cells over two categorical axes, coloured by a value in [0, 1] (see
/// [`colormap`]), each with lines of notes written inside.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Heatmap {
    /// Column categories (left to right).
    pub x_labels: Vec<String>,
    /// Row categories (bottom to top).
    pub y_labels: Vec<String>,
    /// `values[row][col]` in [0, 1]; NaN: no data (grey).
    pub values: Vec<Vec<f64>>,
    /// `notes[row][col]`: the lines written in the cell.
    pub notes: Vec<Vec<Vec<String>>>,
}

impl Panel {
    /// An empty panel with a title and axis labels.
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        Self { title: title.into(), x_label: x_label.into(), y_label: y_label.into(), ..Default::default() }
    }
    /// Sets a log y axis.
    pub fn log_y(mut self) -> Self {
        self.y_log = true;
        self
    }
    /// Sets a log x axis.
    pub fn log_x(mut self) -> Self {
        self.x_log = true;
        self
    }
    /// Adds a series.
    pub fn with(mut self, s: Series) -> Self {
        self.series.push(s);
        self
    }
}

/// A figure: panels laid out row-major in `cols` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Title over the whole figure.
    pub title: String,
    /// Panels.
    pub panels: Vec<Panel>,
    /// Number of columns of the grid.
    pub cols: usize,
    /// Shape of one panel (width, height): only the ratio is used, the width comes from the
    /// printed width ([`PlotOptions::width_in`]) and the number of columns.
    pub panel_size: (u32, u32),
}

impl Figure {
    /// A figure of `panels` in `cols` columns.
    pub fn new(title: impl Into<String>, panels: Vec<Panel>, cols: usize) -> Self {
        Self { title: title.into(), panels, cols: cols.max(1), panel_size: (420, 340) }
    }

    /// Writes `<stem>.png` and `<stem>.svg` (each atomically) at the default options
    /// ([`PlotOptions::default`]: two-column width, 8 pt).
    ///
    /// ```
    /// use largestep::plot::{Figure, Panel, Series};
    ///
    /// let loss: Vec<(f64, f64)> = (1..100).map(|t| (t as f64, 1.0 / t as f64)).collect();
    /// let mut s = Series::line("η = 0.1", 0, loss.clone());
    /// s.band = loss.iter().map(|&(t, l)| (t, 0.8 * l, 1.25 * l)).collect(); // e.g. quartiles over seeds
    /// let panel = Panel::new("Train loss", "Iteration", "Train loss").log_y().with(s);
    /// let dir = tempfile::tempdir()?;
    /// Figure::new("Example", vec![panel], 1).render(&dir.path().join("example"))?;
    /// assert!(dir.path().join("example.png").exists() && dir.path().join("example.svg").exists());
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn render(&self, stem: &Path) -> anyhow::Result<()> {
        self.render_with(stem, &PlotOptions::default()).map(|_| ())
    }

    /// Writes `<stem>.<ext>` for each of `opts.formats` (each atomically); returns the paths.
    pub fn render_with(&self, stem: &Path, opts: &PlotOptions) -> anyhow::Result<Vec<PathBuf>> {
        render::render(self, stem, opts)
    }

    /// The SVG text of the figure at `opts` (what [`render_with`](Self::render_with) writes).
    pub fn to_svg(&self, opts: &PlotOptions) -> anyhow::Result<String> {
        opts.validate()?;
        render::svg(self, opts)
    }
}
