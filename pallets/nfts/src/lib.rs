//! # NFTs pallet: NFTs whose royalties the chain enforces, a marketplace, and model NFTs
//!
//! Collections of items with metadata and attributes, as Substrate's pallet-nfts keeps them
//! (its call names, argument order and call indices where it has the same call), with one
//! difference that is the reason for this pallet: a royalty-bearing collection's creators are
//! paid on every change of owner, and the chain, not a marketplace's goodwill, makes it so.
//! docs/NFTS.md states the rules and compares them with pallet-nfts, EIP-2981 and Hedera.
//!
//! ## Rules
//! - A collection's royalty is fixed at `create`: a rate in basis points up to `MaxRoyalty`,
//!   shared by 1 to 5 recipients whose shares add up to exactly one whole, and an optional
//!   fallback fee.
//! - An item of a royalty-bearing collection changes owner only by a sale in this pallet
//!   (`buy_item`, `accept_offer`), which pays the royalty, or by `transfer`, which pays the
//!   fallback fee; without a fallback fee, `transfer` is refused (`TransferRequiresSale`). An
//!   approved delegate transfers under the same rules. Every sale pays at least the fallback
//!   fee (or `MinRoyalty`), so a sale at a token price with a side payment still pays the
//!   creators ([`royalty`]).
//! - Every sale splits atomically ([`royalty`]): the royalty to its recipients, `MarketFee` to
//!   the treasury, the rest to the seller, with exact remainders; it completes whole or not at
//!   all ([`market`]).
//! - Offers hold their amount until accepted, cancelled, outbid (a full item's lowest offer
//!   gives way to a higher one) or expired (released by `on_initialize`, at most
//!   `MAX_EXPIRIES_PER_BLOCK` per block).
//! - State is never free: collections, items, metadata and attributes hold deposits from
//!   whoever created them, returned when they are destroyed, burned or cleared.
//! - Model NFTs ([`models`]): the owner of an item sets a usage fee (at most `MaxUsageFee`;
//!   raises take effect after `UsageFeeDelay` blocks). A Jobs program that names the item as
//!   its model holds the fee from each job's client at submission, and pays it to the item's
//!   owner when the job settles with a result; a refunded job pays none.
//!
//! Value is conserved: every balance moved here is a hold, its release, or a transfer; nothing
//! is minted or burned.

pub use pallet::*;
pub use types::*;

