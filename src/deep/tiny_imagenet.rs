//! Tiny ImageNet (200 classes, 64×64 RGB) in its standard folder layout (§3.3: the paper's
//! third data set). Nothing is downloaded; the layout is the distribution's
//! `tiny-imagenet-200/`:
//!
//! ```text
//! wnids.txt                       one WordNet id per line: the classes, label = line index
//! train/<wnid>/images/*.JPEG      training images of class <wnid>
//! val/images/*.JPEG               validation images
//! val/val_annotations.txt         <file>\t<wnid>\t<x0>\t<y0>\t<x1>\t<y1>, one line per image
//! ```
//!
//! The validation split is the test set (the distribution's `test/` has no labels). Labels are
//! the line order of `wnids.txt`; files are read in sorted order. Every departure from the
//! layout is one error naming the file (and line) and what was expected.
//!
//! Images stay 64×64 ([`TinyImages`]); [`TinyImages::downsampled`] averages 2×2 blocks into the
//! 32×32 [`ImageSet`] the CIFAR pipeline trains on.

use super::data::{Cifar, ImageSet, IMAGE_BYTES};
use anyhow::{bail, ensure, Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Side of a Tiny ImageNet image.
pub const SIDE: usize = 64;
/// Bytes of one image (3 × 64 × 64, CHW).
pub const TINY_BYTES: usize = 3 * SIDE * SIDE;

/// What the loader expects, appended to layout errors.
const LAYOUT: &str = "expected the Tiny ImageNet layout: wnids.txt, train/<wnid>/images/*.JPEG, \
                      val/images/*.JPEG and val/val_annotations.txt";

/// Labelled 64×64 RGB images, CHW bytes per image.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TinyImages {
    /// n × 12 288 bytes.
    pub pixels: Vec<u8>,
    /// Labels in 0..classes.
    pub labels: Vec<u32>,
}

impl TinyImages {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// The images at 32×32: each output pixel the rounded mean of its 2×2 block, per channel.
    pub fn downsampled(&self) -> ImageSet {
        let mut pixels = Vec::with_capacity(self.len() * IMAGE_BYTES);
        for img in self.pixels.chunks_exact(TINY_BYTES) {
            for c in 0..3 {
                let plane = &img[c * SIDE * SIDE..(c + 1) * SIDE * SIDE];
                for r in 0..32 {
                    for col in 0..32 {
                        let at = |dr: usize, dc: usize| plane[(2 * r + dr) * SIDE + 2 * col + dc] as u32;
                        let sum = at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1);
                        pixels.push(((sum + 2) / 4) as u8);
                    }
                }
            }
        }
        ImageSet { pixels, labels: self.labels.clone() }
    }
}

/// The train and validation splits with the class ids.
#[derive(Debug, Clone, PartialEq)]
pub struct TinyImageNet {
    /// Training images (500 per class in the distribution).
    pub train: TinyImages,
    /// Validation images (50 per class), the test set.
    pub val: TinyImages,
    /// WordNet ids in label order (the lines of `wnids.txt`).
    pub wnids: Vec<String>,
}

impl TinyImageNet {
    /// Both splits at 32×32 ([`TinyImages::downsampled`]) as a [`Cifar`]-shaped split.
    pub fn downsampled(&self) -> Cifar {
        Cifar { train: self.train.downsampled(), test: self.val.downsampled(), classes: self.wnids.len() }
    }
}

/// Decodes one 64×64 image file (grayscale is expanded to RGB) into CHW bytes.
pub fn decode_tiny(path: &Path) -> Result<Vec<u8>> {
    let img = image::open(path).with_context(|| format!("{}: cannot decode image", path.display()))?.to_rgb8();
    ensure!(
        img.dimensions() == (SIDE as u32, SIDE as u32),
        "{}: image is {}×{}, expected {SIDE}×{SIDE}",
        path.display(),
        img.width(),
        img.height()
    );
    let mut chw = vec![0u8; TINY_BYTES];
    for (x, y, p) in img.enumerate_pixels() {
        for c in 0..3 {
            chw[c * SIDE * SIDE + y as usize * SIDE + x as usize] = p[c];
        }
    }
    Ok(chw)
}

/// The class ids of `wnids.txt`: one non-empty id per line (surrounding blanks trimmed, a final
/// newline optional), no duplicates.
pub fn read_wnids(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read ({LAYOUT})", path.display()))?;
    let mut wnids: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let id = line.trim();
        ensure!(!id.is_empty(), "{}: line {}: empty, expected one WordNet id (e.g. n01443537)", path.display(), i + 1);
        ensure!(
            !id.contains(char::is_whitespace),
            "{}: line {}: `{id}` is not one WordNet id (no blanks inside)",
            path.display(),
            i + 1
        );
        if let Some(j) = wnids.iter().position(|w| w == id) {
            bail!("{}: line {}: `{id}` repeats line {}", path.display(), i + 1, j + 1);
        }
        wnids.push(id.to_string());
    }
    ensure!(!wnids.is_empty(), "{}: no class ids ({LAYOUT})", path.display());
    Ok(wnids)
}

