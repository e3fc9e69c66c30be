//! Unit tests of the sudo pallet with a tiny mock runtime call.

use super::pallet::*;
use basalt_support::dispatch::{
    DispatchClass, DispatchInfo, DispatchResultWithPostInfo, Dispatchable, Pays,
};
use basalt_support::genesis::BuildGenesis;
use basalt_support::metadata::DescribePallet;
use basalt_support::multiaddress::MultiAddress;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, DispatchError, DispatchResult, Origin, Weight, H256};
use codec::{Decode, Encode};
use scale_info::{PortableRegistry, Registry, TypeDef, TypeInfo};

struct Test;

pallet_system::impl_test_config!(Test);

impl Config for Test {
    const INDEX: u8 = 4;
    type RuntimeCall = MockCall;
}

/// A stand-in for the runtime's call enum: the system pallet's calls, sudo itself, and two
/// calls that exist only to exercise rollback and class mapping.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
enum MockCall {
    #[codec(index = 0)]
    System(pallet_system::Call),
    #[codec(index = 4)]
    Sudo(Call<Test>),
    /// Writes `key` then fails, as a call that fails half-way does.
    #[codec(index = 9)]
    WriteThenFail(Vec<u8>),
    /// A call that claims the mandatory class.
    #[codec(index = 10)]
    Mandatory,
}

impl Dispatchable<Test> for MockCall {
    fn dispatch_with_post_info(self, origin: Origin) -> DispatchResultWithPostInfo {
        match self {
            MockCall::System(call) => Dispatchable::<Test>::dispatch_with_post_info(call, origin),
            MockCall::Sudo(call) => call.dispatch_with_post_info(origin),
            MockCall::WriteThenFail(key) => {
                io::set(&key, b"written");
                pallet_system::Pallet::<Test>::deposit_event(pallet_system::Event::Remarked {
                    sender: AccountId::new([0; 32]),
                    hash: H256::zero(),
                });
                Err(DispatchError::Other("fails after writing").into())
            }
            MockCall::Mandatory => Ok(().into()),
        }
    }

    fn dispatch_info(&self) -> DispatchInfo {
        match self {
            MockCall::System(call) => Dispatchable::<Test>::dispatch_info(call),
            MockCall::Sudo(call) => call.dispatch_info(),
            MockCall::WriteThenFail(_) => DispatchInfo::normal(Weight::from_parts(7, 0)),
            MockCall::Mandatory => DispatchInfo::mandatory(Weight::from_parts(3, 0)),
        }
    }
}

type Sudo = Pallet<Test>;
type System = pallet_system::Pallet<Test>;

fn alice() -> AccountId {
    AccountId::new([1; 32])
}
fn bob() -> AccountId {
    AccountId::new([2; 32])
}

fn in_block(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        System::initialize(1, H256::zero(), &Default::default());
        Sudo::build_genesis(&Some(alice())).expect("genesis");
        f()
    });
}

fn dispatch(call: Call<Test>, origin: Origin) -> DispatchResult {
    call.dispatch(origin)
}

fn set_storage(key: &[u8]) -> Box<MockCall> {
    Box::new(MockCall::System(pallet_system::Call::set_storage {
        items: vec![(key.to_vec(), b"v".to_vec())],
    }))
}

fn sudo_events() -> Vec<Event> {
    System::events_of(4)
}

fn require_sudo() -> DispatchError {
    Error::<Test>::RequireSudo.into()
}

