//! Named tensors, read from a `model.safetensors` file (f32) or from git-zen's own compact file,
//! in which matrices are int8 with one f32 scale per row.
//!
//! The compact file is one header (a JSON directory) followed by the data, all little-endian:
//! `ZENEMB01`, the header's length as a u32, the header, then each tensor at its offset. An int8
//! tensor of `rows × cols` stores `rows` f32 scales, then `rows × cols` bytes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The first bytes of a compact model file.
pub const MAGIC: &[u8; 8] = b"ZENEMB01";

/// A row-major matrix, or a vector when it has one row. Int8 data borrows the file's bytes when
/// it can (the built-in model is read in place from the binary, never copied).
#[derive(Debug, Clone)]
pub enum Tensor<'a> {
    /// Plain floats.
    F32 {
        /// The size of each dimension.
        shape: Vec<usize>,
        /// The values, row-major.
        data: Vec<f32>,
    },
    /// Symmetric int8 per row: value = byte × scale of its row.
    Q8 {
        /// Number of rows.
        rows: usize,
        /// Values per row.
        cols: usize,
        /// One scale per row: the row's largest magnitude over 127.
        scales: Vec<f32>,
        /// The values, row-major, each byte an `i8`.
        data: Cow<'a, [u8]>,
    },
}

impl Tensor<'_> {
    /// The tensor's shape.
    pub fn shape(&self) -> Vec<usize> {
        match self {
            Tensor::F32 { shape, .. } => shape.clone(),
            Tensor::Q8 { rows, cols, .. } => vec![*rows, *cols],
        }
    }

    /// Every value as f32 (int8 rows are scaled back).
    pub fn to_f32(&self) -> Vec<f32> {
        match self {
            Tensor::F32 { data, .. } => data.clone(),
            Tensor::Q8 {
                cols, scales, data, ..
            } => {
                let mut out = Vec::with_capacity(data.len());
                for (row, scale) in data.chunks_exact(*cols).zip(scales) {
                    out.extend(row.iter().map(|&b| f32::from(b as i8) * scale));
                }
                out
            }
        }
    }

    /// One row as f32, without converting the rest (an embedding lookup).
    pub fn row(&self, index: usize, out: &mut [f32]) {
        match self {
            Tensor::F32 { data, .. } => {
                out.copy_from_slice(&data[index * out.len()..(index + 1) * out.len()]);
            }
            Tensor::Q8 {
                cols, scales, data, ..
            } => {
                let scale = scales[index];
                for (o, &b) in out.iter_mut().zip(&data[index * cols..(index + 1) * cols]) {
                    *o = f32::from(b as i8) * scale;
                }
            }
        }
    }

    /// This matrix in int8 with a scale per row (vectors and small tensors stay f32).
    pub fn quantized(&self) -> Tensor<'static> {
        match self {
            Tensor::F32 { shape, data } if shape.len() == 2 => {
                let (rows, cols) = (shape[0], shape[1]);
                let mut scales = Vec::with_capacity(rows);
                let mut bytes = Vec::with_capacity(data.len());
                for row in data.chunks_exact(cols) {
                    let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
                    let scale = if max == 0.0 { 1.0 } else { max / 127.0 };
                    scales.push(scale);
                    bytes.extend(
                        row.iter()
                            .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8 as u8),
                    );
                }
                Tensor::Q8 {
                    rows,
                    cols,
                    scales,
                    data: Cow::Owned(bytes),
                }
            }
            Tensor::F32 { shape, data } => Tensor::F32 {
                shape: shape.clone(),
                data: data.clone(),
            },
            Tensor::Q8 {
                rows,
                cols,
                scales,
                data,
            } => Tensor::Q8 {
                rows: *rows,
                cols: *cols,
                scales: scales.clone(),
                data: Cow::Owned(data.to_vec()),
            },
        }
    }
}

/// An entry of a file's directory: where a tensor's bytes are.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// Reads every f32 tensor of a safetensors file (others, like position ids, are skipped).
pub fn read_safetensors(bytes: &[u8]) -> Result<BTreeMap<String, Tensor<'static>>, String> {
    let (header, data) = split_header(bytes, 0, 8)?;
    let entries: BTreeMap<String, serde_json::Value> = serde_json::from_slice(header)
        .map_err(|e| format!("the safetensors header is not JSON: {e}"))?;
    let mut tensors = BTreeMap::new();
    for (name, value) in entries {
        if name == "__metadata__" {
            continue;
        }
        let entry: Entry =
            serde_json::from_value(value).map_err(|e| format!("tensor {name}: {e}"))?;
        if entry.dtype != "F32" {
            continue;
        }
        let bytes = slice(data, entry.data_offsets, &name)?;
        tensors.insert(
            name,
            Tensor::F32 {
                shape: entry.shape,
                data: floats(bytes),
            },
        );
    }
    Ok(tensors)
}

/// The directory of a compact file: the model's settings as JSON, and where each tensor is.
#[derive(Debug, Serialize, Deserialize)]
struct Directory<S> {
    settings: S,
    tensors: BTreeMap<String, Entry>,
}

