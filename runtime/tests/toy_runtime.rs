//! A pallet is one crate and one line: a toy runtime built from `construct_runtime!` alone,
//! with the system pallet and a toy pallet (here a module standing in for its crate), whose call
//! dispatches through the generated `RuntimeCall`, whose event lands in `System.Events` under its
//! index, and whose hooks and metadata the generated `AllPallets` reaches.

use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::state::empty_externalities;
use basalt_support::{Origin, H256};
use codec::Encode;

/// The toy runtime.
#[derive(Clone, PartialEq, Eq, Debug, scale_info::TypeInfo)]
pub struct Toy;

pallet_system::impl_test_config!(Toy, max_consumers = 16, event = RuntimeEvent);

impl toy::Config for Toy {
    const INDEX: u8 = 7;
}

basalt_support::construct_runtime! {
    runtime = Toy;
    /// The system pallet.
    System: pallet_system = 0 { Call, Event, Error<Toy> },
    /// The toy pallet: one line.
    Counter: toy = 7 { Call, Event, Error<Toy> },
}

/// A toy pallet: a counter anyone may bump, at most to 3.
pub mod toy {
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{DescribePallet, PalletDescription};
    use basalt_support::storage::ValueQuery;
    use basalt_support::weight_v2::constants::reads_writes;
    use basalt_support::{BlockNumber, DispatchResult, Origin, Weight};
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    /// What the runtime tells the toy.
    pub trait Config: pallet_system::Config {
        /// Its index.
        const INDEX: u8;
    }

    /// The toy's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Counter";
        /// The count.
        pub Count: StorageValue<u32, ValueQuery>;
        /// Blocks initialised.
        pub Blocks: StorageValue<u32, ValueQuery>;
    }

    /// The toy's events.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// The count moved.
        #[codec(index = 0)]
        Bumped {
            /// The count now.
            to: u32,
        },
    }

    basalt_support::pallet_error! {
        /// The toy's errors.
        pub enum Error<T: Config> {
            /// The count is at 3.
            Full,
        }
    }

    /// The toy's call.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Bump the count. Signed.
        #[pallet::call_index(0)]
        #[pallet::weight(reads_writes(1, 1))]
        pub fn bump(origin: Origin) -> DispatchResult {
            origin.ensure_signed()?;
            let to = Count::get().saturating_add(1);
            if to > 3 {
                return Err(Error::<T>::Full.into());
            }
            Count::put(to);
            pallet_system::Pallet::<T>::deposit_event_of(
                <T as Config>::INDEX,
                &Event::Bumped { to },
            );
            Ok(())
        }
    }

    impl<T: Config> Hooks for Pallet<T> {
        fn on_initialize(_n: BlockNumber) -> Weight {
            Blocks::mutate(|b| *b = b.saturating_add(1));
            reads_writes(1, 1)
        }
    }

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Counter",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: Vec::new(),
                docs: vec![" A counter."],
            }
        }
    }
}

#[test]
fn a_pallet_declared_on_one_line_dispatches_emits_hooks_and_describes_itself() {
    assert_eq!(PALLETS, [("System", 0), ("Counter", 7)]);
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        System::initialize(1, H256::repeat_byte(1), &Digest::default());
        let used = AllPallets::on_initialize(1);
        assert_eq!(toy::Blocks::get(), 1, "the toy's hook ran");
        assert!(used.ref_time > 0);

        let bump = RuntimeCall::Counter(toy::Call::bump {});
        assert_eq!(bump.encode(), vec![7, 0], "pallet index, call index");
        // Declared without `ValidateUnsigned` or `Inherent`: unsigned, it is no transaction.
        assert!(!bump.is_inherent());
        assert_eq!(
            bump.validate_unsigned(),
            Err(basalt_support::validity::InvalidTransaction::Call.into())
        );
        let who = Origin::Signed(basalt_support::AccountId::new([1; 32]));
        for _ in 0..3 {
            bump.clone().dispatch(who.clone()).expect("bumped");
        }
        let full = bump.clone().dispatch(who).expect_err("full");
        let basalt_support::DispatchError::Module(e) = full else {
            panic!("{full:?}")
        };
        assert_eq!(e.index, 7, "the error carries the toy's index");
        assert_eq!(
            bump.dispatch(Origin::None),
            Err(basalt_support::DispatchError::BadOrigin)
        );

        let events = System::events_of::<RuntimeEvent>(0);
        assert!(events.is_empty(), "nothing from System");
        let toy_events = System::events_of::<toy::Event>(7);
        assert_eq!(toy_events.last(), Some(&toy::Event::Bumped { to: 3 }));
    });
    let described: Vec<(u8, &str)> = AllPallets::descriptions()
        .iter()
        .map(|(i, d)| (*i, d.name))
        .collect();
    assert_eq!(described, vec![(0, "System"), (7, "Counter")]);
}
