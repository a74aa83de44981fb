//! kubedeck beside k9s, kdash and kubetui on the same sim cluster (issue 7): each tool runs in a
//! 200x50 pseudo-terminal showing the pods of all namespaces and is measured from outside, through
//! its screen (vt100) and /proc. Run with `scripts/bench-peers`, which installs the peers at pinned
//! versions and starts a sim cluster; never part of the test suite.
//!
//! Knobs: BENCH_PEER_PODS (pod counts, default "100,1000,10000"; add 100000 for the edge of the
//! envelope), BENCH_RUNS (3, the fewest a published table takes), BENCH_IDLE_SECS (60),
//! BENCH_CHURN_SECS (60), BENCH_CHURN_RATE (pods created a second, 20), BENCH_LOG_SECS (60;
//! BENCH_LOG=0 skips the log figure), BENCH_LOG_RATE (log lines a second, 20000), BENCH_TOOLS
//! (default "kubedeck,k9s,kdash,kubetui"), BENCH_PEERS_BIN (the peers' folder), BENCH_SEED (replays
//! a run order), BENCH_REPORT (a file the markdown tables are also written to), BENCH_PUBLISH=1
//! (writes one section per pod count, and one for the log tail, into BENCHMARKS.md between their
//! own markers, leaving the sections of levels not measured alone; refused on a tree that differs
//! from its commit or with fewer than 3 runs).
//!
//! Honest by construction: the floor (one LIST of every pod, decoded) is measured right before and
//! right after every launch, and each first screen is set against its own floor; the tools run in a
//! shuffled order each round, so none is always the first launch after mass pod creation; the
//! table is printed by the harness with the commit, the knobs and the machine's load, and is the
//! one published.

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;
#[path = "../tests/common/sim.rs"]
mod sim;

mod common;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Spread, churn, clear_churn, knob, quantile};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::PostParams;
use kube::{Api, Client};
use tokio::runtime::Runtime;

const COLS: u16 = 200;
const ROWS: u16 = 50;
/// The log-tail pod: first in namespace/name order, so it is the row every tool selects at start.
const LOG_NS: &str = "aaa-log";
const LOG_POD: &str = "aaa-log-0";
/// Longest wait for a complete first screen before a run counts as "did not finish".
const FIRST_SCREEN_TIMEOUT: Duration = Duration::from_secs(600);
/// A log view whose newest line does not move for this long while lines are written did not follow.
const FOLLOW_STALL: Duration = Duration::from_secs(5);

/// One tool under test and how to read its screen.
struct Tool {
    name: &'static str,
    program: PathBuf,
    args: &'static [&'static str],
    /// Whether the screen shows the complete pod list of `total` pods.
    complete: fn(&str, usize) -> bool,
    /// Keys, sent one second apart, that open the log view of the selected (first) pod.
    log_keys: &'static [&'static str],
}

fn tools(peers_bin: &Path) -> Vec<Tool> {
    let all = vec![
        Tool {
            name: "kubedeck",
            program: PathBuf::from(env!("CARGO_BIN_EXE_kubedeck")),
            args: &["-A"],
            complete: |s, n| s.contains(&format!("Pods (all namespaces) [{n}]")),
            log_keys: &["l"],
        },
        Tool {
            name: "k9s",
            program: peers_bin.join("k9s"),
            args: &["-A", "-c", "pods"],
            // k9s groups digits: pods(all)[1,001].
            complete: |s, n| s.contains(&format!("(all)[{}]", thousands(n))),
            log_keys: &["l"],
        },
        Tool {
            name: "kdash",
            program: peers_bin.join("kdash"),
            args: &[],
            complete: |s, n| s.contains(&format!("Pods (ns: all) [{n}]")),
            // Enter on a pod lists its containers; Enter on the container opens its log.
            log_keys: &["\r", "\r"],
        },
        Tool {
            name: "kubetui",
            program: peers_bin.join("kubetui"),
            args: &["-A"],
            // kubetui shows no count, but it lists every namespace, waits for all of them and
            // only then draws the whole table: any bench pod row means the list is complete.
            complete: |s, _| s.contains("load-"),
            // Enter on a pod shows its log in the lower pane.
            log_keys: &["\r"],
        },
    ];
    let wanted = knob("BENCH_TOOLS", String::from("kubedeck,k9s,kdash,kubetui"));
    all.into_iter()
        .filter(|t| wanted.split(',').any(|w| w.trim() == t.name))
        .collect()
}

