//! Regression datasets from CSV files (`[data] kind = "csv"`, docs/DESIGN.md §8), or NumPy
//! `.npy` arrays (chosen by the file's extension, [`super::npy`]).
//!
//! A table of numeric columns: the features x ∈ ℝᵈ and one target column y. The test set is a
//! second file, or a seeded random fraction of the rows (Fisher–Yates shuffle from the run's
//! [`RandomSource`], last ⌈f·n⌉ rows of the shuffled order), or else the training set itself.
//! Every error names the file, the 1-based row (counting the header line) and the column.

use super::rank_points::{gaussian_matched, RankSource};
use super::Dataset;
use crate::linalg::Points;
use crate::rng::RandomSource;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a file dataset comes from, as written in a config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileData {
    /// Training file.
    pub train: PathBuf,
    /// Test file (same columns); exclusive with `test_fraction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<PathBuf>,
    /// Fraction f ∈ (0, 1) of the training rows held out as the test set (seeded shuffle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_fraction: Option<f64>,
    /// Target column by header name (default: the last column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Whether the first row is a header (default true).
    #[serde(default = "yes")]
    pub header: bool,
    /// Seed of the split shuffle (the run's seed offset is added with `--vary-data`).
    #[serde(default)]
    pub seed: u64,
    /// Where the Jacobian-rank points come from ([`RankSource`]; default: the test inputs).
    #[serde(default, skip_serializing_if = "RankSource::is_default")]
    pub rank_points: RankSource,
    /// The points file of `rank_points = "file"` (the feature columns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_points_file: Option<PathBuf>,
}

fn yes() -> bool {
    true
}

/// A data-file error: file, row, column and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// The file.
    pub file: String,
    /// 1-based line of the file (the header is row 1), when the error is in a row.
    pub row: Option<usize>,
    /// Column name (or 1-based index), when the error is in a cell.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ": row {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DataError {}

impl DataError {
    /// The error constructor of one file: `(row, column, message)` → an error naming `path`.
    pub fn in_file(path: &Path) -> impl Fn(Option<usize>, Option<String>, String) -> DataError {
        let file = path.display().to_string();
        move |row, column, message| DataError { file: file.clone(), row, column, message }
    }
}

/// A numeric table read from a file: column names and row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericTable {
    /// Column names (`"1"`, `"2"`, … without a header).
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<f64>>,
}

impl NumericTable {
    /// Reads a data file by its extension: `.npy` as a NumPy array ([`super::npy`]), anything
    /// else as CSV (`header` applies to CSV only).
    pub fn read(path: &Path, header: bool) -> Result<Self, DataError> {
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy")) {
            super::npy::read(path)
        } else {
            Self::read_csv(path, header)
        }
    }

    /// Reads a CSV file whose every cell is a finite number.
    pub fn read_csv(path: &Path, header: bool) -> Result<Self, DataError> {
        let err = DataError::in_file(path);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(header)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| err(None, None, format!("cannot read: {e}")))?;
        let mut columns: Vec<String> = if header {
            let h = reader.headers().map_err(|e| err(Some(1), None, e.to_string()))?;
            h.iter().map(str::to_string).collect()
        } else {
            Vec::new()
        };
        let first = usize::from(header) + 1;
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec.map_err(|e| err(e.position().map(|p| p.line() as usize), None, e.to_string()))?;
            let line = rec.position().map_or(first + i, |p| p.line() as usize);
            if columns.is_empty() {
                columns = (1..=rec.len()).map(|c| c.to_string()).collect();
            }
            if rec.len() != columns.len() {
                return Err(err(Some(line), None, format!("has {} columns, expected {}", rec.len(), columns.len())));
            }
            let row = rec
                .iter()
                .zip(&columns)
                .map(|(cell, name)| match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    Ok(v) => Err(err(Some(line), Some(format!("{name:?}")), format!("{v} is not finite"))),
                    Err(_) => {
                        Err(err(Some(line), Some(format!("{name:?}")), format!("cannot parse {cell:?} as a number")))
                    }
                })
                .collect::<Result<Vec<f64>, _>>()?;
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(err(None, None, "no data rows".into()));
        }
        if columns.len() < 2 {
            return Err(err(None, None, format!("needs ≥ 2 columns (features and a target), got {}", columns.len())));
        }
        Ok(Self { columns, rows })
    }

    /// Splits into inputs X and targets y, the target being column `target` (default: last).
    fn split_target(&self, target: Option<&str>, file: &Path) -> Result<(Points, Vec<f64>), DataError> {
        let t = match target {
            None => self.columns.len() - 1,
            Some(name) => self.columns.iter().position(|c| c == name).ok_or_else(|| DataError {
                file: file.display().to_string(),
                row: Some(1),
                column: Some(format!("{name:?}")),
                message: format!("no such target column; columns: {}", self.columns.join(", ")),
            })?,
        };
        let d = self.columns.len() - 1;
        let mut x = Vec::with_capacity(self.rows.len() * d);
        let mut y = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            x.extend(row.iter().enumerate().filter(|&(j, _)| j != t).map(|(_, v)| *v));
            y.push(row[t]);
        }
        Ok((Points::new(x, d), y))
    }
}

