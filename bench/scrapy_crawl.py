#!/usr/bin/env python3
"""The Scrapy peer of bench/crawl.sh: a CrawlSpider that follows every link from a seed.

    python3 bench/scrapy_crawl.py SEED DEPTH CONCURRENCY ITEMS.jsonl

What a competent Scrapy user writes for a depth-limited crawl: one Rule with a default
LinkExtractor (a[href] and area[href]), DEPTH_LIMIT, the breadth-first queues the Scrapy FAQ
gives for "crawl in breadth-first order" (so DEPTH_LIMIT counts shortest paths), no robots.txt,
no AutoThrottle, no retries, no cookies, logging at WARNING. One item (url, status, depth) per
page, written as JSON lines to ITEMS; the number of pages goes to stdout.
"""
import sys
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class SiteSpider(CrawlSpider):
    name = "site"
    rules = (Rule(LinkExtractor(), callback="parse_item", follow=True),)

    def __init__(self, seed, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = [seed]
        self.allowed_domains = [urlsplit(seed).hostname]
        self.pages = 0

    def parse_start_url(self, response, **kwargs):
        return self.parse_item(response)

    def parse_item(self, response):
        self.pages += 1
        yield {"url": response.url, "status": response.status, "depth": response.meta.get("depth", 0)}


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    seed, depth, concurrency, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    process = CrawlerProcess(settings={
        "DEPTH_LIMIT": depth,
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "FEEDS": {items: {"format": "jsonlines", "overwrite": True}},
    })
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, seed=seed)
    process.start()
    print(crawler.spider.pages)


if __name__ == "__main__":
    main()
