//! SVG to PDF through `usvg` (parsing, with the embedded DejaVu Sans as the only font) and
//! `svg2pdf` (text stays text: the font is subset and embedded, with a Unicode map).

use anyhow::{anyhow, Result};
use std::sync::Arc;

/// The PDF of an SVG document whose size is given in absolute units (inches).
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>> {
    let mut opt = usvg::Options { dpi: 72.0, font_family: "DejaVu Sans".into(), ..Default::default() };
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(super::render::FONT.to_vec());
    db.set_sans_serif_family("DejaVu Sans");
    opt.fontdb = Arc::new(db);
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| anyhow!("parsing the SVG for PDF: {e}"))?;
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), svg2pdf::PageOptions { dpi: 72.0 })
        .map_err(|e| anyhow!("converting to PDF: {e}"))
}
