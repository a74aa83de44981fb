//! The key map: one table that dispatches keys and generates both the footer hints and the `?`
//! help, so they can never drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::PaneId;

/// What a key asks the dashboard to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    PrevPane,
    /// Focus pane number N (1-based).
    Focus(u32),
    Zoom,
    Filter,
    ClearFilter,
    Command,
    Help,
    SortNext,
    SortReverse,
    AllNamespaces,
    /// Enter on a pane row: a release's history, (later) a pod's details.
    Open,
    /// In a release history: mark a revision to diff against.
    Mark,
    /// Close the view on top and go back.
    Back,
    /// The selected object as YAML.
    Yaml,
    /// The selected object's events.
    Events,
    /// The selected object described, as `kubectl describe` does.
    Describe,
    /// In a YAML view of a Secret: reveal the next value (one at a time).
    Reveal,
    /// The namespace switcher.
    PickNamespace,
    /// The context switcher.
    PickContext,
    /// Deploy the bundled chart: values, plan, confirm.
    Deploy,
    /// In a release's history: roll back to the selected revision (after its diff).
    Rollback,
    /// Say yes to the plan or diff on screen.
    Confirm,
    /// Scale the selected workload.
    Scale,
    /// Restart the selected workload's pods.
    Restart,
    /// Delete the selected pod.
    DeletePod,
    /// The logs of the selected pod or workload.
    Logs,
    /// The guided demos.
    Demos,
    /// Leave the dashboard for the first-run wizard (`kubedeck setup`).
    Setup,
    /// Leave the dashboard for a local sandbox cluster (`kubedeck sandbox`).
    Sandbox,
    /// In the log view: pause / follow the end.
    LogFollow,
    LogWrap,
    LogTimestamps,
    /// Search (highlights matches; n/N move between them).
    LogSearch,
    /// Show only the lines matching the search, or all again.
    LogFilter,
    LogNext,
    LogPrevMatch,
    /// JSON lines: raw, pretty-printed, chosen fields.
    LogJson,
    /// Which JSON fields to show.
    LogFields,
    /// Save the buffer to a file.
    LogSave,
    /// The previous container's logs, or the current one's again.
    LogPrevious,
    /// The next container (then all of them).
    LogContainer,
    /// The focused pane's wide mode (kubectl's `-o wide` columns) on or off.
    Wide,
    /// A shell (or a command) in the selected pod's container, or a ready pod of the workload.
    Shell,
    /// Forward a local port to the selected pod.
    PortForward,
    /// Call the health endpoints through a port-forward.
    Probe,
    /// Run the selected release's tests, as helm test does.
    TestRelease,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScope {
    Everywhere,
    /// On the panes and in every view that scrolls or has a selection to move.
    Moving,
    /// On the dashboard, whichever pane has focus (not in a view opened on top).
    Panes,
    /// Only while this pane has focus.
    Pane(PaneId),
    /// In a view opened on top of the panes.
    View(ViewKind),
}

/// The views that open on top of the panes, each with its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    History,
    Diff,
    /// An object as YAML.
    Yaml,
    /// An object's events, a pod's containers.
    Text,
    Logs,
    /// A deploy's plan, waiting for `y`.
    Plan,
    /// An operation waiting for `y`.
    Confirm,
    /// The list of guided demos.
    Demos,
    /// The progress of a running operation.
    ActionLog,
}

impl ViewKind {
    /// Whether the movement keys do something here: all but a confirmation scroll or move.
    pub fn moves(self) -> bool {
        self != ViewKind::Confirm
    }
}

/// What has the keyboard: a pane, or a view on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyContext {
    Pane(PaneId),
    View(ViewKind),
}

impl KeyContext {
    pub fn title(self) -> &'static str {
        match self {
            KeyContext::Pane(p) => p.title(),
            KeyContext::View(ViewKind::History) => "Release history",
            KeyContext::View(ViewKind::Diff) => "Revision diff",
            KeyContext::View(ViewKind::Yaml) => "Object YAML",
            KeyContext::View(ViewKind::Text) => "Object view",
            KeyContext::View(ViewKind::Logs) => "Logs",
            KeyContext::View(ViewKind::Plan) => "Deploy plan",
            KeyContext::View(ViewKind::Confirm) => "Confirm",
            KeyContext::View(ViewKind::Demos) => "Guided demos",
            KeyContext::View(ViewKind::ActionLog) => "Progress",
        }
    }
}

