//! Unit tests of the transaction-payment pallet over an empty state, with the balances pallet.

use super::fixed_point::FixedU128;
use super::mul_div_floor;
use super::pallet::*;
use super::types::{FeeDetails, InclusionFee, RuntimeDispatchInfo};
use basalt_support::dispatch::{DispatchClass, DispatchInfo, Pays};
use basalt_support::genesis::BuildGenesis;
use basalt_support::metadata::DescribePallet;
use basalt_support::state::empty_externalities;
use basalt_support::validity::InvalidTransaction;
use basalt_support::{AccountId, Balance, Weight, H256};
use codec::{Compact, Encode};
use scale_info::{meta_type, PortableRegistry, Registry};
use std::cell::RefCell;

struct Test;

pallet_system::impl_test_config!(Test);

impl pallet_balances::Config for Test {
    const INDEX: u8 = 2;
    const EXISTENTIAL_DEPOSIT: Balance = ED;
    const MAX_LOCKS: u32 = 4;
    const MAX_RESERVES: u32 = 4;
    const MAX_HOLDS: u32 = 4;
}

thread_local! {
    static AUTHOR: RefCell<Option<AccountId>> = const { RefCell::new(None) };
}

impl Config for Test {
    const INDEX: u8 = 3;
    const BYTE_FEE: Balance = 10;
    const BASE_FEE: Balance = 1_000;
    // One unit per nanosecond of ref_time.
    const WEIGHT_FEE_NUM: Balance = 1;
    const WEIGHT_FEE_DEN: Balance = 1_000;
    const OPERATIONAL_FEE_MULTIPLIER: u8 = 5;
    const TREASURY_PERCENT: u8 = 30;
    const BURN_PERCENT: u8 = 20;
    fn treasury_account() -> AccountId {
        treasury()
    }
    fn block_author() -> Option<AccountId> {
        AUTHOR.with(|a| a.borrow().clone())
    }
}

const ED: Balance = 10;

type Payment = Pallet<Test>;
type Balances = pallet_balances::Pallet<Test>;
type System = pallet_system::Pallet<Test>;

fn alice() -> AccountId {
    AccountId::new([1; 32])
}
fn author() -> AccountId {
    AccountId::new([0xaa; 32])
}
fn treasury() -> AccountId {
    AccountId::new([0xee; 32])
}

fn set_author(who: Option<AccountId>) {
    AUTHOR.with(|a| *a.borrow_mut() = who);
}

fn in_block(f: impl FnOnce()) {
    set_author(None);
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        System::initialize(1, H256::zero(), &Default::default());
        f()
    });
}

fn normal(ref_time: u64) -> DispatchInfo {
    DispatchInfo::normal(Weight::from_parts(ref_time, 0))
}

fn fund(who: &AccountId, amount: Balance) {
    Balances::deposit_creating(who, amount).expect("funding works");
}

fn fee_events() -> Vec<Event> {
    System::events_of(3)
}

#[test]
fn fee_is_base_plus_length_plus_weight_plus_tip() {
    in_block(|| {
        let info = normal(2_000_000);
        let details = Payment::compute_fee_details(100, &info, 7);
        assert_eq!(
            details,
            FeeDetails {
                inclusion_fee: Some(InclusionFee {
                    base_fee: 1_000,
                    len_fee: 1_000,
                    adjusted_weight_fee: 2_000
                }),
                tip: 7,
            }
        );
        assert_eq!(details.final_fee(), 4_007);
        assert_eq!(Payment::compute_fee(100, &info, 7), 4_007);
        // Each component on its own.
        assert_eq!(Payment::compute_fee(0, &normal(0), 0), 1_000);
        assert_eq!(Payment::compute_fee(1, &normal(0), 0), 1_010);
        assert_eq!(Payment::compute_fee(0, &normal(1_000), 0), 1_001);
        assert_eq!(Payment::compute_fee(0, &normal(0), 5), 1_005);
        // The weight fee rounds down and ignores proof size.
        assert_eq!(
            Payment::weight_to_fee(&Weight::from_parts(1_999, 1 << 40)),
            1
        );
        assert_eq!(Payment::length_to_fee(u32::MAX), u128::from(u32::MAX) * 10);
        // Operational calls pay the same fee as normal ones.
        let op = DispatchInfo::operational(Weight::from_parts(2_000_000, 0));
        assert_eq!(Payment::compute_fee(100, &op, 7), 4_007);
    });
}

