//! The simulation over many seeds, as part of `cargo test`.
//!
//! `BASALT_SIM_SEEDS=n` runs `n` seeds (default 50) starting at `BASALT_SIM_FIRST` (default 0);
//! `BASALT_SIM_SEED=s` replays one seed. Seeds run on all available cores; each failure names its seed.

use super::*;

fn seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("BASALT_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![seed];
    }
    let count = std::env::var("BASALT_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50u64);
    let first = std::env::var("BASALT_SIM_FIRST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0u64);
    (first..first + count).collect()
}

fn summary(r: &SimReport) -> String {
    format!(
        "seed {:>3}: {} validators (adversary {}), {:>3} blocks, finalized #{}..#{}, set {}, \
         {} crashes ({} torn), {} partitions, resumed after heal in {:?} ms, equivocations \
         aura {}/{} grandpa {}/{} (committed/detected), net sent {} dropped {} cut {}; \
         grandpa: {} votes, {} re-sent from the durable record, {} parked / {} replayed for \
         unknown blocks, {} catch-ups imported, {} handoffs served",
        r.seed,
        r.validators,
        r.adversary,
        r.blocks,
        r.finalized_min,
        r.finalized_max,
        r.final_set_id,
        r.crashes,
        r.torn_crashes,
        r.partitions,
        r.heal_resume_ms,
        r.aura_equivocations.0,
        r.aura_equivocations.1,
        r.grandpa_equivocations.0,
        r.grandpa_equivocations.1,
        r.net.sent,
        r.net.dropped,
        r.net.partitioned,
        r.grandpa.votes_cast,
        r.grandpa.substituted_votes,
        r.grandpa.parked,
        r.grandpa.replayed,
        r.grandpa.catch_ups_imported,
        r.grandpa.handoffs_served,
    )
}

#[test]
fn simulation_many_seeds() {
    let seeds = seeds();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(seeds.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(seed) = seeds.get(k) else { break };
                let outcome = run(SimConfig::standard(*seed));
                results.lock().push((*seed, outcome));
            });
        }
    });
    let mut results = results.into_inner();
    results.sort_by_key(|(seed, _)| *seed);
    let mut failures = Vec::new();
    let mut totals = (0usize, 0usize, 0usize, 0usize, 0u64, 0u64);
    let mut grandpa = GrandpaMetrics::default();
    for (seed, outcome) in &results {
        match outcome {
            Ok(report) => {
                println!("{}", summary(report));
                totals.0 += report.aura_equivocations.0;
                totals.1 += report.grandpa_equivocations.0;
                totals.2 += report.finalized_min as usize;
                totals.3 += report.heal_resume_ms.len();
                totals.4 += report.crashes;
                totals.5 += report.torn_crashes;
                add_metrics(&mut grandpa, report.grandpa);
            }
            Err(failure) => {
                println!("{}", summary(&failure.report));
                for v in &failure.violations {
                    println!("    seed {seed}: {v}");
                }
                for s in &failure.report.node_states {
                    println!("    seed {seed}: {s}");
                }
                failures.push(*seed);
            }
        }
    }
    println!(
        "{} seeds in {:.1?}: {} Aura and {} GRANDPA equivocations committed (all detected if \
         passed), {} heals resumed, {} crashes ({} torn), mean final height {}; {:?}",
        results.len(),
        started.elapsed(),
        totals.0,
        totals.1,
        totals.3,
        totals.4,
        totals.5,
        totals.2 / results.len().max(1),
        grandpa,
    );
    assert!(
        failures.is_empty(),
        "simulation failed for seeds {failures:?}; replay one with \
         BASALT_SIM_SEED=<seed> cargo test --release -p basalt-consensus simulation_many_seeds \
         -- --nocapture"
    );
}

#[test]
fn simulation_is_deterministic() {
    let a = run(SimConfig::standard(7));
    let b = run(SimConfig::standard(7));
    let fingerprint = |r: &Result<SimReport, Box<SimFailure>>| match r {
        Ok(r) => r.fingerprint,
        Err(f) => f.report.fingerprint,
    };
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_ne!(fingerprint(&a), H256::zero());
}

#[test]
fn deterministic_sr25519_matches_sp_core_keys_and_verifies() {
    let seed = [5u8; 32];
    let signer = DeterministicSr25519::from_seed(&seed, 1);
    let pair = sr25519::Pair::from_seed(&seed);
    assert_eq!(signer.public(), sp_core::Pair::public(&pair));
    let signature = AuraSigner::sign(&signer, b"message");
    assert!(sr25519::Pair::verify(
        &signature,
        b"message",
        &sp_core::Pair::public(&pair)
    ));
    let again = DeterministicSr25519::from_seed(&seed, 1);
    assert_eq!(AuraSigner::sign(&again, b"message"), signature);
}