/// What one dashboard run measured; None where the tool never got there.
#[derive(Default, Clone)]
struct DashboardRun {
    first_screen_s: Option<f64>,
    /// The floor measured beside this launch: the mean of one LIST before and one after it.
    floor_s: f64,
    peak_rss_mib: f64,
    settled_rss_mib: f64,
    idle_cpu_pct: f64,
    churn_cpu_pct: f64,
    churn_p50_ms: Option<f64>,
    churn_p99_ms: Option<f64>,
    churn_seen: usize,
    churn_created: usize,
}

/// What one log-tail run measured.
#[derive(Default, Clone)]
struct LogRun {
    opened: bool,
    /// False when the newest line on screen stopped advancing for FOLLOW_STALL while lines were
    /// still being written: a frozen view is not a slow one.
    followed: bool,
    cpu_pct: f64,
    /// How far the newest line on screen is behind the newest line written, in seconds of log.
    lag_p50_s: Option<f64>,
    lag_end_s: Option<f64>,
}

struct Bench {
    rt: Runtime,
    client: Client,
    kubeconfig: PathBuf,
    idle: Duration,
    churn: Duration,
    churn_rate: f64,
    log_window: Duration,
    log_rate: usize,
    /// Churn pod names count down from here across the whole bench, so each sorts first.
    churn_seq: Arc<AtomicUsize>,
}

fn main() {
    let kubeconfig = common::sim_kubeconfig();
    let counts: Vec<usize> = knob("BENCH_PEER_PODS", String::from("100,1000,10000"))
        .split(',')
        .map(|c| c.trim().parse().expect("BENCH_PEER_PODS is a list of numbers"))
        .collect();
    let runs: usize = knob("BENCH_RUNS", 3);
    let mut shuffle = common::Shuffle::from_env();
    let load_before = common::load_average();
    let default_bin = std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/kubedeck/peers/bin"))
        .expect("HOME is set");
    let peers_bin = knob("BENCH_PEERS_BIN", default_bin.display().to_string());
    let tools = tools(Path::new(&peers_bin));
    for tool in &tools {
        assert!(
            tool.program.is_file(),
            "{} is missing at {}: run scripts/bench-peers, which installs it",
            tool.name,
            tool.program.display()
        );
    }
    let rt = Runtime::new().expect("tokio runtime");
    let client = rt.block_on(common::client(&kubeconfig));
    let bench = Bench {
        rt,
        client,
        kubeconfig,
        idle: Duration::from_secs(knob("BENCH_IDLE_SECS", 60)),
        churn: Duration::from_secs(knob("BENCH_CHURN_SECS", 60)),
        churn_rate: knob("BENCH_CHURN_RATE", 20.0),
        log_window: Duration::from_secs(knob("BENCH_LOG_SECS", 60)),
        log_rate: knob("BENCH_LOG_RATE", 20000),
        churn_seq: Arc::new(AtomicUsize::new(0)),
    };
    let log_file = bench.setup_log_pod();

    let mut report = Report::default();
    for (i, &count) in counts.iter().enumerate() {
        eprintln!("== {count} pods: setting up");
        let creation = bench.rt.block_on(common::ensure_pods(&bench.client, count));
        eprintln!("== {count} pods: {}", creation.describe());
        report.creation.insert(count, creation);
        bench.rt.block_on(clear_churn(&bench.client));
        let total = bench.rt.block_on(common::all_pods(&bench.client));
        eprintln!("== {count} pods: {total} pods in the cluster");
        for run in 0..runs {
            // A new order every round, so no tool is always the first launch after mass creation.
            for tool in shuffle.order(&tools) {
                let before = bench.floor(total);
                let mut result = bench.dashboard_run(tool, total);
                let after = bench.floor(total);
                result.floor_s = (before + after) / 2.0;
                report.floor.entry(count).or_default().extend([before, after]);
                eprintln!("{count} pods, run {run}, {}: {}", tool.name, result.describe());
                report.dashboard.entry((count, tool.name)).or_default().push(result);
            }
        }
        // The log figure does not depend on the pod count: measure it once, at the first count.
        if i == 0 && knob("BENCH_LOG", 1) == 1 {
            for run in 0..runs {
                for tool in shuffle.order(&tools) {
                    let result = bench.log_run(tool, total, &log_file);
                    eprintln!("log tail, run {run}, {}: {}", tool.name, result.describe());
                    report.logs.entry(tool.name).or_default().push(result);
                }
            }
        }
    }
    let logs_measured = knob("BENCH_LOG", 1) == 1;
    let sections = report.sections(&bench, &tools, runs, &counts, logs_measured, load_before);
    let table: String = sections.iter().map(|(_, text)| format!("{text}\n")).collect();
    println!("{table}");
    if let Ok(path) = std::env::var("BENCH_REPORT") {
        std::fs::write(&path, &table).unwrap_or_else(|e| panic!("writing {path}: {e}"));
    }
    if knob("BENCH_PUBLISH", 0) == 1 {
        publish(&sections, runs);
    }
}

