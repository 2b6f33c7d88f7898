//! The sweep grid: axes given as `--vary KEYS=VALUES`, their Cartesian product of cells, and the
//! deterministic split of the cells into shards.
//!
//! Syntax of one axis (the keys are [`crate::overrides`] keys, as for `--set`):
//!
//! * `KEY=V1,V2,…` — the listed values (TOML values: `0.27`, `300`, `true`, `"text"`);
//! * `KEY=START:STOP:COUNT` — COUNT evenly spaced values from START to STOP inclusive
//!   (numpy's `linspace`), printed with 12 significant digits;
//! * `KEY1+KEY2+…=VALUES` — several keys set to the same value together (one axis), e.g. the
//!   large step of the three decayed runs of Fig. 2:
//!   `runs.decay10.schedule.step+runs.decay30.schedule.step+runs.decay50.schedule.step=0.25:0.29:9`.
//!
//! Cells are numbered row-major (the last axis varies fastest). Shard I of N holds the cells with
//! index ≡ I (mod N), so every shard gets an even share whatever the grid's shape.

use anyhow::{bail, Result};

/// The most cells a grid may have.
pub const MAX_CELLS: usize = 100_000;

/// One axis of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The axis as written (`KEY1+KEY2`), used as its column name.
    pub name: String,
    /// The override keys the axis sets.
    pub keys: Vec<String>,
    /// The values, as TOML value text.
    pub values: Vec<String>,
}

impl Axis {
    /// Parses `KEYS=VALUES` (module doc). Errors are one line naming the axis.
    pub fn parse(spec: &str) -> Result<Self> {
        let Some((name, values)) = spec.split_once('=') else {
            bail!("--vary `{spec}`: expected KEY=V1,V2,… or KEY=START:STOP:COUNT");
        };
        let name = name.trim().to_string();
        let keys: Vec<String> = name.split('+').map(|k| k.trim().to_string()).collect();
        if keys.iter().any(|k| k.is_empty()) {
            bail!("--vary `{spec}`: empty key");
        }
        let values = values.trim();
        let values = if values.contains(':') && !values.starts_with(['"', '[', '{']) {
            linspace(spec, values)?
        } else {
            let v = split_top_level(values);
            if v.iter().any(|x| x.is_empty()) {
                bail!("--vary `{spec}`: empty value in the list");
            }
            v
        };
        Ok(Self { name, keys, values })
    }

    /// The overrides `KEY=VALUE` of value `i`.
    pub fn overrides(&self, i: usize) -> Vec<String> {
        self.keys.iter().map(|k| format!("{k}={}", self.values[i])).collect()
    }
}

/// Splits a list on commas outside brackets and quotes: `[0.1, 0.5],[0.3]` → two values.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for ch in text.chars() {
        match ch {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_string());
    out
}

fn linspace(spec: &str, text: &str) -> Result<Vec<String>> {
    let parts: Vec<&str> = text.split(':').collect();
    let num = |s: &str| -> Result<f64> {
        match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => bail!("--vary `{spec}`: `{s}` is not a finite number (START:STOP:COUNT)"),
        }
    };
    if parts.len() != 3 {
        bail!("--vary `{spec}`: a range is START:STOP:COUNT");
    }
    let (a, b) = (num(parts[0])?, num(parts[1])?);
    let n: usize = match parts[2].trim().parse() {
        Ok(n) if (1..=10_000).contains(&n) => n,
        _ => bail!("--vary `{spec}`: COUNT must be an integer in 1..=10000, got `{}`", parts[2]),
    };
    Ok((0..n)
        .map(|i| {
            let v = if n == 1 { a } else { a + (b - a) * i as f64 / (n - 1) as f64 };
            // 12 significant digits: 0.25 + 0.005·3 prints as 0.265, not 0.26500000000000001.
            let v: f64 = format!("{v:.11e}").parse().unwrap_or(v);
            let s = format!("{v}");
            if s.contains(['.', 'e', 'i', 'N']) {
                s
            } else {
                format!("{s}.0")
            }
        })
        .collect())
}

/// The grid: the axes and their cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    /// The axes, slowest first.
    pub axes: Vec<Axis>,
}

impl Grid {
    /// Parses every `--vary` spec; an axis name given twice is an error.
    pub fn parse(specs: &[String]) -> Result<Self> {
        Self::new(specs.iter().map(|s| Axis::parse(s)).collect::<Result<_>>()?)
    }

    /// The grid of `axes`, checked: no key on two axes, no axis without values, and at most
    /// [`MAX_CELLS`] cells (the product computed with checked arithmetic, so a product that
    /// overflows `usize` is an error, never a wrapped count).
    pub fn new(axes: Vec<Axis>) -> Result<Self> {
        for (i, a) in axes.iter().enumerate() {
            if let Some(k) = a.keys.iter().find(|k| axes[..i].iter().any(|b| b.keys.contains(k))) {
                bail!("--vary: key `{k}` is varied twice");
            }
            if a.values.is_empty() {
                bail!("--vary `{}`: the axis has no value", a.name);
            }
        }
        let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
        match axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len())) {
            Some(n) if n <= MAX_CELLS => Ok(Self { axes }),
            Some(n) => bail!("--vary: {} = {n} cells; at most {MAX_CELLS}", sizes.join(" × ")),
            None => bail!("--vary: {} cells overflow the cell count; at most {MAX_CELLS}", sizes.join(" × ")),
        }
    }

    /// Number of cells (1 when there is no axis). A grid built by [`Grid::new`] or
    /// [`Grid::parse`] never overflows; a hand-built one that does counts as 0 cells.
    pub fn len(&self) -> usize {
        self.axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len())).unwrap_or(0)
    }

    /// Whether the grid has no cell (never: an empty grid has one cell).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value index on each axis of cell `c` (row-major, last axis fastest).
    pub fn coords(&self, mut c: usize) -> Vec<usize> {
        let mut out = vec![0; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            out[i] = c % a.values.len();
            c /= a.values.len();
        }
        out
    }

    /// The axis values of cell `c`, as TOML value text.
    pub fn values(&self, c: usize) -> Vec<String> {
        self.coords(c).iter().zip(&self.axes).map(|(&i, a)| a.values[i].clone()).collect()
    }

    /// The overrides that make cell `c` from the base config.
    pub fn overrides(&self, c: usize) -> Vec<String> {
        self.coords(c).iter().zip(&self.axes).flat_map(|(&i, a)| a.overrides(i)).collect()
    }
}

/// Shard `index` of `count`: the cells with index ≡ `index` (mod `count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// I, 0-based.
    pub index: usize,
    /// N ≥ 1.
    pub count: usize,
}

impl Shard {
    /// The whole grid.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N` with 0 ≤ I < N.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || anyhow::anyhow!("--shard `{text}`: expected I/N with 0 ≤ I < N ≤ 10000 (e.g. 0/4)");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) =
            (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        Self::new(index, count).map_err(|_| bad())
    }

    /// Shard `index` of `count`, checked: 0 ≤ index < count ≤ 10000.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        if count == 0 || index >= count || count > 10_000 {
            bail!("shard [{index}, {count}]: expected I/N with 0 ≤ I < N ≤ 10000");
        }
        Ok(Self { index, count })
    }

    /// The cells of this shard among `total` (none for a shard with `count` 0).
    pub fn cells(&self, total: usize) -> Vec<usize> {
        if self.count == 0 {
            return Vec::new();
        }
        (self.index..total).step_by(self.count).collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
