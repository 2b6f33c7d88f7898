//! The library's layers, lowest first, and a test that every `crate::` path in `src/` goes from a
//! module to a strictly lower layer: no import runs upwards and no two top-level modules import
//! each other, directly or through others. (The command line, `src/cli/`, is in the binary and
//! uses the library from outside.)
//!
//! | layer | modules | what they hold |
//! |---|---|---|
//! | 0 | `number`, `stats`, `linalg`, `rng`, `loss`, `schedule`, `output`, `overrides` | numbers in prose, medians/quantiles/slopes, dense kernels and rank counts, seeded generators, losses, step-size schedules, atomic result sets, `--set` parsing |
//! | 1 | `model` | the models h_θ(x), their gradients and Jacobian structure |
//! | 2 | `data` | datasets (generators of the paper's settings, files) |
//! | 3 | `metrics`, `optim`, `theory_bridge` | rank, sparsity and losses on a dataset; optimizers; the `theory` crate's view of the models |
//! | 4 | `record`, `provenance` | the recorder and its CSV; run.json |
//! | 5 | `plot` | the renderer |
//! | 6 | `config` | the config types, their schema and validation |
//! | 7 | `experiment` | simulate/write an experiment; the figures' registry and layouts |
//! | 8 | `claims` | the claim registry, O1–O3, the criterion's use |
//! | 9 | `sde`, `deep`, `verify`, `sweep` | Appendix C, the deep nets, `verify`, sweeps |
//! | 10 | `report` | the report page over all of them |

/// Every top-level module of the library with its layer.
pub const LAYERS: &[(&str, usize)] = &[
    ("number", 0),
    ("stats", 0),
    ("linalg", 0),
    ("rng", 0),
    ("loss", 0),
    ("schedule", 0),
    ("output", 0),
    ("overrides", 0),
    ("model", 1),
    ("data", 2),
    ("metrics", 3),
    ("optim", 3),
    ("theory_bridge", 3),
    ("record", 4),
    ("provenance", 4),
    ("plot", 5),
    ("config", 6),
    ("experiment", 7),
    ("claims", 8),
    ("sde", 9),
    ("deep", 9),
    ("verify", 9),
    ("sweep", 9),
    ("report", 10),
];

#[cfg(test)]
mod tests {
    use super::LAYERS;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The top-level modules named by `crate::` paths in `code` (comments removed), including
    /// those of grouped imports `use crate::{a::…, b};`.
    fn targets(code: &str) -> BTreeSet<String> {
        let code: String = code.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
        let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
        let mut out = BTreeSet::new();
        let mut rest = code.as_str();
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let word = ident(after);
            if after.starts_with('{') {
                // Top-level names of the group: those at brace depth 1 after `{` or `,`.
                let (mut depth, mut expect) = (0usize, true);
                for (j, c) in after.char_indices() {
                    match c {
                        '{' => {
                            depth += 1;
                            expect = depth == 1;
                        }
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        ',' if depth == 1 => expect = true,
                        c if expect && depth == 1 && !c.is_whitespace() => {
                            out.insert(ident(&after[j..]));
                            expect = false;
                        }
                        _ => {}
                    }
                }
            } else if !word.is_empty() {
                out.insert(word);
            }
            rest = after;
        }
        out
    }

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn imports_only_go_down_the_layers() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let layer = |m: &str| LAYERS.iter().find(|(n, _)| *n == m).map(|(_, l)| *l);
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut seen = BTreeSet::new();
        let mut upward = Vec::new();
        for f in &files {
            let rel = f.strip_prefix(&src).unwrap();
            let top = rel.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_string();
            if ["lib", "main", "cli", "layers"].contains(&top.as_str()) {
                continue;
            }
            let from = layer(&top).unwrap_or_else(|| panic!("src/{top}: a top-level module missing from LAYERS"));
            seen.insert(top.clone());
            for t in targets(&std::fs::read_to_string(f).unwrap()) {
                if t == top || t == "self" || t == "super" {
                    continue;
                }
                match layer(&t) {
                    Some(to) if to < from => {}
                    Some(to) => upward.push(format!("{} (layer {from}) uses crate::{t} (layer {to})", rel.display())),
                    None => upward.push(format!("{} uses crate::{t}, which is not in LAYERS", rel.display())),
                }
            }
        }
        assert!(upward.is_empty(), "imports that do not go down the layers:\n{}", upward.join("\n"));
        let listed: BTreeSet<String> = LAYERS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(seen, listed, "LAYERS lists exactly the library's top-level modules");
    }

    #[test]
    fn the_parser_sees_grouped_and_plain_paths() {
        let t = targets("use crate::{config::{A, B}, data};\nlet x = crate::model::f(); // crate::report\n");
        assert_eq!(t, ["config", "data", "model"].iter().map(|s| s.to_string()).collect());
    }
}
