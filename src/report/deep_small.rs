//! The reduced-scale deep protocols' claims on the report page (issue 32): O1–O3 as
//! `reproduce deep-…` decided and wrote them (`<dir>/<protocol>/claims.json`), each row labelled
//! REDUCED ("reduced scale (CPU protocol)") and kept out of the paper's tally. The report never
//! trains them (that needs `--features deep` and the data); a protocol not run shows no row.

use super::sources::claim_from_decided;
use super::{Backing, Claim};
use crate::claims::deep_small::{Summary, CLAIMS_FILE};
use crate::experiment::registry::DEEP;
use largestep_theory::verdict::Verdict;
use std::path::Path;

/// The claims of every protocol found under `dir`, and the files read.
pub fn claims(dir: &Path) -> (Vec<Claim>, Vec<String>) {
    let mut out = Vec::new();
    let mut files = Vec::new();
    for (name, _) in DEEP.entries {
        let path = dir.join(name).join(CLAIMS_FILE);
        if !path.is_file() {
            continue;
        }
        files.push(path.display().to_string());
        let backing = Backing {
            command: format!("largestep reproduce {name} --data DIR (built with --features deep)"),
            step: "deep-small".into(),
        };
        match Summary::read(&path) {
            Ok(s) => out.extend(s.decided.iter().map(|d| claim_from_decided(d, backing.clone()))),
            Err(e) => out.push(Claim {
                id: format!("{name}-unreadable"),
                group: super::Section::Diagnostics,
                statement: format!("the claims of {name}"),
                reference: path.display().to_string(),
                verdict: Verdict::failed(format!("{e:#}")),
                numbers: String::new(),
                backing,
                role: crate::claims::Role::Diagnostic,
                scale: crate::claims::Scale::Reduced("reduced scale (CPU protocol)".into()),
                decided_by: "largestep::claims::deep_small".into(),
            }),
        }
    }
    (out, files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::deep_small::decide_all;

    #[test]
    fn written_claims_come_back_reduced_and_out_of_the_tally() {
        let dir = tempfile::tempdir().unwrap();
        assert!(claims(dir.path()).0.is_empty());
        let sub = dir.path().join("deep-cifar10-small");
        std::fs::create_dir_all(&sub).unwrap();
        let s = decide_all("deep-cifar10-small", "reduced scale (CPU protocol): test", &[]);
        s.write(&sub).unwrap();
        let (c, files) = claims(dir.path());
        assert_eq!((c.len(), files.len()), (3, 1));
        assert!(c.iter().all(|c| !c.in_paper_tally() && c.label().contains("REDUCED")));
        assert!(c[0].numbers.contains("reduced scale (CPU protocol)"), "{}", c[0].numbers);
        std::fs::write(sub.join(CLAIMS_FILE), "{").unwrap();
        let (c, _) = claims(dir.path());
        assert_eq!(c[0].verdict.label(), "FAILED");
    }
}
