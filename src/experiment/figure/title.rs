//! Figure titles that follow the effective configuration: a config's title states its data
//! sizes (`(n = 80, d = 200, r = 20)`); after `--set data.d=300` the figure says d = 300.

use crate::config::ExperimentConfig;

/// `cfg.title` with every `key = number` whose key is a numeric field of `[data]` rewritten to
/// that field's value in `cfg` (other text unchanged).
///
/// ```
/// use largestep::experiment::{figure::title::effective, registry};
///
/// let cfg = registry::get_with_overrides("fig2", &["data.d=300".into()]).unwrap()?;
/// assert_eq!(effective(&cfg), "Fig. 2: diagonal linear net, SGD (n = 80, d = 300, r = 20)");
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn effective(cfg: &ExperimentConfig) -> String {
    let data = toml::from_str::<toml::Table>(&cfg.to_toml()).ok().and_then(|t| t.get("data").cloned());
    let Some(toml::Value::Table(data)) = data else { return cfg.title.clone() };
    rewrite(&cfg.title, |key| match data.get(key)? {
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(crate::output::fmt_f64(*f)),
        _ => None,
    })
}

/// Rewrites the number after each `key = ` for which `value(key)` is `Some`.
fn rewrite(title: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = title;
    while let Some(at) = rest.find(" = ") {
        let (head, tail) = rest.split_at(at);
        let key_start = head.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        let key = &head[key_start..];
        let after = &tail[3..];
        let end =
            after.find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | '-' | '+'))).unwrap_or(after.len());
        out.push_str(head);
        out.push_str(" = ");
        match value(key) {
            Some(v) if end > 0 => out.push_str(&v),
            _ => out.push_str(&after[..end]),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_keys_followed_by_numbers_change() {
        let v = |k: &str| (k == "d" || k == "n").then(|| "7".to_string());
        assert_eq!(rewrite("Fig (n = 80, d = 200, r = 20)", v), "Fig (n = 7, d = 7, r = 20)");
        assert_eq!(rewrite("d = x, n = 3", v), "d = x, n = 7");
        assert_eq!(rewrite("no sizes", v), "no sizes");
        assert_eq!(rewrite("η = 0.1", v), "η = 0.1");
    }
}
