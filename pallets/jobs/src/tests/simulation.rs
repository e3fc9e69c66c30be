//! The economics, measured: a seeded simulation that drives the real pallet (the `Sim` mock,
//! with the runtime's spot-check rate of 14%, cheat slash of 100 x price and jail after 3
//! offences) through thousands of jobs with honest, lazy and cheating providers, and with a
//! colluding coalition. docs/JOBS.md reports its numbers.
//!
//! `cargo test --release -p pallet-jobs simulation -- --nocapture` prints the tables; the
//! `BASALT_SIM_JOBS` variable sets the number of jobs per scenario (100,000 by default, half
//! that per coalition size).

use super::*;
use basalt_support::genesis::BuildGenesis;
use basalt_support::primitives::hashing::blake2_256;
use std::collections::BTreeSet;

/// What a simulated provider does with the jobs it is assigned.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Behaviour {
    /// Always executes and reveals the right result.
    Honest,
    /// Honest, but misses this percentage of its commit windows.
    Lazy(u64),
    /// Reveals a wrong result on this percentage of its jobs (100: always).
    Cheater(u64),
    /// A coalition member: always reveals the coalition's one wrong result, so members
    /// confirm each other when one spot-checks another.
    Coalition,
}

/// What one scenario measured.
#[derive(Default, Debug)]
struct Outcome {
    /// Optimistic jobs whose original replica was honest and which completed.
    honest_optimistic: u64,
    /// Executions those jobs used (the replica, spot checks, escalations).
    honest_optimistic_executions: u64,
    /// Optimistic jobs whose original replica revealed a wrong result.
    cheated: u64,
    /// Of those, jobs where the cheat was slashed.
    caught: u64,
    /// Of those, jobs where a spot check was drawn.
    checked: u64,
    /// Wrong results revealed by cheaters, in any role.
    cheats: u64,
    /// The cheaters' earnings minus slashes, less what the same jobs would have paid them
    /// honestly (before the execution cost they saved).
    cheat_gain_minus_honest: i128,
    /// What honest (not lazy) providers were slashed in total.
    honest_slashed: Balance,
    /// Jobs settled.
    settled: u64,
}

/// A deterministic 64-bit draw for (`seed`, `a`, `b`, `salt`).
fn draw(seed: u64, a: u64, b: u8, salt: &[u8]) -> u64 {
    let mut data = seed.to_le_bytes().to_vec();
    data.extend_from_slice(&a.to_le_bytes());
    data.push(b);
    data.extend_from_slice(salt);
    let h = blake2_256(&data);
    u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
}

fn right(id: JobId) -> H256 {
    H256(blake2_256(&id.to_le_bytes()))
}

/// The result `who` reveals for job `id`.
fn result_of(seed: u64, behaviour: Behaviour, id: JobId, who: u8) -> H256 {
    match behaviour {
        Behaviour::Cheater(pct) if draw(seed, id, who, b"cheat") % 100 < pct => {
            H256(blake2_256(&(id, who, b"wrong").encode()))
        }
        Behaviour::Coalition => H256(blake2_256(&(id, b"coalition").encode())),
        _ => right(id),
    }
}

const SIM_PRICE: Balance = 10;
const SIM_STAKE: Balance = 100_000;
const SIM_CLIENT: u8 = 200;

