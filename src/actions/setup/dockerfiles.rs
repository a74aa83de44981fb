//! kubedeck's Dockerfile and `.dockerignore` templates (examples/docker, built into the binary),
//! written into a source folder that has no Dockerfile when the wizard's image step asks and
//! the user agrees. Nothing that exists is ever overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{ImageChoice, ImageSource};

/// (file name, text) of a component's templates, by its values key.
fn templates(component: &str) -> [(&'static str, &'static str); 2] {
    match component {
        "frontend" => [
            (
                "Dockerfile",
                include_str!("../../../examples/docker/frontend/Dockerfile"),
            ),
            (
                ".dockerignore",
                include_str!("../../../examples/docker/frontend/.dockerignore"),
            ),
        ],
        "backend" => [
            (
                "Dockerfile",
                include_str!("../../../examples/docker/backend/Dockerfile"),
            ),
            (
                ".dockerignore",
                include_str!("../../../examples/docker/backend/.dockerignore"),
            ),
        ],
        _ => [
            (
                "Dockerfile",
                include_str!("../../../examples/docker/mcp-server/Dockerfile"),
            ),
            (
                ".dockerignore",
                include_str!("../../../examples/docker/mcp-server/.dockerignore"),
            ),
        ],
    }
}

/// A source folder to build from that has no Dockerfile: (values key, folder).
pub type Missing = (String, PathBuf);

/// The folders of `choice` that exist but have no Dockerfile.
pub fn missing(choice: &ImageChoice) -> Vec<Missing> {
    choice
        .components()
        .into_iter()
        .filter_map(|(component, _, source)| match source {
            ImageSource::Build(dir) if dir.is_dir() && !dir.join("Dockerfile").exists() => {
                Some((component.to_owned(), dir.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Writes the templates into each folder, skipping any file that is already there; the
/// sentence says what was written.
pub fn write(folders: &[Missing]) -> Result<String, String> {
    let mut written = Vec::new();
    for (component, dir) in folders {
        for (name, text) in templates(component) {
            if write_new(&dir.join(name), text)? {
                written.push(format!("{}/{name}", dir.display()));
            }
        }
    }
    Ok(match written.is_empty() {
        true => "nothing written: every file was already there".into(),
        false => format!("wrote {}", written.join(", ")),
    })
}

/// Creates `path` with `text`; false when it exists (never overwritten).
fn write_new(path: &Path, text: &str) -> Result<bool, String> {
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => {
            return Err(format!(
                "cannot write {}: {e}; check the folder's permissions",
                path.display()
            ));
        }
    };
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}; check the free space", path.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_without_a_dockerfile_get_one_and_nothing_is_overwritten() {
        let root = tempfile::tempdir().unwrap();
        let (front, back) = (root.path().join("web"), root.path().join("api"));
        std::fs::create_dir_all(&front).unwrap();
        std::fs::create_dir_all(&back).unwrap();
        std::fs::write(back.join("Dockerfile"), "FROM mine\n").unwrap();
        std::fs::write(front.join(".dockerignore"), "keep-me\n").unwrap();
        let choice = ImageChoice {
            frontend: ImageSource::Build(front.clone()),
            backend: ImageSource::Build(back.clone()),
            mcp_server: ImageSource::Image("ghcr.io/x/mcp:1".into()),
        };
        let missing = missing(&choice);
        assert_eq!(missing, vec![("frontend".to_owned(), front.clone())]);
        let said = write(&missing).unwrap();
        assert!(
            said.contains("web/Dockerfile") && !said.contains(".dockerignore"),
            "{said}"
        );
        let dockerfile = std::fs::read_to_string(front.join("Dockerfile")).unwrap();
        assert!(
            dockerfile.contains("standalone"),
            "the frontend's Next.js template: {dockerfile}"
        );
        assert_eq!(
            std::fs::read_to_string(front.join(".dockerignore")).unwrap(),
            "keep-me\n"
        );
        assert_eq!(std::fs::read_to_string(back.join("Dockerfile")).unwrap(), "FROM mine\n");
        assert_eq!(
            write(&missing).unwrap(),
            "nothing written: every file was already there"
        );
    }
}
