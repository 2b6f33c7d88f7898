//! The report's code version (its cache key and the commit it states) is the binary's own build,
//! recorded at compile time: run from inside another git repository it does not claim that
//! repository's commit (issue 35, item 2).

use std::process::Command;

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let o = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn the_code_version_is_the_binarys_not_the_working_directorys() {
    let before = largestep::report::provenance::code_version();
    let other = tempfile::tempdir().unwrap();
    git(other.path(), &["init", "-q"]);
    std::fs::write(other.path().join("f"), "another project").unwrap();
    git(other.path(), &["add", "f"]);
    git(other.path(), &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "other"]);
    let foreign = git(other.path(), &["rev-parse", "HEAD"]);
    // This test binary is its own process: changing its working directory disturbs no other test.
    std::env::set_current_dir(other.path()).unwrap();
    let after = largestep::report::provenance::code_version();
    assert_eq!(after, before, "the code version followed the working directory");
    assert!(!after.unwrap_or_default().contains(&foreign), "it names the other repository's commit");
    assert_eq!(largestep::report::provenance::code_version(), largestep::provenance::build_id());
}