#[test]
fn the_multiplier_scales_the_weight_fee_only() {
    in_block(|| {
        assert_eq!(Payment::next_fee_multiplier(), FixedU128::ONE);
        NextFeeMultiplier::put(FixedU128(FixedU128::DIV * 3 / 2));
        let details = Payment::compute_fee_details(10, &normal(3_001_000), 0);
        let fee = details.inclusion_fee.expect("pays");
        assert_eq!(fee.base_fee, 1_000);
        assert_eq!(fee.len_fee, 100);
        // 3001 * 1.5 = 4501.5, rounded down.
        assert_eq!(fee.adjusted_weight_fee, 4_501);
    });
}

#[test]
fn calls_that_do_not_pay_are_free() {
    in_block(|| {
        let free = DispatchInfo {
            weight: Weight::from_parts(5_000_000, 0),
            class: DispatchClass::Normal,
            pays_fee: Pays::No,
        };
        assert_eq!(
            Payment::compute_fee_details(1_000, &free, 99),
            FeeDetails {
                inclusion_fee: None,
                tip: 0
            }
        );
        assert_eq!(Payment::compute_fee(1_000, &free, 99), 0);
        assert_eq!(Payment::query_info(1_000, &free).partial_fee, 0);
        assert_eq!(
            Payment::compute_fee(0, &DispatchInfo::mandatory(Weight::from_parts(1, 0)), 0),
            0
        );
        // A zero fee needs no balance and changes nothing.
        assert_eq!(Payment::withdraw_fee(&alice(), 0), Ok(()));
        assert_eq!(Payment::can_withdraw_fee(&alice(), 0), Ok(()));
        assert_eq!(Payment::distribute_fee(&alice(), 0, 0), FeeSplit::default());
        assert_eq!(
            fee_events(),
            vec![Event::TransactionFeePaid {
                who: alice(),
                actual_fee: 0,
                tip: 0
            }]
        );
    });
}

#[test]
fn query_info_reports_weight_class_and_fee_without_tip() {
    in_block(|| {
        let info = DispatchInfo::operational(Weight::from_parts(2_000_000, 64));
        let answer = Payment::query_info(100, &info);
        assert_eq!(
            answer,
            RuntimeDispatchInfo {
                weight: info.weight,
                class: DispatchClass::Operational,
                partial_fee: 4_000
            }
        );
        // Substrate's layout: compact weight parts, class byte, u128 fee.
        let expected = [
            Compact(2_000_000u64).encode(),
            Compact(64u64).encode(),
            vec![1u8],
            4_000u128.encode(),
        ]
        .concat();
        assert_eq!(answer.encode(), expected);
    });
}

#[test]
fn fee_details_encode_as_substrate() {
    let details = FeeDetails {
        inclusion_fee: Some(InclusionFee {
            base_fee: 1u128,
            len_fee: 2,
            adjusted_weight_fee: 3,
        }),
        tip: 4,
    };
    let expected = [
        vec![1u8],
        1u128.encode(),
        2u128.encode(),
        3u128.encode(),
        4u128.encode(),
    ]
    .concat();
    assert_eq!(details.encode(), expected);
    assert_eq!(
        FeeDetails::<u128> {
            inclusion_fee: None,
            tip: 0
        }
        .encode(),
        [vec![0u8], 0u128.encode()].concat()
    );
}

#[test]
fn types_carry_substrates_paths() {
    let mut registry = Registry::new();
    let ids = [
        registry.register_type(&meta_type::<FeeDetails<Balance>>()),
        registry.register_type(&meta_type::<InclusionFee<Balance>>()),
        registry.register_type(&meta_type::<RuntimeDispatchInfo<Balance>>()),
        registry.register_type(&meta_type::<FixedU128>()),
        registry.register_type(&meta_type::<Event>()),
    ];
    let portable: PortableRegistry = registry.into();
    let path = |i: usize| {
        portable
            .resolve(ids[i].id)
            .expect("registered")
            .path
            .segments
            .join("::")
    };
    assert_eq!(path(0), "pallet_transaction_payment::types::FeeDetails");
    assert_eq!(path(1), "pallet_transaction_payment::types::InclusionFee");
    assert_eq!(
        path(2),
        "pallet_transaction_payment::types::RuntimeDispatchInfo"
    );
    assert_eq!(path(3), "sp_arithmetic::fixed_point::FixedU128");
    assert_eq!(path(4), "pallet_transaction_payment::pallet::Event");
}

