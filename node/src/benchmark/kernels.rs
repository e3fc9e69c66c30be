//! `basalt benchmark kernels`: how fast this machine runs the built-in kernels through the
//! provider's executors, so a provider can price its work and compare with the machine's peak.
//!
//! For each `--sizes` n it runs `matmul-i8` with m = k = n = n (n^3 multiply-adds, operands
//! generated from a fixed seed) `--repeat` times and reports the best and mean wall time and
//! the rate in multiply-accumulates per second; then `blake2-chain` over `--rounds` rounds in
//! hashes per second. The output hash of each run is printed too: any executor must give the
//! same one (they are bit-identical by specification, docs/KERNELS.md). With the `gpu` feature
//! and a CUDA device 0, the GPU executor is measured first.

use crate::cli::BenchmarkKernelsCmd;
use crate::provider::config::ProviderConfig;
use crate::provider::executor::{executors, Executor, Workload};
use anyhow::bail;
use basalt_kernels::Kernel;
use codec::Encode;
use std::time::{Duration, Instant};

/// Runs `workload` `repeat` times; the best and mean time and the output hash.
fn time_runs(
    executor: &dyn Executor,
    workload: &Workload,
    input: &[u8],
    repeat: u32,
) -> anyhow::Result<(Duration, Duration, [u8; 32])> {
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    let mut hash = [0u8; 32];
    for _ in 0..repeat {
        let started = Instant::now();
        let output = executor
            .execute(workload, input, u64::MAX)
            .map_err(|e| anyhow::anyhow!("{} executor: {e}", executor.name()))?;
        let elapsed = started.elapsed();
        best = best.min(elapsed);
        total += elapsed;
        hash = basalt_kernels::result_hash(&output);
    }
    Ok((best, total / repeat, hash))
}

/// Runs the kernel benchmark and prints its report.
pub fn run(cmd: BenchmarkKernelsCmd) -> anyhow::Result<()> {
    if cmd.repeat == 0 || cmd.sizes.is_empty() {
        bail!("--repeat must be at least 1 and --sizes not empty");
    }
    // Every kernel executor this binary has: the GPU (feature `gpu`, device 0) and the CPU.
    let config = ProviderConfig {
        gpus: vec![0],
        ..ProviderConfig::default()
    };
    let executors: Vec<Box<dyn Executor>> = executors(&config)
        .into_iter()
        .filter(|e| e.can_run(&Workload::Kernel(Kernel::MatmulI8)))
        .collect();
    println!(
        "Kernels on {} CPU threads (rayon)",
        rayon::current_num_threads()
    );
    for executor in &executors {
        for &n in &cmd.sizes {
            if n == 0 || n > basalt_kernels::matmul::MAX_DIMENSION {
                bail!("matmul size {n} is outside 1..=4096");
            }
            let input = (n, n, n, [7u8; 32]).encode();
            let (best, mean, hash) = time_runs(
                executor.as_ref(),
                &Workload::Kernel(Kernel::MatmulI8),
                &input,
                cmd.repeat,
            )?;
            let macs = f64::from(n).powi(3);
            println!(
                "{:<8} matmul-i8 {n:>4}^3: best {:>9.3} s, mean {:>9.3} s, {:>7.2} GMAC/s  (output hash 0x{})",
                executor.name(),
                best.as_secs_f64(),
                mean.as_secs_f64(),
                macs / best.as_secs_f64() / 1e9,
                hex::encode(&hash[..8]),
            );
        }
        if !executor.can_run(&Workload::Kernel(Kernel::Blake2Chain)) {
            continue;
        }
        let input = (b"basalt".to_vec(), cmd.rounds).encode();
        let (best, _, hash) = time_runs(
            executor.as_ref(),
            &Workload::Kernel(Kernel::Blake2Chain),
            &input,
            cmd.repeat,
        )?;
        println!(
            "{:<8} blake2-chain {} rounds: best {:.3} s, {:.2} M hashes/s  (output hash 0x{})",
            executor.name(),
            cmd.rounds,
            best.as_secs_f64(),
            f64::from(cmd.rounds) / best.as_secs_f64() / 1e6,
            hex::encode(&hash[..8]),
        );
    }
    Ok(())
}