#[test]
fn non_sudo_is_refused_and_nothing_changes() {
    in_block(|| {
        let call = Call::sudo {
            call: set_storage(b"k"),
        };
        assert_eq!(
            dispatch(call.clone(), Origin::Signed(bob())),
            Err(require_sudo())
        );
        assert_eq!(
            dispatch(call.clone(), Origin::None),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(
            dispatch(call.clone(), Origin::Root),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(io::get(b"k"), None);
        assert!(sudo_events().is_empty());
        for call in [
            Call::set_key {
                new: MultiAddress::Id(bob()),
            },
            Call::remove_key,
            Call::sudo_as {
                who: MultiAddress::Id(bob()),
                call: set_storage(b"k"),
            },
            Call::sudo_unchecked_weight {
                call: set_storage(b"k"),
                weight: Weight::ZERO,
            },
        ] {
            assert_eq!(dispatch(call, Origin::Signed(bob())), Err(require_sudo()));
        }
        assert_eq!(Sudo::key(), Some(alice()));
        assert_eq!(io::get(b"k"), None);
    });
}

#[test]
fn without_a_key_nobody_is_sudo() {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        System::initialize(1, H256::zero(), &Default::default());
        assert_eq!(Sudo::key(), None);
        assert_eq!(
            dispatch(
                Call::sudo {
                    call: set_storage(b"k")
                },
                Origin::Signed(alice())
            ),
            Err(require_sudo())
        );
    });
}

#[test]
fn sudo_dispatches_a_root_only_call() {
    in_block(|| {
        // The key itself may not call set_storage directly...
        assert_eq!(
            (*set_storage(b"k")).dispatch(Origin::Signed(alice())),
            Err(DispatchError::BadOrigin)
        );
        // ...but may through sudo.
        assert_eq!(
            dispatch(
                Call::sudo {
                    call: set_storage(b"k")
                },
                Origin::Signed(alice())
            ),
            Ok(())
        );
        assert_eq!(io::get(b"k"), Some(b"v".to_vec()));
        assert_eq!(
            sudo_events(),
            vec![Event::Sudid {
                sudo_result: Ok(())
            }]
        );

        let unchecked = Call::sudo_unchecked_weight {
            call: set_storage(b"k2"),
            weight: Weight::from_parts(1, 1),
        };
        assert_eq!(dispatch(unchecked, Origin::Signed(alice())), Ok(()));
        assert_eq!(io::get(b"k2"), Some(b"v".to_vec()));
        assert_eq!(sudo_events().len(), 2);
    });
}

#[test]
fn inner_failure_is_reported_and_rolled_back() {
    in_block(|| {
        let call = Call::sudo {
            call: Box::new(MockCall::WriteThenFail(b"half".to_vec())),
        };
        assert_eq!(dispatch(call, Origin::Signed(alice())), Ok(()));
        // The inner call's write and event are gone; sudo's event remains.
        assert_eq!(io::get(b"half"), None);
        assert!(System::events().is_empty());
        let events = sudo_events();
        assert_eq!(events.len(), 1);
        match &events[0] {
            Event::Sudid {
                sudo_result: Err(DispatchError::Other(_)),
            } => {}
            other => panic!("unexpected event {other:?}"),
        }

        // A signed-only call dispatched as root fails with BadOrigin, reported the same way.
        let remark = Box::new(MockCall::System(pallet_system::Call::remark {
            remark: vec![1],
        }));
        assert_eq!(
            dispatch(Call::sudo { call: remark }, Origin::Signed(alice())),
            Ok(())
        );
        assert_eq!(
            sudo_events()[1],
            Event::Sudid {
                sudo_result: Err(DispatchError::BadOrigin)
            }
        );
    });
}

#[test]
fn earlier_writes_survive_an_inner_failure() {
    in_block(|| {
        io::set(b"before", b"1");
        let call = Call::sudo {
            call: Box::new(MockCall::WriteThenFail(b"before".to_vec())),
        };
        let outer: DispatchResult =
            io::with_transaction(|| dispatch(call, Origin::Signed(alice())));
        assert_eq!(outer, Ok(()));
        assert_eq!(io::get(b"before"), Some(b"1".to_vec()));
    });
}