pub mod items;
pub mod market;
pub mod models;
pub mod royalty;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// The pallet: configuration, storage, events, errors, calls and hooks.
pub mod pallet {
    use super::*;
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::multiaddress::MultiAddress;
    use basalt_support::storage::{Blake2_128Concat, OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::{
        AccountId, Balance, BlockNumber, BoundedVec, DispatchError, DispatchResult, Origin, Weight,
        H256,
    };
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use pallet_balances::HoldReason;
    use scale_info::{meta_type, TypeInfo};

    pub(crate) type System<T> = pallet_system::Pallet<T>;
    pub(crate) type Balances<T> = pallet_balances::Pallet<T>;

    /// An address as it travels in calls (`sp_runtime::multiaddress::MultiAddress`).
    pub type Address = MultiAddress<AccountId, ()>;

    /// The hold for deposits: collections, items, metadata and attributes.
    pub const DEPOSIT_HOLD: HoldReason = *b"nfts/dep";
    /// The hold for offers' amounts.
    pub const OFFER_HOLD: HoldReason = *b"nfts/ofr";

    /// What the runtime tells the NFT pallet. docs/NFTS.md says how the defaults were chosen.
    pub trait Config: pallet_balances::Config {
        /// This pallet's index in the runtime; its errors carry it.
        const INDEX: u8;
        /// Held from a collection's creator until it is destroyed.
        const COLLECTION_DEPOSIT: Balance;
        /// Held from an item's minter until it is burned.
        const ITEM_DEPOSIT: Balance;
        /// Held for a metadata entry, plus `DEPOSIT_PER_BYTE` per byte.
        const METADATA_DEPOSIT_BASE: Balance;
        /// Held for an attribute, plus `DEPOSIT_PER_BYTE` per byte of key and value.
        const ATTRIBUTE_DEPOSIT_BASE: Balance;
        /// Held per byte of metadata and attributes.
        const DEPOSIT_PER_BYTE: Balance;
        /// The highest royalty rate a collection may set, in basis points.
        const MAX_ROYALTY: u16;
        /// The least royalty a sale of a royalty-bearing collection without a fallback fee
        /// pays (and the least fallback fee): what makes a token-price sale cost something.
        const MIN_ROYALTY: Balance;
        /// The treasury's share of every sale, in basis points.
        const MARKET_FEE: u16;
        /// The market fee in force: `MARKET_FEE` unless the runtime reads governance's
        /// parameters (pallet-parameters), with `MARKET_FEE` as the default.
        fn market_fee() -> u16 {
            Self::MARKET_FEE
        }
        /// The least offer (against offer spam).
        const MIN_OFFER: Balance;
        /// The longest an offer may stay open, in blocks.
        const MAX_OFFER_DURATION: BlockNumber;
        /// The highest usage fee a model NFT may charge per job.
        const MAX_USAGE_FEE: Balance;
        /// Blocks before a raised usage fee is in force.
        const USAGE_FEE_DELAY: BlockNumber;
        /// The account market fees go to.
        fn treasury_account() -> AccountId;
    }

    /// The NFT pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Nfts";
        /// The id the next collection gets.
        pub NextCollectionId: StorageValue<CollectionId, ValueQuery>;
        /// Every collection, by id.
        pub Collection: StorageMap<Blake2_128Concat, CollectionId, CollectionDetails, OptionQuery>;
        /// Every item, by collection and item id: iterate a collection's items by its prefix.
        pub Item: StorageDoubleMap<Blake2_128Concat, CollectionId, Blake2_128Concat, ItemId, ItemDetails, OptionQuery>;
        /// The items each account owns: iterate an account's items by its prefix.
        pub Account: StorageDoubleMap<Blake2_128Concat, AccountId, Blake2_128Concat, (CollectionId, ItemId), (), OptionQuery>;
        /// Each collection's metadata.
        pub CollectionMetadataOf: StorageMap<Blake2_128Concat, CollectionId, CollectionMetadata, OptionQuery>;
        /// Each item's metadata: a URI and a content hash.
        pub ItemMetadataOf: StorageDoubleMap<Blake2_128Concat, CollectionId, Blake2_128Concat, ItemId, ItemMetadata, OptionQuery>;
        /// Attributes, by (collection, item or `None` for the collection) and (namespace, key).
        pub Attribute: StorageDoubleMap<Blake2_128Concat, (CollectionId, Option<ItemId>), Blake2_128Concat, (AttributeNamespace, AttributeKey), AttributeValue, OptionQuery>;
        /// Open listings: the price and the only buyer, if any.
        pub ItemPriceOf: StorageDoubleMap<Blake2_128Concat, CollectionId, Blake2_128Concat, ItemId, Listing, OptionQuery>;
        /// Open offers on each item (at most `MAX_OFFERS_PER_ITEM`).
        pub Offers: StorageDoubleMap<Blake2_128Concat, CollectionId, Blake2_128Concat, ItemId, BoundedVec<Offer, MAX_OFFERS_PER_ITEM>, ValueQuery>;
        /// The offers that expire at each block (released at the next).
        pub OfferExpiries: StorageMap<Twox64Concat, BlockNumber, BoundedVec<(CollectionId, ItemId, AccountId), MAX_EXPIRIES_PER_BLOCK>, ValueQuery>;
        /// Model NFTs' usage fees.
        pub UsageFees: StorageDoubleMap<Blake2_128Concat, CollectionId, Blake2_128Concat, ItemId, UsageFee, ValueQuery>;
        /// What each model NFT has earned from jobs.
        pub ModelUsage: StorageDoubleMap<Blake2_128Concat, CollectionId, Blake2_128Concat, ItemId, ModelEarnings, ValueQuery>;
    }

