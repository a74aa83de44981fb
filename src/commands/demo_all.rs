//! `kubedeck demo all`: the guided demos one after the other on the command line, narrated,
//! waiting for Enter between them (unless `--no-pause`), ending with the table of what they
//! measured; `--record` hides the cursor, prints the narration double-height and saves the summary
//! as Markdown.

use std::io::{IsTerminal, Write};

use kube::Client;

use crate::actions::demo::walkthrough::{self, Summary};
use crate::actions::demo::{self, Demo};

/// How to walk through the demos.
#[derive(Debug, Clone, Copy)]
pub struct Walk {
    pub no_pause: bool,
    pub record: bool,
}

/// Shows the cursor again however the walkthrough ends.
struct CursorHidden;

impl Drop for CursorHidden {
    fn drop(&mut self) {
        out!("\x1b[?25h");
        let _ = std::io::stdout().flush();
    }
}

pub async fn run(client: &Client, namespace: &str, release: &str, context: &str, walk: Walk) -> Result<String, String> {
    let _cursor = walk.record.then(|| {
        out!("\x1b[?25l");
        CursorHidden
    });
    // Without a terminal there is nobody to press Enter.
    let pause = !walk.no_pause && std::io::stdin().is_terminal();
    say(Demo::All.narration(), walk.record);
    let mut summary = Summary::default();
    let total = Demo::ALL.len();
    for (n, demo) in Demo::ALL.into_iter().enumerate() {
        if pause && !wait_for_enter(&format!("Enter: demo {}/{total}, {}; q: stop here", n + 1, demo.name())).await {
            break;
        }
        outln!();
        say(&format!("{}/{total}  {}", n + 1, demo.narration()), walk.record);
        let progress = |line: String| outln!("  {line}");
        // The narration was said above; the demo's own first line repeats it.
        let first = std::sync::atomic::AtomicBool::new(true);
        let quiet_first = |line: String| {
            if !first.swap(false, std::sync::atomic::Ordering::Relaxed) {
                progress(line)
            }
        };
        let result = demo::run_measured(client, namespace, release, demo, &quiet_first).await;
        match &result {
            Ok(o) => outln!("{}", o.summary),
            Err(f) => outln!("{} did not finish: {}", demo.name(), f.why),
        }
        summary.add(demo, &result);
        if result.as_ref().is_err_and(|f| f.stopped) {
            break;
        }
    }
    outln!();
    say("What we measured", walk.record);
    out!("{}", summary.table());
    if walk.record {
        let place = format!("release {release} in namespace {namespace}, context {context}");
        let stamp = jiff::Timestamp::now().strftime("%Y%m%d-%H%M%S").to_string();
        let path = std::path::PathBuf::from(format!("kubedeck-demo-{stamp}.md"));
        outln!(
            "{}",
            walkthrough::save(&summary.markdown(&place, jiff::Timestamp::now()), Some(path))
        );
    }
    let passed = summary.rows.iter().filter(|r| r.passed).count();
    match passed == total {
        true => Ok(format!("Walkthrough: all {total} demos passed")),
        false => Err(format!("{passed} of {total} demos passed: see the summary above")),
    }
}

/// A narration line: plain, or in recording mode bold and double-height (DEC DHL, which xterm,
/// VTE, Konsole and Windows Terminal draw; the line is wrapped to half the width).
fn say(text: &str, record: bool) {
    if !record {
        outln!("{text}");
        return;
    }
    let width = crossterm::terminal::size().map_or(80, |(w, _)| w as usize);
    for line in words_in_lines(text, (width / 2).saturating_sub(1).max(20)) {
        outln!("\x1b#3\x1b[1m{line}\x1b[0m");
        outln!("\x1b#4\x1b[1m{line}\x1b[0m");
    }
}

/// Waits for Enter; false when the user typed q, or pressed Ctrl-C, or stdin closed.
async fn wait_for_enter(prompt: &str) -> bool {
    out!("{prompt} > ");
    let _ = std::io::stdout().flush();
    // A plain thread, not the runtime's blocking pool: after Ctrl-C nothing waits for it.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = std::io::stdin().read_line(&mut line);
        let _ = tx.send(matches!(read, Ok(n) if n > 0) && line.trim() != "q");
    });
    tokio::select! {
        go_on = rx => go_on.unwrap_or(false),
        _ = demo::interrupted() => false,
    }
}

/// The words of `text` in lines of at most `width` characters (a longer word gets its own line).
fn words_in_lines(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    #[test]
    fn narration_wraps_at_word_boundaries() {
        let lines = super::words_in_lines("Rollback: deploy a new revision that sets a variable", 20);
        assert_eq!(lines, ["Rollback: deploy a", "new revision that", "sets a variable"]);
    }
}
