//! Known answers computed independently by scripts/kernel_vectors.py, every input error, and
//! the fast matrix product against the naive triple loop.

use super::*;
use codec::Encode;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn chain(seed: &[u8], rounds: u32) -> Vec<u8> {
    (seed.to_vec(), rounds).encode()
}

fn mm(m: u32, k: u32, n: u32, seed: [u8; 32]) -> Vec<u8> {
    (m, k, n, seed).encode()
}

#[test]
fn blake2_chain_known_answers() {
    let one = execute(Kernel::Blake2Chain, &chain(b"basalt", 1)).unwrap();
    assert_eq!(
        hex(&one),
        "9c1d3b2044f716edd7131a0b7d8aded9aec9949e36881dc95472e80f47bcc730"
    );
    let thousand = execute(Kernel::Blake2Chain, &chain(b"basalt", 1000)).unwrap();
    assert_eq!(
        hex(&thousand),
        "0e261e77d6097ced5ae8a8a1df7d8605b90bbcfd2bb3f77ec91be30ff89e511b"
    );
}

#[test]
fn matmul_known_answers() {
    let out = execute(Kernel::MatmulI8, &mm(2, 3, 2, [7; 32])).unwrap();
    let values: Vec<i32> = out
        .chunks(4)
        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(values, vec![11888, -9296, 13649, -12963]);
    let out = execute(Kernel::MatmulI8, &mm(64, 64, 64, [1; 32])).unwrap();
    assert_eq!(out.len(), 64 * 64 * 4);
    assert_eq!(
        hex(&result_hash(&out)),
        "1de9edf8de29ee2da29b042014be6644391356ee52b08662e5081e6ad9b314fc"
    );
}

#[test]
fn the_fast_product_equals_the_naive_one() {
    for (m, k, n, s) in [(1, 1, 1, 3u8), (3, 7, 5, 4), (17, 33, 9, 5), (8, 1, 40, 6)] {
        let input = MatmulInput {
            m,
            k,
            n,
            seed: [s; 32],
        };
        let (a, b) = matmul_operands(m, k, n, &input.seed);
        let (m, k, n) = (m as usize, k as usize, n as usize);
        let mut naive = vec![0i32; m * n];
        for i in 0..m {
            for j in 0..n {
                naive[i * n + j] = (0..k)
                    .map(|p| i32::from(a[i * k + p]) * i32::from(b[p * n + j]))
                    .sum();
            }
        }
        assert_eq!(input.run(), naive, "{m}x{k}x{n}");
    }
}

#[test]
fn input_structs_encode_as_the_tuples() {
    let chain_input = Blake2ChainInput {
        seed: b"abc".to_vec(),
        rounds: 9,
    };
    assert_eq!(chain_input.encode(), chain(b"abc", 9));
    let mm_input = MatmulInput {
        m: 1,
        k: 2,
        n: 3,
        seed: [9; 32],
    };
    assert_eq!(mm_input.encode(), mm(1, 2, 3, [9; 32]));
}

#[test]
fn every_input_error() {
    let check = |k, i: Vec<u8>| check_input(k, &i);
    assert_eq!(
        check(Kernel::Blake2Chain, vec![]),
        Err(InputError::Undecodable)
    );
    assert_eq!(
        check(Kernel::Blake2Chain, vec![8, 1]),
        Err(InputError::Undecodable)
    );
    let mut trailing = chain(b"x", 1);
    trailing.push(0);
    assert_eq!(
        check(Kernel::Blake2Chain, trailing),
        Err(InputError::TrailingBytes)
    );
    assert_eq!(
        check(Kernel::Blake2Chain, chain(b"x", 0)),
        Err(InputError::ZeroRounds)
    );
    assert_eq!(
        check(Kernel::Blake2Chain, chain(b"x", MAX_ROUNDS + 1)),
        Err(InputError::TooManyRounds)
    );
    assert_eq!(
        check(Kernel::Blake2Chain, chain(b"x", MAX_ROUNDS)),
        Ok(Work {
            ops: u64::from(MAX_ROUNDS)
        })
    );
    assert_eq!(
        check(Kernel::MatmulI8, mm(0, 1, 1, [0; 32])),
        Err(InputError::ZeroDimension)
    );
    assert_eq!(
        check(Kernel::MatmulI8, mm(1, 4097, 1, [0; 32])),
        Err(InputError::DimensionTooLarge)
    );
    assert_eq!(
        check(Kernel::MatmulI8, mm(1, 2, 3, [0; 32])[..10].to_vec()),
        Err(InputError::Undecodable)
    );
    assert_eq!(
        check(Kernel::MatmulI8, mm(4096, 4096, 4096, [0; 32])),
        Ok(Work { ops: 1 << 36 })
    );
    assert_eq!(
        execute(Kernel::MatmulI8, &[1]),
        Err(InputError::Undecodable)
    );
}

#[test]
fn ids_and_names_are_the_chains() {
    assert_eq!(Kernel::from_id(0), Some(Kernel::Blake2Chain));
    assert_eq!(Kernel::from_id(1), Some(Kernel::MatmulI8));
    assert_eq!(Kernel::from_id(2), None);
    assert_eq!(Kernel::ALL.map(|k| k.name()), ["blake2-chain", "matmul-i8"]);
}
