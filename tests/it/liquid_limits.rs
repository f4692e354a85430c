//! Issue #11, bounded Liquid: whatever a post's Liquid says, the build ends with the page or
//! with an error at `path:line:col`, never with a stack overflow, an endless loop or memory
//! exhausted.

use crate::harness::{TestSite, assert_has, errors_of};

const POST: &str = "content/posts/2023-10-01-limits.md";
/// The front matter of [`POST`]: its body starts on line 5.
const FRONT_MATTER: &str = "---\ntitle: Limits\ndate: 2023-10-01\n---\n";
const BODY_LINE: usize = 5;

/// The basic fixture with `liquid: true` and one more post with `body`.
fn liquid_site(body: &str) -> TestSite {
    let site = TestSite::new("basic");
    let config = std::fs::read_to_string(site.root().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}liquid: true\n"));
    site.write(POST, &format!("{FRONT_MATTER}{body}"));
    site
}

fn post_html(site: &TestSite) -> String {
    site.read("2023/10/01/limits/index.html")
}

#[test]
fn thousands_of_nested_ifs_are_an_error_at_the_tag_too_deep() {
    let body = "{% if true %}\n".repeat(2000) + "deep\n" + &"{% endif %}\n".repeat(2000);
    let stderr = errors_of(&liquid_site(&body));
    let line = BODY_LINE + 100;
    assert_has(
        &stderr,
        &format!("{POST}:{line}:1: error: `{{% if %}}` nested deeper than 100 levels"),
    );
}

#[test]
fn nesting_at_the_limit_builds() {
    let opening = "{% if true %}{% for i in (1..1) %}{% unless false %}{% capture c %}";
    let closing = "{% endcapture %}{{ c }}{% endunless %}{% endfor %}{% endif %}";
    let body = opening.repeat(25) + "deep-inside" + &closing.repeat(25) + "\n";
    let site = liquid_site(&body);
    site.build_ok();
    assert!(post_html(&site).contains("deep-inside"));
}

#[test]
fn every_kind_of_block_counts_towards_the_depth() {
    let body = "{% for i in (1..1) %}{% capture c %}".repeat(60) + "x";
    let stderr = errors_of(&liquid_site(&body));
    let at = "{% for i in (1..1) %}{% capture c %}".len() * 50 + 1;
    assert_has(
        &stderr,
        &format!("{POST}:{BODY_LINE}:{at}: error: `{{% for %}}` nested deeper than 100 levels"),
    );
}

#[test]
fn an_include_that_includes_itself_is_an_error_in_the_include() {
    let site = liquid_site("Before {% include self.html %} after\n");
    site.write("includes/self.html", "me {% include self.html %}\n");
    let stderr = errors_of(&site);
    assert_has(
        &stderr,
        "includes/self.html:1:4: error: include `self.html` includes itself (nested deeper than 100 levels)",
    );
    assert_has(
        &stderr,
        &format!("= help: included from {POST}:{BODY_LINE}:8"),
    );
}

#[test]
fn includes_and_blocks_inside_them_share_the_depth_limit() {
    // Each level nests 40 blocks and includes itself again: without a limit over both, 100
    // include levels of 40 blocks each are 4,000 frames deep.
    let site = liquid_site("{% include deep.html %}\n");
    let nest = "{% if true %}".repeat(40) + "{% include deep.html %}" + &"{% endif %}".repeat(40);
    site.write("includes/deep.html", &nest);
    let stderr = errors_of(&site);
    assert_has(&stderr, "nested deeper than 100 levels");
}

#[test]
fn an_include_inside_deep_loops_is_not_mistaken_for_recursion() {
    let body = "{% for i in (1..1) %}".repeat(60)
        + "{% include box.html %}"
        + &"{% endfor %}".repeat(60)
        + "\n";
    let site = liquid_site(&body);
    site.write("includes/box.html", "in-the-box");
    site.build_ok();
    assert!(post_html(&site).contains("in-the-box"));
}