/// Where BENCHMARKS.md takes a section it does not hold yet.
const SECTIONS_END: &str = "<!-- bench-peers sections end: the harness adds new ones above this line -->";

/// The markers around one section of BENCHMARKS.md (`100 pods`, `log tail`, ...), which the
/// harness alone writes.
fn markers(key: &str) -> (String, String) {
    (
        format!("<!-- bench-peers: {key}; written by scripts/bench-peers with BENCH_PUBLISH=1, not by hand -->"),
        format!("<!-- end of bench-peers: {key} -->"),
    )
}

/// Puts each measured section into BENCHMARKS.md (replacing that section, leaving the others and
/// their commits as they are), refusing what could not be honest: a tree that is not its commit,
/// or fewer than three runs.
fn publish(sections: &[(String, String)], runs: usize) {
    let (head, dirty) = common::commit();
    assert!(
        !dirty,
        "not published: the working tree differs from {head}; commit first so the figures belong to a commit"
    );
    assert!(
        runs >= 3,
        "not published: {runs} runs; a published table takes at least 3"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
    let mut text = std::fs::read_to_string(&path).expect("reading BENCHMARKS.md");
    for (key, table) in sections {
        text = with_section(&text, key, table).unwrap_or_else(|e| panic!("not published: {e}"));
    }
    std::fs::write(&path, text).expect("writing BENCHMARKS.md");
    eprintln!("published into {}", path.display());
}

/// `text` with the section `key` holding `table`: replaced where it is, else added before
/// `SECTIONS_END`.
fn with_section(text: &str, key: &str, table: &str) -> Result<String, String> {
    let (begin, end) = markers(key);
    let block = format!("{begin}\n\n{table}\n{end}\n");
    match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) if b < e => {
            let after = (e + end.len() + 1).min(text.len());
            return Ok(format!("{}{block}{}", &text[..b], &text[after..]));
        }
        (None, None) => {}
        _ => {
            return Err(format!(
                "BENCHMARKS.md's markers of the section {key:?} are broken: mend them by hand"
            ));
        }
    }
    let at = text
        .find(SECTIONS_END)
        .ok_or_else(|| format!("BENCHMARKS.md has no line {SECTIONS_END}"))?;
    Ok(format!("{}{block}\n{}", &text[..at], &text[at..]))
}

impl common::Shuffle {
    /// The tools in a fresh random order.
    fn order<'t>(&mut self, tools: &'t [Tool]) -> Vec<&'t Tool> {
        let mut order: Vec<&Tool> = tools.iter().collect();
        self.shuffle(&mut order);
        eprintln!("order: {}", order.iter().map(|t| t.name).collect::<Vec<_>>().join(", "));
        order
    }
}

impl Bench {
    /// One physical floor, in seconds.
    fn floor(&self, total: usize) -> f64 {
        self.rt.block_on(common::list_floor(&self.client, total)).as_secs_f64()
    }

    /// A HOME (and XDG folders) of its own for each launch, so no user config or cache leaks in
    /// and k9s's first-run files are created fresh every time, as for a new user.
    fn launch(&self, tool: &Tool, home: &Path) -> pty::Tui {
        let dirs = ["config", "data", "state", "cache"].map(|d| home.join(d));
        for d in &dirs {
            std::fs::create_dir_all(d).expect("creating the tool's XDG folders");
        }
        let env: Vec<(&str, &OsStr)> = vec![
            ("KUBECONFIG", self.kubeconfig.as_os_str()),
            ("HOME", home.as_os_str()),
            ("XDG_CONFIG_HOME", dirs[0].as_os_str()),
            ("XDG_DATA_HOME", dirs[1].as_os_str()),
            ("XDG_STATE_HOME", dirs[2].as_os_str()),
            ("XDG_CACHE_HOME", dirs[3].as_os_str()),
        ];
        pty::Tui::spawn_program(&tool.program, tool.args, &env, COLS, ROWS)
    }

