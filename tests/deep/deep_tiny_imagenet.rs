#![cfg(feature = "deep")]
//! Tiny ImageNet in its distribution's layout, on folders the test writes itself: labels from
//! `wnids.txt`, validation labels from `val_annotations.txt`, the 2×2 downsampling, and one clear
//! error (file, line, what was expected) for each way a folder departs from the layout.

use largestep::deep::tiny_imagenet::{load, read_val_annotations, read_wnids, SIDE};
use std::path::Path;

const WNIDS: [&str; 3] = ["n01443537", "n01629819", "n02124075"];

/// A solid colour per class (JPEG keeps solid colours within a few levels).
fn colour(label: usize) -> [u8; 3] {
    [[200, 30, 30], [30, 200, 30], [30, 30, 200]][label]
}

fn write_jpeg(path: &Path, rgb: [u8; 3]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_pixel(SIDE as u32, SIDE as u32, image::Rgb(rgb)).save(path).unwrap();
}

/// wnids.txt, `per_class` training images per class, two validation images per class (listed in
/// val_annotations.txt in class-interleaved order).
fn write_layout(root: &Path, per_class: usize) {
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(root.join("wnids.txt"), WNIDS.join("\n") + "\n").unwrap();
    for (l, w) in WNIDS.iter().enumerate() {
        for i in 0..per_class {
            write_jpeg(&root.join(format!("train/{w}/images/{w}_{i}.JPEG")), colour(l));
        }
    }
    let mut ann = String::new();
    for i in 0..2 {
        for (l, w) in WNIDS.iter().enumerate().rev() {
            let f = format!("val_{}.JPEG", 3 * i + l);
            write_jpeg(&root.join("val/images").join(&f), colour(l));
            ann.push_str(&format!("{f}\t{w}\t0\t1\t62\t63\n"));
        }
    }
    std::fs::write(root.join("val/val_annotations.txt"), ann).unwrap();
}

#[test]
fn the_standard_layout_loads_with_its_labels() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tiny-imagenet-200");
    write_layout(&root, 4);
    // The parent folder finds `tiny-imagenet-200` inside it.
    let t = load(dir.path()).unwrap();
    assert_eq!(t.wnids, WNIDS.map(String::from).to_vec());
    assert_eq!(t.train.len(), 12);
    assert_eq!(t.train.labels, vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    // Validation in annotation order: classes 2, 1, 0 twice.
    assert_eq!(t.val.labels, vec![2, 1, 0, 2, 1, 0]);
    for (set, n) in [(&t.train, 12), (&t.val, 6)] {
        assert_eq!(set.pixels.len(), n * 3 * SIDE * SIDE);
        for (k, &l) in set.labels.iter().enumerate() {
            let img = &set.pixels[k * 3 * SIDE * SIDE..(k + 1) * 3 * SIDE * SIDE];
            for c in 0..3 {
                let want = colour(l as usize)[c] as i32;
                // CHW planes: every pixel of plane c is the class colour's channel c.
                let plane = &img[c * SIDE * SIDE..(c + 1) * SIDE * SIDE];
                assert!(plane.iter().all(|&p| (p as i32 - want).abs() <= 4), "image {k} channel {c}");
            }
        }
    }
    // 2×2 means into the 32×32 pipeline: sizes, labels and colours kept.
    let c = t.downsampled();
    assert_eq!((c.train.len(), c.test.len(), c.classes), (12, 6, 3));
    assert_eq!(c.train.pixels.len(), 12 * 3072);
    assert_eq!(c.test.labels, t.val.labels);
    assert!((c.train.pixels[0] as i32 - 200).abs() <= 4 && (c.train.pixels[1024] as i32 - 30).abs() <= 4);
}

#[test]
fn downsampling_averages_two_by_two_blocks() {
    let mut t = largestep::deep::tiny_imagenet::TinyImages { pixels: vec![0; 3 * SIDE * SIDE], labels: vec![0] };
    // Top-left block of the red plane: 10, 20, 30, 41 → round(25.25) = 25.
    for (i, v) in [(0, 10), (1, 20), (SIDE, 30), (SIDE + 1, 41)] {
        t.pixels[i] = v;
    }
    // The green plane's block (row 1, column 2): all 255.
    let g = SIDE * SIDE;
    for (r, c) in [(2, 4), (2, 5), (3, 4), (3, 5)] {
        t.pixels[g + r * SIDE + c] = 255;
    }
    let d = t.downsampled();
    assert_eq!(d.pixels[0], 25);
    assert_eq!(d.pixels[1], 0);
    assert_eq!(d.pixels[1024 + 32 + 2], 255);
    assert_eq!(d.pixels.iter().filter(|&&p| p != 0).count(), 2);
}

