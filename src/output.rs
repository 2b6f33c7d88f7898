//! Writing results: the one atomic writer of the crate, whole result folders, and the CSV
//! conventions of docs/DESIGN.md §2.
//!
//! * [`atomic_write`], [`atomic_write_with`], [`atomic_write_via_path`]: a file is written to a
//!   temporary sibling, fsynced and renamed into place — readers see the old file or the new one.
//! * [`OutputDir`]: a result *folder* is written as a whole. The new set is built in a sibling
//!   staging folder `.<name>.new-<pid>`, then swapped in with one `renameat2(RENAME_EXCHANGE)`
//!   (Linux; elsewhere two renames, recovered on the next start), so the folder holds either the
//!   complete old set or the complete new one. A lock file `.<name>.lock` beside the folder
//!   (`flock`, holding the pid) makes a second run into the same folder refuse at once; the kernel
//!   drops the lock when its holder dies, so stale locks never block. Leftovers of killed runs
//!   (staging folders, temporary files) are removed when the next run takes the lock.
//!   A run whose staging folder disappears (its parent deleted or moved mid-run) fails at
//!   [`OutputDir::commit`] instead of committing a re-created, incomplete set.
//! * [`OutputDir::resume_dir`]: state that must survive a killed run (a sweep's finished cells,
//!   a deep run's checkpoint) lives in a sibling `.<name>.resume/` under the same lock; the
//!   next run reads it back and a successful commit removes it.
//! * [`write_set`]: begin, fill the staging folder, commit — the whole protocol in one call.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the marker file that identifies a folder written by [`OutputDir`]: only such a folder
/// (or an empty one) is ever replaced.
pub const MARKER: &str = ".largestep";

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsync, rename.
/// Creates the parent folder if needed.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic_write_with(path, |w| Ok(w.write_all(bytes)?))
}

/// Writes a file atomically through a writer callback (temporary file + rename).
pub fn atomic_write_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    let tmp = temp_in(path, "")?;
    let mut w = std::io::BufWriter::new(tmp);
    fill(&mut w).with_context(|| format!("writing {}", path.display()))?;
    let tmp = w.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", path.display()))?;
    persist(tmp, path)
}

/// Writes a file atomically through an API that writes by path (image encoders, tensor files):
/// `fill` receives a temporary path in the same folder with the same extension, which is then
/// renamed to `path`.
pub fn atomic_write_via_path(path: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let suffix = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    let tmp = temp_in(path, &suffix)?;
    fill(tmp.path()).with_context(|| format!("writing {}", path.display()))?;
    persist(tmp, path)
}

fn temp_in(path: &Path, suffix: &str) -> Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    refuse_recreating_staging(&dir)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating folder {}", dir.display()))?;
    tempfile::Builder::new()
        .prefix(".tmp")
        .suffix(suffix)
        .tempfile_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))
}

/// Fails when creating `dir` would re-create a missing staging folder of an [`OutputDir`]
/// (`.<name>.new-<pid>`): its parent was deleted or moved mid-run, and the run must fail rather
/// than write a partial set into a folder it would then commit.
fn refuse_recreating_staging(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut p = Some(dir);
    while let Some(a) = p {
        if a.exists() {
            break;
        }
        let staging = a.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix('.')).and_then(|n| {
            let (_, pid) = n.rsplit_once(".new-")?;
            Some(!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        if staging == Some(true) {
            bail!(
                "the staging folder {} disappeared during the run (its parent deleted or moved?); nothing is written",
                a.display()
            );
        }
        p = a.parent();
    }
    Ok(())
}

/// Fsyncs and persists a temporary file at `path` with the usual permissions (0644 on Unix:
/// temporary files are created 0600).
pub(crate) fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    tmp.as_file().sync_all().with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644)).ok();
    }
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A result folder being written as a whole (see the module docs). Files go into
/// [`staging`](Self::staging); [`commit`](Self::commit) swaps the set in. Dropped without a
/// commit (an error), the staging folder is removed and the old set stays untouched.
#[derive(Debug)]
pub struct OutputDir {
    out: PathBuf,
    staging: PathBuf,
    parent: PathBuf,
    name: String,
    lock_path: PathBuf,
    _lock: File,
    committed: bool,
    /// Identity (device, inode) of the staging folder created by [`begin`](Self::begin).
    staging_id: Option<(u64, u64)>,
    /// A token written into the staging folder by `begin` (file [`STAGING_TOKEN`]), checked and
    /// removed by `commit`: a re-created folder (even one that got the same inode) lacks it.
    token: String,
}

