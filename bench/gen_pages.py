#!/usr/bin/env python3
"""Generate the static HTML pages the benchmark's nginx serves.

    gen_pages.py OUTDIR COUNT SIZE_BYTES LINKS [--prefix p]

Writes OUTDIR/p1.html .. OUTDIR/pCOUNT.html. Each page is realistic article-shaped HTML:
doctype, <html lang>, charset, a distinct <title>, a meta description, a canonical link,
a nav bar, article paragraphs with inline links, a related-articles list and a footer,
with exactly LINKS <a href> elements (relative, root-relative, absolute, with query
strings and fragments, as real sites have) and padded with text to about SIZE_BYTES.

Output is deterministic (seeded by the page number) so runs are comparable.
"""
import os
import random
import sys

WORDS = (
    "the market shipping order customer review price update service network latency "
    "server request response archive report analysis season weather city council budget "
    "library release version feature support performance memory thread queue engine "
    "record output detail summary history policy garden recipe travel museum concert "
    "science energy battery solar transport railway harbour bridge river mountain coast"
).split()

SECTIONS = ["news", "sport", "business", "tech", "culture", "travel", "science", "opinion"]


def sentence(rng, lo=8, hi=18):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def href(rng, n, count):
    """A link target of one of the shapes found on real pages."""
    j = rng.randint(1, count)
    kind = rng.randrange(6)
    if kind == 0:
        return f"p{j}.html"
    if kind == 1:
        return f"/pages/p{j}.html"
    if kind == 2:
        return f"/pages/p{j}.html?ref=p{n}&amp;utm_source=bench"
    if kind == 3:
        return f"/pages/p{j}.html#section-{rng.randint(1, 5)}"
    if kind == 4:
        return f"https://www.example.com/{rng.choice(SECTIONS)}/{j}"
    return f"../pages/p{j}.html"


def page(n, count, size, links):
    rng = random.Random(n)
    section = SECTIONS[n % len(SECTIONS)]
    title = f"Page {n}: {sentence(rng, 4, 7)[:-1]}"
    desc = sentence(rng, 14, 22)
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f'<meta name="description" content="{desc}">\n'
        f'<link rel="canonical" href="https://www.example.com/pages/p{n}.html">\n'
        '<link rel="stylesheet" href="/static/site.css">\n'
        "</head>\n<body>\n"
    )
    nav_n = min(5, links)
    rest = links - nav_n
    related_n = min(3, rest)
    footer_n = min(2, rest - related_n)
    inline_n = rest - related_n - footer_n

    nav = '<header class="site-header">\n<nav><ul>\n' + "".join(
        f'<li><a href="/{s}/">{s.capitalize()}</a></li>\n' for s in SECTIONS[:nav_n]
    ) + "</ul></nav>\n</header>\n"

    related = (
        '<aside class="related">\n<h2>Related</h2>\n<ul>\n'
        + "".join(
            f'<li><a href="{href(rng, n, count)}">{sentence(rng, 3, 6)[:-1]}</a></li>\n'
            for _ in range(related_n)
        )
        + "</ul>\n</aside>\n"
    )
    footer = (
        '<footer>\n<p>&copy; 2024 Example Media.'
        + "".join(
            f' <a href="{h}">{t}</a>'
            for h, t in [("/about", "About"), ("/privacy", "Privacy")][:footer_n]
        )
        + "</p>\n</footer>\n</body>\n</html>\n"
    )

    # Inline links are spread evenly over enough sentences of text to fill the size budget.
    inline = [
        f'See <a href="{href(rng, n, count)}">{sentence(rng, 2, 4)[:-1]}</a>.'
        for _ in range(inline_n)
    ]
    byline = 120 + len(title)
    budget = size - len(head) - len(nav) - len(related) - len(footer) - byline
    budget -= sum(len(x) + 1 for x in inline)
    sentences = []
    used = 0
    while used < budget or not sentences:
        s = sentence(rng)
        sentences.append(s)
        used += len(s) + 1
    slots = len(sentences)
    for i, link in enumerate(inline):
        at = (i * slots) // max(len(inline), 1)
        sentences[at] += " " + link
    paragraphs = []
    i = 0
    while i < len(sentences):
        k = rng.randint(2, 4)
        paragraphs.append("<p>" + " ".join(sentences[i : i + k]) + "</p>\n")
        i += k

    article = (
        f'<main>\n<article class="story {section}">\n<h1>{title}</h1>\n'
        f'<p class="byline">By Staff Writer &middot; <time datetime="2024-05-{n % 28 + 1:02d}">'
        f"May {n % 28 + 1}, 2024</time></p>\n" + "".join(paragraphs) + "</article>\n</main>\n"
    )
    return head + nav + article + related + footer


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    outdir, count, size, links = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(outdir, exist_ok=True)
    total = 0
    for n in range(1, count + 1):
        text = page(n, count, size, links).encode("utf-8")
        total += len(text)
        with open(os.path.join(outdir, f"p{n}.html"), "wb") as f:
            f.write(text)
    print(f"generated {count} pages in {outdir}, mean {total / count / 1024:.1f} KiB, {links} links each")


if __name__ == "__main__":
    main()
