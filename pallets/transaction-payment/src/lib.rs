//! # Transaction-payment pallet
//!
//! What a signed extrinsic costs and where the money goes.
//!
//! The fee of an extrinsic of `len` encoded bytes and declared weight `w`, as Substrate computes
//! it (all integer arithmetic, saturating):
//!
//! ```text
//! inclusion_fee = BASE_FEE                                   (base_fee)
//!               + len * BYTE_FEE                             (len_fee)
//!               + NextFeeMultiplier * (w.ref_time * WEIGHT_FEE_NUM / WEIGHT_FEE_DEN)
//!                                                            (adjusted_weight_fee)
//! fee           = inclusion_fee + tip
//! ```
//!
//! A call declared `Pays::No` costs nothing at all: no inclusion fee and no tip (Substrate still
//! charges the tip of a free call; Basalt does not, so that a free call never needs a balance).
//!
//! The fee is withdrawn from the sender before the call runs ([`Pallet::withdraw_fee`]; it may
//! reap the sender, as Substrate's currency adapter allows) and, after the call ran whatever its
//! outcome, split by [`Pallet::distribute_fee`]: `TREASURY_PERCENT` to the treasury,
//! `BURN_PERCENT` burned (withdrawn and never re-minted), the rest to the block author, or to
//! the treasury when no author is known. The split is exact: the three parts always add up to the
//! amount withdrawn.
//!
//! `NextFeeMultiplier` is stored and applied to the weight fee as in Substrate, so that explorers
//! find the familiar item, but Basalt does not adjust it yet: it stays one (10^18 as
//! `FixedU128`) unless root changes the storage directly.
//!
//! The pallet has no calls; it serves the executive's `ChargeTransactionPayment` extension and
//! the `TransactionPaymentApi` runtime API (`query_info`, `query_fee_details`).

pub use pallet::*;

#[cfg(test)]
mod tests;

/// The fixed-point type of the fee multiplier, with the type path of Substrate's so that
/// metadata readers recognise `NextFeeMultiplier`.
pub mod fixed_point {
    use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
    use scale_info::TypeInfo;

    /// An unsigned fixed-point number with 18 decimals, encoded as its `u128` inner value:
    /// `sp_arithmetic::fixed_point::FixedU128`.
    ///
    /// Its default is one (not zero as in `sp_arithmetic`): it is only used as the fee
    /// multiplier, whose neutral value is one, and the storage item's default comes from here.
    #[derive(
        Clone,
        Copy,
        PartialEq,
        Eq,
        PartialOrd,
        Ord,
        Debug,
        Encode,
        Decode,
        DecodeWithMemTracking,
        TypeInfo,
        MaxEncodedLen,
    )]
    #[scale_info(replace_segment("pallet_transaction_payment", "sp_arithmetic"))]
    pub struct FixedU128(pub u128);

    impl FixedU128 {
        /// The inner value of one: 10^18.
        pub const DIV: u128 = 1_000_000_000_000_000_000;
        /// One.
        pub const ONE: FixedU128 = FixedU128(Self::DIV);

        /// `floor(self * n)` without overflow short of the result itself (saturating).
        pub fn saturating_mul_int(self, n: u128) -> u128 {
            super::mul_div_floor(n, self.0, Self::DIV)
        }
    }

    impl Default for FixedU128 {
        fn default() -> Self {
            Self::ONE
        }
    }
}

/// The fee types of the runtime API, with Substrate's layouts and type paths
/// (`pallet_transaction_payment::types::*`).
pub mod types {
    use basalt_support::dispatch::DispatchClass;
    use codec::{Decode, DecodeWithMemTracking, Encode};
    use scale_info::TypeInfo;

