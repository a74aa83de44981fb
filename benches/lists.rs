//! Where the first screen's time goes (issue 20): at BENCH_PODS pods (default 10,000), each way of
//! getting every pod is timed from a warm client until the listing is complete, in a new shuffled
//! order each of BENCH_RUNS rounds (default 5), beside kubedeck's own first screen:
//! - `floor`: one LIST, decoded into `Pod`s (the bench-peers floor);
//! - `one LIST, slim`: the watcher with no page limit, decoding `SlimPod` (kubedeck's pod type);
//! - `paged LIST N, slim`: the watcher listing N pods a page (500 is kube-runtime's default);
//! - `streaming list, slim`: one WATCH with sendInitialEvents, which kubedeck uses;
//! - `kubedeck`: launch in a 200x50 pty until `Pods (all namespaces) [N]` is on screen.
//!
//! Run with `scripts/bench lists`; never part of the test suite.

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

mod common;

use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::runtime::watcher::{self, watcher};
use kube::{Api, Client};

use common::knob;
use kubedeck::cluster::pods::SlimPod;

#[derive(Clone, Copy, PartialEq)]
enum Way {
    Floor,
    OneList,
    Paged(u32),
    Streaming,
    Kubedeck,
}

impl Way {
    const ALL: [Way; 7] = [
        Way::Floor,
        Way::OneList,
        Way::Paged(500),
        Way::Paged(2000),
        Way::Paged(5000),
        Way::Streaming,
        Way::Kubedeck,
    ];

    fn name(self) -> String {
        match self {
            Way::Floor => "floor (one LIST, Pod)".into(),
            Way::OneList => "one LIST, slim".into(),
            Way::Paged(n) => format!("paged LIST {n}, slim"),
            Way::Streaming => "streaming list, slim".into(),
            Way::Kubedeck => "kubedeck first screen".into(),
        }
    }
}

fn main() {
    let pods: usize = knob("BENCH_PODS", 10_000);
    let runs: usize = knob("BENCH_RUNS", 5);
    let common::Sim { kubeconfig, rt, client } = common::sim_with_pods(pods);
    let total = rt.block_on(common::all_pods(&client));
    println!("cluster: {total} pods");
    let mut shuffle = common::Shuffle::from_env();
    let mut times: Vec<(Way, Vec<f64>)> = Way::ALL.iter().map(|&w| (w, Vec::new())).collect();
    let mut peaks = Vec::new();
    for _ in 0..runs {
        let mut order = Way::ALL.to_vec();
        shuffle.shuffle(&mut order);
        for way in order {
            let took = match way {
                Way::Kubedeck => {
                    let (took, peak) = kubedeck_first_screen(&kubeconfig, total);
                    peaks.push(peak);
                    took
                }
                other => rt.block_on(listing(&client, other, total)),
            };
            times
                .iter_mut()
                .find(|(w, _)| *w == way)
                .expect("every way")
                .1
                .push(took.as_secs_f64());
        }
    }
    let spread = |values: &[f64]| common::Spread::of(values).expect("every way ran");
    let floor = spread(&times[0].1).median;
    println!("| way | median (s) | min–max (s) | median / floor |");
    println!("| --- | ---: | ---: | ---: |");
    for (way, values) in &times {
        let s = spread(values);
        println!(
            "| {} | {:.3} | {:.3}–{:.3} | {:.2}x |",
            way.name(),
            s.median,
            s.min,
            s.max,
            s.median / floor
        );
    }
    println!(
        "kubedeck peak RSS two seconds after its first screen: median {:.1} MiB (runs {peaks:.1?})",
        spread(&peaks).median
    );
}

/// Time until every pod is listed (and, for the watcher, decoded and handed over).
async fn listing(client: &Client, way: Way, total: usize) -> Duration {
    if way == Way::Floor {
        return common::list_floor(client, total).await;
    }
    let start = Instant::now();
    let config = match way {
        Way::Streaming => watcher::Config::default().streaming_lists(),
        Way::OneList => watcher::Config {
            page_size: None,
            ..watcher::Config::default()
        },
        Way::Paged(n) => watcher::Config::default().page_size(n),
        _ => watcher::Config::default(),
    };
    let mut events = std::pin::pin!(watcher(Api::<SlimPod>::all(client.clone()), config));
    let mut seen = 0;
    while let Some(event) = events.next().await {
        match event.expect("watching pods") {
            watcher::Event::InitApply(_) => seen += 1,
            watcher::Event::InitDone => break,
            _ => {}
        }
    }
    assert!(seen >= total, "{} listed {seen} of {total} pods", way.name());
    start.elapsed()
}

/// Launch to a complete first screen, and the peak RSS two seconds later.
fn kubedeck_first_screen(kubeconfig: &std::path::Path, total: usize) -> (Duration, f64) {
    let mut tui = pty::Tui::spawn_all_namespaces(kubeconfig);
    let start = Instant::now();
    tui.wait_for(&[&format!("Pods (all namespaces) [{total}]")], Duration::from_secs(120));
    let took = start.elapsed();
    std::thread::sleep(Duration::from_secs(2));
    let peak = common::peak_rss_mib(tui.pid());
    eprintln!(
        "kubedeck: first screen {took:?}, peak {peak:.1} MiB, RSS {:.1} MiB",
        common::rss_mib(tui.pid())
    );
    tui.type_str("q");
    tui.wait_exit(Duration::from_secs(10));
    (took, peak)
}
