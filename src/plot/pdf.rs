//! SVG to PDF through `usvg` (parsing, with the embedded DejaVu Sans as the only font) and
//! `svg2pdf` (text stays text: the font is subset and embedded, with a Unicode map).

use anyhow::{anyhow, Result};
use std::sync::Arc;

/// The PDF of an SVG document whose size is given in absolute units (inches); the same SVG
/// gives the same bytes (see [`sort_references`]).
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>> {
    let mut opt = usvg::Options { dpi: 72.0, font_family: "DejaVu Sans".into(), ..Default::default() };
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(super::render::FONT.to_vec());
    db.set_sans_serif_family("DejaVu Sans");
    opt.fontdb = Arc::new(db);
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| anyhow!("parsing the SVG for PDF: {e}"))?;
    let pdf = svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), svg2pdf::PageOptions { dpi: 72.0 })
        .map_err(|e| anyhow!("converting to PDF: {e}"))?;
    Ok(sort_references(pdf))
}

/// svg2pdf writes a page's resource dictionaries (`/xo10 28 0 R` lines) in hash-map order, which
/// changes from run to run. Sorting each run of consecutive reference lines makes the bytes
/// deterministic; the lines only change places, so every byte offset (the xref table) stays valid.
/// Lines inside streams are left alone.
fn sort_references(pdf: Vec<u8>) -> Vec<u8> {
    let is_ref = |l: &[u8]| {
        let t = l.trim_ascii();
        t.first() == Some(&b'/') && t.ends_with(b" 0 R") && !t.contains(&b'<') && !t.contains(&b'[')
    };
    let mut out = Vec::with_capacity(pdf.len());
    let mut run: Vec<&[u8]> = Vec::new();
    let flush = |run: &mut Vec<&[u8]>, out: &mut Vec<u8>| {
        run.sort();
        for l in run.drain(..) {
            out.extend_from_slice(l);
        }
    };
    // Stream data (compressed, binary) is copied as it is, never sorted.
    let mut in_stream = false;
    for line in pdf.split_inclusive(|&b| b == b'\n') {
        let t = line.trim_ascii();
        if in_stream {
            in_stream = !t.ends_with(b"endstream");
        } else if t == b"stream" {
            in_stream = true;
        } else if line.ends_with(b"\n") && is_ref(line) {
            run.push(line);
            continue;
        }
        flush(&mut run, &mut out);
        out.extend_from_slice(line);
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_lines_are_sorted_outside_streams_only() {
        let pdf = b"1 0 obj\n<<\n  /xo9 3 0 R\n  /xo1 2 0 R\n>>\nstream\n/b 1 0 R\n/a 1 0 R\nendstream\n".to_vec();
        let sorted = sort_references(pdf.clone());
        assert_eq!(sorted.len(), pdf.len());
        let text = String::from_utf8(sorted).unwrap();
        assert!(text.contains("  /xo1 2 0 R\n  /xo9 3 0 R\n"), "{text}");
        assert!(text.contains("/b 1 0 R\n/a 1 0 R\n"), "stream data was reordered: {text}");
    }
}
