//! The BERT encoder forward pass for one sequence, on f32 matrices.
//!
//! One sequence at a time needs no padding and no attention mask, and batches are spread over
//! threads by the caller instead, so this stays a plain function of token ids.

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView2, Axis, Slice};

use crate::tensors::Tensor;
use crate::{activations, q8};

/// The architecture numbers of a BERT model (from its `config.json`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Shape {
    /// Width of every hidden state.
    pub hidden_size: usize,
    /// Number of encoder layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer (the hidden size is split evenly between them).
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Epsilon of every layer norm.
    pub layer_norm_eps: f32,
    /// How many positions have embeddings.
    pub max_position_embeddings: usize,
}

/// A weight matrix `[outputs, inputs]`, as stored: dense f32, or blocks of int8 rows stacked
/// on top of each other, read in place from the model file. A short text multiplies them
/// directly ([`q8::product`]); a long one expands them a matrix at a time into a scratch
/// buffer. Either way a query pays neither the 42 MB of expanded weights nor their page
/// faults, and query, key and value stay three borrowed blocks instead of one copied matrix.
#[derive(Debug, Clone)]
enum Matrix {
    Dense(Array2<f32>),
    Int8(Vec<Tensor<'static>>),
}

impl Matrix {
    fn dense(&self) -> Matrix {
        match self {
            Matrix::Dense(w) => Matrix::Dense(w.clone()),
            Matrix::Int8(blocks) => {
                let rows: usize = blocks.iter().map(|b| b.shape()[0]).sum();
                let values: Vec<f32> = blocks.iter().flat_map(Tensor::to_f32).collect();
                let cols = values.len() / rows.max(1);
                Matrix::Dense(
                    Array2::from_shape_vec((rows, cols), values).expect("shape matches data"),
                )
            }
        }
    }
}

/// A linear layer: `y = x · Wᵀ + b`.
#[derive(Debug, Clone)]
struct Linear {
    weight: Matrix,
    bias: Vec<f32>,
}

/// Layer normalization's learned scale and shift.
#[derive(Debug, Clone)]
struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

#[derive(Debug, Clone)]
struct Layer {
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

/// The encoder's weights, ready to run.
#[derive(Debug)]
pub struct Encoder {
    shape: Shape,
    /// Kept as stored (int8 for the built-in model): only the rows of a text's tokens are used.
    word_embeddings: Tensor<'static>,
    positions: Array2<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

/// Finds the tensors an [`Encoder`] needs by their Hugging Face names.
pub struct Weights<'a> {
    tensors: &'a mut BTreeMap<String, Tensor<'static>>,
    prefix: &'static str,
}

impl<'a> Weights<'a> {
    /// Names are tried as `<name>` and `bert.<name>` (both conventions exist).
    pub fn new(tensors: &'a mut BTreeMap<String, Tensor<'static>>) -> Self {
        let prefix = if tensors.keys().any(|k| k.starts_with("bert.")) {
            "bert."
        } else {
            ""
        };
        Self { tensors, prefix }
    }

    fn take(&mut self, name: &str) -> Result<Tensor<'static>, String> {
        self.tensors
            .remove(&format!("{}{name}", self.prefix))
            .ok_or_else(|| format!("the model has no tensor {}{name}", self.prefix))
    }

    fn vector(&mut self, name: &str, len: usize) -> Result<Vec<f32>, String> {
        let values = self.take(name)?.to_f32();
        if values.len() != len {
            return Err(format!(
                "tensor {name} has {} values, expected {len}",
                values.len()
            ));
        }
        Ok(values)
    }

    fn dense(&mut self, name: &str, rows: usize, cols: usize) -> Result<Array2<f32>, String> {
        let values = self.take(name)?.to_f32();
        Array2::from_shape_vec((rows, cols), values)
            .map_err(|_| format!("tensor {name} is not {rows}×{cols}"))
    }

    fn linear(&mut self, name: &str, inputs: usize, outputs: usize) -> Result<Linear, String> {
        let weight_name = format!("{name}.weight");
        let weight = match self.take(&weight_name)? {
            Tensor::F32 { shape, data } => Matrix::Dense(
                Array2::from_shape_vec((outputs, inputs), data).map_err(|_| {
                    format!("tensor {weight_name} is {shape:?}, not {outputs}×{inputs}")
                })?,
            ),
            Tensor::Q8 { rows, cols, .. } if (rows, cols) != (outputs, inputs) => {
                return Err(format!(
                    "tensor {weight_name} is {rows}×{cols}, not {outputs}×{inputs}"
                ));
            }
            q8 => Matrix::Int8(vec![q8]),
        };
        Ok(Linear {
            weight,
            bias: self.vector(&format!("{name}.bias"), outputs)?,
        })
    }

