//! A network partition of the four-validator local chain, with real processes in Linux network
//! namespaces: split 2 and 2, check that neither half finalizes anything (3 of 4 votes are
//! needed) and that nothing conflicting is finalized, heal, check that finality resumes and
//! that every node finalizes the same chain.
//!
//! Topology (all made here and removed at the end, even on failure):
//!
//! ```text
//!  test process (root namespace, 10.77.0.1) ── veth ── router namespace (10.77.0.2)
//!                                                       ├─ bridge A 10.77.1.254/24 ── Alice 10.77.1.1, Bob 10.77.1.2
//!                                                       └─ bridge B 10.77.2.254/24 ── Charlie 10.77.2.3, Dave 10.77.2.4
//! ```
//!
//! The router forwards between the halves; the partition is two `blackhole` policy rules in
//! the router (A→B and B→A), so the test process still reaches every node's RPC. Needs root and
//! `ip netns`; where the machine does not allow it the test says so and passes without running
//! (the issue asks for this test "where the machine allows it").

mod common;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A unique short tag for this run's namespaces and interfaces (interface names are at most 15
/// bytes).
fn tag() -> String {
    format!("{:05}", std::process::id() % 100_000)
}

/// Run `ip` with `args`; panics with its stderr on failure.
fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run `ip` inside namespace `ns`.
fn ip_in(ns: &str, args: &[&str]) {
    let mut all = vec!["netns", "exec", ns, "ip"];
    all.extend_from_slice(args);
    ip(&all);
}

/// Whether this machine lets us make network namespaces.
fn netns_available(probe: &str) -> bool {
    let made = Command::new("ip")
        .args(["netns", "add", probe])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if made {
        let _ = Command::new("ip").args(["netns", "del", probe]).status();
    }
    made
}

/// The namespaces, links and node processes of one run; all removed on drop.
struct Testbed {
    router: String,
    nodes: Vec<String>,
    host_link: String,
    procs: Vec<Option<Child>>,
    dir: PathBuf,
}

