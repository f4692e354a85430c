//! Issue #11: code too expensive to highlight is written as plain escaped code, with a warning
//! at its opening fence, so one block can never stall a build.
//!
//! The long lines are of shapes syntect's grammars are slow on (bench/README.md): a shell line
//! with an unclosed `$(` and an 8 KB word after it (~0.3 s of CPU, quadratic in its length), and
//! a Markdown line of 8 KB of `~` (~12 s). Before the budget, the first came out highlighted and
//! the second stalled the build; the tests check the output and the warnings, not the time.

use crate::harness::TestSite;

const POST: &str = "content/posts/2023-10-01-long-lines.md";

/// `echo "<&>" $(aaaa…`, 8 KB: HTML to escape, then the slow part.
fn long_shell_line() -> String {
    format!("echo \"<&>\" $({}", "a".repeat(8 * 1024))
}

fn long_tilde_line() -> String {
    "~".repeat(8 * 1024)
}

/// A post with a Liquid expression before its blocks (so the body is longer after Liquid than
/// as written), a long ```sh block at line 7, a normal one, a long one in a language versus
/// does not highlight anyway (so no warning), and a long `{% highlight %}` at line 19.
fn site(extra_config: &str) -> TestSite {
    let site = TestSite::new("basic");
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{config}liquid: true\n{extra_config}"),
    );
    site.write(
        POST,
        &format!(
            "---\ntitle: Long lines\ndate: 2023-10-01\n---\n\
             Built by {{{{ site.title | upcase }}}}, a longer text than the expression.\n\
             \n\
             ```sh\n{}\n```\n\
             \n\
             ```sh\necho \"short & <fine>\"\n```\n\
             \n\
             ```nosuchlang\n{}\n```\n\
             \n\
             {{% highlight markdown %}}\n{}\n{{% endhighlight %}}\n",
            long_shell_line(),
            long_tilde_line(),
            long_tilde_line()
        ),
    );
    site
}

const PAGE: &str = "2023/10/01/long-lines/index.html";

fn long_line_warning(line: usize) -> String {
    format!(
        "{POST}:{line}:1: warning: code block not highlighted: its line 1 is {} bytes long, \
         over the 2048-byte limit for a highlighted line; written as plain code",
        line_bytes(line)
    )
}

/// The length of the long line of the block whose fence is at `line`.
fn line_bytes(line: usize) -> usize {
    match line {
        7 => long_shell_line().len(),
        _ => long_tilde_line().len(),
    }
}

fn assert_warned(stderr: &str) {
    for line in [7, 19] {
        let warning = long_line_warning(line);
        assert!(
            stderr.lines().any(|l| l == warning),
            "no `{warning}` in:\n{stderr}"
        );
    }
    let in_post = stderr
        .lines()
        .filter(|l| l.starts_with(POST) && l.contains("warning: code block"));
    assert_eq!(in_post.count(), 2, "{stderr}");
}

#[test]
fn a_long_line_is_written_plain_with_a_warning_at_its_fence_on_every_build() {
    let site = site("");
    let first = site.build_ok();
    assert_warned(&first.stderr);
    let html = site.read(PAGE);
    // Plain, escaped, in the same wrapper as a highlighted block.
    assert!(
        html.contains(&format!(
            "<pre class=\"highlight\" data-lang=\"sh\" tabindex=\"0\"><code class=\"language-sh\">\
             echo &quot;&lt;&amp;&gt;&quot; $({}\n</code></pre>",
            "a".repeat(8 * 1024)
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<pre class=\"highlight\" data-lang=\"markdown\" tabindex=\"0\"><code class=\"language-markdown\">{}</code></pre>",
            long_tilde_line()
        )),
        "{html}"
    );
    // The normal block of the same page is still highlighted.
    let normal = html
        .split("<pre class=\"highlight\" data-lang=\"sh\" tabindex=\"0\">")
        .nth(2)
        .expect("the second sh block");
    assert!(
        normal.starts_with("<code class=\"language-sh\"><span class=\"l"),
        "{normal}"
    );
    assert!(normal.contains("&lt;fine&gt;"), "{normal}");

    // With the highlight cache warm from the first build: the same warnings, the same page.
    assert!(site.root().join(".versus-cache/highlight").is_dir());
    let second = site.build_ok();
    assert_warned(&second.stderr);
    assert_eq!(site.read(PAGE), html);
}

#[test]
fn jekyll_markup_gets_the_same_protection_and_so_does_a_large_block() {
    let site = site("code_markup: jekyll\n");
    // 3,000 short lines: 300 KB, over the block limit, each line fine on its own.
    let line = format!("key: {}\n", "v".repeat(94));
    let big = line.repeat(3000);
    let about = std::fs::read_to_string(site.root().join("content/about.md")).unwrap();
    site.write("content/about.md", &format!("{about}\n```yaml\n{big}```\n"));
    let fence_line = about.lines().count() + 2;

    let run = site.build_ok();
    assert_warned(&run.stderr);
    let large = format!(
        "content/about.md:{fence_line}:1: warning: code block not highlighted: it is {} bytes \
         long, over the 262144-byte limit for a highlighted block; written as plain code",
        big.len()
    );
    assert!(
        run.stderr.lines().any(|l| l == large),
        "no `{large}` in:\n{}",
        run.stderr
    );

    let html = site.read(PAGE);
    assert!(
        html.contains(&format!(
            "<div class=\"language-sh highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>\
             echo &quot;&lt;&amp;&gt;&quot; $({}\n</code></pre></div></div>",
            "a".repeat(8 * 1024)
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<figure class=\"highlight\"><pre><code class=\"language-markdown\" data-lang=\"markdown\">{}</code></pre></figure>",
            long_tilde_line()
        )),
        "{html}"
    );
    let about_html = site.read("about/index.html");
    assert!(
        about_html.contains(&format!(
            "<div class=\"language-yaml highlighter-rouge\"><div class=\"highlight\"><pre class=\"highlight\"><code>{big}</code></pre></div></div>"
        )),
        "the large block is plain"
    );
}
