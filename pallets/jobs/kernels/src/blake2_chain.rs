//! `blake2-chain`: input SCALE `(seed: Vec<u8>, rounds: u32)`, `rounds >= 1`;
//! `x1 = blake2_256(seed)`, `x(i+1) = blake2_256(xi)`; output `x(rounds)`, 32 bytes.

use crate::{decode_exact, InputError, Work};
use codec::{Decode, Encode};
use sp_crypto_hashing::blake2_256;

/// The most rounds a job may ask for: 2^24, about 5 s on one core of the reference machine
/// (docs/KERNELS.md), so a job fits a provider's time limit.
pub const MAX_ROUNDS: u32 = 1 << 24;

/// The input of `blake2-chain`; encodes exactly as the tuple `(Vec<u8>, u32)`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub struct Blake2ChainInput {
    /// The bytes hashed first.
    pub seed: Vec<u8>,
    /// How many hashes, at least one.
    pub rounds: u32,
}

impl Blake2ChainInput {
    /// Decodes and checks an input.
    pub fn parse(input: &[u8]) -> Result<Self, InputError> {
        let this: Self = decode_exact(input)?;
        if this.rounds == 0 {
            return Err(InputError::ZeroRounds);
        }
        if this.rounds > MAX_ROUNDS {
            return Err(InputError::TooManyRounds);
        }
        Ok(this)
    }

    /// Hash rounds.
    pub fn work(&self) -> Work {
        Work {
            ops: u64::from(self.rounds),
        }
    }

    /// The output: `x(rounds)`.
    pub fn run(&self) -> [u8; 32] {
        let mut x = blake2_256(&self.seed);
        for _ in 1..self.rounds {
            x = blake2_256(&x);
        }
        x
    }
}
