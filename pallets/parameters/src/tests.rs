//! Unit tests of the parameters pallet: root sets each parameter, the event says what changed,
//! values that would break their pallet are refused and change nothing, and no one else can
//! set anything.

use crate::pallet::*;
use crate::types::*;
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, Balance, DispatchError, Origin, Perbill, H256};

struct Test;

pallet_system::impl_test_config!(Test, max_consumers = 16, event = Event);

impl Config for Test {
    const INDEX: u8 = 10;
    const MAX_MARKET_FEE: u16 = 1_000;
    const MIN_BOND_FLOOR: Balance = 5;
}

type Parameters = Pallet<Test>;
type System = pallet_system::Pallet<Test>;

fn test(f: impl FnOnce()) {
    empty_externalities().execute_with(|| {
        System::initialize(1, H256::repeat_byte(1), &Digest::default());
        f();
    });
}

fn set(value: RuntimeParameters, origin: Origin) -> Result<(), DispatchError> {
    io::with_transaction(|| {
        Dispatchable::<Test>::dispatch(Call::set_parameter { key_value: value }, origin)
    })
}

fn events() -> Vec<Event> {
    System::events_of::<Event>(10)
}

const SPLIT: FeeSplit = FeeSplit {
    treasury_percent: 60,
    burn_percent: 40,
};

#[test]
fn unset_parameters_read_as_none() {
    test(|| {
        assert_eq!(Parameters::fee_split(), None);
        assert_eq!(Parameters::market_fee(), None);
        assert_eq!(Parameters::equivocation_slash(), None);
        assert_eq!(Parameters::offline_slash(), None);
        assert_eq!(Parameters::min_validator_bond(), None);
        assert_eq!(Parameters::min_nominator_bond(), None);
    });
}

#[test]
fn root_sets_every_parameter_and_the_event_has_old_and_new() {
    test(|| {
        let values = [
            RuntimeParameters::FeeSplit(SPLIT),
            RuntimeParameters::MarketFee(1_000),
            RuntimeParameters::EquivocationSlash(Perbill::from_percent(20)),
            RuntimeParameters::OfflineSlash(Perbill::from_percent(2)),
            RuntimeParameters::MinValidatorBond(500),
            RuntimeParameters::MinNominatorBond(5),
        ];
        for v in values {
            assert_eq!(set(v, Origin::Root), Ok(()));
            assert!(events().contains(&Event::Updated {
                key: v.key(),
                old_value: None,
                new_value: Some(v),
            }));
        }
        assert_eq!(Parameters::fee_split(), Some(SPLIT));
        assert_eq!(Parameters::market_fee(), Some(1_000));
        assert_eq!(
            Parameters::equivocation_slash(),
            Some(Perbill::from_percent(20))
        );
        assert_eq!(Parameters::offline_slash(), Some(Perbill::from_percent(2)));
        assert_eq!(Parameters::min_validator_bond(), Some(500));
        assert_eq!(Parameters::min_nominator_bond(), Some(5));
        // A second change reports the first as the old value.
        let next = RuntimeParameters::MarketFee(10);
        assert_eq!(set(next, Origin::Root), Ok(()));
        assert!(events().contains(&Event::Updated {
            key: RuntimeParametersKey::MarketFee,
            old_value: Some(RuntimeParameters::MarketFee(1_000)),
            new_value: Some(next),
        }));
    });
}

#[test]
fn values_that_would_break_their_pallet_are_refused() {
    test(|| {
        let refused = [
            RuntimeParameters::FeeSplit(FeeSplit {
                treasury_percent: 60,
                burn_percent: 41,
            }),
            RuntimeParameters::FeeSplit(FeeSplit {
                treasury_percent: 255,
                burn_percent: 255,
            }),
            RuntimeParameters::MarketFee(1_001),
            RuntimeParameters::MinValidatorBond(4),
            RuntimeParameters::MinNominatorBond(0),
        ];
        for v in refused {
            assert_eq!(
                set(v, Origin::Root),
                Err(Error::<Test>::InvalidValue.into()),
                "{v:?}"
            );
        }
        assert_eq!(crate::pallet::Parameters::iter().count(), 0);
        assert!(events().is_empty());
    });
}

#[test]
fn attack_only_root_sets_parameters() {
    test(|| {
        for origin in [Origin::Signed(AccountId::new([1; 32])), Origin::None] {
            assert_eq!(
                set(RuntimeParameters::FeeSplit(SPLIT), origin),
                Err(DispatchError::BadOrigin)
            );
        }
        assert_eq!(Parameters::fee_split(), None);
    });
}
