//! What the preview server's incremental rebuilds key rendered output by: hashes of every
//! input a page or value was made from, the reads of `posts` a layout made, and the cache of
//! what earlier rebuilds made under those keys. Apart from templates (`render`), which asks it
//! whether something is to be made again; a clean build uses none of it but [`hash_of`].

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Environment, Value};

use crate::blog;
use crate::diag::Diagnostic;
use crate::page::Page;
use crate::site::Site;

/// The preview server's memory between rebuilds: the template values of posts and the pages
/// versus generates, each under a hash of everything it was made from, so nothing stale can
/// be reused.
#[derive(Default)]
pub struct RenderCache {
    post_values: Mutex<HashMap<u64, (u64, Value)>>,
    /// Generated pages and feeds: looked up by both cores at once under a read lock (a
    /// mutex per page was a tenth of a rebuild), with the rebuild that last used each.
    rendered: RwLock<HashMap<u64, (AtomicU64, Bytes)>>,
    /// Values of later stages made per page (a post's search document), of any type.
    values: Mutex<HashMap<u64, (u64, AnyValue)>>,
    /// Each content page's Markdown as HTML, under the key of what it is made from but its
    /// layout: a layout edit runs only the templates again. Kept while the page's key is
    /// (see [`RenderCache::retain_bodies`]), not only while rendered, as most rebuilds render
    /// no page.
    bodies: Mutex<HashMap<u64, AnyValue>>,
    generation: AtomicU64,
}

type AnyValue = Arc<dyn std::any::Any + Send + Sync>;

impl RenderCache {
    /// Starts a rebuild; what it does not use is dropped by [`RenderCache::sweep`].
    pub fn begin(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Forgets the pages the last rebuild did not ask for, and the values of posts too when
    /// it asked for every post's (`values`).
    pub fn sweep(&self, values: bool) {
        let generation = self.generation.load(Ordering::SeqCst);
        let mut rendered = self.rendered.write().unwrap_or_else(|e| e.into_inner());
        rendered.retain(|_, (used, _)| *used.get_mut() == generation);
        let mut kept = self.values.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|_, (used, _)| *used == generation);
        if values {
            let mut values = self.post_values.lock().unwrap_or_else(|e| e.into_inner());
            values.retain(|_, (used, _)| *used == generation);
        }
    }

    pub(crate) fn post_value(&self, key: u64, make: impl FnOnce() -> Value) -> Value {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some((used, value)) = self
            .post_values
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&key)
        {
            *used = generation;
            return value.clone();
        }
        let value = make();
        let mut values = self.post_values.lock().unwrap_or_else(|e| e.into_inner());
        values.insert(key, (generation, value.clone()));
        value
    }

    /// The value made under `key` (by a rebuild before, or now); a value of another type
    /// under the same key is made again.
    pub(crate) fn value<T: std::any::Any + Send + Sync>(
        &self,
        key: u64,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some((used, value)) = self
            .values
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&key)
            && let Ok(value) = Arc::clone(value).downcast::<T>()
        {
            *used = generation;
            return value;
        }
        let value = Arc::new(make());
        let mut values = self.values.lock().unwrap_or_else(|e| e.into_inner());
        values.insert(key, (generation, value.clone()));
        value
    }

    /// [`RenderCache::value`] for many keys at once: one lock for all the lookups, and the
    /// missing values made in parallel (at 10,000 posts, a lock per post was most of a
    /// rebuild after a text edit). `make(i)` makes the value of `keys[i]`.
    pub(crate) fn values<T: std::any::Any + Send + Sync>(
        &self,
        keys: &[u64],
        make: impl Fn(usize) -> T + Sync,
    ) -> Vec<Arc<T>> {
        use rayon::prelude::*;
        let generation = self.generation.load(Ordering::SeqCst);
        let mut found: Vec<Option<Arc<T>>> = {
            let mut values = self.values.lock().unwrap_or_else(|e| e.into_inner());
            keys.iter()
                .map(|key| {
                    let (used, value) = values.get_mut(key)?;
                    let value = Arc::clone(value).downcast::<T>().ok()?;
                    *used = generation;
                    Some(value)
                })
                .collect()
        };
        let missing: Vec<usize> = (0..keys.len()).filter(|&i| found[i].is_none()).collect();
        let made: Vec<(usize, Arc<T>)> = missing
            .into_par_iter()
            .map(|i| (i, Arc::new(make(i))))
            .collect();
        if !made.is_empty() {
            let mut values = self.values.lock().unwrap_or_else(|e| e.into_inner());
            for (i, value) in &made {
                let value: AnyValue = value.clone();
                values.insert(keys[*i], (generation, value));
            }
        }
        for (i, value) in made {
            found[i] = Some(value);
        }
        found
            .into_iter()
            .enumerate()
            .map(|(i, value)| value.unwrap_or_else(|| Arc::new(make(i))))
            .collect()
    }

    /// The body made under `key` before, or made now.
    pub(crate) fn body<T: std::any::Any + Send + Sync>(
        &self,
        key: u64,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let known = self
            .bodies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .and_then(|body| Arc::clone(body).downcast::<T>().ok());
        if let Some(body) = known {
            return body;
        }
        let body = Arc::new(make());
        let mut bodies = self.bodies.lock().unwrap_or_else(|e| e.into_inner());
        bodies.insert(key, body.clone());
        body
    }

    /// Forgets the body kept under `key`: it shows an image that changed on disk.
    pub fn forget_body(&self, key: u64) {
        let mut bodies = self.bodies.lock().unwrap_or_else(|e| e.into_inner());
        bodies.remove(&key);
    }

    /// Forgets the bodies of pages whose key is none of `live` (edited or gone).
    pub fn retain_bodies(&self, live: &[u64]) {
        let live: std::collections::HashSet<u64> = live.iter().copied().collect();
        let mut bodies = self.bodies.lock().unwrap_or_else(|e| e.into_inner());
        bodies.retain(|key, _| live.contains(key));
    }

    pub(crate) fn rendered(
        &self,
        key: u64,
        render: impl FnOnce() -> Result<Bytes, Diagnostic>,
    ) -> Result<Bytes, Diagnostic> {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some((used, html)) = self
            .rendered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            used.store(generation, Ordering::Relaxed);
            return Ok(Arc::clone(html));
        }
        let html = render()?;
        let mut rendered = self.rendered.write().unwrap_or_else(|e| e.into_inner());
        rendered.insert(key, (AtomicU64::new(generation), Arc::clone(&html)));
        Ok(html)
    }
}

