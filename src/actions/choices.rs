//! The dashboard's last deploy choice per kube context (release, chart, values: the `d` line),
//! kept in kubedeck's state folder as `deploy-choices.json`, so `d` offers it again next time.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn path() -> Option<PathBuf> {
    Some(super::audit::state_dir()?.join("deploy-choices.json"))
}

/// Every context's last line; empty when there is none yet (or the file cannot be read: it is
/// only a convenience, and the next save writes it anew).
pub fn load() -> BTreeMap<String, String> {
    path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// The `d` line as it is kept: without the `--set` pairs whose key names a secret
/// (`secrets.openaiApiKey=sk-...`, `*.password=...`), which have no place in a file kept for
/// convenience; the next `d` then asks for them again.
pub fn without_secrets(line: &str) -> String {
    let mut kept: Vec<String> = Vec::new();
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        if word != "--set" {
            kept.push(word.to_owned());
            continue;
        }
        let Some(pairs) = words.next() else {
            kept.push(word.to_owned());
            break;
        };
        let plain: Vec<&str> = pairs
            .split(',')
            .filter(|pair| {
                let key = pair.split('=').next().unwrap_or_default();
                !key.split('.').any(crate::cluster::mask::secret_key)
            })
            .collect();
        if !plain.is_empty() {
            kept.push(word.to_owned());
            kept.push(plain.join(","));
        }
    }
    kept.join(" ")
}

/// Records `line` as the last deploy choice on `context`.
pub fn remember(context: &str, line: &str) -> Result<(), String> {
    let path = path().ok_or("no state folder to remember the deploy choice in (set KUBEDECK_STATE_DIR)")?;
    let mut all = load();
    all.insert(context.to_owned(), line.to_owned());
    let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let temporary = path.with_extension("json.new");
    write_private(&temporary, &text)
        .and_then(|()| std::fs::rename(&temporary, &path))
        .map_err(|e| format!("cannot remember the deploy choice in {}: {e}", path.display()))
}

/// Writes a file only its owner may read: a deploy line names releases, charts and values files.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_remembered_line_keeps_no_secret() {
        assert_eq!(
            super::without_secrets(
                "todo -f sim --set secrets.openaiApiKey=sk-1 --set backend.image.tag=2,redis.auth.password=pw"
            ),
            "todo -f sim --set backend.image.tag=2"
        );
        assert_eq!(super::without_secrets("todo  -f local"), "todo -f local");
    }
}
