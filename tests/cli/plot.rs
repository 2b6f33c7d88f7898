//! Figures fit for a paper: `largestep plot DIR` re-draws the figures of every kind of result
//! folder byte for byte (`reproduce`, `sde-vs-sgd`, `deep train`, Fig. 8), writes a valid PDF with
//! its text as text, keeps every label at or above 7 pt at the printed size, labels log axes over
//! their whole range, and exports the bands it draws.

use largestep::plot::{Figure, Format, Panel, PlotOptions, Series};
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn largestep<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_largestep")).args(args).output().expect("binary runs");
    assert!(out.status.success(), "largestep {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A short Fig. 2 over two seeds, with d changed, in `root/fig2`.
fn fig2(root: &Path) -> std::path::PathBuf {
    let out = root.to_str().unwrap();
    largestep(&[
        "reproduce",
        "fig2",
        "--set",
        "training.iterations=300",
        "--set",
        "data.d=120",
        "--seeds",
        "2",
        "--out",
        out,
    ]);
    root.join("fig2")
}

/// A two-panel figure whose loss runs from 1e-22 to 1.
fn sample() -> Figure {
    let loss: Vec<(f64, f64)> = (0..200).map(|t| (t as f64, 10f64.powf(-(t as f64) / 9.0))).collect();
    let mut s = Series::line("η = 0.25 constant", 0, loss.clone());
    s.band = loss.iter().map(|&(t, l)| (t, 0.5 * l, 2.0 * l)).collect();
    let rank: Vec<(f64, f64)> = (0..200).map(|t| (t as f64, 20.0 + 0.01 * (t % 3) as f64)).collect();
    Figure::new(
        "Fig. 2: diagonal linear net, SGD (n = 80, d = 200, r = 20)",
        vec![
            Panel::new("Train loss", "Iteration", "Train loss").log_y().with(s),
            Panel::new("Rank of the Jacobian", "Iteration", "rank").with(Series::line("", 1, rank)),
        ],
        2,
    )
}

/// The text of every `<text>` element and its font size, from SVG text.
fn texts(svg: &str) -> Vec<(String, f64)> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let size = t.split("font-size=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().parse().unwrap();
            let body = t.split_once('>').unwrap().1.split("</text>").next().unwrap().trim().to_string();
            (body, size)
        })
        .collect()
}

fn attr_in(svg: &str, name: &str) -> f64 {
    let v = svg.split(&format!("{name}=\"")).nth(1).unwrap().split('"').next().unwrap();
    v.strip_suffix("in").unwrap_or_else(|| panic!("{name}={v:?} is not in inches")).parse().unwrap()
}

#[test]
fn every_label_is_at_least_7_pt_at_the_printed_size() {
    let fig = sample();
    for (width, font) in [(3.25, 7.0), (3.25, 8.0), (6.75, 8.0), (6.75, 10.0)] {
        let opts = PlotOptions { width_in: width, font_pt: font, ..Default::default() };
        let svg = fig.to_svg(&opts).unwrap();
        assert!((attr_in(&svg, "width") - width).abs() < 1e-3, "the SVG is not {width} in wide");
        let t = texts(&svg);
        assert!(t.len() > 10, "too few labels: {t:?}");
        for (text, size) in &t {
            // Canvas units per inch = dpi; a point is 1/72 in.
            let pt = size * 72.0 / opts.dpi;
            assert!(pt >= font - 1e-6 && pt >= 7.0 - 1e-6, "{text:?} is {pt:.2} pt at {width} in (asked {font} pt)");
        }
    }
    // Below 7 pt is refused, with the flag named.
    let e = sample().to_svg(&PlotOptions { font_pt: 5.0, ..Default::default() }).unwrap_err().to_string();
    assert!(e.contains("--font-pt"), "{e}");
}

