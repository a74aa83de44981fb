//! `kubedeck sandbox`'s progress view, drawn below the shell prompt while the sandbox is built:
//! every step with its mark and time, the one under way with its clock, what is left, the last
//! line the recipe wrote and where the whole log is.

use std::path::Path;
use std::time::Instant;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::style;
use crate::actions::sandbox::{Progress, StepState, short};

/// The lines the view needs: the steps and four more.
pub fn height(progress: &Progress) -> u16 {
    progress.steps.len() as u16 + 4
}

pub fn render(progress: &Progress, now: Instant, log: &Path, area: Rect, buf: &mut Buffer) {
    let (done, total) = progress.count_done();
    let width = usize::from(area.width);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" kubedeck sandbox {} ", progress.name), style::title()),
        Span::raw(format!(
            "  {done} of {total} steps done, {} so far",
            short(now.saturating_duration_since(progress.started))
        )),
    ])];
    let title_width = progress
        .steps
        .iter()
        .map(|s| s.title.chars().count())
        .max()
        .unwrap_or(0)
        .min(width.saturating_sub(26));
    for step in &progress.steps {
        let (mark, when, look) = match &step.state {
            StepState::ToDo => ("·", "to do".to_owned(), style::dim()),
            StepState::Running { since } => (
                "▸",
                format!("working… {}", short(now.saturating_duration_since(*since))),
                style::warning(),
            ),
            StepState::Done { cached: true, .. } => ("✓", "ready (cached)".to_owned(), style::good()),
            StepState::Done { took, .. } => ("✓", format!("done in {}", short(*took)), style::good()),
            StepState::Failed { took } => ("✗", format!("failed after {}", short(*took)), style::error()),
        };
        let title: String = step.title.chars().take(title_width).collect();
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark} "), look),
            Span::raw(format!("{title:<title_width$}  ")),
            Span::styled(when, look),
        ]));
    }
    let last: String = progress.last_line.chars().take(width.saturating_sub(9)).collect();
    lines.push(Line::styled(format!(" latest: {last}"), style::dim()));
    lines.push(Line::styled(
        " The first build takes 20-40 min on 2 cores (the Go builds); later runs take about a minute.",
        style::dim(),
    ));
    lines.push(Line::styled(
        format!(" Ctrl-C stops; what is built stays cached. Log: {}", log.display()),
        style::dim(),
    ));
    Paragraph::new(lines).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::sandbox::Phase;
    use ratatui::{Terminal, backend::TestBackend};
    use std::time::Duration;

    fn screen(progress: &Progress, now: Instant) -> String {
        let mut terminal = Terminal::new(TestBackend::new(110, height(progress))).expect("test terminal");
        terminal
            .draw(|f| {
                render(
                    progress,
                    now,
                    Path::new("/cache/logs/sandbox-demo.log"),
                    f.area(),
                    f.buffer_mut(),
                )
            })
            .expect("drawing");
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn shows_what_is_built_how_long_it_took_and_what_is_left() {
        let t0 = Instant::now();
        let mut p = Progress::new("demo", t0);
        p.phase_started(Phase::Build, t0);
        p.line(
            Phase::Build,
            "[sim 01:00:00] etcd v3.6.16: cached in /c/bin/etcd-v3.6.16",
            t0,
        );
        let t1 = t0 + Duration::from_secs(200);
        for m in ["kwok+kwokctl v0.8.0", "metrics-server v0.9.0", "helm v3.20.2"] {
            p.line(Phase::Build, &format!("[sim 01:03:20] {m}: cached in /c"), t1);
        }
        p.line(
            Phase::Build,
            "[sim 01:03:20] kubernetes v1.36.3 (kube-apiserver, ...): building (log: x)",
            t1,
        );
        let text = screen(&p, t1 + Duration::from_secs(125));
        insta::assert_snapshot!(text);
    }
}