/// Reads a compact model file: its settings (as `S`: fields `S` does not name are skipped
/// without being copied) and its tensors.
pub fn read_compact<S: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<(S, BTreeMap<String, Tensor<'_>>), String> {
    if bytes.get(..8) != Some(MAGIC) {
        return Err("not a git-zen model file (it does not start with ZENEMB01)".into());
    }
    let (header, data) = split_header(bytes, 8, 4)?;
    let directory: Directory<S> = serde_json::from_slice(header)
        .map_err(|e| format!("the model file's directory is not valid: {e}"))?;
    let mut tensors = BTreeMap::new();
    for (name, entry) in directory.tensors {
        let bytes = slice(data, entry.data_offsets, &name)?;
        let tensor = match (entry.dtype.as_str(), entry.shape.as_slice()) {
            ("F32", _) => Tensor::F32 {
                data: floats(bytes),
                shape: entry.shape,
            },
            ("Q8", &[rows, cols]) if bytes.len() == rows * 4 + rows * cols => {
                let (scales, values) = bytes.split_at(rows * 4);
                Tensor::Q8 {
                    rows,
                    cols,
                    scales: floats(scales),
                    data: Cow::Borrowed(values),
                }
            }
            (dtype, shape) => {
                return Err(format!(
                    "tensor {name}: cannot read {dtype} of shape {shape:?}"
                ));
            }
        };
        tensors.insert(name, tensor);
    }
    Ok((directory.settings, tensors))
}

/// Writes a compact model file from settings and tensors (the name order is the file's order,
/// so the same model always gives the same bytes).
pub fn write_compact(
    settings: &serde_json::Value,
    tensors: &BTreeMap<String, Tensor<'_>>,
) -> Vec<u8> {
    let mut data = Vec::new();
    let mut entries = BTreeMap::new();
    for (name, tensor) in tensors {
        let start = data.len();
        let dtype = match tensor {
            Tensor::F32 { data: values, .. } => {
                values
                    .iter()
                    .for_each(|v| data.extend_from_slice(&v.to_le_bytes()));
                "F32"
            }
            Tensor::Q8 {
                scales,
                data: values,
                ..
            } => {
                scales
                    .iter()
                    .for_each(|v| data.extend_from_slice(&v.to_le_bytes()));
                data.extend_from_slice(values);
                "Q8"
            }
        };
        entries.insert(
            name.clone(),
            Entry {
                dtype: dtype.into(),
                shape: tensor.shape(),
                data_offsets: [start, data.len()],
            },
        );
    }
    let header = serde_json::to_vec(&Directory {
        settings: settings.clone(),
        tensors: entries,
    })
    .expect("a directory of strings and numbers serializes");
    let mut out = Vec::with_capacity(12 + header.len() + data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&data);
    out
}

/// Splits `bytes` after a little-endian length of `width` bytes at `at` into header and data.
fn split_header(bytes: &[u8], at: usize, width: usize) -> Result<(&[u8], &[u8]), String> {
    let mut length = [0u8; 8];
    let field = bytes
        .get(at..at + width)
        .ok_or("the model file is truncated")?;
    length[..width].copy_from_slice(field);
    let length = usize::try_from(u64::from_le_bytes(length)).map_err(|_| "header too large")?;
    let start = at + width;
    let header = bytes
        .get(start..start + length)
        .ok_or("the model file is truncated")?;
    Ok((header, &bytes[start + length..]))
}

fn slice<'a>(data: &'a [u8], [start, end]: [usize; 2], name: &str) -> Result<&'a [u8], String> {
    data.get(start..end)
        .ok_or_else(|| format!("tensor {name} lies outside the file (truncated?)"))
}

fn floats(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compact_file_reads_back_what_was_written() {
        let matrix = Tensor::F32 {
            shape: vec![2, 3],
            data: vec![0.5, -1.0, 0.25, 0.0, 0.0, 0.0],
        };
        let vector = Tensor::F32 {
            shape: vec![3],
            data: vec![1.0, 2.0, 3.0],
        };
        let tensors = BTreeMap::from([
            ("m".to_owned(), matrix.quantized()),
            ("v".to_owned(), vector),
        ]);
        let settings = serde_json::json!({"hidden": 3});
        let bytes = write_compact(&settings, &tensors);
        let (read_settings, read) = read_compact::<serde_json::Value>(&bytes).unwrap();
        assert_eq!(read_settings, settings);
        assert_eq!(read["v"].to_f32(), [1.0, 2.0, 3.0]);
        let m = read["m"].to_f32();
        assert!(
            (m[0] - 0.5).abs() < 0.01 && (m[1] + 1.0).abs() < 1e-6,
            "{m:?}"
        );
        assert_eq!(&m[3..], [0.0, 0.0, 0.0]);
    }

    #[test]
    fn a_truncated_file_is_an_error_not_a_panic() {
        let tensors = BTreeMap::from([(
            "v".to_owned(),
            Tensor::F32 {
                shape: vec![2],
                data: vec![1.0, 2.0],
            },
        )]);
        let bytes = write_compact(&serde_json::json!({}), &tensors);
        for cut in [0, 5, 11, bytes.len() - 1] {
            assert!(
                read_compact::<serde_json::Value>(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
    }
}