/// The tables read last (train and test), kept so that the datasets of several seeds
/// (`--vary-data`) read each file once: a file is read again only when its path, `header`,
/// length or modification time changed.
static LAST_READ: std::sync::Mutex<Vec<(TableKey, std::sync::Arc<NumericTable>)>> = std::sync::Mutex::new(Vec::new());

/// The files read from disk by [`FileData::load`] (tests only).
#[cfg(test)]
static FILE_READS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

type TableKey = (PathBuf, bool, u64, Option<std::time::SystemTime>);

/// [`NumericTable::read`], reusing the table of the previous call for the same unchanged file.
fn read_once(path: &Path, header: bool) -> Result<NumericTable, DataError> {
    let meta = std::fs::metadata(path).ok();
    let key: TableKey =
        (path.to_path_buf(), header, meta.as_ref().map_or(0, |m| m.len()), meta.and_then(|m| m.modified().ok()));
    let mut last = LAST_READ.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, t)) = last.iter().find(|(k, _)| *k == key) {
        return Ok((**t).clone());
    }
    #[cfg(test)]
    FILE_READS.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_path_buf());
    let table = NumericTable::read(path, header)?;
    // At most two tables (a training and a test file) are kept.
    if last.len() >= 2 {
        last.remove(0);
    }
    last.push((key, std::sync::Arc::new(table.clone())));
    Ok(table)
}

/// Peak memory of loading a table, per number (the row's `Vec<f64>`, the feature matrix and
/// targets, the train/test split's copies). Measured: peak resident set of `largestep run` on
/// CSV files of 3·10⁶ numbers (600 000 rows × 5 columns and 150 000 rows × 20, one- and
/// 19-character numbers), minus the binary's own 10.7 MB, fitted as
/// `MEMORY_PER_NUMBER·numbers + MEMORY_PER_ROW·rows` (31.9 and 97 bytes; both files within 1 %).
pub const MEMORY_PER_NUMBER: f64 = 32.0;

/// Peak memory of loading a table, per row (the row's allocation and its bookkeeping); see
/// [`MEMORY_PER_NUMBER`].
pub const MEMORY_PER_ROW: f64 = 97.0;