/// One entry of the key map.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in hints, e.g. "j/↓".
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub scope: KeyScope,
    /// Shown in the footer (every binding is shown in help).
    pub in_footer: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

const fn bind(
    label: &'static str,
    action: Action,
    help: &'static str,
    in_footer: bool,
    scope: KeyScope,
    keys: &'static [(KeyCode, KeyModifiers)],
) -> Binding {
    Binding {
        keys,
        label,
        action,
        help,
        scope,
        in_footer,
    }
}

const ANY: KeyScope = KeyScope::Everywhere;
const MOVING: KeyScope = KeyScope::Moving;
const PANES: KeyScope = KeyScope::Panes;
const HISTORY: KeyScope = KeyScope::View(ViewKind::History);
const DIFF: KeyScope = KeyScope::View(ViewKind::Diff);
const YAML: KeyScope = KeyScope::View(ViewKind::Yaml);
const TEXT: KeyScope = KeyScope::View(ViewKind::Text);
const LOGS: KeyScope = KeyScope::View(ViewKind::Logs);
const PLAN: KeyScope = KeyScope::View(ViewKind::Plan);
const CONFIRM: KeyScope = KeyScope::View(ViewKind::Confirm);
const DEMOS: KeyScope = KeyScope::View(ViewKind::Demos);
const ACTION_LOG: KeyScope = KeyScope::View(ViewKind::ActionLog);

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    bind("j/↓", Action::Down, "move down", false, MOVING, &[(KeyCode::Char('j'), NONE), (KeyCode::Down, NONE)]),
    bind("k/↑", Action::Up, "move up", false, MOVING, &[(KeyCode::Char('k'), NONE), (KeyCode::Up, NONE)]),
    bind("PgDn", Action::PageDown, "page down", false, MOVING, &[(KeyCode::PageDown, NONE), (KeyCode::Char('f'), CTRL)]),
    bind("PgUp", Action::PageUp, "page up", false, MOVING, &[(KeyCode::PageUp, NONE), (KeyCode::Char('b'), CTRL)]),
    bind("g", Action::Top, "first row", false, MOVING, &[(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)]),
    bind("G", Action::Bottom, "last row", false, MOVING, &[(KeyCode::Char('G'), NONE), (KeyCode::Char('G'), SHIFT), (KeyCode::End, NONE)]),
    bind("Tab", Action::NextPane, "next pane", true, PANES, &[(KeyCode::Tab, NONE)]),
    bind("S-Tab", Action::PrevPane, "previous pane", false, PANES, &[(KeyCode::BackTab, NONE), (KeyCode::BackTab, SHIFT)]),
    bind("1", Action::Focus(1), "focus Pods", false, PANES, &[(KeyCode::Char('1'), NONE)]),
    bind("2", Action::Focus(2), "focus HPAs", false, PANES, &[(KeyCode::Char('2'), NONE)]),
    bind("3", Action::Focus(3), "focus Certificates", false, PANES, &[(KeyCode::Char('3'), NONE)]),
    bind("4", Action::Focus(4), "focus Releases", false, PANES, &[(KeyCode::Char('4'), NONE)]),
    bind("5", Action::Focus(5), "focus Workloads", false, PANES, &[(KeyCode::Char('5'), NONE)]),
    bind("6", Action::Focus(6), "focus Events", false, PANES, &[(KeyCode::Char('6'), NONE)]),
    bind("7", Action::Focus(7), "focus Resources (:svc :ing :pvc :jobs :cj :cm :no)", false, PANES, &[(KeyCode::Char('7'), NONE)]),
    bind("n", Action::PickNamespace, "switch namespace (fuzzy search)", true, PANES, &[(KeyCode::Char('n'), NONE)]),
    bind("c", Action::PickContext, "switch context (fuzzy search)", false, PANES, &[(KeyCode::Char('c'), NONE)]),
    bind("0", Action::AllNamespaces, "all namespaces", false, PANES, &[(KeyCode::Char('0'), NONE)]),
    bind("z", Action::Zoom, "zoom pane / back", true, PANES, &[(KeyCode::Char('z'), NONE)]),
    bind("/", Action::Filter, "filter (regex, !invert, -l k=v)", true, PANES, &[(KeyCode::Char('/'), NONE)]),
    bind("Esc", Action::ClearFilter, "clear filter / unzoom", false, PANES, &[(KeyCode::Esc, NONE)]),
    bind("o", Action::SortNext, "sort by next column", true, PANES, &[(KeyCode::Char('o'), NONE)]),
    bind("O", Action::SortReverse, "reverse sort", false, PANES, &[(KeyCode::Char('O'), NONE), (KeyCode::Char('O'), SHIFT)]),
    bind(":", Action::Command, "command (:pods :hpa :certs :releases :events :workloads :svc :ing :pvc :jobs :cj :cm :no :ns :ctx :pf :cols)", true, PANES, &[(KeyCode::Char(':'), NONE), (KeyCode::Char(':'), SHIFT)]),
    bind("W", Action::Wide, "wide: more columns (as kubectl -o wide); :cols picks columns", false, PANES, &[(KeyCode::Char('W'), NONE), (KeyCode::Char('W'), SHIFT)]),
    bind("Enter", Action::Open, "details (pods), history (releases), YAML (others)", true, PANES, &[(KeyCode::Enter, NONE)]),
    bind("y", Action::Yaml, "YAML of the selected object", true, PANES, &[(KeyCode::Char('y'), NONE)]),
    bind("e", Action::Events, "events of the selected object", true, PANES, &[(KeyCode::Char('e'), NONE)]),
    bind("i", Action::Describe, "describe the selected object (fields, conditions, events)", true, PANES, &[(KeyCode::Char('i'), NONE)]),
    bind("d", Action::Deploy, "deploy a chart (release, chart, values; plan, confirm)", true, PANES, &[(KeyCode::Char('d'), NONE)]),
    bind("s", Action::Scale, "scale the workload (0 to 1000 replicas)", true, KeyScope::Pane(PaneId::Workloads), &[(KeyCode::Char('s'), NONE)]),
    bind("R", Action::Restart, "restart the workload's pods", false, KeyScope::Pane(PaneId::Workloads), &[(KeyCode::Char('R'), NONE)]),
    bind("C-d", Action::DeletePod, "delete the pod (and time its replacement)", true, KeyScope::Pane(PaneId::Pods), &[(KeyCode::Char('d'), CTRL)]),
    bind("x", Action::Shell, "shell in the pod's container (bash, else sh, or a command)", false, KeyScope::Pane(PaneId::Pods), &[(KeyCode::Char('x'), NONE)]),
    bind("x", Action::Shell, "shell in a ready pod of the workload", false, KeyScope::Pane(PaneId::Workloads), &[(KeyCode::Char('x'), NONE)]),
    bind("F", Action::PortForward, "forward a local port to the pod (:pf lists, stops)", false, KeyScope::Pane(PaneId::Pods), &[(KeyCode::Char('F'), NONE), (KeyCode::Char('F'), SHIFT)]),
    bind("F", Action::PortForward, "forward a local port to the Service (:svc; :pf lists, stops)", false, KeyScope::Pane(PaneId::Resources), &[(KeyCode::Char('F'), NONE), (KeyCode::Char('F'), SHIFT)]),
    bind("P", Action::Probe, "call the health endpoints through a port-forward", false, PANES, &[(KeyCode::Char('P'), NONE), (KeyCode::Char('P'), SHIFT)]),
    bind("T", Action::TestRelease, "run the release's tests (helm test; asks first)", false, KeyScope::Pane(PaneId::Releases), &[(KeyCode::Char('T'), NONE), (KeyCode::Char('T'), SHIFT)]),
    // Only where there is something to tail: pods, and the pods of a workload.
    bind("l", Action::Logs, "logs (the pod's containers)", true, KeyScope::Pane(PaneId::Pods), &[(KeyCode::Char('l'), NONE)]),
    bind("l", Action::Logs, "logs (every pod of the workload)", true, KeyScope::Pane(PaneId::Workloads), &[(KeyCode::Char('l'), NONE)]),
    bind("S", Action::Setup, "first-run wizard: start Minikube and deploy (kubedeck setup)", true, PANES, &[(KeyCode::Char('S'), NONE), (KeyCode::Char('S'), SHIFT)]),
    bind("B", Action::Sandbox, "local sandbox cluster with the chart (kubedeck sandbox)", false, PANES, &[(KeyCode::Char('B'), NONE), (KeyCode::Char('B'), SHIFT)]),
    bind("D", Action::Demos, "guided demos (self-healing, scaling, autoscaling, rollback, persistence, all)", false, PANES, &[(KeyCode::Char('D'), NONE), (KeyCode::Char('D'), SHIFT)]),
    bind("Enter", Action::Open, "run the selected demo (asks first)", true, DEMOS, &[(KeyCode::Enter, NONE)]),
    bind("Esc", Action::Back, "back", true, DEMOS, &[(KeyCode::Esc, NONE)]),
    bind("Space", Action::LogFollow, "pause / follow the end", true, LOGS, &[(KeyCode::Char(' '), NONE)]),
    bind("/", Action::LogSearch, "search (regex; smartcase)", true, LOGS, &[(KeyCode::Char('/'), NONE)]),
    bind("n", Action::LogNext, "next match", false, LOGS, &[(KeyCode::Char('n'), NONE)]),
    bind("N", Action::LogPrevMatch, "previous match", false, LOGS, &[(KeyCode::Char('N'), NONE), (KeyCode::Char('N'), SHIFT)]),
    bind("f", Action::LogFilter, "only lines matching the search / all", true, LOGS, &[(KeyCode::Char('f'), NONE)]),
    bind("w", Action::LogWrap, "wrap long lines on/off", true, LOGS, &[(KeyCode::Char('w'), NONE)]),
    bind("t", Action::LogTimestamps, "timestamps on/off", true, LOGS, &[(KeyCode::Char('t'), NONE)]),
    bind("J", Action::LogJson, "JSON lines: raw, pretty, fields", true, LOGS, &[(KeyCode::Char('J'), NONE), (KeyCode::Char('J'), SHIFT)]),
    bind("F", Action::LogFields, "JSON fields to show (e.g. level,msg)", false, LOGS, &[(KeyCode::Char('F'), NONE), (KeyCode::Char('F'), SHIFT)]),
    bind("c", Action::LogContainer, "next container, then all", false, LOGS, &[(KeyCode::Char('c'), NONE)]),
    bind("p", Action::LogPrevious, "previous container's logs / current", false, LOGS, &[(KeyCode::Char('p'), NONE)]),
    bind("s", Action::LogSave, "save the buffer to a file", true, LOGS, &[(KeyCode::Char('s'), NONE), (KeyCode::Char('s'), CTRL)]),
    bind("Esc", Action::Back, "back (stops the stream)", true, LOGS, &[(KeyCode::Esc, NONE)]),
    bind("r", Action::Rollback, "roll back to this revision (shows the diff first)", true, HISTORY, &[(KeyCode::Char('r'), NONE)]),
    bind("y", Action::Confirm, "apply the plan", true, PLAN, &[(KeyCode::Char('y'), NONE)]),
    bind("Esc", Action::Back, "cancel (changes nothing)", true, PLAN, &[(KeyCode::Esc, NONE)]),
    bind("y", Action::Confirm, "yes, do it", true, CONFIRM, &[(KeyCode::Char('y'), NONE)]),
    bind("Esc", Action::Back, "cancel (changes nothing)", true, CONFIRM, &[(KeyCode::Esc, NONE)]),
    bind("Esc", Action::Back, "close (the operation goes on; its outcome shows below)", true, ACTION_LOG, &[(KeyCode::Esc, NONE)]),
    bind("y", Action::Confirm, "roll back (when opened with r)", false, DIFF, &[(KeyCode::Char('y'), NONE)]),
    bind("/", Action::LogSearch, "search (regex; smartcase)", true, YAML, &[(KeyCode::Char('/'), NONE)]),
    bind("n", Action::LogNext, "next match", true, YAML, &[(KeyCode::Char('n'), NONE)]),
    bind("N", Action::LogPrevMatch, "previous match", false, YAML, &[(KeyCode::Char('N'), NONE), (KeyCode::Char('N'), SHIFT)]),
    bind("x", Action::Reveal, "reveal the next Secret value (one at a time)", true, YAML, &[(KeyCode::Char('x'), NONE)]),
    bind("Esc", Action::Back, "back", true, YAML, &[(KeyCode::Esc, NONE)]),
    bind("Esc", Action::Back, "back", true, TEXT, &[(KeyCode::Esc, NONE)]),
    bind("m", Action::Mark, "mark revision to compare", true, HISTORY, &[(KeyCode::Char('m'), NONE)]),
    bind("Enter", Action::Open, "diff marked (or previous) revision with this one", true, HISTORY, &[(KeyCode::Enter, NONE)]),
    bind("Esc", Action::Back, "back", true, HISTORY, &[(KeyCode::Esc, NONE)]),
    bind("Esc", Action::Back, "back to the history", true, DIFF, &[(KeyCode::Esc, NONE)]),
    bind("?", Action::Help, "help", true, ANY, &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)]),
    bind("q", Action::Quit, "quit", true, ANY, &[(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), CTRL)]),
];