impl Testbed {
    fn new(dir: &Path) -> Testbed {
        let t = tag();
        let bed = Testbed {
            router: format!("bsr{t}"),
            nodes: (1..=4).map(|i| format!("bsn{i}{t}")).collect(),
            host_link: format!("bsh{t}"),
            procs: Vec::new(),
            dir: dir.to_path_buf(),
        };
        let r = bed.router.as_str();
        ip(&["netns", "add", r]);
        ip_in(r, &["link", "set", "lo", "up"]);
        // Forwarding is per namespace: only the router forwards.
        let sysctl = Command::new("ip")
            .args(["netns", "exec", r, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
            .status()
            .expect("sysctl");
        assert!(sysctl.success(), "enable forwarding in the router");
        // The test process reaches the router over a veth, and every node through it.
        let peer = format!("bsr{t}h");
        ip(&[
            "link",
            "add",
            &bed.host_link,
            "type",
            "veth",
            "peer",
            "name",
            &peer,
        ]);
        ip(&["link", "set", &peer, "netns", r]);
        ip(&["addr", "add", "10.77.0.1/30", "dev", &bed.host_link]);
        ip(&["link", "set", &bed.host_link, "up"]);
        ip(&["route", "add", "10.77.0.0/16", "via", "10.77.0.2"]);
        ip_in(r, &["addr", "add", "10.77.0.2/30", "dev", &peer]);
        ip_in(r, &["link", "set", &peer, "up"]);
        for (bridge, addr) in [("bra", "10.77.1.254/24"), ("brb", "10.77.2.254/24")] {
            ip_in(r, &["link", "add", bridge, "type", "bridge"]);
            ip_in(r, &["addr", "add", addr, "dev", bridge]);
            ip_in(r, &["link", "set", bridge, "up"]);
        }
        for (i, ns) in bed.nodes.iter().enumerate() {
            let (bridge, subnet) = if i < 2 { ("bra", 1) } else { ("brb", 2) };
            let (outer, inner) = (format!("bv{}{t}", i + 1), format!("bv{}{t}n", i + 1));
            ip(&["netns", "add", ns]);
            ip_in(ns, &["link", "set", "lo", "up"]);
            ip(&[
                "link", "add", &outer, "type", "veth", "peer", "name", &inner,
            ]);
            ip(&["link", "set", &outer, "netns", r]);
            ip(&["link", "set", &inner, "netns", ns]);
            ip_in(r, &["link", "set", &outer, "master", bridge]);
            ip_in(r, &["link", "set", &outer, "up"]);
            let addr = format!("10.77.{subnet}.{}/24", i + 1);
            ip_in(ns, &["addr", "add", &addr, "dev", &inner]);
            ip_in(ns, &["link", "set", &inner, "up"]);
            ip_in(
                ns,
                &[
                    "route",
                    "add",
                    "default",
                    "via",
                    &format!("10.77.{subnet}.254"),
                ],
            );
        }
        bed
    }

    /// Node `i`'s address (0-based: Alice, Bob, Charlie, Dave).
    fn addr(i: usize) -> String {
        format!("10.77.{}.{}", if i < 2 { 1 } else { 2 }, i + 1)
    }

    /// Start the four validators, each inside its namespace, each with the three others as
    /// boot nodes.
    fn start_nodes(&mut self) {
        let keys = ["alice", "bob", "charlie", "dave"];
        let peer_ids: Vec<String> = (1..=4u8)
            .map(|i| {
                let key = basalt_network::node_key_from_hex(&format!("{i:064x}")).expect("key");
                basalt_network::peer_id_of(&key).to_string()
            })
            .collect();
        for (i, who) in keys.iter().enumerate() {
            let mut args: Vec<String> = vec![
                "netns".into(),
                "exec".into(),
                self.nodes[i].clone(),
                env!("CARGO_BIN_EXE_basalt").into(),
                "--chain".into(),
                "local".into(),
                format!("--{who}"),
                "--base-path".into(),
                self.dir.join(who).display().to_string(),
                "--listen-addr".into(),
                format!("/ip4/{}/tcp/30333", Self::addr(i)),
                "--node-key".into(),
                format!("{:064x}", i + 1),
                "--rpc-external".into(),
                "--rpc-methods".into(),
                "unsafe".into(),
                "--no-prometheus".into(),
                "--no-mdns".into(),
                "--slot-duration-ms".into(),
                "1000".into(),
                "--bootnodes".into(),
            ];
            for (j, id) in peer_ids.iter().enumerate() {
                if j != i {
                    args.push(format!("/ip4/{}/tcp/30333/p2p/{id}", Self::addr(j)));
                }
            }
            let log = std::fs::File::create(self.dir.join(format!("{who}.log"))).expect("log");
            let child = Command::new("ip")
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start basalt");
            self.procs.push(Some(child));
        }
    }

    /// Cut (`true`) or restore (`false`) forwarding between the two halves.
    fn partition(&self, cut: bool) {
        let verb = if cut { "add" } else { "del" };
        for (from, to) in [
            ("10.77.1.0/24", "10.77.2.0/24"),
            ("10.77.2.0/24", "10.77.1.0/24"),
        ] {
            ip_in(
                &self.router,
                &["rule", verb, "from", from, "to", to, "blackhole"],
            );
        }
    }

    /// The tail of every node's log, for failure messages.
    fn logs(&self) -> String {
        ["alice", "bob", "charlie", "dave"]
            .iter()
            .map(|who| {
                let text = std::fs::read_to_string(self.dir.join(format!("{who}.log")))
                    .unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines[lines.len().saturating_sub(15)..].join("\n");
                format!("--- {who} ---\n{tail}\n")
            })
            .collect()
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        for child in self.procs.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // `ip netns exec` forwards the kill; make sure nothing survives in the namespaces.
        for ns in &self.nodes {
            let _ = Command::new("ip")
                .args(["netns", "pids", ns])
                .output()
                .map(|out| {
                    for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                        let _ = Command::new("kill").args(["-9", pid]).status();
                    }
                });
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.router])
            .status();
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_link])
            .stderr(Stdio::null())
            .status();
    }
}

/// One JSON-RPC call to node address `host`, port 9944.
fn rpc(host: &str, method: &str, params: Value) -> Result<Value, String> {
    common::rpc_at(host, 9944, method, params)
}

