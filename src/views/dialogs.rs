//! The dialogs: a confirmation, a deploy's plan, the list of guided demos and the log of a
//! running operation. Their questions come from the operation's one description.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::text::{Tone, render_lines};
use crate::actions::deploy::DeployPlan;
use crate::app::dialogs::{ActionLog, ConfirmDialog, DemoList, PlanView};
use crate::app::views::Loadable;

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
    render_lines(&title, plan_view_lines(view), view.offset, area, buf);
}

/// As many lines as `PlanView::line_count` says.
pub fn plan_view_lines(view: &PlanView) -> Vec<(String, Tone)> {
    match (&view.plan, view.operation()) {
        (Loadable::Ready(plan), Some(operation)) => plan_lines(plan, &operation.question()),
        (Loadable::Failed(why), _) => vec![
            (why.clone(), Tone::Bad),
            ("Nothing was changed. Esc goes back.".into(), Tone::Dim),
        ],
        _ => vec![("Rendering the chart ...".into(), Tone::Dim)],
    }
}

fn plan_lines(plan: &DeployPlan, question: &str) -> Vec<(String, Tone)> {
    let mut lines = vec![(format!("Revision {} would:", plan.revision), Tone::Heading)];
    lines.extend(plan.added.iter().map(|id| (format!("  + add {id}"), Tone::Good)));
    lines.extend(plan.removed.iter().map(|id| (format!("  - remove {id}"), Tone::Bad)));
    for (id, diff) in &plan.changed {
        lines.push((format!("  ~ change {id}"), Tone::Warn));
        for l in diff.lines() {
            let tone = match l.chars().next() {
                Some('+') => Tone::Good,
                Some('-') => Tone::Bad,
                _ => Tone::Dim,
            };
            lines.push((format!("      {l}"), tone));
        }
    }
    if plan.added.is_empty() && plan.removed.is_empty() && plan.changed.is_empty() {
        lines.push((
            "  no object changes (a new revision is still recorded)".into(),
            Tone::Dim,
        ));
    }
    lines.push((String::new(), Tone::Plain));
    lines.push((question.to_owned(), Tone::Heading));
    lines.push(("y applies it; Esc cancels and changes nothing.".into(), Tone::Dim));
    lines
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
    render_lines(&log.title, action_log_lines(log), log.offset, area, buf);
}

/// As many lines as `ActionLog::line_count` says.
pub fn action_log_lines(log: &ActionLog) -> Vec<(String, Tone)> {
    let mut lines: Vec<(String, Tone)> = log.lines.iter().map(|l| (l.clone(), Tone::Plain)).collect();
    lines.extend(
        log.gauges
            .iter()
            .map(|(g, done)| (g.clone(), if *done { Tone::Good } else { Tone::Warn })),
    );
    lines.push((String::new(), Tone::Plain));
    lines.push(match &log.outcome {
        None => ("working ...".into(), Tone::Dim),
        Some(Ok(done)) => (done.clone(), Tone::Good),
        Some(Err(why)) => (why.clone(), Tone::Bad),
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::deploy::{DeployRequest, ObjectId};

    #[test]
    fn the_line_counts_the_app_scrolls_by_match_the_lines_drawn() {
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
            plan: Loadable::Loading,
            offset: 0,
        };
        assert_eq!(plan_view_lines(&view).len(), view.line_count());
        view.plan = Loadable::Failed("no chart".into());
        assert_eq!(plan_view_lines(&view).len(), view.line_count());
        view.plan = Loadable::Ready(DeployPlan::default());
        assert_eq!(plan_view_lines(&view).len(), view.line_count());
        view.plan = Loadable::Ready(DeployPlan {
            revision: 3,
            added: vec![id("a"), id("b")],
            removed: vec![id("c")],
            changed: vec![(id("d"), "-x\n+y\n z\n".into())],
        });
        let lines = plan_view_lines(&view);
        assert_eq!(lines.len(), view.line_count());
        assert_eq!(lines[lines.len() - 2].0, "Apply revision 3 of todo to shop?");

        let mut log = ActionLog {
            title: "t".into(),
            lines: vec!["one".into(), "two".into()],
            ..Default::default()
        };
        assert_eq!(action_log_lines(&log).len(), log.line_count());
        log.gauges = vec![("api ██████████ 1/1 updated, 1/1 ready".into(), true)];
        assert_eq!(action_log_lines(&log).len(), log.line_count());
    }
}
