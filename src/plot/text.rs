//! Text on a common baseline for bitmap figures.
//!
//! plotters 0.3's `ab_glyph` text path places every glyph by its own rounded bounding box
//! (`(size/2 + bounds.min.y) as i32`, truncated toward zero), so at 11 px a comma sits on the
//! baseline like a mid-dot, "=" jumps a pixel and the subscript of ‖u⊙v‖₀ floats. [`Baseline`]
//! wraps any plotters backend and replaces only its `draw_text`: each glyph is outlined at its
//! exact sub-pixel pen position (x, baseline) and its coverage is drawn from its pixel bounds,
//! which keeps every glyph's own offset from the baseline. Anchoring, rotation and the layout
//! box are plotters' own (the baseline sits where plotters' SVG backend puts it, 0.76 em below the top of the text box, on a pixel boundary), so
//! labels land where plotters laid them out.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};
use std::sync::OnceLock;

/// The embedded font (DejaVu Sans), parsed once.
fn font() -> Result<&'static FontRef<'static>, ab_glyph::InvalidFont> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(super::render::FONT).ok()).as_ref().ok_or(ab_glyph::InvalidFont)
}

/// Pixels (x, y, coverage ∈ [0, 1]) of `text` at `size` px, relative to the pen start with the
/// baseline at y = `baseline`.
pub(super) fn glyph_pixels(
    text: &str,
    size: f32,
    baseline: f32,
) -> Result<Vec<(i32, i32, f32)>, ab_glyph::InvalidFont> {
    let font = font()?;
    let scaled = font.as_scaled(PxScale::from(size));
    let mut out = Vec::new();
    let mut pen = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        prev = Some(id);
        if let Some(outline) = font.outline_glyph(id.with_scale_and_position(scaled.scale(), point(pen, baseline))) {
            let b = outline.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            outline.draw(|x, y, cov| out.push((x0 + x as i32, y0 + y as i32, cov)));
        }
        pen += scaled.h_advance(id);
    }
    Ok(out)
}

/// Advance width of `text` at `size` px (plotters' size, as in [`glyph_pixels`]), kerning
/// included; 0.6 em per character if the font cannot be read.
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    let Ok(font) = font() else { return 0.6 * size * text.chars().count() as f64 };
    let scaled = font.as_scaled(PxScale::from(size as f32));
    let mut prev = None;
    let mut w = 0f32;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            w += scaled.kern(p, id);
        }
        w += scaled.h_advance(id);
        prev = Some(id);
    }
    f64::from(w)
}

/// A plotters backend whose text is drawn on a common baseline (see the module doc).
pub struct Baseline<B>(pub B);

impl<B: DrawingBackend> DrawingBackend for Baseline<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(&mut self, p: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(p, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) =
            style.layout_box(text).map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let size = style.size() as f32;
        // The baseline where plotters' SVG backend puts it (`dy="0.76em"` at an em of size / 1.24),
        // so PNG and SVG text sit alike and capitals stay inside plotters' text box (a rotated
        // y-axis label is not cut at the panel's edge).
        let pixels = glyph_pixels(text, size, (size * 0.76 / 1.24).round())
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let trans = style.transform();
        let (w, h) = self.get_size();
        for (x, y, cov) in pixels {
            let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 && cov > 0.0 {
                let alpha = color.alpha * f64::from(cov.min(1.0));
                self.0.draw_pixel((x, y), BackendColor { alpha, rgb: color.rgb })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    /// Rows (top, bottom) holding ink (coverage > 0.3) of `text` drawn at 11 px through
    /// [`Baseline`] on a bitmap, as a caption would be.
    fn ink_rows(text: &str) -> (u32, u32) {
        super::super::render::register();
        let (w, h) = (60u32, 30u32);
        let mut buf = vec![255u8; (w * h * 3) as usize];
        {
            let root = Baseline(BitMapBackend::with_buffer(&mut buf, (w, h))).into_drawing_area();
            root.draw_text(text, &("sans-serif", 11).into_font().color(&BLACK), (4, 8)).unwrap();
            root.present().unwrap();
        }
        let rows: Vec<u32> = (0..h).filter(|&y| (0..w).any(|x| buf[((y * w + x) * 3) as usize] < 180)).collect();
        (*rows.first().expect("no ink"), *rows.last().expect("no ink"))
    }

    #[test]
    fn glyphs_share_a_baseline() {
        // x, 0, d, v and = sit on (or above) the baseline; their ink ends on the same row.
        let (x_top, base) = ink_rows("x");
        for s in ["0", "d", "v", "2", "a"] {
            assert_eq!(ink_rows(s).1, base, "{s:?} does not end on the baseline of x");
        }
        // The comma descends below the baseline, 'g' further still.
        assert!(ink_rows(",").1 > base, "the comma does not descend below the baseline");
        // DejaVu's subscript ₀ sits on the baseline, its top below the x-height (not floating).
        let sub = ink_rows("₀");
        assert!(sub.1 == base && sub.0 > x_top, "₀ spans rows {sub:?}, x spans {x_top}..{base}");
        assert!(ink_rows("g").1 >= base + 2, "g's descender is missing");
        // '=' lies strictly inside the x-height band (no raised or sunk '=').
        let (eq_top, eq_bottom) = ink_rows("=");
        assert!(eq_top > x_top && eq_bottom < base, "= spans rows {eq_top}..{eq_bottom}, x-height {x_top}..{base}");
        // The comma's ink starts below the x-height's middle: it is not a mid-dot.
        assert!(ink_rows(",").0 > (x_top + base) / 2, "the comma sits at mid-height");
    }
}
