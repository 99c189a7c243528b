//! The attention softmax and the feed-forward GELU over whole rows, with an exponential the
//! compiler can vectorize.
//!
//! Both call `exp` once per value: the softmax on every one of a text's token × token scores
//! per head and layer, GELU (through `erf`) on every feed-forward value. Through libm each call
//! is a function call on one lane, with the loop's state spilled around it, and together they
//! were a quarter of embedding a long text, more than any matrix product but the largest. The
//! exponential below is branch-free arithmetic on one `f32` (a rounding trick for the power of
//! two, a polynomial for the rest) so a loop of it becomes vector code, chosen at run time for
//! the CPU like the int8 kernel's. It is within two units in the last place of libm's.

use multiversion::multiversion;

/// `e^x` for `x` in f32's range: `2^n · e^r` with `n = round(x / ln 2)` and `|r| ≤ ln 2 / 2`,
/// `e^r` by its Taylor polynomial to the 7th power (error below 2⁻²⁴ on that interval).
/// Inputs below -87.3 give about 1e-38 instead of a subnormal or zero (a softmax weight that
/// small adds nothing); above 88 they are clamped to 88.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two, so `x - n·ln 2` is exact for the n that occur.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5 · 2²³: adding and subtracting it rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.3, 88.0);
    let shifted = x * LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r / 5040.0))))));
    // `shifted`'s low mantissa bits hold n (two's complement), and 1.5 · 2²³'s bits are zero
    // below bit 22: shifted by 23, they leave the exponent field n + 127 (in 1..=254 for the
    // clamped x). Unlike `n as i32`, which checks for NaN lane by lane, this stays vector code.
    p * f32::from_bits(shifted.to_bits().wrapping_add(127) << 23)
}

/// Values a reduction keeps apart: two 256-bit vectors' worth.
const LANES: usize = 16;

/// `row[i] = softmax(scale · row)[i]`: attention weights from one query's scores.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx", "aarch64+neon"))]
pub fn softmax(row: &mut [f32], scale: f32) {
    // The maximum and the sum are taken over lanes first: a single running value would be a
    // chain of dependent operations the compiler may not reorder.
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let whole = row.len() / LANES * LANES;
    for chunk in row[..whole].chunks_exact(LANES) {
        for (m, &v) in lanes.iter_mut().zip(chunk) {
            *m = if v > *m { v } else { *m };
        }
    }
    let max = lanes
        .iter()
        .chain(&row[whole..])
        .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    for v in row.iter_mut() {
        *v = exp((*v - max) * scale);
    }
    let mut lanes = [0f32; LANES];
    for chunk in row[..whole].chunks_exact(LANES) {
        for (s, &v) in lanes.iter_mut().zip(chunk) {
            *s += v;
        }
    }
    let sum = lanes.iter().sum::<f32>() + row[whole..].iter().sum::<f32>();
    let inverse = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inverse;
    }
}

/// GELU in its exact (erf) form, as BERT was trained, on every value.
#[multiversion(targets("x86_64+avx2+fma", "x86_64+avx", "aarch64+neon"))]
pub fn gelu(values: &mut [f32]) {
    for v in values.iter_mut() {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// The error function (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7: under f32's
/// own rounding at the values GELU sees).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152 + t * 1.061_405_4))));
    (1.0 - poly * exp(-a * a)).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_units_in_the_last_place_of_libm() {
        let mut x = -87.0f32;
        while x < 88.0 {
            let (fast, exact) = (exp(x), x.exp());
            let ulp = f32::from_bits(exact.to_bits() + 1) - exact;
            assert!(
                (fast - exact).abs() <= 2.0 * ulp,
                "exp({x}): {fast} vs {exact}"
            );
            x += 0.0137;
        }
        assert!(exp(-1000.0) < 1e-37 && exp(-1000.0) >= 0.0);
        assert!(exp(f32::NEG_INFINITY) < 1e-37);
    }

    #[test]
    fn softmax_weights_sum_to_one_in_the_order_of_the_scores() {
        let mut row = [1.0, 3.0, -2.0, 3.0, 40.0, -1e4];
        let scale = 0.25;
        let exact: Vec<f32> = {
            let max = 40.0f32;
            let e: Vec<f32> = row.iter().map(|v| ((v - max) * scale).exp()).collect();
            let sum: f32 = e.iter().sum();
            e.iter().map(|v| v / sum).collect()
        };
        softmax(&mut row, scale);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        for (fast, exact) in row.iter().zip(&exact) {
            assert!((fast - exact).abs() < 1e-6, "{row:?} vs {exact:?}");
        }
        assert_eq!(row[1], row[3]);
    }

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
        ] {
            assert!((erf(x) - want).abs() < 2e-7, "erf({x}) = {}", erf(x));
        }
    }

    #[test]
    fn gelu_matches_known_values() {
        // GELU(x) = x · Φ(x), with Φ the standard normal distribution.
        let mut values = [0.0, 1.0, -1.0, 2.0, -3.0, 0.5];
        gelu(&mut values);
        let want = [
            0.0,
            0.841_344_7,
            -0.158_655_3,
            1.954_5,
            -0.004_049_6,
            0.345_731_3,
        ];
        for (got, want) in values.iter().zip(want) {
            assert!((got - want).abs() < 2e-6, "{values:?}");
        }
    }
}