    fn norm(&mut self, name: &str, width: usize) -> Result<Norm, String> {
        Ok(Norm {
            weight: self.vector(&format!("{name}.weight"), width)?,
            bias: self.vector(&format!("{name}.bias"), width)?,
        })
    }
}

/// Query, key and value stacked into one `[3h, h]` matrix: one product instead of three.
fn fuse(q: Linear, k: Linear, v: Linear) -> Linear {
    let bias = [q.bias, k.bias, v.bias].concat();
    let weight = match (q.weight, k.weight, v.weight) {
        (Matrix::Int8(q), Matrix::Int8(k), Matrix::Int8(v)) => Matrix::Int8([q, k, v].concat()),
        (q, k, v) => {
            let (Matrix::Dense(q), Matrix::Dense(k), Matrix::Dense(v)) =
                (q.dense(), k.dense(), v.dense())
            else {
                unreachable!("dense() returns Dense")
            };
            Matrix::Dense(
                ndarray::concatenate(Axis(0), &[q.view(), k.view(), v.view()])
                    .expect("equal widths"),
            )
        }
    };
    Linear { weight, bias }
}

impl Encoder {
    /// Assembles the encoder; query, key and value are fused into one matrix product.
    pub fn new(shape: Shape, mut weights: Weights<'_>) -> Result<Self, String> {
        let h = shape.hidden_size;
        if shape.num_attention_heads == 0 || !h.is_multiple_of(shape.num_attention_heads) {
            return Err(format!(
                "hidden size {h} does not split into {} heads",
                shape.num_attention_heads
            ));
        }
        let word_embeddings = weights.take("embeddings.word_embeddings.weight")?;
        if word_embeddings.shape().get(1) != Some(&h) {
            return Err(format!("word embeddings are not {h} wide"));
        }
        let positions = weights.dense(
            "embeddings.position_embeddings.weight",
            shape.max_position_embeddings,
            h,
        )?;
        let token_type = weights
            .take("embeddings.token_type_embeddings.weight")?
            .to_f32();
        let token_type = token_type
            .get(..h)
            .ok_or("token type embeddings are too small")?
            .to_vec();
        let embedding_norm = weights.norm("embeddings.LayerNorm", h)?;
        let mut layers = Vec::with_capacity(shape.num_hidden_layers);
        for i in 0..shape.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            let q = weights.linear(&format!("{p}.attention.self.query"), h, h)?;
            let k = weights.linear(&format!("{p}.attention.self.key"), h, h)?;
            let v = weights.linear(&format!("{p}.attention.self.value"), h, h)?;
            let qkv = fuse(q, k, v);
            layers.push(Layer {
                qkv,
                attention_out: weights.linear(&format!("{p}.attention.output.dense"), h, h)?,
                attention_norm: weights.norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                intermediate: weights.linear(
                    &format!("{p}.intermediate.dense"),
                    h,
                    shape.intermediate_size,
                )?,
                output: weights.linear(&format!("{p}.output.dense"), shape.intermediate_size, h)?,
                output_norm: weights.norm(&format!("{p}.output.LayerNorm"), h)?,
            });
        }
        Ok(Self {
            shape,
            word_embeddings,
            positions,
            token_type,
            embedding_norm,
            layers,
        })
    }

    /// A copy with every int8 matrix expanded to f32 once: for embedding many texts, where
    /// expanding per text would cost more than the 42 MB.
    pub fn dense(&self) -> Encoder {
        let dense = |l: &Linear| Linear {
            weight: l.weight.dense(),
            bias: l.bias.clone(),
        };
        Encoder {
            shape: self.shape.clone(),
            word_embeddings: self.word_embeddings.clone(),
            positions: self.positions.clone(),
            token_type: self.token_type.clone(),
            embedding_norm: self.embedding_norm.clone(),
            layers: self
                .layers
                .iter()
                .map(|l| Layer {
                    qkv: dense(&l.qkv),
                    attention_out: dense(&l.attention_out),
                    attention_norm: l.attention_norm.clone(),
                    intermediate: dense(&l.intermediate),
                    output: dense(&l.output),
                    output_norm: l.output_norm.clone(),
                })
                .collect(),
        }
    }

    /// The width of the hidden states, and so of the sentence vector.
    pub fn dimensions(&self) -> usize {
        self.shape.hidden_size
    }

    /// The most tokens one sequence may have.
    pub fn max_positions(&self) -> usize {
        self.shape.max_position_embeddings
    }

