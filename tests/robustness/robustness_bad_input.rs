//! Bad-input property test: the shipped configs mutated (types, ranges, missing and duplicate
//! keys, random bytes) are either accepted within this machine's bounds or refused with one line
//! naming the file and a field; never a panic.

use largestep::config::{machine_memory, ExperimentConfig};
use largestep::experiment::registry::EMBEDDED;
use largestep::schema::MAX_ITERATIONS;
use proptest::prelude::*;

const VALUES: &[&str] = &[
    "-1",
    "0",
    "1",
    "2",
    "nan",
    "inf",
    "-inf",
    "1e300",
    "-1e300",
    "0.5",
    "1.5",
    "9223372036854775807",
    "1000000000",
    "\"\"",
    "\"x\"",
    "\"../../x\"",
    "true",
    "[]",
    "[0]",
    "[1, 1]",
    "[1000000000]",
    "{}",
    "{ a = 1 }",
    "[true]",
    "1979-05-27",
];

/// Mutation `kind` at line `at` (mod the line count), with value `v` and bytes `bytes`.
fn mutate(text: &str, kind: u8, at: usize, v: &str, bytes: &[u8]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let assignments: Vec<usize> =
        (0..lines.len()).filter(|&i| lines[i].contains('=') && !lines[i].trim_start().starts_with('#')).collect();
    let i = assignments[at % assignments.len()];
    match kind % 5 {
        // Replace a value (every type and range).
        0 => {
            let key = lines[i].split('=').next().unwrap().to_string();
            lines[i] = format!("{key}= {v}");
        }
        // Remove a key.
        1 => {
            lines.remove(i);
        }
        // Duplicate a key.
        2 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        // Replace a value inside an inline table (schedule, init, jacobian_rank, …).
        3 => {
            if let Some(p) = lines[i].find("= ").and_then(|p| lines[i][p + 2..].find("= ").map(|q| p + 2 + q)) {
                let end = lines[i][p + 2..].find([',', '}']).map_or(lines[i].len(), |e| p + 2 + e);
                lines[i] = format!("{}= {v}{}", &lines[i][..p], &lines[i][end..]);
            } else {
                lines[i] = format!("{} = {v}", lines[i].split('=').next().unwrap().trim());
            }
        }
        // Random bytes spliced in.
        _ => {
            let mut b = lines.join("\n").into_bytes();
            let pos = at % b.len().max(1);
            b.splice(pos..pos, bytes.iter().copied());
            return String::from_utf8_lossy(&b).into_owned();
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn mutated_shipped_configs_never_panic(
        which in 0..EMBEDDED.len(),
        kind in 0u8..5,
        at in 0usize..1000,
        v in prop::sample::select(VALUES),
        bytes in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let text = mutate(EMBEDDED[which].1, kind, at, v, &bytes);
        match ExperimentConfig::parse(&text, "m.toml") {
            Ok(cfg) => {
                // Accepted: bounded time and memory.
                prop_assert!(cfg.training.total(false) <= MAX_ITERATIONS as usize);
                let bytes: f64 = cfg.memory_estimate().iter().map(|(_, b)| b).sum();
                prop_assert!(bytes <= machine_memory() as f64);
                prop_assert!(cfg.runs.len() <= 1000);
            }
            Err(e) => {
                let s = e.to_string();
                prop_assert_eq!(s.lines().count(), 1, "{}", s);
                prop_assert!(s.starts_with("m.toml: field `"), "{}", s);
                prop_assert!(!e.field.is_empty(), "no field named: {}", s);
            }
        }
    }
}

/// A newline inside a comment leaves a top-level line with no key (the case the property test
/// above found in fig11's first line): the error names that line.
#[test]
fn a_keyless_top_level_line_is_named_by_its_number() {
    let text = "# Figure 11 (n\n = 40, d = 100)\nname = \"x\"\n";
    let e = ExperimentConfig::parse(text, "m.toml").unwrap_err();
    assert_eq!(e.field, "line 2", "{e}");
    assert!(e.to_string().starts_with("m.toml: field `line 2`: "), "{e}");
}

/// A string value with a newline (a TOML escape, as random bytes spliced before a value made
/// it): the error shows it escaped, on one line.
#[test]
fn a_value_with_a_newline_is_shown_on_one_line() {
    let text = EMBEDDED.iter().find(|(name, _)| *name == "fig2").expect("fig2 is shipped").1;
    assert!(text.contains("rng = \"numpy\""));
    let text = text.replace("rng = \"numpy\"", "rng = \"nu\\nmpy\"");
    let e = ExperimentConfig::parse(&text, "m.toml").unwrap_err();
    assert_eq!(e.field, "rng", "{e}");
    assert_eq!(e.to_string().lines().count(), 1, "{e}");
    assert!(e.to_string().contains("nu\\nmpy"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]
    /// `--set KEY=VALUE` with every schema key (runs as `runs[i]`, `runs.*`) and hostile values:
    /// accepted within bounds, or one line naming the file and a field.
    #[test]
    fn hostile_set_overrides_never_panic(
        which in 0..EMBEDDED.len(),
        field in prop::sample::select(largestep::schema::FIELDS),
        runs in prop::sample::select(&["runs[0]", "runs[7]", "runs.*"][..]),
        v in prop::sample::select(VALUES),
    ) {
        let spec = format!("{}={v}", field.key.replace("runs[]", runs));
        match ExperimentConfig::parse_with_overrides(EMBEDDED[which].1, "m.toml", std::slice::from_ref(&spec)) {
            Ok(cfg) => {
                prop_assert!(cfg.training.total(false) <= MAX_ITERATIONS as usize);
                let bytes: f64 = cfg.memory_estimate().iter().map(|(_, b)| b).sum();
                prop_assert!(bytes <= machine_memory() as f64);
            }
            Err(e) => {
                let s = e.to_string();
                prop_assert_eq!(s.lines().count(), 1, "{}: {}", spec, s);
                prop_assert!(s.starts_with("m.toml: field `") && !e.field.is_empty(), "{}: {}", spec, s);
            }
        }
    }
}
