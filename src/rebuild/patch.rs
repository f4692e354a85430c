//! Taking an edit into the site as last assembled, in place: text edits, and posts that
//! come, go or move.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Edit, Made, Rebuild, key_of};
use crate::page::{self, Page, PageKind};
use crate::source::{self, Kind};
use crate::{blog, pipeline, redirect};

impl Rebuild {
    /// Whether the scan still lists exactly the source files there are: each changed path
    /// was listed if and only if it is still a file.
    pub(super) fn same_files(&self, changed: &BTreeSet<PathBuf>) -> bool {
        changed.iter().all(|path| self.listed_as_on_disk(path))
    }

    /// Whether `path` is listed by the last scan if and only if it is a file.
    pub(super) fn listed_as_on_disk(&self, path: &Path) -> bool {
        let Some(sources) = &self.sources else {
            return false;
        };
        let list = match Kind::of(path) {
            Kind::Post => &sources.posts,
            Kind::Page => &sources.pages,
            Kind::Data => &sources.data,
            Kind::Layout => &sources.layouts,
            Kind::Static => &sources.statics,
            Kind::Include => &sources.includes,
            Kind::Config => return true,
            Kind::Ignored => return false,
        };
        // Compared as bytes: comparing `Path`s parses them, 10,000 times here.
        let listed = list.iter().any(|p| p.as_os_str() == path.as_os_str());
        let is_file = self
            .options
            .root
            .join(path)
            .symlink_metadata()
            .is_ok_and(|m| m.is_file());
        listed == is_file
    }

