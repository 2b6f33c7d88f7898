#![cfg(feature = "deep")]
//! CIFAR loaders (official binary format, class folders), errors on bad files, batching and
//! augmentation.

use candle_core::Device;
use largestep::deep::data::{load, load_binary, load_folder_split, read_binary, write_binary, CifarKind, ImageSet};
use largestep::rng::{ChaChaSource, RandomSource};
use largestep::test_device;
use std::path::Path;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cifar10-mini");

fn random_set(n: usize, classes: usize, seed: u64) -> ImageSet {
    let mut r = ChaChaSource::new(seed);
    ImageSet {
        pixels: (0..n * 3072).map(|_| r.index(256) as u8).collect(),
        labels: (0..n).map(|_| r.index(classes) as u32).collect(),
    }
}

#[test]
fn binary_round_trip_cifar10_and_cifar100() {
    let dir = tempfile::tempdir().unwrap();
    // CIFAR-10: five training batches and a test batch.
    let parts: Vec<ImageSet> = (0..5).map(|i| random_set(3 + i, 10, i as u64)).collect();
    for (i, s) in parts.iter().enumerate() {
        write_binary(&dir.path().join(format!("data_batch_{}.bin", i + 1)), CifarKind::Cifar10, s).unwrap();
    }
    let test = random_set(4, 10, 99);
    write_binary(&dir.path().join("test_batch.bin"), CifarKind::Cifar10, &test).unwrap();
    let c = load_binary(dir.path(), CifarKind::Cifar10).unwrap();
    let mut all = ImageSet::default();
    for s in &parts {
        all.pixels.extend_from_slice(&s.pixels);
        all.labels.extend_from_slice(&s.labels);
    }
    assert_eq!(c.train, all);
    assert_eq!(c.test, test);
    assert_eq!(c.classes, 10);
    // The record layout: label byte, then R, G, B planes.
    let bytes = std::fs::read(dir.path().join("test_batch.bin")).unwrap();
    assert_eq!(bytes.len(), 4 * 3073);
    assert_eq!(bytes[3073] as u32, test.labels[1]);
    assert_eq!(bytes[3073 + 1 + 1024], test.pixels[3072 + 1024]);

    // CIFAR-100 in a `cifar-100-binary` subfolder: coarse + fine label, fine label used.
    let sub = dir.path().join("cifar-100-binary");
    std::fs::create_dir(&sub).unwrap();
    let (tr, te) = (random_set(5, 100, 3), random_set(2, 100, 4));
    write_binary(&sub.join("train.bin"), CifarKind::Cifar100, &tr).unwrap();
    write_binary(&sub.join("test.bin"), CifarKind::Cifar100, &te).unwrap();
    let c = load(dir.path(), CifarKind::Cifar100).unwrap();
    assert_eq!((c.train, c.test, c.classes), (tr, te, 100));
}