#[test]
fn operational_multiplier_raises_priority() {
    in_block(|| {
        // 1 ms of ref_time: 2000 fill a block by weight; 1000 bytes: 5242 by length.
        let normal_info = normal(1_000_000_000);
        assert_eq!(Payment::priority(&normal_info, 1_000, 10, 100), 11 * 2_000);
        assert_eq!(Payment::priority(&normal_info, 1_000, 0, 100), 2_000);
        let op = DispatchInfo::operational(Weight::from_parts(1_000_000_000, 0));
        assert_eq!(
            Payment::priority(&op, 1_000, 10, 100),
            11 * 2_000 + 5 * 100 * 2_000
        );
        // Length-bound: 1 MiB extrinsics, 5 per block.
        assert_eq!(Payment::priority(&normal(1), 1024 * 1024, 0, 0), 5);
        // Anything larger than a block counts as one per block; zero sizes count as one unit.
        assert_eq!(Payment::priority(&normal(u64::MAX), u32::MAX, 3, 0), 4);
        assert_eq!(Payment::priority(&normal(0), 0, 0, 0), 5 * 1024 * 1024);
        // Saturates instead of overflowing.
        assert_eq!(Payment::priority(&op, 1, u128::MAX, u128::MAX), u64::MAX);
    });
}

#[test]
fn split_adds_up_exactly_for_awkward_amounts() {
    for fee in [
        0u128,
        1,
        2,
        3,
        7,
        9,
        99,
        101,
        333,
        1_000_001,
        999_999_999_999_999_999,
        u128::MAX / 3,
        u128::MAX,
    ] {
        let s = Payment::split(fee);
        assert_eq!(
            s.treasury
                .checked_add(s.burned)
                .and_then(|x| x.checked_add(s.author)),
            Some(fee),
            "fee {fee}"
        );
        assert_eq!(s.treasury, mul_div_floor(fee, 30, 100));
        assert_eq!(s.burned, mul_div_floor(fee, 20, 100));
    }
    assert_eq!(
        Payment::split(101),
        FeeSplit {
            treasury: 30,
            burned: 20,
            author: 51
        }
    );
    assert_eq!(
        Payment::split(3),
        FeeSplit {
            treasury: 0,
            burned: 0,
            author: 3
        }
    );
}

#[test]
fn distribution_pays_treasury_author_and_burns_the_rest() {
    in_block(|| {
        fund(&alice(), 100_000);
        fund(&treasury(), 1_000);
        fund(&author(), 1_000);
        set_author(Some(author()));
        let issuance = Balances::total_issuance();
        let fee = 4_007;
        Payment::withdraw_fee(&alice(), fee).unwrap();
        assert_eq!(Balances::free_balance(&alice()), 100_000 - fee);
        assert_eq!(Balances::total_issuance(), issuance - fee);
        let split = Payment::distribute_fee(&alice(), fee, 7);
        assert_eq!(
            split,
            FeeSplit {
                treasury: 1_202,
                burned: 801,
                author: 2_004
            }
        );
        assert_eq!(Balances::free_balance(&treasury()), 1_000 + 1_202);
        assert_eq!(Balances::free_balance(&author()), 1_000 + 2_004);
        // Only the burned part left issuance.
        assert_eq!(Balances::total_issuance(), issuance - 801);
        assert_eq!(
            fee_events(),
            vec![Event::TransactionFeePaid {
                who: alice(),
                actual_fee: fee,
                tip: 7
            }]
        );
    });
}

#[test]
fn without_an_author_the_treasury_takes_the_author_part() {
    in_block(|| {
        fund(&alice(), 100_000);
        let issuance = Balances::total_issuance();
        Payment::withdraw_fee(&alice(), 1_001).unwrap();
        let split = Payment::distribute_fee(&alice(), 1_001, 0);
        assert_eq!(
            split,
            FeeSplit {
                treasury: 300 + 501,
                burned: 200,
                author: 0
            }
        );
        // The treasury account is created by its share.
        assert_eq!(Balances::free_balance(&treasury()), 801);
        assert_eq!(Balances::total_issuance(), issuance - 200);
    });
}

#[test]
fn shares_too_small_to_create_an_account_fall_back_then_burn() {
    in_block(|| {
        fund(&alice(), 1_000);
        set_author(Some(author()));
        // fee 15: treasury 4, burn 3, author 8; neither account exists and ED is 10.
        Payment::withdraw_fee(&alice(), 15).unwrap();
        let issuance = Balances::total_issuance();
        // The author's 8 cannot create its account; with the treasury's 4 it makes 12 >= ED.
        let split = Payment::distribute_fee(&alice(), 15, 0);
        assert_eq!(
            split,
            FeeSplit {
                treasury: 12,
                burned: 3,
                author: 0
            }
        );
        assert_eq!(Balances::free_balance(&treasury()), 12);
        assert_eq!(Balances::free_balance(&author()), 0);
        assert_eq!(Balances::total_issuance(), issuance + 12);

        // fee 5 with no accounts able to receive it: all burned, nothing created.
        let bob = AccountId::new([2; 32]);
        set_author(Some(bob.clone()));
        let mut ext = empty_externalities();
        ext.execute_with(|| {
            System::initialize(1, H256::zero(), &Default::default());
            fund(&alice(), 1_000);
            Payment::withdraw_fee(&alice(), 5).unwrap();
            let issuance = Balances::total_issuance();
            assert_eq!(
                Payment::distribute_fee(&alice(), 5, 0),
                FeeSplit {
                    treasury: 0,
                    burned: 5,
                    author: 0
                }
            );
            assert_eq!(Balances::total_issuance(), issuance);
            assert!(!System::account_exists(&treasury()));
            assert!(!System::account_exists(&bob));
        });
    });
}

