//! # Preimage pallet: calls noted by hash, for proposals too long to carry inline
//!
//! As Substrate's pallet-preimage (its call names, call and event indices and records): anyone
//! notes the bytes of a call (or of a referendum's description) with a deposit; a referendum
//! names it by hash and length and keeps it requested until it ends; the noter takes the bytes
//! and the deposit back once nobody requests them.
//!
//! ## Rules
//! - `note_preimage(bytes)`: at most `MaxSize` bytes; holds `BaseDeposit + ByteDeposit x len`
//!   from a signed noter; root notes for free, and its preimage counts as requested once (root
//!   clears it with `unrequest_preimage`); a preimage that is requested but not yet noted is
//!   noted for free. Noting one already noted fails (`AlreadyNoted`).
//! - `unnote_preimage(hash)`: by its noter (or root) while nobody requests it; releases the
//!   deposit and clears the bytes.
//! - `request_preimage(hash)` / `unrequest_preimage(hash)`: root; requests are counted, and the
//!   referenda pallet requests and unrequests through [`QueryPreimage`] as well. A requested
//!   preimage cannot be unnoted. When the last request goes, a deposit-backed preimage goes
//!   back to its noter's control; one noted for free is cleared.
//!
//! Value is conserved: deposits are holds, released only to their noter.
//!
//! Differences from pallet-preimage, and why: the deposit is a plain held amount (no
//! `Consideration` ticket type), and `ensure_updated` (index 4, a migration helper for the old
//! storage layout) is absent, as there is no old layout.

pub use pallet::*;

#[cfg(test)]
mod tests;

/// The hold on preimage deposits.
pub const PREIMAGE_HOLD: pallet_balances::HoldReason = *b"preimage";

/// The pallet: configuration, storage, events, errors and calls.
pub mod pallet {
    use super::*;
    use basalt_support::governance::QueryPreimage;
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::storage::{Identity, OptionQuery};
    use basalt_support::weight_v2::constants::{reads_writes, MICROS};
    use basalt_support::{AccountId, Balance, BoundedVec, DispatchResult, Origin, Weight, H256};
    use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    type System<T> = pallet_system::Pallet<T>;
    type Balances<T> = pallet_balances::Pallet<T>;

    /// The longest preimage, in bytes: the longest call the scheduler can hold to enact.
    pub const MAX_SIZE: u32 = basalt_support::dispatch::MAX_STORED_CALL_LEN;

    /// A preimage's bytes.
    pub type PreimageBytes = BoundedVec<u8, MAX_SIZE>;

    /// What the runtime tells the preimage pallet.
    pub trait Config: pallet_balances::Config {
        /// This pallet's index in the runtime; its events and errors carry it.
        const INDEX: u8;
        /// The deposit of any preimage.
        const BASE_DEPOSIT: Balance;
        /// The deposit per byte.
        const BYTE_DEPOSIT: Balance;
    }

    /// Who noted a preimage and what they hold for it.
    pub type Ticket = (AccountId, Balance);

