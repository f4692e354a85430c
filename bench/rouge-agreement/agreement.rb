#!/usr/bin/env ruby
# frozen_string_literal: true
#
# How many characters of code get the class Rouge gives them, when versus highlights with
# `code_markup: jekyll` (src/highlight/rouge.rs). See "Rouge class agreement" in bench/README.md.
#
#   ruby bench/rouge-agreement/agreement.rb                 # the table, from the repository root
#   ruby bench/rouge-agreement/agreement.rb --misses 8      # and the 8 biggest misses per language
#   ruby bench/rouge-agreement/agreement.rb --misses 8 --scopes   # with syntect's scopes there
#   ruby bench/rouge-agreement/agreement.rb --min 80        # exit 1 if a language is under 80 %
#   ruby bench/rouge-agreement/agreement.rb --bin PATH      # a highlight example built elsewhere
#   ruby bench/rouge-agreement/agreement.rb java kotlin     # only these languages
#   ruby bench/rouge-agreement/agreement.rb --samples held-out   # the second set of samples
#
# Two sets of samples, written for this benchmark: samples/, which the class map was tuned
# on, and held-out/, written after the map and not tuned on, to show how far it carries.
#
# Needs Ruby with Rouge (Debian: `apt-get install ruby-rouge`, Rouge 3.30, as Jekyll 4.3 uses)
# and cargo. Each sample in samples/ is highlighted twice, from the same text:
#   Rouge:  Rouge::Formatters::HTML.new.format(Rouge::Lexer.find_fancy(lang, src).lex(src)),
#           the lexer lookup and formatter Jekyll and kramdown use;
#   versus: `cargo run --example highlight -- --rouge LANG FILE`, the library's highlight_with.
# Both outputs are flat spans; each character gets the class of the span it is in. Rouge's
# unclassed text and its `w` (whitespace) count as the class "". Only characters that are not
# whitespace are counted, each once: the agreement is the share of them whose class is the
# same string in both. "family" counts a class as agreeing when its first letter is the same
# (`s2` for `s1`, `nx` for `n`: a theme that styles only `.s` or `.n` colours them alike).

require "open3"
require "optparse"
require "rouge"

HERE = File.expand_path(__dir__)
ROOT = File.expand_path("../..", HERE)

# Sample file => the fence token a post would use.
SAMPLES = {
  "java.java" => "java",
  "typescript.ts" => "typescript",
  "javascript.js" => "javascript",
  "bash.sh" => "bash",
  "yaml.yaml" => "yaml",
  "html.html" => "html",
  "kotlin.kt" => "kotlin",
  "terraform.tf" => "terraform",
  "json.json" => "json",
  "xml.xml" => "xml",
  "vue.vue" => "vue",
}.freeze

ENTITIES = { "&amp;" => "&", "&lt;" => "<", "&gt;" => ">", "&quot;" => '"', "&#39;" => "'", "&#x27;" => "'" }.freeze