#[test]
fn set_key_hands_over_the_key() {
    in_block(|| {
        assert_eq!(
            dispatch(
                Call::set_key {
                    new: MultiAddress::Id(bob())
                },
                Origin::Signed(alice())
            ),
            Ok(())
        );
        assert_eq!(Sudo::key(), Some(bob()));
        assert_eq!(
            sudo_events(),
            vec![Event::KeyChanged {
                old: Some(alice()),
                new: bob()
            }]
        );
        // The old key is no longer sudo, the new one is.
        assert_eq!(
            dispatch(
                Call::sudo {
                    call: set_storage(b"k")
                },
                Origin::Signed(alice())
            ),
            Err(require_sudo())
        );
        assert_eq!(
            dispatch(
                Call::sudo {
                    call: set_storage(b"k")
                },
                Origin::Signed(bob())
            ),
            Ok(())
        );
        // Address32 resolves too; an index does not.
        assert_eq!(
            dispatch(
                Call::set_key {
                    new: MultiAddress::Address32([1; 32])
                },
                Origin::Signed(bob())
            ),
            Ok(())
        );
        assert_eq!(Sudo::key(), Some(alice()));
        assert_eq!(
            dispatch(
                Call::set_key {
                    new: MultiAddress::Index(())
                },
                Origin::Signed(alice())
            ),
            Err(DispatchError::CannotLookup)
        );
        assert_eq!(Sudo::key(), Some(alice()));
    });
}

#[test]
fn remove_key_is_final() {
    in_block(|| {
        assert_eq!(dispatch(Call::remove_key, Origin::Signed(alice())), Ok(()));
        assert_eq!(Sudo::key(), None);
        assert!(!Key::exists());
        assert_eq!(sudo_events(), vec![Event::KeyRemoved]);
        assert_eq!(
            dispatch(
                Call::sudo {
                    call: set_storage(b"k")
                },
                Origin::Signed(alice())
            ),
            Err(require_sudo())
        );
        assert_eq!(
            dispatch(
                Call::set_key {
                    new: MultiAddress::Id(alice())
                },
                Origin::Signed(alice())
            ),
            Err(require_sudo())
        );
    });
}

#[test]
fn sudo_as_dispatches_as_signed() {
    in_block(|| {
        let remark = Box::new(MockCall::System(pallet_system::Call::remark_with_event {
            remark: b"hi".to_vec(),
        }));
        assert_eq!(
            dispatch(
                Call::sudo_as {
                    who: MultiAddress::Id(bob()),
                    call: remark
                },
                Origin::Signed(alice())
            ),
            Ok(())
        );
        let hash = H256(basalt_support::primitives::hashing::blake2_256(b"hi"));
        assert_eq!(
            System::events(),
            vec![pallet_system::Event::Remarked {
                sender: bob(),
                hash
            }]
        );
        assert_eq!(
            sudo_events(),
            vec![Event::SudoAsDone {
                sudo_result: Ok(())
            }]
        );

        // A root-only call as a signed account fails inside, and is reported.
        let call = Call::sudo_as {
            who: MultiAddress::Id(bob()),
            call: set_storage(b"k"),
        };
        assert_eq!(dispatch(call, Origin::Signed(alice())), Ok(()));
        assert_eq!(io::get(b"k"), None);
        assert_eq!(
            sudo_events()[1],
            Event::SudoAsDone {
                sudo_result: Err(DispatchError::BadOrigin)
            }
        );

        let call = Call::sudo_as {
            who: MultiAddress::Raw(vec![1]),
            call: set_storage(b"k"),
        };
        assert_eq!(
            dispatch(call, Origin::Signed(alice())),
            Err(DispatchError::CannotLookup)
        );
    });
}

#[test]
fn nested_sudo_works() {
    in_block(|| {
        let inner = Box::new(MockCall::Sudo(Call::sudo {
            call: set_storage(b"deep"),
        }));
        assert_eq!(
            dispatch(Call::sudo { call: inner }, Origin::Root),
            Err(DispatchError::BadOrigin)
        );
        // Sudo as root is refused (only the signed key is sudo), which the outer sudo reports.
        let inner = Box::new(MockCall::Sudo(Call::sudo {
            call: set_storage(b"deep"),
        }));
        assert_eq!(
            dispatch(Call::sudo { call: inner }, Origin::Signed(alice())),
            Ok(())
        );
        assert_eq!(io::get(b"deep"), None);
        assert_eq!(
            sudo_events(),
            vec![Event::Sudid {
                sudo_result: Err(DispatchError::BadOrigin)
            }]
        );
    });
}

