//! Fig. 17: learned convolution filters as a PNG grid.

use anyhow::Result;
use candle_core::Tensor;
use image::{ImageFormat, Rgb, RgbImage};
use std::path::Path;

const SCALE: u32 = 6;
const GAP: u32 = 2;

fn normalized(w: &[f32]) -> Vec<f32> {
    let (lo, hi) = w.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    w.iter().map(|v| (v - lo) / span).collect()
}

/// Draws `tiles` (each k×k, 1 or 3 channels in CHW, values in [0, 1]) into `img` from row `y0`,
/// `cols` per row; returns the next free row.
fn draw_tiles(img: &mut RgbImage, y0: u32, tiles: &[(Vec<f32>, usize)], k: u32, cols: u32) -> u32 {
    let cell = k * SCALE + GAP;
    for (i, (t, ch)) in tiles.iter().enumerate() {
        let (gx, gy) = ((i as u32 % cols) * cell + GAP, y0 + (i as u32 / cols) * cell + GAP);
        for y in 0..k * SCALE {
            for x in 0..k * SCALE {
                let p = ((y / SCALE) * k + x / SCALE) as usize;
                let kk = (k * k) as usize;
                let c = |j: usize| (t[if *ch == 3 { j * kk + p } else { p }] * 255.0).round() as u8;
                img.put_pixel(gx + x, gy + y, Rgb([c(0), c(1), c(2)]));
            }
        }
    }
    y0 + tiles.len().div_ceil(cols as usize) as u32 * cell
}

/// A PNG with the first-layer filters in colour (each min–max normalized) on top and, below,
/// the k×k kernels of a middle layer (first 16 outputs × first 16 inputs, grayscale).
pub fn filter_grid(first: &Tensor, middle: &Tensor, path: &Path) -> Result<()> {
    let (c1, _, k1, _) = first.dims4()?;
    let w1 = first.flatten_all()?.to_vec1::<f32>()?;
    let per1 = w1.len() / c1;
    let tiles1: Vec<(Vec<f32>, usize)> = (0..c1).map(|o| (normalized(&w1[o * per1..(o + 1) * per1]), 3)).collect();
    let (co, ci, k2, _) = middle.dims4()?;
    let w2 = middle.flatten_all()?.to_vec1::<f32>()?;
    let kk = k2 * k2;
    let (no, ni) = (co.min(16), ci.min(16));
    let tiles2: Vec<(Vec<f32>, usize)> = (0..no)
        .flat_map(|o| (0..ni).map(move |i| (o, i)))
        .map(|(o, i)| (normalized(&w2[(o * ci + i) * kk..(o * ci + i + 1) * kk]), 1))
        .collect();
    let cols = 16u32;
    let width = cols * ((k1.max(k2) as u32) * SCALE + GAP) + GAP;
    let h1 = tiles1.len().div_ceil(cols as usize) as u32 * (k1 as u32 * SCALE + GAP);
    let h2 = tiles2.len().div_ceil(cols as usize) as u32 * (k2 as u32 * SCALE + GAP);
    let mut img = RgbImage::from_pixel(width, h1 + h2 + 3 * GAP + 8, Rgb([255, 255, 255]));
    let y = draw_tiles(&mut img, 0, &tiles1, k1 as u32, cols) + 8;
    draw_tiles(&mut img, y, &tiles2, k2 as u32, cols);
    let mut buf = std::io::Cursor::new(Vec::new());
    img.write_to(&mut buf, ImageFormat::Png)?;
    crate::output::atomic_write(path, buf.get_ref())
}