/// The bindings that apply in `context`.
pub fn bindings_for(context: KeyContext) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| match (b.scope, context) {
        (KeyScope::Everywhere, _) | (KeyScope::Panes | KeyScope::Moving, KeyContext::Pane(_)) => true,
        (KeyScope::Moving, KeyContext::View(v)) => v.moves(),
        (KeyScope::Pane(p), KeyContext::Pane(q)) => p == q,
        (KeyScope::View(v), KeyContext::View(w)) => v == w,
        _ => false,
    })
}

/// The action bound to a key press in `context`, if any.
pub fn action_for(key: &KeyEvent, context: KeyContext) -> Option<Action> {
    KeyMap::default().action_for(key, context)
}

impl Action {
    /// Whether it changes the cluster: the one place read-only mode looks. Such actions are
    /// hidden from the key map, the footer and help, and refused, in read-only mode.
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            Action::Deploy
                | Action::Rollback
                | Action::Confirm
                | Action::Scale
                | Action::Restart
                | Action::DeletePod
                | Action::Setup
                | Action::Sandbox
                | Action::Shell
                | Action::TestRelease
                // Every demo changes the cluster (and puts it back).
                | Action::Demos
        )
    }

    /// The name used for it in the config file's `keys:` section.
    pub fn name(self) -> String {
        let name = match self {
            Action::Quit => "quit",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page-up",
            Action::PageDown => "page-down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NextPane => "next-pane",
            Action::PrevPane => "prev-pane",
            Action::Focus(n) => return format!("focus-{n}"),
            Action::Zoom => "zoom",
            Action::Filter => "filter",
            Action::ClearFilter => "clear-filter",
            Action::Command => "command",
            Action::Help => "help",
            Action::SortNext => "sort-next",
            Action::SortReverse => "sort-reverse",
            Action::AllNamespaces => "all-namespaces",
            Action::Open => "open",
            Action::Mark => "mark",
            Action::Back => "back",
            Action::Yaml => "yaml",
            Action::Events => "events",
            Action::Describe => "describe",
            Action::Reveal => "reveal",
            Action::PickNamespace => "pick-namespace",
            Action::PickContext => "pick-context",
            Action::Deploy => "deploy",
            Action::Rollback => "rollback",
            Action::Confirm => "confirm",
            Action::Scale => "scale",
            Action::Restart => "restart",
            Action::DeletePod => "delete-pod",
            Action::Logs => "logs",
            Action::Demos => "demos",
            Action::Setup => "setup",
            Action::Sandbox => "sandbox",
            Action::LogFollow => "log-follow",
            Action::LogWrap => "log-wrap",
            Action::LogTimestamps => "log-timestamps",
            Action::LogSearch => "log-search",
            Action::LogFilter => "log-filter",
            Action::LogNext => "log-next",
            Action::LogPrevMatch => "log-prev-match",
            Action::LogJson => "log-json",
            Action::LogFields => "log-fields",
            Action::LogSave => "log-save",
            Action::LogPrevious => "log-previous",
            Action::LogContainer => "log-container",
            Action::Wide => "wide",
            Action::Shell => "shell",
            Action::PortForward => "port-forward",
            Action::Probe => "probe",
            Action::TestRelease => "test-release",
        };
        name.to_owned()
    }
}