    /// Events of the NFT pallet: every listing, sale (with each part of its split), offer and
    /// change of owner. Names and leading fields follow pallet-nfts where it has the event.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A collection was created.
        #[codec(index = 0)]
        Created {
            /// The collection.
            collection: CollectionId,
            /// Who created it (holds its deposit).
            creator: AccountId,
            /// Who may mint.
            owner: AccountId,
        },
        /// A collection was destroyed and its deposits returned.
        #[codec(index = 1)]
        Destroyed {
            /// The collection.
            collection: CollectionId,
        },
        /// An item was minted.
        #[codec(index = 2)]
        Issued {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// Its first owner.
            owner: AccountId,
        },
        /// An item changed owner (by a transfer or a sale).
        #[codec(index = 3)]
        Transferred {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The previous owner.
            from: AccountId,
            /// The new owner.
            to: AccountId,
        },
        /// An item was burned and its deposits returned.
        #[codec(index = 4)]
        Burned {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// Its last owner.
            owner: AccountId,
        },
        /// A delegate may transfer an item.
        #[codec(index = 5)]
        TransferApproved {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// Its owner.
            owner: AccountId,
            /// The delegate.
            delegate: AccountId,
            /// The last block it may.
            deadline: Option<BlockNumber>,
        },
        /// A delegate's approval was cancelled.
        #[codec(index = 6)]
        ApprovalCancelled {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// Its owner.
            owner: AccountId,
            /// The former delegate.
            delegate: AccountId,
        },
        /// A collection's metadata was set.
        #[codec(index = 7)]
        CollectionMetadataSet {
            /// The collection.
            collection: CollectionId,
            /// The metadata.
            data: Data,
        },
        /// An item's metadata was set.
        #[codec(index = 8)]
        ItemMetadataSet {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The URI.
            data: Data,
            /// The content's hash.
            content_hash: H256,
        },
        /// An attribute was set.
        #[codec(index = 9)]
        AttributeSet {
            /// The collection.
            collection: CollectionId,
            /// The item (`None`: the collection's attribute).
            maybe_item: Option<ItemId>,
            /// The key.
            key: AttributeKey,
            /// The value.
            value: Data,
            /// Whose attribute.
            namespace: AttributeNamespace,
        },
        /// An attribute was cleared and its deposit returned.
        #[codec(index = 10)]
        AttributeCleared {
            /// The collection.
            collection: CollectionId,
            /// The item.
            maybe_item: Option<ItemId>,
            /// The key.
            key: AttributeKey,
            /// Whose attribute.
            namespace: AttributeNamespace,
        },
        /// An item was listed for sale (or its listing changed).
        #[codec(index = 11)]
        ItemPriceSet {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The price.
            price: Balance,
            /// The only account that may buy.
            whitelisted_buyer: Option<AccountId>,
        },
        /// An item's listing was removed.
        #[codec(index = 12)]
        ItemPriceRemoved {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
        },
        /// An item was sold in this pallet. `royalty + market_fee + seller_amount = price`;
        /// `RoyaltyPaid` events before it give the royalty's parts.
        #[codec(index = 13)]
        ItemBought {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The price paid.
            price: Balance,
            /// The seller.
            seller: AccountId,
            /// The buyer.
            buyer: AccountId,
            /// The royalty, to the collection's recipients.
            royalty: Balance,
            /// The market fee, to the treasury.
            market_fee: Balance,
            /// What the seller received.
            seller_amount: Balance,
        },
        /// A royalty recipient was paid its part of a sale or of a fallback fee.
        #[codec(index = 14)]
        RoyaltyPaid {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The recipient (the treasury, for a part too small to open the recipient's
            /// account).
            recipient: AccountId,
            /// Its part.
            amount: Balance,
        },
        /// A transfer outside a sale paid the collection's fallback fee.
        #[codec(index = 15)]
        FallbackFeePaid {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// Who paid it (the owner or its delegate).
            payer: AccountId,
            /// The fee.
            amount: Balance,
        },
        /// An offer was placed (or replaced the bidder's earlier one) and its amount held.
        #[codec(index = 16)]
        OfferPlaced {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The bidder.
            bidder: AccountId,
            /// The amount.
            amount: Balance,
            /// The last block it may be accepted in.
            expires_at: BlockNumber,
        },
        /// An offer ended without a sale and its amount was released.
        #[codec(index = 17)]
        OfferWithdrawn {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The bidder.
            bidder: AccountId,
            /// The amount released.
            amount: Balance,
            /// Why.
            reason: OfferEnd,
        },
        /// A model NFT's usage fee was set.
        #[codec(index = 18)]
        UsageFeeSet {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The fee per job.
            fee: Balance,
            /// The first block it is in force.
            effective_from: BlockNumber,
        },
        /// A settled job paid a model NFT's owner its usage fee.
        #[codec(index = 19)]
        UsageFeePaid {
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// Its owner at settlement.
            owner: AccountId,
            /// The fee.
            amount: Balance,
        },
    }

