// libxml2's HTML parser and XPath, for --select and --xpath; its streaming reader for sitemaps.
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlreader.h>