# Flat `<span class="x">text</span>` markup => one class per character of the text.
def classes_of(html, source, who)
  classes = []
  text = +""
  html.scan(%r{<span class="([^"]*)">([^<]*)</span>|([^<]+)|(<[^>]*>)}) do |cls, inside, plain, tag|
    raise "#{who}: nested or unexpected markup #{tag.inspect}" if tag

    piece = (inside || plain).gsub(/&(?:amp|lt|gt|quot|#39|#x27);/, ENTITIES)
    cls = "" if cls.nil? || cls == "w"
    text << piece
    classes.concat([cls] * piece.length)
  end
  raise "#{who}: the highlighted text is not the source" unless text == source

  classes
end

def rouge_html(lang, source)
  lexer = Rouge::Lexer.find_fancy(lang, source) or raise "Rouge knows no #{lang}"
  Rouge::Formatters::HTML.new.format(lexer.lex(source))
end

def versus_html(bin, lang, path)
  out, err, status = Open3.capture3(bin, "--rouge", lang, path)
  raise "versus failed on #{path}: #{err}" unless status.success?

  out
end

def build_example
  target = ENV.fetch("CARGO_TARGET_DIR", File.join(ROOT, "target"))
  ok = system("cargo", "build", "--quiet", "--example", "highlight", chdir: ROOT)
  raise "cargo build --example highlight failed" unless ok

  File.expand_path(File.join(target, "debug", "examples", "highlight"), ROOT)
end

# syntect's scope stack at each character (the outermost, the language, left out).
def scopes_of(bin, lang, path, length)
  out, err, status = Open3.capture3(bin, "--scopes", lang, path)
  raise "versus --scopes failed on #{path}: #{err}" unless status.success?

  scopes = Array.new(length, "")
  out.each_line do |line|
    from, to, *stack = line.split
    (from.to_i...to.to_i).each { |i| scopes[i] = stack.drop(1).join(" ") }
  end
  scopes
end

options = { misses: 0, min: nil, bin: nil, markdown: false, scopes: false, samples: "samples" }
OptionParser.new do |o|
  o.banner = "usage: agreement.rb [--samples DIR] [--misses N [--scopes]] [--min PERCENT] [--bin PATH] [--markdown] [LANG...]"
  o.on("--misses N", Integer, "the N biggest disagreements per language") { |n| options[:misses] = n }
  o.on("--min PERCENT", Float, "exit 1 if a language agrees less") { |n| options[:min] = n }
  o.on("--bin PATH", "the highlight example, already built") { |p| options[:bin] = p }
  o.on("--markdown", "the table in Markdown") { options[:markdown] = true }
  o.on("--samples DIR", "samples or held-out (default samples)") { |d| options[:samples] = d }
  o.on("--scopes", "with --misses: syntect's commonest scope stacks of each miss") { options[:scopes] = true }
end.parse!

wanted = ARGV.empty? ? SAMPLES.values : ARGV
unknown = wanted - SAMPLES.values
abort "no sample for #{unknown.join(', ')} (known: #{SAMPLES.values.join(', ')})" unless unknown.empty?

bin = options[:bin] || build_example
rows = []
misses = {}
SAMPLES.each do |file, lang|
  next unless wanted.include?(lang)

  path = File.join(HERE, options[:samples], file)
  source = File.read(path, encoding: "UTF-8")
  rouge = classes_of(rouge_html(lang, source), source, "Rouge #{lang}")
  versus = classes_of(versus_html(bin, lang, path), source, "versus #{lang}")
  counted = same = family = 0
  lang_misses = Hash.new { |h, k| h[k] = [0, [], Hash.new(0)] }
  scopes = options[:scopes] ? scopes_of(bin, lang, path, source.length) : nil
  source.each_char.with_index do |char, i|
    next if char.match?(/\s/)

    counted += 1
    if rouge[i] == versus[i]
      same += 1
      family += 1
      next
    end
    family += 1 if rouge[i][0] == versus[i][0]
    miss = lang_misses[[rouge[i], versus[i]]]
    miss[0] += 1
    miss[2][scopes[i]] += 1 if scopes
    # The first few words it happens on, for --misses.
    word_start = i
    word_start -= 1 while word_start.positive? && rouge[word_start - 1] == rouge[i] && versus[word_start - 1] == versus[i] && !source[word_start - 1].match?(/\s/)
    if word_start == i || i.zero?
      word = source[i..].each_char.with_index.take_while { |c, k| !c.match?(/\s/) && rouge[i + k] == rouge[i] && versus[i + k] == versus[i] }.map(&:first).join
      miss[1] << word if miss[1].size < 4 && !miss[1].include?(word)
    end
  end
  rows << [lang, counted, same, family]
  misses[lang] = lang_misses.sort_by { |_, (n, _)| -n }.first(options[:misses])
end

pct = ->(part, whole) { whole.zero? ? 0.0 : 100.0 * part / whole }
total = rows.transpose
all = ["all", total[1].sum, total[2].sum, total[3].sum]
if options[:markdown]
  puts "| language | characters | same class | same family |"
  puts "|---|---:|---:|---:|"
  (rows + [all]).each do |lang, counted, same, family|
    puts format("| %s | %d | %.1f %% | %.1f %% |", lang, counted, pct[same, counted], pct[family, counted])
  end
else
  puts format("%-12s %10s %11s %12s", "language", "characters", "same class", "same family")
  (rows + [all]).each do |lang, counted, same, family|
    puts format("%-12s %10d %10.1f%% %11.1f%%", lang, counted, pct[same, counted], pct[family, counted])
  end
end

if options[:misses].positive?
  misses.each do |lang, list|
    next if list.empty?

    puts "\n#{lang}: Rouge -> versus, characters, examples"
    list.each do |(want, got), (n, words, stacks)|
      puts format("  %-4s -> %-4s %6d  %s", want.empty? ? '""' : want, got.empty? ? '""' : got, n, words.map(&:inspect).join(" "))
      stacks.sort_by { |_, count| -count }.first(3).each do |stack, count|
        puts format("  %23d  %s", count, stack.empty? ? "(no scope)" : stack)
      end
    end
  end
end

exit 1 if options[:min] && rows.any? { |_, counted, same, _| pct[same, counted] < options[:min] }