fn err_of(root: &Path) -> String {
    format!("{:#}", load(root).unwrap_err())
}

#[test]
fn departures_from_the_layout_name_file_line_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Nothing there: wnids.txt is named with the expected layout.
    let e = err_of(root);
    assert!(e.contains("wnids.txt") && e.contains("train/<wnid>/images"), "{e}");

    write_layout(root, 2);
    assert!(load(root).is_ok());

    // A class of wnids.txt without its training folder.
    std::fs::rename(root.join("train/n01629819"), root.join("train/elsewhere")).unwrap();
    let e = err_of(root);
    assert!(e.contains("n01629819") && e.contains("line 2 of wnids.txt") && e.contains("images"), "{e}");
    std::fs::rename(root.join("train/elsewhere"), root.join("train/n01629819")).unwrap();

    // An annotation line with five fields, then with a non-integer box, then an unknown class,
    // then a missing image: each names val_annotations.txt and the line.
    let ann = root.join("val/val_annotations.txt");
    let good = std::fs::read_to_string(&ann).unwrap();
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let edit = |lines: &[String], k: usize, with: &str| {
        let mut l = lines.to_vec();
        l[k] = with.to_string();
        std::fs::write(&ann, l.join("\n")).unwrap();
    };
    edit(&lines, 2, "val_0.JPEG\tn01443537\t0\t1\t62");
    let e = err_of(root);
    assert!(e.contains("val_annotations.txt: line 3") && e.contains("5 tab-separated fields, expected 6"), "{e}");
    edit(&lines, 1, "val_1.JPEG\tn01629819\t0\tone\t62\t63");
    let e = err_of(root);
    assert!(e.contains("line 2") && e.contains("`one` is not an integer"), "{e}");
    edit(&lines, 0, "val_2.JPEG\tn99999999\t0\t1\t62\t63");
    let e = err_of(root);
    assert!(e.contains("annotation 1") && e.contains("n99999999") && e.contains("not in wnids.txt"), "{e}");
    lines[4] = lines[4].replacen("val_4.JPEG", "val_404.JPEG", 1);
    std::fs::write(&ann, lines.join("\n")).unwrap();
    let e = err_of(root);
    assert!(e.contains("annotation 5") && e.contains("val_404.JPEG") && e.contains("not found"), "{e}");
    std::fs::write(&ann, &good).unwrap();

    // A training image of the wrong size, and a file that is not an image.
    let wrong = root.join("train/n02124075/images/n02124075_0.JPEG");
    image::RgbImage::from_pixel(32, 32, image::Rgb([1, 2, 3])).save(&wrong).unwrap();
    let e = err_of(root);
    assert!(e.contains("n02124075_0.JPEG") && e.contains("32×32, expected 64×64"), "{e}");
    std::fs::write(&wrong, b"not a jpeg").unwrap();
    let e = err_of(root);
    assert!(e.contains("n02124075_0.JPEG") && e.contains("cannot decode"), "{e}");
}

#[test]
fn wnids_and_annotation_files_are_checked_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wnids.txt");
    std::fs::write(&p, "n01443537\n\nn01629819\n").unwrap();
    let e = read_wnids(&p).unwrap_err().to_string();
    assert!(e.contains("wnids.txt: line 2: empty"), "{e}");
    std::fs::write(&p, "n01443537\nn01629819\nn01443537\n").unwrap();
    let e = read_wnids(&p).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("repeats line 1"), "{e}");
    std::fs::write(&p, "n01443537 n01629819\n").unwrap();
    let e = read_wnids(&p).unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("not one WordNet id"), "{e}");
    // Without a final newline, and with CRLF line ends, the ids are the same.
    std::fs::write(&p, "n01443537\r\nn01629819").unwrap();
    assert_eq!(read_wnids(&p).unwrap(), vec!["n01443537", "n01629819"]);
    let a = dir.path().join("val_annotations.txt");
    std::fs::write(&a, "").unwrap();
    let e = read_val_annotations(&a).unwrap_err().to_string();
    assert!(e.contains("no annotation lines"), "{e}");
    std::fs::write(&a, "f.JPEG\tn01443537\t0\t0\t63\t63\r\n").unwrap();
    assert_eq!(read_val_annotations(&a).unwrap(), vec![("f.JPEG".to_string(), "n01443537".to_string())]);
}
