//! Lists of output files (a marker's, a build's) held as one string: a set of 100,000 paths,
//! one allocation each, was ~20 MB of a 100,000-post build, and a build holds several.

use std::ops::Range;

/// Names pushed in any order, as a build writes them; [`FileNames::sorted`] makes them a
/// [`FileList`] to look names up in.
#[derive(Debug, Default)]
pub struct FileNames {
    text: String,
    ranges: Vec<Range<usize>>,
}

impl FileNames {
    pub fn push(&mut self, name: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        self.ranges.push(start..self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ranges.iter().map(|range| &self.text[range.clone()])
    }

    /// The names sorted, each once.
    pub fn sorted(mut self) -> FileList {
        let text = &self.text;
        self.ranges
            .sort_unstable_by(|a, b| text[a.clone()].cmp(&text[b.clone()]));
        self.ranges
            .dedup_by(|a, b| text[a.clone()] == text[b.clone()]);
        FileList {
            text: self.text,
            ranges: self.ranges,
        }
    }
}

/// Sorted names, each once: looked up by binary search, listed in order.
#[derive(Debug, Default, Clone)]
pub struct FileList {
    text: String,
    ranges: Vec<Range<usize>>,
}

impl FileList {
    pub fn contains(&self, name: &str) -> bool {
        self.ranges
            .binary_search_by(|range| self.text[range.clone()].cmp(name))
            .is_ok()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ranges.iter().map(|range| &self.text[range.clone()])
    }
}

impl<S: AsRef<str>> FromIterator<S> for FileList {
    fn from_iter<I: IntoIterator<Item = S>>(names: I) -> FileList {
        let mut list = FileNames::default();
        for name in names {
            list.push(name.as_ref());
        }
        list.sorted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_sorted_and_once() {
        let list: FileList = ["b/index.html", "a.css", "b/index.html", "a", "é.html"]
            .into_iter()
            .collect();
        assert_eq!(
            list.iter().collect::<Vec<_>>(),
            ["a", "a.css", "b/index.html", "é.html"]
        );
        for name in ["a", "a.css", "b/index.html", "é.html"] {
            assert!(list.contains(name), "{name}");
        }
        for name in ["", "b", "b/index.htm", "a.cs", "z"] {
            assert!(!list.contains(name), "{name}");
        }
        assert!(!FileList::default().contains("a"));
    }
}
