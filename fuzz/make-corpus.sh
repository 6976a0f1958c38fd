#!/usr/bin/env bash
# Writes the seed corpora under fuzz/corpus/TARGET/ from the fixtures (pages, lists) and a few
# hand-written cases. Run from anywhere; the output is committed, so rerun it only when the
# fixtures change. Seeds are plain inputs in each target's format (see Sources/fuzz-*/Fuzz.swift).
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../fixtures
rm -rf corpus
mkdir -p corpus/{list-line,css-selector,page,robots,resume,sitemap,frontier,warc-tail}

seed() {  # seed TARGET NAME: standard input becomes corpus/TARGET/NAME
    cat >"corpus/$1/$2"
}

# list-line: the demo list with a real address, and the shapes DESIGN.md names.
sed 's|{{BASE}}|http://127.0.0.1:8080|' $fixtures/lists/demo.txt | seed list-line demo
printf '\xef\xbb\xbf  http://a.test/x \t\r\nhttps://b.test/\r\n# c\n\n' | seed list-line bom-crlf
printf 'ftp://x/\nexample.com\nhttp://[::1]:8080/a\nhttp://user:pw@H%%41st.test/%%7e?q#f\nhttp:/a/b\n' | seed list-line shapes
printf '\xff\x90 http://a.test/\n' | seed list-line long-blank-prefix   # 73,728 spaces (see expanded())

# css-selector: what the tests and the README use.
i=0
while IFS= read -r selector; do
    i=$((i + 1))
    printf '%s' "$selector" | seed css-selector "$i"
done <<'SELECTORS'
span.price
ul > li
a::attr(href)
div#main p:first-child::text
li:nth-child(2n+1), li:last-child
a[href^="http"][title~=x]:not(.ad)
tr + tr ~ td
[lang|=en] *::text
p:nth-child(-n+3)
a[title="it's \"here\""]
SELECTORS

