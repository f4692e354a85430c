//! The pages the blog generates around the posts (home pages, taxonomies and terms, series,
//! 404), each keyed by what it shows so the preview server reuses it when unchanged.

use super::*;

impl Renderer {
    /// Renders one of the blog's HTML pages (home pages, taxonomies, series, 404); None for
    /// the outputs that are not pages (feeds, sitemap, robots.txt).
    ///
    /// Each has a layout of its own when the theme has one (`term.html`, `series.html`, …),
    /// else `page.html` with an HTML listing as `page.content`, so any theme shows them. In
    /// the preview server, each is taken from the cache under a key of what it shows, found
    /// before anything is rendered: listing 10,000 posts is the costly part.
    pub fn blog_page(
        &self,
        site: &Site,
        output: &BlogOutput,
        terms: &blog::Terms,
    ) -> Option<Result<Bytes, Diagnostic>> {
        let config = &site.config;
        let generated =
            |kind: &'static str, layout: String, title: String, url: String| Generated {
                kind,
                layout,
                title,
                description: config.description.clone(),
                url,
                content: String::new(),
                card: None,
                feed: None,
            };
        let made = match output {
            BlogOutput::Home(pager) => {
                let posts: Vec<usize> = (pager.first.min(pager.end)..pager.end).collect();
                let listed = self.listed_keys("index", "paginator", &posts);
                let key = ("home", pager, listed, site.posts.len());
                self.memo(hash_of(&(self.layout_key("index"), key)), || {
                    let page =
                        generated("index", "index".into(), config.title.clone(), pager.path());
                    let posts = &self.post_values[pager.first.min(pager.end)..pager.end];
                    let paginator =
                        paginator_value(config.paginate, pager, posts.to_vec(), site.posts.len());
                    self.generated_with(&page, vec![("paginator", paginator)])
                })
            }
            BlogOutput::TermIndex(taxonomy) => {
                let list = terms.get(taxonomy).map_or(&[][..], Vec::as_slice);
                let layout = self.pick_layout(&[taxonomy.id(), "terms"], "page");
                let shown: Vec<_> = list
                    .iter()
                    .map(|t| {
                        (
                            &t.name,
                            &t.slug,
                            &t.id,
                            t.posts.len(),
                            self.author_of(site, t),
                        )
                    })
                    .collect();
                let key = hash_of(&(self.layout_key(&layout), "terms", taxonomy, shown));
                self.memo(key, || {
                    let mut page =
                        generated("terms", layout.clone(), taxonomy_title(*taxonomy, &site.strings), taxonomy.path());
                    let items: Vec<String> = list
                        .iter()
                        .map(|t| {
                            format!(
                                "<li><a href=\"{}\">{}</a> <span class=\"term-count\">({})</span></li>",
                                escape(&config.relative_url(&t.path(*taxonomy))),
                                escape(&t.name),
                                t.posts.len()
                            )
                        })
                        .collect();
                    page.content = format!("<ul class=\"terms\">{}</ul>", items.join(""));
                    let values: Vec<Value> = list
                        .iter()
                        .map(|t| self.term_value(site, *taxonomy, t, None))
                        .collect();
                    self.generated_with(
                        &page,
                        vec![
                            ("taxonomy", taxonomy_value(*taxonomy, &site.strings)),
                            ("terms", Value::from(values)),
                        ],
                    )
                })
            }
            BlogOutput::Term(taxonomy, slug, pager) => {
                let term = terms
                    .get(taxonomy)
                    .and_then(|list| list.iter().find(|t| &t.slug == slug))?;
                let layout = self.pick_layout(&[taxonomy.singular(), "term"], "page");
                let author = self.author_of(site, term);
                let shown_posts = &term.posts[pager.first.min(pager.end)..pager.end];
                let listed = (
                    self.listed_keys(&layout, "term", shown_posts),
                    self.listed_keys(&layout, "paginator", shown_posts),
                );
                let count = term.posts.len();
                let shown = (&term.name, &term.slug, &term.id, author, listed, count);
                let key = hash_of(&(self.layout_key(&layout), "term", taxonomy, shown, pager));
                self.memo(key, || {
                    self.term_page(site, *taxonomy, term, layout.clone(), pager)
                })
            }
            BlogOutput::Series(index) => {
                let series = &site.series[*index];
                let layout = self.pick_layout(&["series"], "page");
                let parts: Vec<Option<(&str, Option<String>)>> = blog::parts(site, series)
                    .iter()
                    .map(|p| {
                        p.post
                            .map(|p| (p.url.as_str(), p.date.map(|d| d.to_rfc3339())))
                    })
                    .collect();
                let key = hash_of(&(self.layout_key(&layout), "series", series, parts));
                self.memo(key, || {
                    let mut page = generated(
                        "series",
                        layout.clone(),
                        series.title.clone(),
                        blog::series_path(&series.id),
                    );
                    if let Some(summary) = &series.summary {
                        page.description = summary.clone();
                    }
                    let mut content = String::new();
                    if let Some(summary) = &series.summary {
                        content.push_str(
                            &markdown::render(
                                summary,
                                &markdown::Options {
                                    base_path: &config.base_path,
                                    palette: self.palette(),
                                    code_markup: config.code_markup,
                                    ..markdown::Options::default()
                                },
                            )
                            .html,
                        );
                    }
                    content.push_str("<ol class=\"series-parts\">");
                    for part in blog::parts(site, series) {
                        match part.post {
                            Some(post) => content.push_str(&format!(
                                "<li><a href=\"{}\">{}</a></li>",
                                escape(&config.relative_url(&post.url)),
                                escape(part.title)
                            )),
                            None => content.push_str(&format!(
                                "<li class=\"series-planned\">{} <span class=\"series-status\">{}</span></li>",
                                escape(part.title),
                                site.strings.html("series.planned", &[])
                            )),
                        }
                    }
                    content.push_str("</ol>");
                    page.content = content;
                    self.generated_with(&page, vec![("series", series_value(site, series, None))])
                })
            }
            BlogOutput::NotFound => {
                let layout = self.pick_layout(&["404"], "page");
                self.memo(hash_of(&(self.layout_key(&layout), "404")), || {
                    let mut page = generated(
                        "404",
                        layout.clone(),
                        site.strings.plain("not_found.title", &[]),
                        "/404.html".into(),
                    );
                    let strings = &site.strings;
                    let home = format!(
                        "<a href=\"{}\">{}</a>",
                        escape(&config.relative_url("/")),
                        strings.html("not_found.home_page", &[])
                    );
                    page.content = format!(
                        "<p>{} {}</p>",
                        strings.html("not_found.text", &[]),
                        strings.html("not_found.try_home", &[("home", &home)])
                    );
                    self.generated_with(&page, Vec::new())
                })
            }
            BlogOutput::SeriesFeed(_)
            | BlogOutput::TermFeed(..)
            | BlogOutput::TermRss(..)
            | BlogOutput::Rss
            | BlogOutput::Feed
            | BlogOutput::Sitemap
            | BlogOutput::Robots => return None,
        };
        Some(made)
    }

    /// The entry of data/authors.yaml for an author's term.
    pub(super) fn author_of<'s>(
        &self,
        site: &'s Site,
        term: &Term,
    ) -> Option<&'s crate::yaml::Value> {
        term.id.as_deref().and_then(|id| site.author(id))
    }

    /// `/tags/aws/`, `/authors/ann/`: one page of the term's posts, and an author's bio and
    /// links.
    pub(super) fn term_page(
        &self,
        site: &Site,
        taxonomy: Taxonomy,
        term: &Term,
        layout: String,
        pager: &Pager,
    ) -> Result<String, Diagnostic> {
        let config = &site.config;
        let title = blog::term_title(site, taxonomy, term);
        let mut content = String::new();
        if let Some(author) = self.author_of(site, term) {
            let field = |k: &str| author.get(k).and_then(crate::yaml::as_text);
            if let Some(bio) = field("bio") {
                content.push_str(&format!("<p class=\"author-bio\">{}</p>", escape(&bio)));
            }
            if let Some(serde_yaml::Value::Sequence(links)) = author.get("links") {
                content.push_str("<ul class=\"author-links\">");
                for link in links {
                    let get = |k: &str| {
                        link.get(k)
                            .and_then(crate::yaml::as_text)
                            .unwrap_or_default()
                    };
                    content.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>",
                        escape(&get("url")),
                        escape(&get("title"))
                    ));
                }
                content.push_str("</ul>");
            }
        }
        let shown = &term.posts[pager.first.min(pager.end)..pager.end];
        let posts: Vec<&Page> = shown.iter().map(|&i| &*site.posts[i]).collect();
        content.push_str(&post_list_html(config, &posts));
        content.push_str(&pagination_html(config, pager));
        let feed = config.feed.of_terms(taxonomy).then(|| super::PageFeeds {
            atom: blog::term_feed_path(taxonomy, &term.slug),
            rss: config
                .feed
                .rss
                .then(|| blog::term_rss_path(taxonomy, &term.slug)),
        });
        let page = Generated {
            kind: "term",
            layout,
            title,
            description: config.description.clone(),
            url: pager.path(),
            content,
            card: None,
            feed,
        };
        let values: Vec<Value> = shown.iter().map(|&i| self.post_values[i].clone()).collect();
        let paginator = paginator_value(config.paginate_terms, pager, values, term.posts.len());
        self.generated_with(
            &page,
            vec![
                ("taxonomy", taxonomy_value(taxonomy, &site.strings)),
                ("term", self.term_value(site, taxonomy, term, Some(shown))),
                ("paginator", paginator),
            ],
        )
    }

    /// A term's value; `posts`: the indexes of the posts it lists (on a term's page, those of
    /// the page shown).
    pub(super) fn term_value(
        &self,
        site: &Site,
        taxonomy: Taxonomy,
        term: &Term,
        posts: Option<&[usize]>,
    ) -> Value {
        let mut fields = BTreeMap::from([
            ("name", Value::from(term.name.clone())),
            ("slug", Value::from(term.slug.clone())),
            ("url", Value::from(term.path(taxonomy))),
            ("count", Value::from(term.posts.len())),
        ]);
        if let Some(posts) = posts {
            let values: Vec<Value> = posts.iter().map(|&i| self.post_values[i].clone()).collect();
            fields.insert("posts", Value::from(values));
        }
        if let Some(id) = &term.id {
            fields.insert("id", Value::from(id.clone()));
            if let Some(author) = site.author(id) {
                fields.insert("author", Value::from(Serde(author)));
            }
        }
        Value::from(fields)
    }
}

