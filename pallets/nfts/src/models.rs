//! Model NFTs: an item's usage fee, and the [`ModelRegistry`] through which compute
//! settlement pays it to whoever owns the item when a job that used it settles.

use crate::pallet::*;
use crate::types::*;
use basalt_support::models::ModelRegistry;
use basalt_support::{ensure, AccountId, Balance, DispatchResult};

impl<T: Config> Pallet<T> {
    pub(crate) fn do_set_usage_fee(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        fee: Balance,
    ) -> DispatchResult {
        let found = Self::item(collection, item)?;
        ensure!(found.owner == who, Error::<T>::NoPermission);
        ensure!(fee <= T::MAX_USAGE_FEE, Error::<T>::UsageFeeTooHigh);
        ensure!(
            fee == 0 || fee >= <T as pallet_balances::Config>::EXISTENTIAL_DEPOSIT,
            Error::<T>::UsageFeeBelowMinimum
        );
        let now = System::<T>::block_number();
        let current = UsageFees::get(collection, item).at(now);
        let (record, effective_from) = if fee <= current {
            (UsageFee { fee, pending: None }, now)
        } else {
            let from = now.saturating_add(T::USAGE_FEE_DELAY);
            let record = UsageFee {
                fee: current,
                pending: Some((fee, from)),
            };
            (record, from)
        };
        UsageFees::insert(collection, item, &record);
        Self::deposit_event(Event::UsageFeeSet {
            collection,
            item,
            fee,
            effective_from,
        });
        Ok(())
    }
}

impl<T: Config> ModelRegistry for Pallet<T> {
    fn owner(model: &ModelId) -> Option<AccountId> {
        Item::get(model.0, model.1).map(|i| i.owner)
    }

    fn usage_fee(model: &ModelId) -> Balance {
        if !Item::contains_key(model.0, model.1) {
            return 0;
        }
        UsageFees::get(model.0, model.1).at(System::<T>::block_number())
    }

    fn note_usage(model: &ModelId, owner: &AccountId, amount: Balance) {
        ModelUsage::mutate(model.0, model.1, |e| {
            e.jobs = e.jobs.saturating_add(1);
            e.earned = e.earned.saturating_add(amount);
        });
        Self::deposit_event(Event::UsageFeePaid {
            collection: model.0,
            item: model.1,
            owner: owner.clone(),
            amount,
        });
    }
}
