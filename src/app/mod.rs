//! The dashboard's one state and the only place it changes: messages in, new state out.

pub mod columns;
mod connection;
pub mod data;
pub mod dialogs;
pub mod exec;
pub mod help;
pub mod keys;
pub mod layout;
pub mod log_rows;
pub mod logs;
pub mod operate;
pub mod panes;
mod prompt;
pub mod resources;
pub mod sandbox;
pub mod setup;
pub mod switcher;
pub mod table;
pub mod text_lines;
pub mod usage;
pub mod views;
mod watch_health;

use crossterm::event::KeyEvent;
use jiff::Timestamp;

use crate::cluster::session::SessionEvent;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{ConnectOptions, FailureKind, RowUpdate, Target};
pub use columns::columns_of;
pub use connection::Connection;
pub use data::{ClusterData, PodCounts};
use keys::Action;
pub use panes::{PaneId, Panes};
pub use prompt::{Prompt, PromptKind};

/// Everything that can happen to the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Only when the mouse is enabled (`--mouse` or `mouse: true`).
    Mouse(crossterm::event::MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// Once a second, so ages keep counting.
    Tick(Timestamp),
    /// SIGTERM, SIGINT or SIGHUP.
    Quit,
    Session(SessionEvent),
    Rows(RowUpdate),
    Watch(WatchStatus),
    DiffLoaded(
        crate::cluster::releases::DiffRequest,
        Result<Vec<crate::cluster::releases::DiffLine>, String>,
    ),
    ObjectLoaded(crate::cluster::objects::ObjectRef, Result<serde_json::Value, String>),
    PlanReady(Result<crate::actions::deploy::DeployPlan, String>),
    /// A line of progress from a running deploy or rollback.
    ActionProgress(String),
    /// How the running deploy or rollback ended.
    ActionDone(Result<String, String>),
    /// From the log stream numbered so (`LogView::stream`).
    Logs(u64, crate::cluster::logs::LogEvent),
    /// A one-line outcome to show in the footer (a file saved, or why not).
    Notice(String),
    /// A reading of metrics.k8s.io.
    Metrics(crate::cluster::metrics::MetricsReading),
    /// The describe view's lines, or why there are none.
    Described(ObjectRef, Result<Vec<crate::cluster::describe::DescribeLine>, String>),
    /// The shell (what it was in) ended with this status, or could not start.
    ShellDone(String, Result<i32, String>),
    /// From the port-forward numbered so.
    Forward(u64, exec::ForwardEvent),
    /// The health endpoints' answers (`P`).
    Probed(Result<Vec<crate::cluster::probe::ProbeAnswer>, String>),
}

use crate::cluster::objects::ObjectRef;

impl From<crate::cluster::ClusterEvent> for Msg {
    fn from(event: crate::cluster::ClusterEvent) -> Self {
        use crate::cluster::ClusterEvent;
        match event {
            ClusterEvent::Session(e) => Msg::Session(e),
            ClusterEvent::Rows(update) => Msg::Rows(update),
            ClusterEvent::Watch(status) => Msg::Watch(status),
            ClusterEvent::Metrics(reading) => Msg::Metrics(reading),
        }
    }
}

