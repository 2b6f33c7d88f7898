//! `largestep deep train` writes its folder as one set and resumes a killed run to the same
//! result (issue 35, items 1 and 5): CPU, the 60-image fixture, a width-4 ResNet-18.
#![cfg(feature = "deep")]

use crate::common::{files, kill_after, largestep, sigkill, spawn_quiet};
use std::path::Path;
use std::time::Duration;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cifar10-mini");

fn args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "deep",
        "train",
        "--model",
        "resnet18",
        "--width",
        "4",
        "--data",
        FIXTURE,
        "--schedule",
        "constant:0.05",
        "--epochs",
        "4",
        "--batch",
        "20",
        "--metric-images",
        "20",
        "--max-neurons",
        "50",
        "--seed",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// deep.csv without its wall-time column (the one value a rerun cannot reproduce).
fn csv_without_seconds(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Vec<String>> = text.lines().map(|l| l.split(',').map(String::from).collect()).collect();
    let col = rows[0].iter().position(|h| h == "seconds").unwrap();
    rows.into_iter()
        .map(|mut r| {
            r.remove(col);
            r
        })
        .collect()
}

/// Every tensor of a checkpoint as bytes, the log's wall times set to 0.
fn checkpoint(path: &Path) -> Vec<(String, Vec<u8>)> {
    let tensors = candle_core::safetensors::load(path, &candle_core::Device::Cpu).unwrap();
    let mut out: Vec<(String, Vec<u8>)> = tensors
        .iter()
        .map(|(k, t)| {
            let bytes: Vec<u8> = if k == "meta.json" {
                let mut v: serde_json::Value = serde_json::from_slice(&t.to_vec1::<u8>().unwrap()).unwrap();
                for r in v["log"].as_array_mut().unwrap() {
                    r["seconds"] = serde_json::json!(0.0);
                }
                v.to_string().into_bytes()
            } else {
                let f = t.flatten_all().unwrap().to_dtype(candle_core::DType::F64).unwrap();
                f.to_vec1::<f64>().unwrap().iter().flat_map(|x| x.to_le_bytes()).collect()
            };
            (k.clone(), bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_killed_deep_run_resumes_to_the_same_result() {
    let root = tempfile::tempdir().unwrap();
    let reference = root.path().join("reference");
    let o = largestep(&args(&reference, &[]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["deep.csv", "run.json", "constant_0.05/checkpoint.safetensors", "constant_0.05/filters.png"] {
        assert!(reference.join(f).is_file(), "{f} missing");
    }

    let out = root.path().join("out");
    let state = root.path().join(".out.resume/constant_0.05/checkpoint.safetensors");
    let mut child = spawn_quiet(&args(&out, &[]));
    let killed = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if state.is_file() {
            sigkill(&mut child);
            break true;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Each epoch takes a sizeable fraction of a second: the first checkpoint is seen long before
    // the fourth epoch ends.
    assert!(killed, "the run ended before its first checkpoint was seen");
    assert!(!out.exists(), "a killed run committed a set");
    let o = largestep(&args(&out, &["--resume"]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("resumed after epoch"), "{err}");
    assert_eq!(csv_without_seconds(&out.join("deep.csv")), csv_without_seconds(&reference.join("deep.csv")));
    let ck = "constant_0.05/checkpoint.safetensors";
    assert_eq!(checkpoint(&out.join(ck)), checkpoint(&reference.join(ck)));
    assert!(!root.path().join(".out.resume").exists());
}

#[test]
fn resume_refuses_another_model_and_duplicate_labels_and_an_empty_test_subset() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let mut a = args(&out, &[]);
    a[11] = "1".into(); // --epochs 1
    let o = largestep(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut b = a.clone();
    b[3] = "resnet34".into();
    b.push("--resume".into());
    let o = largestep(&b);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("checkpoint of resnet18 width 4") && err.contains("this run is resnet34 width 4"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");

    let mut dup = a.clone();
    dup.extend(["--schedule".into(), "constant:0.05".into()]);
    let o = largestep(&dup);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.code() == Some(2) && err.contains("both run"), "{err}");

    let mut zero = a.clone();
    zero.extend(["--test-subset".into(), "0".into()]);
    let o = largestep(&zero);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--test-subset"));
}

#[test]
fn a_foreign_or_busy_folder_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = largestep(&args(&out, &[]));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not written by largestep"));
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    let busy = root.path().join("busy");
    let holder = largestep::output::OutputDir::begin(&busy).unwrap();
    let o = largestep(&args(&busy, &[]));
    assert!(String::from_utf8_lossy(&o.stderr).contains("in use"));
    drop(holder);
}

/// SIGKILL at seeded moments of a run into a folder holding an old set: afterwards the folder
/// holds the old set or the complete new one (every file of an uninterrupted run, its CSV equal
/// but for wall times); the `--resume` rerun completes it and leaves nothing beside it.
#[test]
fn a_deep_run_killed_at_seeded_moments_leaves_the_old_or_the_new_set() {
    let root = tempfile::tempdir().unwrap();
    let reference = root.path().join("reference");
    let mut ref_args = args(&reference, &[]);
    ref_args[11] = "2".into();
    let t = std::time::Instant::now();
    let o = largestep(&ref_args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let span = t.elapsed();
    let new = files(&reference);
    let out = root.path().join("out");
    let d = largestep::output::OutputDir::begin(&out).unwrap();
    std::fs::write(d.staging().join("old.txt"), "the old set").unwrap();
    d.commit().unwrap();
    let old = files(&out);
    let mut run = args(&out, &["--resume"]);
    run[11] = "2".into();
    let mut s: u64 = 0x5eed_3535;
    for i in 0..4 {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let at = span.mul_f64((s >> 33) as f64 / (1u64 << 31) as f64);
        kill_after(&run, at);
        let now = files(&out);
        let complete = now.keys().eq(new.keys())
            && csv_without_seconds(&out.join("deep.csv")) == csv_without_seconds(&reference.join("deep.csv"));
        assert!(now == old || complete, "kill {i} at {at:?}: a mixed or partial set {:?}", now.keys());
    }
    let o = largestep(&run);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(csv_without_seconds(&out.join("deep.csv")), csv_without_seconds(&reference.join("deep.csv")));
    let ck = "constant_0.05/checkpoint.safetensors";
    assert_eq!(checkpoint(&out.join(ck)), checkpoint(&reference.join(ck)));
    let beside: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("out") && n != "out")
        .collect();
    assert!(beside.is_empty(), "left beside the set: {beside:?}");
}