/// The staging folder's token file (a `.tmp` name: never part of a committed set).
const STAGING_TOKEN: &str = ".tmpstaging";

/// Runs `fill` on the staging folder of `out` and commits the set it wrote (see [`OutputDir`]).
/// An error from `fill` leaves the old set untouched.
pub fn write_set<T>(out: &Path, fill: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let dir = OutputDir::begin(out)?;
    let value = fill(dir.staging())?;
    dir.commit()?;
    Ok(value)
}

impl OutputDir {
    /// Locks `out` (refusing at once, with the holder's pid, when another run holds it), removes
    /// leftovers of interrupted runs and creates an empty staging folder.
    ///
    /// Refuses an existing `out` that was not written by this tool and is not empty: it would be
    /// replaced as a whole.
    pub fn begin(out: &Path) -> Result<Self> {
        let name = match out.file_name().and_then(|n| n.to_str()) {
            Some(n) if n != "." && n != ".." => n.to_string(),
            _ => bail!("output folder {}: needs a final folder name (e.g. results/run1)", out.display()),
        };
        let parent = parent_dir(out);
        std::fs::create_dir_all(&parent).with_context(|| format!("creating folder {}", parent.display()))?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = lock(&lock_path, out)?;
        let dir = Self {
            out: out.to_path_buf(),
            staging: parent.join(format!(".{name}.new-{}", std::process::id())),
            parent,
            name,
            lock_path,
            _lock: lock,
            committed: false,
            staging_id: None,
            token: format!(
                "{}-{}",
                std::process::id(),
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
            ),
        };
        dir.clean()?;
        if out.exists() && !is_replaceable(out)? {
            bail!(
                "output folder {} exists and was not written by largestep (no {MARKER} file) and is not empty; \
                 it would be replaced as a whole: choose a new or empty folder",
                out.display()
            );
        }
        let mut dir = dir;
        std::fs::create_dir(&dir.staging).with_context(|| format!("creating folder {}", dir.staging.display()))?;
        dir.staging_id = file_id(&dir.staging);
        std::fs::write(dir.staging.join(STAGING_TOKEN), &dir.token)
            .with_context(|| format!("writing into {}", dir.staging.display()))?;
        atomic_write(&dir.staging.join(MARKER), b"largestep results folder: replaced as a whole by each run\n")?;
        Ok(dir)
    }

    /// The folder of state that survives a killed run (`.<name>.resume/` beside `out`, created
    /// on first use): read back by the next run into the same `out`, removed by a commit.
    pub fn resume_dir(&self) -> Result<PathBuf> {
        let dir = self.parent.join(format!(".{}.resume", self.name));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating folder {}", dir.display()))?;
        Ok(dir)
    }

    /// Copies the current set of `out` (if any) into the staging folder, so that a run which
    /// reuses some of its files (a report's cached steps) starts from them. Only files of a
    /// folder written by this tool are copied.
    pub fn copy_previous(&self) -> Result<()> {
        if self.out.join(MARKER).is_file() {
            copy_tree(&self.out, &self.staging)?;
        }
        Ok(())
    }

