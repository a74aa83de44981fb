//! An hour of churn (issue 20): kubedeck in a 200x50 pseudo-terminal on the pods of all
//! namespaces while pods are created at BENCH_CHURN_RATE a second (each deleted 5 s later), with
//! its RSS and CPU sampled every minute. At the end the screen's pod count is compared with the
//! API's, and the rows on screen with the same pods read from the API (status and restarts), so a
//! dropped or stale row shows. Run with `scripts/bench soak`; never part of the test suite.
//!
//! Knobs: BENCH_SOAK_PODS (10000), BENCH_SOAK_MINUTES (60), BENCH_CHURN_RATE (20).

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::{Duration, Instant};

use common::{churn, clear_churn, knob};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::ListParams;

fn main() {
    let pods: usize = knob("BENCH_SOAK_PODS", 10_000);
    let minutes: u64 = knob("BENCH_SOAK_MINUTES", 60);
    let rate: f64 = knob("BENCH_CHURN_RATE", 20.0);
    let common::Sim { kubeconfig, rt, client } = common::sim_with_pods(pods);
    rt.block_on(clear_churn(&client));
    let total = rt.block_on(common::all_pods(&client));

    let mut tui = pty::Tui::spawn_all_namespaces(&kubeconfig);
    tui.wait_for(&[&format!("Pods (all namespaces) [{total}]")], Duration::from_secs(600));
    let pid = tui.pid();

    let created = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let driver = rt.spawn(churn(
        client.clone(),
        rate,
        Duration::from_secs(minutes * 60),
        Arc::new(AtomicUsize::new(0)),
        Arc::clone(&created),
        Arc::clone(&done),
    ));
    println!("| minute | RSS (MiB) | CPU over the minute (% of a core) |");
    println!("| ---: | ---: | ---: |");
    let mut samples = Vec::new();
    let start = Instant::now();
    let mut cpu_before = common::cpu_seconds(pid);
    for minute in 1..=minutes {
        let due = start + Duration::from_secs(minute * 60);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let cpu_now = common::cpu_seconds(pid);
        let (rss, cpu) = (common::rss_mib(pid), (cpu_now - cpu_before) / 60.0 * 100.0);
        cpu_before = cpu_now;
        println!("| {minute} | {rss:.1} | {cpu:.2} |");
        samples.push((rss, cpu));
    }
    rt.block_on(driver).expect("churn driver");
    rt.block_on(clear_churn(&client));
    // Let the last deletions reach the screen, then compare it with the API.
    std::thread::sleep(Duration::from_secs(5));
    let total = rt.block_on(common::all_pods(&client));
    let screen = tui.contents();
    let counted = screen.contains(&format!("Pods (all namespaces) [{total}]"));
    let (compared, wrong_rows) = rt.block_on(rows_against_api(&client, &screen));
    assert!(
        compared > 0,
        "no bench pod row found on the screen to compare:\n{screen}"
    );
    tui.kill();

    let window = |from: usize, to: usize, get: fn(&(f64, f64)) -> f64| -> Vec<f64> {
        samples
            .iter()
            .skip(from.saturating_sub(1))
            .take(to.saturating_sub(from) + 1)
            .map(get)
            .collect()
    };
    // Minutes 5-10 against the last five (the window); a short soak compares halves.
    let m = minutes as usize;
    let ((e0, e1), (l0, l1)) = if m >= 15 {
        ((5, 10), (m - 4, m))
    } else {
        ((1, m.div_ceil(2)), (m / 2 + 1, m))
    };
    let drift = |get: fn(&(f64, f64)) -> f64| {
        let early = window(e0, e1, get);
        let late = window(l0, l1, get);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        (mean(&early), mean(&late))
    };
    let (rss_early, rss_late) = drift(|s| s.0);
    let (cpu_early, cpu_late) = drift(|s| s.1);
    println!();
    println!("{pods} pods, {minutes} min of churn at {rate} pods/s:");
    println!(
        "- RSS: minutes {e0}-{e1} {rss_early:.1} MiB, minutes {l0}-{l1} {rss_late:.1} MiB ({:+.1}%)",
        (rss_late / rss_early - 1.0) * 100.0
    );
    println!(
        "- CPU: minutes {e0}-{e1} {cpu_early:.2}%, minutes {l0}-{l1} {cpu_late:.2}% ({:+.1}%)",
        (cpu_late / cpu_early - 1.0) * 100.0
    );
    println!(
        "- at the end: screen count {} the API's {total}; {} of the {compared} bench rows on screen differ from the API{}",
        if counted { "matches" } else { "DOES NOT match" },
        wrong_rows.len(),
        if wrong_rows.is_empty() {
            String::new()
        } else {
            format!(": {}", wrong_rows.join("; "))
        }
    );
}

/// How many bench rows on screen (`NAMESPACE NAME READY STATUS RESTARTS ...`) were compared, and
/// those whose pod the API does not have, or has with another status or restart count.
async fn rows_against_api(client: &kube::Client, screen: &str) -> (usize, Vec<String>) {
    let (mut compared, mut wrong) = (0, Vec::new());
    for line in screen.lines() {
        let line = line.replace(['│', '┃', '║'], " ");
        let cells: Vec<&str> = line.split_whitespace().collect();
        let [ns, name, _ready, status, restarts, ..] = cells[..] else {
            continue;
        };
        if !ns.starts_with("bench-") {
            continue;
        }
        compared += 1;
        match Api::<Pod>::namespaced(client.clone(), ns).get_opt(name).await {
            Ok(Some(pod)) => {
                let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
                if phase != status || restarts != "0" {
                    wrong.push(format!("{ns}/{name} shows {status} {restarts}, the API says {phase}"));
                }
            }
            Ok(None) => wrong.push(format!("{ns}/{name} is on screen but gone from the API")),
            Err(e) => wrong.push(format!("{ns}/{name} could not be read: {e}")),
        }
    }
    let listed = Api::<Pod>::all(client.clone())
        .list_metadata(&ListParams::default().labels("app=churn"))
        .await
        .map_or(0, |l| l.items.len());
    if listed > 0 {
        wrong.push(format!("{listed} churn pods still exist"));
    }
    (compared, wrong)
}
