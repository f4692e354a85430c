//! The built-in theme: layouts and static files compiled into the binary, so a site needs none of
//! its own. A site's file of the same name (`layouts/post.html`, `static/style.css`) replaces the
//! built-in one; everything else comes from here.

/// One file of the theme, by its path in a site (`layouts/post.html`).
pub struct ThemeFile {
    pub path: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! theme_files {
    ($($path:literal),* $(,)?) => {
        &[$(ThemeFile { path: $path, bytes: include_bytes!(concat!("../theme/", $path)) }),*]
    };
}

/// Every file under `theme/` (a test keeps this list and the folder the same).
pub const FILES: &[ThemeFile] = theme_files![
    "layouts/404.html",
    "layouts/base.html",
    "layouts/compare.html",
    "layouts/index.html",
    "layouts/macros.html",
    "layouts/page.html",
    "layouts/post.html",
    "layouts/series.html",
    "layouts/term.html",
    "layouts/terms.html",
    "static/favicon.svg",
    "static/search.js",
    "static/style.css",
    "strings/de.yaml",
    "strings/en.yaml",
    "strings/nl.yaml",
];

/// The built-in layouts by template name (`post.html`, `partials/x.html`) and text.
pub fn layouts() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES.iter().filter_map(|file| {
        let name = file.path.strip_prefix("layouts/")?;
        // The files are ours and UTF-8; a test reads every one.
        Some((name, std::str::from_utf8(file.bytes).ok()?))
    })
}

/// The built-in static files by their path in the output (`style.css`) and bytes.
pub fn statics() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    FILES
        .iter()
        .filter_map(|file| Some((file.path.strip_prefix("static/")?, file.bytes)))
}

/// The languages with built-in strings (`de`, `en`): the names of `strings/*.yaml`.
pub fn languages() -> impl Iterator<Item = &'static str> {
    FILES
        .iter()
        .filter_map(|file| file.path.strip_prefix("strings/")?.strip_suffix(".yaml"))
}

/// `de-CH`, `de_DE`, `DE` → `de`: the language part of a language tag, which picks the
/// built-in strings.
pub fn language_of(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .trim()
        .to_lowercase()
}

/// The built-in strings of `language` (`de`), as YAML text.
pub fn strings(language: &str) -> Option<&'static str> {
    let path = format!("strings/{language}.yaml");
    let file = FILES.iter().find(|file| file.path == path)?;
    std::str::from_utf8(file.bytes).ok()
}

/// Where a site keeps its own version of the built-in file at `path`: the same path, except
/// that a language's strings are replaced in the site's one `data/strings.yaml`.
pub fn site_path(path: &str) -> &str {
    if path.starts_with("strings/") {
        "data/strings.yaml"
    } else {
        path
    }
}

/// The built-in file at `path` (`layouts/post.html`), for `versus theme copy`.
pub fn file(path: &str) -> Option<&'static ThemeFile> {
    let path = path.trim_start_matches("./");
    FILES.iter().find(|file| file.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_list_is_the_theme_folder() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("theme");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&folder)
            .into_iter()
            .map(|entry| entry.unwrap())
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| {
                let relative = entry.path().strip_prefix(&folder).unwrap();
                relative.to_string_lossy().replace('\\', "/")
            })
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = FILES.iter().map(|file| file.path).collect();
        assert_eq!(on_disk, listed, "add the file to theme::FILES (sorted)");
    }

    #[test]
    fn every_layout_is_text() {
        let layouts = FILES.iter().filter(|f| f.path.starts_with("layouts/"));
        assert_eq!(layouts.count(), super::layouts().count());
        assert!(super::layouts().any(|(name, _)| name == "base.html"));
        assert!(statics().any(|(name, _)| name == "style.css"));
        assert!(file("./layouts/post.html").is_some());
        assert!(file("layouts/nope.html").is_none());
        assert_eq!(languages().collect::<Vec<_>>(), ["de", "en", "nl"]);
        assert!(strings("en").is_some() && strings("xx").is_none());
        assert_eq!([language_of("de-CH"), language_of("DE_de")], ["de", "de"]);
        assert_eq!(site_path("strings/de.yaml"), "data/strings.yaml");
        assert_eq!(site_path("layouts/post.html"), "layouts/post.html");
    }
}