/// Runs `jobs` jobs (nine in ten optimistic, one in ten with three replicas) through the
/// pallet with providers `1..=population.len()` behaving as listed.
fn run(seed: u64, jobs: u64, population: &[Behaviour]) -> Outcome {
    SEED.with(|s| s.set(seed));
    let behaviour = |who: u8| population[usize::from(who) - 1];
    let providers: Vec<u8> = (1..=population.len() as u8).collect();
    let mut out = Outcome::default();
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let mut endow: Vec<(AccountId, Balance)> =
            providers.iter().map(|n| (acc(*n), 1_000_000_000)).collect();
        endow.push((acc(SIM_CLIENT), 1 << 100));
        endow.push((acc(TREASURY), 1));
        Balances::<Sim>::genesis_endow(&endow).expect("endowed");
        JobsPallet::<Sim>::build_genesis(&()).expect("jobs genesis");
        for &n in &providers {
            register_provider::<Sim>(n, SIM_STAKE);
        }
        open::<Sim>(1);
        let issuance = Balances::<Sim>::total_issuance();
        let mut submitted = 0u64;
        let mut cheated: BTreeSet<JobId> = BTreeSet::new();
        let mut optimistic: BTreeSet<JobId> = BTreeSet::new();
        let mut cheats_of: std::collections::BTreeMap<u8, u64> = Default::default();
        let limit = jobs.saturating_mul(4).saturating_add(1_000);
        for _ in 0..limit {
            // New jobs, while the providers have room.
            for _ in 0..8 {
                if submitted == jobs || LiveJobs::get() >= 200 {
                    break;
                }
                let replicas = if draw(seed, submitted, 0, b"replicas") % 10 == 0 {
                    3
                } else {
                    1
                };
                let id = NextJobId::get();
                let input = blake2_chain_input(b"sim", 1);
                let call = Call::submit_job {
                    program: 0,
                    input,
                    replicas,
                    price: SIM_PRICE,
                    timeout: 50,
                };
                dispatch::<Sim>(call, SIM_CLIENT).expect("submitted");
                if replicas == 1 {
                    optimistic.insert(id);
                }
                submitted += 1;
            }
            // Each provider acts on what the runtime API says it must do.
            for &p in &providers {
                for work in JobsPallet::<Sim>::pending_work(&acc(p)) {
                    let id = work.job;
                    let b = behaviour(p);
                    let result = result_of(seed, b, id, p);
                    match work.phase {
                        Phase::Commit => {
                            if let Behaviour::Lazy(pct) = b {
                                if draw(seed, id, p, b"lazy") % 100 < pct {
                                    continue;
                                }
                            }
                            commit::<Sim>(p, id, result).expect("commit");
                        }
                        Phase::Reveal => {
                            if result != right(id) {
                                *cheats_of.entry(p).or_default() += 1;
                                let original = job(id)
                                    .assignments
                                    .as_slice()
                                    .first()
                                    .map(|a| a.provider.clone());
                                if optimistic.contains(&id) && original == Some(acc(p)) {
                                    cheated.insert(id);
                                }
                            }
                            reveal::<Sim>(p, id, result).expect("reveal");
                        }
                    }
                }
            }
            for e in events::<Sim>() {
                match e {
                    Event::ProviderSlashed {
                        job: id,
                        provider,
                        amount,
                        offence,
                    } => {
                        let who = AsRef::<[u8]>::as_ref(&provider)[0];
                        if behaviour(who) == Behaviour::Honest {
                            out.honest_slashed += amount;
                        }
                        if offence == Offence::WrongResult && cheated.contains(&id) {
                            let original = job(id)
                                .assignments
                                .as_slice()
                                .first()
                                .map(|a| a.provider.clone());
                            if original == Some(provider) {
                                out.caught += 1;
                            }
                        }
                    }
                    Event::JobCompleted { job: id, .. } => {
                        out.settled += 1;
                        let j = job(id);
                        let original = j
                            .assignments
                            .as_slice()
                            .first()
                            .map(|a| AsRef::<[u8]>::as_ref(&a.provider)[0]);
                        if optimistic.contains(&id)
                            && original.map(behaviour) == Some(Behaviour::Honest)
                        {
                            out.honest_optimistic += 1;
                            out.honest_optimistic_executions += j.assignments.len() as u64;
                        }
                    }
                    Event::JobRefunded { .. } => out.settled += 1,
                    Event::SpotCheckStarted { job: id } if cheated.contains(&id) => {
                        out.checked += 1
                    }
                    _ => {}
                }
            }
            // Jailed providers come back with fresh stake, as a persistent cheater would.
            let now = now::<Sim>();
            for &p in &providers {
                if ProviderRecords::get(acc(p))
                    .jailed_since
                    .is_some_and(|j| j < now)
                {
                    register_provider::<Sim>(p, SIM_STAKE);
                }
            }
            if submitted == jobs && LiveJobs::get() == 0 {
                break;
            }
            next_block::<Sim>();
        }
        out.cheated = cheated.len() as u64;
        for (&p, &cheats) in &cheats_of {
            let record = ProviderRecords::get(acc(p));
            let net = record.earned as i128 - record.slashed as i128;
            // Had it done every job honestly it would have been paid for the paid ones and the
            // caught ones (each offence of a cheater is a caught wrong result).
            let would_have =
                i128::from(record.jobs_done.saturating_add(record.offences)) * SIM_PRICE as i128;
            out.cheat_gain_minus_honest += net - would_have;
            out.cheats += cheats;
        }
        assert_eq!(submitted, jobs);
        assert_eq!(LiveJobs::get(), 0, "every job settled");
        check_invariants::<Sim>(issuance);
    });
    out
}