/// Work the event loop does on the app's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Drop the current connection and its data, and connect with these options.
    Reconnect(ConnectOptions),
    /// Read two revisions of a release and diff them; answered with `Msg::DiffLoaded`.
    LoadDiff(crate::cluster::releases::DiffRequest),
    /// Read one object for the YAML view; answered with `Msg::ObjectLoaded`.
    LoadObject(crate::cluster::objects::ObjectRef),
    /// Render and compare, changing nothing; answered with `Msg::PlanReady`.
    PlanDeploy(crate::actions::deploy::DeployRequest),
    /// Run an operation the user said yes to (deploy, rollback, scale, restart, delete a pod, a
    /// demo); progress comes as `Msg::ActionProgress`, the end as `Msg::ActionDone`.
    Operate(operate::Operation),
    /// Start a log stream (replacing any running one); it reports as `Msg::Logs(id, ..)`.
    TailLogs(u64, crate::cluster::logs::LogRequest),
    /// Stop the running log stream.
    StopLogs,
    /// Write text to a file; answered with `Msg::Notice`.
    SaveFile {
        path: std::path::PathBuf,
        text: String,
    },
    /// Start the watch of a resource pane kind (the first time it is shown).
    WatchResource(crate::cluster::resources::ResourceKind),
    /// Start the watch of every event (the first time the Events pane or an object's events show).
    WatchEvents,
    /// Describe an object; answered with `Msg::Described`.
    Describe(ObjectRef),
    /// Write the column choices into the config file's `columns:`; a `Msg::Notice` if that fails.
    SaveColumns {
        path: std::path::PathBuf,
        columns: std::collections::BTreeMap<String, crate::config::PaneColumns>,
    },
    /// Keep the `d` prompt's line as this context's last deploy choice (the state folder).
    RememberDeploy {
        context: String,
        line: String,
    },
    /// Hand the terminal to a shell until it ends (the loop does it); answered with `ShellDone`.
    Shell(exec::ShellRequest),
    /// Start a port-forward in the background; it reports as `Msg::Forward(id, ..)`.
    StartForward(exec::ForwardRequest),
    StopForward(u64),
    /// Call the namespace's health endpoints; answered with `Msg::Probed`.
    Probe(String),
}

/// The whole dashboard state.
#[derive(Debug, Clone)]
pub struct App {
    pub options: ConnectOptions,
    pub target: Option<Target>,
    pub server_version: Option<String>,
    pub connection: Connection,
    pub data: ClusterData,
    pub panes: Panes,
    pub focus: PaneId,
    pub zoomed: bool,
    pub prompt: Option<Prompt>,
    pub switcher: Option<switcher::Switcher>,
    /// A view opened on top of the panes (release history, diff).
    pub top: Option<views::TopView>,
    /// While the `?` overlay is open, how far it is scrolled.
    pub help: Option<usize>,
    /// A one-line message for the user (a bad command, a bad filter), until the next key.
    pub notice: Option<String>,
    pub now: Timestamp,
    pub size: (u16, u16),
    pub should_quit: bool,
    /// Operations started and not yet ended (`Effect::Operate` without its `Msg::ActionDone`).
    pub operations_running: usize,
    /// `q` was pressed while an operation runs: the next key quits if it is `q` again.
    pub(super) quit_asked: bool,
    /// Set for the key after such a `q`.
    pub(super) quit_armed: bool,
    /// Quit to the first-run wizard (`S` where there is no cluster).
    pub run_setup: bool,
    pub sandbox: sandbox::SandboxOffer,
    pub effects: Vec<Effect>,
    pub keymap: keys::KeyMap,
    /// Which contexts are read-only (all of them when `Readonly::everywhere`).
    pub readonly: Readonly,
    pub log_settings: logs::LogSettings,
    /// Log streams started so far; numbers the next one.
    pub log_streams: u64,
    /// What the resource pane shows, and the table state of the kinds not shown now.
    pub resource_kind: crate::cluster::resources::ResourceKind,
    pub resource_tables: std::collections::HashMap<crate::cluster::resources::ResourceKind, table::TablePane>,
    /// The columns each pane shows (`:cols`, `W`), as the config file keeps them.
    pub columns: columns::ColumnChoices,
    pub column_chooser: Option<columns::ColumnChooser>,
    /// The last `d` line per kube context, offered again by `d`.
    pub deploy_choices: std::collections::BTreeMap<String, String>,
    /// The shell picker and the port-forwards.
    pub exec: exec::ExecState,
}

pub use crate::config::Readonly;

impl App {
    pub fn new(options: ConnectOptions, now: Timestamp, size: (u16, u16)) -> Self {
        App {
            options,
            target: None,
            server_version: None,
            connection: Connection::Starting,
            data: ClusterData::default(),
            panes: Panes::default(),
            focus: PaneId::Pods,
            zoomed: false,
            prompt: None,
            switcher: None,
            top: None,
            help: None,
            notice: None,
            now,
            size,
            should_quit: false,
            operations_running: 0,
            quit_asked: false,
            quit_armed: false,
            run_setup: false,
            sandbox: Default::default(),
            effects: Vec::new(),
            keymap: keys::KeyMap::default(),
            readonly: Readonly::default(),
            log_settings: logs::LogSettings::default(),
            log_streams: 0,
            resource_kind: crate::cluster::resources::ResourceKind::Services,
            resource_tables: Default::default(),
            columns: columns::ColumnChoices::default(),
            column_chooser: None,
            deploy_choices: Default::default(),
            exec: exec::ExecState::default(),
        }
    }

