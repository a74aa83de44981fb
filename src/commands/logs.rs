//! `kubedeck logs`: the dashboard's log stream on stdout. Lines are sanitized; on a terminal
//! their colours are kept and each pod gets a coloured prefix, in a pipe they are plain text (or
//! JSON lines with `--output json`). What kubedeck says about the stream goes to stderr.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use ratatui::style::{Color, Modifier, Style};

use crate::ansi::StyledText;
use crate::cluster::logs::{self, LogEvent, LogRequest, RawLine};

/// How lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogFormat {
    pub json: bool,
    pub timestamps: bool,
    /// `pod/container` in front of each line.
    pub prefix: bool,
    /// Keep the lines' colours and colour the prefix (stdout is a terminal, NO_COLOR unset).
    pub colour: bool,
}

impl LogFormat {
    pub fn for_stdout(json: bool, timestamps: bool, prefix: bool) -> LogFormat {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        LogFormat {
            json,
            timestamps,
            prefix,
            colour: !json && !no_color && std::io::stdout().is_terminal(),
        }
    }
}

/// Streams to stdout until the stream ends; the error is the sentence to print.
pub async fn run(client: kube::Client, request: LogRequest, format: LogFormat) -> Result<(), String> {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let done_tx = std::sync::Mutex::new(Some(done_tx));
    let sources = std::sync::Mutex::new(Vec::<Arc<str>>::new());
    // Whether any line came, and what was said about the streams: only errors and no line is a
    // failure (as `kubectl logs -c nope` is), not a quiet exit 0.
    let lines_seen = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let notices = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (seen, said) = (lines_seen.clone(), notices.clone());
    let sink: logs::Sink = Arc::new(move |event| match event {
        LogEvent::Lines { pod, container, lines } => {
            seen.store(true, std::sync::atomic::Ordering::Relaxed);
            let source = format!("{pod}/{container}");
            let index = {
                let mut seen = sources.lock().unwrap_or_else(|e| e.into_inner());
                match seen.iter().position(|s| **s == *source) {
                    Some(i) => i,
                    None => {
                        seen.push(source.as_str().into());
                        seen.len() - 1
                    }
                }
            };
            let mut out = String::new();
            for line in &lines {
                out.push_str(&render_line(&format, &pod, &container, index, line));
                out.push('\n');
            }
            let mut stdout = std::io::stdout().lock();
            // The reader went away (`| head`): nothing more to do.
            if stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()).is_err() {
                std::process::exit(0);
            }
        }
        LogEvent::Notice(text) => {
            said.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            eprintln!("kubedeck: {text}")
        }
        LogEvent::Containers(_) => {}
        LogEvent::Ended(outcome) => {
            if let Some(tx) = done_tx.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = tx.send(outcome);
            }
        }
    });
    // On a worker, like the dashboard's stream, beside the connection tasks it reads from: read
    // from `block_on`'s thread, a caught-up stream got one chunk per pause and fell behind.
    if tokio::spawn(logs::stream(client, request, sink)).await.is_err() {
        return Err("the log stream stopped unexpectedly".into());
    }
    let outcome = done_rx
        .await
        .unwrap_or_else(|_| Err("the log stream stopped unexpectedly".into()));
    let (seen, said) = (
        lines_seen.load(std::sync::atomic::Ordering::Relaxed),
        notices.load(std::sync::atomic::Ordering::Relaxed),
    );
    if outcome.is_ok() && !seen && said > 0 {
        // Each stream's failure was said above, one sentence each: exit 1 without another.
        std::process::exit(1);
    }
    outcome
}

/// One line as written to stdout.
pub fn render_line(format: &LogFormat, pod: &str, container: &str, source: usize, line: &RawLine) -> String {
    if format.json {
        return serde_json::json!({
            "time": line.time.map(|t| t.to_string()),
            "pod": pod,
            "container": container,
            "line": line.text.text,
        })
        .to_string();
    }
    let mut out = String::new();
    if format.timestamps
        && let Some(t) = line.time
    {
        out.push_str(&t.to_string());
        out.push(' ');
    }
    if format.prefix {
        let prefix = format!("{pod}/{container}");
        if format.colour {
            let colour = Style::new().fg(crate::ansi::source_colour(source as u16));
            out.push_str(&sgr(colour));
            out.push_str(&prefix);
            out.push_str("\x1b[0m ");
        } else {
            out.push_str(&prefix);
            out.push(' ');
        }
    }
    if format.colour {
        out.push_str(&coloured(&line.text));
    } else {
        out.push_str(&line.text.text);
    }
    out
}