    /// The inclusion fee of an extrinsic in its three parts, as Substrate's `InclusionFee`.
    #[derive(
        Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo,
    )]
    pub struct InclusionFee<Balance> {
        /// The minimum fee of any extrinsic.
        pub base_fee: Balance,
        /// The fee for the extrinsic's encoded length.
        pub len_fee: Balance,
        /// The weight fee, times the fee multiplier.
        pub adjusted_weight_fee: Balance,
    }

    impl InclusionFee<u128> {
        /// The sum of the three parts (saturating).
        pub fn inclusion_fee(&self) -> u128 {
            self.base_fee
                .saturating_add(self.len_fee)
                .saturating_add(self.adjusted_weight_fee)
        }
    }

    /// What an extrinsic pays, as Substrate's `FeeDetails` (answer of
    /// `TransactionPaymentApi_query_fee_details`).
    #[derive(
        Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo,
    )]
    pub struct FeeDetails<Balance> {
        /// The inclusion fee; `None` for calls that do not pay (`Pays::No`) and unsigned ones.
        pub inclusion_fee: Option<InclusionFee<Balance>>,
        /// The tip offered on top.
        pub tip: Balance,
    }

    impl FeeDetails<u128> {
        /// Inclusion fee plus tip: what is withdrawn from the sender (saturating).
        pub fn final_fee(&self) -> u128 {
            self.inclusion_fee
                .map(|f| f.inclusion_fee())
                .unwrap_or(0)
                .saturating_add(self.tip)
        }
    }

    /// An extrinsic's weight, class and fee without tip, as Substrate's `RuntimeDispatchInfo`
    /// (answer of `TransactionPaymentApi_query_info`).
    #[derive(
        Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo,
    )]
    pub struct RuntimeDispatchInfo<Balance, Weight = basalt_support::Weight> {
        /// The declared weight of the call.
        pub weight: Weight,
        /// The class of the call.
        pub class: DispatchClass,
        /// The inclusion fee, without tip (zero for calls that do not pay).
        pub partial_fee: Balance,
    }
}

/// `floor(a * num / den)`, exact (through 256-bit intermediates), saturating at `u128::MAX` when
/// the result does not fit. A zero `den` gives `u128::MAX`: a misconfigured price makes
/// extrinsics unpayable rather than free.
pub fn mul_div_floor(a: u128, num: u128, den: u128) -> u128 {
    basalt_support::arithmetic::mul_div_floor(a, num, den).unwrap_or(u128::MAX)
}

/// The pallet: configuration, storage, event, the fee computation and the fee's payment.
pub mod pallet {
    use crate::fixed_point::FixedU128;
    use crate::mul_div_floor;
    use crate::types::{FeeDetails, InclusionFee, RuntimeDispatchInfo};
    use basalt_support::dispatch::{DispatchClass, DispatchInfo, Pays};
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::state::io;
    use basalt_support::storage::ValueQuery;
    use basalt_support::validity::InvalidTransaction;
    use basalt_support::{AccountId, Balance, Weight};
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    /// The fee multiplier's type, as Substrate's `Multiplier`.
    pub type Multiplier = FixedU128;

    /// What the runtime tells the transaction-payment pallet: prices, the split of fees and
    /// who receives them.
    pub trait Config: pallet_balances::Config {
        /// This pallet's index in the runtime; its event carries it.
        const INDEX: u8;
        /// Fee per encoded byte of an extrinsic.
        const BYTE_FEE: Balance;
        /// Fee of every extrinsic, whatever its call.
        const BASE_FEE: Balance;
        /// Numerator of the fee per picosecond of `ref_time`.
        const WEIGHT_FEE_NUM: Balance;
        /// Denominator of the fee per picosecond of `ref_time`; must not be zero.
        const WEIGHT_FEE_DEN: Balance;
        /// How many times its fee an operational extrinsic adds to its tip for pool priority
        /// (published as `OperationalFeeMultiplier`).
        const OPERATIONAL_FEE_MULTIPLIER: u8;
        /// Percentage of each fee (tip included) paid to the treasury.
        const TREASURY_PERCENT: u8;
        /// Percentage of each fee (tip included) burned; `TREASURY_PERCENT + BURN_PERCENT`
        /// must not exceed 100. The rest goes to the block author.
        const BURN_PERCENT: u8;
        /// The split in force, `(treasury percent, burn percent)`: the constants above unless
        /// the runtime reads governance's parameters (pallet-parameters), with the constants as
        /// defaults. Shares over 100 are clamped so that the parts never exceed the fee.
        fn fee_split() -> (u8, u8) {
            (Self::TREASURY_PERCENT, Self::BURN_PERCENT)
        }
        /// The treasury's account.
        fn treasury_account() -> AccountId;
        /// The author of the block being built or imported, when known.
        fn block_author() -> Option<AccountId>;
        /// Hands the author's share of a fee to the runtime's reward system instead of paying
        /// it now (Basalt: staking pays it with the era's rewards, split with the author's
        /// nominators). The share has already left issuance; the taker mints it when it pays.
        /// `false` when nobody takes it: it is then paid to the author directly.
        fn credit_author_fee(author: &AccountId, amount: Balance) -> bool {
            let _ = (author, amount);
            false
        }
    }