#[test]
fn log_axes_are_labelled_down_to_the_smallest_value_and_linear_ones_twice_at_least() {
    let svg = sample().to_svg(&PlotOptions::default()).unwrap();
    let labels: Vec<String> = texts(&svg).into_iter().map(|t| t.0).collect();
    // The loss spans 1e-22..1: some label at or below 1e-18 (within one label step of the bottom).
    let low = labels.iter().filter_map(|l| l.strip_prefix("10")).filter(|e| {
        let digits: String = e
            .chars()
            .filter_map(|c| "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|d| d == c))
            .map(|d| char::from(b'0' + d as u8))
            .collect();
        e.starts_with('⁻') && digits.parse::<i32>().is_ok_and(|n| n >= 18)
    });
    assert!(low.count() >= 1, "no label at or below 10⁻¹⁸: {labels:?}");
    // The rank panel (19.98–20.04) has at least two distinct tick labels.
    let near20 = labels.iter().filter(|l| l.starts_with("20") || l.starts_with("19.9")).count();
    assert!(near20 >= 2, "the narrow linear axis has fewer than two labels: {labels:?}");
    // The legend is its own strip: the run label appears once, above every panel title.
    let y_of = |text: &str| -> i64 {
        let at = svg.find(&format!(">\n{text}\n</text>")).or_else(|| svg.find(&format!(">{text}</text>"))).unwrap();
        let tag = &svg[svg[..at].rfind("<text ").unwrap()..at];
        tag.split("y=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
    };
    assert!(y_of("η = 0.25 constant") < y_of("Train loss").min(y_of("Rank of the Jacobian")));
}

/// Decompressed streams of a PDF (FlateDecode), as text.
fn streams(pdf: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = pdf;
    while let Some(i) = rest.windows(7).position(|w| w == b"stream\n" || w == b"stream\r") {
        let start = i + if rest[i + 6] == b'\r' { 8 } else { 7 };
        let end = start + rest[start..].windows(9).position(|w| w == b"endstream").unwrap();
        let mut s = Vec::new();
        if flate2::read::ZlibDecoder::new(&rest[start..end]).read_to_end(&mut s).is_err() {
            s = rest[start..end].to_vec();
        }
        out.push(String::from_utf8_lossy(&s).into_owned());
        rest = &rest[end + 9..];
    }
    out
}

#[test]
fn plot_writes_pdf_svg_png_at_one_column_and_replots_reproduce_byte_for_byte() {
    let root = tempfile::tempdir().unwrap();
    let dir = fig2(root.path());
    let again = root.path().join("again");
    largestep(&["plot", dir.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    for f in ["fig2.svg", "fig2.png", "bands.csv"] {
        assert_eq!(std::fs::read(dir.join(f)).unwrap(), std::fs::read(again.join(f)).unwrap(), "{f} differs");
    }
    // The title follows the effective config (data.d = 120), not the TOML's literal "d = 200".
    let svg = std::fs::read_to_string(dir.join("fig2.svg")).unwrap();
    assert!(svg.contains("d = 120") && !svg.contains("d = 200"), "the title does not say d = 120");

    let col = root.path().join("col");
    let args = ["plot", dir.to_str().unwrap(), "--out", col.to_str().unwrap(), "--format", "pdf,svg,png"];
    largestep(&[&args[..], &["--size", "one-column", "--font-pt", "7"]].concat());
    let svg = std::fs::read_to_string(col.join("fig2.svg")).unwrap();
    assert!((attr_in(&svg, "width") - 3.25).abs() < 1e-3);
    let png = std::fs::read(col.join("fig2.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 975, "3.25 in at 300 dpi");

    let pdf = std::fs::read(col.join("fig2.pdf")).unwrap();
    // The same figure gives the same PDF bytes (svg2pdf's resource order is made deterministic).
    let col2 = root.path().join("col2");
    let args2 = ["plot", dir.to_str().unwrap(), "--out", col2.to_str().unwrap(), "--format", "pdf"];
    largestep(&[&args2[..], &["--size", "one-column", "--font-pt", "7"]].concat());
    assert!(std::fs::read(col2.join("fig2.pdf")).unwrap() == pdf, "two PDFs of one figure differ");
    assert!(pdf.starts_with(b"%PDF-1.") && pdf.trim_ascii_end().ends_with(b"%%EOF"), "not a PDF file");
    // The cross-reference table points at the objects it names.
    let xref = pdf.windows(6).rposition(|w| w == b"\nxref\n").expect("no xref table");
    let table = String::from_utf8(pdf[xref + 6..].to_vec()).expect("the xref table and trailer are ASCII");
    let count: usize = table.lines().next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    assert!(count > 3);
    for (n, entry) in table.lines().skip(1).take(count).enumerate().skip(1) {
        let off: usize = entry[..10].parse().unwrap();
        assert!(pdf[off..].starts_with(format!("{n} 0 obj").as_bytes()), "xref entry {n} points at byte {off}");
    }
    let text = String::from_utf8_lossy(&pdf);
    // The page is 3.25 in wide (234 pt).
    let mediabox = text.split("/MediaBox [").nth(1).unwrap().split(']').next().unwrap().to_string();
    let w: f64 = mediabox.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!((w - 234.0).abs() < 0.5, "MediaBox {mediabox}");
    // Text is text: an embedded font, text operators in the page, and a Unicode map with the
    // characters of the labels (T, η, ⁻).
    assert!(text.contains("/FontFile2"), "no embedded font");
    let s = streams(&pdf);
    assert!(s.iter().any(|c| c.contains("BT") && c.contains("Tf") && (c.contains("Tj") || c.contains("TJ"))));
    let cmap: String = s.iter().filter(|c| c.contains("beginbfchar") || c.contains("beginbfrange")).cloned().collect();
    for (ch, hex) in [('T', "0054"), ('η', "03B7"), ('⁻', "207B")] {
        assert!(cmap.to_uppercase().contains(&format!("<{hex}>")), "{ch} is not in the PDF's text map");
    }
}

#[test]
fn runs_seeds_title_and_labels_can_be_chosen() {
    let root = tempfile::tempdir().unwrap();
    let dir = fig2(root.path());
    let sel = root.path().join("sel");
    largestep(&[
        "plot",
        dir.to_str().unwrap(),
        "--out",
        sel.to_str().unwrap(),
        "--format",
        "svg",
        "--runs",
        "decay10,constant",
        "--seeds",
        "1",
        "--title",
        "My title",
        "--label",
        "constant=small step",
    ]);
    let svg = std::fs::read_to_string(sel.join("fig2.svg")).unwrap();
    assert!(svg.contains("My title") && svg.contains("small step") && svg.contains("decay at 10%"));
    assert!(!svg.contains("decay at 30%") && !svg.contains("η = 0.25 constant"), "an unselected run is drawn");
    // One seed: no band, the title says nothing about quartiles.
    assert!(!svg.contains("interquartile"));
    let bands = std::fs::read_to_string(sel.join("bands.csv")).unwrap();
    assert!(bands.lines().skip(1).all(|l| l.ends_with(",1,1") || l.ends_with(",0,1")), "one seed per band row");
    // A run that is not there is an error naming it.
    let bad = Command::new(env!("CARGO_BIN_EXE_largestep"))
        .args(["plot", dir.to_str().unwrap(), "--out", sel.to_str().unwrap(), "--runs", "nope"])
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success() && e.contains("\"nope\"") && e.lines().count() == 1, "{e}");
}

#[test]
fn bands_csv_holds_median_quartiles_and_converged_counts_of_metrics_csv() {
    let root = tempfile::tempdir().unwrap();
    let dir = fig2(root.path());
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    // The train loss of run `constant` at iteration 5, over both seeds.
    let vals: Vec<f64> = metrics
        .lines()
        .filter(|l| l.starts_with("constant,") && l.split(',').nth(2) == Some("5"))
        .map(|l| l.split(',').nth(4).unwrap().parse().unwrap())
        .collect();
    assert_eq!(vals.len(), 2);
    let bands = std::fs::read_to_string(dir.join("bands.csv")).unwrap();
    assert_eq!(bands.lines().next().unwrap(), "quantity,run,iteration,median,q1,q3,n_converged,n_seeds");
    let row: Vec<&str> = bands.lines().find(|l| l.starts_with("train_loss,constant,5,")).unwrap().split(',').collect();
    let num = |i: usize| row[i].parse::<f64>().unwrap();
    assert_eq!(num(3), 0.5 * (vals[0] + vals[1]), "the median of two seeds is their mean");
    assert!(num(4) <= num(3) && num(3) <= num(5), "quartiles around the median: {row:?}");
    assert_eq!((row[6], row[7]), ("2", "2"));
    assert!(bands.lines().any(|l| l.starts_with("jacobian_rank,decay50,")), "metric columns are exported too");
    let _ = Format::Pdf;
}

#[test]
fn figures_drawn_from_theta_replot_byte_for_byte_from_theta_csv() {
    // Fig. 3 (trajectories over loss contours, from snapshots) and Fig. 10 (neurons, from θ₀ and
    // the final θ): `theta.csv` carries what they need, bit for bit.
    for name in ["fig3", "fig10"] {
        let root = tempfile::tempdir().unwrap();
        largestep(&["reproduce", name, "--set", "training.iterations=200", "--out", root.path().to_str().unwrap()]);
        let dir = root.path().join(name);
        assert!(dir.join("theta.csv").exists(), "{name}: no theta.csv");
        let again = root.path().join("again");
        largestep(&["plot", dir.to_str().unwrap(), "--out", again.to_str().unwrap(), "--format", "svg"]);
        for stem in [name.to_string(), format!("{name}_curves")] {
            let f = format!("{stem}.svg");
            assert_eq!(std::fs::read(dir.join(&f)).unwrap(), std::fs::read(again.join(&f)).unwrap(), "{f} differs");
        }
        // Without theta.csv the θ figures cannot be drawn, and the error says which file.
        std::fs::remove_file(dir.join("theta.csv")).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_largestep")).args(["plot", dir.to_str().unwrap()]).output().unwrap();
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && e.contains("theta.csv") && e.lines().count() == 1, "{name}: {e}");
    }
}

#[test]
fn fig8_writes_its_iterates_constants_and_views_deterministically() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    largestep(&["reproduce", "fig8", "--out", a.to_str().unwrap()]);
    largestep(&["reproduce", "fig8", "--out", b.to_str().unwrap()]);
    for f in ["iterates.csv", "constants.csv", "fig8.svg", "fig8.png"] {
        let (x, y) = (std::fs::read(a.join("fig8").join(f)).unwrap(), std::fs::read(b.join("fig8").join(f)).unwrap());
        assert!(x == y && !x.is_empty(), "{f} differs between two runs");
    }
    let its = std::fs::read_to_string(a.join("fig8/iterates.csv")).unwrap();
    assert_eq!(its.lines().next().unwrap(), "t,w1,w2,beta1,beta2,loss,xi");
    // β = w ⊙ w (balanced layers u = v) on every row.
    for l in its.lines().skip(1) {
        let v: Vec<f64> = l.split(',').take(5).map(|c| c.parse().unwrap()).collect();
        assert_eq!((v[3], v[4]), (v[1] * v[1], v[2] * v[2]), "{l}");
    }
    let svg = std::fs::read_to_string(a.join("fig8/fig8.svg")).unwrap();
    for text in ["n = 1, d = 2, u = v", "valley bottom (global minima)", "Contours of"] {
        assert!(svg.contains(text), "the figure lacks {text:?}");
    }
}

/// `largestep plot ARGS…` that must fail: its one-line error.
fn plot_error(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_largestep")).arg("plot").args(args).output().unwrap();
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success() && e.lines().count() == 1, "plot {args:?}: {e}");
    e
}

/// `names` are byte-identical in folders `a` and `b` (and not empty).
fn same_files(a: &Path, b: &Path, names: &[&str]) {
    for f in names {
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        assert!(x == y && !x.is_empty(), "{f} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn fig8_replots_byte_for_byte_from_iterates_csv_and_is_listed_and_shown() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("r");
    largestep(&["reproduce", "fig8", "--out", out.to_str().unwrap()]);
    let dir = out.join("fig8");
    let again = root.path().join("again");
    largestep(&["plot", dir.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    same_files(&dir, &again, &["fig8.svg", "fig8.png"]);
    // Drawn from iterates.csv, not recomputed: moved iterates move the drawn path.
    let its = std::fs::read_to_string(dir.join("iterates.csv")).unwrap();
    let moved: String = its
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut f: Vec<&str> = l.split(',').collect();
            if i == 100 {
                f[1] = "0.3";
            }
            format!("{}\n", f.join(","))
        })
        .collect();
    std::fs::write(dir.join("iterates.csv"), moved).unwrap();
    let other = root.path().join("other");
    largestep(&["plot", dir.to_str().unwrap(), "--out", other.to_str().unwrap(), "--format", "svg"]);
    assert_ne!(std::fs::read(other.join("fig8.svg")).unwrap(), std::fs::read(again.join("fig8.svg")).unwrap());
    // Options apply; a missing file is named.
    let col = root.path().join("col");
    let args = ["plot", dir.to_str().unwrap(), "--out", col.to_str().unwrap(), "--format", "svg"];
    largestep(&[&args[..], &["--size", "one-column", "--title", "Valley"]].concat());
    let svg = std::fs::read_to_string(col.join("fig8.svg")).unwrap();
    assert!((attr_in(&svg, "width") - 3.25).abs() < 1e-3 && svg.contains("Valley"));
    std::fs::remove_file(dir.join("iterates.csv")).unwrap();
    assert!(plot_error(&[dir.to_str().unwrap()]).contains("iterates.csv"));
    // A first-class figure: listed with its title in paper order, its constants shown.
    let list = String::from_utf8(largestep(&["list"]).stdout).unwrap();
    let names: Vec<&str> = list.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    let at = |n: &str| names.iter().position(|m| *m == n).unwrap_or_else(|| panic!("{n} not listed: {list}"));
    assert!(at("fig5") < at("fig8") && at("fig8") < at("fig10"), "{list}");
    assert!(list.lines().any(|l| l.starts_with("fig8 ") && l.contains("n = 1, d = 2, u = v")), "{list}");
    let show = String::from_utf8(largestep(&["show", "fig8"]).stdout).unwrap();
    assert!(show.contains("eta = 0.35") && show.contains("# step size"), "{show}");
}

/// The quick SDE settings of the diagonal net (short runs, a small dataset, a 2-point
/// calibration) in `root/sde`.
fn sde(root: &Path) -> std::path::PathBuf {
    let out = root.join("sde");
    largestep(&[
        "sde-vs-sgd",
        "--model",
        "diagonal",
        "--seeds",
        "2",
        "--set",
        "base.training.iterations=100",
        "--set",
        "base.data.n=20",
        "--set",
        "base.data.d=30",
        "--calibrate",
        "--set",
        "calibrate.evaluations=2",
        "--set",
        "calibrate.iterations=50",
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

#[test]
fn sde_folders_replot_byte_for_byte_from_their_csvs() {
    let root = tempfile::tempdir().unwrap();
    let out = sde(root.path());
    let figures = ["diagonal.svg", "diagonal.png", "sharpness.svg", "sharpness.png", "calibration.svg", "bands.csv"];
    // The whole sde-vs-sgd folder: every model's folder again.
    let again = root.path().join("again");
    largestep(&["plot", out.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    same_files(&out.join("diagonal"), &again.join("diagonal"), &figures);
    // One model's folder, at another size and title.
    let dir = out.join("diagonal");
    let col = root.path().join("col");
    let args = ["plot", dir.to_str().unwrap(), "--out", col.to_str().unwrap(), "--format", "svg,pdf"];
    largestep(&[&args[..], &["--size", "one-column", "--font-pt", "7", "--title", "Diagonal SDE"]].concat());
    for f in ["diagonal.svg", "sharpness.svg", "calibration.svg"] {
        let svg = std::fs::read_to_string(col.join(f)).unwrap();
        assert!((attr_in(&svg, "width") - 3.25).abs() < 1e-3, "{f}");
        for (text, size) in texts(&svg) {
            assert!(size * 72.0 / 300.0 >= 7.0 - 1e-6, "{f}: {text:?} below 7 pt");
        }
    }
    assert!(std::fs::read_to_string(col.join("sharpness.svg")).unwrap().contains("Diagonal SDE"));
    assert!(std::fs::read(col.join("diagonal.pdf")).unwrap().starts_with(b"%PDF-1."));
    // Each file the figures need is named when it is missing; run selection is refused.
    assert!(plot_error(&[dir.to_str().unwrap(), "--runs", "sgd"]).contains("experiment folders"));
    for f in ["calibration.csv", "sharpness.csv", "metrics.csv"] {
        let text = std::fs::read(dir.join(f)).unwrap();
        std::fs::write(dir.join(f), b"what,c\nnonsense,1\n").unwrap();
        assert!(plot_error(&[dir.to_str().unwrap(), "--out", col.to_str().unwrap()]).contains(f), "{f}");
        std::fs::remove_file(dir.join(f)).unwrap();
        if f != "calibration.csv" {
            assert!(plot_error(&[dir.to_str().unwrap(), "--out", col.to_str().unwrap()]).contains(f), "{f}");
        }
        std::fs::write(dir.join(f), text).unwrap();
    }
}

#[cfg(feature = "deep")]
#[test]
fn deep_folders_replot_byte_for_byte_from_deep_csv() {
    // A width-4 ResNet-18 on the 60-image fixture, two runs of two epochs (as tests/deep/writers_deep.rs).
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cifar10-mini");
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("deep");
    largestep(&[
        "deep",
        "train",
        "--model",
        "resnet18",
        "--width",
        "4",
        "--data",
        fixture,
        "--schedule",
        "constant:0.05",
        "--schedule",
        "constant:0.2",
        "--epochs",
        "2",
        "--batch",
        "20",
        "--metric-images",
        "20",
        "--max-neurons",
        "50",
        "--seed",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let again = root.path().join("again");
    largestep(&["plot", dir.to_str().unwrap(), "--out", again.to_str().unwrap()]);
    same_files(&dir, &again, &["deep.svg", "deep.png"]);
    let svg = std::fs::read_to_string(dir.join("deep.svg")).unwrap();
    assert!(svg.contains("constant_0.2") && svg.contains("feature sparsity"), "both runs and the sparsity panels");
    // The title lives in figure.toml: without it, --title is needed and the error says so.
    std::fs::remove_file(dir.join("figure.toml")).unwrap();
    assert!(plot_error(&[dir.to_str().unwrap(), "--out", again.to_str().unwrap()]).contains("figure.toml"));
    let col = root.path().join("col");
    let args = ["plot", dir.to_str().unwrap(), "--out", col.to_str().unwrap(), "--format", "svg"];
    largestep(&[&args[..], &["--size", "one-column", "--title", "Tiny ResNet"]].concat());
    let svg = std::fs::read_to_string(col.join("deep.svg")).unwrap();
    assert!((attr_in(&svg, "width") - 3.25).abs() < 1e-3 && svg.contains("Tiny ResNet"));
    std::fs::remove_file(dir.join("deep.csv")).unwrap();
    std::fs::write(dir.join("deep.csv"), "run,epoch\n").unwrap();
    assert!(plot_error(&[dir.to_str().unwrap(), "--title", "x"]).contains("deep.csv"));
}

#[test]
fn a_title_follows_data_d_300() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().to_str().unwrap();
    largestep(&[
        "reproduce",
        "fig2",
        "--set",
        "training.iterations=100",
        "--set",
        "data.d=300",
        "--no-plot",
        "--out",
        out,
    ]);
    let again = root.path().join("again");
    largestep(&[
        "plot",
        root.path().join("fig2").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--format",
        "svg",
    ]);
    let svg = std::fs::read_to_string(again.join("fig2.svg")).unwrap();
    assert!(svg.contains("d = 300") && !svg.contains("d = 200"), "the title does not say d = 300");
}

#[test]
fn a_diverged_seed_is_left_out_of_the_replot_as_when_it_ran() {
    // At η = 0.3 the constant run diverges on one of three seeds: its kept rows end above the
    // divergence threshold (finite), so only summary.csv says it diverged.
    let root = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_largestep"))
        .args(["reproduce", "fig2", "--set", "training.iterations=200", "--set", "runs.constant.schedule.step=0.3"])
        .args(["--seeds", "3", "--out"])
        .arg(root.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = root.path().join("fig2");
    let again = root.path().join("again");
    largestep(&["plot", dir.to_str().unwrap(), "--out", again.to_str().unwrap(), "--format", "svg"]);
    same_files(&dir, &again, &["fig2.svg", "bands.csv"]);
    let svg = std::fs::read_to_string(again.join("fig2.svg")).unwrap();
    assert!(svg.contains("1/3 diverged, left out"), "the legend does not count the diverged seed");
}
