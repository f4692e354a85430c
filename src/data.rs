//! `data/**/*.yaml` → one tree of values, for templates as `data.<stem>` (folders nest:
//! `data/matrices/storage.yaml` is `data.matrices.storage`).

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::yaml::{self, Mapping, Value};

/// One data file as read: its path relative to the site root, its text (for positions in later
/// checks) and its parsed value.
#[derive(Debug, Clone)]
pub struct DataFile {
    pub path: PathBuf,
    pub text: String,
    pub value: Value,
}

/// Reads and parses every data file; all problems are reported, not just the first.
pub fn load(root: &Path, files: &[PathBuf]) -> Result<Vec<DataFile>, Vec<Diagnostic>> {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let parsed = crate::source::read_text(root, file)
            .and_then(|text| Ok((yaml::parse_value(&text, file)?, text)));
        match parsed {
            Ok((value, text)) => loaded.push(DataFile {
                path: file.clone(),
                text,
                value,
            }),
            Err(diagnostic) => problems.push(diagnostic),
        }
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(problems)
    }
}

/// The tree templates see as `data`: each file's value at the key path its name gives.
pub fn tree(files: &[DataFile]) -> Result<Mapping, Vec<Diagnostic>> {
    let mut tree = Mapping::new();
    let mut problems = Vec::new();
    for file in files {
        if let Err(message) = insert(&mut tree, &file.path, file.value.clone()) {
            problems.push(Diagnostic::error(&file.path, message));
        }
    }
    if problems.is_empty() {
        Ok(tree)
    } else {
        Err(problems)
    }
}

/// Puts `value` at the key path `file` names below `data/`.
fn insert(tree: &mut Mapping, file: &Path, value: Value) -> Result<(), String> {
    let relative = file.strip_prefix("data").unwrap_or(file).with_extension("");
    let keys: Vec<String> = relative
        .iter()
        .map(|k| k.to_string_lossy().into_owned())
        .collect();
    let Some((last, folders)) = keys.split_last() else {
        return Ok(());
    };
    let mut node = tree;
    for folder in folders {
        let entry = node
            .entry(Value::String(folder.clone()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        node = match entry {
            Value::Mapping(map) => map,
            _ => return Err(format!("data key `{folder}` is both a file and a folder")),
        };
    }
    let key = Value::String(last.clone());
    if node.contains_key(&key) {
        return Err(format!(
            "data key `{last}` is defined twice (a file and a folder, or `.yaml` and `.yml`)"
        ));
    }
    node.insert(key, value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_nest_and_errors_collect() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("matrices")).unwrap();
        std::fs::write(data.join("authors.yaml"), "ann: {name: Ann}\n").unwrap();
        std::fs::write(data.join("matrices/storage.yaml"), "title: Storage\n").unwrap();
        let files = [
            PathBuf::from("data/authors.yaml"),
            PathBuf::from("data/matrices/storage.yaml"),
        ];
        let tree = tree(&load(dir.path(), &files).unwrap()).unwrap();
        let storage = &tree["matrices"]["storage"]["title"];
        assert_eq!(storage.as_str(), Some("Storage"));

        std::fs::write(data.join("bad.yaml"), "a: [1\n").unwrap();
        std::fs::write(data.join("bad2.yaml"), "b: {\n").unwrap();
        let files = [
            PathBuf::from("data/bad.yaml"),
            PathBuf::from("data/bad2.yaml"),
        ];
        assert_eq!(load(dir.path(), &files).unwrap_err().len(), 2);
    }
}
