//! The referenda's tracks: which origins governance may dispatch with, and how hard each is
//! to reach. Modelled on Polkadot's Root and Treasurer tracks (track ids 0 and 11), with
//! linear curves: approval from 100% down to 50%, support from 50% down to 0%, over the
//! decision period.
//!
//! | track | id | origin | may | decision deposit | slots | prepare | decide | confirm | enact after |
//! |---|---|---|---|---|---|---|---|---|---|
//! | root | 0 | `system: Root` | any call, runtime parameters included | 10,000 BSLT | 1 | 2 h | 14 d | 1 d | 1 d |
//! | treasurer | 11 | `Origins: Treasurer` | treasury spends up to 100,000 BSLT each | 1,000 BSLT | 10 | 2 h | 14 d | 2 d | 1 d |
//!
//! Development chain specs shorten the periods (`governance.trackPeriods`).

use basalt_support::origin::GovernanceOrigin;
use basalt_support::primitives::UNIT;
use basalt_support::{Balance, BlockNumber, Origin, Perbill};
use pallet_referenda::{Curve, TrackId, TrackInfo};

const HOUR: BlockNumber = 60 * 30;
const DAY: BlockNumber = 24 * HOUR;

/// The Root track's id.
pub const ROOT_TRACK: TrackId = 0;
/// The Treasurer track's id.
pub const TREASURER_TRACK: TrackId = 11;

/// The most the Treasurer track may approve in one treasury spend.
pub const TREASURER_MAX_SPEND: Balance = 100_000 * UNIT;

/// Approval: from all ayes at the start to a simple majority at the end.
const APPROVAL: Curve = Curve::LinearDecreasing {
    length: Perbill::from_percent(100),
    floor: Perbill::from_percent(50),
    ceil: Perbill::from_percent(100),
};

/// Support: from half the issuance at the start to none at the end.
const SUPPORT: Curve = Curve::LinearDecreasing {
    length: Perbill::from_percent(100),
    floor: Perbill::from_percent(0),
    ceil: Perbill::from_percent(50),
};

/// The tracks, by id.
pub const TRACKS: [(TrackId, TrackInfo); 2] = [
    (
        ROOT_TRACK,
        TrackInfo {
            name: "root",
            max_deciding: 1,
            decision_deposit: 10_000 * UNIT,
            prepare_period: 2 * HOUR,
            decision_period: 14 * DAY,
            confirm_period: DAY,
            min_enactment_period: DAY,
            min_approval: APPROVAL,
            min_support: SUPPORT,
        },
    ),
    (
        TREASURER_TRACK,
        TrackInfo {
            name: "treasurer",
            max_deciding: 10,
            decision_deposit: 1_000 * UNIT,
            prepare_period: 2 * HOUR,
            decision_period: 14 * DAY,
            confirm_period: 2 * DAY,
            min_enactment_period: DAY,
            min_approval: APPROVAL,
            min_support: SUPPORT,
        },
    ),
];

/// The track of proposals dispatched with `origin`: Root's or the Treasurer's; signed and
/// unsigned origins have none (nobody may propose as someone else).
pub fn track_for(origin: &Origin) -> Option<TrackId> {
    match origin {
        Origin::Root => Some(ROOT_TRACK),
        Origin::Origins(GovernanceOrigin::Treasurer) => Some(TREASURER_TRACK),
        Origin::Signed(_) | Origin::None => None,
    }
}
