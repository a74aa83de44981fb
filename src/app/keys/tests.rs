use super::*;

#[test]
fn keys_are_unique_and_dispatch() {
    let mut seen = std::collections::HashSet::new();
    for b in BINDINGS {
        for k in b.keys {
            assert!(seen.insert((*k, format!("{:?}", b.scope))), "{k:?} bound twice");
        }
    }
    let press = |code, mods| action_for(&KeyEvent::new(code, mods), KeyContext::Pane(PaneId::Pods));
    assert_eq!(press(KeyCode::Char('q'), NONE), Some(Action::Quit));
    assert_eq!(press(KeyCode::Char('c'), CTRL), Some(Action::Quit));
    assert_eq!(press(KeyCode::Char('c'), NONE), Some(Action::PickContext));
    assert_eq!(press(KeyCode::Down, NONE), Some(Action::Down));
    assert_eq!(press(KeyCode::Char('4'), NONE), Some(Action::Focus(4)));
    assert_eq!(press(KeyCode::Enter, NONE), Some(Action::Open));
    let in_history = |code| action_for(&KeyEvent::new(code, NONE), KeyContext::View(ViewKind::History));
    assert_eq!(in_history(KeyCode::Esc), Some(Action::Back));
    assert_eq!(in_history(KeyCode::Char('j')), Some(Action::Down));
    assert_eq!(in_history(KeyCode::Tab), None, "pane switching is off in a view on top");
}

#[test]
fn each_dialog_offers_only_its_own_keys() {
    let labels = |map: &KeyMap, kind| -> Vec<String> {
        map.bindings_for(KeyContext::View(kind))
            .into_iter()
            .map(|b| b.label)
            .collect()
    };
    let map = KeyMap::default();
    assert_eq!(labels(&map, ViewKind::Confirm), ["y", "Esc", "?", "q"]);
    let nav = ["j/↓", "k/↑", "PgDn", "PgUp", "g", "G"];
    assert_eq!(
        labels(&map, ViewKind::Plan),
        [&nav[..], &["y", "Esc", "?", "q"]].concat()
    );
    assert_eq!(
        labels(&map, ViewKind::Demos),
        [&nav[..], &["Enter", "Esc", "?", "q"]].concat()
    );
    assert_eq!(
        labels(&map, ViewKind::ActionLog),
        [&nav[..], &["Esc", "?", "q"]].concat()
    );
    assert_eq!(labels(&map, ViewKind::Text), [&nav[..], &["Esc", "?", "q"]].concat());
    assert_eq!(
        labels(&map, ViewKind::Yaml),
        [&nav[..], &["/", "n", "N", "x", "Esc", "?", "q"]].concat()
    );
    let plan_y = map
        .bindings_for(KeyContext::View(ViewKind::Plan))
        .into_iter()
        .find(|b| b.action == Action::Confirm)
        .map(|b| b.help);
    assert_eq!(plan_y, Some("apply the plan"));
    let readonly = KeyMap {
        readonly: true,
        ..KeyMap::default()
    };
    assert_eq!(labels(&readonly, ViewKind::Confirm), ["Esc", "?", "q"]);
}

#[test]
fn config_overrides_rebind_keys_and_bad_entries_are_explained() {
    let config = [
        ("quit", "Q"),
        ("filter", "ctrl-f, f3"),
        ("frobnicate", "x"),
        ("zoom", "ctrl-"),
    ]
    .into_iter()
    .map(|(a, k)| (a.to_owned(), k.to_owned()))
    .collect();
    let (map, problems) = KeyMap::with_overrides(&config);
    let pods = KeyContext::Pane(PaneId::Pods);
    let press = |code, mods| map.action_for(&KeyEvent::new(code, mods), pods);
    assert_eq!(
        press(KeyCode::Char('Q'), SHIFT),
        Some(Action::Quit),
        "terminals report Q with or without SHIFT"
    );
    assert_eq!(press(KeyCode::Char('Q'), NONE), Some(Action::Quit));
    assert_eq!(press(KeyCode::Char('q'), NONE), None, "q no longer quits");
    assert_eq!(
        press(KeyCode::Char('f'), CTRL),
        Some(Action::Filter),
        "the user's ctrl-f wins over page down"
    );
    assert_eq!(press(KeyCode::F(3), NONE), Some(Action::Filter));
    assert_eq!(
        press(KeyCode::Char('z'), NONE),
        Some(Action::Zoom),
        "a bad entry leaves the default"
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("no action named \"frobnicate\""), "{problems:?}");
    assert!(problems[1].starts_with("keys: zoom:"), "{problems:?}");
    let labels: Vec<String> = map
        .bindings_for(pods)
        .into_iter()
        .filter(|b| b.action == Action::Quit)
        .map(|b| b.label)
        .collect();
    assert_eq!(labels, ["Q"], "help and footer show the user's keys");
}

#[test]
fn i_describes_on_every_pane_and_the_k9s_preset_brings_k9s_habits() {
    for pane in PaneId::ALL {
        let press = action_for(&KeyEvent::new(KeyCode::Char('i'), NONE), KeyContext::Pane(pane));
        assert_eq!(press, Some(Action::Describe), "{pane:?}");
    }
    let preset: std::collections::BTreeMap<String, String> = crate::config::K9S_KEYS
        .iter()
        .map(|(a, k)| ((*a).to_owned(), (*k).to_owned()))
        .collect();
    let (map, problems) = KeyMap::with_overrides(&preset);
    assert!(
        problems.is_empty(),
        "every preset entry names an action kubedeck has: {problems:?}"
    );
    let press = |code, mods, pane| map.action_for(&KeyEvent::new(code, mods), KeyContext::Pane(pane));
    assert_eq!(press(KeyCode::Char('d'), NONE, PaneId::Pods), Some(Action::Describe));
    assert_eq!(press(KeyCode::Char('d'), CTRL, PaneId::Pods), Some(Action::DeletePod));
    assert_eq!(press(KeyCode::F(2), NONE, PaneId::Pods), Some(Action::Deploy));
    assert_eq!(
        press(KeyCode::Char('r'), NONE, PaneId::Workloads),
        Some(Action::Restart)
    );
    assert_eq!(press(KeyCode::Char('s'), NONE, PaneId::Workloads), Some(Action::Scale));
    assert_eq!(press(KeyCode::Char('s'), NONE, PaneId::Pods), Some(Action::Shell));
    assert_eq!(
        press(KeyCode::Char('F'), SHIFT, PaneId::Pods),
        Some(Action::PortForward)
    );
    // `?` and the footer show the keys in force.
    let label = |action| {
        map.bindings_for(KeyContext::Pane(PaneId::Pods))
            .into_iter()
            .find(|b| b.action == action)
            .map(|b| b.label)
    };
    assert_eq!(label(Action::Describe).as_deref(), Some("d"));
    assert_eq!(label(Action::Deploy).as_deref(), Some("f2"));
}
