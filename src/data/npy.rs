//! NumPy `.npy` arrays as numeric tables (`[data] kind = "csv"` with a `.npy` file: the format
//! is chosen by the extension).
//!
//! The format (NumPy's `format.py`, versions 1.0–3.0): the magic `\x93NUMPY`, a major and minor
//! version byte, the header length (u16 little-endian for 1.0, u32 for 2.0 and 3.0), then an
//! ASCII Python dict `{'descr': '<f8', 'fortran_order': False, 'shape': (n, k), }` padded with
//! spaces to a multiple of 16 (64 in newer writers), then the n·k values. Supported: 2-D arrays of
//! little- or big-endian float64/float32/int64/int32 (`<f8`, `<f4`, `<i8`, `<i4`, `>` variants),
//! C or Fortran order. Row r of the array is a sample; columns are named `1`, `2`, … (1-based), so
//! `target = "3"` picks the third column. Every error names the file and, for a bad value, its
//! 1-based row and column.

use super::csv::{DataError, NumericTable};
use std::path::Path;

/// The element types read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem {
    F8,
    F4,
    I8,
    I4,
}

impl Elem {
    fn size(self) -> usize {
        match self {
            Elem::F8 | Elem::I8 => 8,
            Elem::F4 | Elem::I4 => 4,
        }
    }
    fn decode(self, b: &[u8], big: bool) -> f64 {
        macro_rules! read {
            ($t:ty, $n:literal) => {{
                let a: [u8; $n] = b.try_into().expect("element width");
                if big {
                    <$t>::from_be_bytes(a)
                } else {
                    <$t>::from_le_bytes(a)
                }
            }};
        }
        match self {
            Elem::F8 => read!(f64, 8),
            Elem::F4 => f64::from(read!(f32, 4)),
            Elem::I8 => read!(i64, 8) as f64,
            Elem::I4 => f64::from(read!(i32, 4)),
        }
    }
}

/// The parsed header: element type, byte order, memory order and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    elem: Elem,
    big_endian: bool,
    fortran: bool,
    shape: Vec<usize>,
}

/// The value of `'key':` in the header dict, up to the next top-level comma or brace.
fn field<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let start = dict.find(&format!("'{key}'"))? + key.len() + 2;
    let rest = dict[start..].trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') { rest.find(')')? + 1 } else { rest.find([',', '}'])? };
    Some(rest[..end].trim())
}

