//! The user's config file (YAML, in the config folder the `directories` crate finds, e.g.
//! `~/.config/kubedeck/config.yaml`): theme, mouse, key overrides, and the columns each pane
//! shows (which the dashboard writes back when they change).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// dark (default), light, or mono.
    pub theme: ThemeName,
    /// Wheel scroll and click to focus; off by default so text can be selected.
    pub mouse: bool,
    /// Action name -> key(s), e.g. `quit: Q` or `filter: ctrl-f, f3`; or a preset's name
    /// (`keys: k9s`), or a preset with changes (`keys: {preset: k9s, quit: Q}`).
    #[serde(deserialize_with = "keys_or_preset")]
    pub keys: BTreeMap<String, String>,
    /// Read-only everywhere: nothing that changes the cluster is offered or done.
    pub readonly: bool,
    /// Per kubeconfig context, e.g. `prod: {readonly: true}`.
    pub contexts: BTreeMap<String, ContextSettings>,
    /// The log view: `buffer` lines kept (10000), `tail` lines to start with (500).
    pub logs: LogSettings,
    /// Per pane (`pods`, `workloads`, ...): columns hidden and wide mode, as `:cols` and `W`
    /// leave them; kubedeck writes this key back and leaves the others as they are.
    pub columns: BTreeMap<String, PaneColumns>,
}

/// What one pane shows besides its default columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaneColumns {
    /// Column titles not shown, e.g. `[RESTARTS, AGE]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hide: Vec<String>,
    /// The extra columns of `kubectl get -o wide` (pod IP's neighbours, images, selector).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub wide: bool,
}

impl PaneColumns {
    pub fn is_default(&self) -> bool {
        self.hide.is_empty() && !self.wide
    }
}

/// The `keys: k9s` preset: k9s's habits for the actions kubedeck has (d describe, ctrl-d
/// delete, r restart, s scale on workloads). Deploy, which is `d` by default, moves to F2.
/// At merge, add exec15's actions here: ("shell", "s") and ("port-forward", "F").
pub const K9S_KEYS: &[(&str, &str)] = &[
    ("describe", "d"),
    ("deploy", "f2"),
    ("delete-pod", "ctrl-d"),
    ("restart", "r"),
    ("scale", "s"),
    // After scale in the key table, so `s` scales on Workloads and opens a shell on Pods.
    ("shell", "s"),
    ("port-forward", "F"),
    ("yaml", "y"),
    ("logs", "l"),
];

/// The presets `keys:` accepts by name.
pub const KEY_PRESETS: &[(&str, &[(&str, &str)])] = &[("k9s", K9S_KEYS)];

/// `keys:` as a map of action -> key(s), a preset's name, or a map with `preset:` in it (the
/// map's own entries win over the preset's).
fn keys_or_preset<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Keys {
        Preset(String),
        Map(BTreeMap<String, String>),
    }
    let mut map = match Keys::deserialize(d)? {
        Keys::Preset(name) => BTreeMap::from([("preset".to_owned(), name)]),
        Keys::Map(map) => map,
    };
    let Some(name) = map.remove("preset") else {
        return Ok(map);
    };
    let Some((_, preset)) = KEY_PRESETS.iter().find(|(n, _)| *n == name) else {
        let known: Vec<&str> = KEY_PRESETS.iter().map(|(n, _)| *n).collect();
        return Err(serde::de::Error::custom(format!(
            "keys: no preset named {name:?} (known: {})",
            known.join(", ")
        )));
    };
    let mut keys: BTreeMap<String, String> = preset.iter().map(|(a, k)| ((*a).to_owned(), (*k).to_owned())).collect();
    keys.extend(map);
    Ok(keys)
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContextSettings {
    pub readonly: bool,
}

impl Config {
    /// Whether `context` is read-only by this config.
    pub fn readonly_for(&self, context: Option<&str>) -> bool {
        self.readonly || context.is_some_and(|c| self.contexts.get(c).is_some_and(|s| s.readonly))
    }
}

/// The colour themes a user can pick in the config file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    /// No colour at all, only bold, underline and reverse (what NO_COLOR asks for).
    Mono,
}

/// Log settings from the config file (`logs: {buffer: 10000, tail: 500}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// Lines kept; older lines are dropped.
    pub buffer: usize,
    /// Lines from the end of each container's log to start with.
    pub tail: i64,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            buffer: 10_000,
            tail: 500,
        }
    }
}

