//! TOML error spans to dotted field names (best effort), for errors that name the field.

/// Inside a table (internally tagged enums report the table's header as the span), the start of the
/// line whose value the message quotes (`invalid type: string "x"`, `integer `5``, …).
fn value_line(text: &str, span: &std::ops::Range<usize>, message: &str) -> Option<usize> {
    let rest = message.strip_prefix("invalid type: ")?;
    let value = match rest.split_once('"') {
        Some((_, v)) if rest.starts_with("string") => format!("\"{}\"", v.split('"').next()?),
        _ => rest.split('`').nth(1)?.to_string(),
    };
    // The span is the table's header: search the table's body, up to the next header.
    let end = text[span.end.min(text.len())..].find("\n[").map_or(text.len(), |i| span.end + i);
    let body = text.get(span.start..end)?;
    let mut offset = span.start;
    for line in body.split_inclusive('\n') {
        if line.split_once('=').is_some_and(|(_, v)| v.trim().starts_with(&value)) {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The dotted key path of the TOML key or table at byte offset `pos` (best effort): the last
/// table header at or before `pos`, then the key on the line of `pos`, or else the key that the
/// parser's `message` names (`unknown field `x``); a top-level line with no key is named by its
/// number (`line 2`).
pub(super) fn field_at(text: &str, span: std::ops::Range<usize>, message: &str) -> String {
    let pos = value_line(text, &span, message).unwrap_or(span.start).min(text.len());
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let mut table = String::new();
    let mut arrays: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in text[..line_start].lines().map(str::trim).chain(std::iter::once(line)) {
        if l.starts_with("[[") {
            // `[[runs]]`: the k-th entry is `runs[k]`.
            let name = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            let k = arrays.entry(name.clone()).or_insert(0);
            table = format!("{name}[{k}]");
            *k += 1;
        } else if l.starts_with('[') {
            table = l.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
    }
    if let Some(missing) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        // The span of a missing field is its table (the whole document at the top level).
        let whole = span.start == 0 && span.end >= text.len();
        return match (!whole && line.starts_with('[') && span.start == line_start, table.is_empty()) {
            (true, false) => format!("{table}.{missing}"),
            _ => missing.to_string(),
        };
    }
    let key = if line.starts_with('[') || line.is_empty() {
        message.split('`').nth(1).filter(|_| message.contains("field `")).unwrap_or("").to_string()
    } else {
        line.split('=').next().unwrap_or("").trim().to_string()
    };
    match (table.is_empty(), key.is_empty()) {
        // No key on the line (a stray `= …`, a comment broken in two) at the top level: its line.
        (true, true) => format!("line {}", text[..line_start].lines().count() + 1),
        (true, false) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}
