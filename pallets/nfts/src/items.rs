//! Collections and items: creating, minting, burning, giving away, approving, metadata and
//! attributes, with the deposits that pay for their storage.

use crate::market::Payer;
use crate::pallet::*;
use crate::royalty::{self, RoyaltyError};
use crate::types::*;
use basalt_support::state::io::with_transaction;
use basalt_support::{
    ensure, AccountId, Balance, BlockNumber, DispatchError, DispatchResult, H256,
};

impl<T: Config> Pallet<T> {
    /// The collection `id`, or `UnknownCollection`.
    pub(crate) fn collection(id: CollectionId) -> Result<CollectionDetails, DispatchError> {
        Collection::get(id).ok_or_else(|| Error::<T>::UnknownCollection.into())
    }

    /// The item `item` of `collection`, or `UnknownItem`.
    pub(crate) fn item(
        collection: CollectionId,
        item: ItemId,
    ) -> Result<ItemDetails, DispatchError> {
        Item::get(collection, item).ok_or_else(|| Error::<T>::UnknownItem.into())
    }

    /// Holds `amount` from `who` as a deposit.
    fn hold_deposit(who: &AccountId, amount: Balance) -> Result<Deposit, DispatchError> {
        Balances::<T>::hold(&DEPOSIT_HOLD, who, amount)?;
        Ok(Deposit {
            account: who.clone(),
            amount,
        })
    }

    /// Returns a deposit to the account that paid it.
    pub(crate) fn release_deposit(deposit: &Deposit) -> DispatchResult {
        Balances::<T>::release(&DEPOSIT_HOLD, &deposit.account, deposit.amount).map(|_| ())
    }

    /// `base + DEPOSIT_PER_BYTE x bytes`.
    fn deposit_for(base: Balance, bytes: usize) -> Result<Balance, DispatchError> {
        T::DEPOSIT_PER_BYTE
            .checked_mul(bytes as Balance)
            .and_then(|b| b.checked_add(base))
            .ok_or_else(|| Error::<T>::Overflow.into())
    }

    pub(crate) fn do_create(
        who: AccountId,
        admin: AccountId,
        config: CollectionConfig,
    ) -> DispatchResult {
        if let Some(r) = &config.royalty {
            royalty::check_royalty(r, T::MAX_ROYALTY, T::MIN_ROYALTY).map_err(|e| match e {
                RoyaltyError::BadRate => Error::<T>::BadRoyaltyRate,
                RoyaltyError::BadShares => Error::<T>::BadRoyaltyShares,
                RoyaltyError::DuplicateRecipient => Error::<T>::DuplicateRoyaltyRecipient,
                RoyaltyError::FallbackBelowMinimum => Error::<T>::FallbackFeeTooLow,
            })?;
        }
        let id = NextCollectionId::get();
        let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
        with_transaction(|| {
            let deposit = Self::hold_deposit(&who, T::COLLECTION_DEPOSIT)?;
            Collection::insert(
                id,
                CollectionDetails {
                    owner: who.clone(),
                    admin: admin.clone(),
                    owner_deposit: deposit.amount,
                    items: 0,
                    attributes: 0,
                    config,
                },
            );
            NextCollectionId::put(next);
            Self::deposit_event(Event::Created {
                collection: id,
                creator: who,
                owner: admin,
            });
            Ok(())
        })
    }

    pub(crate) fn do_destroy(who: AccountId, id: CollectionId) -> DispatchResult {
        let details = Self::collection(id)?;
        ensure!(details.owner == who, Error::<T>::NoPermission);
        ensure!(details.items == 0, Error::<T>::CollectionNotEmpty);
        with_transaction(|| {
            Self::clear_attributes((id, None))?;
            if let Some(metadata) = CollectionMetadataOf::take(id) {
                Self::release_deposit(&metadata.deposit)?;
            }
            Balances::<T>::release(&DEPOSIT_HOLD, &details.owner, details.owner_deposit)?;
            Collection::remove(id);
            Self::deposit_event(Event::Destroyed { collection: id });
            Ok(())
        })
    }

