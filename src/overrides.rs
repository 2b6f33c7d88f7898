//! Overrides of config fields by dotted key: `--set KEY=VALUE` on the command line, `--vary
//! KEY=V1,V2,…` in sweeps, and tests that edit a parsed config instead of its TOML text.
//!
//! A key is a dotted path into the TOML document: `data.d`, `training.batch`,
//! `runs.*.schedule.step` (every `[[runs]]` entry), `runs[2].schedule.step` (entry 2, 0-based), or
//! `runs.NAME.schedule.step` (the entry whose `name` is NAME). A value is parsed as a TOML value
//! (`300`, `0.27`, `true`, `"text"`, `[1, 2]`); anything that does not parse as one is taken as a
//! bare string (`--set rng=chacha`). The document is edited before it is deserialized and
//! validated, so an override is checked exactly like the file: a wrong key is rejected as an
//! unknown field, a wrong value by the field's range check.
//!
//! Only existing tables are descended into; the last segment may create a key (so an optional
//! field that the file omits can be set), and deserialization rejects keys the config does not
//! know.

use std::fmt;

/// An override that cannot be applied: names the key and says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideError {
    /// The override as given (`KEY=VALUE`).
    pub spec: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for OverrideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "override `{}`: {}", self.spec, self.message)
    }
}

impl std::error::Error for OverrideError {}

/// One segment of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// A table key.
    Key(String),
    /// Every element of an array.
    All,
    /// Element `i` of an array.
    Index(usize),
}

/// Splits `KEY=VALUE` into the key and the parsed value.
pub fn split(spec: &str) -> Result<(String, toml::Value), OverrideError> {
    let err = |m: &str| OverrideError { spec: spec.into(), message: m.into() };
    let (key, value) = spec.split_once('=').ok_or_else(|| err("expected KEY=VALUE, e.g. data.d=300"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(err("empty key"));
    }
    Ok((key.to_string(), parse_value(value.trim())))
}

/// Parses a value as a TOML value, or else as a bare string.
pub fn parse_value(text: &str) -> toml::Value {
    let wrapped = format!("v = {text}");
    match toml::from_str::<toml::Table>(&wrapped) {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| toml::Value::String(text.into())),
        Err(_) => toml::Value::String(text.into()),
    }
}

/// Parses a key path: `a.b`, `runs.*.x`, `runs[2].x`, `runs.NAME.x`.
fn segments(key: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    for part in key.split('.') {
        if part.is_empty() {
            return Err("empty segment in the key".into());
        }
        if part == "*" {
            out.push(Segment::All);
            continue;
        }
        match part.split_once('[') {
            Some((name, rest)) => {
                let idx = rest.strip_suffix(']').ok_or("unclosed `[` in the key")?;
                let i: usize = idx.parse().map_err(|_| format!("index `{idx}` is not a non-negative integer"))?;
                if !name.is_empty() {
                    out.push(Segment::Key(name.into()));
                }
                out.push(Segment::Index(i));
            }
            None => out.push(Segment::Key(part.into())),
        }
    }
    Ok(out)
}

/// Sets `key` to `value` in `doc`. Returns how many places were set (≥ 1).
pub fn set(doc: &mut toml::Table, key: &str, value: &toml::Value) -> Result<usize, String> {
    let segs = segments(key)?;
    let (last, path) = segs.split_last().ok_or("empty key")?;
    let Segment::Key(last) = last else { return Err("a key must end with a field name".into()) };
    let mut root = toml::Value::Table(std::mem::take(doc));
    let result = set_in(&mut root, &segs, path, last, value);
    if let toml::Value::Table(t) = root {
        *doc = t;
    }
    result
}