/// Read-only mode, from `--readonly` and the config file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Readonly {
    pub everywhere: bool,
    pub contexts: std::collections::BTreeSet<String>,
}

impl Readonly {
    pub fn applies_to(&self, context: Option<&str>) -> bool {
        self.everywhere || context.is_some_and(|c| self.contexts.contains(c))
    }
}

impl Config {
    /// Read-only mode as `--readonly` (`flag`) and this file ask for it.
    pub fn readonly(&self, flag: bool) -> Readonly {
        Readonly {
            everywhere: flag || self.readonly,
            contexts: self
                .contexts
                .iter()
                .filter(|(_, s)| s.readonly)
                .map(|(name, _)| name.clone())
                .collect(),
        }
    }
}

/// Where the config file is looked for: `KUBEDECK_CONFIG`, else the platform's config folder.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KUBEDECK_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "kubedeck").map(|d| d.config_dir().join("config.yaml"))
}

/// Reads the config. A missing file is the defaults; a broken one is the defaults plus a
/// sentence saying what is wrong, so kubedeck still starts and the file is left as it is. The
/// read-only settings of a broken file are kept where they can be read, and where they cannot
/// (the file does not parse, or cannot be read) read-only mode is on until it is fixed: a
/// mistake elsewhere in the file must not turn off the protection it asked for.
pub fn load(path: Option<&Path>) -> (Config, Option<String>) {
    let Some(path) = path else {
        return (Config::default(), None);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Config::default(), None),
        Err(e) => {
            return (
                Config {
                    readonly: true,
                    ..Config::default()
                },
                Some(format!(
                    "cannot read {}: {e}; read-only until it can be read (it may ask for read-only mode)",
                    path.display()
                )),
            );
        }
    };
    if text.trim().is_empty() {
        return (Config::default(), None);
    }
    match serde_yaml::from_str::<Config>(&text) {
        Ok(config) => (config, None),
        Err(e) => {
            let (config, unreadable) = readonly_of_broken(&text);
            let readonly = if unreadable {
                "; read-only until it is fixed, since its read-only setting cannot be read"
            } else {
                ""
            };
            (
                config,
                // What to do first, since a narrow footer cuts the end off.
                Some(format!(
                    "config file ignored, using defaults{readonly}: {e} (fix {})",
                    path.display()
                )),
            )
        }
    }
}

/// The defaults, with the read-only settings a broken config file asks for: `readonly` and
/// each context's, where they read as true or false; on where they are there but cannot be
/// read, or the file is not YAML at all and mentions them. True beside it when read-only mode
/// is on because a setting could not be read.
fn readonly_of_broken(text: &str) -> (Config, bool) {
    use serde_yaml::Value;
    let mut unreadable = false;
    let mut flag = |v: Option<&Value>| match v {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            unreadable = true;
            true
        }
    };
    let Ok(Value::Mapping(top)) = serde_yaml::from_str::<Value>(text) else {
        let mentioned = text.contains("readonly");
        let config = Config {
            readonly: mentioned,
            ..Config::default()
        };
        return (config, mentioned);
    };
    let readonly = flag(top.get("readonly"));
    let contexts = match top.get("contexts") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Mapping(contexts)) => contexts
            .iter()
            .filter_map(|(name, settings)| {
                let name = name.as_str()?.to_owned();
                let readonly = match settings {
                    Value::Mapping(m) => flag(m.get("readonly")),
                    Value::Null => false,
                    _ => flag(Some(settings)),
                };
                readonly.then_some((name, ContextSettings { readonly }))
            })
            .collect(),
        // Not a map: it may have held a context's read-only setting.
        Some(_) => {
            return (
                Config {
                    readonly: true,
                    ..Config::default()
                },
                true,
            );
        }
    };
    let config = Config {
        readonly,
        contexts,
        ..Config::default()
    };
    (config, unreadable)
}