/// What a render read of the list of posts through `posts`, so that the preview server
/// renders a page listing every post again only when a field it shows changed: a list of
/// titles does not change with a post's text, though the post's `word_count` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PostReads {
    /// Some post was read whole (printed, serialised, compared, iterated).
    pub(crate) all: bool,
    /// The fields read by name (`title`, `url`).
    pub(crate) fields: std::collections::BTreeSet<String>,
}

/// `posts` as the preview server gives it to a layout: the same list, whose entries record in
/// `reads` which fields the render reads.
#[derive(Debug)]
pub(crate) struct TrackedPosts {
    pub(crate) posts: Value,
    pub(crate) reads: Arc<Mutex<PostReads>>,
}

impl Object for TrackedPosts {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let post = self
            .posts
            .get_item(key)
            .ok()
            .filter(|v| !v.is_undefined())?;
        let reads = Arc::clone(&self.reads);
        Some(Value::from_object(TrackedPost { post, reads }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.posts.len().unwrap_or(0))
    }
}

/// One entry of [`TrackedPosts`]: reading a field records its name; anything that sees the
/// whole entry (iterating, printing, its length) records that.
#[derive(Debug)]
pub(crate) struct TrackedPost {
    post: Value,
    reads: Arc<Mutex<PostReads>>,
}

impl TrackedPost {
    fn record(&self, field: Option<&str>) {
        let mut reads = self.reads.lock().unwrap_or_else(|e| e.into_inner());
        match field {
            Some(name) => {
                if !reads.fields.contains(name) {
                    reads.fields.insert(name.to_owned());
                }
            }
            None => reads.all = true,
        }
    }
}

impl Object for TrackedPost {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.record(key.as_str());
        self.post.get_item(key).ok().filter(|v| !v.is_undefined())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.record(None);
        match self.post.try_iter() {
            Ok(keys) => Enumerator::Values(keys.collect()),
            Err(_) => Enumerator::Empty,
        }
    }
}

/// An output's bytes, shared between the cache and the outputs served.
pub type Bytes = Arc<Vec<u8>>;

/// A hash for cache keys within one process (never written anywhere).
pub fn hash_of(value: &(impl Hash + ?Sized)) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// What a layout is made of, for the preview server's keys.
pub(crate) struct LayoutKey {
    /// A hash of the layout and every template it extends, includes or imports.
    pub(crate) templates: u64,
    /// The variables they read from the context (`page`, `posts`, `term`); None: any.
    reads: Option<std::collections::HashSet<String>>,
}

