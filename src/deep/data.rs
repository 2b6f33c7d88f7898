//! CIFAR data: the official binary files, the class-folder JPEG layout, and batching with seeded
//! shuffling and augmentation. Nothing is downloaded.
//!
//! Images are stored as u8 in CHW order (3 × 32 × 32), the layout of the binary files; batches
//! are f32 in [0, 1] (no normalization, as the release).

use crate::rng::RandomSource;
use anyhow::{bail, ensure, Context, Result};
use candle_core::{Device, Tensor};
use std::path::{Path, PathBuf};

/// Pixels of one image (3 × 32 × 32).
pub const IMAGE_BYTES: usize = 3 * 32 * 32;

/// A set of labelled 32×32 RGB images.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageSet {
    /// n × 3072 bytes, CHW per image.
    pub pixels: Vec<u8>,
    /// Labels in 0..classes.
    pub labels: Vec<u32>,
}

impl ImageSet {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    /// The images at `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> ImageSet {
        let mut s = ImageSet::default();
        for &i in idx {
            s.pixels.extend_from_slice(&self.pixels[i * IMAGE_BYTES..(i + 1) * IMAGE_BYTES]);
            s.labels.push(self.labels[i]);
        }
        s
    }
    /// A uniform sample of `k` images without replacement (kept in index order); all if k ≥ n.
    pub fn subset(&self, k: usize, rng: &mut dyn RandomSource) -> ImageSet {
        let n = self.len();
        if k >= n {
            return self.clone();
        }
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + rng.index(n - i);
            idx.swap(i, j);
        }
        let mut take = idx[..k].to_vec();
        take.sort_unstable();
        self.select(&take)
    }
    /// The batch `idx` as (N, 3, 32, 32) f32 in [0, 1] and labels (N,) u32 on `device`. With
    /// `augment`, each image is randomly cropped from its 4-pixel zero padding and flipped
    /// horizontally with probability ½ (draws per image: row offset, column offset, flip).
    pub fn batch(
        &self,
        idx: &[usize],
        augment: Option<&mut dyn RandomSource>,
        device: &Device,
    ) -> Result<(Tensor, Tensor)> {
        let mut x = vec![0f32; idx.len() * IMAGE_BYTES];
        let mut rng = augment;
        for (b, &i) in idx.iter().enumerate() {
            let img = &self.pixels[i * IMAGE_BYTES..(i + 1) * IMAGE_BYTES];
            let out = &mut x[b * IMAGE_BYTES..(b + 1) * IMAGE_BYTES];
            let (dy, dx, flip) = match rng.as_deref_mut() {
                Some(r) => (r.index(9) as isize - 4, r.index(9) as isize - 4, r.uniform() < 0.5),
                None => (0, 0, false),
            };
            for c in 0..3 {
                for r in 0..32isize {
                    for col in 0..32isize {
                        let (sr, sc0) = (r + dy, col + dx);
                        let sc = if flip { 31 - sc0 } else { sc0 };
                        let v = if (0..32).contains(&sr) && (0..32).contains(&sc) {
                            img[c * 1024 + (sr as usize) * 32 + sc as usize] as f32 / 255.0
                        } else {
                            0.0
                        };
                        out[c * 1024 + (r as usize) * 32 + col as usize] = v;
                    }
                }
            }
        }
        let labels: Vec<u32> = idx.iter().map(|&i| self.labels[i]).collect();
        Ok((Tensor::from_vec(x, (idx.len(), 3, 32, 32), device)?, Tensor::from_vec(labels, idx.len(), device)?))
    }
}

/// A train/test split with its number of classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Cifar {
    /// Training images.
    pub train: ImageSet,
    /// Test images.
    pub test: ImageSet,
    /// Number of classes (10 or 100).
    pub classes: usize,
}

/// Which CIFAR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CifarKind {
    /// CIFAR-10: records of 1 label byte + 3072 pixels.
    Cifar10,
    /// CIFAR-100: records of coarse + fine label bytes + 3072 pixels (the fine label is used).
    Cifar100,
}