/// The (file name, wnid) pairs of `val_annotations.txt`: tab-separated lines of six fields,
/// file name, wnid, then the four bounding-box integers (read, not used).
pub fn read_val_annotations(path: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read ({LAYOUT})", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        ensure!(
            f.len() == 6,
            "{}: line {}: {} tab-separated fields, expected 6 (file, wnid, x0, y0, x1, y1)",
            path.display(),
            i + 1,
            f.len()
        );
        for (k, v) in f[2..].iter().enumerate() {
            ensure!(
                v.trim().parse::<i64>().is_ok(),
                "{}: line {}: field {} `{v}` is not an integer (bounding box x0, y0, x1, y1)",
                path.display(),
                i + 1,
                k + 3
            );
        }
        out.push((f[0].trim().to_string(), f[1].trim().to_string()));
    }
    ensure!(!out.is_empty(), "{}: no annotation lines", path.display());
    Ok(out)
}

fn sorted_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list ({LAYOUT})", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    Ok(v)
}

/// The labelled files of the training split: `train/<wnid>/images/*` for every class, in label
/// order then file order. A class without its folder or without images is an error.
pub fn train_files(dir: &Path, wnids: &[String]) -> Result<Vec<(u32, PathBuf)>> {
    let mut out = Vec::new();
    for (label, w) in wnids.iter().enumerate() {
        let images = dir.join("train").join(w).join("images");
        ensure!(
            images.is_dir(),
            "{}: missing: class `{w}` (line {} of wnids.txt) has no images folder ({LAYOUT})",
            images.display(),
            label + 1
        );
        let files = sorted_files(&images)?;
        ensure!(!files.is_empty(), "{}: no images for class `{w}`", images.display());
        out.extend(files.into_iter().map(|f| (label as u32, f)));
    }
    Ok(out)
}

/// The labelled files of the validation split, in the order of `val_annotations.txt`: every
/// line names an existing `val/images/<file>` and a class of `wnids.txt`.
pub fn val_files(dir: &Path, wnids: &[String]) -> Result<Vec<(u32, PathBuf)>> {
    let ann = dir.join("val").join("val_annotations.txt");
    let label: HashMap<&str, u32> = wnids.iter().enumerate().map(|(i, w)| (w.as_str(), i as u32)).collect();
    let images = dir.join("val").join("images");
    ensure!(images.is_dir(), "{}: missing ({LAYOUT})", images.display());
    let text_lines = read_val_annotations(&ann)?;
    let mut out = Vec::with_capacity(text_lines.len());
    for (n, (file, w)) in text_lines.iter().enumerate() {
        let Some(&l) = label.get(w.as_str()) else {
            bail!("{}: annotation {}: class `{w}` is not in wnids.txt", ann.display(), n + 1);
        };
        let p = images.join(file);
        ensure!(
            p.is_file(),
            "{}: annotation {}: image `{file}` not found in {}",
            ann.display(),
            n + 1,
            images.display()
        );
        out.push((l, p));
    }
    Ok(out)
}

/// Decodes labelled files (in parallel; the order is kept).
pub fn decode_all(files: &[(u32, PathBuf)]) -> Result<TinyImages> {
    use rayon::prelude::*;
    let decoded: Vec<Vec<u8>> = files.par_iter().map(|(_, f)| decode_tiny(f)).collect::<Result<_>>()?;
    let mut set = TinyImages { pixels: Vec::with_capacity(files.len() * TINY_BYTES), labels: Vec::new() };
    for ((l, _), px) in files.iter().zip(decoded) {
        set.labels.push(*l);
        set.pixels.extend_from_slice(&px);
    }
    Ok(set)
}

/// Loads `dir` (the `tiny-imagenet-200` folder, or its parent holding it).
pub fn load(dir: &Path) -> Result<TinyImageNet> {
    let root = if !dir.join("wnids.txt").exists() && dir.join("tiny-imagenet-200").is_dir() {
        dir.join("tiny-imagenet-200")
    } else {
        dir.to_path_buf()
    };
    let wnids = read_wnids(&root.join("wnids.txt"))?;
    let train = decode_all(&train_files(&root, &wnids)?)?;
    let val = decode_all(&val_files(&root, &wnids)?)?;
    Ok(TinyImageNet { train, val, wnids })
}