impl LayoutKey {
    pub(crate) fn reads(&self, variables: &[&str]) -> bool {
        self.reads
            .as_ref()
            .is_none_or(|reads| variables.iter().any(|v| reads.contains(*v)))
    }
}

/// Per layout (`post` for `post.html`), what it is made of: itself and the templates it
/// extends, includes or imports, transitively. A reference that is not a plain string makes
/// it depend on every template.
pub(crate) fn layout_keys(
    env: &Environment,
    sources: &BTreeMap<String, String>,
) -> HashMap<String, LayoutKey> {
    let references: HashMap<&str, Option<Vec<String>>> = sources
        .iter()
        .map(|(name, source)| (name.as_str(), template_references(source)))
        .collect();
    sources
        .keys()
        .filter_map(|name| Some((name, name.strip_suffix(".html")?)))
        .map(|(name, layout)| {
            let mut seen = std::collections::BTreeSet::new();
            let mut stack = vec![name.clone()];
            let mut dynamic = false;
            while let Some(next) = stack.pop() {
                if !seen.insert(next.clone()) {
                    continue;
                }
                match references.get(next.as_str()) {
                    Some(Some(names)) => stack.extend(names.iter().cloned()),
                    Some(None) => dynamic = true,
                    None => {}
                }
            }
            if dynamic {
                seen = sources.keys().cloned().collect();
            }
            let mut reads = Some(std::collections::HashSet::new());
            for name in &seen {
                match (env.get_template(name), reads.as_mut()) {
                    (Ok(t), Some(all)) => all.extend(t.undeclared_variables(false)),
                    _ => reads = None,
                }
            }
            let key = LayoutKey {
                templates: hash_of(&seen.iter().map(|n| (n, sources.get(n))).collect::<Vec<_>>()),
                reads,
            };
            (layout.to_owned(), key)
        })
        .collect()
}

/// The template names a template's `extends`, `include`, `import` and `from` tags name; None
/// when one of them names a template through an expression.
pub(crate) fn template_references(source: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let tag = after[..end].trim_start_matches(['-', '+']).trim();
        rest = &after[end..];
        let keyword = tag.split_whitespace().next().unwrap_or("");
        if !matches!(keyword, "extends" | "include" | "import" | "from") {
            continue;
        }
        let mut literals = Vec::new();
        let mut tail = tag;
        while let Some(open) = tail.find(['"', '\'']) {
            let quote = if tail[open..].starts_with('"') {
                '"'
            } else {
                '\''
            };
            let close = tail[open + 1..].find(quote)?;
            literals.push(tail[open + 1..open + 1 + close].to_owned());
            tail = &tail[open + 2 + close..];
        }
        if literals.is_empty() {
            return None;
        }
        names.extend(literals);
    }
    Some(names)
}

/// A hash of every page's source and URL: what `.md` links resolve to. (Paths are hashed as
/// bytes: hashing a `Path` parses its components.)
pub(crate) fn links_key(site: &Site) -> u64 {
    let pages: Vec<_> = site
        .all_pages()
        .map(|p| (p.source.as_os_str(), &p.url))
        .collect();
    hash_of(&pages)
}

/// A hash of every page's date as written, for the sitemap.
pub(crate) fn dates_key(site: &Site) -> u64 {
    let dates: Vec<_> = site.all_pages().map(|p| p.date.map(date_parts)).collect();
    hash_of(&dates)
}

/// Everything a date shows (`PostDate` has no `Hash`).
pub(crate) fn date_parts(date: crate::page::PostDate) -> impl Hash {
    (date.civil, date.offset, date.has_time)
}

/// A hash of the `fields` of a post's value.
pub(crate) fn fields_hash(post: &Value, fields: &std::collections::BTreeSet<String>) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for field in fields {
        post.get_attr(field).unwrap_or_default().hash(&mut hasher);
    }
    hasher.finish()
}

/// A hash of what a plain list of posts shows of a post.
pub(crate) fn listing_key(post: &Page) -> u64 {
    hash_of(&(&post.url, &post.title, post.date.map(date_parts)))
}

