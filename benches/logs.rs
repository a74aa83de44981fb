//! Log tail benchmark on the sim cluster: kubedeck's log view (and `kubedeck logs -f`) on a kwok
//! pod whose log file grows by LOG_RATE lines a second (default 20,000) for LOG_SECONDS (60), then
//! the log view of a whole workload: WORKLOAD_PODS pods (10) at WORKLOAD_RATE lines a second each
//! (2,000). Reports kubedeck's CPU and memory while tailing and how far the screen is behind.
//! Run with `scripts/bench logs`, or `cargo bench --bench logs` with KUBEDECK_SIM_KUBECONFIG set.

#[path = "common/mod.rs"]
mod bench;
#[path = "../tests/common/mod.rs"]
mod common;

use bench::{cpu_seconds, knob, peak_rss_mib, rss_mib};

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Appends `rate` numbered lines a second to `file` until `stop`; `written` counts them.
fn writer(file: std::path::PathBuf, rate: u64, seconds: u64, written: Arc<AtomicU64>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&file)
            .unwrap();
        let tick = Duration::from_millis(20);
        let per_tick = rate / 50;
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_secs(seconds) {
            let mut text = String::new();
            let now = jiff::Timestamp::now();
            for _ in 0..per_tick {
                n += 1;
                text.push_str(&format!(
                    "{now} stdout F seq={n:08} {{\"level\":\"info\",\"msg\":\"GET /api/todos 200\",\"ms\":12}}\n"
                ));
            }
            f.write_all(text.as_bytes()).unwrap();
            written.store(n, Ordering::Relaxed);
            let next = start + tick * (n / per_tick) as u32;
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
        }
    })
}

/// The highest `seq=` number on screen.
fn newest_on_screen(screen: &str) -> u64 {
    screen
        .match_indices("seq=")
        .filter_map(|(i, _)| screen.get(i + 4..i + 12)?.parse().ok())
        .max()
        .unwrap_or(0)
}