    /// Whether a preimage is requested (`pallet_preimage::RequestStatus`).
    #[derive(
        Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
    )]
    pub enum RequestStatus {
        /// Noted with a deposit; nobody requests it.
        #[codec(index = 0)]
        Unrequested {
            /// The noter and its deposit.
            ticket: Ticket,
            /// The preimage's length.
            len: u32,
        },
        /// Requested `count` times; noted if `maybe_len` is set.
        #[codec(index = 1)]
        Requested {
            /// The noter and its deposit, if noted with one.
            maybe_ticket: Option<Ticket>,
            /// How many requests stand.
            count: u32,
            /// The preimage's length, once noted.
            maybe_len: Option<u32>,
        },
    }

    /// The preimage pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Preimage";
        /// Each preimage's request status.
        pub RequestStatusFor: StorageMap<Identity, H256, RequestStatus, OptionQuery>;
        /// Each noted preimage's bytes, by hash and length.
        pub PreimageFor: StorageMap<Identity, (H256, u32), PreimageBytes, OptionQuery>;
    }

    /// Events of the preimage pallet, at pallet-preimage's indices.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A preimage was noted.
        #[codec(index = 0)]
        Noted {
            /// Its hash.
            hash: H256,
        },
        /// A preimage was requested.
        #[codec(index = 1)]
        Requested {
            /// Its hash.
            hash: H256,
        },
        /// A preimage was cleared.
        #[codec(index = 2)]
        Cleared {
            /// Its hash.
            hash: H256,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the preimage pallet, with pallet-preimage's names.
        pub enum Error<T: Config> {
            /// Longer than `MaxSize`.
            TooBig,
            /// Already noted.
            AlreadyNoted,
            /// Only its noter (or root) may unnote it.
            NotAuthorized,
            /// Not noted.
            NotNoted,
            /// Requested: it cannot be unnoted.
            Requested,
            /// Not requested.
            NotRequested,
        }
    }

    /// `note_preimage` of `len` bytes: hashing, the status, the bytes, the hold.
    pub const fn note_weight(len: u64) -> Weight {
        reads_writes(3, 4)
            .saturating_add(Weight::from_ref_time(15 * MICROS))
            .saturating_add(Weight::from_ref_time(len.saturating_mul(MICROS / 100)))
    }

    /// `unnote_preimage`, `request_preimage`, `unrequest_preimage`: the status, the bytes, the
    /// hold.
    pub const fn status_weight() -> Weight {
        reads_writes(3, 4).saturating_add(Weight::from_ref_time(15 * MICROS))
    }

    /// Calls of the preimage pallet, at pallet-preimage's indices.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Note `bytes` as a preimage, holding its deposit (free for root, or when requested).
        #[pallet::call_index(0)]
        #[pallet::weight(note_weight(bytes.len() as u64))]
        pub fn note_preimage(
            origin: Origin,
            /// The bytes (an encoded call, usually).
            bytes: Vec<u8>,
        ) -> DispatchResult {
            let noter = match origin {
                Origin::Root => None,
                other => Some(other.ensure_signed()?),
            };
            let len = u32::try_from(bytes.len()).map_err(|_| Error::<T>::TooBig)?;
            let bytes = PreimageBytes::new(bytes).ok_or(Error::<T>::TooBig)?;
            let hash = H256(basalt_support::primitives::hashing::blake2_256(
                bytes.as_slice(),
            ));
            let status = match RequestStatusFor::get(hash) {
                Some(RequestStatus::Unrequested { .. })
                | Some(RequestStatus::Requested {
                    maybe_len: Some(_), ..
                }) => return Err(Error::<T>::AlreadyNoted.into()),
                Some(RequestStatus::Requested {
                    maybe_ticket,
                    count,
                    maybe_len: None,
                }) => RequestStatus::Requested {
                    maybe_ticket,
                    count,
                    maybe_len: Some(len),
                },
                None => match noter {
                    Some(who) => {
                        let deposit = Self::deposit_for(len);
                        Balances::<T>::hold(&PREIMAGE_HOLD, &who, deposit)?;
                        RequestStatus::Unrequested {
                            ticket: (who, deposit),
                            len,
                        }
                    }
                    None => RequestStatus::Requested {
                        maybe_ticket: None,
                        count: 1,
                        maybe_len: Some(len),
                    },
                },
            };
            RequestStatusFor::insert(hash, status);
            PreimageFor::insert((hash, len), bytes);
            Self::deposit_event(Event::Noted { hash });
            Ok(())
        }

        /// Clear a preimage nobody requests and release its deposit. By its noter, or root.
        #[pallet::call_index(1)]
        #[pallet::weight(status_weight())]
        pub fn unnote_preimage(
            origin: Origin,
            /// The preimage's hash.
            hash: H256,
        ) -> DispatchResult {
            let caller = match origin {
                Origin::Root => None,
                other => Some(other.ensure_signed()?),
            };
            match RequestStatusFor::get(hash).ok_or(Error::<T>::NotNoted)? {
                RequestStatus::Unrequested {
                    ticket: (who, deposit),
                    len,
                } => {
                    if caller.as_ref().is_some_and(|c| *c != who) {
                        return Err(Error::<T>::NotAuthorized.into());
                    }
                    Balances::<T>::release(&PREIMAGE_HOLD, &who, deposit)?;
                    Self::clear(hash, Some(len));
                    Ok(())
                }
                RequestStatus::Requested {
                    maybe_len: Some(_), ..
                } => Err(Error::<T>::Requested.into()),
                RequestStatus::Requested {
                    maybe_len: None, ..
                } => Err(Error::<T>::NotNoted.into()),
            }
        }

        /// Request a preimage (noted or not), so that it is kept. Root.
        #[pallet::call_index(2)]
        #[pallet::weight(status_weight())]
        pub fn request_preimage(
            origin: Origin,
            /// The preimage's hash.
            hash: H256,
        ) -> DispatchResult {
            origin.ensure_root()?;
            Self::do_request(&hash);
            Ok(())
        }

        /// Withdraw one request for a preimage. Root.
        #[pallet::call_index(3)]
        #[pallet::weight(status_weight())]
        pub fn unrequest_preimage(
            origin: Origin,
            /// The preimage's hash.
            hash: H256,
        ) -> DispatchResult {
            origin.ensure_root()?;
            Self::do_unrequest(&hash)
        }
    }

    impl<T: Config> Pallet<T> {
        /// The deposit for a preimage of `len` bytes.
        pub fn deposit_for(len: u32) -> Balance {
            T::BASE_DEPOSIT.saturating_add(T::BYTE_DEPOSIT.saturating_mul(Balance::from(len)))
        }

        fn do_request(hash: &H256) {
            let status = match RequestStatusFor::get(hash) {
                None => RequestStatus::Requested {
                    maybe_ticket: None,
                    count: 1,
                    maybe_len: None,
                },
                Some(RequestStatus::Unrequested { ticket, len }) => RequestStatus::Requested {
                    maybe_ticket: Some(ticket),
                    count: 1,
                    maybe_len: Some(len),
                },
                Some(RequestStatus::Requested {
                    maybe_ticket,
                    count,
                    maybe_len,
                }) => RequestStatus::Requested {
                    maybe_ticket,
                    count: count.saturating_add(1),
                    maybe_len,
                },
            };
            RequestStatusFor::insert(hash, status);
            Self::deposit_event(Event::Requested { hash: *hash });
        }

        fn do_unrequest(hash: &H256) -> DispatchResult {
            match RequestStatusFor::get(hash) {
                Some(RequestStatus::Requested {
                    maybe_ticket,
                    count,
                    maybe_len,
                }) if count > 1 => {
                    RequestStatusFor::insert(
                        hash,
                        RequestStatus::Requested {
                            maybe_ticket,
                            count: count.saturating_sub(1),
                            maybe_len,
                        },
                    );
                }
                Some(RequestStatus::Requested {
                    maybe_ticket: Some(ticket),
                    maybe_len: Some(len),
                    ..
                }) => {
                    RequestStatusFor::insert(hash, RequestStatus::Unrequested { ticket, len });
                }
                Some(RequestStatus::Requested {
                    maybe_ticket: _,
                    maybe_len,
                    count: 1,
                }) => {
                    Self::clear(*hash, maybe_len);
                }
                _ => return Err(Error::<T>::NotRequested.into()),
            }
            Ok(())
        }

        /// Removes a preimage's bytes (if noted) and status.
        fn clear(hash: H256, len: Option<u32>) {
            if let Some(len) = len {
                PreimageFor::remove((hash, len));
            }
            RequestStatusFor::remove(hash);
            Self::deposit_event(Event::Cleared { hash });
        }

        fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> QueryPreimage for Pallet<T> {
        fn fetch(hash: &H256, len: u32) -> Option<Vec<u8>> {
            PreimageFor::get((*hash, len)).map(|b| b.into_inner())
        }
        fn request(hash: &H256) {
            Self::do_request(hash)
        }
        fn unrequest(hash: &H256) {
            let _ = Self::do_unrequest(hash);
        }
    }

    impl<T: Config> Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Preimage",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("MaxSize", MAX_SIZE, &[" The longest preimage, in bytes."]),
                    constant(
                        "BaseDeposit",
                        T::BASE_DEPOSIT,
                        &[" The deposit of any preimage."],
                    ),
                    constant("ByteDeposit", T::BYTE_DEPOSIT, &[" The deposit per byte."]),
                ],
                docs: vec![
                    " Calls (and referendum descriptions) noted by hash with a deposit, kept while",
                    " governance requests them.",
                ],
            }
        }
    }
}
