//! # basalt-kernels: the built-in compute kernels
//!
//! Two workloads every Basalt provider can run without installing anything, with formats
//! exact enough that a client can compute and check results itself (docs/KERNELS.md):
//! - [`Kernel::Blake2Chain`] (`blake2-chain`, id 0): iterated BLAKE2b-256;
//! - [`Kernel::MatmulI8`] (`matmul-i8`, id 1): an `m x k` by `k x n` product of 8-bit integer
//!   matrices generated from a seed, with exact 32-bit results.
//!
//! One crate for both sides: the runtime calls [`check_input`] when a job is submitted
//! (decoding and limits only, constant work, no panics), and the node's executor calls
//! [`execute`]. A job's result hash is [`result_hash`] of the output bytes.

pub mod blake2_chain;
pub mod matmul;

pub use blake2_chain::{Blake2ChainInput, MAX_ROUNDS};
pub use matmul::{matmul_operands, MatmulInput, MAX_DIMENSION};

use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// A built-in kernel.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum Kernel {
    /// `blake2-chain`: `rounds` iterations of BLAKE2b-256 from a seed.
    Blake2Chain,
    /// `matmul-i8`: a seeded 8-bit integer matrix product.
    MatmulI8,
}

impl Kernel {
    /// Every kernel, in id order (genesis registers them as programs 0 and 1).
    pub const ALL: [Kernel; 2] = [Kernel::Blake2Chain, Kernel::MatmulI8];

    /// The kernel's id, which is also its program id.
    pub fn id(self) -> u32 {
        match self {
            Kernel::Blake2Chain => 0,
            Kernel::MatmulI8 => 1,
        }
    }

    /// The kernel with id `id`.
    pub fn from_id(id: u32) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The kernel's name, as registered on chain.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Blake2Chain => "blake2-chain",
            Kernel::MatmulI8 => "matmul-i8",
        }
    }
}

/// Why an input is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InputError {
    /// Not a SCALE encoding of the kernel's input.
    Undecodable,
    /// Bytes left after the input.
    TrailingBytes,
    /// `blake2-chain` with zero rounds.
    ZeroRounds,
    /// `blake2-chain` with more than [`MAX_ROUNDS`] rounds.
    TooManyRounds,
    /// A `matmul-i8` dimension of zero.
    ZeroDimension,
    /// A `matmul-i8` dimension above [`MAX_DIMENSION`].
    DimensionTooLarge,
}

/// How much work an input asks for: hash rounds, or multiply-adds (`m * k * n`). What prices
/// and time limits are judged against.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Work {
    /// Basic operations.
    pub ops: u64,
}

/// Decodes `input` for `kernel` exactly (no trailing bytes) and checks its limits.
pub fn check_input(kernel: Kernel, input: &[u8]) -> Result<Work, InputError> {
    match kernel {
        Kernel::Blake2Chain => Blake2ChainInput::parse(input).map(|i| i.work()),
        Kernel::MatmulI8 => MatmulInput::parse(input).map(|i| i.work()),
    }
}

/// Runs `kernel` on `input` on this machine's CPUs (the reference implementation).
pub fn execute(kernel: Kernel, input: &[u8]) -> Result<Vec<u8>, InputError> {
    match kernel {
        Kernel::Blake2Chain => Blake2ChainInput::parse(input).map(|i| i.run().to_vec()),
        Kernel::MatmulI8 => MatmulInput::parse(input).map(|i| i.run_bytes()),
    }
}

/// `blake2_256(output)`: the result hash providers commit to and reveal.
pub fn result_hash(output: &[u8]) -> [u8; 32] {
    sp_crypto_hashing::blake2_256(output)
}

/// Decodes a `T` from all of `input`.
fn decode_exact<T: Decode>(input: &[u8]) -> Result<T, InputError> {
    let mut rest = input;
    let value = T::decode(&mut rest).map_err(|_| InputError::Undecodable)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(InputError::TrailingBytes)
    }
}

#[cfg(test)]
mod tests;