/// The text with its colours written back as SGR sequences (only SGR: it was sanitized).
fn coloured(text: &StyledText) -> String {
    if text.runs.is_empty() {
        return text.text.clone();
    }
    let mut out = String::new();
    for (piece, style) in text.pieces() {
        out.push_str(&sgr(style));
        out.push_str(piece);
    }
    out.push_str("\x1b[0m");
    out
}

fn sgr(style: Style) -> String {
    let mut codes = vec!["0".to_owned()];
    for (m, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if style.add_modifier.contains(m) {
            codes.push(code.into());
        }
    }
    for (colour, base) in [(style.fg, 38), (style.bg, 48)] {
        match colour {
            Some(Color::Indexed(i)) => codes.push(format!("{base};5;{i}")),
            Some(Color::Rgb(r, g, b)) => codes.push(format!("{base};2;{r};{g};{b}")),
            Some(named) => {
                if let Some(i) = named_index(named) {
                    codes.push(format!("{base};5;{i}"));
                }
            }
            None => {}
        }
    }
    format!("\x1b[{}m", codes.join(";"))
}

fn named_index(c: Color) -> Option<u8> {
    Some(match c {
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        _ => return None,
    })
}

/// `--since 90s`, `5m`, `2h`, `1d`: seconds.
pub fn parse_since(text: &str) -> Result<i64, String> {
    let bad = || format!("--since {text:?} is not a duration: write e.g. 30s, 5m, 2h, 1h30m or 1d");
    // kubectl's and helm's format (1h30m, 1.5h); `1d` and bare seconds as before.
    if let Ok(d) = crate::cli::duration::parse(text, "--since") {
        return if d.as_secs() > 0 {
            i64::try_from(d.as_secs()).map_err(|_| bad())
        } else {
            Err(bad())
        };
    }
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(bad()),
    };
    if n <= 0 {
        return Err(bad());
    }
    // 9223372036854775807d is digits and a unit, but no duration.
    n.checked_mul(factor).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_the_units_people_write() {
        assert_eq!(parse_since("90s"), Ok(90));
        assert_eq!(parse_since("5m"), Ok(300));
        assert_eq!(parse_since("2h"), Ok(7200));
        assert_eq!(parse_since("45"), Ok(45));
        assert_eq!(parse_since("1h30m"), Ok(5400));
        assert_eq!(parse_since("1d"), Ok(86400));
        assert!(parse_since("5 minutes").unwrap_err().contains("30s, 5m"));
        assert!(parse_since("-3m").is_err());
    }

    #[test]
    fn a_pipe_gets_plain_text_and_a_terminal_gets_colour_back() {
        let line = logs::parse_line("2026-11-23T16:00:00Z \x1b[31mfail\x1b[0m \x1b]0;title\x07ok");
        let plain = LogFormat {
            json: false,
            timestamps: true,
            prefix: true,
            colour: false,
        };
        assert_eq!(
            render_line(&plain, "web-1", "app", 0, &line),
            "2026-11-23T16:00:00Z web-1/app fail ok"
        );
        let tty = LogFormat {
            timestamps: false,
            prefix: false,
            colour: true,
            ..plain
        };
        assert_eq!(
            render_line(&tty, "web-1", "app", 0, &line),
            "\x1b[0;38;5;1mfail\x1b[0m ok\x1b[0m"
        );
        let json = LogFormat { json: true, ..plain };
        let v: serde_json::Value = serde_json::from_str(&render_line(&json, "web-1", "app", 0, &line)).unwrap();
        assert_eq!(v["line"], "fail ok");
        assert_eq!(v["pod"], "web-1");
    }
}
