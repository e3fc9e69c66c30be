//! `matmul-i8`: input SCALE `(m: u32, k: u32, n: u32, seed: [u8; 32])`. The byte stream
//! `blake2_256(seed ++ u64_le(0)) ++ blake2_256(seed ++ u64_le(1)) ++ ...` gives A (the first
//! `m*k` bytes as `i8`, row-major `m x k`) then B (the next `k*n` bytes, row-major `k x n`);
//! the output is `A x B` as `i32` little-endian, row-major `m x n`.
//!
//! `|a * b| <= 2^14` and `k <= 4096 = 2^12`, so every sum fits `i32` exactly: the result does
//! not depend on the order of additions, and a GPU must give the same bytes.

use crate::{decode_exact, InputError, Work};
use codec::{Decode, Encode};
use rayon::prelude::*;
use sp_crypto_hashing::blake2_256;

/// The largest dimension.
pub const MAX_DIMENSION: u32 = 4096;

/// The input of `matmul-i8`; encodes exactly as the tuple `(u32, u32, u32, [u8; 32])`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct MatmulInput {
    /// Rows of A and of the output.
    pub m: u32,
    /// Columns of A, rows of B.
    pub k: u32,
    /// Columns of B and of the output.
    pub n: u32,
    /// The seed of the operand stream.
    pub seed: [u8; 32],
}

impl MatmulInput {
    /// Decodes and checks an input.
    pub fn parse(input: &[u8]) -> Result<Self, InputError> {
        let this: Self = decode_exact(input)?;
        for d in [this.m, this.k, this.n] {
            if d == 0 {
                return Err(InputError::ZeroDimension);
            }
            if d > MAX_DIMENSION {
                return Err(InputError::DimensionTooLarge);
            }
        }
        Ok(this)
    }

    /// Multiply-adds: `m * k * n` (at most 2^36).
    pub fn work(&self) -> Work {
        Work {
            ops: u64::from(self.m) * u64::from(self.k) * u64::from(self.n),
        }
    }

    /// The product, row-major.
    pub fn run(&self) -> Vec<i32> {
        let (m, k, n) = (self.m as usize, self.k as usize, self.n as usize);
        let (a, b) = matmul_operands(self.m, self.k, self.n, &self.seed);
        let mut out = vec![0i32; m * n];
        // Row by row in parallel; i-k-j order walks B and the output row contiguously.
        out.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
            let a_row = &a[i * k..(i + 1) * k];
            for (p, &a_ip) in a_row.iter().enumerate() {
                let a_ip = i32::from(a_ip);
                let b_row = &b[p * n..(p + 1) * n];
                for (o, &b_pj) in row.iter_mut().zip(b_row) {
                    *o += a_ip * i32::from(b_pj);
                }
            }
        });
        out
    }

    /// The output bytes: the product as `i32` little-endian.
    pub fn run_bytes(&self) -> Vec<u8> {
        self.run().iter().flat_map(|v| v.to_le_bytes()).collect()
    }
}

/// The operands A (`m x k`) and B (`k x n`) generated from `seed`: public so that a GPU
/// executor uploads exactly what the reference multiplies.
pub fn matmul_operands(m: u32, k: u32, n: u32, seed: &[u8; 32]) -> (Vec<i8>, Vec<i8>) {
    let a_len = m as usize * k as usize;
    let total = a_len + k as usize * n as usize;
    let blocks = total.div_ceil(32);
    let mut stream = vec![0u8; blocks * 32];
    stream
        .par_chunks_mut(32)
        .enumerate()
        .for_each(|(i, chunk)| {
            let mut data = [0u8; 40];
            data[..32].copy_from_slice(seed);
            data[32..].copy_from_slice(&(i as u64).to_le_bytes());
            chunk.copy_from_slice(&blake2_256(&data));
        });
    let a = stream[..a_len].iter().map(|b| *b as i8).collect();
    let b = stream[a_len..total].iter().map(|b| *b as i8).collect();
    (a, b)
}