/// A key as the config file writes it: `q`, `Q`, `ctrl-f`, `enter`, `esc`, `tab`, `f5`, `space`.
pub fn parse_key(spec: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let lower = spec.to_ascii_lowercase();
    let (mods, rest) = match lower.strip_prefix("ctrl-").or_else(|| lower.strip_prefix("c-")) {
        Some(rest) => (CTRL, rest),
        None => (NONE, lower.as_str()),
    };
    let code = match rest {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" => KeyCode::PageDown,
        "delete" | "del" => KeyCode::Delete,
        f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            // One character, case kept from the original spec (Q is not q).
            let original = &spec[spec.len() - rest.len()..];
            let mut chars = original.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(if mods == CTRL { c.to_ascii_lowercase() } else { c }),
                _ => {
                    return Err(format!(
                        "{spec:?} is not a key (try q, Q, ctrl-f, enter, esc, tab, f5, space)"
                    ));
                }
            }
        }
    };
    Ok((code, mods))
}

/// One entry of the key map, with the user's keys where they chose others.
#[derive(Debug, Clone)]
pub struct ActiveBinding {
    pub keys: Vec<(KeyCode, KeyModifiers)>,
    pub label: String,
    pub action: Action,
    pub help: &'static str,
    pub in_footer: bool,
}

