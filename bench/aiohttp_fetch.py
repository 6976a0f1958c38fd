#!/usr/bin/env python3
"""The Python peer: fetch every URL of a list with asyncio + aiohttp.

    aiohttp_fetch.py [--parse | --parse-raw] CONCURRENCY LIST

What a competent user writes: one ClientSession over a TCPConnector(limit=CONCURRENCY), a
fixed pool of CONCURRENCY worker tasks pulling URLs lazily from the list (so memory does not
grow with the list and at most CONCURRENCY requests are in flight), each full body read.
Blank lines and lines starting with '#' are skipped, as parfetch does.

--parse additionally extracts title, meta description and absolute links (the work parfetch
does by default) with selectolax's lexbor backend, for a like-for-like comparison.
--parse-raw extracts only the title and the raw href values (no resolution, no
de-duplication): the least a scraper does, and the fastest this peer can be.

Prints one summary line, e.g. `ok=5000 total=5000 statuses={200: 5000}`, on stdout.
Exit status 0 when every URL got a 2xx response, 1 otherwise.
"""
import asyncio
import collections
import sys
from urllib.parse import urljoin, urldefrag

import aiohttp


def read_urls(path):
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def parse_raw(body, base):
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(body)
    title = tree.css_first("title")
    return (title.text() if title else None, [a.attributes.get("href") for a in tree.css("a[href]")])


def parse(body, base):
    from selectolax.lexbor import LexborHTMLParser  # the maintained backend (selectolax >= 1.0)

    tree = LexborHTMLParser(body)
    title = tree.css_first("title")
    desc = tree.css_first('meta[name="description"]')
    links = []
    seen = set()
    for a in tree.css("a[href]"):
        url = urldefrag(urljoin(base, a.attributes.get("href") or ""))[0]
        if url.startswith(("http://", "https://")) and url not in seen:
            seen.add(url)
            links.append(url)
    return (
        title.text() if title else None,
        desc.attributes.get("content") if desc else None,
        links,
    )


async def worker(session, urls, counts, do_parse):
    # `urls` is one generator shared by all workers: asyncio runs them on one thread and
    # next() never awaits, so each URL is taken exactly once.
    for url in urls:
        try:
            async with session.get(url) as resp:
                body = await resp.read()
                counts[resp.status] += 1
                if do_parse and 200 <= resp.status < 300:
                    do_parse(body, str(resp.url))
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            counts[type(e).__name__] += 1


async def main(concurrency, path, do_parse):
    counts = collections.Counter()
    urls = read_urls(path)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(
            *(worker(session, urls, counts, do_parse) for _ in range(concurrency))
        )
    return counts


if __name__ == "__main__":
    args = sys.argv[1:]
    do_parse = parse if "--parse" in args else parse_raw if "--parse-raw" in args else None
    args = [a for a in args if a not in ("--parse", "--parse-raw")]
    if len(args) != 2:
        sys.exit(__doc__)
    counts = asyncio.run(main(int(args[0]), args[1], do_parse))
    ok = sum(v for k, v in counts.items() if isinstance(k, int) and 200 <= k < 300)
    total = sum(counts.values())
    print(f"ok={ok} total={total} statuses={dict(counts)}")
    sys.exit(0 if ok == total else 1)