/// Node `i`'s finalized block: number and hash.
fn finalized(i: usize) -> Option<(u32, String)> {
    let host = Testbed::addr(i);
    let hash = rpc(&host, "chain_getFinalizedHead", json!([])).ok()?;
    let header = rpc(&host, "chain_getHeader", json!([hash])).ok()?;
    let number =
        u32::from_str_radix(header["number"].as_str()?.trim_start_matches("0x"), 16).ok()?;
    Some((number, hash.as_str()?.to_string()))
}

/// Node `i`'s canonical hash at `number`.
fn hash_at(i: usize, number: u32) -> Option<String> {
    rpc(&Testbed::addr(i), "chain_getBlockHash", json!([number]))
        .ok()?
        .as_str()
        .map(str::to_string)
}

/// Wait until every node has finalized at least `number`; returns their finalized heads.
fn wait_finalized(bed: &Testbed, number: u32, timeout: Duration) -> Vec<(u32, String)> {
    let deadline = Instant::now() + timeout;
    loop {
        let heads: Vec<Option<(u32, String)>> = (0..4).map(finalized).collect();
        if heads
            .iter()
            .all(|h| h.as_ref().is_some_and(|(n, _)| *n >= number))
        {
            return heads.into_iter().flatten().collect();
        }
        assert!(
            Instant::now() < deadline,
            "not every node finalized #{number} within {timeout:?}: {heads:?}\n{}",
            bed.logs()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Every node reports the same hash at every height up to the lowest finalized one.
fn assert_same_finalized_chain(bed: &Testbed) {
    let lowest = (0..4)
        .filter_map(finalized)
        .map(|(n, _)| n)
        .min()
        .expect("finalized heads");
    for number in 1..=lowest {
        let hashes: Vec<Option<String>> = (0..4).map(|i| hash_at(i, number)).collect();
        assert!(
            hashes.windows(2).all(|w| w[0] == w[1] && w[0].is_some()),
            "conflicting finalized blocks at #{number}: {hashes:?}\n{}",
            bed.logs()
        );
    }
}

#[test]
fn partition_two_and_two_stalls_finality_and_heals() {
    if !netns_available(&format!("bsp{}", tag())) {
        eprintln!("skipped: this machine does not allow `ip netns` (needs root)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bed = Testbed::new(dir.path());
    bed.start_nodes();

    // Connected: the four finalize together.
    let before = wait_finalized(&bed, 5, Duration::from_secs(90));
    assert_same_finalized_chain(&bed);

    // Split 2 and 2: neither half has the 3 votes finality needs. Votes in flight may still
    // complete the round under way, so measure from a settled point.
    bed.partition(true);
    std::thread::sleep(Duration::from_secs(5));
    let settled: Vec<u32> = (0..4).filter_map(finalized).map(|(n, _)| n).collect();
    assert_eq!(settled.len(), 4, "every node still answers over RPC");
    std::thread::sleep(Duration::from_secs(15));
    let during: Vec<(u32, String)> = (0..4).filter_map(finalized).collect();
    for (i, (n, _)) in during.iter().enumerate() {
        assert!(
            *n <= settled[i].max(before[i].0) + 1,
            "node {i} finalized #{n} during the partition (settled at #{})\n{}",
            settled[i],
            bed.logs()
        );
    }
    // Both halves kept authoring (each holds two of the four slots) on diverging forks...
    let best_a = rpc(&Testbed::addr(0), "chain_getBlockHash", json!([])).expect("head A");
    let best_b = rpc(&Testbed::addr(2), "chain_getBlockHash", json!([])).expect("head B");
    assert_ne!(best_a, best_b, "the halves should build diverging forks");
    // ...but nothing conflicting was finalized.
    assert_same_finalized_chain(&bed);
    eprintln!("before the split: {before:?}\nduring: {during:?}");

    // Heal: finality resumes well past the stall and everybody agrees.
    bed.partition(false);
    let target = during.iter().map(|(n, _)| *n).max().unwrap_or(0) + 5;
    let healed = wait_finalized(&bed, target, Duration::from_secs(120));
    assert_same_finalized_chain(&bed);
    eprintln!("after the heal: {healed:?}");
}
