//! The consensus engine ids of Basalt's digest items and justifications, defined once.
//!
//! The runtime writes them into headers, the node and basalt-consensus read them back, and
//! stock clients match on the same bytes Substrate uses; one definition here, in the lowest
//! crate every one of those depends on, keeps them from drifting apart.

use crate::generic::ConsensusEngineId;

/// Aura's engine id: its slot pre-digest (`PreRuntime`) and its block seal (`Seal`).
pub const AURA_ENGINE_ID: ConsensusEngineId = *b"aura";

/// GRANDPA's engine id (`FRNK`): its authority-set change logs and its justifications.
pub const GRANDPA_ENGINE_ID: ConsensusEngineId = *b"FRNK";

/// Basalt's VRF engine id: the author's VRF output and proof (`PreRuntime`), from which the
/// runtime's randomness comes.
pub const VRF_ENGINE_ID: ConsensusEngineId = *b"bvrf";