    /// Takes edits to pages (and static files) into the site as last assembled, without
    /// loading and assembling it again: edits to a page's text, and posts that come, go or
    /// move (a new date, a draft, a rename). Only when each edited page parses, has a known
    /// layout, and nothing it changes needs checking again that is not checked here; otherwise
    /// returns false, and [`Rebuild::assemble`] does the full work (and reports what is wrong).
    pub(super) fn patch(&mut self, changed: &BTreeSet<PathBuf>) -> bool {
        // Posts may come and go (the scan is kept up to date below); other files only with a
        // new scan.
        let not_posts = |p: &&PathBuf| Kind::of(p) != Kind::Post;
        if !changed
            .iter()
            .filter(not_posts)
            .all(|p| self.listed_as_on_disk(p))
        {
            return false;
        }
        let (Some(prepared), Some(sources)) = (self.prepared.as_mut(), self.sources.as_mut())
        else {
            return false;
        };
        if !self.broken.is_empty() {
            return false;
        }
        let mut edits: Vec<Edit> = Vec::new();
        for path in changed {
            let kind = match Kind::of(path) {
                Kind::Static => continue,
                Kind::Post => PageKind::Post,
                Kind::Page => PageKind::Page,
                _ => return false,
            };
            let old = self.parsed.get(path).cloned();
            let is_file =
                (self.options.root.join(path).symlink_metadata()).is_ok_and(|m| m.is_file());
            let new = match is_file {
                false => None,
                true => {
                    let Ok(text) = source::read_text(&self.options.root, path) else {
                        return false;
                    };
                    let config = &prepared.site.config;
                    match page::parse_with(path, text, kind, config, prepared.liquid.as_ref()) {
                        Ok(new) if prepared.renderer.has_layout(&new.layout) => Some(new),
                        _ => return false,
                    }
                }
            };
            // Pages other than posts keep their source order: one that comes or goes takes
            // the full path.
            if kind == PageKind::Page && (old.is_none() || new.is_none()) {
                return false;
            }
            // Warnings point into a page's text (and unknown authors are found in assembly):
            // a page with any takes the full path, which places them again.
            let warned = |p: &Page| {
                !p.warnings.is_empty() || prepared.warnings.iter().any(|w| w.path == p.source)
            };
            if old.as_deref().is_some_and(warned) || new.as_ref().is_some_and(warned) {
                return false;
            }
            // Other bodies' Liquid sees this page's front matter (`site.posts`, `post_url`):
            // a change to it, or a page that comes or goes, parses them all again.
            if prepared.liquid.is_some() {
                match (&old, &new) {
                    (Some(old), Some(new)) if page::liquid_page(old) == page::liquid_page(new) => {}
                    _ => return false,
                }
            }
            if old.is_some() || new.is_some() {
                edits.push((old, new.map(Arc::new)));
            }
        }
        // From here the site changes; if a step refuses, assembly replaces it all.
        let site = &mut prepared.site;
        let today = site.config.today;
        let (drafts, future) = (self.options.drafts, self.options.future);
        let shown = |p: &Page| (drafts || !p.draft) && (future || !p.is_future(today));
        // Per page of `site.all_pages()`, its index before the patch (None: new to the site).
        let mut previous: Vec<Option<usize>> =
            (0..site.posts.len() + site.pages.len()).map(Some).collect();
        let posts_before = site.posts.len();
        let mut indexes = Vec::new();
        let mut moved = false;
        let mut terms_changed = false;
        for (old, new) in &edits {
            let terms = |p: &Page| (p.tags.clone(), p.categories.clone());
            terms_changed |= old.as_deref().map(terms) != new.as_deref().map(terms);
            if let (Some(old), Some(new)) = (old, new)
                && let Some(index) = site.replace(old, Arc::clone(new))
            {
                indexes.push(index);
                continue;
            }
            // A post comes, goes or moves.
            if [old, new]
                .into_iter()
                .flatten()
                .any(|p| p.kind != PageKind::Post)
            {
                return false;
            }
            moved = true;
            let from = old
                .as_ref()
                .and_then(|old| site.remove_post(old))
                .and_then(|index| previous.remove(index));
            if let Some(new) = new.as_ref().filter(|new| shown(new)) {
                let Some(index) = site.insert_post(Arc::clone(new)) else {
                    return false;
                };
                previous.insert(index, from);
            }
        }
        for (old, new) in &edits {
            let source = match (old, new) {
                (_, Some(new)) => &new.source,
                (Some(old), None) => &old.source,
                (None, None) => continue,
            };
            let list = match Kind::of(source) {
                Kind::Post => &mut sources.posts,
                _ => &mut sources.pages,
            };
            // The scan's order: file names sorted within each folder, as `Path`s compare.
            let at = list.binary_search_by(|p| p.as_path().cmp(source));
            match (new, at) {
                (Some(new), Ok(_)) => {
                    self.parsed.insert(new.source.clone(), Arc::clone(new));
                }
                (Some(new), Err(at)) => {
                    list.insert(at, new.source.clone());
                    self.parsed.insert(new.source.clone(), Arc::clone(new));
                }
                (None, Ok(at)) => {
                    list.remove(at);
                    self.parsed.remove(source);
                }
                (None, Err(_)) => {
                    self.parsed.remove(source);
                }
            }
        }
        // Series take their parts' titles from the posts.
        if prepared
            .files
            .iter()
            .any(|f| f.path == Path::new(blog::SERIES_FILE))
        {
            let all: Vec<&Page> = (sources.posts.iter().chain(&sources.pages))
                .filter_map(|path| self.parsed.get(path).map(|p| &**p))
                .collect();
            match blog::load_series(&prepared.files, &all) {
                Ok(series) => site.series = series,
                Err(_) => return false,
            }
        }
        let edited: Vec<&Arc<Page>> = edits.iter().filter_map(|(_, new)| new.as_ref()).collect();
        let is_edited = |page: &Page| edited.iter().any(|e| std::ptr::eq(&***e, page));
        let edited: Vec<usize> = (site.all_pages().enumerate())
            .filter(|(_, page)| is_edited(page))
            .map(|(i, _)| i)
            .collect();
        if terms_changed || moved {
            let posts = &previous[..site.posts.len()];
            let edited = edited.iter().copied().filter(|&i| i < posts.len());
            let edited: Vec<usize> = edited.collect();
            let terms = blog::moved_terms(site, &prepared.terms, posts, &edited, posts_before);
            let mut generated = pipeline::generated_outputs(site, &terms);
            // A new term's page may not take a content page's place, nor an alias's; a
            // moved page may not take an alias's place.
            if generated.iter().any(|g| site.page_at(g).is_some()) {
                return false;
            }
            let Ok(redirects) = redirect::redirects(site, &generated, &prepared.statics) else {
                return false;
            };
            // The site's own `_redirects` comes with a warning counting the aliases.
            let own_file = pipeline::has_own_redirects_file(&prepared.statics);
            if moved && own_file && (!redirects.is_empty() || !prepared.redirects.is_empty()) {
                return false;
            }
            if moved {
                prepared.redirects = redirects;
            }
            generated.extend(pipeline::redirect_outputs(
                &prepared.redirects,
                &prepared.statics,
            ));
            prepared.terms = terms;
            prepared.generated = generated;
        }
        if !moved {
            prepared.renderer.replace_pages(site, &indexes);
            return true;
        }
        prepared.renderer.move_pages(site, &previous, &edited);
        // What each page was made from moves with it; an edited page's output may be new.
        let mut before: Vec<Option<Made>> = std::mem::take(&mut self.made)
            .into_iter()
            .map(Some)
            .collect();
        let mut made = Vec::with_capacity(previous.len());
        for (i, (from, page)) in previous.iter().zip(site.all_pages()).enumerate() {
            let kept = from.and_then(|j| before[j].take());
            match kept {
                Some(kept) if edited.binary_search(&i).is_err() => made.push(kept),
                Some(kept) if kept.output == key_of(&page.output) => made.push(kept),
                kept => {
                    self.gone.extend(kept.map(|m| m.output));
                    made.push(Made::fresh(page));
                }
            }
        }
        self.gone
            .extend(before.into_iter().flatten().map(|m| m.output));
        self.made = made;
        true
    }
}
