//! `KEY=VALUE` overrides applied to a config's TOML text ([`crate::overrides`]), with the rule
//! for the run length's two spellings.

use super::ConfigError;

/// Applies `KEY=VALUE` overrides ([`crate::overrides`]) to TOML text; an error names `file` and
/// the overridden key. Shared by every config type that takes `--set`.
///
/// The run length has two spellings, `training.iterations` and `training.iterations_log10`, and a
/// config gives one: overriding one of them replaces the other (giving both stays a conflict),
/// and drops a `quick_iterations` of the file above the new N.
pub fn apply_overrides(text: &str, file: &str, overrides: &[String]) -> Result<String, ConfigError> {
    let fail = |e: crate::overrides::OverrideError| ConfigError {
        file: file.into(),
        field: e.spec.split('=').next().unwrap_or("").trim().to_string(),
        message: e.message,
    };
    let text = crate::overrides::apply_to_text(text, overrides).map_err(fail)?;
    let set = |key: &str| overrides.iter().any(|o| o.split('=').next().map(str::trim) == Some(key));
    let replaced = match (set("training.iterations"), set("training.iterations_log10")) {
        (true, false) => "iterations_log10",
        (false, true) => "iterations",
        _ => return Ok(text),
    };
    let mut doc: toml::Table = toml::from_str(&text).map_err(|e| ConfigError {
        file: file.into(),
        field: "-".into(),
        message: e.message().to_string(),
    })?;
    if let Some(toml::Value::Table(t)) = doc.get_mut("training") {
        t.remove(replaced);
        // A `quick_iterations` of the file that no longer fits the new N gives way to its
        // default N/10 (unless it is overridden too, then it is checked like the file).
        let n = match (t.get("iterations"), t.get("iterations_log10")) {
            (Some(toml::Value::Integer(n)), _) => Some(*n as f64),
            (_, Some(toml::Value::Float(p))) => Some(10f64.powf(*p).floor() + 1.0),
            (_, Some(toml::Value::Integer(p))) => Some(10f64.powf(*p as f64).floor() + 1.0),
            _ => None,
        };
        let quick = t.get("quick_iterations").and_then(toml::Value::as_integer);
        if let (Some(n), Some(q), false) = (n, quick, set("training.quick_iterations")) {
            if q as f64 > n {
                t.remove("quick_iterations");
            }
        }
    }
    toml::to_string(&doc).map_err(|e| ConfigError { file: file.into(), field: "-".into(), message: e.to_string() })
}