# page: each fixture page (but the two big generated ones) behind a content type and a URL.
for page in $fixtures/pages/*.html; do
    name=$(basename "$page" .html)
    case $name in large | bench-page) continue ;; esac
    case $name in
        latin1) type='text/html; charset=iso-8859-1' ;;
        sjis) type='text/html' ;;  # its <meta charset> decides
        *) type='text/html; charset=utf-8' ;;
    esac
    { printf '%s\nhttps://example.com/site/%s.html\n' "$type" "$name"; cat "$page"; } | seed page "$name"
done
{ printf '\n\n'; cat $fixtures/pages/about.txt; } | seed page about-no-type

# robots: the file, a NUL, then paths (the first is also the user agent).
printf 'User-agent: *\nDisallow: /private/\nAllow: /private/ok$\nCrawl-delay: 2.5\n\nUser-agent: parfetch\nDisallow: /*.gif$\n\0parfetch/1.0\n/private/ok\n/a.gif\n/robots.txt\n' | seed robots groups
printf '\xef\xbb\xbfuser-agent: *\r\ndisallow: /%%7Efoo/*a*b\r\nallow: /\r\n\0x\n/~foo/xxaxb\n/%%7efoo/ab\n' | seed robots escapes

# resume: records as parfetch writes them, with and without errors, and a torn last line.
seed resume records <<'EOF_RECORDS'
{"line":1,"url":"http://a.test/","status":200,"ok":true}
{"line":3,"url":"http://b.test/","error":{"kind":"timeout","message":"timed out"}}
{"line":4,"url":"http://c.test/","error":{"kind":"interrupted","message":"stopped"}}
{"line":1048577,"url":"http://far.test/"}
{"line":7,"url":"http://d.te
EOF_RECORDS
# (the last line loses its newline: a record torn by a crash)
truncate -s -1 corpus/resume/records
printf 'not json\n{"line":2,"url":"x"}\n{"line":2,"url":"y","error":null}\n' | seed resume mixed

# sitemap: a body as fetched (plain or gzip); it is also read as a robots.txt.
seed sitemap urlset <<'EOF_SITEMAP'
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc>https://example.com/</loc><lastmod>2024-01-01</lastmod><changefreq>daily</changefreq><priority>0.8</priority></url>
  <url><loc>
     https://example.com/a?x=1&amp;y=2
  </loc><image:image><image:loc>https://example.com/i.png</image:loc></image:image></url>
  <url><loc><![CDATA[/relative?a=1&b=2]]></loc></url>
  <url><loc>ftp://example.com/x</loc></url>
  <url/>
</urlset>
EOF_SITEMAP
seed sitemap index <<'EOF_SITEMAP'
<?xml version="1.0" encoding="UTF-8"?>
<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sm:sitemap><sm:loc>https://example.com/sitemap1.xml.gz</sm:loc><sm:lastmod>2004-10-01T18:23:17+00:00</sm:lastmod></sm:sitemap>
  <sm:sitemap><sm:loc>https://example.com/s&#x32;.xml</sm:loc></sm:sitemap>
</sm:sitemapindex>
EOF_SITEMAP
seed sitemap entities <<'EOF_SITEMAP'
<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY e "https://internal.example/"><!ENTITY x SYSTEM "file:///etc/hostname"><!ENTITY a "&e;&e;">]>
<urlset><url><loc>&e;</loc></url><url><loc>&x;</loc></url><url><loc>https://example.com/&a;</loc></url></urlset>
EOF_SITEMAP
printf '<urlset><url><loc>https://example.com/1</loc></url><url><loc>https://exa' | seed sitemap cut
printf '<!DOCTYPE html>\n<html><head><title>404</title></head><body></body></html>\n' | seed sitemap html
printf 'User-agent: *\nDisallow: /x\nSitemap: https://example.com/sitemap.xml\nsitemap:/relative.xml\n' | seed sitemap robots
printf '<urlset><url><loc>https://example.com/gz</loc></url></urlset>\n' | gzip -9n | seed sitemap gzip

# frontier: lines as a crawl writes them (found, redirect ends, sitemap seeds, the sitemaps
# line), torn by a crash; a file that is not a frontier; a line over 64 KB (see expanded()).
printf '0\thttps://example.com/a\thttps://example.com/sitemap.xml\nS\n1\thttps://example.com/b\thttps://example.com/\nR\thttps://example.com/moved\n2\thttps://example.com/c?x=1\thttps://example.com/b\n2\thttps://exa' | seed frontier torn
printf '1\thttps://a.test/1\thttps://a.test/\n3\thttp://b.test/\xc3\xa9\t\n000001\thttps://c.test/\thttps://a.test/1\n' | seed frontier whole
printf '1\thttps://a.test/1\thttps://a.test/\nsome notes\n\n-1\tu\tp\n' | seed frontier notes
printf '1\thttps://a.test/\xff\xa0x\thttps://a.test/\nR\thttps://a.test/\xff\x90y\n' | seed frontier long

# warc-tail: a mode byte (1: gzip, 0: plain), then a WARC file as a crash leaves it: whole
# records then one cut short; one with garbage after whole records; a file that is not WARC.
warc_record() {  # warc_record TYPE BODY: one record, uncompressed
    printf 'WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%s>\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n' \
        "$1" "$(printf '%s' "$2" | md5sum | cut -c1-32)" "${#2}" "$2"
}
{ printf '\0'; warc_record warcinfo 'software: parfetch'; warc_record response 'HTTP/1.1 200 OK'; warc_record request 'GET / HT'; } \
    | head -c -9 | seed warc-tail plain-torn
{ printf '\0'; warc_record warcinfo 'software: parfetch'; printf 'garbage'; } | seed warc-tail plain-garbage
{ printf '\1'; warc_record warcinfo 'software: parfetch' | gzip -n; warc_record response 'HTTP/1.1 200 OK' | gzip -n; \
  warc_record request 'GET / HTTP/1.1' | gzip -n | head -c 20; } | seed warc-tail gzip-torn
{ printf '\1'; printf 'my notes\n'; } | seed warc-tail not-warc