#[test]
fn truncated_and_corrupt_files_name_file_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("test_batch.bin");
    write_binary(&p, CifarKind::Cifar10, &random_set(3, 10, 1)).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..2 * 3073 + 100]).unwrap();
    let err = read_binary(&p, CifarKind::Cifar10, &mut ImageSet::default()).unwrap_err().to_string();
    assert!(err.contains("test_batch.bin") && err.contains("record 2") && err.contains("truncated"), "{err}");
    // A label out of range in record 1.
    let mut bad = bytes.clone();
    bad[3073] = 10;
    std::fs::write(&p, &bad).unwrap();
    let err = read_binary(&p, CifarKind::Cifar10, &mut ImageSet::default()).unwrap_err().to_string();
    assert!(err.contains("record 1") && err.contains("label 10"), "{err}");
    // Missing and empty files.
    let err = load_binary(&dir.path().join("nowhere"), CifarKind::Cifar10).unwrap_err().to_string();
    assert!(err.contains("data_batch_1.bin"), "{err}");
    std::fs::write(&p, b"").unwrap();
    let err = read_binary(&p, CifarKind::Cifar10, &mut ImageSet::default()).unwrap_err().to_string();
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn class_folders_of_real_images() {
    let (train, names) = load_folder_split(Path::new(FIXTURE), "train").unwrap();
    assert_eq!(names[0], "airplane");
    assert_eq!(names[9], "truck");
    assert_eq!(train.len(), 60);
    assert_eq!(train.labels.iter().filter(|&&l| l == 3).count(), 6);
    let c = load(Path::new(FIXTURE), CifarKind::Cifar10).unwrap();
    assert_eq!((c.train.len(), c.test.len()), (60, 20));
    // Real photographs: pixel statistics far from constant.
    let mean = c.train.pixels.iter().map(|&p| p as f64).sum::<f64>() / c.train.pixels.len() as f64;
    assert!(mean > 60.0 && mean < 200.0, "{mean}");
    // Wrong class count for the dataset, and a corrupt JPEG naming its file.
    let err = load(Path::new(FIXTURE), CifarKind::Cifar100).unwrap_err().to_string();
    assert!(err.contains("10 class folders"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("train/cat")).unwrap();
    std::fs::write(dir.path().join("train/cat/0001.jpg"), b"not a jpeg").unwrap();
    let err = load_folder_split(dir.path(), "train").unwrap_err().to_string();
    assert!(err.contains("0001.jpg"), "{err}");
}

/// Always draws the largest index and a uniform of 0: shift (+4, +4) and flip.
struct Extreme;
impl RandomSource for Extreme {
    fn standard_normal(&mut self) -> f64 {
        0.0
    }
    fn uniform(&mut self) -> f64 {
        0.0
    }
    fn index(&mut self, n: usize) -> usize {
        n - 1
    }
}

fn batches_and_augmentation(dev: &Device) {
    let set = random_set(3, 10, 5);
    let (x, y) = set.batch(&[2, 0], None, dev).unwrap();
    assert_eq!(x.dims(), &[2, 3, 32, 32]);
    assert_eq!(y.to_vec1::<u32>().unwrap(), vec![set.labels[2], set.labels[0]]);
    let xv = x.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    for k in [0, 1000, 3071] {
        assert_eq!(xv[k], set.pixels[2 * 3072 + k] as f32 / 255.0);
    }
    let (xa, _) = set.batch(&[1], Some(&mut Extreme), dev).unwrap();
    let xa = xa.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    let img = &set.pixels[3072..6144];
    for c in 0..3 {
        for r in 0..32 {
            for col in 0..32 {
                let (sr, sc) = (r + 4, col + 4);
                let want = if sr < 32 && sc < 32 { img[c * 1024 + sr * 32 + (31 - sc)] as f32 / 255.0 } else { 0.0 };
                assert_eq!(xa[c * 1024 + r * 32 + col], want, "c{c} r{r} col{col}");
            }
        }
    }
    // Seeded augmentation: same seed, same batch; and it moves pixels.
    let a = set
        .batch(&[0, 1, 2], Some(&mut ChaChaSource::new(1)), dev)
        .unwrap()
        .0
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    let b = set
        .batch(&[0, 1, 2], Some(&mut ChaChaSource::new(1)), dev)
        .unwrap()
        .0
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    assert_eq!(a, b);
    let plain = set.batch(&[0, 1, 2], None, dev).unwrap().0.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    assert_ne!(a, plain);
}
test_device!(batching, batches_and_augmentation);

#[test]
fn subsets_are_seeded_samples_without_replacement() {
    let set = random_set(50, 10, 8);
    let a = set.subset(20, &mut ChaChaSource::new(3));
    assert_eq!(a, set.subset(20, &mut ChaChaSource::new(3)));
    assert_eq!(a.len(), 20);
    assert_ne!(a, set.select(&(0..20).collect::<Vec<_>>()));
    assert_eq!(set.subset(80, &mut ChaChaSource::new(3)), set);
}