    /// Why an offer ended without a sale.
    #[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum OfferEnd {
        /// The bidder cancelled it.
        #[codec(index = 0)]
        Cancelled,
        /// Its time ran out.
        #[codec(index = 1)]
        Expired,
        /// A higher offer took its place on a full item.
        #[codec(index = 2)]
        Outbid,
        /// The item was burned.
        #[codec(index = 3)]
        ItemBurned,
        /// The bidder replaced it with a new offer.
        #[codec(index = 4)]
        Replaced,
    }

    basalt_support::pallet_error! {
        /// Errors of the NFT pallet. A failed call changes nothing (its fee is still paid).
        pub enum Error<T: Config> {
            /// No collection has this id.
            UnknownCollection,
            /// No item has this id in the collection.
            UnknownItem,
            /// The caller may not do this (not the owner, admin or approved delegate).
            NoPermission,
            /// An item with this id already exists.
            AlreadyExists,
            /// The collection has its maximum supply of items.
            MaxSupplyReached,
            /// The collection still has items.
            CollectionNotEmpty,
            /// The royalty rate is zero or above `MaxRoyalty`.
            BadRoyaltyRate,
            /// Royalty recipients: none, more than 5, a zero share, or shares that do not add
            /// up to 10 000 basis points.
            BadRoyaltyShares,
            /// A royalty recipient is named twice.
            DuplicateRoyaltyRecipient,
            /// The fallback fee is below `MinRoyalty`.
            FallbackFeeTooLow,
            /// The collection's royalty can only be paid by a sale in this pallet: it has no
            /// fallback fee, so a transfer would bypass it.
            TransferRequiresSale,
            /// The item's metadata is frozen: it has changed owner since it was minted.
            MetadataFrozen,
            /// This attribute namespace cannot be set through calls here.
            UnsupportedNamespace,
            /// The item or collection has `MAX_ATTRIBUTES` attributes.
            TooManyAttributes,
            /// No such attribute.
            UnknownAttribute,
            /// The approval's deadline is in the past.
            ApprovalExpired,
            /// This delegate is not approved for the item.
            NotDelegate,
            /// The item is not listed for sale.
            NotForSale,
            /// Only the whitelisted buyer may buy this item.
            NotWhitelistedBuyer,
            /// The owner cannot buy or bid for its own item.
            BuyerIsOwner,
            /// The bid is below the listed price.
            BidTooLow,
            /// The price cannot pay the royalty floor and the market fee.
            PriceBelowRoyaltyFloor,
            /// The offer is below `MinOffer`.
            OfferTooSmall,
            /// The item has `MAX_OFFERS_PER_ITEM` offers and this one is not above the lowest.
            OfferTooLow,
            /// An offer's duration must be between 1 and `MaxOfferDuration` blocks.
            BadOfferDuration,
            /// `MAX_EXPIRIES_PER_BLOCK` offers already expire at that block; pick another
            /// duration.
            TooManyExpiries,
            /// No open offer from this bidder on the item.
            UnknownOffer,
            /// The offer's amount is not the one the seller accepted (it changed).
            OfferChanged,
            /// The usage fee is above `MaxUsageFee`.
            UsageFeeTooHigh,
            /// A usage fee must be zero or at least the existential deposit (so that paying
            /// it can always open the owner's account).
            UsageFeeBelowMinimum,
            /// An address does not resolve to an account.
            BadAddress,
            /// An amount overflowed.
            Overflow,
        }
    }

    /// Resolves a call's address argument.
    fn lookup<T: Config>(address: Address) -> Result<AccountId, DispatchError> {
        address
            .lookup()
            .ok_or_else(|| Error::<T>::BadAddress.into())
    }

    /// Calls of the NFT pallet, with pallet-nfts's names, argument order and indices where it
    /// has the same call (Basalt's own from index 40).
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Create a collection, holding `CollectionDeposit` from the caller (its owner).
        /// `admin` mints (when minting is not public) and sets item metadata. The royalty in
        /// `config` is fixed for the collection's life. Signed.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::create())]
        pub fn create(
            origin: Origin,
            /// Who may mint and set item metadata.
            admin: Address,
            /// Maximum supply, who may mint, and the royalty.
            config: CollectionConfig,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_create(who, lookup::<T>(admin)?, config)
        }

        /// Destroy an empty collection, returning its deposits (collection, metadata and
        /// collection attributes). Signed by its owner.
        #[pallet::call_index(2)]
        #[pallet::weight(weights::destroy())]
        pub fn destroy(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_destroy(who, collection)
        }

        /// Mint `item` in `collection` to `mint_to`, holding `ItemDeposit` from the caller.
        /// Signed by the collection's admin, or by anyone if its minting is public.
        #[pallet::call_index(3)]
        #[pallet::weight(weights::mint())]
        pub fn mint(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The new item's id.
            item: ItemId,
            /// Its first owner.
            mint_to: Address,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_mint(who, collection, item, lookup::<T>(mint_to)?)
        }

        /// Burn an item, returning its deposits (item, metadata, attributes) and releasing
        /// every open offer on it. Signed by its owner.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::burn())]
        pub fn burn(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_burn(who, collection, item)
        }

        /// Give an item to `dest` without a sale. In a royalty-bearing collection the caller
        /// pays the fallback fee to the royalty's recipients; without a fallback fee the
        /// transfer is refused (`TransferRequiresSale`). Signed by the owner or its approved
        /// delegate.
        #[pallet::call_index(6)]
        #[pallet::weight(weights::transfer())]
        pub fn transfer(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The new owner.
            dest: Address,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_transfer(who, collection, item, lookup::<T>(dest)?)
        }

        /// Let `delegate` transfer the item (under the same rules as its owner) until
        /// `maybe_deadline` blocks from now, or until cancelled or the item moves; replaces an
        /// earlier approval. Signed by the owner.
        #[pallet::call_index(15)]
        #[pallet::weight(weights::approve_transfer())]
        pub fn approve_transfer(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// Who may transfer it.
            delegate: Address,
            /// For how many blocks (`None`: no limit).
            maybe_deadline: Option<BlockNumber>,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_approve(
                who,
                collection,
                item,
                lookup::<T>(delegate)?,
                maybe_deadline,
            )
        }

        /// Cancel `delegate`'s approval. Signed by the owner.
        #[pallet::call_index(16)]
        #[pallet::weight(weights::cancel_approval())]
        pub fn cancel_approval(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The delegate.
            delegate: Address,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_cancel_approval(who, collection, item, lookup::<T>(delegate)?)
        }

        /// Set an attribute of a collection (`maybe_item` `None`) or an item, holding
        /// `AttributeDepositBase` plus `DepositPerByte` per byte from the caller. In the
        /// `CollectionOwner` namespace signed by the collection's owner; in `ItemOwner`, by the
        /// item's owner.
        #[pallet::call_index(19)]
        #[pallet::weight(weights::set_attribute(key.len() + value.len()))]
        pub fn set_attribute(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item (`None`: the collection).
            maybe_item: Option<ItemId>,
            /// Whose attribute.
            namespace: AttributeNamespace,
            /// The key.
            key: AttributeKey,
            /// The value.
            value: Data,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_set_attribute(who, collection, maybe_item, namespace, key, value)
        }

        /// Clear an attribute, returning its deposit to whoever paid it. Signed as for
        /// `set_attribute`.
        #[pallet::call_index(21)]
        #[pallet::weight(weights::clear_attribute())]
        pub fn clear_attribute(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item (`None`: the collection).
            maybe_item: Option<ItemId>,
            /// Whose attribute.
            namespace: AttributeNamespace,
            /// The key.
            key: AttributeKey,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_clear_attribute(who, collection, maybe_item, namespace, key)
        }

        /// Set an item's metadata: a URI (`data`) and the content's hash, holding
        /// `MetadataDepositBase` plus `DepositPerByte` per byte from the caller. Frozen once
        /// the item has changed owner. Signed by the collection's admin.
        #[pallet::call_index(24)]
        #[pallet::weight(weights::set_metadata(data.len()))]
        pub fn set_metadata(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The URI of its content.
            data: Data,
            /// `blake2_256` of its content.
            content_hash: H256,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_set_metadata(who, collection, item, data, content_hash)
        }

        /// Set a collection's metadata, holding `MetadataDepositBase` plus `DepositPerByte`
        /// per byte from the caller. Signed by the collection's owner.
        #[pallet::call_index(26)]
        #[pallet::weight(weights::set_metadata(data.len()))]
        pub fn set_collection_metadata(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The metadata.
            data: Data,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_set_collection_metadata(who, collection, data)
        }

        /// List an item at `price` (to anyone, or only to `whitelisted_buyer`), or unlist it
        /// (`price` `None`). The price must pay the royalty floor and the market fee. Signed by
        /// the owner.
        #[pallet::call_index(31)]
        #[pallet::weight(weights::set_price())]
        pub fn set_price(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The price (`None`: unlist).
            price: Option<Balance>,
            /// The only account that may buy.
            whitelisted_buyer: Option<Address>,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let buyer = whitelisted_buyer.map(lookup::<T>).transpose()?;
            Self::do_set_price(who, collection, item, price, buyer)
        }

        /// Buy a listed item at its listed price, if that is at most `bid_price` (so a seller
        /// cannot raise the price under a pending purchase). The price is split: royalty,
        /// market fee, seller. Signed by the buyer.
        #[pallet::call_index(32)]
        #[pallet::weight(weights::sale())]
        pub fn buy_item(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The most the buyer will pay.
            bid_price: Balance,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_buy_item(who, collection, item, bid_price)
        }

        /// Offer `amount` for an item, held until the offer is accepted, cancelled, outbid or
        /// expires after `duration` blocks. Replaces the caller's earlier offer on the item. On
        /// an item with `MAX_OFFERS_PER_ITEM` offers it must beat the lowest, which is
        /// released. Signed by the bidder.
        #[pallet::call_index(40)]
        #[pallet::weight(weights::place_offer())]
        pub fn place_offer(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The amount.
            amount: Balance,
            /// Blocks it stays open (1 to `MaxOfferDuration`).
            duration: BlockNumber,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_place_offer(who, collection, item, amount, duration)
        }

        /// Withdraw the caller's offer on an item and release its amount. Signed by the
        /// bidder.
        #[pallet::call_index(41)]
        #[pallet::weight(weights::cancel_offer())]
        pub fn cancel_offer(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_cancel_offer(who, collection, item)
        }

        /// Sell the item to `bidder` for its open offer of exactly `amount` (so a bidder cannot
        /// swap in a lower offer under a pending acceptance), split as any sale. Signed by the
        /// owner.
        #[pallet::call_index(42)]
        #[pallet::weight(weights::sale())]
        pub fn accept_offer(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The bidder.
            bidder: Address,
            /// The offer's amount, as the seller saw it.
            amount: Balance,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_accept_offer(who, collection, item, lookup::<T>(bidder)?, amount)
        }

        /// Set the item's usage fee as a model: what each job of a program naming it pays its
        /// owner. Zero or from the existential deposit up to `MaxUsageFee`; a raise is in force
        /// after `UsageFeeDelay` blocks, a cut at once. Signed by the owner.
        #[pallet::call_index(43)]
        #[pallet::weight(weights::set_usage_fee())]
        pub fn set_usage_fee(
            origin: Origin,
            /// The collection.
            collection: CollectionId,
            /// The item.
            item: ItemId,
            /// The fee per job.
            #[pallet::compact]
            fee: Balance,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_set_usage_fee(who, collection, item, fee)
        }
    }

    impl<T: Config> Pallet<T> {
        pub(crate) fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> Hooks for Pallet<T> {
        /// Releases the offers whose time ran out in the previous block (at most
        /// `MAX_EXPIRIES_PER_BLOCK`).
        fn on_initialize(n: BlockNumber) -> Weight {
            Self::expire_offers(n)
        }
    }

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Nfts",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("CollectionDeposit", T::COLLECTION_DEPOSIT, &[" Held by `create`."]),
                    constant("ItemDeposit", T::ITEM_DEPOSIT, &[" Held by `mint`."]),
                    constant("MetadataDepositBase", T::METADATA_DEPOSIT_BASE, &[" Held per metadata entry."]),
                    constant("AttributeDepositBase", T::ATTRIBUTE_DEPOSIT_BASE, &[" Held per attribute."]),
                    constant("DepositPerByte", T::DEPOSIT_PER_BYTE, &[" Held per byte of metadata and attributes."]),
                    constant("StringLimit", MAX_DATA_LEN, &[" The longest metadata or attribute value, in bytes."]),
                    constant("KeyLimit", MAX_KEY_LEN, &[" The longest attribute key, in bytes."]),
                    constant("MaxAttributesPerCall", MAX_ATTRIBUTES, &[" The most attributes per item or collection."]),
                    constant("MaxRoyalty", T::MAX_ROYALTY, &[" The highest royalty rate, in basis points."]),
                    constant("MaxRoyaltyRecipients", MAX_ROYALTY_RECIPIENTS, &[" The most accounts one royalty is shared by."]),
                    constant("MinRoyalty", T::MIN_ROYALTY, &[" The least royalty of a sale without a fallback fee."]),
                    constant("MarketFee", T::MARKET_FEE, &[" The treasury's share of every sale, in basis points."]),
                    constant("MinOffer", T::MIN_OFFER, &[" The least offer."]),
                    constant("MaxOfferDuration", T::MAX_OFFER_DURATION, &[" The longest an offer stays open, in blocks."]),
                    constant("MaxOffersPerItem", MAX_OFFERS_PER_ITEM, &[" The most open offers on one item."]),
                    constant("MaxUsageFee", T::MAX_USAGE_FEE, &[" The highest usage fee of a model NFT, per job."]),
                    constant("UsageFeeDelay", T::USAGE_FEE_DELAY, &[" Blocks before a raised usage fee is in force."]),
                ],
                docs: vec![
                    " NFTs whose royalties the chain enforces, a marketplace with offers, and model",
                    " NFTs that earn a usage fee from every compute job that uses them.",
                ],
            }
        }
    }
}