#[test]
fn deeply_nested_expressions_are_an_error() {
    let parens = format!("{{{{ {}1..2{} }}}}\n", "(".repeat(5000), ")".repeat(5000));
    let indexes = format!(
        "{{% if {}0{} %}}{{% endif %}}\n",
        "site.tags[".repeat(5000),
        "]".repeat(5000)
    );
    for body in [parens, indexes] {
        let stderr = errors_of(&liquid_site(&format!("Intro\n{body}")));
        let line = BODY_LINE + 1;
        assert_has(
            &stderr,
            &format!("{POST}:{line}:1: error: expression nested deeper than 100 levels"),
        );
    }
}

#[test]
fn a_long_chain_of_and_or_is_fine() {
    let chain = vec!["false or true"; 20_000].join(" and ");
    let site = liquid_site(&format!("{{% if {chain} %}}chained{{% endif %}}\n"));
    site.build_ok();
    assert!(post_html(&site).contains("chained"));
}

#[test]
fn a_loop_over_a_billion_is_an_error_at_the_for_tag() {
    let body = "Intro\n\n  {% for i in (1..1000000000) %}{{ i }}{% endfor %}\n";
    let stderr = errors_of(&liquid_site(body));
    let line = BODY_LINE + 2;
    assert_has(
        &stderr,
        &format!(
            "{POST}:{line}:3: error: loop of 1000000000 iterations: Liquid does at most 1000000 steps per page"
        ),
    );
}

#[test]
fn limit_and_offset_on_a_huge_range_do_not_materialise_it() {
    let body = "[{% for i in (1..1000000000) limit: 3 %}{{ i }},{% endfor %}]\n\n\
                [{% for i in (1..1000000000) offset: 999999997 %}{{ i }},{% endfor %}]\n\n\
                [{% for i in (1..1000000000) offset: 5 limit: 2 reversed %}{{ i }},{% endfor %}]\n\n\
                [{% for i in (-9223372036854775807..9223372036854775807) limit: 1 %}{{ i }}{% endfor %}]\n";
    let site = liquid_site(body);
    site.build_ok();
    let html = post_html(&site);
    assert!(html.contains("[1,2,3,]"), "{html}");
    assert!(html.contains("[999999998,999999999,1000000000,]"), "{html}");
    assert!(html.contains("[7,6,]"), "{html}");
    assert!(html.contains("[-9223372036854775807]"), "{html}");
}

#[test]
fn a_huge_range_as_a_value_is_an_error() {
    for body in [
        "{{ (1..1000000000) | join: ',' }}\n",
        "{% assign r = (1..1000000000) %}\n",
        "{% if (1..1000000000) contains 5 %}{% endif %}\n",
    ] {
        let stderr = errors_of(&liquid_site(body));
        assert_has(
            &stderr,
            &format!(
                "{POST}:{BODY_LINE}:1: error: range of 1000000000 items: Liquid does at most 1000000 steps per page"
            ),
        );
    }
}

#[test]
fn nested_loops_share_one_iteration_budget() {
    let body = "{% for i in (1..2000) %}\n{% for j in (1..2000) %}{% endfor %}{% endfor %}\n";
    let stderr = errors_of(&liquid_site(body));
    let line = BODY_LINE + 1;
    assert_has(
        &stderr,
        &format!(
            "{POST}:{line}:1: error: loop of 2000 iterations: Liquid does at most 1000000 steps per page"
        ),
    );
}

#[test]
fn text_that_doubles_in_a_loop_is_an_error_not_an_allocation() {
    let body = "{% assign s = 'xx' %}{% for i in (1..64) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}\n";
    let stderr = errors_of(&liquid_site(body));
    let col = body.find("{% assign s = s").unwrap() + 1;
    assert_has(
        &stderr,
        &format!(
            "{POST}:{BODY_LINE}:{col}: error: Liquid handled more than 64 MiB of text on this page"
        ),
    );
}