    /// First screen, memory, idle CPU and churn, in one launch of `tool`.
    fn dashboard_run(&self, tool: &Tool, total: usize) -> DashboardRun {
        let home = tempfile::tempdir().expect("temp HOME");
        let mut tui = self.launch(tool, home.path());
        let pid = tui.pid();
        let start = Instant::now();
        let mut run = DashboardRun::default();
        let peak = Mutex::new(0.0_f64);
        let complete = tui.poll_until(FIRST_SCREEN_TIMEOUT, |screen| {
            let mut p = peak.lock().unwrap();
            *p = p.max(common::peak_rss_mib(pid));
            (tool.complete)(screen, total)
        });
        if complete.is_none() {
            run.peak_rss_mib = common::peak_rss_mib(pid);
            eprintln!("{}: no complete screen; last screen:\n{}", tool.name, tui.contents());
            tui.kill();
            return run;
        }
        run.first_screen_s = Some(start.elapsed().as_secs_f64());
        std::thread::sleep(Duration::from_secs(5));

        let before = common::cpu_seconds(pid);
        std::thread::sleep(self.idle);
        run.idle_cpu_pct = (common::cpu_seconds(pid) - before) / self.idle.as_secs_f64() * 100.0;
        run.settled_rss_mib = common::rss_mib(pid);

        self.churn_run(&tui, &mut run);
        run.peak_rss_mib = common::peak_rss_mib(pid).max(*peak.lock().unwrap());
        tui.kill();
        self.rt.block_on(clear_churn(&self.client));
        run
    }