#[test]
fn dispatch_info_adds_the_inner_weight_and_maps_the_class() {
    let inner = set_storage(b"k");
    let inner_info = inner.dispatch_info();
    assert_eq!(inner_info.class, DispatchClass::Operational);
    let info = Call::<Test>::sudo {
        call: inner.clone(),
    }
    .dispatch_info();
    assert_eq!(
        info.weight,
        weights::sudo().saturating_add(inner_info.weight)
    );
    assert_eq!(info.class, DispatchClass::Operational);
    assert_eq!(info.pays_fee, Pays::Yes);

    let info = Call::<Test>::sudo_as {
        who: MultiAddress::Id(bob()),
        call: inner.clone(),
    }
    .dispatch_info();
    assert_eq!(
        info.weight,
        weights::sudo_as().saturating_add(inner_info.weight)
    );

    let w = Weight::from_parts(123, 45);
    let info = Call::<Test>::sudo_unchecked_weight {
        call: inner,
        weight: w,
    }
    .dispatch_info();
    assert_eq!(info.weight, w);
    assert_eq!(info.class, DispatchClass::Operational);

    let info = Call::<Test>::sudo {
        call: Box::new(MockCall::Mandatory),
    }
    .dispatch_info();
    assert_eq!(info.class, DispatchClass::Normal);
    assert_eq!(
        info.weight,
        weights::sudo().saturating_add(Weight::from_parts(3, 0))
    );

    let info = Call::<Test>::set_key {
        new: MultiAddress::Id(bob()),
    }
    .dispatch_info();
    assert_eq!(info, DispatchInfo::normal(weights::set_key()));
    assert_eq!(
        Call::<Test>::remove_key.dispatch_info(),
        DispatchInfo::normal(weights::remove_key())
    );
}

#[test]
fn calls_and_events_encode_as_substrate() {
    let inner = MockCall::System(pallet_system::Call::remark { remark: vec![7] });
    let call = Call::<Test>::sudo {
        call: Box::new(inner.clone()),
    };
    assert_eq!(call.encode(), [vec![0u8], inner.encode()].concat());
    assert_eq!(Call::<Test>::decode(&mut &call.encode()[..]), Ok(call));
    assert_eq!(Call::<Test>::remove_key.encode(), vec![4]);
    let set_key = Call::<Test>::set_key {
        new: MultiAddress::Id(bob()),
    };
    assert_eq!(set_key.encode(), [vec![2u8, 0], vec![2u8; 32]].concat());
    let as_call = Call::<Test>::sudo_as {
        who: MultiAddress::Id(bob()),
        call: Box::new(inner.clone()),
    };
    assert_eq!(
        as_call.encode(),
        [vec![3u8, 0], vec![2u8; 32], inner.encode()].concat()
    );
    let unchecked = Call::<Test>::sudo_unchecked_weight {
        call: Box::new(inner.clone()),
        weight: Weight::from_parts(1, 2),
    };
    assert_eq!(
        unchecked.encode(),
        [vec![1u8], inner.encode(), vec![4, 8]].concat()
    );
    assert!(Call::<Test>::decode(&mut &[5u8][..]).is_err());

    assert_eq!(
        Event::Sudid {
            sudo_result: Ok(())
        }
        .encode(),
        vec![0, 0]
    );
    assert_eq!(
        Event::Sudid {
            sudo_result: Err(DispatchError::BadOrigin)
        }
        .encode(),
        vec![0, 1, 2]
    );
    assert_eq!(
        Event::KeyChanged {
            old: None,
            new: bob()
        }
        .encode(),
        [vec![1u8, 0], vec![2u8; 32]].concat()
    );
    assert_eq!(Event::KeyRemoved.encode(), vec![2]);
    assert_eq!(
        Event::SudoAsDone {
            sudo_result: Ok(())
        }
        .encode(),
        vec![3, 0]
    );
    match DispatchError::from(Error::<Test>::RequireSudo) {
        DispatchError::Module(m) => assert_eq!((m.index, m.error), (4, [0, 0, 0, 0])),
        other => panic!("not a module error: {other:?}"),
    }
}

