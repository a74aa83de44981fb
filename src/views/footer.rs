//! The footer's key hints: as many whole hints as the width holds, the most useful first. `?`
//! (every other key) always shows; a hint is never cut.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::style;
use crate::app::keys::{Action, ActiveBinding};

/// Blank cells after each hint.
const SEPARATOR: usize = 2;

/// How much a hint is worth on a narrow terminal: lower shows first. The way to every other key
/// and the way out come first, then what this pane or view is for, then moving about.
fn rank(action: Action) -> u8 {
    match action {
        Action::Help => 0,
        Action::Quit => 1,
        Action::Back | Action::Confirm => 2,
        Action::Open
        | Action::Logs
        | Action::Scale
        | Action::DeletePod
        | Action::Rollback
        | Action::Mark
        | Action::Reveal
        | Action::LogFollow
        | Action::LogSearch => 3,
        Action::Filter | Action::NextPane | Action::Command => 4,
        Action::Yaml | Action::Events | Action::Zoom | Action::PickNamespace | Action::SortNext => 5,
        _ => 6,
    }
}

/// The footer's text for one binding: its key and the help without parenthesised details.
fn hint(binding: &ActiveBinding) -> (String, String) {
    let short = binding.help.split(" (").next().unwrap_or(binding.help);
    (format!(" {} ", binding.label), format!(" {short}"))
}

/// The hints that fit in `width`, in order of worth; each is whole.
pub fn hints(bindings: &[ActiveBinding], width: u16) -> Line<'static> {
    let mut ranked: Vec<(u8, usize, &ActiveBinding)> = bindings
        .iter()
        .enumerate()
        .map(|(i, b)| (rank(b.action), i, b))
        .collect();
    ranked.sort_by_key(|&(rank, i, _)| (rank, i));
    let mut used = 0;
    let mut spans = Vec::new();
    for (rank, _, binding) in ranked {
        let (key, text) = hint(binding);
        let gap = if spans.is_empty() { 0 } else { SEPARATOR };
        let needed = gap + key.width() + text.width();
        // `?` shows even when nothing else fits: it is the way to every other key.
        if used + needed > usize::from(width) && rank > 0 {
            continue;
        }
        if gap > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
        }
        spans.push(Span::styled(key, style::key_hint()));
        spans.push(Span::raw(text));
        used += needed;
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::PaneId;
    use crate::app::keys::{KeyContext, KeyMap, ViewKind};

    fn contexts() -> Vec<KeyContext> {
        let views = [
            ViewKind::History,
            ViewKind::Diff,
            ViewKind::Yaml,
            ViewKind::Text,
            ViewKind::Logs,
            ViewKind::Plan,
            ViewKind::Confirm,
            ViewKind::Demos,
            ViewKind::ActionLog,
        ];
        PaneId::ALL
            .into_iter()
            .map(KeyContext::Pane)
            .chain(views.into_iter().map(KeyContext::View))
            .collect()
    }

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn every_hint_is_whole_and_help_always_shows() {
        for context in contexts() {
            let bindings: Vec<ActiveBinding> = KeyMap::default()
                .bindings_for(context)
                .into_iter()
                .filter(|b| b.in_footer)
                .collect();
            let whole: Vec<String> = bindings.iter().map(|b| hint(b).1).collect();
            for width in 20..=300 {
                let line = hints(&bindings, width);
                let shown = text(&line);
                assert!(shown.width() <= usize::from(width), "{context:?} at {width}: {shown:?}");
                assert!(shown.starts_with(" ? "), "{context:?} at {width}: {shown:?}");
                // Every piece of text is one binding's whole hint.
                for span in line.spans.iter().skip(1).step_by(3) {
                    assert!(
                        whole.contains(&span.content.to_string()),
                        "{context:?} at {width}: {span:?}"
                    );
                }
            }
            let all = text(&hints(&bindings, 300));
            assert!(all.contains(" q ") && all.contains(" quit"), "{all}");
        }
    }

    #[test]
    fn a_narrow_footer_keeps_what_the_pane_is_for() {
        let bindings: Vec<ActiveBinding> = KeyMap::default()
            .bindings_for(KeyContext::Pane(PaneId::Workloads))
            .into_iter()
            .filter(|b| b.in_footer)
            .collect();
        let shown = text(&hints(&bindings, 80));
        assert_eq!(
            shown,
            " ?  help   q  quit   Enter  details   s  scale the workload   l  logs"
        );
    }
}
