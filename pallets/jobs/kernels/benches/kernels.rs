//! Throughput of the built-in kernels' reference CPU implementation and of the on-chain input
//! check: `cargo bench -p basalt-kernels`. Results are recorded in docs/KERNELS.md.

use basalt_kernels::{check_input, execute, Kernel};
use codec::Encode;
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("kernels");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let chain = (b"basalt".to_vec(), 100_000u32).encode();
    g.bench_function("blake2-chain 1e5 rounds", |b| {
        b.iter(|| execute(Kernel::Blake2Chain, &chain))
    });
    let small = (256u32, 256u32, 256u32, [1u8; 32]).encode();
    g.bench_function("matmul-i8 256^3", |b| {
        b.iter(|| execute(Kernel::MatmulI8, &small))
    });
    let large = (1024u32, 1024u32, 1024u32, [1u8; 32]).encode();
    g.bench_function("matmul-i8 1024^3", |b| {
        b.iter(|| execute(Kernel::MatmulI8, &large))
    });
    let input = (4096u32, 4096u32, 4096u32, [1u8; 32]).encode();
    g.bench_function("check_input matmul-i8", |b| {
        b.iter(|| check_input(Kernel::MatmulI8, &input))
    });
    g.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