    /// Fails when the staging folder is not the one [`begin`](Self::begin) created (its parent
    /// was deleted or moved, and a later write re-created the path): such a set is incomplete.
    fn check_staging(&self) -> Result<()> {
        let token = std::fs::read_to_string(self.staging.join(STAGING_TOKEN)).ok();
        if self.staging_id.is_none()
            || file_id(&self.staging) != self.staging_id
            || token.as_deref() != Some(&self.token)
        {
            bail!(
                "output folder {}: the staging folder {} disappeared during the run (was {} deleted or moved?); \
                 nothing was committed",
                self.out.display(),
                self.staging.display(),
                self.parent.display()
            );
        }
        Ok(())
    }

    /// The folder the new set is written into.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The final output folder.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Swaps the staging folder in as `out`: afterwards `out` holds exactly the new set.
    pub fn commit(mut self) -> Result<()> {
        self.check_staging()?;
        let token = self.staging.join(STAGING_TOKEN);
        std::fs::remove_file(&token).with_context(|| format!("removing {}", token.display()))?;
        sync_dir(&self.staging)?;
        let old = self.parent.join(format!(".{}.old-{}", self.name, std::process::id()));
        if self.out.exists() {
            if exchange(&self.staging, &self.out)? {
                // The staging path now holds the old set: move it aside, removed below.
                std::fs::rename(&self.staging, &old)
                    .with_context(|| format!("moving the old set {} aside", self.staging.display()))?;
            } else {
                std::fs::rename(&self.out, &old)
                    .with_context(|| format!("moving the old set {} aside", self.out.display()))?;
                std::fs::rename(&self.staging, &self.out)
                    .with_context(|| format!("renaming into {}", self.out.display()))?;
            }
        } else {
            std::fs::rename(&self.staging, &self.out)
                .with_context(|| format!("renaming into {}", self.out.display()))?;
        }
        self.committed = true;
        sync_dir(&self.parent)?;
        if old.exists() {
            std::fs::remove_dir_all(&old).with_context(|| format!("removing the old set {}", old.display()))?;
        }
        let resume = self.parent.join(format!(".{}.resume", self.name));
        if resume.exists() {
            std::fs::remove_dir_all(&resume).with_context(|| format!("removing {}", resume.display()))?;
        }
        Ok(())
    }

    /// Removes what interrupted runs left: staging folders; a set moved aside by the two-rename
    /// fallback is moved back when `out` is missing (else removed); temporary files inside `out`.
    fn clean(&self) -> Result<()> {
        let entries = std::fs::read_dir(&self.parent).with_context(|| format!("reading {}", self.parent.display()))?;
        let (new, old) = (format!(".{}.new-", self.name), format!(".{}.old-", self.name));
        for e in entries.flatten() {
            let file = e.file_name();
            let Some(f) = file.to_str() else { continue };
            let path = e.path();
            if f.starts_with(&new) {
                std::fs::remove_dir_all(&path).with_context(|| format!("removing {}", path.display()))?;
            } else if f.starts_with(&old) {
                if self.out.exists() {
                    std::fs::remove_dir_all(&path).with_context(|| format!("removing {}", path.display()))?;
                } else {
                    std::fs::rename(&path, &self.out).with_context(|| format!("restoring {}", self.out.display()))?;
                }
            }
        }
        if let Ok(entries) = std::fs::read_dir(&self.out) {
            for e in entries.flatten() {
                if e.file_name().to_str().is_some_and(|f| f.starts_with(".tmp") || f == ".parts") {
                    let p = e.path();
                    if p.is_dir() {
                        std::fs::remove_dir_all(&p).ok();
                    } else {
                        std::fs::remove_file(&p).ok();
                    }
                }
            }
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    /// Removes the staging folder (unless committed), then the lock file while still holding
    /// the lock: a run that opened the old file before the removal finds it unlinked after
    /// locking it and takes a fresh one (see [`lock`]), so no lock file is left behind.
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.staging).ok();
        }
        std::fs::remove_file(&self.lock_path).ok();
    }
}

/// (device, inode) of a path, `None` when it does not exist.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).ok().map(|_| (0, 0))
    }
}