#[test]
fn division_and_modulo_by_zero_are_errors_at_the_filter() {
    let body = "A {{ 7 | divided_by: 0 }}\n\nB {{ 7 | modulo: 0 }} {{ 7.5 | divided_by: 0.0 }}\n";
    let stderr = errors_of(&liquid_site(body));
    assert_has(
        &stderr,
        &format!("{POST}:{BODY_LINE}:10: error: `divided_by`: divided by 0"),
    );
    let line = BODY_LINE + 2;
    assert_has(
        &stderr,
        &format!("{POST}:{line}:10: error: `modulo`: divided by 0"),
    );
    assert_has(
        &stderr,
        &format!("{POST}:{line}:32: error: `divided_by`: divided by 0"),
    );
}

#[test]
fn integer_overflow_is_an_error_at_the_filter() {
    let body = "{{ 9223372036854775807 | plus: 1 }}\n\n\
                {{ 4611686018427387904 | times: 2 }}\n\n\
                {{ -9223372036854775807 | minus: 2 }}\n\n\
                {{ -9223372036854775808 | divided_by: -1 }}\n";
    let stderr = errors_of(&liquid_site(body));
    for (line, filter, col) in [
        (0, "plus", 26),
        (2, "times", 26),
        (4, "minus", 27),
        (6, "divided_by", 27),
    ] {
        let line = BODY_LINE + line;
        assert_has(
            &stderr,
            &format!("{POST}:{line}:{col}: error: `{filter}`: the result is beyond"),
        );
    }
}

#[test]
fn integer_arithmetic_is_exact_and_floors_as_ruby_does() {
    let body = "[{{ 9007199254740993 | plus: 0 }}] [{{ -7 | modulo: 3 }}] [{{ 7 | modulo: -3 }}] \
                [{{ -7 | divided_by: 2 }}] [{{ 7.5 | modulo: 2 }}] [{{ 3 | times: 1.5 }}]\n";
    let site = liquid_site(body);
    site.build_ok();
    let html = post_html(&site);
    for expected in [
        "[9007199254740993]",
        "[2]",
        "[-2]",
        "[-4]",
        "[1.5]",
        "[4.5]",
    ] {
        assert!(html.contains(expected), "{expected} missing in {html}");
    }
}

#[test]
fn unclosed_markup_at_the_very_end_is_an_error() {
    for (body, col, what) in [
        ("é{{", 2, "variable"),
        ("ok\n{%-", 1, "tag"),
        ("ü{%- if true -%}é", 2, "`{% if %}` without `{% endif %}`"),
    ] {
        let stderr = errors_of(&liquid_site(body));
        let line = BODY_LINE + body.matches('\n').count();
        assert_has(&stderr, &format!("{POST}:{line}:{col}: error: "));
        assert_has(&stderr, what);
    }
}

#[test]
fn a_big_value_read_in_a_long_loop_is_an_error_not_hours_of_copying() {
    // A 1 MB capture read 300,000 times copied 300 GB before the reads counted as text.
    let body = "{% capture c %}{% for i in (1..100000) %}0123456789{% endfor %}{% endcapture %}\n\
                {% for i in (1..300000) %}{% if c %}{% endif %}{% endfor %}\n";
    let stderr = errors_of(&liquid_site(body));
    let line = BODY_LINE + 1;
    assert_has(
        &stderr,
        &format!("{POST}:{line}:27: error: Liquid handled more than 64 MiB of text on this page"),
    );
}

#[test]
fn a_warning_in_a_loop_is_reported_once() {
    let body = "{% for i in (1..5000) %}{{ nope }}{{ i | frobnicate }}{% endfor %}\n";
    let run = liquid_site(body).build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr
            .matches("undefined Liquid variable `nope`")
            .count(),
        1,
        "{}",
        run.stderr.len()
    );
    assert_eq!(
        run.stderr
            .matches("unknown Liquid filter `frobnicate`")
            .count(),
        1
    );
}
