//! Which columns each pane shows: the ones hidden with the `:cols` chooser, and wide mode (`W`,
//! kubectl's `-o wide`). Read from the config file at start; every change is written back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::table::ColumnSpec;
use super::{App, Effect, PaneId};
use crate::config::PaneColumns;

/// What one pane shows besides its default columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaneChoice {
    /// Indexes into the pane's columns that the user hid.
    pub hidden: BTreeSet<usize>,
    pub wide: bool,
}

/// Every pane's choice, and where it is saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnChoices {
    panes: [PaneChoice; PaneId::ALL.len()],
    /// The config file to write changes to; None keeps them for this run only.
    pub config_path: Option<PathBuf>,
}

/// The `:cols` chooser: the focused pane's columns, one selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnChooser {
    pub pane: PaneId,
    pub selected: usize,
}

/// A pane's name in the config file: its first `:` command name (`pods`, `hpa`, ...).
fn config_name(pane: PaneId) -> &'static str {
    pane.command_names()[0]
}

/// A column that tells rows apart and is never dropped (NAME) cannot be hidden either.
pub fn can_hide(column: &ColumnSpec) -> bool {
    !(column.identifying && column.drop == 0)
}

impl ColumnChoices {
    /// From the config's `columns:`; each pane or column it names that does not exist is one
    /// sentence (and is ignored).
    pub fn from_config(config: &BTreeMap<String, PaneColumns>, config_path: Option<PathBuf>) -> (Self, Vec<String>) {
        let mut choices = ColumnChoices {
            config_path,
            ..ColumnChoices::default()
        };
        let mut problems = Vec::new();
        for (name, wanted) in config {
            let Some(pane) = PaneId::ALL
                .into_iter()
                .find(|p| p.command_names().contains(&name.as_str()))
            else {
                let known: Vec<&str> = PaneId::ALL.into_iter().map(config_name).collect();
                problems.push(format!(
                    "columns: no pane named {name:?} (use one of {})",
                    known.join(", ")
                ));
                continue;
            };
            let columns = columns_of(pane);
            let choice = &mut choices.panes[pane.index()];
            choice.wide = wanted.wide;
            for title in &wanted.hide {
                match columns.iter().position(|c| c.title.eq_ignore_ascii_case(title.trim())) {
                    Some(i) if can_hide(&columns[i]) => {
                        choice.hidden.insert(i);
                    }
                    Some(_) => problems.push(format!(
                        "columns: {name}: {title} tells the rows apart and is always shown"
                    )),
                    None => problems.push(format!(
                        "columns: {name} has no column {title:?} (columns: {})",
                        columns.iter().map(|c| c.title).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }
        (choices, problems)
    }

    /// What the config file's `columns:` should say.
    pub fn to_config(&self) -> BTreeMap<String, PaneColumns> {
        PaneId::ALL
            .into_iter()
            .map(|pane| {
                let choice = self.get(pane);
                let columns = columns_of(pane);
                let hide = choice.hidden.iter().map(|&i| columns[i].title.to_owned()).collect();
                (
                    config_name(pane).to_owned(),
                    PaneColumns {
                        hide,
                        wide: choice.wide,
                    },
                )
            })
            .filter(|(_, c)| !c.is_default())
            .collect()
    }

    pub fn get(&self, pane: PaneId) -> &PaneChoice {
        &self.panes[pane.index()]
    }

    fn get_mut(&mut self, pane: PaneId) -> &mut PaneChoice {
        &mut self.panes[pane.index()]
    }

    /// The columns of `pane` not drawn: hidden ones, wide ones out of wide mode, and the
    /// namespace when one namespace is in view.
    pub fn not_drawn(&self, pane: PaneId, all_namespaces: bool) -> Vec<usize> {
        let choice = self.get(pane);
        columns_of(pane)
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                (*i == 0 && !all_namespaces && c.title == "NAMESPACE")
                    || choice.hidden.contains(i)
                    || (c.wide && !choice.wide)
            })
            .map(|(i, _)| i)
            .collect()
    }
}

impl App {
    /// `W`: the focused pane's wide mode on or off, saved.
    pub(super) fn toggle_wide(&mut self) {
        let pane = self.focus;
        let choice = self.columns.get_mut(pane);
        choice.wide = !choice.wide;
        let extra: Vec<&str> = columns_of(pane).iter().filter(|c| c.wide).map(|c| c.title).collect();
        self.notice = Some(match (choice.wide, extra.is_empty()) {
            (true, true) => format!("wide: on ({} has no extra columns)", pane.title()),
            (true, false) => format!("wide: on ({})", extra.join(", ")),
            (false, _) => "wide: off".to_owned(),
        });
        self.panes.get_mut(pane).stale = true;
        self.save_columns();
    }

    /// `:cols`: the chooser of the focused pane's columns.
    pub(super) fn open_column_chooser(&mut self) {
        self.column_chooser = Some(ColumnChooser {
            pane: self.focus,
            selected: 0,
        });
    }

    pub(super) fn on_chooser_key(&mut self, key: KeyEvent) {
        let Some(chooser) = self.column_chooser.as_mut() else {
            return;
        };
        let columns = columns_of(chooser.pane);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => self.column_chooser = None,
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                chooser.selected = (chooser.selected + 1).min(columns.len() - 1)
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                chooser.selected = chooser.selected.saturating_sub(1)
            }
            KeyCode::Char(' ') | KeyCode::Enter => {
                let (pane, i) = (chooser.pane, chooser.selected);
                if !can_hide(&columns[i]) {
                    self.notice = Some(format!("{} tells the rows apart and is always shown", columns[i].title));
                    return;
                }
                let hidden = &mut self.columns.get_mut(pane).hidden;
                if !hidden.remove(&i) {
                    hidden.insert(i);
                }
                self.panes.get_mut(pane).stale = true;
                self.save_columns();
            }
            KeyCode::Char('W' | 'w') => {
                let pane = chooser.pane;
                let focus = std::mem::replace(&mut self.focus, pane);
                self.toggle_wide();
                self.focus = focus;
            }
            _ => {}
        }
    }