/// Estimated numbers and rows of a data file of `bytes` bytes: a `.npy` file holds 8 bytes a
/// number (rows bounded by two columns a row); a CSV file's first MiB is sampled for its
/// lines and fields and extrapolated to the whole size (one-character numbers cost 25.6 bytes
/// of memory per file byte, 19-character ones 2.6: no constant per byte fits both).
fn counts(path: &Path, bytes: f64) -> (f64, f64) {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy")) {
        return (bytes / 8.0, bytes / 16.0);
    }
    use std::io::Read;
    let mut sample = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(1 << 20).read_to_end(&mut sample));
    if read.is_err() || sample.is_empty() {
        // Unreadable: reported when loaded. Worst case otherwise: "1," per number.
        return (bytes / 2.0, bytes / 4.0);
    }
    let lines = sample.iter().filter(|&&b| b == b'\n').count().max(1) as f64;
    let fields = lines + sample.iter().filter(|&&b| b == b',').count() as f64;
    let scale = bytes / sample.len() as f64;
    (fields * scale, lines * scale)
}

/// Estimated peak memory (bytes) of loading the files of `spec` (0 for a missing file: that is
/// reported when it is loaded); see [`MEMORY_PER_NUMBER`].
pub fn load_memory(spec: &FileData) -> f64 {
    std::iter::once(&spec.train)
        .chain(spec.test.as_ref())
        .map(|p| {
            let bytes = std::fs::metadata(p).map_or(0.0, |m| m.len() as f64);
            let npy = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
            let (numbers, rows) = counts(p, bytes);
            // A .npy file is also read whole before it is parsed.
            MEMORY_PER_NUMBER * numbers + MEMORY_PER_ROW * rows + if npy { bytes } else { 0.0 }
        })
        .sum()
}