/// The key map in force: the built-in table with the config file's overrides applied.
#[derive(Debug, Clone, Default)]
pub struct KeyMap {
    /// Read-only mode: actions that change the cluster are left out.
    pub readonly: bool,
    /// Action name -> the keys the user chose and how to write them.
    overrides: std::collections::BTreeMap<String, (Vec<(KeyCode, KeyModifiers)>, String)>,
}

impl KeyMap {
    /// Builds a key map from the config's `keys:` section (action name -> key or keys separated
    /// by commas). Returns the map and a sentence for each entry that could not be used.
    pub fn with_overrides(config: &std::collections::BTreeMap<String, String>) -> (KeyMap, Vec<String>) {
        let known: Vec<String> = BINDINGS.iter().map(|b| b.action.name()).collect();
        let mut map = KeyMap::default();
        let mut problems = Vec::new();
        for (name, spec) in config {
            if !known.contains(name) {
                problems.push(format!("keys: no action named {name:?} (known: {})", known.join(", ")));
                continue;
            }
            let keys: Result<Vec<_>, String> = spec.split(',').map(|k| parse_key(k.trim())).collect();
            match keys {
                Ok(keys) => {
                    map.overrides.insert(name.clone(), (keys, spec.replace(',', "/")));
                }
                Err(e) => problems.push(format!("keys: {name}: {e}")),
            }
        }
        (map, problems)
    }

