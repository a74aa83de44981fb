//! Log tail benchmark on the sim cluster: kubedeck's log view (and `kubedeck logs -f`) on a kwok
//! pod whose log file grows by LOG_RATE lines a second (default 5,000) for LOG_SECONDS (20).
//! Reports kubedeck's CPU and memory while tailing and whether the screen keeps up. Run with
//! `scripts/bench logs`, or `cargo bench --bench logs` with KUBEDECK_SIM_KUBECONFIG set.

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
    let rate: u64 = knob("LOG_RATE", 5000);
    let seconds: u64 = knob("LOG_SECONDS", 20);
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
    rt.block_on(common::delete_namespace(&client, &ns));
}