fn main() {
    let rate: u64 = knob("LOG_RATE", 20_000);
    let seconds: u64 = knob("LOG_SECONDS", 60);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt.block_on(common::client());
    let ns = rt.block_on(common::namespace(&client, "bench-logs"));
    rt.block_on(common::create_deployment(&client, &ns, "chatty", 1));
    let pod = rt
        .block_on(common::logs::running_pods(&client, &ns, "chatty", 1))
        .remove(0);
    let file = common::pod_log_file(&ns, &pod);
    common::append_log(&file, &["bench start"]);
    println!("tailing {pod} in {ns}: {rate} lines/s for {seconds} s");

    // The dashboard's log view.
    let mut tui = common::pty::Tui::spawn(&["-n", &ns], &common::sim_kubeconfig());
    tui.wait_for(&[&pod, "Running"], Duration::from_secs(60));
    tui.type_str("l");
    tui.wait_for(&["bench start", "following"], Duration::from_secs(30));
    let pid = tui.pid();
    let (cpu_before, start) = (cpu_seconds(pid), Instant::now());
    let written = Arc::new(AtomicU64::new(0));
    let w = writer(file.clone(), rate, seconds, written.clone());
    let mut lags = Vec::new();
    let mut rss_max: f64 = 0.0;
    while !w.is_finished() {
        std::thread::sleep(Duration::from_millis(500));
        lags.push(
            written
                .load(Ordering::Relaxed)
                .saturating_sub(newest_on_screen(&tui.contents())),
        );
        rss_max = rss_max.max(rss_mib(pid));
    }
    let total = written.load(Ordering::Relaxed);
    let caught_up = Instant::now();
    while newest_on_screen(&tui.contents()) < total && caught_up.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let catch_up = caught_up.elapsed();
    let busy = start.elapsed().as_secs_f64();
    let cpu = (cpu_seconds(pid) - cpu_before) / busy * 100.0;
    let peak = peak_rss_mib(pid);
    lags.sort_unstable();
    let median_lag = lags.get(lags.len() / 2).copied().unwrap_or(0);
    let max_lag = lags.last().copied().unwrap_or(0);
    let shown = newest_on_screen(&tui.contents());
    tui.type_str("q");
    tui.wait_exit(Duration::from_secs(10));

    println!("log view (dashboard, 120x30):");
    println!(
        "  lines written            {total} ({:.0}/s)",
        total as f64 / seconds as f64
    );
    println!(
        "  newest line on screen    seq {shown} ({})",
        if shown == total { "kept up" } else { "behind" }
    );
    println!(
        "  lag sampled every 0.5 s  median {median_lag} lines ({:.0} ms), max {max_lag} lines",
        median_lag as f64 * 1000.0 / rate as f64
    );
    println!("  caught up after writer   {:.0} ms", catch_up.as_secs_f64() * 1000.0);
    println!("  CPU while tailing        {cpu:.1} % of one core");
    println!("  RSS while tailing        max {rss_max:.1} MiB, peak (VmHWM) {peak:.1} MiB");

    // The command line, writing to a pipe nobody reads slowly.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .args(["logs", &pod, "-n", &ns, "-f", "--tail", "0"])
        .env("KUBECONFIG", common::sim_kubeconfig())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let counted = Arc::new(AtomicU64::new(0));
    let reader_count = counted.clone();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("seq=") {
                reader_count.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    std::thread::sleep(Duration::from_secs(2));
    let pid = child.id();
    let (cpu_before, start) = (cpu_seconds(pid), Instant::now());
    let written = Arc::new(AtomicU64::new(0));
    writer(file, rate, seconds, written.clone()).join().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while counted.load(Ordering::Relaxed) < written.load(Ordering::Relaxed) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let cpu = (cpu_seconds(pid) - cpu_before) / start.elapsed().as_secs_f64() * 100.0;
    let peak = peak_rss_mib(pid);
    let _ = child.kill();
    let _ = child.wait();
    println!("kubedeck logs -f (to a pipe):");
    println!(
        "  lines received           {} of {}",
        counted.load(Ordering::Relaxed),
        written.load(Ordering::Relaxed)
    );
    println!("  CPU while tailing        {cpu:.1} % of one core");
    println!("  RSS peak (VmHWM)         {peak:.1} MiB");
    workload_tail(&rt, &client, &ns, seconds);
    rt.block_on(common::delete_namespace(&client, &ns));
}

/// The dashboard's log view of every pod of one Deployment, each pod's log growing at
/// WORKLOAD_RATE lines a second. Each line carries the milliseconds since the writers started,
/// so "behind" is now minus the newest stamp on screen, whichever pod it came from.
fn workload_tail(rt: &tokio::runtime::Runtime, client: &kube::Client, ns: &str, seconds: u64) {
    let pods: usize = knob("WORKLOAD_PODS", 10);
    let rate: u64 = knob("WORKLOAD_RATE", 2000);
    rt.block_on(common::create_deployment(client, ns, "fanout", pods as i32));
    let names = rt.block_on(common::logs::running_pods(client, ns, "fanout", pods));
    let files: Vec<_> = names.iter().map(|p| common::pod_log_file(ns, p)).collect();
    for f in &files {
        common::append_log(f, &["fanout start"]);
    }
    let mut tui = common::pty::Tui::spawn(&["-n", ns], &common::sim_kubeconfig());
    tui.wait_for(&["fanout"], Duration::from_secs(60));
    tui.type_str("5");
    std::thread::sleep(Duration::from_secs(1));
    // The Workloads pane lists chatty before fanout.
    tui.type_str("j");
    std::thread::sleep(Duration::from_millis(500));
    tui.type_str("l");
    tui.wait_for(&["fanout start", "following"], Duration::from_secs(30));
    let pid = tui.pid();
    let (cpu_before, start) = (cpu_seconds(pid), Instant::now());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = files
        .into_iter()
        .enumerate()
        .map(|(i, file)| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || stamped_writer(&file, i, rate, start, &stop))
        })
        .collect();
    let (mut lags, mut stalled, mut shown, mut moved) = (Vec::new(), false, 0u64, Instant::now());
    while start.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(500));
        let newest = newest_stamp(&tui.contents());
        if newest > shown {
            (shown, moved) = (newest, Instant::now());
        } else if moved.elapsed() > Duration::from_secs(5) {
            stalled = true;
        }
        lags.push(start.elapsed().as_millis() as u64 - newest.min(start.elapsed().as_millis() as u64));
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().expect("log writer");
    }
    let cpu = (cpu_seconds(pid) - cpu_before) / start.elapsed().as_secs_f64() * 100.0;
    let peak = peak_rss_mib(pid);
    tui.type_str("q");
    tui.wait_exit(Duration::from_secs(10));
    lags.sort_unstable();
    println!("workload log view (dashboard, 120x30): {pods} pods at {rate} lines/s each for {seconds} s:");
    if stalled {
        println!("  did not follow: the newest line on screen stopped moving for 5 s while lines were written");
    }
    println!(
        "  behind, sampled every 0.5 s  median {} ms, max {} ms",
        lags.get(lags.len() / 2).copied().unwrap_or(0),
        lags.last().copied().unwrap_or(0)
    );
    println!("  CPU while tailing            {cpu:.1} % of one core");
    println!("  RSS peak (VmHWM)             {peak:.1} MiB");
}

/// Appends `rate` lines a second to one pod's log until `stop`, each stamped `t=MS` (since `start`).
fn stamped_writer(file: &std::path::Path, pod: usize, rate: u64, start: Instant, stop: &std::sync::atomic::AtomicBool) {
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
        let now = jiff::Timestamp::now();
        let ms = start.elapsed().as_millis();
        let mut text = String::new();
        while n < due {
            n += 1;
            text.push_str(&format!(
                "{now} stdout F t={ms:09} pod={pod} n={n} GET /api/todos 200\n"
            ));
        }
        f.write_all(text.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The newest `t=` stamp on screen, in ms.
fn newest_stamp(screen: &str) -> u64 {
    screen
        .match_indices("t=")
        .filter_map(|(i, _)| screen.get(i + 2..i + 11)?.parse().ok())
        .max()
        .unwrap_or(0)
}