    /// The bindings that apply in `context`, the user's keys first; none that change the
    /// cluster in read-only mode.
    pub fn bindings_for(&self, context: KeyContext) -> Vec<ActiveBinding> {
        let readonly = self.readonly;
        bindings_for(context)
            .filter(move |b| !(readonly && b.action.is_mutating()))
            .map(|b| match self.overrides.get(&b.action.name()) {
                Some((keys, label)) => ActiveBinding {
                    keys: keys.clone(),
                    label: label.clone(),
                    action: b.action,
                    help: b.help,
                    in_footer: b.in_footer,
                },
                None => ActiveBinding {
                    keys: b.keys.to_vec(),
                    label: b.label.to_owned(),
                    action: b.action,
                    help: b.help,
                    in_footer: b.in_footer,
                },
            })
            .collect()
    }

    /// The action bound to a key press in `context`, if any. A key the user bound wins over a
    /// built-in binding of the same key.
    pub fn action_for(&self, key: &KeyEvent, context: KeyContext) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let bindings = self.bindings_for(context);
        // For a character the case already says whether Shift was held; terminals differ in
        // whether they also report SHIFT, so it is ignored there.
        let norm = |code: KeyCode, mods: KeyModifiers| match code {
            KeyCode::Char(_) => mods - KeyModifiers::SHIFT,
            _ => mods,
        };
        let pressed = |b: &&ActiveBinding| {
            b.keys
                .iter()
                .any(|&(code, mods)| code == key.code && norm(code, mods) == norm(key.code, key.modifiers))
        };
        let chosen = bindings
            .iter()
            .filter(|b| self.overrides.contains_key(&b.action.name()))
            .find(pressed);
        chosen.or_else(|| bindings.iter().find(pressed)).map(|b| b.action)
    }
}

#[cfg(test)]
mod tests;
