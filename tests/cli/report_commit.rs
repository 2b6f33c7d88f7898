//! The report's code version (its cache key and the commit it states) is the binary's own build,
//! recorded at compile time: run from inside another git repository it does not claim that
//! repository's commit (issue 35, item 2).

use std::process::Command;

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let o = Command::new("git").arg("-C").arg(dir).args(args).output().expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Prints the code version (run by the test below in a child process, inside another git
/// repository: the tests of this binary share one process, so the working directory is not
/// changed here).
#[test]
#[ignore = "a child process of the_code_version_is_the_binarys_not_the_working_directorys"]
fn print_code_version() {
    println!("code-version={:?}", largestep::provenance::build_id());
}

#[test]
fn the_code_version_is_the_binarys_not_the_working_directorys() {
    let before = format!("code-version={:?}", largestep::provenance::build_id());
    let other = tempfile::tempdir().unwrap();
    git(other.path(), &["init", "-q"]);
    std::fs::write(other.path().join("f"), "another project").unwrap();
    git(other.path(), &["add", "f"]);
    git(other.path(), &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "other"]);
    let foreign = git(other.path(), &["rev-parse", "HEAD"]);
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["report_commit::print_code_version", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .current_dir(other.path())
        .output()
        .expect("runs this test binary");
    assert!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));
    let out = String::from_utf8_lossy(&child.stdout);
    // libtest prints the line after the test's name: take it from its marker.
    let after =
        out.lines().find_map(|l| l.find("code-version=").map(|i| &l[i..])).expect("the child prints its code version");
    assert_eq!(after, before, "the code version followed the working directory");
    assert!(!after.contains(&foreign), "it names the other repository's commit");
}