    /// Creates pods at `churn_rate` a second (each deleted after CHURN_LIFETIME) and watches the
    /// screen for each name; the delay counts from the moment its create request was sent.
    fn churn_run(&self, tui: &pty::Tui, run: &mut DashboardRun) {
        let pid = tui.pid();
        let created: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let done = Arc::new(AtomicBool::new(false));
        let driver = self.rt.spawn(churn(
            self.client.clone(),
            self.churn_rate,
            self.churn,
            Arc::clone(&self.churn_seq),
            Arc::clone(&created),
            Arc::clone(&done),
        ));
        let before = common::cpu_seconds(pid);
        let start = Instant::now();
        let mut seen: HashMap<String, f64> = HashMap::new();
        // Keep looking a few seconds after the last creation, for tools that poll slowly.
        while !done.load(Ordering::Relaxed) || start.elapsed() < self.churn + Duration::from_secs(6) {
            let screen = tui.contents();
            let now = Instant::now();
            for (name, at) in created.lock().unwrap().iter() {
                if !seen.contains_key(name) && screen.contains(name.as_str()) {
                    seen.insert(name.clone(), (now - *at).as_secs_f64() * 1000.0);
                }
            }
            if start.elapsed() > self.churn + Duration::from_secs(30) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let window = start.elapsed().as_secs_f64();
        run.churn_cpu_pct = (common::cpu_seconds(pid) - before) / window * 100.0;
        self.rt.block_on(driver).expect("churn driver");
        let delays: Vec<f64> = seen.values().copied().collect();
        run.churn_created = created.lock().unwrap().len();
        run.churn_seen = delays.len();
        run.churn_p50_ms = quantile(&delays, 0.5);
        run.churn_p99_ms = quantile(&delays, 0.99);
    }

    /// A pod whose log is served by kwok from a file this bench appends to.
    fn setup_log_pod(&self) -> PathBuf {
        self.rt.block_on(async {
            let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": LOG_NS}})).unwrap();
            let _ = Api::<Namespace>::all(self.client.clone())
                .create(&PostParams::default(), &ns)
                .await;
            let pod: Pod = serde_json::from_value(serde_json::json!({
                "metadata": {"name": LOG_POD},
                "spec": {"containers": [{"name": "main", "image": "todo/backend:1"}]}
            }))
            .unwrap();
            let _ = Api::<Pod>::namespaced(self.client.clone(), LOG_NS)
                .create(&PostParams::default(), &pod)
                .await;
        });
        let out = sim::sim(&["logdir"]);
        let file = PathBuf::from(out.trim()).join(format!("{LOG_NS}_{LOG_POD}.log"));
        reset_log(&file);
        sim::sim(&["pod-log", LOG_POD, "-n", LOG_NS, &file.display().to_string()]);
        file
    }

    /// Opens the log pod's log in `tool`, then appends `log_rate` lines a second and samples how
    /// far behind the screen is.
    fn log_run(&self, tool: &Tool, total: usize, log_file: &Path) -> LogRun {
        reset_log(log_file);
        let home = tempfile::tempdir().expect("temp HOME");
        let mut tui = self.launch(tool, home.path());
        let pid = tui.pid();
        let mut run = LogRun::default();
        if tui
            .poll_until(FIRST_SCREEN_TIMEOUT, |s| {
                (tool.complete)(s, total) && s.contains(LOG_POD)
            })
            .is_none()
        {
            tui.kill();
            return run;
        }
        std::thread::sleep(Duration::from_secs(2));
        for key in tool.log_keys {
            tui.type_str(key);
            std::thread::sleep(Duration::from_secs(1));
        }
        // Lines flow from now on: some tools show only lines that arrive after they connect.
        let written = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (file, written, stop, rate) = (
                log_file.to_owned(),
                Arc::clone(&written),
                Arc::clone(&stop),
                self.log_rate,
            );
            std::thread::spawn(move || append_log(&file, rate, &stop, &written))
        };
        run.opened = tui
            .poll_until(Duration::from_secs(15), |s| s.contains("seq=0"))
            .is_some();
        if !run.opened {
            stop.store(true, Ordering::Relaxed);
            writer.join().expect("log writer");
            eprintln!("{}: no log view; screen:\n{}", tool.name, tui.contents());
            tui.kill();
            return run;
        }
        let before = common::cpu_seconds(pid);
        let start = Instant::now();
        let mut lags = Vec::new();
        run.followed = true;
        let (mut shown, mut moved) = (0, Instant::now());
        while start.elapsed() < self.log_window {
            std::thread::sleep(Duration::from_millis(250));
            let newest = newest_seq(&tui.contents()).unwrap_or(0);
            if newest > shown {
                (shown, moved) = (newest, Instant::now());
            } else if moved.elapsed() > FOLLOW_STALL {
                run.followed = false;
            }
            let behind = written.load(Ordering::Relaxed).saturating_sub(newest);
            lags.push(behind as f64 / self.log_rate as f64);
        }
        run.cpu_pct = (common::cpu_seconds(pid) - before) / start.elapsed().as_secs_f64() * 100.0;
        stop.store(true, Ordering::Relaxed);
        writer.join().expect("log writer");
        run.lag_p50_s = quantile(&lags, 0.5);
        run.lag_end_s = lags.last().copied();
        tui.kill();
        run
    }
}

/// A log of 20 lines, `seq=0000000001` .. `seq=0000000020`, in CRI format.
fn reset_log(file: &Path) {
    let mut text = String::new();
    for seq in 1..=20 {
        text.push_str(&cri_line(seq));
    }
    std::fs::write(file, text).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
}

fn cri_line(seq: usize) -> String {
    format!(
        "{} stdout F seq={seq:010} GET /api/todos 200 in 3 ms, user=bench, the quick brown fox\n",
        jiff::Timestamp::now()
    )
}