    /// The transaction-payment pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "TransactionPayment";
        /// The multiplier of the weight fee. Basalt keeps it at one (10^18); it is stored so
        /// that tools reading Substrate's item find it.
        pub NextFeeMultiplier: StorageValue<Multiplier, ValueQuery>;
    }

    /// Events of the transaction-payment pallet, as `pallet_transaction_payment::pallet::Event`.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A transaction fee `actual_fee`, of which `tip` was added to the minimum inclusion fee,
        /// has been paid by `who`.
        #[codec(index = 0)]
        TransactionFeePaid {
            /// The payer.
            who: AccountId,
            /// The whole fee paid, tip included.
            actual_fee: Balance,
            /// The tip part of `actual_fee`.
            tip: Balance,
        },
    }

    /// Where a fee went: the three parts add up to the fee distributed.
    #[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
    pub struct FeeSplit {
        /// Paid to the treasury (its share, plus the author's when there is no author).
        pub treasury: Balance,
        /// Removed from issuance: the burn share, plus any share whose recipient could not
        /// receive it (an account that does not exist and would stay below the existential
        /// deposit).
        pub burned: Balance,
        /// Paid or credited to the block author.
        pub author: Balance,
    }

    /// Weights of the pallet's work (it has no calls): what the executive charges per signed
    /// extrinsic for the fee, on top of the call.
    pub mod weights {
        use basalt_support::weight_v2::constants::{reads_writes, MICROS};
        use basalt_support::Weight;

        /// Withdrawing the fee and paying treasury and author: the payer, the two recipients
        /// and total issuance, read and written, plus the multiplier read.
        pub const fn charge_fee() -> Weight {
            reads_writes(5, 4).saturating_add(Weight::from_ref_time(10 * MICROS))
        }
    }

    impl<T: Config> Pallet<T> {
        /// Compile-time checks of the configuration: evaluated when the pallet is used with
        /// `T`, so a bad runtime configuration does not build.
        const CONFIG_IS_VALID: () = {
            assert!(
                <T as Config>::WEIGHT_FEE_DEN != 0,
                "WEIGHT_FEE_DEN must not be zero"
            );
            assert!(
                (<T as Config>::TREASURY_PERCENT as u16) + (<T as Config>::BURN_PERCENT as u16)
                    <= 100,
                "TREASURY_PERCENT + BURN_PERCENT must not exceed 100"
            );
        };

        /// The fee for `weight`, before the multiplier: `ref_time * WEIGHT_FEE_NUM /
        /// WEIGHT_FEE_DEN`, rounded down (what `TransactionPaymentApi_query_weight_to_fee`
        /// answers).
        pub fn weight_to_fee(weight: &Weight) -> Balance {
            let () = Self::CONFIG_IS_VALID;
            mul_div_floor(
                u128::from(weight.ref_time),
                <T as Config>::WEIGHT_FEE_NUM,
                <T as Config>::WEIGHT_FEE_DEN,
            )
        }

        /// The fee for `len` encoded bytes (what `TransactionPaymentApi_query_length_to_fee`
        /// answers).
        pub fn length_to_fee(len: u32) -> Balance {
            u128::from(len).saturating_mul(<T as Config>::BYTE_FEE)
        }

        /// The current fee multiplier (one unless root changed the storage).
        pub fn next_fee_multiplier() -> Multiplier {
            NextFeeMultiplier::get()
        }

        /// The fee of an extrinsic of `len` encoded bytes whose call declares `info`, with
        /// `tip`, in its parts. `Pays::No` calls pay nothing, tip included.
        pub fn compute_fee_details(
            len: u32,
            info: &DispatchInfo,
            tip: Balance,
        ) -> FeeDetails<Balance> {
            if info.pays_fee == Pays::No {
                return FeeDetails {
                    inclusion_fee: None,
                    tip: 0,
                };
            }
            let unadjusted = Self::weight_to_fee(&info.weight);
            FeeDetails {
                inclusion_fee: Some(InclusionFee {
                    base_fee: <T as Config>::BASE_FEE,
                    len_fee: Self::length_to_fee(len),
                    adjusted_weight_fee: Self::next_fee_multiplier().saturating_mul_int(unadjusted),
                }),
                tip,
            }
        }

        /// The whole fee (tip included) of an extrinsic of `len` bytes declaring `info`: what
        /// [`Self::withdraw_fee`] must take.
        pub fn compute_fee(len: u32, info: &DispatchInfo, tip: Balance) -> Balance {
            Self::compute_fee_details(len, info, tip).final_fee()
        }

        /// Weight, class and fee without tip of an extrinsic of `len` bytes declaring `info`,
        /// for `TransactionPaymentApi_query_info` (the runtime passes a zero fee for unsigned
        /// extrinsics itself).
        pub fn query_info(len: u32, info: &DispatchInfo) -> RuntimeDispatchInfo<Balance> {
            RuntimeDispatchInfo {
                weight: info.weight,
                class: info.class,
                partial_fee: Self::compute_fee(len, info, 0),
            }
        }

        /// Read-only check that `who` could pay `fee` now, for transaction validation that must
        /// not write. `Payment` when it cannot.
        pub fn can_withdraw_fee(who: &AccountId, fee: Balance) -> Result<(), InvalidTransaction> {
            if fee == 0 {
                return Ok(());
            }
            pallet_balances::Pallet::<T>::can_withdraw(who, fee, false)
                .map_err(|_| InvalidTransaction::Payment)
        }

        /// Take `fee` from `who`'s free balance (and from total issuance) before its call runs.
        /// The payer need not stay alive: a fee may reap it, as in Substrate. `Payment` when it
        /// cannot pay (not enough free balance, locked funds, or it may not be reaped), and then
        /// nothing changed.
        pub fn withdraw_fee(who: &AccountId, fee: Balance) -> Result<(), InvalidTransaction> {
            if fee == 0 {
                return Ok(());
            }
            pallet_balances::Pallet::<T>::withdraw(who, fee, false)
                .map_err(|_| InvalidTransaction::Payment)
        }

        /// After the call ran: correct the fee to what the call really used (`actual`, the
        /// declared info with the call's post-dispatch weight and fee policy), refund the
        /// difference to `who`, and distribute the rest as [`Self::distribute_fee`] does.
        /// Returns the refund. The corrected fee never exceeds `withdrawn`; a refund the payer
        /// cannot receive (its account was reaped by the call and the refund is below the
        /// existential deposit) stays part of the fee, so nothing is created or lost.
        pub fn settle_fee(
            who: &AccountId,
            withdrawn: Balance,
            tip: Balance,
            len: u32,
            actual: &DispatchInfo,
        ) -> Balance {
            let due = Self::compute_fee(len, actual, tip).min(withdrawn);
            let refund = withdrawn.saturating_sub(due);
            let (fee, refund) = if Self::pay(who, refund) {
                (due, refund)
            } else {
                (withdrawn, 0)
            };
            Self::distribute_fee(who, fee, tip);
            refund
        }

        /// After the call ran: pay out `fee`, the amount [`Self::withdraw_fee`] took (tip
        /// included; `tip` is the part of it that was tip, and is clamped to `fee`), and emit
        /// `TransactionFeePaid` (also for a zero fee: the executive calls this for every signed
        /// extrinsic, and explorers expect the event on each).
        ///
        /// `TREASURY_PERCENT` of `fee` goes to the treasury and `BURN_PERCENT` is burned (both
        /// rounded down); the remainder goes to the block author (credited through
        /// [`Config::credit_author_fee`] when the runtime takes it, else paid), or to the
        /// treasury without one. Nothing is created: the parts add up to `fee`. A part whose recipient cannot
        /// receive it (a new account below the existential deposit) is burned instead: the
        /// author's part falls back to the treasury first.
        pub fn distribute_fee(who: &AccountId, fee: Balance, tip: Balance) -> FeeSplit {
            let split = Self::split(fee);
            let mut paid = FeeSplit {
                treasury: 0,
                burned: split.burned,
                author: 0,
            };
            let mut treasury_part = split.treasury;
            match <T as Config>::block_author() {
                Some(author)
                    if <T as Config>::credit_author_fee(&author, split.author)
                        || Self::pay(&author, split.author) =>
                {
                    paid.author = split.author
                }
                _ => treasury_part = treasury_part.saturating_add(split.author),
            }
            if Self::pay(&<T as Config>::treasury_account(), treasury_part) {
                paid.treasury = treasury_part;
            } else {
                paid.burned = paid.burned.saturating_add(treasury_part);
            }
            // Emitted for every signed extrinsic, free ones included, as Substrate does.
            Self::deposit_event(Event::TransactionFeePaid {
                who: who.clone(),
                actual_fee: fee,
                tip: tip.min(fee),
            });
            paid
        }

        /// How `fee` is split before any payment: treasury and burn shares rounded down, the
        /// author's part the exact remainder.
        pub fn split(fee: Balance) -> FeeSplit {
            let () = Self::CONFIG_IS_VALID;
            let (treasury_percent, burn_percent) = <T as Config>::fee_split();
            let treasury = mul_div_floor(fee, u128::from(treasury_percent.min(100)), 100);
            let burned =
                mul_div_floor(fee, u128::from(burn_percent), 100).min(fee.saturating_sub(treasury));
            let author = fee.saturating_sub(treasury).saturating_sub(burned);
            FeeSplit {
                treasury,
                burned,
                author,
            }
        }

        /// The pool priority of a signed extrinsic, as Substrate's `ChargeTransactionPayment`:
        /// the tip plus one, times how many extrinsics like this one would fill a block (by
        /// weight or by length, whichever is fewer), so that a tip buys the same priority per
        /// unit of block space; an operational extrinsic adds `OperationalFeeMultiplier` times
        /// its `fee`, scaled the same way. Integer arithmetic only, saturating at `u64::MAX`.
        ///
        /// Substrate bounds the length by the class's share of the block length; Basalt's
        /// system pallet knows only the whole block's limits, which it uses for every class.
        pub fn priority(info: &DispatchInfo, len: u32, tip: Balance, fee: Balance) -> u64 {
            let max_weight = <T as pallet_system::Config>::MAX_BLOCK_WEIGHT;
            let max_len = u64::from(<T as pallet_system::Config>::MAX_BLOCK_LENGTH.max(1));
            let bounded_ref = info.weight.ref_time.clamp(1, max_weight.ref_time.max(1));
            let bounded_proof = info
                .weight
                .proof_size
                .clamp(1, max_weight.proof_size.max(1));
            let per_block_by_weight =
                (max_weight.ref_time / bounded_ref).min(max_weight.proof_size / bounded_proof);
            let per_block_by_len = max_len / u64::from(len).clamp(1, max_len);
            let per_block = u128::from(per_block_by_weight.min(per_block_by_len));
            let scaled_tip = tip.saturating_add(1).saturating_mul(per_block);
            let priority = match info.class {
                DispatchClass::Normal | DispatchClass::Mandatory => scaled_tip,
                DispatchClass::Operational => {
                    let virtual_tip =
                        fee.saturating_mul(u128::from(<T as Config>::OPERATIONAL_FEE_MULTIPLIER));
                    scaled_tip.saturating_add(virtual_tip.saturating_mul(per_block))
                }
            };
            u64::try_from(priority).unwrap_or(u64::MAX)
        }

        /// Pay `amount` to `to` (creating its account if need be), all or nothing; `false` when
        /// it cannot receive it. Zero is always paid.
        fn pay(to: &AccountId, amount: Balance) -> bool {
            amount == 0
                || io::with_transaction(|| {
                    pallet_balances::Pallet::<T>::deposit_creating(to, amount)
                })
                .is_ok()
        }

        /// Deposit one of this pallet's events in `System.Events`.
        fn deposit_event(event: Event) {
            pallet_system::Pallet::<T>::deposit_event_of(<T as Config>::INDEX, &event);
        }
    }

    impl<T: Config> basalt_support::genesis::BuildGenesis for Pallet<T> {
        type Config = ();

        /// Write the multiplier's initial value (one) at genesis, as Substrate does, so the
        /// item is present in state from block 0.
        fn build_genesis(_: &()) -> basalt_support::DispatchResult {
            NextFeeMultiplier::put(Multiplier::ONE);
            Ok(())
        }
    }

    impl<T: Config> Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "TransactionPayment",
                storage: Some(storage_metadata()),
                calls: None,
                event: Some(meta_type::<Event>()),
                error: None,
                constants: vec![
                    constant(
                        "OperationalFeeMultiplier",
                        <T as Config>::OPERATIONAL_FEE_MULTIPLIER,
                        &[
                            " A fee multiplier for `Operational` extrinsics to compute \"virtual tip\" to boost their",
                            " `priority`",
                        ],
                    ),
                    constant("BaseFee", <T as Config>::BASE_FEE, &[" The fee of every extrinsic, whatever its call."]),
                    constant("ByteFee", <T as Config>::BYTE_FEE, &[" The fee per encoded byte of an extrinsic."]),
                    constant(
                        "TreasuryPercent",
                        <T as Config>::TREASURY_PERCENT,
                        &[" Percentage of every fee (tip included) paid to the treasury."],
                    ),
                    constant(
                        "BurnPercent",
                        <T as Config>::BURN_PERCENT,
                        &[" Percentage of every fee (tip included) burned; the rest goes to the block author."],
                    ),
                ],
                docs: vec![" Fees by weight and length plus tip; the treasury, burn and author split."],
            }
        }
    }
}
