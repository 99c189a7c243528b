//! Products of a few rows of activations with an int8 weight matrix, without expanding it.
//!
//! A question is a dozen word pieces. Going through a general matrix product for it means
//! expanding each int8 matrix to f32 and then packing that copy into the product's panels:
//! two passes over 42 MB of floats for 10 MB of weights, most of a short text's embedding
//! time. Here each weight row is widened once into a buffer that stays in the first-level
//! cache and multiplied straight into every token's row; the rows' scales apply once per
//! output. The CPU's vector extensions are chosen at run time (`multiversion`), so the one
//! binary runs everywhere and uses AVX2 and FMA where they exist.

use multiversion::multiversion;

/// Up to this many rows of activations go through [`product`]; more rows amortize the
/// expansion and a general matrix product is faster.
pub const MAX_ROWS: usize = 48;

/// `y[t · stride + o] = scales[o] · Σᵢ x[t][i] · w[o][i]` for the `x.len() / cols` rows of
/// `x` and the `scales.len()` rows of `w` (`weights`, row-major, each byte an `i8`): `y` is a
/// row-major matrix `stride` wide, and the products fill `scales.len()` of its columns from
/// the first (pass the slice from a column offset to fill others).
pub fn product(
    x: &[f32],
    cols: usize,
    weights: &[u8],
    scales: &[f32],
    y: &mut [f32],
    stride: usize,
) {
    let tokens = x.len() / cols;
    assert_eq!(
        weights.len(),
        scales.len() * cols,
        "weights are rows × cols"
    );
    assert_eq!(x.len() % cols, 0, "activations are whole rows");
    assert!(scales.len() <= stride, "outputs fit in a row of y");
    assert!(
        tokens == 0 || (tokens - 1) * stride + scales.len() <= y.len(),
        "y has a row per token"
    );
    kernel(x, cols, weights, scales, y, stride);
}

/// Lanes summed independently in a dot product: enough to hide the latency of the
/// adds on 256-bit vectors, and a whole number of lanes for 128-bit ones.
const LANES: usize = 32;

#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx", "aarch64+neon"))]
fn kernel(x: &[f32], cols: usize, weights: &[u8], scales: &[f32], y: &mut [f32], stride: usize) {
    let mut row = vec![0f32; cols];
    for (o, (w, &scale)) in weights.chunks_exact(cols).zip(scales).enumerate() {
        for (r, &b) in row.iter_mut().zip(w) {
            *r = f32::from(b as i8);
        }
        for (t, xt) in x.chunks_exact(cols).enumerate() {
            y[t * stride + o] = scale * dot(xt, &row);
        }
    }
}

#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx", "aarch64+neon"))]
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let whole = a.len() / LANES * LANES;
    for (ca, cb) in a[..whole]
        .chunks_exact(LANES)
        .zip(b[..whole].chunks_exact(LANES))
    {
        for k in 0..LANES {
            acc[k] += ca[k] * cb[k];
        }
    }
    let tail: f32 = a[whole..].iter().zip(&b[whole..]).map(|(p, q)| p * q).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_expanded_product() {
        let (tokens, cols, outputs) = (5, 70, 9);
        let x: Vec<f32> = (0..tokens * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
            .collect();
        let weights: Vec<u8> = (0..outputs * cols).map(|i| (i * 53 % 256) as u8).collect();
        let scales: Vec<f32> = (0..outputs).map(|o| 0.01 + o as f32 * 0.003).collect();
        let mut y = vec![0f32; tokens * outputs];
        product(&x, cols, &weights, &scales, &mut y, outputs);
        for t in 0..tokens {
            for o in 0..outputs {
                let want: f32 = (0..cols)
                    .map(|i| x[t * cols + i] * f32::from(weights[o * cols + i] as i8) * scales[o])
                    .sum();
                let got = y[t * outputs + o];
                assert!(
                    (got - want).abs() < 1e-3 * want.abs().max(1.0),
                    "{t},{o}: {got} vs {want}"
                );
            }
        }
    }
}
