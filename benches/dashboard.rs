//! Dashboard benchmark on the sim cluster: how fast kubedeck shows N pods, how much memory it
//! settles at, and how much CPU it burns while nothing happens. Run with `scripts/bench`
//! (which starts a sim cluster), or `cargo bench --bench dashboard` with
//! KUBEDECK_SIM_KUBECONFIG set. BENCH_PODS (default 1000) sets the pod count.

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

mod common;

use std::time::{Duration, Instant};

use common::{NAMESPACES, knob};

fn main() {
    let pods: usize = knob("BENCH_PODS", 1000);
    let runs: usize = knob("BENCH_RUNS", 3);
    let common::Sim { kubeconfig, rt, client } = common::sim_with_pods(pods);
    let total = rt.block_on(common::all_pods(&client));
    println!("cluster: {total} pods Running in all namespaces (asked for {pods} in {NAMESPACES} namespaces)");

    let mut floor = Vec::new();
    for _ in 0..runs {
        floor.push(rt.block_on(common::list_floor(&client, total)));
    }

    let mut first_screen = Vec::new();
    let mut rss = Vec::new();
    let mut idle_cpu = Vec::new();
    for _ in 0..runs {
        let mut tui = pty::Tui::spawn(&["-A"], &kubeconfig);
        let start = Instant::now();
        tui.wait_for(&[&format!("Pods (all namespaces) [{total}]")], Duration::from_secs(120));
        first_screen.push(start.elapsed());
        std::thread::sleep(Duration::from_secs(5));
        let pid = tui.pid();
        rss.push(common::rss_mib(pid));
        let before = common::cpu_seconds(pid);
        std::thread::sleep(Duration::from_secs(20));
        idle_cpu.push((common::cpu_seconds(pid) - before) / 20.0 * 100.0);
        tui.type_str("q");
        tui.wait_exit(Duration::from_secs(10));
    }
    println!("physical floor (one LIST, decoded): median {:?}", median(&mut floor));
    println!(
        "first complete screen:              median {:?} (runs {first_screen:?})",
        median(&mut first_screen.clone())
    );
    println!(
        "settled RSS:                        median {:.1} MiB (runs {rss:.1?})",
        median_f(&mut rss.clone())
    );
    println!(
        "idle CPU over 20 s:                 median {:.2}% of a core (runs {idle_cpu:.2?})",
        median_f(&mut idle_cpu.clone())
    );
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn median_f(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
