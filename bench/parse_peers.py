#!/usr/bin/env python3
"""Single-thread throughput of Python HTML parsers doing what parfetch's page scanner does by
default (the title and every link), on one HTML file; the peer of bench/parse-bench.

    python3 bench/parse_peers.py FILE [ITERATIONS]

  lxml        lxml.html.fromstring (libxml2's HTML parser, a full tree), the title's text,
              //a/@href
  selectolax  selectolax.lexbor.LexborHTMLParser (lexbor, an HTML5 parser), the title's
              text, the href of every a[href]

Both get the file's bytes, as the scanner does. Without ITERATIONS each runs for at least
2 seconds. MB/s is 10^6 bytes of HTML per second. Output, one line per parser:

    lxml: X MB/s (N iterations, L links, title=...)
"""
import sys
import time


def lxml_fields(data):
    import lxml.html

    doc = lxml.html.fromstring(data)
    title = doc.findtext(".//title")
    links = doc.xpath("//a/@href")
    return title, links


def selectolax_fields(data):
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(data)
    node = tree.css_first("title")
    title = node.text() if node is not None else None
    links = [a.attributes.get("href") for a in tree.css("a[href]")]
    return title, links


def measure(name, fields, data, iterations):
    title, links = fields(data)  # warm-up: imports, caches
    link_count = len(links)
    # lxml's smart strings keep their tree alive: drop each tree before parsing the next, as
    # a crawler would (holding two at once also changes how the allocator behaves).
    del links
    count = 0
    start = time.perf_counter()
    while (count < iterations) if iterations else (time.perf_counter() - start < 2.0):
        title, links = fields(data)
        link_count = len(links)
        del links
        count += 1
    elapsed = time.perf_counter() - start
    rate = len(data) * count / elapsed / 1e6
    print(f"{name}: {rate:.1f} MB/s ({count} iterations, {link_count} links, title={title})", flush=True)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    iterations = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    measure("lxml", lxml_fields, data, iterations)
    measure("selectolax", selectolax_fields, data, iterations)


if __name__ == "__main__":
    main()