#[test]
fn metadata_describes_the_generic_call_through_the_runtime_call() {
    let d = Sudo::describe();
    assert_eq!(d.name, "Sudo");
    let storage = d.storage.expect("storage");
    assert_eq!(storage.prefix, "Sudo");
    assert_eq!(
        storage.entries.iter().map(|e| e.name).collect::<Vec<_>>(),
        vec!["Key"]
    );
    assert!(d.constants.is_empty());

    let mut registry = Registry::new();
    let id = registry.register_type(&d.calls.expect("calls"));
    let portable: PortableRegistry = registry.into();
    let ty = portable.resolve(id.id).expect("call type");
    assert_eq!(ty.path.segments, vec!["pallet_sudo", "pallet", "Call"]);
    let TypeDef::Variant(variants) = &ty.type_def else {
        panic!("Call must be an enum")
    };
    let names: Vec<(&str, u8)> = variants
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.index))
        .collect();
    assert_eq!(
        names,
        vec![
            ("sudo", 0),
            ("sudo_unchecked_weight", 1),
            ("set_key", 2),
            ("sudo_as", 3),
            ("remove_key", 4)
        ]
    );
    let call_field = &variants.variants[0].fields[0];
    assert_eq!(call_field.name.as_deref(), Some("call"));
    let inner = portable.resolve(call_field.ty.id).expect("inner call type");
    assert_eq!(
        inner.path.segments.last().map(String::as_str),
        Some("MockCall")
    );
    let who_field = &variants.variants[3].fields[0];
    let address = portable.resolve(who_field.ty.id).expect("address type");
    assert_eq!(
        address.path.segments,
        vec!["sp_runtime", "multiaddress", "MultiAddress"]
    );
}

#[test]
fn nested_calls_decode_only_within_a_depth_limit() {
    use codec::DecodeLimit;
    let mut call = MockCall::System(pallet_system::Call::remark { remark: vec![] });
    for _ in 0..100 {
        call = MockCall::Sudo(Call::sudo {
            call: Box::new(call),
        });
    }
    let bytes = call.encode();
    assert!(MockCall::decode_with_depth_limit(32, &mut &bytes[..]).is_err());
    assert_eq!(
        MockCall::decode_with_depth_limit(1_000, &mut &bytes[..]),
        Ok(call)
    );
}

#[test]
fn sudo_reports_the_inner_calls_actual_weight() {
    in_block(|| {
        io::set(b"junk:1", b"x");
        io::set(b"junk:2", b"x");
        let inner = MockCall::System(pallet_system::Call::kill_prefix {
            prefix: b"junk:".to_vec(),
            subkeys: 100,
        });
        let declared = Dispatchable::<Test>::dispatch_info(&inner).weight;
        let call = Call::<Test>::sudo {
            call: Box::new(inner),
        };
        let info = call.dispatch_info();
        assert_eq!(info.weight, weights::sudo().saturating_add(declared));
        let post = call
            .dispatch_with_post_info(Origin::Signed(alice()))
            .expect("the key may sudo");
        let actual = post.calc_actual_weight(&info);
        assert_eq!(
            actual,
            weights::sudo().saturating_add(pallet_system::weights::writes(2)),
            "two keys deleted, not 100"
        );
        assert!(actual.ref_time < info.weight.ref_time);
        assert!(io::get(b"junk:1").is_none() && io::get(b"junk:2").is_none());
    });
}