impl CifarKind {
    /// Number of classes.
    pub fn classes(self) -> usize {
        match self {
            CifarKind::Cifar10 => 10,
            CifarKind::Cifar100 => 100,
        }
    }
    fn label_bytes(self) -> usize {
        match self {
            CifarKind::Cifar10 => 1,
            CifarKind::Cifar100 => 2,
        }
    }
    /// The binary files (train, test) of the official distribution.
    pub fn files(self) -> (Vec<&'static str>, &'static str) {
        match self {
            CifarKind::Cifar10 => (
                vec![
                    "data_batch_1.bin",
                    "data_batch_2.bin",
                    "data_batch_3.bin",
                    "data_batch_4.bin",
                    "data_batch_5.bin",
                ],
                "test_batch.bin",
            ),
            CifarKind::Cifar100 => (vec!["train.bin"], "test.bin"),
        }
    }
}

/// Parses one file in the official binary format, appending to `set`. A file whose length is not
/// a whole number of records, or a label out of range, is an error naming the file and record.
pub fn read_binary(path: &Path, kind: CifarKind, set: &mut ImageSet) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let rec = kind.label_bytes() + IMAGE_BYTES;
    if bytes.is_empty() {
        bail!("{}: empty file (expected records of {rec} bytes)", path.display());
    }
    if bytes.len() % rec != 0 {
        bail!(
            "{}: truncated: record {} has {} of {rec} bytes (file length {})",
            path.display(),
            bytes.len() / rec,
            bytes.len() % rec,
            bytes.len()
        );
    }
    for (r, chunk) in bytes.chunks_exact(rec).enumerate() {
        let label = chunk[kind.label_bytes() - 1] as usize;
        ensure!(
            label < kind.classes(),
            "{}: record {r}: label {label} out of range 0..{}",
            path.display(),
            kind.classes()
        );
        set.labels.push(label as u32);
        set.pixels.extend_from_slice(&chunk[kind.label_bytes()..]);
    }
    Ok(())
}

/// Writes `set` in the official binary format of `kind` (the coarse label of CIFAR-100 is
/// written as 0).
pub fn write_binary(path: &Path, kind: CifarKind, set: &ImageSet) -> Result<()> {
    let mut out = Vec::with_capacity(set.len() * (kind.label_bytes() + IMAGE_BYTES));
    for (i, &l) in set.labels.iter().enumerate() {
        if kind == CifarKind::Cifar100 {
            out.push(0);
        }
        out.push(l as u8);
        out.extend_from_slice(&set.pixels[i * IMAGE_BYTES..(i + 1) * IMAGE_BYTES]);
    }
    crate::output::atomic_write(path, &out)
}

/// Loads the binary distribution from `dir` (or its `cifar-10-batches-bin` / `cifar-100-binary`
/// subfolder).
pub fn load_binary(dir: &Path, kind: CifarKind) -> Result<Cifar> {
    let (train_files, test_file) = kind.files();
    let sub = match kind {
        CifarKind::Cifar10 => "cifar-10-batches-bin",
        CifarKind::Cifar100 => "cifar-100-binary",
    };
    let root = if dir.join(test_file).is_file() { dir.to_path_buf() } else { dir.join(sub) };
    let mut train = ImageSet::default();
    for f in train_files {
        read_binary(&root.join(f), kind, &mut train)?;
    }
    let mut test = ImageSet::default();
    read_binary(&root.join(test_file), kind, &mut test)?;
    Ok(Cifar { train, test, classes: kind.classes() })
}

fn sorted_entries(dir: &Path, want_dir: bool) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() == want_dir)
        .collect();
    v.sort();
    Ok(v)
}

/// Decodes one 32×32 RGB image file into CHW bytes.
pub fn decode_image(path: &Path) -> Result<Vec<u8>> {
    let img = image::open(path).with_context(|| format!("{}: cannot decode image", path.display()))?.to_rgb8();
    ensure!(img.dimensions() == (32, 32), "{}: image is {:?}, expected 32×32", path.display(), img.dimensions());
    let mut chw = vec![0u8; IMAGE_BYTES];
    for (x, y, p) in img.enumerate_pixels() {
        for c in 0..3 {
            chw[c * 1024 + y as usize * 32 + x as usize] = p[c];
        }
    }
    Ok(chw)
}