fn parse_header(dict: &str) -> Result<Header, String> {
    let descr = field(dict, "descr").ok_or("header has no 'descr'")?.trim_matches(['\'', '"']);
    // The first character, whatever its width (a non-ASCII one is an unsupported dtype below).
    let (order, code) = descr.split_at(descr.chars().next().map_or(0, char::len_utf8));
    let big_endian = match order {
        "<" | "|" | "=" => false,
        ">" => true,
        _ => return Err(format!("unsupported dtype {descr:?}")),
    };
    let elem = match code {
        "f8" => Elem::F8,
        "f4" => Elem::F4,
        "i8" => Elem::I8,
        "i4" => Elem::I4,
        _ => return Err(format!("unsupported dtype {descr:?} (float64, float32, int64 or int32)")),
    };
    let fortran = match field(dict, "fortran_order").ok_or("header has no 'fortran_order'")? {
        "True" => true,
        "False" => false,
        v => return Err(format!("bad fortran_order {v:?}")),
    };
    let shape_text = field(dict, "shape").ok_or("header has no 'shape'")?;
    let shape = shape_text
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|_| format!("bad shape {shape_text}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Header { elem, big_endian, fortran, shape })
}

/// Reads a 2-D `.npy` array (rows = samples) as a table with columns `1`, `2`, ….
pub fn read(path: &Path) -> Result<NumericTable, DataError> {
    let err = DataError::in_file(path);
    let bytes = std::fs::read(path).map_err(|e| err(None, None, format!("cannot read: {e}")))?;
    let body = bytes.strip_prefix(b"\x93NUMPY").ok_or_else(|| err(None, None, "not a .npy file (bad magic)".into()))?;
    let (len, rest) = match body {
        [1, _, a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        [2 | 3, _, a, b, c, d, rest @ ..] => (u32::from_le_bytes([*a, *b, *c, *d]) as usize, rest),
        _ => return Err(err(None, None, "unsupported .npy version".into())),
    };
    if rest.len() < len {
        return Err(err(None, None, "truncated header".into()));
    }
    let dict = std::str::from_utf8(&rest[..len]).map_err(|_| err(None, None, "header is not text".into()))?;
    let h = parse_header(dict).map_err(|m| err(None, None, m))?;
    let &[n, k] = h.shape.as_slice() else {
        return Err(err(None, None, format!("needs a 2-D array (samples × columns), got shape {:?}", h.shape)));
    };
    if n == 0 {
        return Err(err(None, None, "no data rows".into()));
    }
    if k < 2 {
        return Err(err(None, None, format!("needs ≥ 2 columns (features and a target), got {k}")));
    }
    let data = &rest[len..];
    let want = n.checked_mul(k).and_then(|c| c.checked_mul(h.elem.size()));
    if want != Some(data.len()) {
        return Err(err(
            None,
            None,
            format!("shape ({n}, {k}) needs {want:?} bytes of data, the file has {}", data.len()),
        ));
    }
    let at = |r: usize, c: usize| {
        let i = if h.fortran { c * n + r } else { r * k + c };
        h.elem.decode(&data[i * h.elem.size()..(i + 1) * h.elem.size()], h.big_endian)
    };
    let columns: Vec<String> = (1..=k).map(|c| c.to_string()).collect();
    let mut rows = Vec::with_capacity(n);
    for r in 0..n {
        let row: Vec<f64> = (0..k).map(|c| at(r, c)).collect();
        if let Some(c) = row.iter().position(|v| !v.is_finite()) {
            return Err(err(Some(r + 1), Some(format!("\"{}\"", c + 1)), format!("{} is not finite", row[c])));
        }
        rows.push(row);
    }
    Ok(NumericTable { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-1.0 file as `numpy.save` writes it.
    fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut dict = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + dict.len() + 1) % 64 != 0 {
            dict.push(' ');
        }
        dict.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((dict.len() as u16).to_le_bytes());
        out.extend(dict.as_bytes());
        out.extend(data);
        out
    }

    fn write(bytes: &[u8]) -> tempfile::NamedTempFile {
        let f = tempfile::Builder::new().suffix(".npy").tempfile().unwrap();
        std::fs::write(f.path(), bytes).unwrap();
        f
    }

    #[test]
    fn a_non_ascii_descr_is_an_error_not_a_panic() {
        for descr in ["é8", "<é", "€f8", "é"] {
            let f = write(&npy(descr, false, "(1, 2)", &[0; 16]));
            let e = read(f.path()).unwrap_err().to_string();
            assert!(e.contains("unsupported dtype"), "{descr}: {e}");
        }
    }

    #[test]
    fn reads_c_and_fortran_order_in_every_dtype() {
        let values = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2 × 3, row-major
        let c: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let t = read(write(&npy("<f8", false, "(2, 3)", &c)).path()).unwrap();
        assert_eq!(t.rows, vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]);
        assert_eq!(t.columns, ["1", "2", "3"]);
        let f: Vec<u8> = [0, 3, 1, 4, 2, 5].iter().flat_map(|&i| (values[i] as f32).to_le_bytes()).collect();
        assert_eq!(read(write(&npy("<f4", true, "(2, 3)", &f)).path()).unwrap().rows, t.rows);
        let i: Vec<u8> = values.iter().flat_map(|v| (*v as i64).to_be_bytes()).collect();
        assert_eq!(read(write(&npy(">i8", false, "(2, 3)", &i)).path()).unwrap().rows, t.rows);
        let i: Vec<u8> = values.iter().flat_map(|v| (*v as i32).to_le_bytes()).collect();
        assert_eq!(read(write(&npy("<i4", false, "(2, 3)", &i)).path()).unwrap().rows, t.rows);
    }

    #[test]
    fn errors_name_file_row_and_column() {
        let c: Vec<u8> = [1.0f64, f64::NAN, 3.0, 4.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let f = write(&npy("<f8", false, "(2, 2)", &c));
        let e = read(f.path()).unwrap_err().to_string();
        assert!(e.contains(".npy: row 1, column \"2\": NaN is not finite"), "{e}");
        for (bytes, needle) in [
            (npy("<f8", false, "(4,)", &[0; 32]), "2-D array"),
            (npy("<c16", false, "(1, 2)", &[0; 32]), "unsupported dtype"),
            (npy("<f8", false, "(2, 2)", &[0; 24]), "needs Some(32) bytes"),
            (b"PK\x03\x04".to_vec(), "bad magic"),
        ] {
            let e = read(write(&bytes).path()).unwrap_err().to_string();
            assert!(e.contains(needle) && e.contains(".npy"), "{e}");
        }
    }
}