    /// Applies one message; returns whether the screen needs redrawing.
    pub fn update(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::Key(key) => {
                self.on_key(key);
                self.watch_events_when_shown();
                true
            }
            Msg::Mouse(mouse) => {
                let redraw = self.on_mouse(mouse);
                self.watch_events_when_shown();
                redraw
            }
            Msg::Resize { width, height } => {
                self.size = (width, height);
                self.watch_events_when_shown();
                self.mark_all_stale();
                true
            }
            Msg::Tick(now) => {
                self.now = now;
                // Ages (and how long the server has been silent) only change what is drawn when
                // something is on screen.
                !self.data.pods.is_empty()
                    || !self.data.events.is_empty()
                    || !self.data.hpas.is_empty()
                    || matches!(
                        self.connection,
                        Connection::NoAnswer { .. } | Connection::StorageDown { .. }
                    )
            }
            Msg::Quit => {
                self.should_quit = true;
                false
            }
            Msg::Session(event) => {
                self.on_session(event);
                true
            }
            Msg::Rows(update) => self.on_rows(update),
            Msg::Watch(status) => {
                self.on_watch(status);
                true
            }
            Msg::DiffLoaded(request, result) => {
                self.diff_loaded(request, result);
                true
            }
            Msg::ObjectLoaded(object, result) => {
                self.object_loaded(object, result);
                true
            }
            Msg::PlanReady(result) => {
                self.plan_ready(result);
                true
            }
            Msg::ActionProgress(line) => {
                self.action_progress(line);
                true
            }
            Msg::ActionDone(outcome) => {
                self.action_done(outcome);
                true
            }
            Msg::Logs(stream, event) => self.on_logs(stream, event),
            Msg::Notice(text) => {
                self.notice = Some(text);
                true
            }
            Msg::Metrics(reading) => {
                self.data.usage.apply(reading);
                self.usage_changed();
                self.on_screen(PaneId::Pods) || self.on_screen(PaneId::Resources) || self.top.is_some()
            }
            Msg::Described(object, lines) => {
                self.described(object, lines);
                true
            }
            Msg::ShellDone(..) | Msg::Forward(..) | Msg::Probed(..) => self.on_exec_msg(msg),
        }
    }

    /// Applies a watch's rows; returns whether the screen needs redrawing.
    fn on_rows(&mut self, update: crate::cluster::RowUpdate) -> bool {
        let warnings = self.data.warnings.len();
        match self.data.apply(update, self.now) {
            Some(pane) => {
                self.panes.get_mut(pane).stale = true;
                // A pane off screen is brought up to date when it comes on screen; until
                // then its changes draw nothing, unless the summary line counts them.
                let in_summary = !matches!(pane, PaneId::Events | PaneId::Workloads);
                // (Cheapest first: the layout is only worked out for the other panes.)
                in_summary || self.data.warnings.len() != warnings || self.on_screen(pane)
            }
            // Only the switcher shows namespaces, and it reads them when drawn; a
            // namespace in view that turns out not to exist is said at once.
            None => {
                let problem = self.data.namespace_problem(self.target.as_ref().map(|t| &t.scope));
                let said = problem.is_some() && self.notice.is_none();
                if said {
                    self.notice = problem;
                }
                said || self.switcher.is_some()
            }
        }
    }

    /// What has the keyboard.
    pub fn key_context(&self) -> keys::KeyContext {
        match &self.top {
            Some(top) => keys::KeyContext::View(top.kind()),
            None => keys::KeyContext::Pane(self.focus),
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return;
        }
        // Keys act on what the pane holds now, even if it changed since the last frame.
        if self.panes.get(self.focus).stale {
            self.refresh_pane(self.focus, self.page_size());
        }
        self.notice = None;
        self.quit_armed = std::mem::take(&mut self.quit_asked);
        if self.help.is_some() {
            self.on_help_key(&key);
            return;
        }
        if self.prompt.is_some() {
            self.on_prompt_key(key);
            return;
        }
        if self.switcher.is_some() {
            self.on_switcher_key(key);
            return;
        }
        if self.column_chooser.is_some() {
            self.on_chooser_key(key);
            return;
        }
        match self.keymap.action_for(&key, self.key_context()) {
            Some(action) if self.top.is_some() => self.perform_in_view(action),
            Some(action) => self.perform(action),
            None => {}
        }
    }

    /// Whether the cluster in view may not be changed.
    pub fn is_readonly(&self) -> bool {
        let context = self
            .target
            .as_ref()
            .map(|t| t.context.as_str())
            .or(self.options.context.as_deref());
        self.readonly.applies_to(context)
    }

    pub(crate) fn perform(&mut self, action: Action) {
        if action.is_mutating() && self.is_readonly() {
            self.notice = Some("read-only mode: nothing that changes the cluster is allowed here".into());
            return;
        }
        let page = self.page_size();
        let pane = self.panes.get_mut(self.focus);
        match action {
            Action::Quit => self.quit(),
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
                views::move_table(pane, action, page)
            }
            Action::Open => self.open_selected(),
            Action::Yaml => self.open_yaml(),
            Action::Describe => self.open_describe(),
            Action::Deploy => self.open_deploy(),
            Action::Scale => self.open_scale(),
            Action::Restart => self.open_restart(),
            Action::TestRelease => self.open_test_release(),
            Action::DeletePod => self.open_delete_pod(),
            Action::Shell | Action::PortForward | Action::Probe => self.on_exec_key(action),
            Action::Events => self.open_events(),
            Action::Logs => self.open_logs(),
            Action::Demos => self.open_demo(None),
            Action::Sandbox => self.open_sandbox(),
            Action::Setup => {
                self.run_setup = true;
                self.should_quit = true;
            }
            // Only meaningful in views on top; the key map does not bind them here.
            Action::Mark | Action::Back | Action::Reveal | Action::Confirm | Action::Rollback => {}
            Action::LogFollow
            | Action::LogWrap
            | Action::LogTimestamps
            | Action::LogSearch
            | Action::LogFilter
            | Action::LogNext
            | Action::LogPrevMatch
            | Action::LogJson
            | Action::LogFields
            | Action::LogSave
            | Action::LogPrevious
            | Action::LogContainer => {}
            Action::NextPane => self.focus_pane(self.focus.next(1)),
            Action::PrevPane => self.focus_pane(self.focus.next(-1)),
            Action::Focus(n) => {
                if let Some(p) = PaneId::from_number(n) {
                    self.focus_pane(p)
                }
            }
            Action::Zoom => {
                self.zoomed = !self.zoomed;
                self.mark_all_stale();
            }
            Action::Filter => {
                let current = pane.filter.as_ref().map(|f| f.input.clone()).unwrap_or_default();
                self.prompt = Some(Prompt::new(PromptKind::Filter, current));
            }
            Action::Command => self.prompt = Some(Prompt::new(PromptKind::Command, String::new())),
            Action::Help => self.help = Some(0),
            Action::SortNext => {
                let count = self.pane_columns(self.focus).len();
                self.panes.get_mut(self.focus).cycle_sort(count)
            }
            Action::SortReverse => pane.reverse_sort(),
            Action::ClearFilter => {
                if pane.filter.is_some() {
                    pane.set_filter(None);
                } else if self.zoomed {
                    self.zoomed = false;
                    self.mark_all_stale();
                }
            }
            Action::AllNamespaces => self.switch_namespace(None),
            Action::PickNamespace => self.open_switcher(switcher::SwitcherKind::Namespace),
            Action::PickContext => self.open_switcher(switcher::SwitcherKind::Context),
            Action::Wide => self.toggle_wide(),
        }
    }

    fn focus_pane(&mut self, pane: PaneId) {
        if pane == PaneId::Resources {
            self.watch_resource(self.resource_kind);
        }
        self.focus = pane;
        self.panes.get_mut(pane).stale = true;
    }

    /// Switches to `namespace`, or to all namespaces with None.
    pub fn switch_namespace(&mut self, namespace: Option<String>) {
        self.options.all_namespaces = namespace.is_none();
        self.options.namespace = namespace;
        self.restart_session();
    }

    pub fn switch_context(&mut self, context: String) {
        self.options.context = Some(context);
        self.options.namespace = None;
        self.restart_session();
    }

    fn restart_session(&mut self) {
        self.data = ClusterData::default();
        if matches!(self.top, Some(views::TopView::Logs(_))) {
            self.effects.push(Effect::StopLogs);
        }
        self.top = None;
        let focus = self.focus;
        self.panes = Panes::default();
        self.focus = focus;
        self.target = None;
        self.server_version = None;
        self.connection = Connection::Starting;
        self.effects.push(Effect::Reconnect(self.options.clone()));
    }

    fn on_watch(&mut self, status: WatchStatus) {
        if self.resource_status_elsewhere(&status) {
            return;
        }
        match status {
            WatchStatus::Synced { kind } => {
                if kind == crate::cluster::store::WatchKind::Certificates {
                    self.data.cert_manager_missing = false;
                }
                if let Some(pane) = ClusterData::pane_of(kind) {
                    self.panes.get_mut(pane).problem = None;
                    self.panes.get_mut(pane).no_answer_since = None;
                }
                // A list served from the API server's cache while etcd is down is not live;
                // only the probe, seeing etcd back, ends that.
                if !matches!(self.connection, Connection::StorageDown { .. }) {
                    self.connection = Connection::Live;
                }
            }
            WatchStatus::Failed {
                kind,
                failure: FailureKind::Refused,
                message,
                ..
            } => {
                if let Some(pane) = ClusterData::pane_of(kind) {
                    self.panes.get_mut(pane).problem = Some(message);
                }
            }
            WatchStatus::Failed {
                failure: FailureKind::Unreachable,
                message,
                ..
            } => {
                if matches!(
                    self.connection,
                    Connection::Live | Connection::Reconnecting { .. } | Connection::NoAnswer { .. }
                ) {
                    self.connection = Connection::Reconnecting { message };
                }
            }
            // Only the certificates watch meets this: cert-manager's CRDs are absent. The pane
            // says so in one line and lists Ingress TLS secrets; the watch keeps retrying, so
            // installing cert-manager later is picked up.
            WatchStatus::Failed {
                failure: FailureKind::NotInstalled,
                ..
            } => {
                self.data.cert_manager_missing = true;
                self.panes.get_mut(PaneId::Certificates).stale = true;
            }
            status @ (WatchStatus::Stalled { .. } | WatchStatus::Answering { .. }) => self.on_watch_health(status),
        }
    }

    fn mark_all_stale(&mut self) {
        for (_, pane) in self.panes.iter_mut() {
            pane.stale = true;
        }
    }

    /// Whether `pane` is drawn: in the grid, or the one pane shown.
    pub fn on_screen(&self, pane: PaneId) -> bool {
        let area = ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1);
        layout::screen(self, area).panes.iter().any(|(p, _)| *p == pane)
    }

    /// Recomputes the rows shown by panes on screen whose data changed. Called once per batch
    /// of messages, before drawing, so bursts of watch events cost one sort, not one per event;
    /// a pane off screen (e.g. Events, with thousands of rows re-sorted on every change) stays
    /// stale until it is shown or a key acts on it.
    pub fn refresh(&mut self) {
        let page = self.page_size();
        for id in PaneId::ALL {
            if self.panes.get(id).stale && (id == self.focus || self.on_screen(id)) {
                self.refresh_pane(id, page);
            }
        }
        if self.top.is_some() {
            self.refresh_gauges();
            self.refresh_view();
        }
    }

    /// Table rows that fit in the focused pane.
    pub fn page_size(&self) -> usize {
        layout::table_rows(self)
    }
}

#[cfg(test)]
mod tests;
