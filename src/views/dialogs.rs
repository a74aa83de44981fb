//! The dialogs: a confirmation, a deploy's plan, the list of guided demos and the log of a
//! running operation. Their questions come from the operation's one description.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::text::{Tone, render_lines};
use crate::app::dialogs::{ActionLog, ConfirmDialog, DemoList, PlanView};

pub fn render_confirm(dialog: &ConfirmDialog, area: Rect, buf: &mut Buffer) {
    render_lines("Confirm (y does it, Esc cancels)", confirm_lines(dialog), 0, area, buf);
}

pub fn confirm_lines(dialog: &ConfirmDialog) -> Vec<(String, Tone)> {
    let mut lines = vec![(dialog.operation.question(), Tone::Heading)];
    lines.extend(dialog.warnings.iter().map(|w| (w.clone(), Tone::Warn)));
    lines.push((String::new(), Tone::Plain));
    lines.push(("y does it; Esc cancels and changes nothing.".into(), Tone::Dim));
    lines
}

pub fn render_plan(view: &PlanView, area: Rect, buf: &mut Buffer) {
    let title = format!(
        "Deploy {} to {} (y applies, Esc cancels)",
        view.request.release, view.request.namespace
    );
    render_lines(&title, view.lines(), view.offset, area, buf);
}

pub fn render_demos(list: &DemoList, area: Rect, buf: &mut Buffer) {
    let title = "Guided demos (j/k choose, Enter runs after asking, Esc back)";
    render_lines(title, demo_lines(list), 0, area, buf);
}

fn demo_lines(list: &DemoList) -> Vec<(String, Tone)> {
    let mut lines = vec![
        (
            "Each demo says what it does, does it on this cluster and ends with what it measured.".into(),
            Tone::Dim,
        ),
        (String::new(), Tone::Plain),
    ];
    for (i, demo) in crate::actions::demo::Demo::LISTED.iter().enumerate() {
        let (marker, tone) = if i == list.selected {
            ("▶", Tone::Heading)
        } else {
            (" ", Tone::Plain)
        };
        lines.push((format!("{marker} {}. {}", i + 1, demo.name()), tone));
        lines.push((format!("     {}", demo.narration()), Tone::Dim));
    }
    lines
}

pub fn render_action_log(log: &ActionLog, area: Rect, buf: &mut Buffer) {
    render_lines(&log.title, log.lines_shown(), log.offset, area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::deploy::{DeployPlan, DeployRequest, ObjectId};
    use crate::app::views::Loadable;

    /// The rows inside a dialog's box (`views::tests::drawn`, borders cut off).
    fn drawn(render: impl FnOnce(Rect, &mut Buffer), width: u16, height: u16) -> Vec<String> {
        let screen = crate::views::tests::drawn(width, height, render);
        let inner = screen.lines().skip(1).take(usize::from(height - 2));
        inner
            .map(|row| row.trim_start_matches('│').trim_end_matches('│').trim_end().to_owned())
            .collect()
    }

    #[test]
    fn a_long_line_wraps_in_the_box_and_scrolling_counts_its_rows() {
        let why = "not ready after 300s: Deployment/todo-todo-chatbot-frontend (0/2 ready, 2 updated, \
                   0 available; pod todo-todo-chatbot-frontend-8fd7c9559-v45hb: ErrImageNeverPull)";
        let log = ActionLog {
            title: "Deploying todo".into(),
            lines: vec!["applied Deployment/todo-todo-chatbot-frontend".into()],
            outcome: Some(Err(why.into())),
            ..Default::default()
        };
        // A box 60 columns wide has 58 for text: the sentence takes several rows, all shown.
        let rows = drawn(|area, buf| render_action_log(&log, area, buf), 60, 12);
        let used = rows.iter().rposition(|r| !r.is_empty()).map_or(0, |i| i + 1);
        assert!(used > 3, "{rows:#?}");
        assert_eq!(log.line_count(58), used, "{rows:#?}");
        let shown = rows.join(" ");
        assert!(
            shown.contains("ErrImageNeverPull)"),
            "the end of the sentence is cut: {rows:#?}"
        );
        assert!(rows.iter().all(|r| r.chars().count() <= 58));

        // Scrolled to its end (where the log follows), the last row is the sentence's last.
        let short = ActionLog {
            offset: log.line_count(58),
            ..log.clone()
        };
        let rows = drawn(|area, buf| render_action_log(&short, area, buf), 60, 5);
        assert!(
            rows.last().is_some_and(|r| r.ends_with("ErrImageNeverPull)")),
            "{rows:#?}"
        );
    }

    #[test]
    fn the_plan_counts_the_rows_it_draws() {
        let id = |name: &str| ObjectId {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: None,
            name: name.into(),
        };
        let mut view = PlanView {
            request: Box::new(DeployRequest {
                release: "todo".into(),
                namespace: "shop".into(),
                chart_dir: "chart".into(),
                values_files: vec![],
                set: vec![],
                atomic: false,
                timeout: std::time::Duration::from_secs(1),
                history_max: 10,
                helm_renderer: false,
                base_values: Default::default(),
                options: Default::default(),
            }),
            plan: Loadable::Ready(DeployPlan {
                revision: 3,
                added: vec![id("a"), id("b")],
                removed: vec![id("c")],
                changed: vec![(id("d"), "-x\n+y\n z\n".into())],
            }),
            offset: 0,
        };
        let rows = drawn(|area, buf| render_plan(&view, area, buf), 40, 30);
        let used = rows.iter().rposition(|r| !r.is_empty()).map_or(0, |i| i + 1);
        assert_eq!(used, view.line_count(38), "{rows:#?}");
        assert!(
            rows.contains(&"Apply revision 3 of todo to shop?".to_owned()),
            "{rows:#?}"
        );
        view.plan = Loadable::Failed("the chart at chart has no Chart.yaml: pass --chart DIR with one".into());
        assert_eq!(view.line_count(38), 3, "the reason takes two rows, then the way back");
    }
}