/// An image file with its label.
pub type LabelledFile = (u32, PathBuf);

/// The labelled files of `split` (e.g. `train`) of the class-folder layout
/// `dir/split/<class>/<file>`: classes are the sorted folder names (for CIFAR-10 this is its
/// label order), files sorted by name within each class. Returns the files and the class names.
pub fn folder_files(dir: &Path, split: &str) -> Result<(Vec<LabelledFile>, Vec<String>)> {
    let classes = sorted_entries(&dir.join(split), true)?;
    ensure!(!classes.is_empty(), "{}: no class folders", dir.join(split).display());
    let names: Vec<String> =
        classes.iter().map(|c| c.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    let files: Vec<(u32, PathBuf)> = classes
        .iter()
        .enumerate()
        .map(|(label, c)| Ok(sorted_entries(c, false)?.into_iter().map(move |f| (label as u32, f))))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    Ok((files, names))
}

/// Decodes labelled 32×32 image files (in parallel; the order is kept).
pub fn decode_files(files: &[(u32, PathBuf)]) -> Result<ImageSet> {
    use rayon::prelude::*;
    let decoded: Vec<Vec<u8>> = files.par_iter().map(|(_, f)| decode_image(f)).collect::<Result<_>>()?;
    let mut set = ImageSet::default();
    for ((label, _), px) in files.iter().zip(decoded) {
        set.labels.push(*label);
        set.pixels.extend_from_slice(&px);
    }
    Ok(set)
}

/// Loads `split` (e.g. `train`) of the class-folder layout `dir/split/<class>/<file>`
/// ([`folder_files`]). Returns the set and the class names.
pub fn load_folder_split(dir: &Path, split: &str) -> Result<(ImageSet, Vec<String>)> {
    let (files, names) = folder_files(dir, split)?;
    Ok((decode_files(&files)?, names))
}

/// A seeded class-balanced sample: `per_class` items of each label (a Fisher–Yates
/// [`permutation`] of each class's items, the first `per_class` of it), in label order, each
/// class in its original order. Errors when a class has fewer than `per_class`.
pub fn balanced_indices(
    labels: &[u32],
    classes: usize,
    per_class: usize,
    rng: &mut dyn RandomSource,
) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(classes * per_class);
    for c in 0..classes as u32 {
        let members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        ensure!(
            members.len() >= per_class,
            "class {c} has {} items, fewer than the {per_class} per class asked for",
            members.len()
        );
        let p = permutation(members.len(), rng);
        let mut take: Vec<usize> = p[..per_class].iter().map(|&j| members[j]).collect();
        take.sort_unstable();
        out.extend(take);
    }
    Ok(out)
}

/// Loads `dir`: the class-folder layout when `dir/train` exists, else the binary files of `kind`.
pub fn load(dir: &Path, kind: CifarKind) -> Result<Cifar> {
    if dir.join("train").is_dir() {
        let (train, names) = load_folder_split(dir, "train")?;
        let (test, test_names) = load_folder_split(dir, "test")?;
        ensure!(
            names == test_names,
            "{}: train and test class folders differ ({} vs {})",
            dir.display(),
            names.len(),
            test_names.len()
        );
        ensure!(
            names.len() == kind.classes(),
            "{}: {} class folders, --dataset expects {}",
            dir.display(),
            names.len(),
            kind.classes()
        );
        Ok(Cifar { train, test, classes: names.len() })
    } else {
        load_binary(dir, kind)
    }
}

/// A seeded permutation of 0..n (Fisher–Yates, one `index` draw per position from the end).
pub fn permutation(n: usize, rng: &mut dyn RandomSource) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        p.swap(i, rng.index(i + 1));
    }
    p
}