/// Copies the files and folders under `from` into `to` (regular files, with the markers of nested
/// sets; links and the staging token skipped).
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let e = e.with_context(|| format!("reading {}", from.display()))?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let kind = e.file_type().with_context(|| format!("reading {}", src.display()))?;
        if kind.is_dir() {
            std::fs::create_dir_all(&dst).with_context(|| format!("creating folder {}", dst.display()))?;
            copy_tree(&src, &dst)?;
        } else if kind.is_file() && e.file_name() != STAGING_TOKEN {
            std::fs::copy(&src, &dst).with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}

/// An existing folder may be replaced when it is empty or carries the [`MARKER`].
fn is_replaceable(out: &Path) -> Result<bool> {
    if !out.is_dir() {
        bail!("output folder {} exists and is not a folder", out.display());
    }
    if out.join(MARKER).is_file() {
        return Ok(true);
    }
    let mut entries = std::fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?;
    Ok(entries.next().is_none())
}

/// Takes the lock file `path` of `out` (non-blocking `flock`) and records this pid in it.
///
/// A lock held by a live run refuses at once, naming the holder's pid. A lock file left by a
/// killed run is stale: the kernel released its lock with the process, so it is simply taken.
/// A lock taken on a file that its previous holder removed meanwhile (see `Drop`) is retried
/// on a fresh file, so two runs never both hold a lock.
#[cfg(unix)]
fn lock(path: &Path, out: &Path) -> Result<File> {
    use std::io::{Read, Seek};
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    for _ in 0..100 {
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("opening the lock file {}", path.display()))?;
        // SAFETY: flock on a valid, owned file descriptor.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let mut holder = String::new();
            f.read_to_string(&mut holder).ok();
            let holder = holder.trim();
            let holder = if holder.is_empty() { "unknown" } else { holder };
            bail!(
                "output folder {} is in use by another largestep run (pid {holder}; lock {}); wait for it or choose another --out",
                out.display(),
                path.display()
            );
        }
        let same = match (f.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if !same {
            continue;
        }
        // The lock is ours: whatever pid the file held is stale.
        f.set_len(0)?;
        f.rewind()?;
        writeln!(f, "{}", std::process::id()).with_context(|| format!("writing the lock file {}", path.display()))?;
        return Ok(f);
    }
    bail!("output folder {}: could not take the lock file {}", out.display(), path.display())
}

#[cfg(not(unix))]
fn lock(path: &Path, _out: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .with_context(|| format!("opening the lock file {}", path.display()))
}

/// Atomically exchanges two paths (Linux `renameat2(RENAME_EXCHANGE)`); `false` when the
/// platform or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths, relative to the current directory.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::ENOTSUP) => Ok(false),
        _ => Err(err).with_context(|| format!("swapping {} into {}", a.display(), b.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> Result<bool> {
    Ok(false)
}

fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir).and_then(|f| f.sync_all()).with_context(|| format!("syncing {}", dir.display()))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A CSV table held in memory and written atomically: header plus rows of cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Self { header: header.into_iter().map(Into::into).collect(), rows: Vec::new() }
    }
    /// Appends a row.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }
    /// Writes the table as CSV, atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        atomic_write_with(path, |w| {
            let mut c = csv::Writer::from_writer(w);
            c.write_record(&self.header)?;
            for r in &self.rows {
                c.write_record(r)?;
            }
            c.flush()?;
            Ok(())
        })
    }
}