/// Writes `columns` into the config file at `path`, replacing only its top-level `columns:`
/// block (or adding one), so the user's other settings and comments stay as they were. A file
/// that does not parse is left alone: the sentence says to fix it first.
pub fn save_columns(path: &Path, columns: &BTreeMap<String, PaneColumns>) -> Result<(), String> {
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {} to save the columns: {e}", path.display())),
    };
    let parsed = |text: &str| -> Result<serde_yaml::Value, String> {
        if text.trim().is_empty() {
            return Ok(serde_yaml::Value::Null);
        }
        serde_yaml::from_str(text).map_err(|e| e.to_string())
    };
    let before = parsed(&old).map_err(|e| {
        format!(
            "columns not saved: {} has a mistake ({e}); fix it and they will be",
            path.display()
        )
    })?;
    let new = with_columns_block(&old, columns)?;
    // Whatever the text edit did, every other setting must read back the same.
    let after = parsed(&new).map_err(|e| format!("columns not saved: the edited file would not read back ({e})"))?;
    if without_columns(before) != without_columns(after) {
        return Err(format!(
            "columns not saved: {} is laid out in a way kubedeck cannot edit safely; \
             set `columns:` there by hand",
            path.display()
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    // Written beside and renamed over, so a crash never leaves half a config file.
    let temporary = path.with_extension("yaml.kubedeck-new");
    std::fs::write(&temporary, new)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("cannot save the columns to {}: {e}", path.display()))
}

fn without_columns(value: serde_yaml::Value) -> serde_yaml::Value {
    match value {
        serde_yaml::Value::Mapping(mut map) => {
            map.remove("columns");
            if map.is_empty() {
                serde_yaml::Value::Null
            } else {
                serde_yaml::Value::Mapping(map)
            }
        }
        other => other,
    }
}

/// `text` with its top-level `columns:` block (the key's line and the indented, blank or
/// comment lines under it) replaced by `columns`, or the block added at the end.
fn with_columns_block(text: &str, columns: &BTreeMap<String, PaneColumns>) -> Result<String, String> {
    let shown: BTreeMap<&String, &PaneColumns> = columns.iter().filter(|(_, c)| !c.is_default()).collect();
    let block = if shown.is_empty() {
        String::new()
    } else {
        let mut wrapper = BTreeMap::new();
        wrapper.insert("columns", shown);
        serde_yaml::to_string(&wrapper).map_err(|e| format!("cannot write the columns: {e}"))?
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("columns:") || l.starts_with("\"columns\":"));
    let mut out = String::new();
    match start {
        Some(start) => {
            let inside = |l: &&&str| l.trim().is_empty() || l.starts_with([' ', '\t', '#']);
            let end = start + 1 + lines[start + 1..].iter().take_while(inside).count();
            // Blank and comment lines at the end of the block belong to what follows.
            let end = (start + 1..end)
                .rev()
                .find(|&i| !lines[i].trim().is_empty() && !lines[i].starts_with('#'))
                .map_or(start + 1, |i| i + 1);
            for line in &lines[..start] {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str(&block);
            for line in &lines[end..] {
                out.push_str(line);
                out.push('\n');
            }
        }
        None => {
            out.push_str(text);
            if !text.is_empty() && !text.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&block);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Config, Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, text).unwrap();
        load(Some(&path))
    }

    #[test]
    fn a_broken_file_keeps_the_read_only_mode_it_asks_for() {
        // Another setting is wrong: its readonly still holds.
        let (config, problem) = load_text("readonly: true\nmouse: maybe\n");
        assert!(config.readonly && !config.mouse, "{config:?}");
        assert!(problem.unwrap().starts_with("config file ignored, using defaults: "));
        // A context's, too.
        let (config, _) = load_text("contexts:\n  prod: {readonly: true}\ntheme: purple\n");
        assert!(config.readonly_for(Some("prod")) && !config.readonly_for(Some("minikube")));
        // readonly itself cannot be read: on, and the sentence says so.
        let (config, problem) = load_text("readonly: yes please\n");
        assert!(config.readonly);
        assert!(
            problem
                .unwrap()
                .starts_with("config file ignored, using defaults; read-only until it is fixed"),
        );
        // Not YAML at all: on if the file mentions it, off if it cannot have asked for it.
        assert!(load_text("readonly: true\nkeys: [\n").0.readonly);
        assert!(!load_text("theme: dark\nkeys: [\n").0.readonly);
        // A broken file that does not mention it changes nothing.
        let (config, problem) = load_text("theme: dark\ntehme: light\n");
        assert!(!config.readonly && problem.is_some());
        // A file that cannot be read (here a folder) may have asked for it.
        let dir = tempfile::tempdir().unwrap();
        let (config, problem) = load(Some(dir.path()));
        assert!(config.readonly);
        assert!(problem.unwrap().contains("read-only until it can be read"));
    }

    #[test]
    fn keys_can_be_a_preset_alone_or_with_changes() {
        let (config, problem) = load_text("keys: k9s\n");
        assert_eq!(problem, None);
        assert_eq!(config.keys["describe"], "d");
        assert_eq!(config.keys["delete-pod"], "ctrl-d");
        let (config, _) = load_text("keys:\n  preset: k9s\n  describe: D\n  quit: Q\n");
        assert_eq!(config.keys["describe"], "D", "the user's entry wins over the preset");
        assert_eq!(config.keys["quit"], "Q");
        assert_eq!(config.keys["restart"], "r");
        let (config, problem) = load_text("keys: emacs\n");
        assert!(config.keys.is_empty());
        assert!(problem.is_some_and(|p| p.contains("no preset named \"emacs\" (known: k9s)")));
    }

    #[test]
    fn reads_theme_mouse_and_keys() {
        let (config, problem) =
            load_text("theme: light\nmouse: true\nkeys:\n  quit: Q\ncontexts:\n  prod: {readonly: true}\n");
        assert!(config.readonly_for(Some("prod")) && !config.readonly_for(Some("minikube")));
        assert_eq!(problem, None);
        assert_eq!(config.theme, ThemeName::Light);
        assert!(config.mouse);
        assert_eq!(config.keys["quit"], "Q");
    }

    #[test]
    fn missing_or_empty_files_are_the_defaults() {
        assert_eq!(
            load(Some(Path::new("/nonexistent/kubedeck.yaml"))),
            (Config::default(), None)
        );
        assert_eq!(load_text("   \n"), (Config::default(), None));
    }

    #[test]
    fn mistakes_are_named_with_their_line_and_nothing_is_lost() {
        let (config, problem) = load_text("theme: dark\ntehme: light\n");
        let problem = problem.unwrap();
        assert!(
            problem.contains("unknown field `tehme`") && problem.contains("line 2"),
            "{problem}"
        );
        assert_eq!(config, Config::default());
        let (_, problem) = load_text("theme: purple\n");
        assert!(problem.unwrap().contains("unknown variant `purple`"));
    }

    fn pods_wide_without_age() -> BTreeMap<String, PaneColumns> {
        [(
            "pods".to_owned(),
            PaneColumns {
                hide: vec!["AGE".into(), "LAST SCALE".into()],
                wide: true,
            },
        )]
        .into()
    }

    #[test]
    fn columns_are_saved_without_losing_other_settings_or_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        let original = "# my settings\ntheme: light   # easier on the eyes\ncolumns:\n  events:\n    wide: true\n\n# keys I like\nkeys:\n  quit: Q\n";
        std::fs::write(&path, original).unwrap();
        save_columns(&path, &pods_wide_without_age()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# my settings\ntheme: light   # easier on the eyes\n"),
            "{text}"
        );
        assert!(text.contains("# keys I like\nkeys:\n  quit: Q\n"), "{text}");
        assert!(!text.contains("events"), "the old block is replaced: {text}");
        let (config, problem) = load(Some(&path));
        assert_eq!(problem, None);
        assert_eq!(config.columns, pods_wide_without_age());
        assert_eq!((config.theme, config.keys["quit"].as_str()), (ThemeName::Light, "Q"));

        // Back to the defaults: the block goes away, the rest stays.
        save_columns(&path, &BTreeMap::new()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("columns"), "{text}");
        assert!(text.contains("theme: light") && text.contains("quit: Q"), "{text}");
    }

    #[test]
    fn columns_go_into_a_new_file_and_never_into_a_broken_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.yaml");
        save_columns(&path, &pods_wide_without_age()).unwrap();
        assert_eq!(load(Some(&path)).0.columns, pods_wide_without_age());

        let broken = dir.path().join("broken.yaml");
        std::fs::write(&broken, "theme: [dark\n").unwrap();
        let problem = save_columns(&broken, &pods_wide_without_age()).unwrap_err();
        assert!(problem.contains("fix it"), "{problem}");
        assert_eq!(std::fs::read_to_string(&broken).unwrap(), "theme: [dark\n");
    }
}