/// The `paginator` of a page of a listing: `per_page` its setting (`paginate`, or
/// `paginate_terms` for a term's), `posts` the values of the posts it shows, `total` the posts
/// of the whole listing.
fn paginator_value(per_page: usize, pager: &Pager, posts: Vec<Value>, total: usize) -> Value {
    let url = |path: Option<String>| path.map_or(Value::from(()), Value::from);
    Value::from(BTreeMap::from([
        ("page", Value::from(pager.page)),
        ("pages", Value::from(pager.pages)),
        ("per_page", Value::from(per_page)),
        ("total_posts", Value::from(total)),
        ("posts", Value::from(posts)),
        ("url", Value::from(pager.path())),
        ("prev_url", url(pager.prev_path())),
        ("next_url", url(pager.next_path())),
    ]))
}

/// Links to the previous and next page of a listing, for layouts that show only
/// `page.content`; empty for a listing of one page.
fn pagination_html(config: &crate::config::Config, pager: &Pager) -> String {
    if pager.pages <= 1 {
        return String::new();
    }
    let mut html = String::from("<nav class=\"pagination\" aria-label=\"Pages of posts\">");
    if let Some(prev) = pager.prev_path() {
        html.push_str(&format!(
            "<a class=\"pagination__prev\" href=\"{}\" rel=\"prev\">Newer posts</a>",
            escape(&config.relative_url(&prev))
        ));
    }
    html.push_str(&format!(
        "<span class=\"pagination__status\">Page {} of {}</span>",
        pager.page, pager.pages
    ));
    if let Some(next) = pager.next_path() {
        html.push_str(&format!(
            "<a class=\"pagination__next\" href=\"{}\" rel=\"next\">Older posts</a>",
            escape(&config.relative_url(&next))
        ));
    }
    html.push_str("</nav>");
    html
}