    /// Asks for the choices to be written to the config file, if there is one.
    fn save_columns(&mut self) {
        if let Some(path) = self.columns.config_path.clone() {
            self.effects.push(Effect::SaveColumns {
                path,
                columns: self.columns.to_config(),
            });
        }
    }
}

/// The columns of a pane's table.
pub fn columns_of(pane: PaneId) -> &'static [super::table::ColumnSpec] {
    use super::table::Tabular;
    use crate::cluster::{events::EventRow, hpas::HpaRow, pods::PodRow, workloads::WorkloadRow};
    match pane {
        PaneId::Pods => PodRow::COLUMNS,
        PaneId::Workloads => WorkloadRow::COLUMNS,
        PaneId::Hpas => HpaRow::COLUMNS,
        PaneId::Events => EventRow::COLUMNS,
        PaneId::Releases => crate::cluster::releases::ReleaseRow::COLUMNS,
        PaneId::Certificates => crate::cluster::certificates::CertificateEntry::COLUMNS,
        // Depends on the kind shown: App::pane_columns.
        PaneId::Resources => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> BTreeMap<String, PaneColumns> {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn choices_read_from_the_config_and_written_back_the_same() {
        let (choices, problems) = ColumnChoices::from_config(
            &config("pods: {hide: [restarts, AGE], wide: true}\nworkloads: {wide: true}"),
            None,
        );
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(choices.get(PaneId::Pods).hidden, BTreeSet::from([4, 5]));
        assert!(choices.get(PaneId::Pods).wide && choices.get(PaneId::Workloads).wide);
        assert_eq!(
            choices.to_config(),
            config("pods: {hide: [RESTARTS, AGE], wide: true}\nworkloads: {wide: true}")
        );
    }

    #[test]
    fn bad_names_are_one_sentence_each_and_ignored() {
        let (choices, problems) =
            ColumnChoices::from_config(&config("podz: {wide: true}\npods: {hide: [NAME, COLOUR]}"), None);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("no column \"COLOUR\"") || problems[1].contains("no column \"COLOUR\""));
        assert!(problems.iter().any(|p| p.contains("NAME tells the rows apart")));
        assert!(problems.iter().any(|p| p.contains("no pane named \"podz\"")));
        assert_eq!(choices, ColumnChoices::default());
    }

    #[test]
    fn wide_columns_are_drawn_only_in_wide_mode_and_hidden_ones_never() {
        let (mut choices, _) = ColumnChoices::from_config(&config("pods: {hide: [IP]}"), None);
        let titles = |c: &ColumnChoices, all: bool| -> Vec<&str> {
            let not = c.not_drawn(PaneId::Pods, all);
            columns_of(PaneId::Pods)
                .iter()
                .enumerate()
                .filter(|(i, _)| !not.contains(i))
                .map(|(_, c)| c.title)
                .collect()
        };
        assert_eq!(
            titles(&choices, false),
            [
                "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE", "CPU", "%CPU R/L", "MEM", "%MEM R/L"
            ]
        );
        choices.get_mut(PaneId::Pods).wide = true;
        assert_eq!(
            titles(&choices, true),
            [
                "NAMESPACE",
                "NAME",
                "READY",
                "STATUS",
                "RESTARTS",
                "AGE",
                "NODE",
                "CPU",
                "%CPU R/L",
                "MEM",
                "%MEM R/L",
                "NOMINATED NODE",
                "READINESS GATES"
            ]
        );
    }
}