/// Appends `rate` lines a second until `stop`, in 10 ms batches; `written` is the newest seq.
fn append_log(file: &Path, rate: usize, stop: &AtomicBool, written: &AtomicUsize) {
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(file)
        .unwrap_or_else(|e| panic!("opening {}: {e}", file.display()));
    let start = Instant::now();
    let mut seq = 20;
    while !stop.load(Ordering::Relaxed) {
        let due = 20 + (start.elapsed().as_secs_f64() * rate as f64) as usize;
        let mut batch = String::new();
        while seq < due {
            seq += 1;
            batch.push_str(&cri_line(seq));
        }
        out.write_all(batch.as_bytes()).expect("appending to the log");
        written.store(seq, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// 10001 as "10,001", as k9s prints counts.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The highest `seq=N` on the screen.
fn newest_seq(screen: &str) -> Option<usize> {
    screen
        .match_indices("seq=")
        .filter_map(|(i, _)| {
            let digits: String = screen[i + 4..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .max()
}

impl DashboardRun {
    fn describe(&self) -> String {
        format!(
            "first screen {:?} s (floor {:.3} s), peak {:.1} MiB, settled {:.1} MiB, idle {:.2}%, churn {:.1}% p50 {:?} ms p99 {:?} ms ({}/{} seen)",
            self.first_screen_s,
            self.floor_s,
            self.peak_rss_mib,
            self.settled_rss_mib,
            self.idle_cpu_pct,
            self.churn_cpu_pct,
            self.churn_p50_ms.map(|v| v.round()),
            self.churn_p99_ms.map(|v| v.round()),
            self.churn_seen,
            self.churn_created
        )
    }
}

impl LogRun {
    fn describe(&self) -> String {
        format!(
            "opened {}, followed {}, cpu {:.1}%, lag p50 {:?} s, lag at end {:?} s",
            self.opened, self.followed, self.cpu_pct, self.lag_p50_s, self.lag_end_s
        )
    }
}

#[derive(Default)]
struct Report {
    creation: HashMap<usize, common::Creation>,
    floor: HashMap<usize, Vec<f64>>,
    dashboard: HashMap<(usize, &'static str), Vec<DashboardRun>>,
    logs: HashMap<&'static str, Vec<LogRun>>,
}

/// "median (min-max)" with `digits` decimals, or "—" when no run got there.
fn cell(values: &[f64], digits: usize) -> String {
    match Spread::of(values) {
        Some(s) if values.len() > 1 => format!("{:.d$} ({:.d$}–{:.d$})", s.median, s.min, s.max, d = digits),
        Some(s) => format!("{:.d$}", s.median, d = digits),
        None => "—".to_owned(),
    }
}

impl Report {
    /// What the figures were taken on: the commit, the knobs, the machine and its load, and how
    /// long each level's pods took to create.
    fn header(&self, bench: &Bench, runs: usize, counts: &[usize], load_before: f64) -> String {
        let (head, dirty) = common::commit();
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let mut out = format!(
            "Commit `{head}`{}, {} UTC; {cores} cores; load average {load_before:.2} at the start, {:.2} at the end.\n\
             Runs per figure: {runs}, tools in a new shuffled order each round; floor measured before and after every launch; \
             idle window {} s, churn {} s at {} pods/s, log tail {} s at {} lines/s.\n\
             Reproduce: `BENCH_PEER_PODS={} BENCH_RUNS={runs} scripts/bench-peers`.\n",
            if dirty {
                " (with uncommitted changes: not publishable)"
            } else {
                ""
            },
            jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M"),
            common::load_average(),
            bench.idle.as_secs(),
            bench.churn.as_secs(),
            bench.churn_rate,
            bench.log_window.as_secs(),
            bench.log_rate,
            counts.iter().map(usize::to_string).collect::<Vec<_>>().join(","),
        );
        for count in counts {
            if let Some(c) = self.creation.get(count) {
                out.push_str(&format!("- {count} pods: {}\n", c.describe()));
            }
        }
        out
    }

    /// One section per pod count, and one for the log tail when it was measured, each a header
    /// and its table, keyed by what it holds (`100 pods`, `log tail`).
    fn sections(
        &self,
        bench: &Bench,
        tools: &[Tool],
        runs: usize,
        counts: &[usize],
        logs: bool,
        load_before: f64,
    ) -> Vec<(String, String)> {
        let names: Vec<&str> = tools.iter().map(|t| t.name).collect();
        let head = format!(
            "| figure | pods | floor | {} |\n| --- | ---: | ---: |{}\n",
            names.join(" | "),
            " ---: |".repeat(names.len())
        );
        let mut sections: Vec<(String, String)> = counts
            .iter()
            .map(|&count| {
                let header = self.header(bench, runs, &[count], load_before);
                (
                    format!("{count} pods"),
                    format!("{header}\n{head}{}", self.level_rows(&names, count)),
                )
            })
            .collect();
        if logs && let Some(&first) = counts.first() {
            let header = self.header(bench, runs, &[first], load_before);
            let rows = self.log_rows(&names, bench);
            sections.push(("log tail".to_owned(), format!("{header}\n{head}{rows}")));
        }
        sections
    }

    /// The dashboard figures at one pod count.
    fn level_rows(&self, names: &[&str], count: usize) -> String {
        let mut out = String::new();
        type Figure = (&'static str, usize, fn(&DashboardRun) -> Option<f64>);
        let figures: [Figure; 8] = [
            ("first complete screen (s)", 2, |r| r.first_screen_s),
            ("first screen / its floor (x)", 2, |r| {
                r.first_screen_s.map(|s| s / r.floor_s)
            }),
            ("peak RSS (MiB)", 1, |r| Some(r.peak_rss_mib)),
            ("settled RSS (MiB)", 1, |r| r.first_screen_s.map(|_| r.settled_rss_mib)),
            ("idle CPU (% of a core)", 2, |r| {
                r.first_screen_s.map(|_| r.idle_cpu_pct)
            }),
            ("churn CPU (% of a core)", 1, |r| {
                r.first_screen_s.map(|_| r.churn_cpu_pct)
            }),
            ("churn: creation to screen, median (ms)", 0, |r| r.churn_p50_ms),
            ("churn: creation to screen, p99 (ms)", 0, |r| r.churn_p99_ms),
        ];
        for (i, (title, digits, get)) in figures.iter().enumerate() {
            let floor = if i == 0 {
                cell(self.floor.get(&count).map(Vec::as_slice).unwrap_or(&[]), 3)
            } else if i == 1 {
                "1.00".to_owned()
            } else {
                String::new()
            };
            let cells: Vec<String> = names
                .iter()
                .map(|n| {
                    let runs = self.dashboard.get(&(count, *n)).map(Vec::as_slice).unwrap_or(&[]);
                    let values: Vec<f64> = runs.iter().map(|r| get(r).unwrap_or(f64::NAN)).collect();
                    let mut c = cell(&values, *digits);
                    let missing = values.iter().filter(|v| v.is_nan()).count();
                    if missing > 0 && !values.is_empty() {
                        c.push_str(&format!(" [{missing}/{} runs: none]", values.len()));
                    }
                    c
                })
                .collect();
            out.push_str(&format!("| {title} | {count} | {floor} | {} |\n", cells.join(" | ")));
        }
        let seen: Vec<String> = names
            .iter()
            .map(|n| {
                let runs = self.dashboard.get(&(count, *n)).map(Vec::as_slice).unwrap_or(&[]);
                let (s, c) = runs
                    .iter()
                    .fold((0, 0), |(s, c), r| (s + r.churn_seen, c + r.churn_created));
                format!("{s}/{c}")
            })
            .collect();
        out.push_str(&format!(
            "| churn: pods seen on screen / created | {count} | | {} |\n",
            seen.join(" | ")
        ));
        out
    }

    /// The log tail figures (measured once, at the run's first pod count).
    fn log_rows(&self, names: &[&str], bench: &Bench) -> String {
        let mut out = String::new();
        let log_cells = |get: fn(&LogRun) -> Option<f64>, digits: usize| -> String {
            names
                .iter()
                .map(|n| {
                    let runs = self.logs.get(n).map(Vec::as_slice).unwrap_or(&[]);
                    if !runs.is_empty() && runs.iter().all(|r| !r.opened) {
                        return "no log view".to_owned();
                    }
                    let stalled = runs.iter().filter(|r| r.opened && !r.followed).count();
                    if stalled == runs.len() {
                        return "did not follow".to_owned();
                    }
                    let values: Vec<f64> = runs.iter().map(|r| get(r).unwrap_or(f64::NAN)).collect();
                    let mut c = cell(&values, digits);
                    if stalled > 0 {
                        c.push_str(&format!(" [{stalled}/{} runs: did not follow]", runs.len()));
                    }
                    c
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let rate = bench.log_rate;
        out.push_str(&format!(
            "| log tail at {rate} lines/s: CPU (% of a core) | | | {} |\n",
            log_cells(|r| r.opened.then_some(r.cpu_pct), 1)
        ));
        out.push_str(&format!(
            "| log tail: newest line on screen behind the file, median (s) | | | {} |\n",
            log_cells(|r| r.lag_p50_s.filter(|_| r.followed), 2)
        ));
        out.push_str(&format!(
            "| log tail: behind at the end of {} s (s) | | | {} |\n",
            bench.log_window.as_secs(),
            log_cells(|r| r.lag_end_s.filter(|_| r.followed), 2)
        ));
        out
    }
}
