//! The marketplace: listings, purchases, offers and their expiry, and the one place a sale is
//! executed, so that every sale splits the same way and completes whole or not at all.

use crate::pallet::*;
use crate::royalty::{self, SaleSplit};
use crate::types::*;
use crate::weights;
use basalt_support::state::io::with_transaction;
use basalt_support::{
    ensure, AccountId, Balance, BlockNumber, DispatchError, DispatchResult, Weight,
};

/// Where a payment comes from.
pub(crate) enum Payer<'a> {
    /// The account's free balance (a purchase, a fallback fee).
    Free(&'a AccountId),
    /// The account's offer hold (an accepted offer).
    Held(&'a AccountId),
}

impl<T: Config> Pallet<T> {
    /// Pays `amount` from `payer` to `to`. Kept alive: a purchase never reaps the buyer.
    fn pay(payer: &Payer, to: &AccountId, amount: Balance) -> DispatchResult {
        match payer {
            Payer::Free(from) => Balances::<T>::transfer(from, to, amount, true),
            Payer::Held(from) => Balances::<T>::transfer_on_hold(&OFFER_HOLD, from, to, amount),
        }
    }

    /// Where a payment of `amount` meant for `to` goes: `to`, or the treasury when it is too
    /// small to open `to`'s account (so that a creator's dead account cannot block its
    /// collection's sales).
    fn payee(to: &AccountId, amount: Balance) -> AccountId {
        let ed = <T as pallet_balances::Config>::EXISTENTIAL_DEPOSIT;
        if amount < ed && Balances::<T>::total_balance(to) == 0 {
            T::treasury_account()
        } else {
            to.clone()
        }
    }

    /// Pays each royalty part and reports it.
    pub(crate) fn pay_royalty(
        collection: CollectionId,
        item: ItemId,
        payer: &Payer,
        parts: &[(AccountId, Balance)],
    ) -> DispatchResult {
        for (who, amount) in parts.iter().filter(|(_, a)| *a > 0) {
            let recipient = Self::payee(who, *amount);
            Self::pay(payer, &recipient, *amount)?;
            Self::deposit_event(Event::RoyaltyPaid {
                collection,
                item,
                recipient,
                amount: *amount,
            });
        }
        Ok(())
    }

    /// How a sale of an item of `details` at `price` splits, or `PriceBelowRoyaltyFloor`.
    fn split(details: &CollectionDetails, price: Balance) -> Result<SaleSplit, DispatchError> {
        royalty::split_sale(
            price,
            details.config.royalty.as_ref(),
            T::market_fee(),
            T::MIN_ROYALTY,
        )
        .ok_or_else(|| Error::<T>::PriceBelowRoyaltyFloor.into())
    }

    /// Sells `item` to `buyer` at `price`, paid by `payer`: the royalty, the market fee, the
    /// seller's part, then the change of owner. The caller runs it in a transaction.
    fn execute_sale(
        collection: CollectionId,
        item: ItemId,
        found: ItemDetails,
        buyer: AccountId,
        price: Balance,
        payer: Payer,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        let split = Self::split(&details, price)?;
        let seller = found.owner.clone();
        Self::pay_royalty(collection, item, &payer, &split.royalty)?;
        Self::pay(&payer, &T::treasury_account(), split.market_fee)?;
        Self::pay(&payer, &Self::payee(&seller, split.seller), split.seller)?;
        Self::move_item(collection, item, found, buyer.clone());
        Self::deposit_event(Event::ItemBought {
            collection,
            item,
            price,
            seller,
            buyer,
            royalty: split.royalty_total(),
            market_fee: split.market_fee,
            seller_amount: split.seller,
        });
        Ok(())
    }

    pub(crate) fn do_set_price(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        price: Option<Balance>,
        whitelisted_buyer: Option<AccountId>,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        let found = Self::item(collection, item)?;
        ensure!(found.owner == who, Error::<T>::NoPermission);
        let Some(price) = price else {
            ItemPriceOf::remove(collection, item);
            Self::deposit_event(Event::ItemPriceRemoved { collection, item });
            return Ok(());
        };
        Self::split(&details, price)?;
        ItemPriceOf::insert(
            collection,
            item,
            Listing {
                price,
                whitelisted_buyer: whitelisted_buyer.clone(),
            },
        );
        Self::deposit_event(Event::ItemPriceSet {
            collection,
            item,
            price,
            whitelisted_buyer,
        });
        Ok(())
    }

    pub(crate) fn do_buy_item(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        bid_price: Balance,
    ) -> DispatchResult {
        let found = Self::item(collection, item)?;
        let listing = ItemPriceOf::get(collection, item).ok_or(Error::<T>::NotForSale)?;
        ensure!(found.owner != who, Error::<T>::BuyerIsOwner);
        ensure!(
            listing.whitelisted_buyer.as_ref().is_none_or(|b| *b == who),
            Error::<T>::NotWhitelistedBuyer
        );
        ensure!(bid_price >= listing.price, Error::<T>::BidTooLow);
        with_transaction(|| {
            Self::execute_sale(
                collection,
                item,
                found,
                who.clone(),
                listing.price,
                Payer::Free(&who),
            )
        })
    }

    pub(crate) fn do_place_offer(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        amount: Balance,
        duration: BlockNumber,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        let found = Self::item(collection, item)?;
        ensure!(found.owner != who, Error::<T>::BuyerIsOwner);
        ensure!(amount >= T::MIN_OFFER, Error::<T>::OfferTooSmall);
        ensure!(
            duration >= 1 && duration <= T::MAX_OFFER_DURATION,
            Error::<T>::BadOfferDuration
        );
        Self::split(&details, amount)?;
        let expires_at = System::<T>::block_number().saturating_add(duration);
        with_transaction(|| {
            let mut offers = Offers::get(collection, item);
            if let Some(i) = offers.iter().position(|o| o.bidder == who) {
                Self::withdraw_offer(collection, item, &mut offers, i, OfferEnd::Replaced)?;
            }
            if offers.len() >= MAX_OFFERS_PER_ITEM as usize {
                let (lowest, low) = offers
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, o)| o.amount)
                    .map(|(i, o)| (i, o.amount))
                    .ok_or(Error::<T>::OfferTooLow)?;
                ensure!(amount > low, Error::<T>::OfferTooLow);
                Self::withdraw_offer(collection, item, &mut offers, lowest, OfferEnd::Outbid)?;
            }
            let mut expiring = OfferExpiries::get(expires_at);
            expiring
                .try_push((collection, item, who.clone()))
                .map_err(|_| Error::<T>::TooManyExpiries)?;
            OfferExpiries::insert(expires_at, &expiring);
            Balances::<T>::hold(&OFFER_HOLD, &who, amount)?;
            offers
                .try_push(Offer {
                    bidder: who.clone(),
                    amount,
                    expires_at,
                })
                .map_err(|_| Error::<T>::OfferTooLow)?;
            Offers::insert(collection, item, &offers);
            Self::deposit_event(Event::OfferPlaced {
                collection,
                item,
                bidder: who,
                amount,
                expires_at,
            });
            Ok(())
        })
    }

    /// Removes offer `i` from `offers` (the caller stores them), takes it off its expiry
    /// block, releases its amount and reports why.
    fn withdraw_offer(
        collection: CollectionId,
        item: ItemId,
        offers: &mut BoundedOffers,
        i: usize,
        reason: OfferEnd,
    ) -> DispatchResult {
        let offer = offers.remove(i).ok_or(Error::<T>::UnknownOffer)?;
        Self::unschedule_expiry(collection, item, &offer);
        Balances::<T>::release(&OFFER_HOLD, &offer.bidder, offer.amount)?;
        Self::deposit_event(Event::OfferWithdrawn {
            collection,
            item,
            bidder: offer.bidder,
            amount: offer.amount,
            reason,
        });
        Ok(())
    }

    /// Takes `offer` off the list of offers expiring at its block.
    fn unschedule_expiry(collection: CollectionId, item: ItemId, offer: &Offer) {
        OfferExpiries::mutate_exists(offer.expires_at, |entries| {
            if let Some(list) = entries {
                list.retain(|(c, i, b)| !(*c == collection && *i == item && *b == offer.bidder));
                if list.is_empty() {
                    *entries = None;
                }
            }
        });
    }

    pub(crate) fn do_cancel_offer(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
    ) -> DispatchResult {
        let mut offers = Offers::get(collection, item);
        let i = offers
            .iter()
            .position(|o| o.bidder == who)
            .ok_or(Error::<T>::UnknownOffer)?;
        with_transaction(|| {
            Self::withdraw_offer(collection, item, &mut offers, i, OfferEnd::Cancelled)?;
            Self::store_offers(collection, item, offers);
            Ok(())
        })
    }

    pub(crate) fn do_accept_offer(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        bidder: AccountId,
        amount: Balance,
    ) -> DispatchResult {
        let found = Self::item(collection, item)?;
        ensure!(found.owner == who, Error::<T>::NoPermission);
        let mut offers = Offers::get(collection, item);
        let i = offers
            .iter()
            .position(|o| o.bidder == bidder)
            .ok_or(Error::<T>::UnknownOffer)?;
        let offer = offers.remove(i).ok_or(Error::<T>::UnknownOffer)?;
        ensure!(offer.amount == amount, Error::<T>::OfferChanged);
        // An offer past its last block is released by the next block's hook; until then it
        // cannot be accepted.
        ensure!(
            System::<T>::block_number() <= offer.expires_at,
            Error::<T>::UnknownOffer
        );
        with_transaction(|| {
            Self::unschedule_expiry(collection, item, &offer);
            Self::store_offers(collection, item, offers);
            Self::execute_sale(
                collection,
                item,
                found,
                bidder.clone(),
                amount,
                Payer::Held(&bidder),
            )
        })
    }

    /// Stores an item's offers, removing the entry when none are left.
    fn store_offers(collection: CollectionId, item: ItemId, offers: BoundedOffers) {
        if offers.is_empty() {
            Offers::remove(collection, item);
        } else {
            Offers::insert(collection, item, &offers);
        }
    }

    /// Releases every offer on an item that is being burned.
    pub(crate) fn release_all_offers(collection: CollectionId, item: ItemId) -> DispatchResult {
        let mut offers = Offers::take(collection, item);
        while !offers.is_empty() {
            Self::withdraw_offer(collection, item, &mut offers, 0, OfferEnd::ItemBurned)?;
        }
        Ok(())
    }

    /// Releases the offers whose last block was `n - 1`; returns the weight used.
    pub(crate) fn expire_offers(n: BlockNumber) -> Weight {
        let due = OfferExpiries::take(n.saturating_sub(1));
        let mut used = weights::expiry_overhead();
        for (collection, item, bidder) in due.iter() {
            used = used.saturating_add(weights::expire_offer());
            let mut offers = Offers::get(*collection, *item);
            let Some(i) = offers.iter().position(|o| o.bidder == *bidder) else {
                continue;
            };
            // A failed release (which valid state cannot produce) leaves the offer in place,
            // for its bidder to cancel.
            let _ = with_transaction(|| {
                Self::withdraw_offer(*collection, *item, &mut offers, i, OfferEnd::Expired)?;
                Self::store_offers(*collection, *item, offers.clone());
                Ok::<(), DispatchError>(())
            });
        }
        used
    }
}

/// An item's open offers.
pub(crate) type BoundedOffers = basalt_support::BoundedVec<Offer, MAX_OFFERS_PER_ITEM>;