#[test]
fn withdraw_fails_with_payment_when_poor() {
    in_block(|| {
        fund(&alice(), 50);
        assert_eq!(
            Payment::can_withdraw_fee(&alice(), 51),
            Err(InvalidTransaction::Payment)
        );
        assert_eq!(
            Payment::withdraw_fee(&alice(), 51),
            Err(InvalidTransaction::Payment)
        );
        assert_eq!(Balances::free_balance(&alice()), 50);
        let nobody = AccountId::new([3; 32]);
        assert_eq!(
            Payment::withdraw_fee(&nobody, 1),
            Err(InvalidTransaction::Payment)
        );
        assert_eq!(Payment::can_withdraw_fee(&alice(), 50), Ok(()));
    });
}

#[test]
fn a_fee_may_reap_the_payer() {
    in_block(|| {
        fund(&alice(), 100);
        // Leaves 5, below the ED of 10: the account is reaped and its dust leaves issuance.
        assert_eq!(Payment::withdraw_fee(&alice(), 95), Ok(()));
        assert_eq!(Balances::free_balance(&alice()), 0);
        assert!(!System::account_exists(&alice()));
        // Paying exactly everything works too.
        fund(&alice(), 100);
        assert_eq!(Payment::withdraw_fee(&alice(), 100), Ok(()));
        assert!(!System::account_exists(&alice()));
    });
}

#[test]
fn event_is_index_zero_with_the_tip_clamped_to_the_fee() {
    in_block(|| {
        fund(&alice(), 1_000);
        fund(&treasury(), 1_000);
        Payment::withdraw_fee(&alice(), 100).unwrap();
        Payment::distribute_fee(&alice(), 100, 500);
        let event = Event::TransactionFeePaid {
            who: alice(),
            actual_fee: 100,
            tip: 100,
        };
        assert_eq!(fee_events(), vec![event.clone()]);
        assert_eq!(
            event.encode(),
            [vec![0u8], vec![1u8; 32], 100u128.encode(), 100u128.encode()].concat()
        );
    });
}

#[test]
fn describe_has_the_multiplier_no_calls_and_the_constants() {
    let d = Payment::describe();
    assert_eq!(d.name, "TransactionPayment");
    assert!(d.calls.is_none());
    assert!(d.event.is_some());
    assert!(d.error.is_none());
    let storage = d.storage.expect("storage");
    assert_eq!(storage.prefix, "TransactionPayment");
    assert_eq!(storage.entries.len(), 1);
    assert_eq!(storage.entries[0].name, "NextFeeMultiplier");
    assert_eq!(storage.entries[0].default, FixedU128::DIV.encode());
    assert_eq!(d.constants[0].name, "OperationalFeeMultiplier");
    assert_eq!(d.constants[0].value, vec![5]);
}

#[test]
fn genesis_writes_one_under_substrates_key() {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        Payment::build_genesis(&()).expect("genesis");
        let key: String = NextFeeMultiplier::hashed_key()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            key,
            "3f1467a096bcd71a5b6a0c8155e208103f2edf3bdf381debe331ab7446addfdc"
        );
        assert_eq!(
            basalt_support::state::io::get(&NextFeeMultiplier::hashed_key()),
            Some(FixedU128::DIV.encode())
        );
    });
}

#[test]
fn mul_div_floor_is_exact_and_total() {
    assert_eq!(mul_div_floor(7, 3, 2), 10);
    assert_eq!(mul_div_floor(u128::MAX, 1, 1), u128::MAX);
    assert_eq!(mul_div_floor(u128::MAX, 2, 1), u128::MAX);
    assert_eq!(mul_div_floor(u128::MAX, u128::MAX, u128::MAX), u128::MAX);
    assert_eq!(
        mul_div_floor(u128::MAX - 1, u128::MAX - 2, u128::MAX),
        u128::MAX - 3
    );
    assert_eq!(mul_div_floor(5, 5, 0), u128::MAX);
    assert_eq!(mul_div_floor(0, 5, 0), u128::MAX);
}
