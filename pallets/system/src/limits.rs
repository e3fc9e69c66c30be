//! The block's limits as FRAME publishes them (`frame_system::limits::{BlockWeights,
//! BlockLength}`), so that clients that read `System.BlockWeights` and `System.BlockLength`
//! (dedot, polkadot-api, subxt) find FRAME's types.

use basalt_support::dispatch::PerDispatchClass;
use basalt_support::Weight;
use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// One dispatch class's weight limits, as `frame_system::limits::WeightsPerClass`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("pallet_system", "frame_system"))]
pub struct WeightsPerClass {
    /// What every extrinsic of the class costs besides its call.
    pub base_extrinsic: Weight,
    /// The most one extrinsic of the class may weigh (`None`: no limit).
    pub max_extrinsic: Option<Weight>,
    /// The most the class may use in a block (`None`: no limit).
    pub max_total: Option<Weight>,
    /// Weight kept for the class that the other classes may not use (`None`: the whole block).
    pub reserved: Option<Weight>,
}

/// The block's weight limits, as `frame_system::limits::BlockWeights`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("pallet_system", "frame_system"))]
pub struct BlockWeights {
    /// What every block costs besides its extrinsics.
    pub base_block: Weight,
    /// The most a block may weigh.
    pub max_block: Weight,
    /// The limits of each dispatch class.
    pub per_class: PerDispatchClass<WeightsPerClass>,
}

/// The block's length limits per dispatch class, as `frame_system::limits::BlockLength`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("pallet_system", "frame_system"))]
pub struct BlockLength {
    /// The most bytes of extrinsics of each class a block may hold.
    pub max: PerDispatchClass<u32>,
}

impl BlockWeights {
    /// Limits where every class may use the whole block, with no base costs: what a runtime
    /// that says nothing more publishes.
    pub const fn whole_block(max_block: Weight) -> Self {
        let class = WeightsPerClass {
            base_extrinsic: Weight::ZERO,
            max_extrinsic: None,
            max_total: Some(max_block),
            reserved: None,
        };
        BlockWeights {
            base_block: Weight::ZERO,
            max_block,
            per_class: PerDispatchClass {
                normal: class,
                operational: class,
                mandatory: class,
            },
        }
    }
}

impl BlockLength {
    /// The same limit for every class.
    pub const fn whole_block(max: u32) -> Self {
        BlockLength {
            max: PerDispatchClass {
                normal: max,
                operational: max,
                mandatory: max,
            },
        }
    }
}