fn jobs_per_scenario() -> u64 {
    std::env::var("BASALT_SIM_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn catch_rate(o: &Outcome) -> f64 {
    o.caught as f64 / o.cheated.max(1) as f64
}

#[test]
fn simulation_honest_lazy_and_cheating_providers() {
    // 30 providers of equal stake: 21 honest, 3 lazy, 3 always cheating, 3 cheating on 30%.
    let mut population = vec![Behaviour::Honest; 21];
    population.extend([Behaviour::Lazy(10); 3]);
    population.extend([Behaviour::Cheater(100); 3]);
    population.extend([Behaviour::Cheater(30); 3]);
    let jobs = jobs_per_scenario();
    let o = run(1, jobs, &population);
    let p = 0.14f64;
    let rate = catch_rate(&o);
    let sigma = (p * (1.0 - p) / o.cheated.max(1) as f64).sqrt();
    let cost = o.honest_optimistic_executions as f64 / o.honest_optimistic.max(1) as f64;
    let loss_per_cheat =
        -(o.cheat_gain_minus_honest as f64) / o.cheats.max(1) as f64 / SIM_PRICE as f64;
    println!("| jobs | settled | cheated optimistic jobs | spot-checked | caught | catch rate | P(100 cheats never caught) | executions per honest optimistic job | cheater's loss per cheat (x price) | honest slashed |");
    println!(
        "| {jobs} | {} | {} | {} | {} | {:.4} | {:.2e} | {:.3} | {:.1} | {} |",
        o.settled,
        o.cheated,
        o.checked,
        o.caught,
        rate,
        (1.0 - rate).powi(100),
        cost,
        loss_per_cheat,
        o.honest_slashed
    );
    assert_eq!(o.settled, jobs);
    assert_eq!(o.honest_slashed, 0, "no honest provider is ever slashed");
    assert!(o.cheated > 100, "the scenario has cheats to measure");
    assert!(
        (rate - p).abs() < 5.0 * sigma,
        "catch rate {rate} is the spot-check rate {p}"
    );
    assert!(cost <= 1.2, "verification costs {cost} executions per job");
    // The most a cheat saves is one execution (at most the price): it must lose 10x that on
    // top of it.
    assert!(
        loss_per_cheat >= 11.0,
        "a cheat loses only {loss_per_cheat} x price"
    );
}

#[test]
fn simulation_coalition_escape_against_stake_share() {
    let jobs = (jobs_per_scenario() / 2).max(1_000);
    println!("| coalition share | cheated optimistic jobs | catch rate | P(100 cheats never caught) | honest slashed |");
    let mut rates = Vec::new();
    for members in [3usize, 6, 10] {
        let mut population = vec![Behaviour::Coalition; members];
        population.extend(vec![Behaviour::Honest; 30 - members]);
        let o = run(2, jobs, &population);
        let rate = catch_rate(&o);
        println!(
            "| {:.2} | {} | {:.4} | {:.2e} | {} |",
            members as f64 / 30.0,
            o.cheated,
            rate,
            (1.0 - rate).powi(100),
            o.honest_slashed
        );
        rates.push(rate);
    }
    // A larger coalition confirms more of its own cheats: it is caught less often, never more.
    assert!(rates.windows(2).all(|w| w[1] <= w[0] + 0.02), "{rates:?}");
    assert!(
        rates[0] > 0.08,
        "a tenth of the stake still gets caught: {rates:?}"
    );
}
