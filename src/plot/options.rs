//! How a [`Figure`](super::Figure) is rendered: the formats, the printed size and the font size.
//!
//! Every length of a rendered figure is set in points at the printed size, so a figure drawn at
//! 3.25 in keeps its labels at `font_pt` when it is included at 3.25 in. The canvas has
//! [`PlotOptions::dpi`] units per inch: PNG pixels, SVG user units (the SVG's `width` and
//! `height` are in inches) and the PDF page (points, converted at that resolution).

use anyhow::{bail, Result};

/// Width of one column of a two-column paper (ICML, NeurIPS: 3.25 in).
pub const ONE_COLUMN_IN: f64 = 3.25;
/// Text width of a two-column paper (6.75 in).
pub const TWO_COLUMN_IN: f64 = 6.75;
/// The smallest font size accepted (print legibility).
pub const MIN_FONT_PT: f64 = 7.0;

/// A file format of a rendered figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// Raster, at [`PlotOptions::dpi`].
    Png,
    /// Vector; text as `<text>` elements.
    Svg,
    /// Vector, through `usvg` and `svg2pdf`; text as text with the font embedded.
    Pdf,
}

impl Format {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Pdf => "pdf",
        }
    }

    /// Parses `png`, `svg` or `pdf`.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "png" => Format::Png,
            "svg" => Format::Svg,
            "pdf" => Format::Pdf,
            other => bail!("--format: unknown format {other:?}; allowed: png, svg, pdf"),
        })
    }
}

/// Rendering options (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOptions {
    /// Formats to write (each as `<stem>.<ext>`).
    pub formats: Vec<Format>,
    /// Printed width in inches.
    pub width_in: f64,
    /// Printed height in inches; `None`: from the panels' aspect ratio.
    pub height_in: Option<f64>,
    /// Size of tick labels, legend and axis labels in points (titles are 1–2 pt larger).
    pub font_pt: f64,
    /// Canvas units per inch (the PNG's resolution).
    pub dpi: f64,
}

impl Default for PlotOptions {
    /// PNG and SVG at two-column width, 8 pt, 300 dpi: what `reproduce` and `run` write.
    fn default() -> Self {
        Self {
            formats: vec![Format::Png, Format::Svg],
            width_in: TWO_COLUMN_IN,
            height_in: None,
            font_pt: 8.0,
            dpi: 300.0,
        }
    }
}

impl PlotOptions {
    /// Canvas units of `pt` points.
    pub fn px(&self, pt: f64) -> f64 {
        pt * self.dpi / 72.0
    }

    /// Parses a size: `one-column`, `two-column`, `W` or `WxH` (inches).
    pub fn parse_size(s: &str) -> Result<(f64, Option<f64>)> {
        let s = s.trim();
        let inches = |v: &str| -> Result<f64> {
            match v.trim().trim_end_matches("in").parse::<f64>() {
                Ok(x) if x.is_finite() && (0.5..=40.0).contains(&x) => Ok(x),
                _ => bail!("--size: {v:?} is not a size in inches in [0.5, 40]"),
            }
        };
        Ok(match s {
            "one-column" | "column" => (ONE_COLUMN_IN, None),
            "two-column" | "text" => (TWO_COLUMN_IN, None),
            _ => match s.split_once(['x', 'X']) {
                Some((w, h)) => (inches(w)?, Some(inches(h)?)),
                None => (inches(s)?, None),
            },
        })
    }

    /// Checks the options: a font of at least [`MIN_FONT_PT`], a resolution in [50, 1200].
    pub fn validate(&self) -> Result<()> {
        if !(self.font_pt >= MIN_FONT_PT && self.font_pt <= 40.0) {
            bail!(
                "--font-pt: {} is outside [{MIN_FONT_PT}, 40] (labels below 7 pt are not legible in print)",
                self.font_pt
            );
        }
        if !(50.0..=1200.0).contains(&self.dpi) {
            bail!("--dpi: {} is outside [50, 1200]", self.dpi);
        }
        if self.formats.is_empty() {
            bail!("--format: no format given");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_bad_ones_are_refused() {
        assert_eq!(PlotOptions::parse_size("one-column").unwrap(), (3.25, None));
        assert_eq!(PlotOptions::parse_size("6.75x3").unwrap(), (6.75, Some(3.0)));
        assert_eq!(PlotOptions::parse_size("4in").unwrap(), (4.0, None));
        assert!(PlotOptions::parse_size("0").is_err());
        assert!(PlotOptions::parse_size("wide").is_err());
        let small = PlotOptions { font_pt: 6.0, ..Default::default() };
        assert!(small.validate().unwrap_err().to_string().contains("7 pt"));
        assert_eq!(Format::parse("PDF").unwrap(), Format::Pdf);
        assert!(Format::parse("eps").is_err());
    }
}