    pub(crate) fn do_mint(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        owner: AccountId,
    ) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        ensure!(
            details.config.mint_type == MintType::Public || details.admin == who,
            Error::<T>::NoPermission
        );
        ensure!(
            !Item::contains_key(collection, item),
            Error::<T>::AlreadyExists
        );
        ensure!(
            details
                .config
                .max_supply
                .is_none_or(|max| details.items < max),
            Error::<T>::MaxSupplyReached
        );
        details.items = details.items.checked_add(1).ok_or(Error::<T>::Overflow)?;
        with_transaction(|| {
            let deposit = Self::hold_deposit(&who, T::ITEM_DEPOSIT)?;
            Item::insert(
                collection,
                item,
                ItemDetails {
                    owner: owner.clone(),
                    approval: None,
                    deposit,
                    attributes: 0,
                    moved: false,
                },
            );
            Account::insert(&owner, (collection, item), ());
            Collection::insert(collection, &details);
            Self::deposit_event(Event::Issued {
                collection,
                item,
                owner,
            });
            Ok(())
        })
    }

    pub(crate) fn do_burn(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
    ) -> DispatchResult {
        let mut details = Self::collection(collection)?;
        let found = Self::item(collection, item)?;
        ensure!(found.owner == who, Error::<T>::NoPermission);
        details.items = details.items.saturating_sub(1);
        with_transaction(|| {
            Self::release_all_offers(collection, item)?;
            Self::clear_attributes((collection, Some(item)))?;
            if let Some(metadata) = ItemMetadataOf::take(collection, item) {
                Self::release_deposit(&metadata.deposit)?;
            }
            Self::release_deposit(&found.deposit)?;
            ItemPriceOf::remove(collection, item);
            UsageFees::remove(collection, item);
            ModelUsage::remove(collection, item);
            Account::remove(&found.owner, (collection, item));
            Item::remove(collection, item);
            Collection::insert(collection, &details);
            Self::deposit_event(Event::Burned {
                collection,
                item,
                owner: found.owner,
            });
            Ok(())
        })
    }

    /// Whether `who` may move `item` now: its owner, or its delegate before the deadline.
    fn may_move(item: &ItemDetails, who: &AccountId, now: BlockNumber) -> bool {
        item.owner == *who
            || item
                .approval
                .as_ref()
                .is_some_and(|a| a.delegate == *who && a.deadline.is_none_or(|d| now <= d))
    }

    pub(crate) fn do_transfer(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        dest: AccountId,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        let found = Self::item(collection, item)?;
        ensure!(
            Self::may_move(&found, &who, System::<T>::block_number()),
            Error::<T>::NoPermission
        );
        with_transaction(|| {
            if let Some(r) = &details.config.royalty {
                let fee = r.fallback_fee.ok_or(Error::<T>::TransferRequiresSale)?;
                let parts = royalty::share(fee, &r.recipients);
                Self::pay_royalty(collection, item, &Payer::Free(&who), &parts)?;
                Self::deposit_event(Event::FallbackFeePaid {
                    collection,
                    item,
                    payer: who.clone(),
                    amount: fee,
                });
            }
            Self::move_item(collection, item, found, dest);
            Ok(())
        })
    }

    /// Gives `item` to `to`: clears its approval and listing, freezes its metadata, and
    /// updates the owners' indexes. Every change of owner goes through here.
    pub(crate) fn move_item(
        collection: CollectionId,
        item: ItemId,
        mut details: ItemDetails,
        to: AccountId,
    ) {
        let from = details.owner.clone();
        Account::remove(&from, (collection, item));
        Account::insert(&to, (collection, item), ());
        ItemPriceOf::remove(collection, item);
        details.owner = to.clone();
        details.approval = None;
        details.moved = true;
        Item::insert(collection, item, &details);
        Self::deposit_event(Event::Transferred {
            collection,
            item,
            from,
            to,
        });
    }

    pub(crate) fn do_approve(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        delegate: AccountId,
        maybe_deadline: Option<BlockNumber>,
    ) -> DispatchResult {
        let mut found = Self::item(collection, item)?;
        ensure!(found.owner == who, Error::<T>::NoPermission);
        let now = System::<T>::block_number();
        let deadline = maybe_deadline.map(|d| now.saturating_add(d));
        found.approval = Some(Approval {
            delegate: delegate.clone(),
            deadline,
        });
        Item::insert(collection, item, &found);
        Self::deposit_event(Event::TransferApproved {
            collection,
            item,
            owner: who,
            delegate,
            deadline,
        });
        Ok(())
    }

    pub(crate) fn do_cancel_approval(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        delegate: AccountId,
    ) -> DispatchResult {
        let mut found = Self::item(collection, item)?;
        ensure!(found.owner == who, Error::<T>::NoPermission);
        ensure!(
            found
                .approval
                .as_ref()
                .is_some_and(|a| a.delegate == delegate),
            Error::<T>::NotDelegate
        );
        found.approval = None;
        Item::insert(collection, item, &found);
        Self::deposit_event(Event::ApprovalCancelled {
            collection,
            item,
            owner: who,
            delegate,
        });
        Ok(())
    }

    /// Checks that `who` may set or clear attributes of `namespace` on the collection or
    /// item; returns the collection and the item.
    fn attribute_target(
        who: &AccountId,
        collection: CollectionId,
        maybe_item: Option<ItemId>,
        namespace: &AttributeNamespace,
    ) -> Result<(CollectionDetails, Option<ItemDetails>), DispatchError> {
        let details = Self::collection(collection)?;
        let item = maybe_item.map(|i| Self::item(collection, i)).transpose()?;
        let allowed = match (namespace, &item) {
            (AttributeNamespace::CollectionOwner, _) => details.owner == *who,
            (AttributeNamespace::ItemOwner, Some(item)) => item.owner == *who,
            (AttributeNamespace::ItemOwner, None) => false,
            _ => return Err(Error::<T>::UnsupportedNamespace.into()),
        };
        ensure!(allowed, Error::<T>::NoPermission);
        Ok((details, item))
    }

    pub(crate) fn do_set_attribute(
        who: AccountId,
        collection: CollectionId,
        maybe_item: Option<ItemId>,
        namespace: AttributeNamespace,
        key: AttributeKey,
        value: Data,
    ) -> DispatchResult {
        let (mut details, mut item) =
            Self::attribute_target(&who, collection, maybe_item, &namespace)?;
        let map_key = (namespace.clone(), key.clone());
        let old = Attribute::get((collection, maybe_item), &map_key);
        if old.is_none() {
            let count = match &mut item {
                Some(i) => &mut i.attributes,
                None => &mut details.attributes,
            };
            ensure!(*count < MAX_ATTRIBUTES, Error::<T>::TooManyAttributes);
            *count = count.saturating_add(1);
        }
        let amount = Self::deposit_for(
            T::ATTRIBUTE_DEPOSIT_BASE,
            key.len().saturating_add(value.len()),
        )?;
        with_transaction(|| {
            if let Some(old) = old {
                Self::release_deposit(&old.deposit)?;
            }
            let deposit = Self::hold_deposit(&who, amount)?;
            Attribute::insert(
                (collection, maybe_item),
                &map_key,
                AttributeValue {
                    value: value.clone(),
                    deposit,
                },
            );
            match (item, maybe_item) {
                (Some(i), Some(id)) => Item::insert(collection, id, &i),
                _ => Collection::insert(collection, &details),
            }
            Self::deposit_event(Event::AttributeSet {
                collection,
                maybe_item,
                key,
                value,
                namespace,
            });
            Ok(())
        })
    }

    pub(crate) fn do_clear_attribute(
        who: AccountId,
        collection: CollectionId,
        maybe_item: Option<ItemId>,
        namespace: AttributeNamespace,
        key: AttributeKey,
    ) -> DispatchResult {
        let (mut details, mut item) =
            Self::attribute_target(&who, collection, maybe_item, &namespace)?;
        let map_key = (namespace.clone(), key.clone());
        let old = Attribute::get((collection, maybe_item), &map_key)
            .ok_or(Error::<T>::UnknownAttribute)?;
        match &mut item {
            Some(i) => i.attributes = i.attributes.saturating_sub(1),
            None => details.attributes = details.attributes.saturating_sub(1),
        }
        with_transaction(|| {
            Self::release_deposit(&old.deposit)?;
            Attribute::remove((collection, maybe_item), &map_key);
            match (item, maybe_item) {
                (Some(i), Some(id)) => Item::insert(collection, id, &i),
                _ => Collection::insert(collection, &details),
            }
            Self::deposit_event(Event::AttributeCleared {
                collection,
                maybe_item,
                key,
                namespace,
            });
            Ok(())
        })
    }

    /// Removes every attribute under `target` (at most `MAX_ATTRIBUTES`), returning deposits.
    fn clear_attributes(target: (CollectionId, Option<ItemId>)) -> DispatchResult {
        let all: Vec<_> = Attribute::iter_prefix(target)
            .take(MAX_ATTRIBUTES as usize)
            .collect();
        for (key, value) in all {
            Self::release_deposit(&value.deposit)?;
            Attribute::remove(target, &key);
        }
        Ok(())
    }

    pub(crate) fn do_set_metadata(
        who: AccountId,
        collection: CollectionId,
        item: ItemId,
        data: Data,
        content_hash: H256,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        ensure!(details.admin == who, Error::<T>::NoPermission);
        let found = Self::item(collection, item)?;
        ensure!(!found.moved, Error::<T>::MetadataFrozen);
        let amount = Self::deposit_for(T::METADATA_DEPOSIT_BASE, data.len())?;
        with_transaction(|| {
            if let Some(old) = ItemMetadataOf::get(collection, item) {
                Self::release_deposit(&old.deposit)?;
            }
            let deposit = Self::hold_deposit(&who, amount)?;
            ItemMetadataOf::insert(
                collection,
                item,
                ItemMetadata {
                    deposit,
                    data: data.clone(),
                    content_hash,
                },
            );
            Self::deposit_event(Event::ItemMetadataSet {
                collection,
                item,
                data,
                content_hash,
            });
            Ok(())
        })
    }

    pub(crate) fn do_set_collection_metadata(
        who: AccountId,
        collection: CollectionId,
        data: Data,
    ) -> DispatchResult {
        let details = Self::collection(collection)?;
        ensure!(details.owner == who, Error::<T>::NoPermission);
        let amount = Self::deposit_for(T::METADATA_DEPOSIT_BASE, data.len())?;
        with_transaction(|| {
            if let Some(old) = CollectionMetadataOf::get(collection) {
                Self::release_deposit(&old.deposit)?;
            }
            let deposit = Self::hold_deposit(&who, amount)?;
            CollectionMetadataOf::insert(
                collection,
                CollectionMetadata {
                    deposit,
                    data: data.clone(),
                },
            );
            Self::deposit_event(Event::CollectionMetadataSet { collection, data });
            Ok(())
        })
    }
}