    /// The mean of the last hidden states over the sequence, L2-normalized.
    pub fn embed(&self, ids: &[u32]) -> Vec<f32> {
        let h = self.shape.hidden_size;
        let n = ids.len().min(self.shape.max_position_embeddings);
        let mut x = Array2::<f32>::zeros((n, h));
        for (t, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
            let row = row
                .as_slice_mut()
                .expect("rows of a standard array are contiguous");
            self.word_embeddings.row(ids[t] as usize, row);
            for ((value, p), tt) in row
                .iter_mut()
                .zip(self.positions.row(t))
                .zip(&self.token_type)
            {
                *value += p + tt;
            }
        }
        layer_norm(&mut x, &self.embedding_norm, self.shape.layer_norm_eps);
        let mut scratch = Vec::new();
        for layer in &self.layers {
            x = self.layer(layer, x, &mut scratch);
        }
        let mut mean = x
            .mean_axis(Axis(0))
            .expect("a sequence has at least one token")
            .to_vec();
        let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        mean.iter_mut().for_each(|v| *v /= norm);
        mean
    }

    fn layer(&self, layer: &Layer, x: Array2<f32>, scratch: &mut Vec<f32>) -> Array2<f32> {
        let h = self.shape.hidden_size;
        let heads = self.shape.num_attention_heads;
        let width = h / heads;
        let n = x.nrows();
        let qkv = linear(&x.view(), &layer.qkv, scratch);
        let scale = 1.0 / (width as f32).sqrt();
        let mut context = Array2::<f32>::zeros((n, h));
        for head in 0..heads {
            let q = qkv.slice_axis(Axis(1), Slice::from(head * width..(head + 1) * width));
            let k = qkv.slice_axis(
                Axis(1),
                Slice::from(h + head * width..h + (head + 1) * width),
            );
            let v = qkv.slice_axis(
                Axis(1),
                Slice::from(2 * h + head * width..2 * h + (head + 1) * width),
            );
            let mut scores = q.dot(&k.t());
            for mut row in scores.axis_iter_mut(Axis(0)) {
                let row = row
                    .as_slice_mut()
                    .expect("rows of a standard array are contiguous");
                activations::softmax(row, scale);
            }
            context
                .slice_axis_mut(Axis(1), Slice::from(head * width..(head + 1) * width))
                .assign(&scores.dot(&v));
        }
        let mut attended = linear(&context.view(), &layer.attention_out, scratch);
        attended += &x;
        layer_norm(
            &mut attended,
            &layer.attention_norm,
            self.shape.layer_norm_eps,
        );
        let mut inner = linear(&attended.view(), &layer.intermediate, scratch);
        activations::gelu(
            inner
                .as_slice_mut()
                .expect("a product's result is a standard array"),
        );
        let mut out = linear(&inner.view(), &layer.output, scratch);
        out += &attended;
        layer_norm(&mut out, &layer.output_norm, self.shape.layer_norm_eps);
        out
    }
}

fn linear(x: &ArrayView2<'_, f32>, layer: &Linear, scratch: &mut Vec<f32>) -> Array2<f32> {
    let mut y = match &layer.weight {
        Matrix::Dense(w) => x.dot(&w.t()),
        Matrix::Int8(blocks) if x.nrows() <= q8::MAX_ROWS => {
            let mut y = Array2::<f32>::zeros((x.nrows(), layer.bias.len()));
            let x = x.as_standard_layout();
            let x = x.as_slice().expect("standard layout is contiguous");
            let stride = layer.bias.len();
            let y_values = y.as_slice_mut().expect("a new array is contiguous");
            let mut offset = 0;
            for block in blocks {
                let (rows, cols, scales, data) = q8_parts(block);
                q8::product(x, cols, data, scales, &mut y_values[offset..], stride);
                offset += rows;
            }
            y
        }
        Matrix::Int8(blocks) => {
            scratch.clear();
            let mut rows = 0;
            for block in blocks {
                let (block_rows, cols, scales, data) = q8_parts(block);
                for (row, scale) in data.chunks_exact(cols).zip(scales) {
                    scratch.extend(row.iter().map(|&b| f32::from(b as i8) * scale));
                }
                rows += block_rows;
            }
            let w = ArrayView2::from_shape((rows, x.ncols()), &scratch[..])
                .expect("rows × cols values");
            x.dot(&w.t())
        }
    };
    for mut row in y.axis_iter_mut(Axis(0)) {
        row.iter_mut().zip(&layer.bias).for_each(|(v, b)| *v += b);
    }
    y
}

/// An int8 block's rows, columns, row scales and bytes.
fn q8_parts<'t>(block: &'t Tensor<'_>) -> (usize, usize, &'t [f32], &'t [u8]) {
    match block {
        Tensor::Q8 {
            rows,
            cols,
            scales,
            data,
        } => (*rows, *cols, scales, data),
        Tensor::F32 { .. } => unreachable!("Int8 matrices hold Q8 tensors"),
    }
}

fn layer_norm(x: &mut Array2<f32>, norm: &Norm, eps: f32) {
    for mut row in x.axis_iter_mut(Axis(0)) {
        let n = row.len() as f32;
        let mean = row.sum() / n;
        let variance = row.fold(0.0, |acc, v| acc + (v - mean) * (v - mean)) / n;
        let inv = 1.0 / (variance + eps).sqrt();
        for ((v, w), b) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}