/// Formats a value for CSV: the shortest digits that parse back to the same `f64`, written as a
/// plain decimal (`0.25`, `1500`) or with an exponent (`2.0222264416065977e-34`, `1e-5`),
/// whichever is shorter (the decimal on a tie); `NaN`, `inf`, `-inf`.
///
/// ```
/// use largestep::output::fmt_f64;
/// assert_eq!(fmt_f64(2.0222264416065977e-34), "2.0222264416065977e-34");
/// assert_eq!(fmt_f64(0.25), "0.25");
/// assert_eq!(fmt_f64(1e-5), "1e-5");
/// assert_eq!("2.0222264416065977e-34".parse::<f64>().unwrap(), 2.0222264416065977e-34);
/// ```
pub fn fmt_f64(v: f64) -> String {
    let plain = format!("{v}");
    if !v.is_finite() {
        return plain;
    }
    // Both forms are Rust's shortest round-trip digits; they differ only in where the point goes.
    let exp = format!("{v:e}");
    if exp.len() < plain.len() {
        exp
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_f64_is_short_and_round_trips_bit_for_bit() {
        assert_eq!(fmt_f64(2.0222264416065977e-34), "2.0222264416065977e-34");
        assert_eq!(fmt_f64(1.5e300), "1.5e300");
        assert_eq!(fmt_f64(0.25), "0.25");
        assert_eq!(fmt_f64(-3.0), "-3");
        assert_eq!(fmt_f64(0.05), "0.05", "a tie keeps the decimal");
        assert_eq!(fmt_f64(0.001), "1e-3");
        assert_eq!(fmt_f64(123456.0), "123456");
        assert_eq!(fmt_f64(1e20), "1e20");
        assert_eq!(fmt_f64(f64::NAN), "NaN");
        assert_eq!(fmt_f64(f64::INFINITY), "inf");
        assert_eq!(fmt_f64(f64::NEG_INFINITY), "-inf");
        // Deterministic values over the whole range: subnormals, extremes, both signs, -0.
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut values = vec![0.0, -0.0, f64::MIN_POSITIVE, 5e-324, f64::MAX, f64::MIN, f64::EPSILON, 1.0 / 3.0];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(f64::from_bits(x));
        }
        for v in values.into_iter().filter(|v| v.is_finite()) {
            let s = fmt_f64(v);
            let back: f64 = s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(back.to_bits(), v.to_bits(), "{v:?} written as {s:?} reads back as {back:?}");
            assert!(
                s.len() <= format!("{v}").len() && s.len() <= format!("{v:e}").len(),
                "{s:?} is not the shorter form"
            );
        }
        assert!(fmt_f64(f64::NAN).parse::<f64>().unwrap().is_nan());
    }

    #[test]
    fn commit_replaces_the_whole_set_and_leaves_no_stray_files() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        let d = OutputDir::begin(&out).unwrap();
        atomic_write(&d.staging().join("a.csv"), b"old a").unwrap();
        atomic_write(&d.staging().join("stale.csv"), b"old only").unwrap();
        d.commit().unwrap();
        let d = OutputDir::begin(&out).unwrap();
        atomic_write(&d.staging().join("a.csv"), b"new a").unwrap();
        d.commit().unwrap();
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"new a");
        assert!(!out.join("stale.csv").exists(), "a file of the old set survived the swap");
        let mut names: Vec<String> =
            std::fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["res"], "no lock file or staging folder is left");
    }

    #[test]
    fn an_error_before_commit_keeps_the_old_set() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        let d = OutputDir::begin(&out).unwrap();
        atomic_write(&d.staging().join("a.csv"), b"old").unwrap();
        d.commit().unwrap();
        {
            let d = OutputDir::begin(&out).unwrap();
            atomic_write(&d.staging().join("a.csv"), b"half-written new").unwrap();
        }
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1, "only the old set remains");
    }

    #[test]
    fn a_second_holder_is_refused_with_the_pid() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        let _first = OutputDir::begin(&out).unwrap();
        let e = OutputDir::begin(&out).unwrap_err().to_string();
        assert!(e.contains("in use") && e.contains(&std::process::id().to_string()) && e.contains("res"), "{e}");
        // The first holder's exit removes the lock file; the next run takes a fresh one.
        drop(_first);
        assert!(!root.path().join(".res.lock").exists());
        drop(OutputDir::begin(&out).unwrap());
    }

    #[test]
    fn a_stale_lock_file_of_a_killed_run_is_taken_over() {
        let root = tempfile::tempdir().unwrap();
        // A killed run leaves its lock file (with its pid) but no lock: the kernel released it.
        std::fs::write(root.path().join(".res.lock"), "999999\n").unwrap();
        let d = OutputDir::begin(&root.path().join("res")).unwrap();
        let holder = std::fs::read_to_string(root.path().join(".res.lock")).unwrap();
        assert_eq!(holder.trim(), std::process::id().to_string());
        drop(d);
    }

    #[test]
    fn a_foreign_folder_is_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("thesis.tex"), "precious").unwrap();
        let e = OutputDir::begin(root.path()).unwrap_err().to_string();
        assert!(e.contains("not written by largestep"), "{e}");
        assert_eq!(std::fs::read_to_string(root.path().join("thesis.tex")).unwrap(), "precious");
    }

    /// The output's parent deleted mid-run: a later write fails instead of re-creating the
    /// staging folder, and the commit fails instead of committing a partial set.
    #[test]
    fn a_vanished_parent_fails_the_run_instead_of_recreating_it() {
        let root = tempfile::tempdir().unwrap();
        let parent = root.path().join("results");
        let out = parent.join("res");
        let d = OutputDir::begin(&out).unwrap();
        atomic_write(&d.staging().join("a.csv"), b"first file").unwrap();
        std::fs::remove_dir_all(&parent).unwrap();
        let e = atomic_write(&d.staging().join("figures/b.svg"), b"second").unwrap_err().to_string();
        assert!(e.contains("disappeared"), "{e}");
        assert!(!parent.exists(), "the write re-created the staging folder");
        // Even a writer that re-creates folders itself cannot get a partial set committed.
        std::fs::create_dir_all(d.staging()).unwrap();
        std::fs::write(d.staging().join(MARKER), "").unwrap();
        let e = d.commit().unwrap_err().to_string();
        assert!(e.contains("disappeared") && e.contains("nothing was committed"), "{e}");
        assert!(!out.exists());
    }

    #[test]
    fn resume_state_survives_a_failed_run_and_goes_with_the_commit() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        {
            let d = OutputDir::begin(&out).unwrap();
            atomic_write(&d.resume_dir().unwrap().join("cell-0.json"), b"done").unwrap();
        }
        let d = OutputDir::begin(&out).unwrap();
        assert_eq!(std::fs::read(d.resume_dir().unwrap().join("cell-0.json")).unwrap(), b"done");
        d.commit().unwrap();
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1, "the resume state went with the commit");
    }

    /// A report starts from its previous set (its cached steps): nested result folders are
    /// copied with their markers, so they can be rewritten as sets inside the new one.
    #[test]
    fn copy_previous_keeps_nested_sets_replaceable() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("site");
        let d = OutputDir::begin(&out).unwrap();
        let inner = OutputDir::begin(&d.staging().join("figures/fig2")).unwrap();
        atomic_write(&inner.staging().join("a.csv"), b"figure data").unwrap();
        inner.commit().unwrap();
        d.commit().unwrap();
        let d = OutputDir::begin(&out).unwrap();
        d.copy_previous().unwrap();
        assert_eq!(std::fs::read(d.staging().join("figures/fig2/a.csv")).unwrap(), b"figure data");
        let inner = OutputDir::begin(&d.staging().join("figures/fig2")).expect("the copied nested set is replaceable");
        inner.commit().unwrap();
        d.commit().unwrap();
        assert!(!out.join("figures/fig2/a.csv").exists());
        assert!(!out.join(STAGING_TOKEN).exists(), "the token is never part of a set");
    }

    #[test]
    fn leftovers_of_killed_runs_are_cleaned_or_restored() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        // A run killed between the two fallback renames: the old set aside, `out` missing.
        std::fs::create_dir(root.path().join(".res.old-77")).unwrap();
        std::fs::write(root.path().join(".res.old-77/a.csv"), "old").unwrap();
        std::fs::write(root.path().join(".res.old-77").join(MARKER), "").unwrap();
        std::fs::create_dir(root.path().join(".res.new-78")).unwrap();
        let d = OutputDir::begin(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "old");
        assert!(!root.path().join(".res.new-78").exists());
        drop(d);
    }
}
