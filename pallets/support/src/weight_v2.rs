//! [`Weight`]: the execution cost of a call, as `sp_weights::weight_v2::Weight` (a type path that
//! @polkadot/api recognises to pick its weight encoding).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Two-dimensional execution cost: time (picoseconds of reference hardware) and proof size
/// (bytes). Arithmetic saturates, so no input can overflow it.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(replace_segment("basalt_support", "sp_weights"))]
pub struct Weight {
    /// Computation time in picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Size of the storage proof in bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

impl Weight {
    /// No cost.
    pub const ZERO: Weight = Weight {
        ref_time: 0,
        proof_size: 0,
    };
    /// The largest weight.
    pub const MAX: Weight = Weight {
        ref_time: u64::MAX,
        proof_size: u64::MAX,
    };

    /// A weight of both components.
    pub const fn from_parts(ref_time: u64, proof_size: u64) -> Self {
        Weight {
            ref_time,
            proof_size,
        }
    }

    /// A weight with only a time component.
    pub const fn from_ref_time(ref_time: u64) -> Self {
        Weight {
            ref_time,
            proof_size: 0,
        }
    }

    /// Component-wise saturating addition.
    pub const fn saturating_add(self, o: Weight) -> Weight {
        Weight {
            ref_time: self.ref_time.saturating_add(o.ref_time),
            proof_size: self.proof_size.saturating_add(o.proof_size),
        }
    }

    /// Component-wise saturating subtraction.
    pub const fn saturating_sub(self, o: Weight) -> Weight {
        Weight {
            ref_time: self.ref_time.saturating_sub(o.ref_time),
            proof_size: self.proof_size.saturating_sub(o.proof_size),
        }
    }

    /// Component-wise saturating multiplication by a scalar.
    pub const fn saturating_mul(self, n: u64) -> Weight {
        Weight {
            ref_time: self.ref_time.saturating_mul(n),
            proof_size: self.proof_size.saturating_mul(n),
        }
    }

    /// Whether any component of `self` exceeds that of `limit`.
    pub const fn any_gt(self, limit: Weight) -> bool {
        self.ref_time > limit.ref_time || self.proof_size > limit.proof_size
    }

    /// Whether every component of `self` is at most that of `limit`.
    pub const fn all_lte(self, limit: Weight) -> bool {
        !self.any_gt(limit)
    }
}

/// Weights of storage access, measured by the runtime's benchmark on the reference machine;
/// pallets build their call weights from these and from their own computation.
pub mod constants {
    use super::Weight;

    /// One picosecond-based unit: a nanosecond.
    pub const NANOS: u64 = 1_000;
    /// A microsecond of execution.
    pub const MICROS: u64 = 1_000_000;
    /// Cost of reading one storage item (trie lookup through a warm cache).
    pub const READ: Weight = Weight::from_parts(2 * MICROS, 128);
    /// Cost of writing one storage item (overlay write plus its share of the trie update).
    pub const WRITE: Weight = Weight::from_parts(8 * MICROS, 128);

    /// What one read and one write cost in `ref_time`, as clients read it (`System.DbWeight`).
    pub const DB_WEIGHT: super::RuntimeDbWeight = super::RuntimeDbWeight {
        read: READ.ref_time,
        write: WRITE.ref_time,
    };

    /// `reads` reads and `writes` writes.
    pub const fn reads_writes(reads: u64, writes: u64) -> Weight {
        READ.saturating_mul(reads)
            .saturating_add(WRITE.saturating_mul(writes))
    }
}

/// The `ref_time` of one storage read and one write, as `sp_weights::RuntimeDbWeight` (its type
/// path written by hand: the derive would add this module's name).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub struct RuntimeDbWeight {
    /// One read.
    pub read: u64,
    /// One write.
    pub write: u64,
}

impl scale_info::TypeInfo for RuntimeDbWeight {
    type Identity = Self;
    fn type_info() -> scale_info::Type {
        scale_info::Type::builder()
            .path(scale_info::Path::new("RuntimeDbWeight", "sp_weights"))
            .composite(
                scale_info::build::Fields::named()
                    .field(|f| f.ty::<u64>().name("read").type_name("u64"))
                    .field(|f| f.ty::<u64>().name("write").type_name("u64")),
            )
    }
}