/// Per series, a hash of the series and of its published posts.
pub(crate) fn series_keys(site: &Site) -> HashMap<String, u64> {
    site.series
        .iter()
        .map(|s| {
            let parts: Vec<u64> = blog::series_posts(site, s)
                .iter()
                .map(|p| p.fingerprint)
                .collect();
            (s.id.clone(), hash_of(&(s, parts)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_made_once_per_key_until_a_rebuild_leaves_it_unused() {
        let cache = RenderCache::default();
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = |text: &str| {
            made.fetch_add(1, Ordering::SeqCst);
            text.to_owned()
        };
        cache.begin();
        assert_eq!(*cache.value(1, || make("one")), "one");
        assert_eq!(*cache.value(1, || make("again")), "one");
        // Another type under the same key is made, not mistaken for the first.
        assert_eq!(*cache.value(1, || 7u32), 7);
        assert_eq!(made.load(Ordering::SeqCst), 1);
        cache.sweep(false);
        cache.begin();
        cache.value(2, || make("two"));
        cache.sweep(false);
        assert_eq!(
            *cache.value(1, || make("fresh")),
            "fresh",
            "swept, made again"
        );
        assert_eq!(made.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn values_made_at_once_are_the_values_made_one_by_one() {
        let cache = RenderCache::default();
        let made = std::sync::atomic::AtomicUsize::new(0);
        cache.begin();
        cache.value(2, || "two".to_owned());
        let keys = [1, 2, 3];
        let values = cache.values(&keys, |i| {
            made.fetch_add(1, Ordering::SeqCst);
            format!("made {}", keys[i])
        });
        let values: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
        assert_eq!(values, ["made 1", "two", "made 3"]);
        assert_eq!(
            made.load(Ordering::SeqCst),
            2,
            "the known one is not made again"
        );
        assert_eq!(*cache.value(3, || "again".to_owned()), "made 3", "kept");
    }

    /// The preview server's `posts` must render exactly like a build's, and record every
    /// field a template can see.
    #[test]
    fn tracked_posts_render_like_plain_posts_and_record_reads() {
        let post = |title: &str, words: usize| {
            Value::from(BTreeMap::from([
                ("title", Value::from(title)),
                ("url", Value::from(format!("/{title}/"))),
                ("word_count", Value::from(words)),
            ]))
        };
        let plain = Value::from(vec![post("a", 3), post("b", 1), post("c", 2)]);
        let env = Environment::new();
        let cases: [(&str, Option<&[&str]>); 8] = [
            (
                "{% for p in posts %}{{ p.title }} {{ p['url'] }};{% endfor %}",
                Some(&["title", "url"]),
            ),
            (
                "{{ posts|length }} {{ posts[-1].title }} {{ posts[1:]|map(attribute='url')|join(',') }}",
                Some(&["title", "url"]),
            ),
            (
                "{{ posts|sort(attribute='word_count', reverse=true)|map(attribute='title')|list }}",
                Some(&["title", "word_count"]),
            ),
            (
                "{{ posts[0].missing is defined }} {{ posts|selectattr('word_count', 'gt', 1)|list|length }}",
                Some(&["missing", "word_count"]),
            ),
            ("{{ posts[0] }}", None),
            ("{{ posts|tojson }}", None),
            (
                "{% for k, v in posts[0]|items %}{{ k }}={{ v }};{% endfor %}",
                None,
            ),
            (
                "{{ posts[0] == posts[1] }} {{ posts|unique|list|length }}",
                None,
            ),
        ];
        for (source, expected) in cases {
            let built = env
                .render_str(source, minijinja::context! { posts => plain.clone() })
                .unwrap();
            let reads = Arc::new(Mutex::new(PostReads::default()));
            let tracked = Value::from_object(TrackedPosts {
                posts: plain.clone(),
                reads: Arc::clone(&reads),
            });
            let served = env
                .render_str(source, minijinja::context! { posts => tracked })
                .unwrap();
            assert_eq!(served, built, "{source}");
            let reads = reads.lock().unwrap().clone();
            match expected {
                Some(fields) => {
                    assert!(!reads.all, "{source}: {reads:?}");
                    assert_eq!(reads.fields, fields.iter().map(|f| f.to_string()).collect());
                }
                None => assert!(reads.all, "{source}: {reads:?}"),
            }
        }
    }

    #[test]
    fn template_references_are_found() {
        let source = r#"{% extends "base.html" %}{% import 'macros.html' as m %}{%- from "a.html" import x -%}{% include ["b.html", "c.html"] %}{% if x %}"y"{% endif %}"#;
        assert_eq!(
            template_references(source).unwrap(),
            ["base.html", "macros.html", "a.html", "b.html", "c.html"]
        );
        assert_eq!(template_references("{% include name %}"), None);
    }
}