impl FileData {
    /// Checks the fields that need no file: the split fraction and its exclusivity with `test`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        match (self.rank_points, &self.rank_points_file) {
            (RankSource::File, None) => {
                return Err(("rank_points_file".into(), "is required with rank_points = \"file\"".into()))
            }
            (source, Some(_)) if source != RankSource::File => {
                return Err(("rank_points_file".into(), "needs rank_points = \"file\"".into()))
            }
            _ => {}
        }
        match (self.test.is_some(), self.test_fraction) {
            (true, Some(_)) => Err(("test_fraction".into(), "give either `test` or `test_fraction`, not both".into())),
            (_, Some(f)) if !(f > 0.0 && f < 1.0) => {
                Err(("test_fraction".into(), format!("must be in (0, 1), got {f}")))
            }
            _ => Ok(()),
        }
    }

    /// Makes relative paths relative to `base` (the config file's folder).
    pub fn resolve(&mut self, base: &Path) {
        for p in std::iter::once(&mut self.train).chain(self.test.as_mut()).chain(self.rank_points_file.as_mut()) {
            if p.is_relative() {
                let joined = base.join(&*p);
                *p = std::fs::canonicalize(&joined).unwrap_or(joined);
            }
        }
    }

    /// Loads the dataset; `rng` shuffles the rows for `test_fraction`; the Jacobian rank is
    /// evaluated on `rank_points` points from the source [`FileData::rank_points`] (the first
    /// test inputs by default, all of them if there are fewer; [`super::rank_points`]).
    ///
    /// ```
    /// use largestep::data::csv::FileData;
    /// use largestep::rng::ChaChaSource;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let train = dir.path().join("train.csv");
    /// std::fs::write(&train, "x1,x2,y\n1,0,2\n0,1,-1\n1,1,1\n2,0,4\n")?;
    /// let spec: FileData = toml::from_str(&format!("train = {:?}\ntest_fraction = 0.25", train))?;
    /// let data = spec.load(&mut ChaChaSource::new(0), 0)?;
    /// assert_eq!((data.len(), data.y_test.len(), data.x.dim()), (3, 1, 2));
    ///
    /// // A bad cell: the error names the file, the row and the column.
    /// std::fs::write(&train, "x1,x2,y\n1,0,2\n0,oops,-1\n")?;
    /// let err = spec.load(&mut ChaChaSource::new(0), 0).unwrap_err().to_string();
    /// assert!(err.contains("train.csv: row 3, column \"x2\""), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(&self, rng: &mut dyn RandomSource, rank_points: usize) -> Result<Dataset, DataError> {
        let table = read_once(&self.train, self.header)?;
        self.dataset(table, rng, rank_points, |p| read_once(p, self.header))
    }

    /// The dataset of an already-read training table; `read` reads the test file.
    pub(crate) fn dataset(
        &self,
        table: NumericTable,
        rng: &mut dyn RandomSource,
        rank_points: usize,
        read: impl Fn(&Path) -> Result<NumericTable, DataError>,
    ) -> Result<Dataset, DataError> {
        let target = self.target.as_deref();
        let (x, y, x_test, y_test) = match (&self.test, self.test_fraction) {
            (Some(test), _) => {
                let t = read(test)?;
                if t.columns.len() != table.columns.len() || (self.header && t.columns != table.columns) {
                    return Err(DataError {
                        file: test.display().to_string(),
                        row: Some(1),
                        column: None,
                        message: format!(
                            "columns [{}] differ from the training file's [{}]",
                            t.columns.join(", "),
                            table.columns.join(", ")
                        ),
                    });
                }
                let (x, y) = table.split_target(target, &self.train)?;
                let (xt, yt) = t.split_target(target, test)?;
                (x, y, xt, yt)
            }
            (None, Some(f)) => {
                let n = table.rows.len();
                let n_test = ((f * n as f64).ceil() as usize).max(1);
                if n_test >= n {
                    return Err(DataError {
                        file: self.train.display().to_string(),
                        row: None,
                        column: None,
                        message: format!("{n} rows leave no training row with test_fraction = {f}"),
                    });
                }
                // Fisher–Yates: for i = n−1 … 1, swap i with a uniform index in [0, i].
                let mut order: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    order.swap(i, rng.index(i + 1));
                }
                let pick = |idx: &[usize]| NumericTable {
                    columns: table.columns.clone(),
                    rows: idx.iter().map(|&i| table.rows[i].clone()).collect(),
                };
                let (x, y) = pick(&order[..n - n_test]).split_target(target, &self.train)?;
                let (xt, yt) = pick(&order[n - n_test..]).split_target(target, &self.train)?;
                (x, y, xt, yt)
            }
            (None, None) => {
                let (x, y) = table.split_target(target, &self.train)?;
                (x.clone(), y.clone(), x, y)
            }
        };
        let rank_points = match (rank_points, self.rank_points) {
            (0, _) => None,
            (k, RankSource::Test) => Some(x_test.head(k)),
            (k, RankSource::Train) => Some(x.head(k)),
            (k, RankSource::Gaussian) => Some(gaussian_matched(&x, k, rng)),
            (k, RankSource::File) => Some(self.points_file(k, x.dim(), &read)?),
        };
        Ok(Dataset { x, y, x_test, y_test, rank_points, truth: None })
    }

    /// The first `k` rows of `rank_points_file`, which must hold `d` columns (the features).
    fn points_file(
        &self,
        k: usize,
        d: usize,
        read: &impl Fn(&Path) -> Result<NumericTable, DataError>,
    ) -> Result<Points, DataError> {
        let path = self.rank_points_file.as_deref().unwrap_or(Path::new(""));
        let t = read(path)?;
        if t.columns.len() != d || t.rows.is_empty() {
            return Err(DataError {
                file: path.display().to_string(),
                row: None,
                column: None,
                message: format!(
                    "data.rank_points_file: needs ≥ 1 row of d = {d} columns (the feature columns), got {} rows of {}",
                    t.rows.len(),
                    t.columns.len()
                ),
            });
        }
        Ok(Points::new(t.rows.iter().take(k).flatten().copied().collect(), d))
    }

    /// Number of feature columns (reads the training file's first row, or a `.npy` file whole).
    pub fn dim(&self) -> Option<usize> {
        if self.train.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy")) {
            return super::npy::read(&self.train).ok().map(|t| t.columns.len() - 1);
        }
        let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(&self.train).ok()?;
        let first = r.records().next()?.ok()?;
        Some(first.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::ChaChaSource;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    fn spec(train: &Path) -> FileData {
        FileData {
            train: train.into(),
            test: None,
            test_fraction: None,
            target: None,
            header: true,
            seed: 0,
            rank_points: RankSource::Test,
            rank_points_file: None,
        }
    }

    #[test]
    fn reads_features_and_target() {
        let f = file("a,y,b\n1,10,2\n3,30,4\n");
        let mut s = spec(f.path());
        s.target = Some("y".into());
        let d = s.load(&mut ChaChaSource::new(0), 1).unwrap();
        assert_eq!(d.x.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(d.y, vec![10.0, 30.0]);
        assert_eq!(d.x_test.as_slice(), d.x.as_slice());
        assert_eq!(d.rank_points.as_ref().map(Points::len), Some(1));
    }

    /// `--vary-data` builds one dataset per seed: the file is read from disk once; a changed
    /// file is read again.
    #[test]
    fn the_datasets_of_several_seeds_read_the_file_once() {
        let f = file("x,y\n1,2\n3,4\n5,6\n7,8\n");
        let mut s = spec(f.path());
        s.test_fraction = Some(0.25);
        let reads = || FILE_READS.lock().unwrap().iter().filter(|p| p.as_path() == f.path()).count();
        let a: Vec<_> = (0..4).map(|seed| s.load(&mut ChaChaSource::new(seed), 0).unwrap()).collect();
        assert_eq!(reads(), 1, "the file was read once per seed");
        assert!((1..4).any(|k| a[0].x_test.as_slice() != a[k].x_test.as_slice()), "the seeds still split differently");
        std::fs::write(f.path(), "x,y\n1,20\n3,40\n5,60\n7,80\n9,100\n").unwrap();
        let b = s.load(&mut ChaChaSource::new(0), 0).unwrap();
        assert!(b.y.iter().chain(&b.y_test).any(|&y| y >= 20.0), "the changed file was not read again");
        assert_eq!(reads(), 2);
    }

    /// The load-time estimate follows what a file holds, not only its size: rows of five
    /// one-digit numbers and rows of five 19-character numbers are both estimated at the peak
    /// measured for them (154 MB per 600 000 rows: 25.6 and 2.6 bytes per file byte), within 5 %.
    #[test]
    fn the_memory_estimate_matches_the_measured_peaks() {
        for (rows, long, measured) in [(60_000usize, false, 15.4e6), (60_000, true, 15.4e6)] {
            let mut text = String::from("a,b,c,d,y\n");
            for i in 0..rows {
                let v = if long { format!("0.{:017}", i * 7919) } else { (i % 10).to_string() };
                text += &format!("{v},{v},{v},{v},{v}\n");
            }
            let f = file(&text);
            let est = load_memory(&spec(f.path()));
            assert!((est / measured - 1.0).abs() < 0.05, "{} bytes: estimated {est}, measured {measured}", text.len());
        }
    }

    #[test]
    fn split_is_a_seeded_partition() {
        let text: String =
            std::iter::once("x,y\n".to_string()).chain((0..20).map(|i| format!("{i},{}\n", 2 * i))).collect();
        let f = file(&text);
        let mut s = spec(f.path());
        s.test_fraction = Some(0.25);
        let a = s.load(&mut ChaChaSource::new(3), 0).unwrap();
        let b = s.load(&mut ChaChaSource::new(3), 0).unwrap();
        assert_eq!((a.len(), a.y_test.len()), (15, 5));
        assert_eq!(a.x_test.as_slice(), b.x_test.as_slice());
        let mut all: Vec<f64> = a.x.as_slice().iter().chain(a.x_test.as_slice()).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..20).map(f64::from).collect::<Vec<_>>());
        assert!(a.y.iter().zip(a.x.as_slice()).all(|(y, x)| *y == 2.0 * x));
    }
}