/// Walks `path` from `root` (fanning out over `*`), then sets `last` in every table reached.
fn set_in(
    root: &mut toml::Value,
    segs: &[Segment],
    path: &[Segment],
    last: &str,
    value: &toml::Value,
) -> Result<usize, String> {
    let mut targets: Vec<&mut toml::Value> = vec![root];
    for (depth, seg) in path.iter().enumerate() {
        let mut next = Vec::new();
        for t in targets {
            match (seg, t) {
                (Segment::Key(k), toml::Value::Table(tab)) => {
                    next.push(tab.get_mut(k).ok_or_else(|| format!("unknown field `{}`", prefix(segs, depth + 1)))?);
                }
                (Segment::Key(k), toml::Value::Array(arr)) => {
                    // `runs.NAME`: the element whose `name` is NAME.
                    let found = arr
                        .iter_mut()
                        .find(|e| e.get("name").and_then(|n| n.as_str()) == Some(k.as_str()))
                        .ok_or_else(|| format!("no entry named `{k}` in `{}`", prefix(segs, depth)))?;
                    next.push(found);
                }
                (Segment::All, toml::Value::Array(arr)) => next.extend(arr.iter_mut()),
                (Segment::Index(i), toml::Value::Array(arr)) => {
                    let n = arr.len();
                    next.push(arr.get_mut(*i).ok_or_else(|| {
                        format!("index {i} out of range: `{}` has {n} entries (0..{n})", prefix(segs, depth))
                    })?);
                }
                (_, _) => return Err(format!("`{}` is not an array of tables", prefix(segs, depth))),
            }
        }
        targets = next;
    }
    let mut count = 0;
    for t in targets {
        let tab = t.as_table_mut().ok_or_else(|| format!("`{}` is not a table", prefix(segs, path.len())))?;
        tab.insert(last.to_string(), value.clone());
        count += 1;
    }
    if count == 0 {
        return Err(format!("`{}` matched no entries", prefix(segs, path.len())));
    }
    Ok(count)
}

/// The key path up to (excluding) segment `depth`, for messages.
fn prefix(segs: &[Segment], depth: usize) -> String {
    let mut s = String::new();
    for seg in &segs[..depth.min(segs.len())] {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Segment::All => s.push_str(".*"),
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Applies `KEY=VALUE` overrides to TOML text; returns the edited text (re-serialized).
pub fn apply_to_text(text: &str, specs: &[String]) -> Result<String, OverrideError> {
    if specs.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: toml::Table = toml::from_str(text).map_err(|e| OverrideError {
        spec: String::new(),
        message: format!("config does not parse: {}", e.message()),
    })?;
    for spec in specs {
        let (key, value) = split(spec)?;
        set(&mut doc, &key, &value).map_err(|message| OverrideError { spec: spec.clone(), message })?;
    }
    toml::to_string(&doc).map_err(|e| OverrideError { spec: String::new(), message: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
name = "x"
[data]
kind = "sparse_regression"
d = 200
[[runs]]
name = "a"
schedule = { kind = "constant", step = 0.1 }
[[runs]]
name = "b"
schedule = { kind = "constant", step = 0.2 }
"#;

    fn doc() -> toml::Table {
        toml::from_str(DOC).unwrap()
    }

    #[test]
    fn sets_nested_wildcard_index_and_named_entries() {
        let mut d = doc();
        assert_eq!(set(&mut d, "data.d", &parse_value("300")), Ok(1));
        assert_eq!(d["data"]["d"].as_integer(), Some(300));
        assert_eq!(set(&mut d, "runs.*.schedule.step", &parse_value("0.27")), Ok(2));
        assert_eq!(d["runs"][1]["schedule"]["step"].as_float(), Some(0.27));
        assert_eq!(set(&mut d, "runs[0].schedule.step", &parse_value("0.5")), Ok(1));
        assert_eq!(d["runs"][0]["schedule"]["step"].as_float(), Some(0.5));
        assert_eq!(set(&mut d, "runs.b.label", &parse_value("bee")), Ok(1));
        assert_eq!(d["runs"][1]["label"].as_str(), Some("bee"));
        assert_eq!(set(&mut d, "rng", &parse_value("chacha")), Ok(1));
        assert_eq!(d["rng"].as_str(), Some("chacha"));
    }

    #[test]
    fn errors_name_the_key() {
        let mut d = doc();
        let e = set(&mut d, "dta.d", &parse_value("1")).unwrap_err();
        assert!(e.contains("`dta`"), "{e}");
        let e = set(&mut d, "data.x.y", &parse_value("1")).unwrap_err();
        assert!(e.contains("`data.x`"), "{e}");
        let e = set(&mut d, "runs[5].schedule.step", &parse_value("1")).unwrap_err();
        assert!(e.contains("index 5") && e.contains("runs"), "{e}");
        let e = set(&mut d, "runs.zz.schedule.step", &parse_value("1")).unwrap_err();
        assert!(e.contains("`zz`"), "{e}");
        let e = split("data.d").unwrap_err();
        assert!(e.to_string().contains("KEY=VALUE"), "{e}");
    }
}
